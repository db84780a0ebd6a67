"""Reads for the roadmap of one organisation and the province's view of tasks, each through the door.

`roadmap(ledger)` lays one ledger's tasks out by key task with their milestones, whether each is overdue
and, for a quantified task, where it stands on the straight path from its baseline to its target
(ledger.progress) said in words the officer reads (`statement`):

    目标：2023年持证率达到 35.00%（基期 2020年 28.40%）；最新 2022年 31.20%，按进度应达 32.80%，落后 1.60 个百分点

"按进度应达" is the straight path's value on the day of the latest figure (the end of its year for an
indicator, the update's date for a counted result), so the two numbers compared are of the same day.
No figure yet reads "暂无数据", never 0.

`tasks_visible(user)` is every task in the user's scope; `filter_tasks` narrows it by status (including
"overdue"), key task, union, prefecture and target kind; `task_counts` counts it by key task × status;
`task_lines` gives each task of a page its organisation, union and progress.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.errors import UserError
from core.formatting import day_label
from ledger.choices import KeyTask, TargetKind, TaskStatus
from ledger.models import Ledger, Milestone, Task
from ledger.progress import Progress, progress_of
from orgs.choices import Action

OVERDUE = "overdue"
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # an organisation code (orgs.models.code_validator)
_REGION = re.compile(r"^[0-9]{6}$")  # GB/T 2260
OPEN_STATUSES = (TaskStatus.PLANNED, TaskStatus.ACTIVE)


# --- Saying where a target stands -----------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A quantified task's target in words: the goal, the latest figure, and how it compares with the path."""

    goal: str
    latest: str
    verdict: str = ""
    behind: bool = False

    @property
    def text(self) -> str:
        head = f"{self.goal}；{self.latest}"
        return f"{head}，{self.verdict}" if self.verdict else head


def _fmt(value: Decimal | None, unit: str, decimals: int) -> str:
    from analytics.engine import format_value

    if value is None:
        return _("暂无数据")
    return format_value(value, unit, decimals)


def _count_decimals(*values: Decimal | None) -> int:
    """0 for whole numbers (10 个), 2 otherwise."""
    return 0 if all(v is None or v == v.to_integral_value() for v in values) else 2


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def units_of(task: Task, progress: Progress | None = None) -> tuple[str, int]:
    """(unit, decimals) a task's figures are shown in: the indicator's, or the counted result's unit."""
    if task.target_kind == TargetKind.INDICATOR:
        return task.indicator.unit, task.indicator.decimals
    values = [task.target_value, task.baseline] + [p.value for p in (progress.points if progress else ())]
    return task.result_unit, _count_decimals(*values)


def _verdict(progress: Progress, unit: str, decimals: int) -> tuple[str, bool]:
    """ "按进度应达 X，落后 Y" for the latest figure, and whether it lags; ("", False) when it cannot be said."""
    actual = progress.actual
    if actual is None or progress.baseline is None or progress.target is None:
        return "", False
    direction = (progress.target > progress.baseline) - (progress.target < progress.baseline)
    if direction == 0:
        return "", False
    expected = _round(progress.expected_value(actual.on), decimals)
    gap = (expected - _round(actual.value, decimals)) * direction
    if unit == "%":
        amount = _("%(gap)s 个百分点") % {"gap": _round(abs(gap), decimals)}
    else:
        amount = _fmt(abs(gap), unit, decimals)
    if gap > 0:
        where = _("落后 %(amount)s") % {"amount": amount}
    elif gap < 0:
        where = _("超前 %(amount)s") % {"amount": amount}
    else:
        where = _("符合进度")
    text = _("按进度应达 %(expected)s，%(where)s") % {"expected": _fmt(expected, unit, decimals), "where": where}
    share = progress.share
    if share is not None and share >= 1:
        text += _("，已达到目标")
    return text, gap > 0


