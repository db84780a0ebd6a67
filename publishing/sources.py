"""The publishing app's records as figures for analytics (analytics/sources.py), registered from its ready().

    SRC.INFO_SUBMITTED   information items an organisation submitted (counted on the day first submitted)
    SRC.INFO_USED        of them, those the office used in a newsletter issue (counted on the day accepted)

Counts roll up the tree like reporting cells, so a union's figure holds its enterprises' items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from analytics import sources
from core import deadlines

SCOPE = _("各单位信息员报送的信息；信息与快报")


def _rows(field: str, start: dt.date, end: dt.date, **filters) -> Iterator[tuple[int, dt.date, int]]:
    from publishing.models import Submission

    rows = Submission.objects.filter(
        **{
            f"{field}__gte": deadlines.start_of_day(start),
            f"{field}__lt": deadlines.start_of_day(end + dt.timedelta(1)),
        },
        **filters,
    ).values_list("org_id", field)
    for org_id, at in rows:
        yield org_id, deadlines.today(at), 1


def submitted_rows(start: dt.date, end: dt.date):
    return _rows("first_submitted_at", start, end)


def used_rows(start: dt.date, end: dt.date):
    from publishing.choices import SubmissionStatus

    return _rows("decided_at", start, end, status=SubmissionStatus.USED)


SOURCES = (
    sources.Source(
        key="INFO_SUBMITTED", label=_("报送信息条数"), unit="条", fn=submitted_rows, scope=SCOPE,
        description=_("期内首次报送给产改办的信息（工作动态、经验做法、数据亮点、讲话等）。"),
    ),
    sources.Source(
        key="INFO_USED", label=_("被快报采用的信息条数"), unit="条", fn=used_rows, scope=SCOPE,
        description=_("期内被产改办采用、编入《云南工会通讯（快报）》的报送信息。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the sources with analytics (idempotent)."""
    for source in SOURCES:
        sources.register(source)
