"""From entries read out of a file (or a CSV/JSON body) to a plan: what would change, or what is wrong.

The plan is the dry run: it checks the template against the page's data set, period and
organisation, every row's organisation against the user's scope and the data set's assignment,
every report's state, entry window and version, and every value with `clean_value` — the same
checks the services make — and compares each clean value with what is stored now. It writes
nothing. Confirming a plan hands it to `services.values_import`, which checks everything again
inside one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, in_subtree, within
from reporting import queries
from reporting.choices import COUNTABLE_TYPES, ReportStatus
from reporting.excel.problems import Code, ImportProblem, ImportRefused
from reporting.excel.reader import Entry
from reporting.excel.stamp import BULK, Stamp, layout_hash
from reporting.excel.template import rule_hint, template_cells
from reporting.models import DataSet, DataSetVersion, DataValue, Period, Report
from reporting.validation import evaluate_rules
from reporting.values import clean_value, display_value
from reporting.workflow import EDITABLE

CellKey = tuple[str, str]


@dataclass(frozen=True)
class Context:
    """Where an upload was made: the data set, period and organisation of the page (or API call).

    For a single-organisation template `org` is the reporting organisation; for a bulk template it is
    the group whose subsidiaries the rows are.
    """

    actor: Actor
    dataset: DataSet
    period: Period
    org: Organisation


# --- The stamp against the context -----------------------------------------------------------------------


def _outdated(fix: str) -> ImportRefused:
    return ImportRefused([ImportProblem(Code.OUTDATED, _("模板版本已过期"), fix)])


def check_stamp(stamp: Stamp, ctx: Context) -> DataSetVersion:
    """The published version the template was made for; ImportRefused when it is for something else."""
    if stamp.dataset != ctx.dataset.code:
        other = DataSet.objects.filter(code=stamp.dataset).values_list("name", flat=True).first() or stamp.dataset
        raise ImportRefused(
            [
                ImportProblem(
                    Code.WRONG_DATASET,
                    _("这是“%(other)s”的模板，不能导入“%(dataset)s”") % {"other": other, "dataset": ctx.dataset.name},
                    _("请下载“%(dataset)s”的模板填写后再上传。") % {"dataset": ctx.dataset.name},
                )
            ]
        )
    if stamp.period != ctx.period.code:
        try:
            from reporting.periods import parse_code

            other = parse_code(stamp.period).label
        except Exception:  # noqa: BLE001 - any unreadable code is shown as it is
            other = stamp.period
        raise ImportRefused(
            [
                ImportProblem(
                    Code.WRONG_PERIOD,
                    _("这是%(other)s的模板，不能导入%(period)s的报表") % {"other": other, "period": ctx.period.label},
                    _("请下载%(period)s的模板填写后再上传，或到%(other)s的页面上传。")
                    % {"other": other, "period": ctx.period.label},
                )
            ]
        )
    if stamp.org != ctx.org.code:
        other = Organisation.objects.filter(code=stamp.org).values_list("name", flat=True).first() or stamp.org
        raise ImportRefused(
            [
                ImportProblem(
                    Code.WRONG_ORG,
                    _("这是“%(other)s（%(code)s）”的模板，不能导入“%(org)s（%(org_code)s）”的报表")
                    % {"other": other, "code": stamp.org, "org": ctx.org.name, "org_code": ctx.org.code},
                    _("请下载本单位的模板填写后再上传。"),
                )
            ]
        )
    version = ctx.dataset.versions.filter(number=stamp.version, published_at__isnull=False).first()
    current = ctx.dataset.current_version()
    if version is None or current is None:
        raise _outdated(_("模板的报表版本已不存在；请重新下载模板，把数据复制到新模板后再上传。"))
    layout = queries.version_layout(version)
    cells = template_cells(layout)
    expected = layout_hash(
        stamp.dataset, stamp.version, [(c.element.code, c.option_combo.key, c.element.value_type) for c in cells]
    )
    if expected != stamp.layout_hash:
        raise _outdated(_("报表的结构已经改变；请重新下载模板，把数据复制到新模板后再上传。"))
    if stamp.layout != BULK:
        report = (
            Report.objects.filter(org=ctx.org, dataset=ctx.dataset, period=ctx.period)
            .select_related("dataset_version")
            .first()
        )
        wanted = report.dataset_version.number if report else current.number
        if wanted != stamp.version:
            raise _outdated(
                _(
                    "该模板是第 %(file)d 版，本单位的报表现在使用第 %(now)d 版；"
                    "请重新下载模板，把数据复制到新模板后再上传。"
                )
                % {"file": stamp.version, "now": wanted}
            )
    return version


# --- The plan ------------------------------------------------------------------------------------------------


@dataclass
class Change:
    """One cell that would change: where it is in the file, its label, the value now and the new one."""

    element: str
    option: str
    label: str
    row: int
    column: str
    old_text: str  # the canonical value stored now
    text: str  # the canonical value to save ("" clears)
    value_type: str
    notes: list[str] = field(default_factory=list)

    # As a person reads them; made only for the changes shown (a bulk file plans hundreds of thousands).
    @property
    def old(self) -> str:
        return display_value(self.old_text, self.value_type)

    @property
    def new(self) -> str:
        return display_value(self.text, self.value_type)


@dataclass
class OrgPlan:
    """One organisation's part of the plan."""

    org_id: int
    code: str
    name: str
    row: int | None
    report_id: int | None
    report_version: int | None
    status: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    rule_errors: list[str] = field(default_factory=list)
    rule_warnings: list[str] = field(default_factory=list)


