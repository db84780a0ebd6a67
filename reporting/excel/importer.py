"""The import as a whole: template downloads, upload → preview, confirm, and the same for CSV/JSON.

    build_template(...)           the .xlsx a person downloads (single or bulk layout)
    preview_upload(...)           inspect, read and plan an uploaded .xlsx; nothing is written
    confirm_upload(...)           import what the preview planned (kept beside the upload), all or nothing
    plan_entries(...) / apply_plan(...)   the API's CSV and JSON imports use the same planning

Every refused upload is audited (`reporting.import.refused`, or `security.import.refused` when the
file held a formula or link that reaches outside the workbook), every clean preview too
(`reporting.import.preview`); an applied import leaves one `reporting.values.save` row per report
changed and one `reporting.import.apply` row.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from orgs.models import Organisation
from orgs.scoping import within
from reporting import queries
from reporting.excel import storage
from reporting.excel.container import file_sha256, inspect_workbook
from reporting.excel.errors import error_workbook, problems_workbook
from reporting.excel.plan import Context, ImportPlan, check_stamp, plan_import, value_types
from reporting.excel.problems import Code, ImportProblem, ImportRefused
from reporting.excel.reader import Entry, open_workbook, read_data, read_stamp
from reporting.excel.stamp import BULK, DATA_SHEET, SINGLE, Stamp
from reporting.excel.template import TemplateRow, TemplateSpec, excel_value, new_stamp, template_cells, write_workbook
from reporting.models import DataSetVersion, DataValue, Report
from reporting.services.filling import SaveResult
from reporting.services.imports import ImportFailed, ImportItem, values_import

DISPLAY_ORGS = 200  # organisations shown in detail on the preview page
DISPLAY_CHANGES = 300  # changes shown per organisation
STORED_PROBLEMS = 2000  # problems kept for the page (the error workbook has all of them)


# --- Templates ---------------------------------------------------------------------------------------------------


def bulk_orgs(ctx: Context, version: DataSetVersion) -> list[Organisation]:
    """The organisations a bulk template of `ctx.org` lists: below it, due, editable by the user, on `version`."""
    from reporting.excel.plan import _may_edit

    orgs = [
        o
        for o in queries.orgs_due(ctx.dataset, ctx.period).filter(within("path", [ctx.org])).exclude(pk=ctx.org.pk)
        if _may_edit(ctx.actor, o)
    ]
    other = set(
        Report.objects.filter(dataset=ctx.dataset, period=ctx.period, org__in=orgs)
        .exclude(dataset_version=version)
        .values_list("org_id", flat=True)
    )
    return [o for o in orgs if o.pk not in other]


def template_version(ctx: Context, kind: str) -> DataSetVersion | None:
    """The version a template is made for: a single organisation's report's, else the current one."""
    if kind == SINGLE:
        report = (
            Report.objects.filter(org=ctx.org, dataset=ctx.dataset, period=ctx.period)
            .select_related("dataset_version")
            .first()
        )
        if report is not None:
            return report.dataset_version
    return ctx.dataset.current_version()


def _stored_texts(ctx: Context, orgs: list[Organisation], period=None) -> dict[int, dict[tuple[str, str], str]]:
    rows = (
        DataValue.objects.filter(report__dataset=ctx.dataset, report__period=period or ctx.period, report__org__in=orgs)
        .exclude(value="")
        .values_list("report__org_id", "element__code", "option_combo__key", "value")
    )
    texts: dict[int, dict[tuple[str, str], str]] = {}
    for org_id, code, key, value in rows.iterator(chunk_size=5000):
        texts.setdefault(org_id, {})[(code, key)] = value
    return texts


def build_template(*, ctx: Context, kind: str, filled: bool) -> bytes:
    """The template workbook for `ctx`: a single organisation's (blank or filled) or a group's bulk one."""
    version = template_version(ctx, kind)
    if version is None:
        raise ImportRefused(
            [ImportProblem(Code.OUTDATED, _("报表“%(dataset)s”还没有发布的版本") % {"dataset": ctx.dataset.name})]
        )
    layout = queries.version_layout(version)
    cells = template_cells(layout)
    stamp = new_stamp(
        layout=layout,
        dataset_code=ctx.dataset.code,
        version_number=version.number,
        period_code=ctx.period.code,
        org_code=ctx.org.code,
        kind=kind,
        filled=filled or kind == BULK,
        created_by=ctx.actor.username,
    )
    spec = TemplateSpec(
        stamp=stamp,
        layout=layout,
        dataset_name=ctx.dataset.name,
        period_label=ctx.period.label,
        org_code=ctx.org.code,
        org_name=ctx.org.name,
        rules=queries.active_rules(version),
    )
    if kind == BULK:
        orgs = bulk_orgs(ctx, version)
        texts = _stored_texts(ctx, orgs)
        for org in orgs:
            stored = texts.get(org.pk, {})
            values = {i: excel_value(c, stored.get(c.key, "")) for i, c in enumerate(cells) if c.key in stored}
            spec.rows.append(TemplateRow(org.code, org.name, values))
    else:
        stored = _stored_texts(ctx, [ctx.org]).get(ctx.org.pk, {}) if filled else {}
        spec.rows = [
            TemplateRow(
                ctx.org.code,
                ctx.org.name,
                {i: excel_value(c, stored[c.key]) for i, c in enumerate(cells) if c.key in stored},
            )
        ]
        previous = queries.previous_period(ctx.period)
        if previous is not None:
            before = _stored_texts(ctx, [ctx.org], previous).get(ctx.org.pk, {})
            spec.previous = {i: excel_value(c, before[c.key]) for i, c in enumerate(cells) if c.key in before}
    buffer = io.BytesIO()
    write_workbook(buffer, spec)
    audit.record(
        ctx.actor,
        "reporting.template.download",
        ctx.org,
        after=None,
        detail={
            "dataset": ctx.dataset.code,
            "period": ctx.period.code,
            "version": version.number,
            "layout": kind,
            "filled": stamp.filled,
            "rows": len(spec.rows),
            "template_id": stamp.template_id,
        },
    )
    return buffer.getvalue()


def template_filename(ctx: Context, kind: str, suffix: str = "") -> str:
    """A template's (or its error report's) file name: data set name, period label, organisation name."""
    suffix = suffix or (_("批量导入模板") if kind == BULK else _("导入模板"))
    return _safe_stem(f"{ctx.dataset.name}-{ctx.period.label}-{ctx.org.name}-{suffix}")


def template_fallback(ctx: Context, kind: str, suffix: str = "") -> str:
    """The same name in ASCII, from the codes, for clients that cannot read a Chinese file name."""
    suffix = suffix or ("bulk-template" if kind == BULK else "template")
    return _safe_stem(f"{ctx.dataset.code}-{ctx.period.code}-{ctx.org.code}-{suffix}")


def _safe_stem(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text)[:120]


# --- Upload → preview ---------------------------------------------------------------------------------------------


@dataclass
class Preview:
    """The outcome of an upload: its token, the plan when the file could be planned, and the problems."""

    token: str
    plan: ImportPlan | None
    problems: list[ImportProblem] = field(default_factory=list)
    status: int = 200
    error_file: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def clean_filename(name: str) -> str:
    """The client's file name for display only (never used as a path)."""
    base = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", base)[:200] or "upload.xlsx"


