"""Reads that carry a rule: a version's layout, completeness, deadlines and timeliness, who is due,
summaries by group union and by prefecture, previous values, outliers and what changed.

Deadlines are days in Beijing time (Asia/Shanghai): a report first submitted at 23:59:59.999 on
the deadline day is on time, one at 00:00 the next day is late. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import deadlines
from core.workflow import changes_since, history
from orgs.choices import Action, OrgKind, Role
from orgs.models import Organisation, Region
from orgs.queries import parent_map_at, rollup_target_at
from orgs.scoping import granted_paths, in_subtree, within
from reporting import periods
from reporting.choices import COUNTABLE_TYPES, NUMERIC_TYPES, Timeliness
from reporting.expressions import Ref
from reporting.models import (
    CategoryComboCategory,
    CategoryOptionCombo,
    DataElement,
    DataSet,
    DataSetVersion,
    DataValue,
    DeadlineExtension,
    Notification,
    Period,
    PeriodLock,
    Report,
    Section,
    SectionElement,
    ValidationRule,
)
from reporting.validation import RuleOutcome, ValueMap, evaluate_rules
from reporting.values import plain_number

REPORTING_TZ = deadlines.BEIJING
CellKey = tuple[str, str]


# --- A version's form layout --------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One fillable cell of a version: an element in a section, for one option combo."""

    section: Section
    section_element: SectionElement
    element: DataElement
    option_combo: CategoryOptionCombo

    @property
    def key(self) -> CellKey:
        return (self.element.code, self.option_combo.key)

    @property
    def label(self) -> str:
        if not self.option_combo.key:
            return self.element.name
        return f"{self.element.name}·{self.option_combo.name}"


@dataclass
class Layout:
    """A version's sections, elements and cells in form order, with lookups by code."""

    dataset_version: DataSetVersion
    sections: list[Section] = field(default_factory=list)
    section_elements: list[SectionElement] = field(default_factory=list)
    cells: dict[CellKey, Cell] = field(default_factory=dict)
    option_names: dict[str, dict[str, str]] = field(default_factory=dict)

    def cells_of(self, section_element: SectionElement) -> list[Cell]:
        return [c for c in self.cells.values() if c.section_element.pk == section_element.pk]

    def element(self, code: str) -> SectionElement | None:
        return next((se for se in self.section_elements if se.element.code == code), None)

    def known_options(self) -> dict[str, set[str]]:
        """Element code → the option codes of its combo (for checking expressions)."""
        return {code: set(options) for code, options in self.option_names.items()}

    def describe(self, ref: Ref) -> str:
        """A reference as a person reads it: 产业工人构成·非农民工."""
        se = self.element(ref.element)
        if se is None:
            return str(ref)
        names = self.option_names.get(ref.element, {})
        return "·".join([se.element.name, *(names.get(o, o) for o in ref.options)])


_shared_layouts: ContextVar[dict[int, Layout] | None] = ContextVar("shared_layouts", default=None)


@contextmanager
def shared_layouts() -> Iterator[None]:
    """Within the block, each version's layout is read once and shared (one import of many reports).

    Safe because a report's version is published, and a published version is frozen.
    """
    token = _shared_layouts.set({}) if _shared_layouts.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _shared_layouts.reset(token)


def version_layout(dataset_version: DataSetVersion) -> Layout:
    """The form of a version, read in four queries (once per block of `shared_layouts`)."""
    shared = _shared_layouts.get()
    if shared is not None and dataset_version.published_at is not None:
        if dataset_version.pk not in shared:
            shared[dataset_version.pk] = _read_layout(dataset_version)
        return shared[dataset_version.pk]
    return _read_layout(dataset_version)


