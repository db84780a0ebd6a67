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
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ensure_allowed
from reporting import queries
from reporting.choices import Importance, ReportStatus
from reporting.models import DataSet, DataValue, Period, Report, WarningExplanation
from reporting.values import clean_value
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


@atomic_retrying
def report_open(*, by: Actor, org: Organisation, dataset: DataSet, period: Period) -> Report:
    """The report of `org` for `dataset` and `period`: the existing one, or a new draft on the current version.

    A new draft is only created when the organisation must report that data set and entry is open.
    """
    ensure_allowed(by, Action.EDIT, org)
    existing = Report.objects.filter(org=org, dataset=dataset, period=period).first()
    if existing is not None:
        return existing
    if period.period_type != dataset.period_type:
        raise UserError(
            _("“%(dataset)s”是%(type)s，不能按%(period)s填报。")
            % {"dataset": dataset.name, "type": dataset.get_period_type_display(), "period": period.label}
        )
    if not dataset.is_active:
        raise UserError(_("报表“%(dataset)s”已停用。") % {"dataset": dataset.name})
    if not queries.must_report(dataset, org, period):
        raise UserError(_("“%(org)s”不需要填报“%(dataset)s”。") % {"org": org.name, "dataset": dataset.name})
    version = dataset.current_version()
    if version is None:
        raise UserError(_("报表“%(dataset)s”还没有发布的版本。") % {"dataset": dataset.name})
    lock = queries.period_lock_of(dataset, period)
    if lock is not None:
        raise UserError(_("%(dataset)s%(period)s已由产改办锁定。") % {"dataset": dataset.name, "period": period.label})
    _ensure_window(dataset, period, org, timezone.now())
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
    layout = queries.version_layout(report.dataset_version)
    problems: list[ValueProblem] = []
    cleaned = {}
    for key, raw in values.items():
        code, option_key = key
        cell = layout.cells.get((code, option_key))
        if cell is None:
            problems.append(ValueProblem(code, option_key, f"{code}[{option_key}]", raw, _("本报表中没有这一项。")))
            continue
        result = clean_value(
            raw,
            cell.element.value_type,
            min_value=cell.section_element.min_value,
            max_value=cell.section_element.max_value,
        )
        if not result.ok:
            problems.append(ValueProblem(code, option_key, cell.label, raw, result.error))
        else:
            cleaned[(code, option_key)] = (cell, result)
    if problems and not keep_valid:
        raise ValuesInvalid(problems)
    saved = _store_values(by, report, cleaned, version=version)
    saved.problems = problems
    return saved


def _store_values(
    by: Actor, report: Report, cleaned: Mapping[CellKey, tuple[Any, Any]], *, version: int, source: dict | None = None
) -> SaveResult:
    """Write cleaned cells ((cell, clean_value result) by key) of a locked report whose checks were made by
    the caller: unchanged cells are skipped, the version compared, one `reporting.values.save` audit row with
    the before/after diff (and `source`, when the values came from a file of past years) written."""
    existing = {
        (v.element.code, v.option_combo.key): v
        for v in DataValue.objects.filter(report=report).select_related("element", "option_combo")
    }
    changed = {
        key: (cell, result)
        for key, (cell, result) in cleaned.items()
        if (existing[key].value if key in existing else "") != result.text
    }
    notes = {key: result.notes for key, (_cell, result) in cleaned.items() if result.notes}
    if not changed:
        return SaveResult(report, [], notes)
    if report.version != version:
        raise _conflict(report, version)
    new_version = report.version + 1
    now = timezone.now()
    diff, created, updated = {}, [], []
    for key, (cell, result) in changed.items():
        old = existing.get(key)
        diff[f"{key[0]}[{key[1]}]"] = [old.value if old else "", result.text]
        if old is None:
            created.append(
                DataValue(
                    report=report,
                    element=cell.element,
                    option_combo=cell.option_combo,
                    value=result.text,
                    number=result.number,
                    changed_in=new_version,
                    updated_by=by.user,
                    updated_at=now,
                )
            )
        else:
            old.value, old.number, old.changed_in, old.updated_by = result.text, result.number, new_version, by.user
            old.updated_at = now
            updated.append(old)
    # Bulk writes: an Excel import saves thousands of cells in one call.
    DataValue.objects.bulk_create(created, batch_size=500)
    DataValue.objects.bulk_update(
        updated, ["value", "number", "changed_in", "updated_by", "updated_at"], batch_size=500
    )
    Report.objects.filter(pk=report.pk).update(version=new_version, updated_at=now)
    report.refresh_from_db(fields=["version", "updated_at"])  # the joined rows it was locked with stay loaded
    detail: dict[str, Any] = {"version": new_version, "changes": diff}
    if source:
        detail["history"] = dict(source)
    audit.record(by, "reporting.values.save", report, before=None, after=None, detail=detail)
    return SaveResult(report, sorted(changed), notes)


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
