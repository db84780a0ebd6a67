"""The geometry of the roadmap's pictures, drawn server-side as SVG (no script: the pages' policy allows none
inline, and a picture that needs none prints and reads the same everywhere).

`gantt(roadmap)` places one row per task, grouped by key task, on a time axis: a bar from the start to the
deadline coloured by status (red when overdue, with the overrun drawn on to today), the share of the path
done inside it, milestones as diamonds, and today's line. `path_chart(line)` draws one quantified task's
straight path from baseline to target, its measured points and where the path is today.

Coordinates are in the SVG's own units (the viewBox); the SVG scales to its container's width.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ledger.queries.roadmap import OVERDUE, Roadmap, TaskLine, units_of

WIDTH = 1000
LABEL = 290  # the task titles' column
RIGHT = 70  # room for "逾期 N 天" after a bar ending at the right edge
AXIS = 30
ROW = 26
GROUP = 26
BAR = 14

COLOURS = {
    "planned": "#adb5bd",
    "active": "#0d6efd",
    "done": "#198754",
    "cancelled": "#dee2e6",
    OVERDUE: "#dc3545",
}
DONE_INSIDE = {"planned": "#6c757d", "active": "#084298", "done": "#0f5132", "cancelled": "#adb5bd", OVERDUE: "#842029"}


def legend() -> list[tuple[str, str]]:
    """(colour, label) of the bar colours, for the legend above the timeline."""
    from ledger.choices import TaskStatus

    return [(COLOURS[status], str(label)) for status, label in TaskStatus.choices] + [(COLOURS[OVERDUE], _("逾期"))]


def _r(value: float) -> float:
    return round(value, 1)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Tick:
    x: float
    label: str = ""
    major: bool = True

    @property
    def label_x(self) -> float:
        return _r(self.x + 4)


@dataclass
class Diamond:
    x: float
    y: float
    fill: str
    stroke: str
    title: str

    @property
    def points(self) -> str:
        x, y, s = self.x, self.y, 6
        return f"{_r(x)},{_r(y - s)} {_r(x + s)},{_r(y)} {_r(x)},{_r(y + s)} {_r(x - s)},{_r(y)}"


@dataclass
class GanttRow:
    kind: str  # "group" or "task"
    y: float  # the row's top
    label: str
    title: str = ""
    line: TaskLine | None = None
    x: float = 0
    width: float = 0
    fill: str = ""
    done_width: float = 0
    done_fill: str = ""
    overrun_to: float = 0  # an overdue bar's overrun, from its end to today
    note: str = ""  # "逾期 N 天"
    note_x: float = 0
    note_anchor: str = "start"
    milestones: list[Diamond] = field(default_factory=list)

    @property
    def mid(self) -> float:
        return _r(self.y + (GROUP if self.kind == "group" else ROW) / 2)

    @property
    def bar_y(self) -> float:
        return _r(self.mid - BAR / 2)

    @property
    def text_y(self) -> float:
        return _r(self.mid + 4.5)


@dataclass
class Gantt:
    width: int
    height: float
    label_width: int
    ticks: list[Tick]
    rows: list[GanttRow]
    today_x: float
    today_label: str
    rows_bottom: float = 0
    top: int = AXIS

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def today_label_y(self) -> float:
        return _r(self.height - 6)


class _Axis:
    def __init__(self, start: dt.date, end: dt.date, left: float, right: float):
        self.start, self.end = start, end
        self.left, self.right = left, right
        self.days = max((end - start).days, 1)

    def x(self, day: dt.date) -> float:
        return _r(self.left + (day - self.start).days / self.days * (self.right - self.left))


def _ticks(axis: _Axis) -> list[Tick]:
    ticks = []
    years = range(axis.start.year, axis.end.year + 1)
    quarters = len(years) <= 5
    for year in years:
        day = dt.date(year, 1, 1)
        if axis.start <= day <= axis.end:
            ticks.append(Tick(axis.x(day), _("%(year)d年") % {"year": year}))
        if quarters:
            for month in (4, 7, 10):
                day = dt.date(year, month, 1)
                if axis.start <= day <= axis.end:
                    ticks.append(Tick(axis.x(day), "", major=False))
    return ticks


def _milestones(line: TaskLine, axis: _Axis, mid: float) -> list[Diamond]:
    found = []
    for m in line.milestones:
        if m.done_on is not None:
            fill, stroke = "#212529", "#212529"
            state = _("已完成 %(day)s") % {"day": m.done_on.isoformat()}
        elif m.due_on < line.today:
            fill, stroke = "#dc3545", "#842029"
            state = _("已逾期")
        else:
            fill, stroke = "#ffffff", "#212529"
            state = _("未完成")
        title = _("节点：%(title)s，计划 %(due)s，%(state)s") % {
            "title": m.title,
            "due": m.due_on.isoformat(),
            "state": state,
        }
        found.append(Diamond(axis.x(m.due_on), mid, fill, stroke, title))
    return found


def gantt(roadmap: Roadmap) -> Gantt:
    """The roadmap as rows on a time axis running over whole years, from the first start to the last deadline
    (today included)."""
    start = dt.date(roadmap.start.year, 1, 1)
    end = dt.date(roadmap.end.year + 1, 1, 1)
    axis = _Axis(start, end, LABEL + 8, WIDTH - RIGHT)
    rows: list[GanttRow] = []
    y = float(AXIS)
    today = roadmap.today
    for group in roadmap.groups:
        label = _("%(label)s（%(n)d 项）") % {"label": group.label, "n": len(group.lines)}
        rows.append(GanttRow("group", y, label))
        y += GROUP
        for line in group.lines:
            task = line.task
            x = axis.x(task.starts_on)
            x2 = axis.x(task.deadline + dt.timedelta(days=1))
            width = _r(max(x2 - x, 3))
            state = line.state
            title = _("%(title)s｜责任人：%(owner)s｜%(start)s 至 %(deadline)s｜%(status)s") % {
                "title": task.title,
                "owner": task.owner_name,
                "start": task.starts_on.isoformat(),
                "deadline": task.deadline.isoformat(),
                "status": task.get_status_display(),
            }
            row = GanttRow(
                "task", y, _short(task.title, 19), title=title, line=line, x=x, width=width, fill=COLOURS[state],
                done_fill=DONE_INSIDE[state],
            )  # fmt: skip
            if line.statement is not None:
                row.title += "｜" + line.statement.text
            share = line.share_percent
            if share is not None:
                row.done_width = _r(width * share / 100)
            if line.overdue:
                row.overrun_to = axis.x(today)
                row.note = _("逾期 %(days)d 天") % {"days": line.overdue_days}
                row.title += "｜" + row.note
                after = max(x + width, row.overrun_to) + 4
                if after + 60 <= WIDTH:
                    row.note_x, row.note_anchor = _r(after), "start"
                else:
                    row.note_x, row.note_anchor = _r(x - 4), "end"
            row.milestones = _milestones(line, axis, row.mid)
            rows.append(row)
            y += ROW
    # Today's label goes under the rows, where no year label can sit on it.
    return Gantt(
        WIDTH, _r(y + 24), LABEL, _ticks(axis), rows, axis.x(today), _("今天 %(day)s") % {"day": today.isoformat()},
        rows_bottom=_r(y + 4),
    )  # fmt: skip


# --- One task's path ---------------------------------------------------------------------------------------

CHART_W = 360
CHART_H = 160
PAD_L, PAD_R, PAD_T, PAD_B = 62, 14, 16, 26


@dataclass
class Dot:
    x: float
    y: float
    title: str


@dataclass
class PathChart:
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    path: tuple[float, float, float, float] | None  # baseline → target
    points: list[Dot]
    polyline: str
    expected: Dot | None
    target: Dot | None
    today_x: float | None
    y_labels: list[tuple[float, str]]
    x_labels: list[tuple[float, str, str]]  # x, text, anchor
    empty: bool

    @property
    def centre(self) -> tuple[float, float]:
        left, top, right, bottom = self.plot
        return _r((left + right) / 2), _r((top + bottom) / 2)


def path_chart(line: TaskLine) -> PathChart | None:
    """A quantified task's path and figures (None for a task without a number in its target)."""
    from analytics.engine import format_value

    progress, task = line.progress, line.task
    if not progress.quantified or progress.target is None:
        return None
    unit, decimals = units_of(task, progress)

    def fmt(value: Decimal) -> str:
        return format_value(value, unit, decimals)

    today = line.today
    start = progress.start
    end = max([progress.end] + [p.on for p in progress.points])
    expected = progress.expected_value(today) if start <= today <= progress.end else None
    values = [v for v in [progress.baseline, progress.target, expected] if v is not None]
    values += [p.value for p in progress.points]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * Decimal("0.15") if hi != lo else (abs(hi) * Decimal("0.1") or Decimal(1))
    lo, hi = lo - pad, hi + pad
    left, top, right, bottom = PAD_L, PAD_T, CHART_W - PAD_R, CHART_H - PAD_B
    days = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return _r(left + (day - start).days / days * (right - left))

    def y(value: Decimal) -> float:
        return _r(bottom - float((value - lo) / (hi - lo)) * (bottom - top))

    path = None
    if progress.baseline is not None:
        path = (x(start), y(progress.baseline), x(progress.end), y(progress.target))
    dots = [Dot(x(p.on), y(p.value), f"{p.label}：{fmt(p.value)}") for p in progress.points]
    target = Dot(x(progress.end), y(progress.target), _("目标 %(value)s") % {"value": fmt(progress.target)})
    expected_dot = (
        Dot(x(today), y(expected), _("今天按进度应达 %(value)s") % {"value": fmt(expected)})
        if expected is not None
        else None
    )
    return PathChart(
        CHART_W,
        CHART_H,
        (left, top, right, bottom),
        path,
        dots,
        " ".join(f"{d.x},{d.y}" for d in dots),
        expected_dot,
        target,
        x(today) if start <= today <= end else None,
        [(y(hi - pad), fmt(hi - pad)), (y(lo + pad), fmt(lo + pad))],
        [(float(left), _label(start, task), "start"), (float(right), _label(end, task), "end")],
        not dots,
    )


def _label(day: dt.date, task) -> str:
    from ledger.choices import TargetKind

    if task.target_kind == TargetKind.INDICATOR and day.month == 12 and day.day == 31:
        return _("%(year)d年末") % {"year": day.year}
    return day.isoformat()
