"""Entries imported from the template workbook: every problem listed at once, and all rows or none written."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from competitions.choices import CompetitionStatus
from competitions.excel import problem, read_rows
from competitions.models import Competition, CompetitionEntry
from competitions.services.common import ensure_organiser
from core import audit
from core.actor import Actor
from core.db import lock_row
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import in_subtree
from reporting.excel.problems import ImportProblem, ImportRefused
from talent.models import Person

OPEN_FOR_ENTRIES = (CompetitionStatus.PLANNED, CompetitionStatus.UNDER_WAY)


def _plan(competition: Competition, rows, user) -> tuple[list[CompetitionEntry], list[ImportProblem]]:
    trades = {t.name: t for t in competition.trades.all()}
    codes = {r.org_code for r in rows if r.org_code}
    # Entrant organisations among those the importer may see, as on the entry form's picker.
    orgs = {o.code: o for o in Organisation.objects.visible_to(user, Action.ORG_VIEW).filter(code__in=codes)}
    ids = {int(r.person_id) for r in rows if r.person_id.isdigit()}
    people = {p.pk: p for p in Person.objects.visible_to(user).filter(pk__in=ids).select_related("org")}
    taken_people = set(
        CompetitionEntry.objects.filter(competition=competition, person__isnull=False).values_list(
            "trade_id", "person_id"
        )
    )
    taken_names = set(
        CompetitionEntry.objects.filter(competition=competition, person__isnull=True).values_list(
            "trade_id", "org_id", "name"
        )
    )
    entries, problems, seen = [], [], {}
    for row in rows:
        found = []
        trade = trades.get(row.trade)
        if not row.trade:
            found.append(problem(row.number, "A", _("工种"), _("未填写工种"), fix=_("请从列表中选择工种。")))
        elif trade is None:
            found.append(
                problem(
                    row.number,
                    "A",
                    _("工种"),
                    _("本竞赛没有这个工种"),
                    row.trade,
                    _("可选：%(names)s。") % {"names": "、".join(trades)},
                )
            )
        org = orgs.get(row.org_code)
        if not row.org_code:
            found.append(problem(row.number, "B", _("参赛单位代码"), _("未填写参赛单位代码")))
        elif org is None:
            found.append(
                problem(
                    row.number,
                    "B",
                    _("参赛单位代码"),
                    _("找不到这个机构代码"),
                    row.org_code,
                    _("请填写参赛单位在系统中的机构代码。"),
                )
            )
        person = None
        if row.person_id:
            person = people.get(int(row.person_id)) if row.person_id.isdigit() else None
            if person is None:
                found.append(
                    problem(
                        row.number,
                        "D",
                        _("人才库编号"),
                        _("人才库中找不到这个编号"),
                        row.person_id,
                        _("不在人才库的人员请留空。"),
                    )
                )
            elif org is not None and not in_subtree(person.org, org):
                found.append(
                    problem(
                        row.number,
                        "D",
                        _("人才库编号"),
                        _("该人员不在“%(org)s”及其下属单位") % {"org": org.name},
                        row.person_id,
                    )
                )
            elif row.name and row.name != person.name:
                found.append(
                    problem(
                        row.number,
                        "C",
                        _("姓名"),
                        _("与人才库编号 %(id)s 的姓名不一致") % {"id": row.person_id},
                        row.name,
                    )
                )
        if not row.name and person is None:
            found.append(problem(row.number, "C", _("姓名"), _("未填写姓名")))
        elif len(row.name) > 50:
            found.append(problem(row.number, "C", _("姓名"), _("姓名不能超过 50 个字"), row.name))
        if found:
            problems.extend(found)
            continue
        name = person.name if person else row.name
        key = (trade.pk, person.pk) if person else (trade.pk, org.pk, name)
        first = seen.setdefault(key, row.number)
        if first != row.number:
            problems.append(
                problem(
                    row.number,
                    "C",
                    _("姓名"),
                    _("与第 %(n)d 行重复：同一人在同一工种只能报名一次") % {"n": first},
                    name,
                )
            )
            continue
        if key in (taken_people if person else taken_names):
            problems.append(problem(row.number, "C", _("姓名"), _("已报名该工种"), name))
            continue
        entries.append(CompetitionEntry(competition=competition, trade=trade, org=org, person=person, name=name))
    return entries, problems


def entries_import(*, by: Actor, competition: Competition, path: str) -> list[CompetitionEntry]:
    """Read the workbook at `path` and enter every participant in it; ImportRefused listing every problem (and
    nothing written) when there is one. PermissionDenied for non-organisers."""
    ensure_organiser(by, competition)
    rows = read_rows(path)
    with transaction.atomic():
        competition = lock_row(Competition.objects, pk=competition.pk)
        if competition.status not in OPEN_FOR_ENTRIES:
            raise ImportRefused([problem(0, "", "", _("竞赛已结束，不能再报名。"))])
        entries, problems = _plan(competition, rows, by.user)
        if problems:
            raise ImportRefused(problems)
        created = CompetitionEntry.objects.bulk_create(entries)
        audit.record(by, "competitions.entry.import", competition, after=None, detail={"rows": len(created)})
    return created
