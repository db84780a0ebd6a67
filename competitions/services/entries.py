"""Entries and results: a participant entered by hand or from a workbook, a result recorded, an entry removed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from competitions.choices import Award, CompetitionStatus
from competitions.models import Competition, CompetitionEntry, Trade
from competitions.services.common import clean_text, ensure_organiser
from core import audit
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from orgs.models import Organisation
from orgs.scoping import in_subtree
from talent.models import Person

OPEN_FOR_ENTRIES = (CompetitionStatus.PLANNED, CompetitionStatus.UNDER_WAY)
OPEN_FOR_RESULTS = (CompetitionStatus.UNDER_WAY, CompetitionStatus.FINISHED)


def check_participant(
    *,
    competition: Competition,
    trade: Trade,
    org: Organisation,
    person: Person | None,
    name: str,
    exclude: int | None = None,
) -> str:
    """The participant's name once checked: the trade is the event's, the person works in the entrant
    organisation's subtree and is in the pool, and he or she is not entered twice in the trade."""  # fmt: skip
    if trade.competition_id != competition.pk:
        raise UserError(_("工种不属于本竞赛。"), field="trade")
    if person is not None:
        if not in_subtree(person.org, org):
            raise UserError(
                _("%(name)s不在“%(org)s”及其下属单位。") % {"name": person.name, "org": org.name}, field="person"
            )
        if person.removed_on is not None:
            raise UserError(_("%(name)s已移出人才库。") % {"name": person.name}, field="person")
        name = person.name
        twice = CompetitionEntry.objects.filter(trade=trade, person=person)
    else:
        name = clean_text(name, field="name", label=_("姓名"), required=True, limit=50)
        twice = CompetitionEntry.objects.filter(trade=trade, org=org, name=name, person__isnull=True)
    if exclude is not None:
        twice = twice.exclude(pk=exclude)
    if twice.exists():
        raise UserError(_("%(name)s已报名“%(trade)s”工种。") % {"name": name, "trade": trade.name}, field="name")
    return name


@atomic_retrying
def entry_create(
    *,
    by: Actor,
    competition: Competition,
    trade: Trade,
    org: Organisation,
    person: Person | None = None,
    name: str = "",
) -> CompetitionEntry:
    """Enter one participant in one trade (before the event has finished); PermissionDenied for non-organisers."""
    ensure_organiser(by, competition)
    competition = lock_row(Competition.objects, pk=competition.pk)
    if competition.status not in OPEN_FOR_ENTRIES:
        raise UserError(_("竞赛已结束，不能再报名。"))
    name = check_participant(competition=competition, trade=trade, org=org, person=person, name=name)
    entry = CompetitionEntry.objects.create(competition=competition, trade=trade, org=org, person=person, name=name)
    audit.record(by, "competitions.entry.create", entry, detail={"competition": competition.pk})
    return entry


@atomic_retrying
def entry_delete(*, by: Actor, entry: CompetitionEntry, version: int) -> None:
    """Withdraw an entry before the event has finished; its outcomes go with it (there are none before)."""
    ensure_organiser(by, entry.competition)
    entry = lock_row(CompetitionEntry.objects, pk=entry.pk)
    if entry.version != version:
        raise ConflictError(_("该参赛记录已被他人修改，请刷新后重试。"))
    if entry.competition.status not in OPEN_FOR_ENTRIES:
        raise UserError(_("竞赛已结束，不能删除参赛人员。"))
    before = audit.snapshot(entry)
    audit.record(by, "competitions.entry.delete", entry, before=before, after=None)
    entry.delete()


def clean_result(*, score: Any, rank: Any, award: Any) -> dict[str, Any]:
    """Score (0–1000, two decimals), rank (1–9999) and award, each optional; UserError naming the field."""
    cleaned: dict[str, Any] = {"score": None, "rank": None, "award": ""}
    if score not in (None, ""):
        try:
            value = Decimal(str(score).strip())
        except (InvalidOperation, ValueError):
            raise UserError(_("成绩应为数字，如 92.5。"), field="score") from None
        if not value.is_finite() or not 0 <= value <= 1000:
            raise UserError(_("成绩应在 0 到 1000 之间。"), field="score")
        if value != value.quantize(Decimal("0.01")):
            raise UserError(_("成绩最多保留两位小数。"), field="score")
        cleaned["score"] = value
    if rank not in (None, ""):
        try:
            number = int(str(rank).strip())
        except (TypeError, ValueError):
            raise UserError(_("名次应为正整数，如 1。"), field="rank") from None
        if not 1 <= number <= 9999:
            raise UserError(_("名次应在 1 到 9999 之间。"), field="rank")
        cleaned["rank"] = number
    if award not in (None, ""):
        if award not in Award.values:
            raise UserError(_("请从列表中选择奖项。"), field="award")
        cleaned["award"] = award
    return cleaned


@atomic_retrying
def result_record(
    *, by: Actor, entry: CompetitionEntry, version: int, score: Any = None, rank: Any = None, award: Any = ""
) -> CompetitionEntry:
    """Record an entry's score, rank and award while the event runs or has finished; refused once published."""
    ensure_organiser(by, entry.competition)
    cleaned = clean_result(score=score, rank=rank, award=award)
    entry = lock_row(CompetitionEntry.objects, pk=entry.pk)
    if entry.version != version:
        raise ConflictError(_("该参赛记录已被他人修改，请刷新后重试。"))
    status = entry.competition.status
    if status == CompetitionStatus.PUBLISHED:
        raise UserError(_("结果已公布并锁定，如需更正请先重新开放结果。"))
    if status not in OPEN_FOR_RESULTS:
        raise UserError(_("竞赛尚未开始，不能录入成绩。"))
    before = audit.snapshot(entry, ["score", "rank", "award"])
    for key, value in cleaned.items():
        setattr(entry, key, value)
    entry.version += 1
    entry.save()
    audit.record(by, "competitions.result.record", entry, before=before, after=audit.snapshot(entry, cleaned))
    return entry
