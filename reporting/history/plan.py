"""Past years' figures from the office's own spreadsheets: reading, column mapping and the dry run.

The office (or a union administrator within its subtree) keeps earlier years' statistics in workbooks of
its own shape: one row per organisation and period, a column 机构代码 (or 机构名称), a column 报告期
(2019, 2019年, 2019Q3, 2019年第3季度 …) and one column per figure under whatever header was used then.

    upload.read_upload(path)        the first sheet's header row and data rows (after the security checks
                                    of reporting/excel/container.py); ImportRefused when unreadable
    mapping.suggest(headers, …)     each figure column matched to a cell by code, name or a close name
    plan_history(ctx, upload, …)    every problem at once (sheet, row, column, value, fix) and what would
                                    be written; nothing is written

Writing is services.history.history_import, which checks everything again in one transaction. Values are
read and cleaned exactly as the Excel import reads them (reader._Cells, values.clean_value with the
element's bounds) and checked with the version's error rules (validation.evaluate_rules); nothing here
judges a value by a rule of its own.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, in_subtree, within
from reporting import periods, queries
from reporting.choices import COUNTABLE_TYPES, MissingValueStrategy, ReportStatus
from reporting.excel.plan import _fix_for
from reporting.excel.problems import Code, ImportProblem, shown
from reporting.excel.reader import _Cells, _empty, _text
from reporting.history.mapping import MAPPING_INVALID, check_mapping
from reporting.history.upload import UNKNOWN_PERIOD, Upload, parse_period
from reporting.models import DataSet, DataValue, Period, Report
from reporting.validation import evaluate_rules
from reporting.values import clean_value, display_value
from reporting.workflow import EDITABLE

CellKey = tuple[str, str]


ACCEPTED = (ReportStatus.ACCEPTED, ReportStatus.LOCKED)

# Problem codes of this import besides those of reporting/excel/problems.py.
PERIOD_WRONG_TYPE = "period_wrong_type"
PERIOD_NOT_CLOSED = "period_not_closed"
ACCEPTED_DIFFERS = "accepted_differs"
RULE_FAILED = "rule_failed"

# --- The plan ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryContext:
    """Who uploads, for which data set and within which organisation's subtree, and whether accepted
    figures that differ may be overwritten (the office only, after choosing 覆盖已验收数据)."""

    actor: Actor
    dataset: DataSet
    org: Organisation
    overwrite: bool = False


@dataclass
class HistoryItem:
    """One organisation and period of the plan: the report (if any) as the preview saw it and the cells
    the import writes (canonical texts)."""

    org_id: int
    org_code: str
    org_name: str
    period: str
    period_label: str
    row: int
    report_id: int | None
    report_version: int | None
    status: str
    values: dict[str, str] = field(default_factory=dict)  # "CODE|KEY" → text
    changed: int = 0
    unchanged: int = 0
    overwrite: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.report_id is None

    def cells(self) -> dict[CellKey, str]:
        return {tuple(k.split("|", 1)): v for k, v in self.values.items()}  # type: ignore[misc]


@dataclass
class HistoryPlan:
    """What the import would do, or why it cannot: items, problems and the counts of the summary."""

    dataset: str
    items: list[HistoryItem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    rows: int = 0
    unchanged_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def to_write(self) -> list[HistoryItem]:
        return [i for i in self.items if i.changed or i.is_new]

    def summary(self) -> dict[str, Any]:
        write = self.to_write
        return {
            "rows": self.rows,
            "orgs": len({i.org_id for i in self.items}),
            "periods": sorted({i.period for i in self.items}),
            "period_labels": [periods.parse_code(p).label for p in sorted({i.period for i in self.items})],
            "values": sum(len(i.values) for i in self.items),
            "reports": len(write),
            "new_reports": sum(1 for i in write if i.is_new),
            "changed_values": sum(i.changed for i in write),
            "overwritten": sum(1 for i in write if i.overwrite),
            "unchanged": len(self.items) - len(write),
            "ignored": list(self.ignored),
        }

    def digest(self) -> str:
        """A fingerprint of what would be written and of the report versions it was checked against."""
        body = [[i.org_code, i.period, i.report_id, i.report_version, sorted(i.values.items())] for i in self.to_write]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "items": [asdict(i) for i in self.items],
            "problems": [p.as_dict() for p in self.problems],
            "ignored": self.ignored,
            "rows": self.rows,
        }


def _may_edit(actor: Actor, org: Organisation) -> bool:
    return bool(actor.system_name) or can(actor.user, Action.EDIT, org)


def may_accept(actor: Actor, org: Organisation) -> bool:
    """Whether the reports this actor loads for `org` are accepted directly (the office), or submitted."""
    return bool(actor.system_name) or can(actor.user, Action.ACCEPT, org)


def _not_allowed(upload: Upload, ctx: HistoryContext, row: int, value: str) -> ImportProblem:
    # One answer for "no such organisation" and "not yours", as the bulk upload gives (issue 11).
    column = upload.org_column
    if upload.org_by_name:
        message = _("机构名称“%(name)s”不存在，或不在“%(scope)s”中您有权填报的单位之内") % {
            "name": value,
            "scope": ctx.org.name,
        }
    else:
        message = _("机构代码 %(code)s 不存在，或不在“%(scope)s”中您有权填报的单位之内") % {
            "code": value,
            "scope": ctx.org.name,
        }
    return ImportProblem(
        Code.ORG_NOT_ALLOWED,
        message,
        _("请核对机构代码；只能导入您有权填报的单位的数据，其他单位请删除这一行或由有权限的人员导入。"),
        sheet=upload.sheet,
        row=row,
        column=column.letter if column else "",
        field=column.header if column else _("机构代码"),
        value=value,
    )


def _resolve_orgs(ctx: HistoryContext, upload: Upload) -> dict[str, Organisation | None]:
    """Each organisation cell's text → the organisation within the subtree the actor may fill, or None
    (ambiguous names resolve to None as well; the plan says why)."""
    column = upload.org_column
    texts = {_text(row[column.index - 1]) if column and column.index <= len(row) else "" for _n, row in upload.rows}
    texts.discard("")
    if not texts:
        return {}
    subtree = Organisation.objects.filter(within("path", [ctx.org]))
    if upload.org_by_name:
        found: dict[str, list[Organisation]] = defaultdict(list)
        for org in subtree.filter(Q(name__in=texts) | Q(short_name__in=texts)):
            for text in {org.name, org.short_name} & texts:
                found[text].append(org)
        resolved = {t: (found[t][0] if len(found.get(t, [])) == 1 else None) for t in texts}
    else:
        by_code = {o.code: o for o in Organisation.objects.filter(code__in=texts)}
        resolved = {t: by_code.get(t) for t in texts}
    return {
        t: (o if o is not None and in_subtree(o, ctx.org) and _may_edit(ctx.actor, o) else None)
        for t, o in resolved.items()
    }


def _ambiguous_names(ctx: HistoryContext, texts: set[str]) -> set[str]:
    counts: Counter[str] = Counter()
    for name, short in (
        Organisation.objects.filter(within("path", [ctx.org]))
        .filter(Q(name__in=texts) | Q(short_name__in=texts))
        .values_list("name", "short_name")
    ):
        for text in {name, short} & texts:
            counts[text] += 1
    return {t for t, n in counts.items() if n > 1}


class _Periods:
    """The periods the file names, stored on first use (periods are reference data), with their rules."""

    def __init__(self, dataset: DataSet):
        self.dataset = dataset
        self.stored: dict[str, Period] = {}
        self.due: dict[str, set[int]] = {}
        self.extensions: dict[str, list] = {}
        self.lock: dict[str, Any] = {}

    def period(self, spec: periods.PeriodSpec) -> Period:
        if spec.code not in self.stored:
            period = periods.period_from_code(spec.code)
            self.stored[spec.code] = period
            self.due[spec.code] = set(queries.orgs_due(self.dataset, period).values_list("pk", flat=True))
            self.extensions[spec.code] = queries.deadline_extensions(self.dataset, period)
            self.lock[spec.code] = queries.period_lock_of(self.dataset, period)
        return self.stored[spec.code]


def _as_given(rule) -> SimpleNamespace:
    """The rule as a history file is checked against it: only when every figure it names is given (in the
    file or already stored). An office's file holds the figures it kept, not the whole form; the rule's own
    missing-value strategy would count the absent ones as 0 and refuse every partial file."""
    return SimpleNamespace(
        code=rule.code,
        left=rule.left,
        operator=rule.operator,
        right=rule.right,
        importance=rule.importance,
        message=rule.message,
        missing_value_strategy=MissingValueStrategy.SKIP_IF_ANY_MISSING,
        is_active=rule.is_active,
    )


def plan_history(*, ctx: HistoryContext, upload: Upload, columns: dict[str, str]) -> HistoryPlan:
    """Check every row of `upload` with the column mapping `columns` (header → token, "" to leave out) and
    list what would be written; every problem is collected with its sheet, row, column, value and fix."""
    dataset = ctx.dataset
    plan = HistoryPlan(dataset.code, rows=len(upload.rows))
    version = dataset.current_version()
    if version is None:
        plan.problems.append(
            ImportProblem(Code.OUTDATED, _("报表“%(dataset)s”还没有发布的版本") % {"dataset": dataset.name})
        )
        return plan
    current_layout = queries.version_layout(version)
    plan.problems.extend(check_mapping(columns, upload.headers, current_layout))
    mapped = [(c, columns.get(c.header, "")) for c in upload.columns]
    plan.ignored = [c.header for c, token in mapped if not token]
    mapped = [(c, token) for c, token in mapped if token]
    if plan.problems:
        return plan
    if not mapped:
        plan.problems.append(
            ImportProblem(
                MAPPING_INVALID,
                _("没有任何一列对应到数据项"),
                _("请至少为一列选择对应的数据项。"),
                sheet=upload.sheet,
                row=upload.header_row,
            )
        )
        return plan
    if upload.org_column is None:
        plan.problems.append(
            ImportProblem(
                Code.COLUMN_MISSING,
                _("缺少“机构代码”或“机构名称”列"),
                _("请增加一列机构代码（或机构名称）。"),
                sheet=upload.sheet,
                row=upload.header_row,
            )
        )
        return plan
    orgs = _resolve_orgs(ctx, upload)
    ambiguous = _ambiguous_names(ctx, set(orgs)) if upload.org_by_name else set()
    known_periods = _Periods(dataset)
    cells = _Cells(upload.info) if upload.info else None
    now = timezone.now()
    rows_by_key: dict[tuple[int, str], int] = {}
    wanted: list[tuple[int, Organisation, Period, list[Any]]] = []
    period_col = upload.period_column
    for number, row in upload.rows:
        org_text = _text(row[upload.org_column.index - 1]) if upload.org_column.index <= len(row) else ""
        raw_period = row[period_col.index - 1] if period_col and period_col.index <= len(row) else None
        org = orgs.get(org_text)
        if not org_text:
            plan.problems.append(
                ImportProblem(
                    Code.UNKNOWN_ORG,
                    _("没有填写%(field)s") % {"field": upload.org_column.header},
                    _("请填写这一行数据所属单位的机构代码或名称。"),
                    sheet=upload.sheet,
                    row=number,
                    column=upload.org_column.letter,
                    field=upload.org_column.header,
                )
            )
            continue
        if org_text in ambiguous:
            plan.problems.append(
                ImportProblem(
                    Code.UNKNOWN_ORG,
                    _("机构名称“%(name)s”对应多个单位") % {"name": org_text},
                    _("请改用“机构代码”列区分这些单位。"),
                    sheet=upload.sheet,
                    row=number,
                    column=upload.org_column.letter,
                    field=upload.org_column.header,
                    value=org_text,
                )
            )
            continue
        if org is None:
            plan.problems.append(_not_allowed(upload, ctx, number, org_text))
            continue
        spec = parse_period(raw_period)
        where = {
            "sheet": upload.sheet,
            "row": number,
            "column": period_col.letter if period_col else "",
            "field": _("报告期"),
            "value": shown(raw_period),
            "org": org.code,
        }
        if spec is None:
            plan.problems.append(
                ImportProblem(
                    UNKNOWN_PERIOD,
                    _("无法识别的报告期"),
                    _("请写成 2019、2019年、2019Q3、2019年第3季度、2019年上半年或 2019年3月 这样的形式。"),
                    **where,
                )
            )
            continue
        if spec.period_type != dataset.period_type:
            plan.problems.append(
                ImportProblem(
                    PERIOD_WRONG_TYPE,
                    _("“%(dataset)s”是%(type)s，不能导入%(period)s的数据")
                    % {"dataset": dataset.name, "type": dataset.get_period_type_display(), "period": spec.label},
                    _("请核对报告期，或选择与之对应的报表。"),
                    **where,
                )
            )
            continue
        period = known_periods.period(spec)
        window = queries.window_for(dataset, period, org, known_periods.extensions[spec.code])
        if now < window.closes_at:
            plan.problems.append(
                ImportProblem(
                    PERIOD_NOT_CLOSED,
                    _("%(period)s的“%(dataset)s”填报尚未结束（%(day)s 关闭），历史数据导入只用于已结束的报告期")
                    % {"period": spec.label, "dataset": dataset.name, "day": window.closes_at.date().isoformat()},
                    _("本期数据请通过网页填报或 Excel 模板导入。"),
                    **where,
                )
            )
            continue
        lock = known_periods.lock[spec.code]
        if lock is not None:
            plan.problems.append(
                ImportProblem(
                    Code.REPORT_NOT_EDITABLE,
                    _("%(dataset)s%(period)s已由产改办锁定，不能导入")
                    % {"dataset": dataset.name, "period": spec.label},
                    _("如需导入，请产改办先解锁该报告期。"),
                    **where,
                )
            )
            continue
        key = (org.pk, spec.code)
        if key in rows_by_key:
            plan.problems.append(
                ImportProblem(
                    Code.DUPLICATE_ORG,
                    _("“%(org)s”%(period)s的数据重复：第 %(first)d 行已有")
                    % {"org": org.name, "period": spec.label, "first": rows_by_key[key]},
                    _("每个单位每个报告期只保留一行。"),
                    sheet=upload.sheet,
                    row=number,
                    column=upload.org_column.letter,
                    field=upload.org_column.header,
                    value=org_text,
                    org=org.code,
                )
            )
            continue
        rows_by_key[key] = number
        wanted.append((number, org, period, row))
    _plan_values(ctx, plan, upload, mapped, wanted, known_periods, cells, current_layout)
    plan.problems.sort(key=lambda p: (p.row or 0, p.column))
    return plan


def _plan_values(ctx, plan, upload, mapped, wanted, known_periods, cells, current_layout) -> None:
    dataset = ctx.dataset
    reports = {
        (r.org_id, r.period_id): r
        for r in Report.objects.filter(
            dataset=dataset,
            period__in=list(known_periods.stored.values()),
            org__in=[o for _n, o, _p, _r in wanted],
        ).select_related("dataset_version")
    }
    stored: dict[int, dict[CellKey, tuple[str, Any]]] = defaultdict(dict)
    for report_id, code, key, value, number in DataValue.objects.filter(
        report_id__in=[r.pk for r in reports.values()]
    ).values_list("report_id", "element__code", "option_combo__key", "value", "number"):
        stored[report_id][(code, key)] = (value, number)
    rules_of: dict[int, list] = {}
    for number, org, period, row in wanted:
        report = reports.get((org.pk, period.pk))
        if report is None and org.pk not in known_periods.due[period.code]:
            plan.problems.append(
                ImportProblem(
                    Code.ORG_NOT_DUE,
                    _("“%(org)s”不需要填报%(period)s的“%(dataset)s”")
                    % {"org": org.name, "period": period.label, "dataset": dataset.name},
                    _("请删除这一行。"),
                    sheet=upload.sheet,
                    row=number,
                    column=upload.org_column.letter,
                    field=upload.org_column.header,
                    value=_text(row[upload.org_column.index - 1]),
                    org=org.code,
                )
            )
            continue
        layout = queries.version_layout(report.dataset_version) if report else current_layout
        existing = stored.get(report.pk, {}) if report else {}
        item = HistoryItem(
            org.pk,
            org.code,
            org.name,
            period.code,
            period.label,
            number,
            report.pk if report else None,
            report.version if report else None,
            report.status if report else "",
        )
        numbers = {k: n for k, (v, n) in existing.items() if v and n is not None}
        first_diff = None
        row_ok = True
        for column, token in mapped:
            raw = row[column.index - 1] if column.index <= len(row) else None
            if _empty(raw):
                continue
            key = tuple(token.split(".", 1)) if "." in token else (token, "")
            cell = layout.cells.get(key)
            where = {
                "sheet": upload.sheet,
                "row": number,
                "column": column.letter,
                "field": column.header,
                "value": shown(raw),
                "org": org.code,
            }
            if cell is None:
                plan.problems.append(
                    ImportProblem(
                        Code.UNKNOWN_CELL,
                        _("“%(org)s”%(period)s的报表（第 %(n)d 版表式）中没有这一项")
                        % {"org": org.name, "period": period.label, "n": report.dataset_version.number},
                        _("请把这一列改为“不导入”，或删除这一格的数值。"),
                        **where,
                    )
                )
                row_ok = False
                continue
            value_type = cell.element.value_type
            prepared, _notes, code, message = cells.prepare(raw, value_type, f"{column.letter}{number}")
            if code is not None:
                plan.problems.append(ImportProblem(code, message, _fix_for(cell), **where))
                row_ok = False
                continue
            se = cell.section_element
            result = clean_value(prepared, value_type, min_value=se.min_value, max_value=se.max_value)
            if not result.ok:
                plan.problems.append(ImportProblem(Code.VALUE_INVALID, result.error, _fix_for(cell), **where))
                row_ok = False
                continue
            if result.empty:
                continue
            item.values[f"{key[0]}|{key[1]}"] = result.text
            old = existing.get(key, ("", None))[0]
            if old == result.text:
                item.unchanged += 1
                continue
            item.changed += 1
            if first_diff is None:
                first_diff = (column, cell, old, result.text)
            if value_type in COUNTABLE_TYPES:
                numbers[key] = result.number if result.number is not None else 0
        if not row_ok:
            continue
        if not item.values:
            plan.unchanged_rows += 1
            continue
        if item.changed and report is not None and report.status not in EDITABLE:
            if report.status in ACCEPTED and not ctx.overwrite:
                column, cell, old, new = first_diff
                plan.problems.append(
                    ImportProblem(
                        ACCEPTED_DIFFERS,
                        _(
                            "“%(org)s”%(period)s的报表已验收，文件中有 %(n)d 项与已验收数据不同"
                            "（如%(label)s：已验收 %(old)s，文件为 %(new)s）"
                        )
                        % {
                            "org": org.name,
                            "period": period.label,
                            "n": item.changed,
                            "label": cell.label,
                            "old": display_value(old, cell.element.value_type) or _("空"),
                            "new": display_value(new, cell.element.value_type),
                        },
                        _("如确需以文件为准，请由产改办勾选“覆盖已验收数据”后重新预览；否则请改正文件中的数值。"),
                        sheet=upload.sheet,
                        row=number,
                        column=column.letter,
                        field=column.header,
                        value=display_value(new, cell.element.value_type),
                        org=org.code,
                    )
                )
                continue
            if report.status not in ACCEPTED:
                plan.problems.append(
                    ImportProblem(
                        Code.REPORT_NOT_EDITABLE,
                        _("“%(org)s”%(period)s的报表状态为“%(status)s”，正在审核，不能导入")
                        % {"org": org.name, "period": period.label, "status": report.get_status_display()},
                        _("请待产改办验收后再导入，或由审核人退回后再导入。"),
                        sheet=upload.sheet,
                        row=number,
                        column=upload.org_column.letter,
                        field=upload.org_column.header,
                        value=org.code,
                        org=org.code,
                    )
                )
                continue
            item.overwrite = True
        if item.changed or report is None:
            version_id = layout.dataset_version.pk
            if version_id not in rules_of:
                rules_of[version_id] = [_as_given(r) for r in queries.active_rules(layout.dataset_version)]
            rules = rules_of[version_id]
            for outcome in evaluate_rules(rules, numbers, layout.describe):
                if outcome.is_error:
                    plan.problems.append(
                        ImportProblem(
                            RULE_FAILED,
                            outcome.message,
                            _("请核对这一行相关的数值，使其符合报表的校验规则。"),
                            sheet=upload.sheet,
                            row=number,
                            field=_("校验规则"),
                            org=org.code,
                        )
                    )
                    row_ok = False
                elif outcome.is_warning:
                    item.warnings.append(outcome.message)
        if row_ok:
            plan.items.append(item)