def statement(task: Task, progress: Progress) -> Statement | None:
    """The target of a quantified task in words (None for a task without a number in its target)."""
    if task.target_kind == TargetKind.INDICATOR:
        indicator = task.indicator
        unit, decimals = indicator.unit, indicator.decimals
        first = task.baseline_year or task.starts_on.year - 1
        goal = _("目标：%(year)d年%(name)s达到 %(target)s（基期 %(base_year)d年 %(baseline)s）") % {
            "year": task.target_year,
            "name": indicator.short_name or indicator.name,
            "target": _fmt(task.target_value, unit, decimals),
            "base_year": first,
            "baseline": _fmt(progress.baseline, unit, decimals),
        }
        actual = progress.actual
        latest = (
            _("最新 %(year)s年 %(value)s") % {"year": actual.label, "value": _fmt(actual.value, unit, decimals)}
            if actual is not None
            else _("最新：%(none)s") % {"none": _("暂无数据")}
        )
    elif task.target_kind == TargetKind.RESULT:
        unit, decimals = units_of(task, progress)
        actual = progress.actual
        goal = _("目标：%(day)s前%(text)s %(target)s") % {
            "day": day_label(task.deadline),
            "text": task.result_text,
            "target": _fmt(task.target_value, unit, decimals),
        }
        if task.baseline is not None:
            goal += _("（基数 %(baseline)s）") % {"baseline": _fmt(task.baseline, unit, decimals)}
        latest = (
            _("最新 %(day)s 累计 %(value)s")
            % {"day": day_label(actual.on), "value": _fmt(actual.value, unit, decimals)}
            if actual is not None
            else _("最新：%(none)s") % {"none": _("暂无数据")}
        )
        # The straight path rarely sits on a whole number: one decimal for what it asks of a count.
        decimals = max(decimals, 1)
    else:
        return None
    verdict, behind = _verdict(progress, unit, decimals)
    return Statement(goal, latest, verdict, behind)


# --- One organisation's roadmap --------------------------------------------------------------------------


@dataclass
class TaskLine:
    """One task with what its roadmap row and its progress need."""

    task: Task
    progress: Progress
    today: dt.date
    milestones: list[Milestone] = field(default_factory=list)
    statement: Statement | None = None
    union: str = ""

    @property
    def overdue(self) -> bool:
        return self.task.overdue(self.today)

    @property
    def overdue_days(self) -> int:
        return (self.today - self.task.deadline).days if self.overdue else 0

    @property
    def share(self) -> Decimal | None:
        return self.progress.share

    @property
    def share_percent(self) -> int | None:
        """The share as a whole percentage clipped to 0–100 (a progress bar's width); None without a figure."""
        share = self.progress.share
        if share is None:
            return None
        return int(_round(min(max(share, Decimal(0)), Decimal(1)) * 100, 0))

    @property
    def expected_percent(self) -> int | None:
        """Where the straight path is today, 0–100 (None for a task without a number in its target)."""
        if not self.progress.quantified or self.progress.target is None:
            return None
        return int(_round(self.progress.expected_share(self.today) * 100, 0))

    @property
    def expected_today(self) -> Decimal | None:
        return self.progress.expected_value(self.today)

    @property
    def state(self) -> str:
        """The colour key of the task's bar: its status, or "overdue"."""
        return OVERDUE if self.overdue else self.task.status


@dataclass
class KeyTaskGroup:
    key: str
    label: str
    lines: list[TaskLine]


