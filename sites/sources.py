"""The demonstration sites' records as figures for analytics (analytics/sources.py).

    SRC.SITES              sites announced by the period's end and not withdrawn by then (a stock)
    SRC.SITES_PROVINCIAL   of them, those of provincial batches (省级)
    SRC.SITES_GROUP        of them, those of group batches (集团级)
    SRC.SITES_PREFECTURE   of them, those of prefecture batches (州市级)
    SRC.SITE_VISITS        guidance visits made in the period (指导次数), counted for the visited site
    SRC.SITE_FOLLOWUPS     follow-up tasks due in the period
    SRC.SITE_FOLLOWUPS_DONE  of them, those completed (by any day); 跟进事项完成数/总数 is their ratio

A site counts for its organisation (and so for its union and prefecture through the tree), on the day it was
announced; a batch's year is the year it was announced in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analytics import sources

Row = tuple[int, dt.date, int]
SCOPE = _("已公布的示范点；示范点")


def _sites(start: dt.date, end: dt.date, level: str = "") -> Iterator[Row]:
    from sites.models import Site

    rows = Site.objects.filter(announced_on__gte=start, announced_on__lte=end).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=end)
    )
    if level:
        rows = rows.filter(batch__level=level)
    for org_id, day in rows.values_list("org_id", "announced_on"):
        yield org_id, day, 1


def sites_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _sites(start, end)


def provincial_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _sites(start, end, "provincial")


def group_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _sites(start, end, "group")


def prefecture_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _sites(start, end, "prefecture")


SOURCES = (
    sources.Source(
        key="SITES", label=_("示范点数"), unit="个", fn=sites_rows, cumulative=True, scope=SCOPE,
        description=_("期末前已公布、未撤销的示范点。"),
    ),
    sources.Source(
        key="SITES_PROVINCIAL", label=_("省级示范点数"), unit="个", fn=provincial_rows, cumulative=True, scope=SCOPE,
        description=_("省级批次中期末前已公布、未撤销的示范点。"),
    ),
    sources.Source(
        key="SITES_GROUP", label=_("集团级示范点数"), unit="个", fn=group_rows, cumulative=True, scope=SCOPE,
        description=_("集团级批次中期末前已公布、未撤销的示范点。"),
    ),
    sources.Source(
        key="SITES_PREFECTURE", label=_("州市级示范点数"), unit="个", fn=prefecture_rows, cumulative=True,
        scope=SCOPE, description=_("州市级批次中期末前已公布、未撤销的示范点。"),
    ),
    sources.Source(
        key="SITE_VISITS", label=_("指导次数"), unit="次", model="sites.Visit", org_field="site__org",
        date_field="visited_on", scope=_("指导组对示范点的走访；示范点"), description=_("本期指导组走访示范点的次数。"),
    ),
    sources.Source(
        key="SITE_FOLLOWUPS", label=_("跟进事项数"), unit="项", model="sites.FollowUp", org_field="site__org",
        date_field="deadline", scope=_("指导走访提出的跟进事项；示范点"), description=_("完成期限在本期内的跟进事项。"),
    ),
    sources.Source(
        key="SITE_FOLLOWUPS_DONE", label=_("已完成跟进事项数"), unit="项", model="sites.FollowUp",
        org_field="site__org", date_field="deadline", filters=(("status", "done"),),
        scope=_("指导走访提出的跟进事项；示范点"), description=_("完成期限在本期内、已办结的跟进事项。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the sites' sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