def _read_layout(dataset_version: DataSetVersion) -> Layout:
    layout = Layout(dataset_version=dataset_version)
    layout.sections = list(dataset_version.sections.order_by("sort_order", "id"))
    layout.section_elements = list(
        SectionElement.objects.filter(dataset_version=dataset_version)
        .select_related("element", "section", "category_combo")
        .order_by("section__sort_order", "section_id", "sort_order", "id")
    )
    combo_ids = {se.category_combo_id for se in layout.section_elements}
    combos: dict[int, list[CategoryOptionCombo]] = defaultdict(list)
    for coc in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).order_by("sort_order", "id"):
        combos[coc.combo_id].append(coc)
    option_names: dict[int, dict[str, str]] = defaultdict(dict)
    links = CategoryComboCategory.objects.filter(combo_id__in=combo_ids).prefetch_related("category__options")
    for link in links:
        for option in link.category.options.all():
            option_names[link.combo_id][option.code] = option.name
    for se in layout.section_elements:
        layout.option_names[se.element.code] = option_names.get(se.category_combo_id, {})
        for coc in combos[se.category_combo_id]:
            cell = Cell(se.section, se, se.element, coc)
            layout.cells[cell.key] = cell
    return layout


# --- Values, validation, completeness ---------------------------------------------------------------


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


# --- Who reports, and who reviews ---------------------------------------------------------------


def reviewing_union(org: Organisation) -> Organisation | None:
    """The nearest industry/system/company union above `org` (today's tree), or None: then the office reviews."""
    ancestors = [org.path[:i] for i in range(Organisation.steplen, len(org.path), Organisation.steplen)]
    return Organisation.objects.filter(path__in=ancestors, kind=OrgKind.UNION).order_by("-depth").first()


def _assigned_filter(dataset: DataSet) -> Q:
    condition = Q()
    if dataset.assigned_kinds:
        condition &= Q(kind__in=dataset.assigned_kinds)
    assignments = list(dataset.assignments.select_related("org"))
    if assignments:
        where = Q()
        for a in assignments:
            where |= within("path", [a.org]) if a.include_descendants else Q(pk=a.org_id)
        condition &= where
    return condition


def orgs_due(dataset: DataSet, period: Period) -> QuerySet[Organisation]:
    """The organisations that must report `dataset` for `period`: assigned, and open on its last day."""
    return (
        Organisation.objects.filter(_assigned_filter(dataset))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .order_by("path")
    )


def must_report(dataset: DataSet, org: Organisation, period: Period) -> bool:
    return orgs_due(dataset, period).filter(pk=org.pk).exists()


# --- Deadlines ----------------------------------------------------------------------------------------


# The entry window of one organisation's report (core/deadlines.py: the rule for every app).
EntryWindow = deadlines.Window


def regular_deadline(dataset: DataSet, period: Period | periods.PeriodSpec) -> dt.date:
    return period.end + dt.timedelta(days=dataset.deadline_days)


def deadline_extensions(dataset: DataSet, period: Period) -> list[DeadlineExtension]:
    """The extensions granted for `dataset` and `period` (read once, then applied per organisation)."""
    return list(DeadlineExtension.objects.filter(dataset=dataset, period=period).select_related("org"))


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
    return PeriodLock.objects.filter(dataset=dataset, period=period).first()


def timeliness_of(report: Report | None, window: EntryWindow, now: dt.datetime) -> str:
    return Timeliness(window.timeliness(report.first_submitted_at if report is not None else None, now))


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


