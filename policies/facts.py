"""The uptake's facts for assessment (assessment/facts.py), registered from PoliciesConfig.ready().

policy_use_rate          of the eligible measures on the subtree's submitted uptake forms of the year, the
                         share used (None when nothing was reported: not applicable, never 0)
policy_uptake_on_time    of the subtree's uptake forms of the year, the share first submitted by the deadline
                         (only once the deadline has passed)
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.facts import OrgRef, register
from assessment.scoring import FactValue
from core import deadlines
from policies.choices import UptakeStatus
from policies.models import UptakeLine, UptakeReport, UptakeRound


def _within(rows: list, keys: list[str], path: str) -> list:
    return rows[bisect.bisect_left(keys, path) : bisect.bisect_left(keys, path + "\uffff")]


@register("policy_use_rate", gettext_lazy("政策使用率"))
def use_rate(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    rows = sorted(
        UptakeLine.objects.filter(report__round__year=year, report__status=UptakeStatus.SUBMITTED)
        .values("report__org__path")
        .annotate(total=Count("pk"), used=Count("pk", filter=Q(used=True)))
        .values_list("report__org__path", "total", "used")
        .order_by()
    )
    keys = [row[0] for row in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        total = sum(r[1] for r in mine)
        used = sum(r[2] for r in mine)
        if not total:
            found[org_id] = FactValue(None, _("%(year)d年度未填报政策落实情况，本项不适用。") % {"year": year})
            continue
        found[org_id] = FactValue(
            Decimal(used) / Decimal(total),
            _("%(year)d年度符合条件的政策 %(total)d 项次，已享受 %(used)d 项次。")
            % {"year": year, "total": total, "used": used},
        )
    return found


@register("policy_uptake_on_time", gettext_lazy("政策落实情况按时填报"))
def uptake_on_time(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    round_ = UptakeRound.objects.filter(year=year).first()
    if round_ is None or round_.due_on >= deadlines.today():
        return {
            org_id: FactValue(None, _("%(year)d年度政策落实填报尚未截止，本项不适用。") % {"year": year})
            for org_id, _p in orgs
        }
    late_from = deadlines.start_of_day(round_.due_on) + dt.timedelta(days=1)
    rows = sorted(
        (path, name, at is not None and at < late_from)
        for path, name, at in UptakeReport.objects.filter(round=round_).values_list(
            "org__path", "org__name", "first_submitted_at"
        )
    )
    keys = [row[0] for row in rows]
    found = {}
    for org_id, path in orgs:
        mine = _within(rows, keys, path)
        if not mine:
            found[org_id] = FactValue(
                None, _("%(year)d年度本单位没有应填报的政策落实情况表，本项不适用。") % {"year": year}
            )
            continue
        good = sum(1 for row in mine if row[2])
        late = "、".join(row[1] for row in mine if not row[2]) or "—"
        found[org_id] = FactValue(
            Decimal(good) / Decimal(len(mine)),
            _("%(year)d年度应填报 %(total)d 份，按时 %(good)d 份；未按时：%(names)s。")
            % {"year": year, "total": len(mine), "good": good, "names": late},
        )
    return found