@dataclass
class SkippedRow:
    """A bulk row left out because its organisation's report can no longer be changed (submitted, accepted…).

    `changed` counts the row's filled values that differ from what is stored: none means the row
    just repeats the report, and skipping it loses nothing.
    """

    code: str
    name: str
    row: int | None
    status: str
    changed: int
    message: str


@dataclass
class ImportPlan:
    """What an import would do, or why it cannot: the organisations' changes, notes and problems.

    `skipped` lists the rows of a bulk file that are not applied, each with the reason.
    """

    dataset: str
    period: str
    version: int
    layout: str
    org: str
    orgs: list[OrgPlan] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed_orgs(self) -> list[OrgPlan]:
        return [o for o in self.orgs if o.changes]

    @property
    def cells_changed(self) -> int:
        return sum(len(o.changes) for o in self.orgs)

    def digest(self) -> str:
        """A fingerprint of what would be written and of the versions it was checked against."""
        body = [
            [o.code, o.report_id, o.report_version, [[c.element, c.option, c.text] for c in o.changes]]
            for o in self.orgs
        ]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode("utf-8")).hexdigest()


def _windows(dataset: DataSet, period: Period, orgs: list[Organisation]) -> dict[int, queries.EntryWindow]:
    """Each organisation's entry window, with the extensions read once (queries.entry_window reads them per call)."""
    extensions = queries.deadline_extensions(dataset, period)
    return {org.pk: queries.window_for(dataset, period, org, extensions) for org in orgs}


def _may_edit(actor: Actor, org: Organisation) -> bool:
    return bool(actor.system_name) or can(actor.user, Action.EDIT, org)


def _org_problem(
    code: str, message: str, fix: str, entry_row: int | None, org_code: str, sheet: str, column: str
) -> ImportProblem:
    return ImportProblem(
        code, message, fix, sheet=sheet, row=entry_row, column=column, field=_("机构代码"), value=org_code, org=org_code
    )