def _spec_for(ctx: Context, stamp: Stamp, version: DataSetVersion) -> TemplateSpec:
    return TemplateSpec(
        stamp=stamp,
        layout=queries.version_layout(version),
        dataset_name=ctx.dataset.name,
        period_label=ctx.period.label,
        org_code=ctx.org.code,
        org_name=ctx.org.name,
        rules=queries.active_rules(version),
    )


def _examine(ctx: Context, path: str) -> tuple[ImportPlan | None, list[ImportProblem], bytes | None, dict[str, Any]]:
    """Inspect, read and plan the file: (plan, problems, error workbook, facts about the file)."""
    facts: dict[str, Any] = {}
    stamp = version = parsed = None
    try:
        inspection = inspect_workbook(path)
        facts.update(sha256=inspection.sha256, size=inspection.size)
        book = open_workbook(path)
        stamp = read_stamp(book, inspection)
        facts.update(template_id=stamp.template_id, layout=stamp.layout, version=stamp.version)
        version = check_stamp(stamp, ctx)
        parsed = read_data(book, inspection, stamp, value_types(version))
    except ImportRefused as refusal:
        if stamp is not None and version is not None and parsed is None:
            return None, refusal.problems, None, facts | {"status": refusal.status}
        return None, refusal.problems, None, facts | {"status": refusal.status}
    plan = plan_import(
        ctx=ctx,
        version=version,
        stamp_layout=stamp.layout,
        entries=parsed.entries,
        org_rows=parsed.org_rows,
        org_names=parsed.org_names,
        problems=parsed.problems,
        sheet=DATA_SHEET,
    )
    error_file = None
    if plan.problems:
        plan.problems.sort(key=lambda p: (p.row or 0, p.column))
        if parsed.rows:
            error_file = error_workbook(_spec_for(ctx, stamp, version), parsed.rows, plan.problems)
        else:
            error_file = problems_workbook(plan.problems)
    facts["rows"] = len(parsed.rows)
    return plan, plan.problems, error_file, facts


