"""Filling a report: opening it, all-or-nothing saves with version checks, comments and explanations,
and the guards every report write shares (the row lock, the period lock, the entry window).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.db import atomic_retrying, insert_rows, lock_row, update_rows
from core.errors import ConflictError, UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ensure_allowed
from reporting import queries
from reporting.choices import Importance, ReportStatus
from reporting.models import DataSet, DataSetVersion, DataValue, Period, Report, WarningExplanation
from reporting.queries.layout import Cell, Layout
from reporting.values import CleanResult, clean_value
from reporting.workflow import EDITABLE

CellKey = tuple[str, str]


# --- Errors that carry details ----------------------------------------------------------------------


@dataclass(frozen=True)
class ValueProblem:
    """Why one submitted value was refused: which cell, what was given, what is wrong and how to fix it."""

    element_code: str
    option_key: str
    label: str
    value: Any
    message: str


class ValuesInvalid(UserError):
    """Some values were refused; none of the values in the request was written."""

    def __init__(self, problems: list[ValueProblem]):
        self.problems = problems
        first = "；".join(f"{p.label}：{p.message}" for p in problems[:3])
        more = _("等 %(n)d 处") % {"n": len(problems)} if len(problems) > 3 else ""
        super().__init__(
            _("有 %(n)d 个数值不正确，本次填写均未保存：%(first)s%(more)s")
            % {"n": len(problems), "first": first, "more": more}
        )


class ReportConflict(ConflictError):
    """The report changed since the client loaded it; `changes` lists the cells changed meanwhile."""

    def __init__(self, message: str, changes: list[queries.ValueChange] | None = None, current_version: int = 0):
        super().__init__(message)
        self.changes = changes or []
        self.current_version = current_version


@dataclass
class SaveResult:
    """What values_save did: the report as now stored, the cells changed and the conversions noted.

    `problems` lists the cells refused and left unsaved (only with `keep_valid=True`).
    """

    report: Report
    changed: list[CellKey] = field(default_factory=list)
    notes: dict[CellKey, tuple[str, ...]] = field(default_factory=dict)
    problems: list[ValueProblem] = field(default_factory=list)


# --- Reports: opening and filling --------------------------------------------------------------------


def _lock(report: Report) -> Report:
    """The report row, locked for this transaction and fresh from the database.

    Only the report's own row is locked (core.db.lock_row), never the data set, period and
    organisation it joins to, which every report of a round shares: locking those made
    concurrent saves of different reports queue on one row and, with the audit chain, deadlock.
    """
    return lock_row(Report.objects.select_related("dataset", "dataset_version", "period", "org"), pk=report.pk)


def _ensure_period_open(report: Report) -> None:
    lock = queries.period_lock_of(report.dataset, report.period)
    if lock is not None:
        reason = _("（原因：%(reason)s）") % {"reason": lock.reason} if lock.reason else ""
        raise UserError(
            _("%(dataset)s%(period)s已由产改办锁定%(reason)s，不能再修改、提交或审核。")
            % {"dataset": report.dataset.name, "period": report.period.label, "reason": reason}
        )


def _ensure_window(dataset: DataSet, period: Period, org: Organisation, now: dt.datetime) -> None:
    window = queries.entry_window(dataset, period, org)
    if now < window.opens_at:
        raise UserError(
            _("%(period)s的“%(dataset)s”尚未开放填报，将于 %(day)s 开放。")
            % {"period": period.label, "dataset": dataset.name, "day": window.opens_at.date().isoformat()}
        )
    if now >= window.closes_at:
        raise UserError(
            _("%(period)s的“%(dataset)s”已过截止日（%(deadline)s）和宽限期，填报已关闭；如需补报，请联系产改办延期。")
            % {"period": period.label, "dataset": dataset.name, "deadline": window.deadline.isoformat()}
        )


def _ensure_editable(report: Report, now: dt.datetime) -> None:
    _ensure_period_open(report)
    if report.status not in EDITABLE:
        raise UserError(
            _("报表当前状态为“%(status)s”，不能修改；如需修改，请联系审核人退回。")
            % {"status": report.get_status_display()}
        )
    if report.status == ReportStatus.DRAFT:
        # Returned reports stay editable after the deadline: the reviewer asked for the fix.
        _ensure_window(report.dataset, report.period, report.org, now)


def _ensure_openable(
    dataset: DataSet, period: Period, org: Organisation, *, due: bool, version: DataSetVersion | None, now: dt.datetime
) -> None:
    """Raise UserError unless a new report of `org` may be opened now: the period of the data set's type, the data
    set active and published, `org` due to report it (`due`), the period not locked, entry open. `due` and the
    current `version` are given by the caller, so that an import of many reports reads them once."""
    if period.period_type != dataset.period_type:
        raise UserError(
            _("“%(dataset)s”是%(type)s，不能按%(period)s填报。")
            % {"dataset": dataset.name, "type": dataset.get_period_type_display(), "period": period.label}
        )
    if not dataset.is_active:
        raise UserError(_("报表“%(dataset)s”已停用。") % {"dataset": dataset.name})
    if not due:
        raise UserError(_("“%(org)s”不需要填报“%(dataset)s”。") % {"org": org.name, "dataset": dataset.name})
    if version is None:
        raise UserError(_("报表“%(dataset)s”还没有发布的版本。") % {"dataset": dataset.name})
    lock = queries.period_lock_of(dataset, period)
    if lock is not None:
        raise UserError(_("%(dataset)s%(period)s已由产改办锁定。") % {"dataset": dataset.name, "period": period.label})
    _ensure_window(dataset, period, org, now)


@atomic_retrying
def report_open(*, by: Actor, org: Organisation, dataset: DataSet, period: Period) -> Report:
    """The report of `org` for `dataset` and `period`: the existing one, or a new draft on the current version.

    A new draft is only created when the organisation must report that data set and entry is open.
    """
    ensure_allowed(by, Action.EDIT, org)
    existing = Report.objects.filter(org=org, dataset=dataset, period=period).first()
    if existing is not None:
        return existing
    version = dataset.current_version()
    _ensure_openable(
        dataset, period, org, due=queries.must_report(dataset, org, period), version=version, now=timezone.now()
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                org=org, dataset=dataset, dataset_version=version, period=period, created_by=by.user
            )
    except IntegrityError:  # opened by someone else at the same moment
        return Report.objects.get(org=org, dataset=dataset, period=period)
    audit.record(by, "reporting.report.open", report)
    return report


def _conflict(report: Report, version: int) -> ReportConflict:
    changed = (
        DataValue.objects.filter(report=report, changed_in__gt=version)
        .select_related("element", "option_combo")
        .order_by("element__code", "option_combo__sort_order")
    )
    layout = queries.version_layout(report.dataset_version)
    changes = []
    for v in changed:
        cell = layout.cells.get((v.element.code, v.option_combo.key))
        changes.append(
            queries.ValueChange(v.element.code, v.option_combo.key, cell.label if cell else v.element.name, "", v.value)
        )
    listed = "、".join(f"{c.label}（{c.new or _('已清空')}）" for c in changes[:10]) + (
        _("等 %(n)d 项") % {"n": len(changes)} if len(changes) > 10 else ""
    )
    detail = _("其间变更的数值：%(list)s。") % {"list": listed} if changes else ""
    return ReportConflict(
        _(
            "该报表已被他人修改（您打开的是第 %(yours)d 版，当前为第 %(current)d 版），"
            "您的修改未保存。%(detail)s请刷新后核对再保存。"
        )
        % {"yours": version, "current": report.version, "detail": detail},
        changes,
        report.version,
    )


@atomic_retrying
def values_save(
    *, by: Actor, report: Report, version: int, values: Mapping[CellKey, Any], keep_valid: bool = False
) -> SaveResult:
    """Save cells of a draft or returned report.

    `values` maps (element code, option key) to what was typed or read ("" or None clears the
    cell). Every value is cleaned (reporting/values.py); if any is refused, ValuesInvalid lists them
    all and nothing is written; with `keep_valid` (the web grid, where each cell is its own edit) the
    valid cells are saved and the refused ones come back in `SaveResult.problems`, unsaved. Saving
    what is already stored is a no-op. Otherwise `version` must be the report's current version, or
    ReportConflict says which cells changed meanwhile and nothing is written.
    """
    ensure_allowed(by, Action.EDIT, report.org)
    report = _lock(report)
    _ensure_editable(report, timezone.now())
    cleaned, problems = clean_cells(queries.version_layout(report.dataset_version), values)
    if problems and not keep_valid:
        raise ValuesInvalid(problems)
    saved = _store_values(by, report, cleaned, version=version)
    saved.problems = problems
    return saved


Cleaned = dict[CellKey, tuple[Cell, CleanResult]]


def clean_cells(layout: Layout, values: Mapping[CellKey, Any]) -> tuple[Cleaned, list[ValueProblem]]:
    """Each of `values` (raw, by cell key) cleaned for its cell of the form (reporting/values.py): the clean ones
    with their cell, and a ValueProblem for each key not on the form or value refused."""
    problems: list[ValueProblem] = []
    cleaned: Cleaned = {}
    for key, raw in values.items():
        cell = layout.cells.get(key)
        if cell is None:
            problems.append(ValueProblem(key[0], key[1], f"{key[0]}[{key[1]}]", raw, _("本报表中没有这一项。")))
            continue
        se = cell.section_element
        result = clean_value(raw, cell.element.value_type, min_value=se.min_value, max_value=se.max_value)
        if result.ok:
            cleaned[key] = (cell, result)
        else:
            problems.append(ValueProblem(key[0], key[1], cell.label, raw, result.error))
    return cleaned, problems


def _store_values(
    by: Actor, report: Report, cleaned: Cleaned, *, version: int, source: Mapping[str, Any] | None = None
) -> SaveResult:
    """Write cleaned cells of a locked report whose checks were made by the caller: unchanged cells are skipped,
    the version compared (ReportConflict), the rest written as in `write_values`."""
    existing = stored_cells([report.pk]).get(report.pk, {})
    write = ValuesWrite(report, changed_cells(cleaned, existing), existing, source)
    notes = {key: result.notes for key, (_cell, result) in cleaned.items() if result.notes}
    if not write.changed:
        return SaveResult(report, [], notes)
    if report.version != version:
        raise _conflict(report, version)
    write_values(by, [write])
    return SaveResult(report, sorted(write.changed), notes)


# --- Values written as a set: one report or an import's thousands, the same statements -------------------------

Stored = dict[CellKey, tuple[int, str]]  # a report's stored cells: (row id, text) by key


@dataclass
class ValuesWrite:
    """One report's part of a write: the cells whose text changes (cleaned), the report's stored cells, and the
    file of past years they come from (history imports, recorded with the audit row)."""

    report: Report
    changed: Cleaned
    existing: Stored
    source: Mapping[str, Any] | None = None


def stored_cells(report_ids: list[int]) -> dict[int, Stored]:
    """The stored cells of the reports, by report id (a query per 2,000 reports)."""
    stored: dict[int, Stored] = {report_id: {} for report_id in report_ids}
    for start in range(0, len(report_ids), 2000):
        rows = DataValue.objects.filter(report_id__in=report_ids[start : start + 2000]).values_list(
            "report_id", "pk", "element__code", "option_combo__key", "value"
        )
        for report_id, pk, code, key, value in rows.order_by():
            stored[report_id][(code, key)] = (pk, value)
    return stored


def changed_cells(cleaned: Cleaned, existing: Stored) -> Cleaned:
    """The cleaned cells whose text differs from what is stored (a cell never stored counts as "")."""
    if not existing:  # a new report: every cell given a text
        return {key: cleaned_cell for key, cleaned_cell in cleaned.items() if cleaned_cell[1].text}
    return {
        key: (cell, result)
        for key, (cell, result) in cleaned.items()
        if (existing[key][1] if key in existing else "") != result.text
    }


def write_values(by: Actor, writes: list[ValuesWrite]) -> None:
    """Write the changed cells of locked reports whose checks (permission, state, window, version) were made: each
    report's version goes up by one and its changed cells take that version (`changed_in`); new cells in one
    insert, changed ones in one update, the reports' versions in one more (core.db), then one
    `reporting.values.save` audit row per report with the before/after of each cell. The reports are updated in
    memory as stored."""
    now = timezone.now()
    user_id = by.user.pk if by.user is not None else None
    new_rows, changed_rows, report_rows, details = [], [], [], []
    for write in writes:
        report_id, version = write.report.id, write.report.version + 1
        diff = {}
        for key, (cell, result) in write.changed.items():
            old = write.existing.get(key)
            diff[f"{key[0]}[{key[1]}]"] = [old[1] if old else "", result.text]
            if old is None:
                new_rows.append(
                    (report_id, cell.element.id, cell.option_combo.id, result.text, result.number, "")
                    + (version, user_id, now)
                )
            else:
                changed_rows.append((old[0], result.text, result.number, version, user_id, now))
        report_rows.append((write.report.pk, version, now))
        write.report.version, write.report.updated_at = version, now
        detail: dict[str, Any] = {"version": version, "changes": diff}
        if write.source:
            detail["history"] = dict(write.source)
        details.append(detail)
    fields = ["value", "number", "changed_in", "updated_by", "updated_at"]
    if new_rows:
        insert_rows(DataValue, ["report", "element", "option_combo", *fields[:2], "comment", *fields[2:]], new_rows)
    if changed_rows:
        update_rows(DataValue, fields, changed_rows)
    update_rows(Report, ["version", "updated_at"], report_rows)
    for write, detail in zip(writes, details, strict=True):  # the audit chain last (core/db.py's lock order)
        audit.record(by, "reporting.values.save", write.report, before=None, after=None, detail=detail)


@atomic_retrying
def value_comment(*, by: Actor, report: Report, element_code: str, option_key: str = "", comment: str) -> DataValue:
    """Attach (or, with an empty text, remove) a comment on one cell, filled or not."""
    ensure_allowed(by, Action.EDIT, report.org)
    report = _lock(report)
    _ensure_editable(report, timezone.now())
    cell = queries.version_layout(report.dataset_version).cells.get((element_code, option_key))
    if cell is None:
        raise UserError(_("本报表中没有这一项。"))
    comment = comment.strip()
    if len(comment) > 1000:
        raise UserError(_("备注最多 1000 个字符。"), field="comment")
    value, _created = DataValue.objects.get_or_create(
        report=report,
        element=cell.element,
        option_combo=cell.option_combo,
        defaults={"changed_in": report.version, "updated_by": by.user},
    )
    before = {"comment": value.comment}
    value.comment = comment
    value.save(update_fields=["comment", "updated_at"])
    audit.record(
        by,
        "reporting.value.comment",
        report,
        before=before,
        after={"comment": comment},
        detail={"cell": f"{element_code}[{option_key}]"},
    )
    return value


def _save_explanations(by: Actor, report: Report, explanations: Mapping[str, str]) -> None:
    if not explanations:
        return
    rules = {r.code: r for r in report.dataset_version.rules.filter(code__in=list(explanations))}
    for code, text in explanations.items():
        rule = rules.get(code)
        if rule is None or rule.importance != Importance.WARNING:
            raise UserError(_("“%(code)s”不是本报表的警告规则。") % {"code": code})
        text = (text or "").strip()
        if not text:
            raise UserError(_("请填写对警告“%(name)s”的说明。") % {"name": rule.name})
        WarningExplanation.objects.update_or_create(
            report=report, rule=rule, defaults={"text": text[:1000], "explained_by": by.user}
        )


@atomic_retrying
def warning_explain(*, by: Actor, report: Report, rule_code: str, text: str) -> WarningExplanation:
    """Record why a failing warning is nevertheless right for this report."""
    ensure_allowed(by, Action.EDIT, report.org)
    report = _lock(report)
    _ensure_editable(report, timezone.now())
    _save_explanations(by, report, {rule_code: text})
    explanation = report.explanations.get(rule__code=rule_code)
    audit.record(
        by,
        "reporting.warning.explain",
        report,
        before=None,
        after=None,
        detail={"rule": rule_code, "text": explanation.text},
    )
    return explanation
