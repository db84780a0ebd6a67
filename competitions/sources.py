"""The competitions' records as figures for analytics (analytics/sources.py).

    SRC.COMP_HELD          competitions held: events that started in the period and are not merely planned,
                           counted for the organiser (reported pair WF_COMP_HELD)
    SRC.COMP_PARTICIPANTS  participants (person-times): entries of those events, counted for the entrant
                           organisation, on the event's first day (reported pair WF_COMP_PARTICIPANTS)
    SRC.COMP_TRADES        trades covered by those events, counted for the organiser (reported pair WF_COMP_TRADES)
    SRC.COMP_WINNERS_RAISED  winners whose result raised their skill level, counted for the entrant organisation
                           on the day the level took effect

A planned event has not been held, so it does not count; the year of an event is the year it started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from analytics import sources

Row = tuple[int, dt.date, int]
SCOPE = _("已开始举办的劳动和技能竞赛；竞赛记录")


def _held(start: dt.date, end: dt.date):
    from competitions.choices import CompetitionStatus
    from competitions.models import Competition

    return Competition.objects.filter(starts_on__gte=start, starts_on__lte=end).exclude(
        status=CompetitionStatus.PLANNED
    )


def held_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    for org_id, day in _held(start, end).values_list("organiser_id", "starts_on"):
        yield org_id, day, 1


def participant_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    from competitions.models import CompetitionEntry

    rows = CompetitionEntry.objects.filter(competition__in=_held(start, end))
    for org_id, day in rows.values_list("org_id", "competition__starts_on"):
        yield org_id, day, 1


def trade_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    from competitions.models import Trade

    rows = Trade.objects.filter(competition__in=_held(start, end))
    for org_id, day in rows.values_list("competition__organiser_id", "competition__starts_on"):
        yield org_id, day, 1


def raised_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    from competitions.choices import OutcomeKind
    from competitions.models import Outcome

    rows = Outcome.objects.filter(kind=OutcomeKind.SKILL_LEVEL, effective_on__gte=start, effective_on__lte=end)
    for org_id, day in rows.values_list("entry__org_id", "effective_on"):
        yield org_id, day, 1


SOURCES = (
    sources.Source(
        key="COMP_HELD", label=_("举办劳动和技能竞赛项目数"), unit="项", fn=held_rows, scope=SCOPE,
        reported="WF_COMP_HELD", description=_("本期开始举办（不含筹备中）的竞赛，计入主办单位。"),
    ),
    sources.Source(
        key="COMP_PARTICIPANTS", label=_("竞赛参赛人次"), unit="人次", fn=participant_rows, scope=SCOPE,
        reported="WF_COMP_PARTICIPANTS", description=_("本期开始举办的竞赛的参赛人次，计入参赛单位。"),
    ),
    sources.Source(
        key="COMP_TRADES", label=_("竞赛覆盖工种数"), unit="个", fn=trade_rows, scope=SCOPE,
        reported="WF_COMP_TRADES", description=_("本期开始举办的竞赛覆盖的工种，计入主办单位。"),
    ),
    sources.Source(
        key="COMP_WINNERS_RAISED", label=_("竞赛获奖晋升技能等级人数"), unit="人", fn=raised_rows,
        scope=_("竞赛结果带来的技能等级晋升；竞赛记录"),
        description=_("本期因竞赛结果晋升技能等级的人数，计入参赛单位。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the competitions' sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
