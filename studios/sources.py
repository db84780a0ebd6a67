"""The studios' records as figures for analytics (analytics/sources.py).

    SRC.STUDIO_STOCK           studios named by the period's end and not revoked by then (a stock); reported
                               pair WF_STUDIOS
    SRC.STUDIO_STOCK_PROV_UP   of them, those whose level at the period's end was provincial or national
    SRC.STUDIO_RESULT_ITEMS    results obtained in the period; reported pair WF_STUDIO_RESULTS
    SRC.STUDIO_PATENT_ITEMS    of them, patents; reported pair WF_STUDIO_PATENTS
    SRC.STUDIO_RESULT_VALUE    value the period's results created (元); reported pair WF_STUDIO_VALUE

A studio counts for its organisation (and so for its union and prefecture through the tree), from the day of its
first naming; its level at a day is its latest naming by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analytics import sources
from studios.choices import PROVINCIAL_OR_HIGHER

Row = tuple[int, dt.date, int]
SCOPE = _("已命名、未撤销的创新工作室和技师工作站；工作室")
RESULT_SCOPE = _("创新工作室登记的成果；工作室")


def studios_at(end: dt.date, *, levels: tuple[str, ...] = ()) -> Iterator[tuple[int, int, dt.date, str]]:
    """(studio id, organisation id, first naming day, level at `end`) of the studios standing at `end`."""
    from studios.models import Studio, StudioNaming

    standing = Studio.objects.filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=end))
    namings: dict[int, list[tuple[dt.date, str]]] = {}
    for studio_id, day, level in (
        StudioNaming.objects.filter(studio__in=standing, named_on__lte=end)
        .order_by("studio_id", "named_on", "pk")
        .values_list("studio_id", "named_on", "level")
    ):
        namings.setdefault(studio_id, []).append((day, level))
    orgs = dict(standing.filter(pk__in=namings).values_list("pk", "org_id"))
    for studio_id, held in namings.items():
        level = held[-1][1]  # the latest naming by `end` is the level held then
        if levels and level not in levels:
            continue
        yield studio_id, orgs[studio_id], held[0][0], level


def stock_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    for _s, org_id, first, _level in studios_at(end):
        yield org_id, first, 1


def provincial_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    for _s, org_id, first, _level in studios_at(end, levels=PROVINCIAL_OR_HIGHER):
        yield org_id, first, 1


SOURCES = (
    sources.Source(
        key="STUDIO_STOCK", label=_("创新工作室数（登记）"), unit="个", fn=stock_rows, cumulative=True, scope=SCOPE,
        description=_("期末前已命名、未撤销的创新工作室和技师工作站。"), reported="WF_STUDIOS",
    ),
    sources.Source(
        key="STUDIO_STOCK_PROV_UP", label=_("省级及以上创新工作室数"), unit="个", fn=provincial_rows,
        cumulative=True, scope=SCOPE, description=_("期末级别为全国或省级、未撤销的创新工作室。"),
    ),
    sources.Source(
        key="STUDIO_RESULT_ITEMS", label=_("创新工作室成果数（登记）"), unit="项", model="studios.StudioResult",
        org_field="studio__org", date_field="achieved_on", scope=RESULT_SCOPE,
        description=_("本期取得的工作室成果（专利、工作法、五小成果等）。"), reported="WF_STUDIO_RESULTS",
    ),
    sources.Source(
        key="STUDIO_PATENT_ITEMS", label=_("创新工作室专利数（登记）"), unit="项", model="studios.StudioResult",
        org_field="studio__org", date_field="achieved_on", filters=(("kind", "patent"),), scope=RESULT_SCOPE,
        description=_("本期取得的工作室专利。"), reported="WF_STUDIO_PATENTS",
    ),
    sources.Source(
        key="STUDIO_RESULT_VALUE", label=_("创新工作室创效金额（登记）"), unit="元", kind=sources.SUM,
        model="studios.StudioResult", org_field="studio__org", date_field="achieved_on", sum_field="value",
        scope=RESULT_SCOPE, description=_("本期取得的工作室成果创造的效益（元）。"), reported="WF_STUDIO_VALUE",
    ),
)  # fmt: skip


def register() -> None:
    """Register the studios' sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