def notifications_unread(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


# --- Completeness pages and reminders: groups per row, contacts, rounds ------------------------------


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


CONTACT_ROLES = (Role.REPORTER, Role.LIAISON)


def org_contacts(org_ids: Iterable[int], roles: Iterable[str] = CONTACT_ROLES) -> dict[int, list]:
    """The active people holding `roles` (default: reporters, then liaisons) at each organisation, in one query."""
    from orgs.models import Membership

    roles = list(roles)
    contacts: dict[int, list] = defaultdict(list)
    memberships = (
        Membership.objects.filter(org_id__in=list(org_ids), role__in=roles, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("org_id", "user__full_name", "user__username")
    )
    for membership in sorted(memberships, key=lambda m: (m.org_id, roles.index(m.role))):
        contacts[membership.org_id].append(membership)
    return contacts


def unions_above(orgs: Iterable[Organisation]) -> dict[int, Organisation | None]:
    """The nearest union above each organisation in today's tree (as `reviewing_union`), in one query."""
    orgs = list(orgs)
    prefixes = {org.path[:i] for org in orgs for i in range(Organisation.steplen, len(org.path), Organisation.steplen)}
    unions = {u.path: u for u in Organisation.objects.filter(path__in=prefixes, kind=OrgKind.UNION)}
    result: dict[int, Organisation | None] = {}
    for org in orgs:
        result[org.pk] = next(
            (
                unions[org.path[:i]]
                for i in range(len(org.path) - Organisation.steplen, 0, -Organisation.steplen)
                if org.path[:i] in unions
            ),
            None,
        )
    return result


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


# --- Pages: what a user has to fill or review, what a user may do, what happened ------------------------


days_left = deadlines.days_left


@dataclass(frozen=True)
class EntryRound:
    """One organisation's filling of a data set for a period whose entry is open now, with its report if opened."""

    dataset: DataSet
    period: periods.PeriodSpec
    org: Organisation
    report: Report | None
    window: EntryWindow

    @property
    def deadline(self) -> dt.date:
        return self.window.deadline


_MAX_PERIODS_BACK = 36


def _open_specs(dataset: DataSet, now: dt.datetime, extended_until: dict[str, dt.date]) -> list[periods.PeriodSpec]:
    """Periods of `dataset` whose entry window (regular or extended somewhere) contains `now`."""
    today = deadlines.today(now)
    spec = periods.spec_containing(dataset.period_type, today + dt.timedelta(days=max(0, -dataset.open_offset_days)))
    found = []
    for _step in range(_MAX_PERIODS_BACK):
        opens_on = spec.end + dt.timedelta(days=1 + dataset.open_offset_days)
        deadline = max(spec.end + dt.timedelta(days=dataset.deadline_days), extended_until.get(spec.code, spec.end))
        closes_on = deadline + dt.timedelta(days=1 + dataset.grace_days)
        regular_close = spec.end + dt.timedelta(days=dataset.deadline_days + 1 + dataset.grace_days)
        if opens_on <= today < closes_on:
            found.append(spec)
        if regular_close <= today and not any(code < spec.code for code in extended_until):
            break
        spec = periods.previous_spec(spec)
    return found


def entry_rounds(*, user, now: dt.datetime | None = None, limit: int = 500) -> list[EntryRound]:
    """Data sets and periods open for entry now, for every organisation `user` may fill that must report them.

    Organisations come from the user's EDIT scope (a group union sees its subsidiaries, for which it
    may report on their behalf). Sorted by deadline, then organisation. The query count depends on
    the number of open rounds, not on the number of organisations.
    """
    now = now or timezone.now()
    if not granted_paths(user, Action.EDIT):
        return []
    datasets = list(
        DataSet.objects.filter(is_active=True, versions__published_at__isnull=False)
        .distinct()
        .prefetch_related("assignments__org")
        .order_by("code")
    )
    if not datasets:
        return []
    extensions = list(
        DeadlineExtension.objects.filter(dataset__in=datasets).select_related("org", "period").order_by("id")
    )
    rounds: list[tuple[DataSet, periods.PeriodSpec, list[Organisation]]] = []
    for dataset in datasets:
        extended_until: dict[str, dt.date] = {}
        for extension in extensions:
            if extension.dataset_id == dataset.pk:
                code = extension.period.code
                extended_until[code] = max(extended_until.get(code, extension.new_deadline), extension.new_deadline)
        for spec in _open_specs(dataset, now, extended_until):
            orgs = list(orgs_due(dataset, spec).visible_to(user, Action.EDIT)[:limit])  # type: ignore[arg-type]
            if orgs:
                rounds.append((dataset, spec, orgs))
    if not rounds:
        return []
    wanted = Q()
    for dataset, spec, orgs in rounds:
        wanted |= Q(dataset=dataset, period__code=spec.code, org__in=[o.pk for o in orgs])
    reports = {
        (r.dataset_id, r.period.code, r.org_id): r
        for r in Report.objects.filter(wanted).select_related("period", "dataset_version")
    }
    result = []
    for dataset, spec, orgs in rounds:
        granted = [e for e in extensions if e.dataset_id == dataset.pk and e.period.code == spec.code]
        for org in orgs:
            window = window_for(dataset, spec, org, granted)
            report = reports.get((dataset.pk, spec.code, org.pk))
            if window.is_open(now) or (report is not None and report.is_editable and report.status != "draft"):
                result.append(EntryRound(dataset, spec, org, report, window))
    result.sort(key=lambda r: (r.window.deadline, r.org.path, r.dataset.code))
    return result[:limit]


def _union_paths() -> list[str]:
    return list(Organisation.objects.filter(kind=OrgKind.UNION).values_list("path", flat=True))


def has_union_above(org: Organisation, union_paths: Iterable[str]) -> bool:
    """Whether an industry/system/company union lies above `org` (given every union's path)."""
    return any(in_subtree(org, p, strict=True) for p in union_paths)


def review_queue(*, user, limit: int = 100) -> tuple[str, list[Report]]:
    """The reports waiting for `user`'s decision, and which queue it is: "accept" for the office
    (approved, or submitted with no union above), "approve" for a union (submitted). Reports the
    user submitted are left out (four-eyes)."""
    from reporting.choices import ReportStatus
    from reporting.workflow import STEPS

    base = Report.objects.select_related("org", "dataset", "period", "submitted_by").order_by(
        "submitted_at", "org__path"
    )
    if granted_paths(user, Action.ACCEPT):
        union_paths = _union_paths()
        candidates = base.visible_to(user, Action.ACCEPT).filter(status__in=STEPS["accept"].sources)
        rows = [
            r
            for r in candidates.exclude(submitted_by=user)[: limit * 4]
            if r.status == ReportStatus.APPROVED or not has_union_above(r.org, union_paths)
        ]
        return "accept", rows[:limit]
    if granted_paths(user, Action.REVIEW):
        rows = list(
            base.visible_to(user, Action.REVIEW)
            .filter(status__in=STEPS["approve"].sources)
            .exclude(submitted_by=user)[:limit]
        )
        return "approve", rows
    return "", []


def report_actions(report: Report, user, *, now: dt.datetime | None = None) -> list[str]:
    """The workflow steps `user` may take on `report` now (for showing buttons; the services decide)."""
    from orgs.scoping import can
    from reporting.workflow import report_steps

    now = now or timezone.now()
    union = reviewing_union(report.org)
    return report_steps(
        status=report.status,
        may=lambda action: can(user, action, report.org),
        union_above=union is not None,
        may_review_union=lambda: can(user, Action.REVIEW, union),
        own=report.submitted_by_id is not None and report.submitted_by_id == getattr(user, "pk", None),
        period_locked=period_lock_of(report.dataset, report.period) is not None,
        window_open=lambda: entry_window(report.dataset, report.period, report.org).is_open(now),
    )


def report_history(report: Report) -> list:
    """The audit rows about `report` (steps, saves, comments, explanations, files), oldest first."""
    return history(report)


def report_open_returns(report: Report) -> list:
    """The reviewers' reasons not yet answered by a resubmission (whole report, section or cell)."""
    return list(
        report.returns.filter(resolved_at__isnull=True).select_related(
            "section", "element", "option_combo", "returned_by"
        )
    )


def reports_after(org: Organisation, on: dt.date) -> list[tuple[str, dt.date]]:
    """Reports with values of `org`'s subtree for periods starting on or after `on`, as (label, latest
    period end): what closing `org` from `on` would leave behind (orgs.services.records_after)."""
    from django.db.models import Count, Max

    from orgs.scoping import within

    found = Report.objects.filter(
        within("org__path", [org.path]), period__start__gte=on, values__isnull=False
    ).aggregate(reports=Count("id", distinct=True), latest=Max("period__end"))
    if not found["reports"]:
        return []
    return [(_("%(n)d 份统计报表") % {"n": found["reports"]}, found["latest"])]
