"""Competitions: create and edit an event with its trades, move it through its life, publish and reopen results."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.choices import CompetitionKind, CompetitionLevel, CompetitionStatus
from competitions.models import Competition, Trade
from competitions.services.common import clean_text, ensure_organiser
from core import audit, deadlines
from core.actor import Actor
from core.cleaning import clean_date
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ensure_allowed

FIELDS = ("kind", "level", "name", "organiser", "starts_on", "ends_on", "notes")
MAX_TRADES = 100

# The steps of an event's life the organiser takes by hand; publishing and reopening have their own services.
STEPS = {
    CompetitionStatus.UNDER_WAY: (CompetitionStatus.PLANNED,),
    CompetitionStatus.FINISHED: (CompetitionStatus.UNDER_WAY,),
    CompetitionStatus.PLANNED: (CompetitionStatus.UNDER_WAY,),
}


def clean_trades(value) -> list[str]:
    """Trade names from a list or from text with one per line (or separated by 、，,;；); UserError if none."""
    if isinstance(value, str):
        for mark in "、，,;；":
            value = value.replace(mark, "\n")
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise UserError(_("请填写竞赛工种。"), field="trades")
    names: list[str] = []
    for item in value:
        name = clean_text(item if isinstance(item, str) else "", field="trades", label=_("工种名称"), limit=100)
        if name and name not in names:
            names.append(name)
    if not names:
        raise UserError(_("请至少填写一个竞赛工种。"), field="trades")
    if len(names) > MAX_TRADES:
        raise UserError(_("一项竞赛最多 %(n)d 个工种。") % {"n": MAX_TRADES}, field="trades")
    return names


def _clean(fields: dict[str, Any], current: Competition | None = None) -> dict[str, Any]:
    merged = {f: fields.get(f, getattr(current, f, None)) for f in FIELDS}
    if merged["kind"] not in CompetitionKind.values:
        raise UserError(_("请选择竞赛类别（劳动竞赛或技能竞赛）。"), field="kind")
    if merged["level"] not in CompetitionLevel.values:
        raise UserError(_("请选择竞赛级别。"), field="level")
    name = clean_text(merged["name"], field="name", label=_("竞赛名称"), required=True, limit=200)
    if not isinstance(merged["organiser"], Organisation):
        raise UserError(_("请选择主办单位。"), field="organiser")
    starts_on = clean_date(merged["starts_on"], field="starts_on", label=_("开始日期"), future=True)
    ends_on = clean_date(merged["ends_on"], field="ends_on", label=_("结束日期"), future=True)
    if ends_on < starts_on:
        raise UserError(_("结束日期不能早于开始日期。"), field="ends_on")
    if starts_on.year < 2000 or ends_on.year > 2100:
        raise UserError(_("竞赛日期应在 2000 年到 2100 年之间。"), field="starts_on")
    duplicate = Competition.objects.filter(organiser=merged["organiser"], name=name)
    if current is not None:
        duplicate = duplicate.exclude(pk=current.pk)
    if duplicate.exists():
        raise UserError(_("本单位已有名为“%(name)s”的竞赛。") % {"name": name}, field="name")
    notes = clean_text(merged["notes"], field="notes", label=_("说明"))
    return {**merged, "name": name, "starts_on": starts_on, "ends_on": ends_on, "notes": notes}


def _set_trades(competition: Competition, names: list[str]) -> None:
    current = {t.name: t for t in competition.trades.all()}
    for name, trade in current.items():
        if name not in names:
            if trade.entries.exists():
                raise UserError(_("工种“%(name)s”已有参赛人员，不能删除。") % {"name": name}, field="trades")
            trade.delete()
    Trade.objects.bulk_create(Trade(competition=competition, name=n) for n in names if n not in current)


@atomic_retrying
def competition_create(*, by: Actor, trades, **fields: Any) -> Competition:
    """A new competition in 筹备中 with its trades; the actor must be able to edit for the organiser."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise UserError(_("不能设置：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    cleaned = _clean(fields)
    ensure_allowed(by, Action.EDIT, cleaned["organiser"])
    names = clean_trades(trades)
    competition = Competition.objects.create(**cleaned)
    _set_trades(competition, names)
    audit.record(by, "competitions.competition.create", competition, detail={"trades": names})
    return competition