def audit_upload(
    ctx: Context, token: str, filename: str, facts: dict, problems: list[ImportProblem], plan: ImportPlan | None
) -> None:
    """One audit row for an upload (workbook, CSV or JSON, from a page or the API): what was sent, what was
    wrong with it or what the plan would change; refused bad inputs of SECURITY.md are flagged as such."""
    security = [p for p in problems if p.security]
    detail = {
        "file": filename,
        "dataset": ctx.dataset.code,
        "period": ctx.period.code,
        "org": ctx.org.code,
        **{k: v for k, v in facts.items() if k != "status"},
    }
    if problems:
        detail["problems"] = len(problems)
        detail["codes"] = dict(Counter(p.code for p in problems))
        detail["first"] = [p.text() for p in problems[:10]]
        if security:
            detail["security"] = [p.text() for p in security[:20]]
        event = "security.import.refused" if security else "reporting.import.refused"
        success = False
    else:
        event, success = "reporting.import.preview", True
        detail.update(orgs=len(plan.orgs) if plan else 0, changes=plan.cells_changed if plan else 0)
        if plan and plan.skipped:
            detail["skipped"] = {r.code: r.changed for r in plan.skipped}
    audit.record(
        ctx.actor,
        event,
        None,
        after=None,
        success=success,
        detail=detail,
        object_type="reporting.import",
        object_id=token,
        object_repr=f"{ctx.dataset.code} {ctx.period.code} {ctx.org.code}",
    )


def _summary(plan: ImportPlan) -> dict[str, Any]:
    """The plan as stored for the preview page: counts, and the first organisations and changes in detail (only
    those are turned into dicts: a bulk file plans hundreds of thousands of changes)."""
    shown = []
    for org in plan.changed_orgs[:DISPLAY_ORGS]:
        row = asdict(replace(org, changes=[]))
        row["changes"] = [asdict(c) | {"old": c.old, "new": c.new} for c in org.changes[:DISPLAY_CHANGES]]
        row["total_changes"] = len(org.changes)
        shown.append(row)
    return {
        "dataset": plan.dataset,
        "period": plan.period,
        "version": plan.version,
        "layout": plan.layout,
        "org": plan.org,
        "orgs": shown,
        "problems": [p.as_dict() for p in plan.problems[:STORED_PROBLEMS]],
        "notes": dict(plan.notes),
        "skipped": [asdict(r) for r in plan.skipped],
        "total_orgs": len(plan.orgs),
        "total_changed_orgs": len(plan.changed_orgs),
        "total_changes": plan.cells_changed,
        "total_problems": len(plan.problems),
        "digest": plan.digest(),
    }


