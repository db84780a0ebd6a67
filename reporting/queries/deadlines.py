"""Deadlines: entry windows, extensions, period locks, timeliness and the rounds whose entry has opened.

Deadlines are days in Beijing time (Asia/Shanghai): a report first submitted at 23:59:59.999 on
the deadline day is on time, one at 00:00 the next day is late. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core import deadlines
from core.batch import shared
from orgs.models import Organisation
from orgs.scoping import in_subtree
from reporting import periods
from reporting.choices import Timeliness
from reporting.models import DataSet, DeadlineExtension, Period, PeriodLock, Report

REPORTING_TZ = deadlines.BEIJING


# --- Deadlines ----------------------------------------------------------------------------------------


# The entry window of one organisation's report (core/deadlines.py: the rule for every app).
EntryWindow = deadlines.Window


def regular_deadline(dataset: DataSet, period: Period | periods.PeriodSpec) -> dt.date:
    return period.end + dt.timedelta(days=dataset.deadline_days)


def deadline_extensions(dataset: DataSet, period: Period) -> list[DeadlineExtension]:
    """The extensions granted for `dataset` and `period` (read once, then applied per organisation; once per
    set write, core.batch)."""
    return shared(
        f"reporting.extensions.{dataset.pk}.{period.pk}",
        lambda: list(DeadlineExtension.objects.filter(dataset=dataset, period=period).select_related("org")),
    )


def deadline_for(
    dataset: DataSet, period: Period | periods.PeriodSpec, org: Organisation, extensions: Iterable[DeadlineExtension]
) -> dt.date:
    """The deadline day for `org`: the regular one, or the latest of `extensions` (those of this data set
    and period) that covers it; an extension without an organisation covers everyone."""
    return deadlines.extended(
        regular_deadline(dataset, period), (e.new_deadline for e in extensions if in_subtree(org, e.org))
    )


def window_for(
    dataset: DataSet, period: Period | periods.PeriodSpec, org: Organisation, extensions: Iterable[DeadlineExtension]
) -> EntryWindow:
    """The entry window of `org`'s report, given the extensions of this data set and period."""
    return deadlines.window(
        opens_on=period.end + dt.timedelta(days=1 + dataset.open_offset_days),
        deadline=deadline_for(dataset, period, org, extensions),
        grace_days=dataset.grace_days,
    )


def effective_deadline(dataset: DataSet, period: Period, org: Organisation) -> dt.date:
    """The deadline day for `org`: the regular one, or the latest extension covering `org` (or everyone)."""
    return deadline_for(dataset, period, org, deadline_extensions(dataset, period))


def entry_window(dataset: DataSet, period: Period, org: Organisation) -> EntryWindow:
    return window_for(dataset, period, org, deadline_extensions(dataset, period))


def period_lock_of(dataset: DataSet, period: Period) -> PeriodLock | None:
    return shared(
        f"reporting.period_lock.{dataset.pk}.{period.pk}",
        lambda: PeriodLock.objects.filter(dataset=dataset, period=period).first(),
    )


def timeliness_of(report: Report | None, window: EntryWindow, now: dt.datetime) -> str:
    return Timeliness(window.timeliness(report.first_submitted_at if report is not None else None, now))


# --- Rounds ----------------------------------------------------------------------------------------------


def opening_day(dataset: DataSet, spec: periods.PeriodSpec) -> dt.date:
    """The first day entry is open for a period (before any extension)."""
    return spec.end + dt.timedelta(days=1 + dataset.open_offset_days)


def recent_rounds(dataset: DataSet, *, count: int = 8, now: dt.datetime | None = None) -> list[periods.PeriodSpec]:
    """The latest `count` periods of the data set's type whose entry has opened, newest first.

    The first one is the round the office is watching now; periods are not created in the database.
    """
    today = deadlines.today(now)
    spec = periods.spec_containing(dataset.period_type, today)
    # Yearly forms may open before the year ends; look one period ahead as well.
    ahead = periods.spec_containing(dataset.period_type, spec.end + dt.timedelta(days=1))
    rounds = [ahead] if opening_day(dataset, ahead) <= today else []
    while len(rounds) < count:
        if opening_day(dataset, spec) <= today:
            rounds.append(spec)
        spec = periods.previous_spec(spec)
    return rounds


days_left = deadlines.days_left
