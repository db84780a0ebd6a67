"""The case library's records as figures for analytics (analytics/sources.py), registered from CasesConfig.ready():

SRC.CASES_PUBLISHED     cases published, by source organisation, dated by the day they were published
                        (a withdrawn case no longer counts)
SRC.CASE_REPLICATIONS   adoptions of published cases received, by the case's source organisation, dated by
                        the day the adopting organisation took the case over
SRC.CASE_ADOPTIONS      adoptions made, by the adopting organisation, dated the same way
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from analytics import sources


def replications_received_rows(start: dt.date, end: dt.date) -> Iterator[tuple[int, dt.date, int]]:
    """(source organisation, adoption day, 1) for each adoption of a published case within [start, end]."""
    from cases.choices import CaseStatus
    from cases.models import Replication

    rows = Replication.objects.filter(
        case__status=CaseStatus.PUBLISHED, adopted_on__gte=start, adopted_on__lte=end
    ).values_list("case__org_id", "adopted_on")
    for org_id, day in rows:
        yield org_id, day, 1


SCOPE = _("案例库已发布的改革案例；案例库")

SOURCES = (
    sources.Source(
        key="CASES_PUBLISHED", label=_("发布的改革案例数"), unit="个", model="cases.Case", org_field="org_id",
        date_field="published_on", filters=(("status", "published"),), scope=SCOPE,
        description=_("本期发布、目前仍在案例库中的案例，按案例来源单位。"),
    ),
    sources.Source(
        key="CASE_REPLICATIONS", label=_("案例被复制推广次数"), unit="次", fn=replications_received_rows, scope=SCOPE,
        description=_("本期其他单位登记借鉴本单位已发布案例的次数，按案例来源单位。"),
    ),
    sources.Source(
        key="CASE_ADOPTIONS", label=_("复制推广他单位案例数"), unit="个", model="cases.Replication",
        org_field="org_id", date_field="adopted_on", filters=(("case__status", "published"),), scope=SCOPE,
        description=_("本期本单位登记借鉴的已发布案例，按借鉴单位。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the case library's sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
