"""The talent pool's facts for assessment (assessment/facts.py), registered from TalentConfig.ready().

Each answers for one year and many organisations at once; an organisation's fact covers the people in its
subtree (a union answers for its enterprises' workers):

    talent_honours              honours awarded in the year to the organisation's people (counted); share 1
                                when there is at least one
    talent_industrial_awardees  of the people awarded in the year, the share who are industrial workers
                                (None: nobody awarded)
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from talent.models import Honour


def _within(rows: list, keys: list[str], path: str) -> list:
    start, end = bisect.bisect_left(keys, path), bisect.bisect_left(keys, path + "\uffff")
    return rows[start:end]


def _rows(year: int) -> list:
    return sorted(
        Honour.objects.filter(awarded_on__gte=dt.date(year, 1, 1), awarded_on__lte=dt.date(year, 12, 31))
        .filter(Q(person__removed_on__isnull=True) | Q(person__removed_on__gt=F("awarded_on")))
        .values_list("person__org__path", "person_id", "person__name", "title", "person__is_industrial_worker")
    )


@register("talent_honours", gettext_lazy("本单位职工获得荣誉（项）"), counted=True)
def honours(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = _rows(year)
    keys = [r[0] for r in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        shown = "、".join(f"{name}（{title}）" for _p, _id, name, title, _i in mine[:20])
        found[org_id] = FactValue(
            Decimal(1) if mine else Decimal(0),
            _("%(year)d年度本单位职工获得荣誉 %(n)d 项：%(list)s。")
            % {"year": year, "n": len(mine), "list": shown or "—"},
            len(mine),
        )
    return found


@register("talent_industrial_awardees", gettext_lazy("获评先进人物中产业工人占比"))
def industrial_awardees(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = _rows(year)
    keys = [r[0] for r in rows]
    found = {}
    for org_id, path in orgs:
        people = {pid: industrial for _p, pid, _n, _t, industrial in _within(rows, keys, path)}
        if not people:
            found[org_id] = FactValue(None, _("%(year)d年度本单位没有获评先进人物，本项不适用。") % {"year": year})
            continue
        workers = sum(1 for industrial in people.values() if industrial)
        found[org_id] = FactValue(
            (Decimal(workers) / Decimal(len(people))).quantize(Decimal("0.0001"), ROUND_HALF_UP),
            _("%(year)d年度获评先进人物 %(n)d 人，其中产业工人 %(w)d 人。")
            % {"year": year, "n": len(people), "w": workers},
        )
    return found