@queries.shared_layouts()
def preview_upload(*, ctx: Context, path: str, token: str, filename: str) -> Preview:
    """Check and plan an upload saved under `token`; keep it only when it can be imported.

    A refused upload is deleted at once (its error workbook is kept for download); a clean one
    stays until it is confirmed, discarded or 24 hours old.
    """
    filename = clean_filename(filename)
    plan, problems, error_file, facts = _examine(ctx, path)
    meta = {
        "user_id": ctx.actor.user.pk if ctx.actor.user else None,
        "dataset": ctx.dataset.code,
        "period": ctx.period.code,
        "org": ctx.org.code,
        "file": filename,
        "created_at": timezone.now().isoformat(),
        **{k: v for k, v in facts.items() if k != "status"},
    }
    if problems:
        storage.delete(token, ".upload")
        if error_file is not None:
            storage.save_bytes(token, ".errors.xlsx", error_file)
        else:
            storage.save_bytes(token, ".errors.xlsx", problems_workbook(problems))
        meta.update(
            state="refused", problems=[p.as_dict() for p in problems[:STORED_PROBLEMS]], total_problems=len(problems)
        )
        if plan is not None:
            meta["plan"] = _summary(plan)
    else:
        meta.update(state="preview", plan=_summary(plan))
        _keep_plan(token, plan, meta["plan"]["digest"])
    storage.write_meta(token, meta)
    audit_upload(ctx, token, filename, facts, problems, plan)
    return Preview(
        token, plan, problems, status=facts.get("status", 400) if problems else 200, error_file=bool(problems)
    )


# --- Confirm ---------------------------------------------------------------------------------------------------------


def items_of(plan: ImportPlan) -> list[ImportItem]:
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=[o.org_id for o in plan.changed_orgs])}
    return [
        ImportItem(
            org=orgs[o.org_id], values={(c.element, c.option): c.text for c in o.changes}, version=o.report_version
        )
        for o in plan.changed_orgs
    ]


def _keep_plan(token: str, plan: ImportPlan, digest: str) -> None:
    """What a clean preview would write, kept beside the upload for the confirm: each changed organisation, the
    report version it was planned against and its cells' new texts."""
    orgs = [[o.org_id, o.report_version, [[c.element, c.option, c.text] for c in o.changes]] for o in plan.changed_orgs]
    body = {"version": plan.version, "digest": digest, "cells": plan.cells_changed, "orgs": orgs}
    storage.save_bytes(token, ".plan.json", json.dumps(body, ensure_ascii=False).encode("utf-8"))


def _kept_items(token: str, meta: dict[str, Any]) -> tuple[dict[str, Any], list[ImportItem]] | None:
    """The kept plan of a previewed upload and its items, or None when the upload or the plan is not the one
    previewed (the upload's SHA-256 and the plan's fingerprint are compared with those the preview recorded)."""
    try:
        kept = json.loads(storage.path_of(token, ".plan.json").read_bytes())
    except (OSError, ValueError):
        return None
    upload = str(storage.path_of(token, ".upload"))
    if kept.get("digest") != meta.get("plan", {}).get("digest") or file_sha256(upload) != meta.get("sha256"):
        return None
    orgs = Organisation.objects.in_bulk([org_id for org_id, _version, _cells in kept["orgs"]])
    if len(orgs) != len(kept["orgs"]):
        return None
    items = [
        ImportItem(org=orgs[org_id], values={(e, o): text for e, o, text in cells}, version=version)
        for org_id, version, cells in kept["orgs"]
    ]
    return kept, items


