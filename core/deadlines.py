"""Deadlines in Beijing time, the one rule every app uses.

A deadline is a day. Something first submitted before 00:00 Beijing time on the day after it is
on time, later is late; with nothing submitted it is "missing" from that instant on and "pending"
before. A grace period keeps entry of drafts open for some days after the deadline; an extension
moves the deadline (the latest one that applies wins, an extension never shortens it).

Which extensions apply to whom is the app's question (reporting: one for a data set and period,
for everyone or for a subtree: reporting.queries.deadline_for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

BEIJING = ZoneInfo("Asia/Shanghai")

ON_TIME, LATE, MISSING, PENDING = "on_time", "late", "missing", "pending"


def today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Beijing time (whatever the server's or the request's time zone)."""
    return (now or timezone.now()).astimezone(BEIJING).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 Beijing time on `day`, as an aware time."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=BEIJING)


def extended(regular: dt.date, extensions: Iterable[dt.date]) -> dt.date:
    """The effective deadline: the regular day, or the latest extension day if later."""
    return max([regular, *extensions])


@dataclass(frozen=True)
class Window:
    """When entry opens, the deadline day, the first instant that is late, and when entry closes for drafts."""

    opens_at: dt.datetime
    deadline: dt.date
    late_from: dt.datetime
    closes_at: dt.datetime

    def is_open(self, now: dt.datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    def is_on_time(self, submitted_at: dt.datetime) -> bool:
        return submitted_at < self.late_from

    def timeliness(self, first_submitted_at: dt.datetime | None, now: dt.datetime) -> str:
        """ON_TIME or LATE once submitted; before that MISSING after the deadline day, PENDING until then."""
        if first_submitted_at is not None:
            return ON_TIME if self.is_on_time(first_submitted_at) else LATE
        return MISSING if now >= self.late_from else PENDING


def window(*, opens_on: dt.date, deadline: dt.date, grace_days: int = 0) -> Window:
    """The window of something due on `deadline` (already extended), open from `opens_on`."""
    return Window(
        opens_at=start_of_day(opens_on),
        deadline=deadline,
        late_from=start_of_day(deadline + dt.timedelta(days=1)),
        closes_at=start_of_day(deadline + dt.timedelta(days=1 + grace_days)),
    )


def days_left(deadline: dt.date, now: dt.datetime | None = None) -> int:
    """Days from today (Beijing time) to the deadline day: 0 on the day itself, negative when late."""
    return (deadline - today(now)).days