def plan_import(
    *,
    ctx: Context,
    version: DataSetVersion,
    stamp_layout: str,
    entries: list[Entry],
    org_rows: dict[str, int] | None = None,
    org_names: dict[str, str] | None = None,
    problems: list[ImportProblem] | None = None,
    org_column: str = "A",
    sheet: str = "",
) -> ImportPlan:
    """Check `entries` against the database and list what would change (nothing is written).

    `org_rows`/`org_names` give, for bulk files, the row and the name written beside each code;
    `problems` are those the reading already found (they are kept, and the plan adds its own).
    """
    dataset, period, actor = ctx.dataset, ctx.period, ctx.actor
    layout = queries.version_layout(version)
    plan = ImportPlan(
        dataset.code, period.code, version.number, stamp_layout, ctx.org.code, problems=list(problems or [])
    )
    org_rows = org_rows or {}
    org_names = org_names or {}
    codes = list(dict.fromkeys([e.org for e in entries] + list(org_rows)))
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    first_row = {}
    for e in entries:
        first_row.setdefault(e.org, e.row)
    row_of = {code: org_rows.get(code, first_row.get(code)) for code in codes}
    reports = {
        r.org_id: r
        for r in Report.objects.filter(dataset=dataset, period=period, org__in=list(orgs.values())).select_related(
            "dataset_version"
        )
    }
    due = set(
        queries.orgs_due(dataset, period)
        .filter(within("path", [ctx.org]))
        .filter(pk__in=[o.pk for o in orgs.values()])
        .values_list("pk", flat=True)
    )
    current = dataset.current_version()
    lock = queries.period_lock_of(dataset, period)
    windows = _windows(dataset, period, list(orgs.values()))
    now = timezone.now()
    allowed: dict[str, Organisation] = {}
    closed: dict[str, Organisation] = {}
    for code in codes:
        row = row_of.get(code)
        org = orgs.get(code)
        if org is None or not in_subtree(org, ctx.org) or not _may_edit(actor, org):
            # One answer for "no such code" and "not yours", as the API gives: an upload must not
            # map other branches' codes to names (issue 11).
            plan.problems.append(
                _org_problem(
                    Code.ORG_NOT_ALLOWED,
                    _("机构代码 %(code)s 不存在，或不在“%(scope)s”中您有权填报的单位之内")
                    % {"code": code, "scope": ctx.org.name},
                    _("请核对机构代码；只能导入您有权填报的单位的数据，其他单位请删除这一行或由有权限的人员导入。"),
                    row,
                    code,
                    sheet,
                    org_column,
                )
            )
            continue
        written = org_names.get(code, "")
        if written and written not in (org.name, org.short_name, org.display_name):
            plan.problems.append(
                ImportProblem(
                    Code.ORG_NAME_MISMATCH,
                    _("机构名称“%(written)s”与机构代码 %(code)s 对应的“%(name)s”不符")
                    % {"written": written, "code": code, "name": org.name},
                    _("请核对这一行的数据属于哪个单位，改正代码或名称后再上传。"),
                    sheet=sheet,
                    row=row,
                    column="B",
                    field=_("机构名称"),
                    value=written,
                    org=code,
                )
            )
            continue
        report = reports.get(org.pk)
        if report is None and org.pk not in due:
            plan.problems.append(
                _org_problem(
                    Code.ORG_NOT_DUE,
                    _("“%(org)s”不需要填报%(period)s的“%(dataset)s”")
                    % {"org": org.name, "period": period.label, "dataset": dataset.name},
                    _("请删除这一行。"),
                    row,
                    code,
                    sheet,
                    org_column,
                )
            )
            continue
        problem = _report_problem(report, org, dataset, period, version, current, lock, windows[org.pk], now)
        if problem and stamp_layout == BULK and lock is None and report is not None and report.status not in EDITABLE:
            # One row of a group's file: a report already submitted or accepted does not stop the
            # other rows; the row is left out with its reason (see _plan_skipped).
            closed[code] = org
            continue
        if problem:
            plan.problems.append(_org_problem(problem[0], problem[1], problem[2], row, code, sheet, org_column))
            continue
        allowed[code] = org
    _plan_values(plan, layout, version, entries, allowed, reports, row_of, period)
    _plan_skipped(plan, layout, entries, closed, reports, row_of)
    return plan


