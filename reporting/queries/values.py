"""A report's values: the filled cells, the numbers rules read, the previous period's values, outliers
and what changed between submissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from core.workflow import changes_since
from orgs.models import Organisation
from orgs.scoping import within
from reporting import periods
from reporting.choices import COUNTABLE_TYPES, NUMERIC_TYPES, ReportStatus
from reporting.models import DataSet, DataSetVersion, DataValue, Period, Report, ValidationRule
from reporting.queries.layout import CellKey, Layout, version_layout
from reporting.validation import Outlier, RuleOutcome, ValueMap, evaluate_rules, find_outliers, peer_medians

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


def numeric_values(values: dict[CellKey, DataValue]) -> ValueMap:
    """Numbers of the numeric cells (counts, amounts, percentages; not yes/no), for outliers."""
    return {
        key: v.number
        for key, v in values.items()
        if v.value and v.number is not None and v.element.value_type in NUMERIC_TYPES
    }


@dataclass
class OutlierInputs:
    """What the outlier rule compares one organisation's values with: its previous period, its peers."""

    previous: ValueMap
    medians: dict[CellKey, tuple[Decimal, int]]


def outlier_inputs(dataset: DataSet, period: Period, orgs: Iterable[Organisation]) -> dict[int, OutlierInputs]:
    """For each organisation, its previous period's numbers and the medians of its peers: organisations of
    the same kind under the same parent with a report of `dataset` for `period` past draft (submitted,
    returned, approved, accepted, locked). One query for the previous values and one per group of peers."""
    orgs = list(orgs)
    previous_by_org: dict[int, ValueMap] = {o.pk: {} for o in orgs}
    before = previous_period(period)
    if before is not None and orgs:
        rows = (
            DataValue.objects.filter(report__org__in=orgs, report__period=before, element__value_type__in=NUMERIC_TYPES)
            .exclude(value="")
            .exclude(number=None)
            .values_list("report__org_id", "element__code", "option_combo__key", "number")
        )
        for org_id, code, key, number in rows:
            previous_by_org[org_id][(code, key)] = number
    groups: dict[tuple[str, str, int], list[Organisation]] = {}
    for org in orgs:
        if org.depth > 1:
            groups.setdefault((org.path[: -org.steplen], org.kind, org.depth), []).append(org)
    medians_by_org: dict[int, dict[CellKey, tuple[Decimal, int]]] = {}
    for (parent_path, kind, depth), members in groups.items():
        peer_rows = (
            DataValue.objects.filter(
                report__dataset=dataset,
                report__period=period,
                report__org__kind=kind,
                report__org__depth=depth,
                element__value_type__in=NUMERIC_TYPES,
            )
            .filter(within("report__org__path", [parent_path]))
            .exclude(report__status=ReportStatus.DRAFT)
            .exclude(value="")
            .exclude(number=None)
            .values_list("report__org_id", "element__code", "option_combo__key", "number")
        )
        by_peer: dict[int, ValueMap] = {}
        for org_id, code, key, number in peer_rows:
            by_peer.setdefault(org_id, {})[(code, key)] = number
        for org in members:
            medians_by_org[org.pk] = peer_medians(v for peer, v in by_peer.items() if peer != org.pk)
    return {o.pk: OutlierInputs(previous_by_org[o.pk], medians_by_org.get(o.pk, {})) for o in orgs}


def outliers_for(
    dataset: DataSet,
    layout: Layout,
    numbers: ValueMap,
    inputs: OutlierInputs,
    comments: dict[CellKey, str] | None = None,
    ratio: Decimal | None = None,
) -> list[Outlier]:
    """The outlier warnings of one organisation's `numbers` (validation.find_outliers), with each cell's
    comment as its explanation."""
    labels = {key: cell.label for key, cell in layout.cells.items()}
    numeric = {
        k: n for k, n in numbers.items() if k in layout.cells and layout.cells[k].element.value_type in NUMERIC_TYPES
    }
    found = find_outliers(
        numeric,
        labels=labels,
        previous=inputs.previous,
        ratio=Decimal(dataset.outlier_ratio if ratio is None else ratio),
        medians=inputs.medians,
    )
    comments = comments or {}
    return [replace(o, explanation=comments.get(o.key, "")) for o in found]


def report_outliers(
    report: Report, *, values: dict[CellKey, DataValue] | None = None, ratio: Decimal | None = None
) -> list[Outlier]:
    """The report's numeric cells far from the previous period's value (beyond the data set's
    `outlier_ratio`) or from the peers' median (validation.find_outliers). Warnings, never blocking;
    a cell's comment is its explanation."""
    values = report_values(report) if values is None else values
    inputs = outlier_inputs(report.dataset, report.period, [report.org])[report.org.pk]
    layout = version_layout(report.dataset_version)
    comments = {key: v.comment for key, v in values.items() if v.comment}
    return outliers_for(report.dataset, layout, numeric_values(values), inputs, comments, ratio)


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
