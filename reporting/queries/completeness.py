"""Completeness: whether one report may be submitted, and who is due, on time, late or missing, counted
by group union and by prefecture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.choices import Action, OrgKind
from orgs.models import Organisation, Region
from orgs.queries import parent_map_at, rollup_target_at
from orgs.scoping import granted_paths, within
from reporting.choices import Timeliness
from reporting.models import DataSet, Period, Report
from reporting.queries.deadlines import deadline_extensions, timeliness_of, window_for
from reporting.queries.due import orgs_due
from reporting.queries.layout import Cell, version_layout
from reporting.queries.values import active_rules, report_values, value_map
from reporting.validation import RuleOutcome, evaluate_rules

# --- One report ----------------------------------------------------------------------------------------------


@dataclass
class Completeness:
    """Whether a report may be submitted: every required cell filled, no error, every warning explained."""

    missing: list[Cell]
    errors: list[RuleOutcome]
    warnings: list[RuleOutcome]
    unexplained: list[RuleOutcome]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.errors and not self.unexplained

    def summary(self) -> str:
        return _("必填未填 %(missing)d 项，错误 %(errors)d 条，未说明的警告 %(warnings)d 条。") % {
            "missing": len(self.missing),
            "errors": len(self.errors),
            "warnings": len(self.unexplained),
        }


def report_completeness(report: Report, *, explained: Iterable[str] | None = None) -> Completeness:
    """Measure a report's completeness; `explained` adds rule codes explained in the same request."""
    layout = version_layout(report.dataset_version)
    values = report_values(report)
    missing = [cell for key, cell in layout.cells.items() if cell.section_element.required and key not in values]
    outcomes = evaluate_rules(active_rules(report.dataset_version), value_map(values), layout.describe)
    errors = [o for o in outcomes if o.is_error]
    warnings = [o for o in outcomes if o.is_warning]
    codes = set(report.explanations.exclude(text="").values_list("rule__code", flat=True)) | set(explained or ())
    unexplained = [o for o in warnings if o.code not in codes]
    return Completeness(missing, errors, warnings, unexplained)


# --- Who is due, on time, late or missing -------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    """One organisation that must report: its report (if any), status and timeliness."""

    org: Organisation
    report: Report | None
    deadline: dt.date
    timeliness: str

    @property
    def status(self) -> str:
        return self.report.status if self.report else ""

    @property
    def status_label(self) -> str:
        return self.report.get_status_display() if self.report else _("未填报")

    @property
    def reported(self) -> bool:
        return self.timeliness in (Timeliness.ON_TIME, Timeliness.LATE)


def reports_due(*, dataset: DataSet, period: Period, user=None, now: dt.datetime | None = None) -> list[DueRow]:
    """Every organisation that must report (within `user`'s scope when given), with its timeliness."""
    now = now or timezone.now()
    orgs = orgs_due(dataset, period)
    if user is not None:
        paths = granted_paths(user, Action.VIEW)
        if not paths:
            return []
        orgs = orgs.filter(within("path", paths, orgs.db))
    orgs = list(orgs.select_related("region"))
    reports = {r.org_id: r for r in Report.objects.filter(dataset=dataset, period=period, org__in=[o.pk for o in orgs])}
    extensions = deadline_extensions(dataset, period)
    rows = []
    for org in orgs:
        window = window_for(dataset, period, org, extensions)
        report = reports.get(org.pk)
        rows.append(DueRow(org, report, window.deadline, timeliness_of(report, window, now)))
    return rows


@dataclass
class GroupSummary:
    """Counts for one group union or prefecture: expected, on time, late, missing, not yet due."""

    key: str
    name: str
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def share(self) -> Decimal:
        """Share reported, in percent with two decimals (0 when nobody is expected)."""
        if not self.expected:
            return Decimal("0.00")
        return (Decimal(self.reported) * 100 / self.expected).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def on_time_share(self) -> Decimal:
        if not self.expected:
            return Decimal("0.00")
        return (Decimal(self.on_time) * 100 / self.expected).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def add(self, timeliness: str) -> None:
        self.expected += 1
        setattr(self, timeliness, getattr(self, timeliness) + 1)


def _summarise(rows: list[DueRow], group_of) -> list[GroupSummary]:
    groups: dict[str, GroupSummary] = {}
    for row in rows:
        key, name = group_of(row)
        groups.setdefault(key, GroupSummary(key, name)).add(row.timeliness)
    return sorted(groups.values(), key=lambda g: (g.key == "", g.key))


def reports_due_total(rows: list[DueRow]) -> GroupSummary:
    """The counts over all rows."""
    total = GroupSummary("", _("合计"))
    for row in rows:
        total.add(row.timeliness)
    return total


def reports_due_by_union(rows: list[DueRow], period: Period) -> list[GroupSummary]:
    """Counts per group union, with the tree as it stood on the period's last day; "" = no union above."""
    unions = {o.pk: o for o in Organisation.objects.filter(kind=OrgKind.UNION)}
    parents = parent_map_at(period.end)

    def group_of(row: DueRow) -> tuple[str, str]:
        target = rollup_target_at(row.org.pk, set(unions), period.end, parents)
        if target is None:
            return "", _("无上级产业工会（直报产改办）")
        return unions[target].code, unions[target].name

    return _summarise(rows, group_of)


