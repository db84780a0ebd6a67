"""The steps of a history import as the pages, the API and the job take them: upload → mapping → preview →
confirm. The upload is kept under a token in the Excel import's private storage (reporting/excel/storage.py:
generated names, mode 0600, deleted on confirm, discard or after 24 hours); its metadata carries
`kind: "history"`, whose it is, the file's name, SHA-256 and headers, the mapping and the plan's digest.

Every refused upload or preview is audited (`reporting.history.refused`), every clean preview too
(`reporting.history.preview`); a confirmed import leaves the rows of services.history.history_import.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from reporting import queries
from reporting.excel import storage
from reporting.excel.importer import clean_filename
from reporting.excel.problems import Code, ImportProblem, ImportRefused
from reporting.history.mapping import initial_mapping, targets
from reporting.history.plan import HistoryContext, HistoryPlan, plan_history
from reporting.history.upload import read_upload, signature
from reporting.services.history import HistoryFailed, HistoryResult, history_import, history_mapping_save

KIND = "history"
SHOWN_ITEMS = 300  # organisations × periods listed on the preview page
STORED_PROBLEMS = 2000


@dataclass
class Step:
    """The outcome of a step: the plan (when one was made), the problems, the status an API answers with."""

    token: str
    plan: HistoryPlan | None = None
    problems: list[ImportProblem] = field(default_factory=list)
    status: int = 200
    result: HistoryResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _audit(ctx: HistoryContext, event: str, token: str, meta: dict[str, Any], **detail: Any) -> None:
    problems = detail.pop("problems", None)
    body = {
        "file": meta.get("file", ""),
        "sha256": meta.get("sha256", ""),
        "size": meta.get("size"),
        "dataset": ctx.dataset.code,
        "scope": ctx.org.code,
        **detail,
    }
    if problems:
        body["problems"] = len(problems)
        body["codes"] = dict(Counter(p.code for p in problems))
        body["first"] = [p.text() for p in problems[:10]]
    security = [p for p in problems or [] if p.security]
    if security:
        event = "security.import.refused"
        body["security"] = [p.text() for p in security[:20]]
    audit.record(
        ctx.actor,
        event,
        None,
        after=None,
        success=not problems,
        detail=body,
        object_type="reporting.history",
        object_id=token,
        object_repr=f"{ctx.dataset.code} {ctx.org.code}",
    )


def upload(*, ctx: HistoryContext, path: str, token: str, filename: str) -> Step:
    """Read an uploaded file's header and rows and offer a mapping (the saved one for its shape, else the
    automatic one); a file that cannot be read is refused, audited and deleted at once."""
    filename = clean_filename(filename)
    meta: dict[str, Any] = {
        "kind": KIND,
        "user_id": ctx.actor.user.pk if ctx.actor.user else None,
        "dataset": ctx.dataset.code,
        "org": ctx.org.code,
        "file": filename,
        "created_at": timezone.now().isoformat(),
    }
    try:
        data = read_upload(path)
    except ImportRefused as refusal:
        storage.delete(token)
        _audit(ctx, "reporting.history.refused", token, meta, stage="upload", problems=refusal.problems)
        return Step(token, problems=refusal.problems, status=refusal.status)
    version = ctx.dataset.current_version()
    if version is None:
        storage.delete(token)
        problem = ImportProblem(Code.OUTDATED, _("报表“%(dataset)s”还没有发布的版本") % {"dataset": ctx.dataset.name})
        _audit(ctx, "reporting.history.refused", token, meta, stage="upload", problems=[problem])
        return Step(token, problems=[problem], status=400)
    suggestions = initial_mapping(ctx.org, ctx.dataset, data.headers, queries.version_layout(version))
    meta.update(
        state="mapping",
        sha256=data.sha256,
        size=data.size,
        sheet=data.sheet,
        rows=len(data.rows),
        headers=data.headers,
        letters=[c.letter for c in data.columns],
        signature=signature(data.headers),
        suggested={h: {"token": s.token, "how": s.how} for h, s in suggestions.items()},
    )
    storage.write_meta(token, meta)
    return Step(token)


def suggested_columns(meta: dict[str, Any]) -> dict[str, str]:
    return {h: (s or {}).get("token", "") for h, s in (meta.get("suggested") or {}).items()}


def choices(ctx: HistoryContext) -> list[tuple[str, list[tuple[str, str]]]]:
    """The cells a column can be mapped to, grouped by section, for the mapping page's selects."""
    version = ctx.dataset.current_version()
    if version is None:
        return []
    groups: dict[str, list[tuple[str, str]]] = {}
    for target in targets(queries.version_layout(version)):
        groups.setdefault(target.section, []).append((target.token, target.label))
    return list(groups.items())


def _plan(ctx: HistoryContext, token: str, meta: dict[str, Any], columns: dict[str, str]) -> HistoryPlan:
    path = storage.path_of(token, ".upload")
    data = read_upload(str(path))
    with queries.shared_layouts():
        return plan_history(ctx=ctx, upload=data, columns=columns)


def _summary(plan: HistoryPlan) -> dict[str, Any]:
    summary = plan.summary()
    summary["items"] = [
        {
            "org": i.org_name,
            "code": i.org_code,
            "period": i.period_label,
            "row": i.row,
            "new": i.is_new,
            "values": len(i.values),
            "changed": i.changed,
            "overwrite": i.overwrite,
            "warnings": i.warnings[:5],
        }
        for i in plan.to_write[:SHOWN_ITEMS]
    ]
    summary["digest"] = plan.digest()
    return summary


