"""The suggestions' records as figures for analytics (analytics/sources.py), each paired with the data element
enterprises report for the same thing (`reported=`):

    SRC.SUGGESTIONS_SUBMITTED  suggestions (all kinds) submitted in the period        ↔ WF_SUGGEST_SUBMITTED
    SRC.SUGGESTIONS_ADOPTED    adopted in the period (decided; every state from 已采纳)  ↔ WF_SUGGEST_ADOPTED
    SRC.SUGGESTIONS_DECIDED    decided in the period: adopted or rejected (the adoption rate's denominator)
    SRC.SUGGESTIONS_VALUE      value created (元) of those whose benefit was assessed in the period (SUM)
                                                                                     ↔ WF_SUGGEST_VALUE
    SRC.WUXIAO_RESULTS         五小 results: 五小 suggestions adopted in the period    ↔ WF_WUXIAO_RESULTS
    SRC.WUXIAO_PARTICIPANTS    distinct proposers of the 五小 submitted in the period, per organisation
                                                                                     ↔ WF_WUXIAO_PARTICIPANTS

A suggestion counts for the organisation where it was entered (and so for its union and prefecture through the
tree), on the day of the event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from analytics import sources
from suggestions.choices import ADOPTED_STATES, DECIDED_STATES, WUXIAO_KINDS

SCOPE = _("工会为职工录入的合理化建议和五小成果；合理化建议")
ADOPTED = tuple(sorted(ADOPTED_STATES))
DECIDED = tuple(sorted(DECIDED_STATES))
WUXIAO = tuple(sorted(WUXIAO_KINDS))


def wuxiao_participant_rows(start: dt.date, end: dt.date) -> Iterator[tuple[int, dt.date, int]]:
    """One row per organisation and distinct proposer of the 五小 submitted between `start` and `end`."""
    from suggestions.models import Proposer

    seen: set = set()
    rows = Proposer.objects.filter(
        suggestion__kind__in=WUXIAO, suggestion__submitted_on__gte=start, suggestion__submitted_on__lte=end
    ).values_list("suggestion__org_id", "person_id", "name", "suggestion__submitted_on")
    for org_id, person_id, name, day in rows.order_by("suggestion__submitted_on", "pk"):
        key = (org_id, ("p", person_id) if person_id else ("n", name))
        if key in seen:
            continue
        seen.add(key)
        yield org_id, day, 1


SOURCES = (
    sources.Source(
        key="SUGGESTIONS_SUBMITTED", label=_("合理化建议提出数（记录）"), unit="条", model="suggestions.Suggestion",
        date_field="submitted_on", scope=SCOPE, reported="WF_SUGGEST_SUBMITTED",
        description=_("提出日期在本期内的合理化建议和五小（各类别合计）。"),
    ),
    sources.Source(
        key="SUGGESTIONS_ADOPTED", label=_("合理化建议采纳数（记录）"), unit="条", model="suggestions.Suggestion",
        date_field="decided_on", filters=(("status__in", ADOPTED),), scope=SCOPE, reported="WF_SUGGEST_ADOPTED",
        description=_("采纳日期在本期内的建议（含已实施、已评估、已奖励）。"),
    ),
    sources.Source(
        key="SUGGESTIONS_DECIDED", label=_("合理化建议已决定数（记录）"), unit="条", model="suggestions.Suggestion",
        date_field="decided_on", filters=(("status__in", DECIDED),), scope=SCOPE,
        description=_("本期内作出采纳或不采纳决定的建议，采纳率的分母。"),
    ),
    sources.Source(
        key="SUGGESTIONS_VALUE", label=_("合理化建议创效金额（记录）"), unit="元", kind=sources.SUM,
        model="suggestions.Suggestion", date_field="assessed_on", sum_field="value", scope=SCOPE,
        reported="WF_SUGGEST_VALUE", description=_("效益评估日期在本期内的建议评估的创效金额合计。"),
    ),
    sources.Source(
        key="WUXIAO_RESULTS", label=_("五小成果数（记录）"), unit="项", model="suggestions.Suggestion",
        date_field="decided_on", filters=(("status__in", ADOPTED), ("kind__in", WUXIAO)), scope=SCOPE,
        reported="WF_WUXIAO_RESULTS", description=_("本期内被采纳的小发明、小创造、小革新、小设计、小建议。"),
    ),
    sources.Source(
        key="WUXIAO_PARTICIPANTS", label=_("五小活动参与人数（记录）"), unit="人", fn=wuxiao_participant_rows,
        scope=SCOPE, reported="WF_WUXIAO_PARTICIPANTS",
        description=_("本期内提出五小成果的建议人，每个单位内同一人计一次。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the suggestions' sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
