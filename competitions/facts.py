"""The competitions' facts for assessment (assessment/facts.py), registered from CompetitionsConfig.ready().

Each answers for one year and many organisations at once; an organisation's fact covers its subtree:

    competitions_held          competitions the organisation (or its subtree) held in the year (counted); share 1
                               when there is at least one
    competitions_participants  entries sent to competitions held in the year (person-times, counted); share 1
                               when there is at least one
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from competitions.choices import CompetitionStatus
from competitions.models import Competition, CompetitionEntry


def _within(rows: list, keys: list[str], path: str) -> list:
    start, end = bisect.bisect_left(keys, path), bisect.bisect_left(keys, path + "\uffff")
    return rows[start:end]


def _held(year: int):
    return Competition.objects.filter(starts_on__gte=dt.date(year, 1, 1), starts_on__lte=dt.date(year, 12, 31)).exclude(
        status=CompetitionStatus.PLANNED
    )


@register("competitions_held", gettext_lazy("举办劳动和技能竞赛（项）"), counted=True)
def held(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = sorted(_held(year).values_list("organiser__path", "name"))
    keys = [path for path, _name in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        names = "、".join(name for _p, name in mine)
        found[org_id] = FactValue(
            Decimal(1) if mine else Decimal(0),
            _("%(year)d年度举办劳动和技能竞赛 %(n)d 项（%(names)s）。")
            % {"year": year, "n": len(mine), "names": names or "—"},
            len(mine),
        )
    return found


@register("competitions_participants", gettext_lazy("参加劳动和技能竞赛（人次）"), counted=True)
def participants(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = sorted(
        CompetitionEntry.objects.filter(competition__in=_held(year)).values_list(
            "org__path", "competition__name", "award"
        )
    )
    keys = [path for path, _name, _award in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        winners = sum(1 for _p, _n, award in mine if award)
        events = len({name for _p, name, _a in mine})
        found[org_id] = FactValue(
            Decimal(1) if mine else Decimal(0),
            _("%(year)d年度参加劳动和技能竞赛 %(n)d 人次（%(events)d 项竞赛），获奖 %(winners)d 人次。")
            % {"year": year, "n": len(mine), "events": events, "winners": winners},
            len(mine),
        )
    return found