@atomic_retrying
def competition_update(*, by: Actor, competition: Competition, version: int, trades=None, **fields: Any) -> Competition:
    """Change an event's details and trades; 409 if someone saved it meanwhile. A new organiser is checked too."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    ensure_organiser(by, competition)
    competition = lock_row(Competition.objects, pk=competition.pk)
    if competition.version != version:
        raise ConflictError(_("该竞赛已被他人修改，请刷新后重试。"))
    if competition.results_locked:
        raise UserError(_("结果已公布的竞赛不能修改，请先重新开放结果。"))
    cleaned = _clean(fields, competition)
    ensure_allowed(by, Action.EDIT, cleaned["organiser"])
    before = audit.snapshot(competition)
    for key, value in cleaned.items():
        setattr(competition, key, value)
    competition.version += 1
    competition.save()
    detail = None
    if trades is not None:
        names = clean_trades(trades)
        _set_trades(competition, names)
        detail = {"trades": names}
    audit.record(by, "competitions.competition.update", competition, before=before, detail=detail)
    return competition


@atomic_retrying
def competition_step(*, by: Actor, competition: Competition, version: int, status: str) -> Competition:
    """Start a planned event, finish one under way, or set one back to planned; UserError for any other move."""
    ensure_organiser(by, competition)
    competition = lock_row(Competition.objects, pk=competition.pk)
    if competition.version != version:
        raise ConflictError(_("该竞赛已被他人修改，请刷新后重试。"))
    if status not in STEPS or competition.status not in STEPS[status]:
        raise UserError(
            _("竞赛当前为“%(now)s”，不能改为“%(to)s”。")
            % {
                "now": competition.get_status_display(),
                "to": CompetitionStatus(status).label if status in CompetitionStatus.values else status,
            }
        )
    before = audit.snapshot(competition, ["status"])
    competition.status = status
    competition.version += 1
    competition.save()
    audit.record(by, "competitions.competition.step", competition, before=before, after={"status": status})
    return competition


@atomic_retrying
def results_publish(*, by: Actor, competition: Competition, version: int) -> Competition:
    """Publish a finished event's results, which locks them; UserError if no result was recorded."""
    ensure_organiser(by, competition)
    competition = lock_row(Competition.objects, pk=competition.pk)
    if competition.version != version:
        raise ConflictError(_("该竞赛已被他人修改，请刷新后重试。"))
    if competition.status != CompetitionStatus.FINISHED:
        raise UserError(_("只有已结束的竞赛可以公布结果。"))
    if not competition.entries.exclude(award="", rank=None, score=None).exists():
        raise UserError(_("还没有录入任何成绩、名次或奖项，不能公布结果。"))
    competition.status = CompetitionStatus.PUBLISHED
    competition.published_on = deadlines.today()
    competition.version += 1
    competition.save()
    audit.record(by, "competitions.results.publish", competition, after={"published_on": competition.published_on})
    return competition


@atomic_retrying
def results_reopen(*, by: Actor, competition: Competition, version: int, reason: str) -> Competition:
    """Reopen published results for correction, with a reason kept in the audit trail."""
    ensure_organiser(by, competition)
    reason = clean_text(reason, field="reason", label=_("重新开放的原因"), required=True, limit=500)
    competition = lock_row(Competition.objects, pk=competition.pk)
    if competition.version != version:
        raise ConflictError(_("该竞赛已被他人修改，请刷新后重试。"))
    if competition.status != CompetitionStatus.PUBLISHED:
        raise UserError(_("只有已公布结果的竞赛可以重新开放。"))
    before = audit.snapshot(competition, ["status", "published_on"])
    competition.status = CompetitionStatus.FINISHED
    competition.published_on = None
    competition.version += 1
    competition.save()
    audit.record(
        by, "competitions.results.reopen", competition, before=before,
        after={"status": competition.status}, detail={"reason": reason, "at": timezone.now()},
    )  # fmt: skip
    return competition
