"""Where each quantified task stands against the straight path from its baseline to its target.

An indicator target reads the organisation's accepted figures through the analytics engine (its
subtree, yearly, as assessment does); a counted result reads the latest progress update. The path
runs from the baseline (the baseline year's end, or the task's start) to the target (the target
year's end, or the task's deadline); "expected" is where a straight line would be on the day of the
latest value. Roadmap pages, the "behind the path" alert and the assessment facts read this one
computation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core import deadlines
from ledger.choices import TargetKind, TaskStatus
from ledger.models import Task, TaskUpdate


@dataclass(frozen=True)
class Point:
    on: dt.date
    value: Decimal
    label: str  # the period code ("2025") or the update's date


@dataclass(frozen=True)
class Progress:
    """A task's path and position; `actual` None when nothing has been measured yet."""

    task_id: int
    quantified: bool
    start: dt.date
    end: dt.date
    baseline: Decimal | None
    target: Decimal | None
    points: tuple[Point, ...] = ()

    @property
    def actual(self) -> Point | None:
        return self.points[-1] if self.points else None

    def expected_share(self, on: dt.date) -> Decimal:
        """How far along the straight path the task should be on `on` (0 to 1)."""
        span = (self.end - self.start).days
        if span <= 0:
            return Decimal(1)
        elapsed = min(max((on - self.start).days, 0), span)
        return Decimal(elapsed) / Decimal(span)

    @property
    def share(self) -> Decimal | None:
        """How far the latest value has gone from the baseline to the target (can exceed 1 or be negative)."""
        if self.actual is None or self.target is None or self.baseline is None or self.target == self.baseline:
            return None
        return (self.actual.value - self.baseline) / (self.target - self.baseline)

    @property
    def expected(self) -> Decimal | None:
        """The share the straight path asks for on the day of the latest value."""
        if self.actual is None:
            return None
        return self.expected_share(self.actual.on)

    def behind_by(self) -> Decimal | None:
        """Percentage points the task lags the straight path by (None when it cannot be said)."""
        if self.share is None or self.expected is None:
            return None
        return (self.expected - self.share) * 100

    def expected_value(self, on: dt.date) -> Decimal | None:
        if self.target is None or self.baseline is None:
            return None
        return self.baseline + (self.target - self.baseline) * self.expected_share(on)


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def progress_of(tasks: Iterable[Task], *, today: dt.date | None = None) -> dict[int, Progress]:
    """{task id: Progress} for `tasks` (indicator reads grouped by indicator and year: one engine call each)."""
    from analytics.engine.batch import subtree_values
    from analytics.engine.scope import Scope

    today = today or deadlines.today()
    tasks = list(tasks)
    found: dict[int, Progress] = {}
    # Counted results: the updates' values, oldest first.
    result_ids = [t.pk for t in tasks if t.target_kind == TargetKind.RESULT]
    updates: dict[int, list[Point]] = defaultdict(list)
    for task_id, on, value in (
        TaskUpdate.objects.filter(task_id__in=result_ids, value__isnull=False)
        .order_by("task_id", "on", "id")
        .values_list("task_id", "on", "value")
    ):
        updates[task_id].append(Point(on, value, f"{on:%Y-%m-%d}"))
    # Indicator targets: one engine call per (indicator, year) over every organisation that needs it.
    wanted: dict[tuple[str, int], set[int]] = defaultdict(set)
    for task in tasks:
        if task.target_kind != TargetKind.INDICATOR:
            continue
        first = task.baseline_year or task.starts_on.year - 1
        for year in range(first, min(task.target_year, today.year) + 1):
            wanted[(task.indicator.code, year)].add(task.ledger.org_id)
    values: dict[tuple[str, int], dict[int, Decimal | None]] = {}
    for (code, year), org_ids in sorted(wanted.items()):
        values[(code, year)] = subtree_values(Scope.province(), f"indicator:{code}", str(year), org_ids)
    for task in tasks:
        if task.target_kind == TargetKind.INDICATOR:
            first = task.baseline_year or task.starts_on.year - 1
            org_id = task.ledger.org_id
            series = [
                Point(min(_year_end(year), today), value, str(year))
                for year in range(first, min(task.target_year, today.year) + 1)
                if (value := values[(task.indicator.code, year)].get(org_id)) is not None
            ]
            baseline = task.baseline
            if baseline is None:
                baseline = next((p.value for p in series if p.label == str(first)), None)
            measured = [p for p in series if p.label != str(first)]
            found[task.pk] = Progress(
                task.pk,
                True,
                _year_end(first),
                _year_end(task.target_year),
                baseline,
                task.target_value,
                tuple(measured),
            )
        elif task.target_kind == TargetKind.RESULT:
            found[task.pk] = Progress(
                task.pk,
                True,
                task.starts_on,
                task.deadline,
                task.baseline if task.baseline is not None else Decimal(0),
                task.target_value,
                tuple(updates[task.pk]),
            )
        else:
            found[task.pk] = Progress(task.pk, False, task.starts_on, task.deadline, None, None)
    return found


def is_behind(task: Task, progress: Progress, lag_points: int) -> bool:
    """An open, quantified task whose latest value lags the straight path by more than `lag_points`."""
    if task.status not in (TaskStatus.PLANNED, TaskStatus.ACTIVE):
        return False
    lag = progress.behind_by()
    return lag is not None and lag > lag_points