@dataclass
class Roadmap:
    ledger: Ledger
    today: dt.date
    groups: list[KeyTaskGroup]
    start: dt.date
    end: dt.date

    @property
    def lines(self) -> list[TaskLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def counts(self) -> Counter:
        counts: Counter = Counter()
        for line in self.lines:
            counts["all"] += 1
            counts[line.task.status] += 1
            counts[OVERDUE] += line.overdue
            counts["quantified"] += line.task.quantified
        return counts

    @property
    def quantified(self) -> list[TaskLine]:
        return [line for line in self.lines if line.task.quantified]


def roadmap(ledger: Ledger, *, today: dt.date | None = None) -> Roadmap:
    """The roadmap of `ledger` (already fetched through the door): its tasks by key task, in a fixed number of
    queries (tasks, milestones, updates, and one analytics read per indicator and year)."""
    today = today or deadlines.today()
    tasks = list(
        Task.objects.filter(ledger=ledger).select_related("ledger__org", "indicator").order_by("starts_on", "id")
    )
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(task__ledger=ledger).order_by("due_on", "id"):
        milestones[milestone.task_id].append(milestone)
    lines = task_lines(tasks, today=today, milestones=milestones, unions=False)
    groups = []
    for key, label in KeyTask.choices:
        found = [line for line in lines if line.task.key_task == key]
        if found:
            groups.append(KeyTaskGroup(key, str(label), found))
    days = [today] + [t.starts_on for t in tasks] + [t.deadline for t in tasks]
    days += [m.due_on for ms in milestones.values() for m in ms]
    return Roadmap(ledger, today, groups, min(days), max(days))


def task_lines(
    tasks: list[Task],
    *,
    today: dt.date | None = None,
    milestones: dict[int, list[Milestone]] | None = None,
    unions: bool = True,
) -> list[TaskLine]:
    """Each of `tasks` (with ledger__org and indicator loaded) with its progress, statement and union."""
    today = today or deadlines.today()
    progress = progress_of(tasks, today=today)
    names: dict[int, str] = {}
    if unions:
        from ledger.queries import _union_names

        ledgers = {task.ledger_id: task.ledger for task in tasks}
        names = _union_names(list(ledgers.values()))
    return [
        TaskLine(
            task=task,
            progress=progress[task.pk],
            today=today,
            milestones=(milestones or {}).get(task.pk, []),
            statement=statement(task, progress[task.pk]),
            union=names.get(task.ledger.org_id, ""),
        )
        for task in tasks
    ]


# --- The province's view of tasks -------------------------------------------------------------------------


def tasks_visible(user, action: str = Action.VIEW):
    """Every task of a ledger in `user`'s scope, with its organisation and indicator."""
    return Task.objects.visible_to(user, action).select_related("ledger__org", "ledger__org__region", "indicator")


STATUS_CHOICES = [*TaskStatus.choices, (OVERDUE, gettext_lazy("逾期未完成"))]


def filter_tasks(
    queryset,
    *,
    today: dt.date | None = None,
    status: str = "",
    key_task: str = "",
    union: str = "",
    prefecture: str = "",
    target_kind: str = "",
):
    """Narrow a scoped task queryset; UserError naming the parameter for a value that is not one of its choices."""
    from orgs.choices import OrgKind
    from orgs.models import Organisation, Region
    from orgs.scoping import within

    today = today or deadlines.today()
    if status:
        if status == OVERDUE:
            queryset = queryset.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        elif status in TaskStatus.values:
            queryset = queryset.filter(status=status)
        else:
            raise UserError(_("任务状态“%(value)s”无效。") % {"value": status}, field="status")
    if key_task:
        if key_task not in KeyTask.values:
            raise UserError(_("重点任务“%(value)s”无效。") % {"value": key_task}, field="key_task")
        queryset = queryset.filter(key_task=key_task)
    if target_kind:
        if target_kind not in TargetKind.values:
            raise UserError(_("目标类型“%(value)s”无效。") % {"value": target_kind}, field="target_kind")
        queryset = queryset.filter(target_kind=target_kind)
    if union:
        if not _CODE.match(union):
            raise UserError(_("工会代码“%(value)s”无效。") % {"value": union[:64]}, field="union")
        root = Organisation.objects.filter(code=union, kind=OrgKind.UNION).values_list("path", flat=True).first()
        queryset = queryset.filter(within("ledger__org__path", [root])) if root else queryset.none()
    if prefecture:
        if not _REGION.match(prefecture) or not Region.objects.filter(pk=prefecture).exists():
            raise UserError(_("州市代码“%(value)s”无效。") % {"value": prefecture}, field="prefecture")
        queryset = queryset.filter(Q(ledger__org__region_id=prefecture) | Q(ledger__org__region__parent_id=prefecture))
    return queryset


@dataclass
class CountRow:
    key: str
    label: str
    cells: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.cells.get(status, 0) for status in TaskStatus.values)


def task_counts(queryset, *, today: dt.date | None = None) -> list[CountRow]:
    """Tasks of `queryset` by key task × status, with an "overdue" column and a total row (two queries)."""
    today = today or deadlines.today()
    cells: dict[str, Counter] = defaultdict(Counter)
    for key, status, n in (
        queryset.order_by().values("key_task", "status").annotate(n=Count("pk")).values_list("key_task", "status", "n")
    ):
        cells[key][status] += n
    overdue = queryset.filter(status__in=OPEN_STATUSES, deadline__lt=today)
    for key, n in overdue.order_by().values("key_task").annotate(n=Count("pk")).values_list("key_task", "n"):
        cells[key][OVERDUE] += n
    rows = [CountRow(key, str(label), dict(cells[key])) for key, label in KeyTask.choices]
    total: Counter = Counter()
    for row in rows:
        total.update(row.cells)
    rows.append(CountRow("", _("合计"), dict(total)))
    return rows