def _reopen_hint(status: str) -> str:
    """Who can make a report that is no longer editable editable again."""
    if status in (ReportStatus.ACCEPTED, ReportStatus.LOCKED):
        return _("如需修改，请联系产改办重新打开该报表，再重新导入这一行。")
    return _("如需修改，请审核人（上级工会或产改办）先退回该报表，再重新导入这一行。")


def _plan_skipped(plan: ImportPlan, layout, entries: list[Entry], closed: dict[str, Organisation], reports, row_of):
    """The rows of reports that can no longer change: skipped, with a note when the row would change them."""
    if not closed:
        return
    report_ids = [reports[o.pk].pk for o in closed.values()]
    stored: dict[int, dict[CellKey, str]] = defaultdict(dict)
    rows = DataValue.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "element__code", "option_combo__key", "value"
    )
    for report_id, code, key, value in rows:
        stored[report_id][(code, key)] = value
    by_org: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.org in closed:
            by_org[entry.org].append(entry)
    for code, org in closed.items():
        report = reports[org.pk]
        existing = stored.get(report.pk, {})
        changed = 0
        for entry in by_org.get(code, []):
            cell = layout.cells.get(entry.key)
            if cell is None:
                continue
            result = clean_value(entry.raw, cell.element.value_type)
            if result.ok and result.empty:
                continue  # a cleared cell: nothing this row asks to write
            if not result.ok or result.text != existing.get(entry.key, ""):
                changed += 1
        status = report.get_status_display()
        if changed:
            message = _(
                "“%(org)s”的报表状态为“%(status)s”，不能再修改；这一行有 %(n)d 项与系统中的数据不同，未导入。%(hint)s"
            ) % {"org": org.name, "status": status, "n": changed, "hint": _reopen_hint(report.status)}
        else:
            message = _("“%(org)s”的报表状态为“%(status)s”，这一行与系统中的数据相同，已跳过。") % {
                "org": org.name,
                "status": status,
            }
        plan.skipped.append(SkippedRow(code, org.name, row_of.get(code), status, changed, message))


def _report_problem(report, org, dataset, period, version, current, lock, window, now) -> tuple[str, str, str] | None:
    if lock is not None:
        reason = _("（原因：%(reason)s）") % {"reason": lock.reason} if lock.reason else ""
        return (
            Code.REPORT_NOT_EDITABLE,
            _("%(dataset)s%(period)s已由产改办锁定%(reason)s，不能导入")
            % {"dataset": dataset.name, "period": period.label, "reason": reason},
            _("如需修改，请联系产改办。"),
        )
    wanted = report.dataset_version.number if report else (current.number if current else None)
    if wanted != version.number:
        return (
            Code.OUTDATED,
            _("模板版本已过期"),
            _("模板是第 %(file)d 版，“%(org)s”的报表使用第 %(now)s 版；请重新下载模板。")
            % {"file": version.number, "org": org.name, "now": wanted},
        )
    if report is not None and report.status not in EDITABLE:
        return (
            Code.REPORT_NOT_EDITABLE,
            _("“%(org)s”的报表状态为“%(status)s”，不能导入") % {"org": org.name, "status": report.get_status_display()},
            _("如需修改，请联系审核人退回报表后再导入。"),
        )
    if report is None or report.status == ReportStatus.DRAFT:
        # Returned reports stay editable after the deadline, as in values_save.
        if now < window.opens_at:
            return (
                Code.ENTRY_CLOSED,
                _("%(period)s的“%(dataset)s”尚未开放填报，将于 %(day)s 开放")
                % {"period": period.label, "dataset": dataset.name, "day": window.opens_at.date().isoformat()},
                _("请在开放后再导入。"),
            )
        if now >= window.closes_at:
            return (
                Code.ENTRY_CLOSED,
                _("已过截止日（%(deadline)s）和宽限期，填报已关闭") % {"deadline": window.deadline.isoformat()},
                _("如需补报，请联系产改办延期。"),
            )
    return None


def _fix_for(cell) -> str:
    return _("应填写：%(hint)s。") % {"hint": rule_hint(cell)}


