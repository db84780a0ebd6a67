"""A report's values: the filled cells, the numbers rules read, the previous period's values, outliers
and what changed between submissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.workflow import changes_since
from reporting import periods
from reporting.choices import COUNTABLE_TYPES, NUMERIC_TYPES
from reporting.models import DataSetVersion, DataValue, Period, Report, ValidationRule
from reporting.queries.layout import Cell, CellKey, Layout, version_layout
from reporting.validation import RuleOutcome, ValueMap, evaluate_rules
from reporting.values import plain_number

# --- Values and validation inputs ---------------------------------------------------------------------------


def report_values(report: Report) -> dict[CellKey, DataValue]:
    """The report's filled cells (cleared cells left out), keyed by (element code, option key)."""
    rows = DataValue.objects.filter(report=report).exclude(value="").select_related("element", "option_combo")
    return {(v.element.code, v.option_combo.key): v for v in rows}


def value_map(values: Iterable[DataValue] | dict[CellKey, DataValue]) -> ValueMap:
    """Numbers of the countable cells, for rules."""
    items = values.values() if isinstance(values, dict) else values
    return {
        (v.element.code, v.option_combo.key): v.number
        for v in items
        if v.value and v.number is not None and v.element.value_type in COUNTABLE_TYPES
    }


def active_rules(dataset_version: DataSetVersion) -> list[ValidationRule]:
    return list(dataset_version.rules.filter(is_active=True).order_by("is_generated", "code"))


def report_validation(report: Report, *, layout: Layout | None = None) -> list[RuleOutcome]:
    """Every active rule of the report's version, evaluated on its current values."""
    layout = layout or version_layout(report.dataset_version)
    return evaluate_rules(active_rules(report.dataset_version), value_map(report_values(report)), layout.describe)


# --- Previous values, outliers, changes ------------------------------------------------------------


def previous_period(period: Period) -> Period | None:
    spec = periods.previous_spec(period.spec)
    return Period.objects.filter(code=spec.code).first()


def previous_values(report: Report) -> dict[CellKey, DataValue]:
    """The same organisation's values for the previous period of the same type (for the grid)."""
    previous = previous_period(report.period)
    if previous is None:
        return {}
    rows = (
        DataValue.objects.filter(report__org=report.org, report__period=previous)
        .exclude(value="")
        .select_related("element", "option_combo")
    )
    return {(v.element.code, v.option_combo.key): v for v in rows}


def previous_value(report: Report, element_code: str, option_key: str = "") -> DataValue | None:
    return previous_values(report).get((element_code, option_key))


@dataclass(frozen=True)
class Outlier:
    """A value that moved more than the data set's ratio against the previous period: for the reviewer."""

    cell: Cell
    previous: Decimal
    current: Decimal

    @property
    def change(self) -> Decimal:
        """Relative change, e.g. 0.75 for +75%."""
        return ((self.current - self.previous) / abs(self.previous)).quantize(Decimal("0.0001"))

    @property
    def message(self) -> str:
        return _("%(label)s较上期变化 %(change)s%%（上期 %(prev)s，本期 %(cur)s），请审核人关注。") % {
            "label": self.cell.label,
            "change": (self.change * 100).quantize(Decimal("0.1")),
            "prev": plain_number(self.previous),
            "cur": plain_number(self.current),
        }


def report_outliers(report: Report, *, ratio: Decimal | None = None) -> list[Outlier]:
    """Numeric cells that changed by more than `ratio` (default: the data set's) since the previous period.

    A previous value of zero gives no ratio and is not flagged. Not blocking: a flag for the reviewer.
    """
    ratio = Decimal(ratio if ratio is not None else report.dataset.outlier_ratio)
    layout = version_layout(report.dataset_version)
    previous = previous_values(report)
    outliers = []
    for key, value in report_values(report).items():
        cell = layout.cells.get(key)
        before = previous.get(key)
        if cell is None or before is None or cell.element.value_type not in NUMERIC_TYPES:
            continue
        if before.number in (None, 0) or value.number is None:
            continue
        if abs(value.number - before.number) > ratio * abs(before.number):
            outliers.append(Outlier(cell, before.number, value.number))
    return outliers


@dataclass(frozen=True)
class ValueChange:
    """A cell whose value differs between two states of a report ("" = empty)."""

    element_code: str
    option_key: str
    label: str
    old: str
    new: str


def snapshot_values(report: Report) -> dict[str, str]:
    """The report's values as stored in a snapshot: {"CODE|KEY": text}."""
    return {f"{code}|{key}": v.value for (code, key), v in report_values(report).items()}


def _diff(old: dict[str, str], new: dict[str, str], layout: Layout) -> list[ValueChange]:
    changes = []
    for change in changes_since(old, new):
        code, _sep, key = change.key.partition("|")
        cell = layout.cells.get((code, key))
        label = cell.label if cell else change.key
        changes.append(ValueChange(code, key, label, change.old, change.new))
    return changes


def report_changes_since_last_submission(report: Report) -> list[ValueChange]:
    """What changed between the last two submissions (after a resubmission), or, while the report is
    being corrected, between the last submission and the values now."""
    snapshots = list(report.snapshots.order_by("-number")[:2])
    if not snapshots:
        return []
    layout = version_layout(report.dataset_version)
    if report.is_editable:
        return _diff(snapshots[0].values, snapshot_values(report), layout)
    if len(snapshots) < 2:
        return []
    return _diff(snapshots[1].values, snapshots[0].values, layout)
