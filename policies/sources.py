"""The uptake as figures for analytics (analytics/sources.py), so 政策使用率 = used ÷ eligible is an indicator.

Registered from PoliciesConfig.ready(); the indicator over them is policies/migrations/_indicators.py. Each row is
dated by the round's year (a period code), so the figures answer for that year and the periods containing it.

    SRC.POLICY_ELIGIBLE       measures on the submitted uptake forms (eligible measures reported on)
    SRC.POLICY_USED           of them, those the organisation used
    SRC.POLICY_BENEFICIARIES  beneficiaries (人次) of the measures used
    SRC.POLICY_AMOUNT         amount (元) received through the measures used
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from analytics import sources

SCOPE = _("提交了政策落实情况表的企业和基层单位；政策落实填报")


def _rows(start: dt.date, end: dt.date, value) -> Iterator[tuple[int, str, object]]:
    from policies.choices import UptakeStatus
    from policies.models import UptakeLine

    lines = (
        UptakeLine.objects.filter(
            report__status=UptakeStatus.SUBMITTED,
            report__round__year__gte=start.year,
            report__round__year__lte=end.year,
        )
        .values("report__org_id", "report__round__year")
        .annotate(v=value)
        .values_list("report__org_id", "report__round__year", "v")
    )
    totals: dict[tuple[int, int], object] = defaultdict(int)
    for org_id, year, v in lines.order_by():
        if v is not None:
            totals[(org_id, year)] += v
    for (org_id, year), v in totals.items():
        yield org_id, str(year), v


def eligible_rows(start, end):
    return _rows(start, end, Count("pk"))


def used_rows(start, end):
    return _rows(start, end, Count("pk", filter=Q(used=True)))


def beneficiaries_rows(start, end):
    return _rows(start, end, Sum("beneficiaries", filter=Q(used=True)))


def amount_rows(start, end):
    return _rows(start, end, Sum("amount", filter=Q(used=True)))


SOURCES = (
    sources.Source(key="POLICY_ELIGIBLE", label=_("符合条件并已填报的政策项数"), unit="项", fn=eligible_rows,
                   scope=SCOPE,
                   description=_("已提交的政策落实情况表中，单位符合条件的政策项数。")),
    sources.Source(key="POLICY_USED", label=_("已享受的政策项数"), unit="项", fn=used_rows, scope=SCOPE,
                   description=_("已提交的政策落实情况表中，单位填报“享受了”的政策项数。")),
    sources.Source(key="POLICY_BENEFICIARIES", label=_("政策受益人次"), unit="人次", kind=sources.SUM,
                   fn=beneficiaries_rows, scope=SCOPE, description=_("已享受政策的受益人次之和。")),
    sources.Source(key="POLICY_AMOUNT", label=_("政策享受金额"), unit="元", kind=sources.SUM, fn=amount_rows,
                   scope=SCOPE, description=_("已享受政策的金额之和（元）。")),
)  # fmt: skip


def register() -> None:
    for source in SOURCES:
        sources.register(source)