def _plan_values(
    plan: ImportPlan,
    layout,
    version: DataSetVersion,
    entries: list[Entry],
    allowed: dict[str, Organisation],
    reports,
    row_of,
    period: Period,
) -> None:
    report_ids = [reports[o.pk].pk for o in allowed.values() if o.pk in reports]
    # The outlier warnings of web entry, on the values as they would be after the import.
    outlier_inputs = queries.outlier_inputs(version.dataset, period, list(allowed.values()))
    stored: dict[int, dict[CellKey, tuple[str, Decimal | None]]] = defaultdict(dict)
    rows = DataValue.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "element__code", "option_combo__key", "value", "number"
    )
    for report_id, code, key, value, number in rows.iterator(chunk_size=5000):
        stored[report_id][(code, key)] = (value, number)
    by_org: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_org[entry.org].append(entry)
    notes: Counter[str] = Counter()
    rules = queries.active_rules(version)
    for code, org in allowed.items():
        report = reports.get(org.pk)
        existing = stored.get(report.pk, {}) if report else {}
        org_plan = OrgPlan(
            org.pk,
            code,
            org.name,
            row_of.get(code),
            report.pk if report else None,
            report.version if report else None,
            report.get_status_display() if report else _("未填报"),
        )
        numbers = {k: n for k, (v, n) in existing.items() if v and n is not None}
        for entry in by_org.get(code, []):
            cell = layout.cells.get(entry.key)
            if cell is None:
                plan.problems.append(
                    ImportProblem(
                        Code.UNKNOWN_CELL,
                        _("本报表中没有这一项：%(cell)s") % {"cell": f"{entry.key[0]}[{entry.key[1]}]"},
                        _("请核对数据元代码和分类代码。"),
                        sheet=entry.sheet,
                        row=entry.row,
                        column=entry.column,
                        field=entry.field,
                        value=entry.shown,
                        org=code,
                    )
                )
                continue
            se = cell.section_element
            result = clean_value(entry.raw, cell.element.value_type, min_value=se.min_value, max_value=se.max_value)
            if not result.ok:
                plan.problems.append(
                    ImportProblem(
                        Code.VALUE_INVALID,
                        result.error,
                        _fix_for(cell),
                        sheet=entry.sheet,
                        row=entry.row,
                        column=entry.column,
                        field=cell.label,
                        value=entry.shown,
                        org=code,
                    )
                )
                continue
            old_text = existing.get(entry.key, ("", None))[0]
            new_text = "" if result.empty else result.text
            cell_notes = [*entry.notes, *result.notes]
            if new_text == old_text:
                org_plan.unchanged += 1
                continue
            notes.update(cell_notes)
            value_type = cell.element.value_type
            org_plan.changes.append(
                Change(
                    cell.element.code,
                    cell.option_combo.key,
                    cell.label,
                    entry.row,
                    entry.column,
                    old_text,
                    new_text,
                    value_type,
                    cell_notes,
                )
            )
            if value_type in COUNTABLE_TYPES:
                if new_text:
                    numbers[entry.key] = result.number if result.number is not None else Decimal(0)
                else:
                    numbers.pop(entry.key, None)
        if org_plan.changes:
            for outcome in evaluate_rules(rules, numbers, layout.describe):
                if outcome.is_error:
                    org_plan.rule_errors.append(outcome.message)
                elif outcome.is_warning:
                    org_plan.rule_warnings.append(outcome.message)
            changed_keys = {(c.element, c.option) for c in org_plan.changes}
            for outlier in queries.outliers_for(version.dataset, layout, numbers, outlier_inputs[org.pk]):
                if outlier.key in changed_keys:
                    org_plan.rule_warnings.append(outlier.message)
        plan.orgs.append(org_plan)
    plan.notes = dict(notes.most_common())


def value_types(version: DataSetVersion) -> dict[CellKey, str]:
    """Each cell's value type, for the reader."""
    return {key: cell.element.value_type for key, cell in queries.version_layout(version).cells.items()}