def reports_due_by_prefecture(rows: list[DueRow]) -> list[GroupSummary]:
    """Counts per prefecture (州市), from each organisation's region code; "" = no region recorded."""
    names = dict(Region.objects.filter(code__endswith="00").values_list("code", "name"))

    def group_of(row: DueRow) -> tuple[str, str]:
        code = row.org.region_id or ""
        if not code or code.endswith("0000"):
            return "", _("未设置州市")
        prefecture = code[:4] + "00"
        return prefecture, names.get(prefecture, prefecture)

    return _summarise(rows, group_of)


# --- Completeness pages and reminders: groups per row ------------------------------------------------------


@dataclass(frozen=True)
class RowGroups:
    """Where one due organisation is counted: its group union (tree as on the period's last day) and prefecture."""

    union_key: str
    union_name: str
    prefecture_key: str
    prefecture_name: str


def due_row_groups(rows: list[DueRow], period: Period) -> dict[int, RowGroups]:
    """Each row's group union and prefecture, keyed by organisation id, with the same keys and names as
    `reports_due_by_union` and `reports_due_by_prefecture` (so a row and its summary line agree)."""
    unions = {o.pk: o for o in Organisation.objects.filter(kind=OrgKind.UNION)}
    parents = parent_map_at(period.end)
    names = dict(Region.objects.filter(code__endswith="00").values_list("code", "name"))
    groups = {}
    for row in rows:
        target = rollup_target_at(row.org.pk, set(unions), period.end, parents)
        if target is None:
            union_key, union_name = "", _("无上级产业工会（直报产改办）")
        else:
            union_key, union_name = unions[target].code, unions[target].name
        code = row.org.region_id or ""
        if not code or code.endswith("0000"):
            prefecture_key, prefecture_name = "", _("未设置州市")
        else:
            prefecture_key = code[:4] + "00"
            prefecture_name = names.get(prefecture_key, prefecture_key)
        groups[row.org.pk] = RowGroups(union_key, union_name, prefecture_key, prefecture_name)
    return groups


def summaries_by_groups(
    rows: list[DueRow], groups: dict[int, RowGroups]
) -> tuple[list[GroupSummary], list[GroupSummary]]:
    """The counts by group union and by prefecture from `due_row_groups` (same result as
    `reports_due_by_union` and `reports_due_by_prefecture`, without reading the tree again)."""
    by_union = _summarise(rows, lambda row: (groups[row.org.pk].union_key, groups[row.org.pk].union_name))
    by_prefecture = _summarise(
        rows, lambda row: (groups[row.org.pk].prefecture_key, groups[row.org.pk].prefecture_name)
    )
    return by_union, by_prefecture


# --- Reminders already sent for a round -------------------------------------------------------------------------

# Every reminder writes one audit row under object type REMINDER_OBJECT whose object id starts with
# "<data set id>:<period code>:<organisation id>:" (reporting/services/reminders.py): the automatic
# ones of the daily job (REMINDER_EVENT) and those sent from the deadline-day board (MANUAL_REMINDER_EVENT).
REMINDER_EVENT = "reporting.reminder.send"
MANUAL_REMINDER_EVENT = "reporting.reminder.manual"
REMINDER_OBJECT = "reporting.reminder"


@dataclass(frozen=True)
class LastReminder:
    """The latest reminder sent to one organisation for one round: when, by whom, from the board or the daily job."""

    at: dt.datetime
    by: str
    manual: bool

    @property
    def label(self) -> str:
        """已于 3月5日 14:20 催报 (local time)."""
        local = timezone.localtime(self.at)
        return _("已于 %(m)d月%(d)d日 %(time)s 催报") % {"m": local.month, "d": local.day, "time": f"{local:%H:%M}"}


def round_reminder_prefix(dataset: DataSet, period: Period) -> str:
    return f"{dataset.pk}:{period.code}:"


def last_reminders(dataset: DataSet, period: Period, org_ids: Iterable[int] | None = None) -> dict[int, LastReminder]:
    """The latest reminder (board or daily job) of each organisation for the round, in two queries."""
    from accounts.models import User
    from core.models import AuditEntry

    wanted = set(org_ids) if org_ids is not None else None
    entries = (
        AuditEntry.objects.filter(
            event__in=(REMINDER_EVENT, MANUAL_REMINDER_EVENT),
            object_type=REMINDER_OBJECT,
            object_id__startswith=round_reminder_prefix(dataset, period),
            success=True,
        )
        .order_by("-id")
        .values_list("object_id", "at", "user_id", "username", "event")
    )
    latest: dict[int, tuple] = {}
    for key, at, user_id, username, event in entries:
        try:
            org_id = int(key.split(":")[2])
        except (IndexError, ValueError):
            continue
        if (wanted is None or org_id in wanted) and org_id not in latest:
            latest[org_id] = (at, user_id, username, event)
    names = dict(
        User.objects.filter(pk__in={v[1] for v in latest.values() if v[1]})
        .exclude(full_name="")
        .values_list("pk", "full_name")
    )
    result = {}
    for org_id, (at, user_id, username, event) in latest.items():
        manual = event == MANUAL_REMINDER_EVENT
        by = names.get(user_id) or (username if user_id else _("定时提醒"))
        result[org_id] = LastReminder(at, by, manual)
    return result