def preview(*, ctx: HistoryContext, token: str, meta: dict[str, Any], columns: dict[str, str], save: bool) -> Step:
    """Plan the stored upload with `columns`: every problem, or what would be written; with `save`, a mapping
    without problems is saved for the next file of the same shape. The upload is kept either way, so the
    mapping can be changed and previewed again."""
    if meta.get("state") not in ("mapping", "preview", "refused") or not storage.path_of(token, ".upload").exists():
        return _expired(token)
    try:
        plan = _plan(ctx, token, meta, columns)
    except ImportRefused as refusal:
        storage.delete(token)
        _audit(ctx, "reporting.history.refused", token, meta, stage="preview", problems=refusal.problems)
        return Step(token, problems=refusal.problems, status=refusal.status)
    meta.update(columns=columns, overwrite=ctx.overwrite)
    if plan.problems:
        meta.update(
            state="refused",
            problems=[p.as_dict() for p in plan.problems[:STORED_PROBLEMS]],
            total_problems=len(plan.problems),
            plan=None,
        )
        storage.write_meta(token, meta)
        _audit(ctx, "reporting.history.refused", token, meta, stage="preview", problems=plan.problems)
        return Step(token, plan, plan.problems, status=400)
    if save:
        history_mapping_save(
            by=ctx.actor,
            org=ctx.org,
            dataset=ctx.dataset,
            headers=meta.get("headers", []),
            columns=columns,
            signature=meta.get("signature", ""),
        )
    summary = _summary(plan)
    meta.update(state="preview", problems=[], total_problems=0, plan=summary)
    storage.write_meta(token, meta)
    _audit(
        ctx,
        "reporting.history.preview",
        token,
        meta,
        reports=summary["reports"],
        new_reports=summary["new_reports"],
        values=summary["changed_values"],
        overwrite=ctx.overwrite,
        ignored=summary["ignored"],
    )
    return Step(token, plan)


def _expired(token: str) -> Step:
    problem = ImportProblem(Code.EXPIRED, _("该上传已失效（已导入、已放弃或已超过 24 小时）"), _("请重新上传文件。"))
    return Step(token, problems=[problem], status=409)


def confirm(*, ctx: HistoryContext, token: str, meta: dict[str, Any]) -> Step:
    """Plan the stored upload again with the previewed mapping; if it plans exactly as previewed, write it
    (services.history.history_import, all or nothing). The upload is deleted whatever happens."""
    try:
        if meta.get("state") != "preview" or not storage.path_of(token, ".upload").exists():
            return _expired(token)
        try:
            plan = _plan(ctx, token, meta, meta.get("columns") or {})
        except ImportRefused as refusal:
            return _refused_at_confirm(ctx, token, meta, refusal.problems, refusal.status)
        if plan.problems:
            return _refused_at_confirm(ctx, token, meta, plan.problems, 400)
        if plan.digest() != (meta.get("plan") or {}).get("digest"):
            problem = ImportProblem(
                Code.CONFLICT,
                _("预览之后，系统中的数据已被他人修改，本次未导入任何数据"),
                _("请重新上传文件，核对新的预览后再确认。"),
            )
            return _refused_at_confirm(ctx, token, meta, [problem], 409)
        items = plan.to_write
        if not items:
            return Step(token, plan, result=HistoryResult())
        source = {"file": meta.get("file", ""), "sha256": meta.get("sha256", ""), "token": token}
        try:
            result = history_import(
                by=ctx.actor, dataset=ctx.dataset, scope=ctx.org, items=items, source=source, overwrite=ctx.overwrite
            )
        except HistoryFailed as error:
            problems = [
                ImportProblem(
                    Code.CONFLICT if conflict else Code.REPORT_NOT_EDITABLE,
                    message,
                    _("请重新上传文件预览后再确认。") if conflict else "",
                    sheet=meta.get("sheet", ""),
                    row=item.row,
                    org=item.org_code,
                )
                for item, message, conflict in error.failures
            ]
            return _refused_at_confirm(ctx, token, meta, problems, error.status_code)
        return Step(token, plan, result=result)
    finally:
        storage.delete(token)


def _refused_at_confirm(
    ctx: HistoryContext, token: str, meta: dict[str, Any], problems: list[ImportProblem], status: int
) -> Step:
    _audit(ctx, "reporting.history.refused", token, meta, stage="confirm", problems=problems)
    return Step(token, problems=problems, status=status)


def result_message(result: HistoryResult | None) -> str:
    """The sentence that tells the person what a confirmed import wrote."""
    if result is None or not result.reports:
        return _("文件中的数据与系统中现有数据完全相同，没有需要导入的内容。")
    return _(
        "历史数据导入成功：写入 %(reports)d 份报表（新建 %(new)d 份）、%(values)d 个数值；"
        "已验收 %(accepted)d 份，待产改办验收 %(submitted)d 份。"
    ) % {
        "reports": len(result.reports),
        "new": result.new_reports,
        "values": result.values_changed,
        "accepted": result.accepted,
        "submitted": result.submitted,
    }