def failure_problems(error: ImportFailed) -> list[ImportProblem]:
    problems = []
    for failure in error.failures:
        code = (
            Code.CONFLICT if failure.conflict else Code.VALUE_INVALID if failure.problems else Code.REPORT_NOT_EDITABLE
        )
        if failure.problems:
            for p in failure.problems:
                problems.append(
                    ImportProblem(code, p.message, "", field=p.label, value=str(p.value), org=failure.org.code)
                )
        elif failure.conflict:
            problems.append(
                ImportProblem(
                    code,
                    failure.message,
                    _("请重新上传文件，核对新的预览后再确认。"),
                    org=failure.org.code,
                )
            )
        else:
            problems.append(ImportProblem(code, failure.message, "", org=failure.org.code))
    return problems


def apply_plan(*, ctx: Context, plan: ImportPlan, source: dict[str, Any]) -> list[SaveResult]:
    """Import a clean plan through the services (one transaction); ImportFailed lists any refusal."""
    return values_import(
        by=ctx.actor,
        dataset=ctx.dataset,
        period=ctx.period,
        items=items_of(plan),
        dataset_version_number=plan.version,
        source=source,
    )


@dataclass
class Confirmed:
    """What confirming did: the reports saved (none when nothing changed) or the problems found."""

    results: list[SaveResult] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    orgs: int = 0
    cells: int = 0


@queries.shared_layouts()
def confirm_upload(*, ctx: Context, token: str, meta: dict[str, Any]) -> Confirmed:
    """Import what the preview of the stored upload planned, all or nothing. Always deletes the upload.

    The plan kept at preview is used when the upload's SHA-256 and the plan's fingerprint are still those the
    preview recorded; the import service then checks every report again (permission, state, window, and the
    version each was planned against: a report changed since the preview fails the import as a conflict).
    """
    path = storage.path_of(token, ".upload")
    meta = meta or {}
    try:
        if meta.get("state") != "preview" or not path.exists():
            return Confirmed(
                problems=[
                    ImportProblem(
                        Code.EXPIRED, _("该上传已失效（已导入、已放弃或已超过 24 小时）"), _("请重新上传文件。")
                    )
                ]
            )
        kept = _kept_items(token, meta)
        if kept is None:
            return _refused_at_confirm(
                ctx,
                token,
                meta,
                [
                    ImportProblem(
                        Code.EXPIRED,
                        _("上传的文件在预览之后已变化或无法读取，本次未导入任何数据"),
                        _("请重新上传文件，核对新的预览后再确认。"),
                    )
                ],
            )
        plan, items = kept
        if not items:
            return Confirmed()
        source = {
            "file": meta.get("file", ""),
            "sha256": meta.get("sha256", ""),
            "template_id": meta.get("template_id", ""),
            "token": token,
        }
        try:
            results = values_import(
                by=ctx.actor,
                dataset=ctx.dataset,
                period=ctx.period,
                items=items,
                dataset_version_number=plan["version"],
                source=source,
            )
        except ImportFailed as error:
            return _refused_at_confirm(ctx, token, meta, failure_problems(error))
        return Confirmed(results=results, orgs=len(items), cells=plan["cells"])
    finally:
        storage.delete(token)


def _refused_at_confirm(ctx: Context, token: str, meta: dict[str, Any], problems: list[ImportProblem]) -> Confirmed:
    """Record a confirmation that wrote nothing (the file, the database or a version changed meanwhile)."""
    facts = {k: meta[k] for k in ("sha256", "size", "template_id", "layout", "version") if k in meta}
    audit_upload(ctx, token, meta.get("file", ""), {**facts, "stage": "confirm"}, problems, None)
    return Confirmed(problems=problems)


def plan_entries(
    *,
    ctx: Context,
    version: DataSetVersion,
    entries: list[Entry],
    layout: str,
    problems: list[ImportProblem],
    org_column: str,
) -> ImportPlan:
    """Plan CSV or JSON entries (the API's dry run)."""
    return plan_import(
        ctx=ctx, version=version, stamp_layout=layout, entries=entries, problems=problems, org_column=org_column
    )
