"""The nine-aspect written report (九个方面书面报告): rounds, drafting, attachments, review.

- The office opens a round (`round_open`): a period, a title and a due date.
- An organisation on the ledger starts its report for a round (`written_start`), which creates its nine
  sections, writes each (`section_save`, rich text cleaned by core.richtext) and attaches files
  (`section_attach`), while the report is in an editable state (draft or returned).
- It submits (`written_step(step="submit")`, EDIT on the organisation itself); whoever holds REVIEW over
  the organisation's parent (its union, the office for a union) returns it with a reason for the whole
  report and/or per section, accepts it, or reopens an accepted one (ledger.workflow.may_review).
  Section reasons live on the sections and are cleared when the report is submitted again.
- Reviewers comment per section (`section_comment`, or `section_comments` with a step).

Each write locks the report row first (core.db.lock_row), checks the report's version (409 if someone
saved meanwhile), writes, and audits last; the organisation is told of a return or acceptance and the
reviewers of a submission through the platform's inbox (reporting.services.notifications.deliver).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, richtext
from core.actor import Actor
from core.db import lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from core.workflow import transition
from ledger import integrity
from ledger.choices import Aspect, DocumentKind, WrittenStatus
from ledger.models import Document, Ledger, WrittenReport, WrittenRound, WrittenSection
from ledger.services.ledgers import document_add, ensure_manager, recheck
from ledger.workflow import WRITTEN_WORKFLOW, may_review
from orgs.choices import Action, Role
from orgs.models import Organisation
from orgs.scoping import ensure_allowed

MAX_BODY_CHARS = 50_000
MAX_REASON_CHARS = 2_000
ROUND_FIELDS = ("code", "title", "period_start", "period_end", "due_on")


# --- Rounds ----------------------------------------------------------------------------------------------------


def _clean_round(fields: dict[str, Any], current: WrittenRound | None = None) -> dict[str, Any]:
    """The round's fields stripped and checked, each problem naming its field."""
    merged = {f: fields.get(f, getattr(current, f, None)) for f in ROUND_FIELDS}
    code = (merged["code"] or "").strip().upper()
    if not code:
        raise UserError(_("请填写报告期代码，如 2026H1。"), field="code")
    if len(code) > 20 or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise UserError(_("报告期代码只能由字母、数字和“-”“_”组成，不超过 20 个字符。"), field="code")
    duplicate = WrittenRound.objects.filter(code=code)
    if current is not None:
        duplicate = duplicate.exclude(pk=current.pk)
    if duplicate.exists():
        raise UserError(_("报告期代码“%(code)s”已被使用。") % {"code": code}, field="code")
    title = (merged["title"] or "").strip()
    if not title:
        raise UserError(_("请填写报告期名称。"), field="title")
    if len(title) > 200:
        raise UserError(_("报告期名称不能超过 200 个字。"), field="title")
    labels = {"period_start": _("报告期开始"), "period_end": _("报告期结束"), "due_on": _("报送截止日期")}
    for key, label in labels.items():
        if not isinstance(merged[key], dt.date):
            raise UserError(_("请填写%(label)s。") % {"label": label}, field=key)
    if merged["period_end"] < merged["period_start"]:
        raise UserError(_("报告期结束不能早于报告期开始。"), field="period_end")
    if merged["due_on"] < merged["period_start"]:
        raise UserError(_("报送截止日期不能早于报告期开始。"), field="due_on")
    return {**merged, "code": code, "title": title}


@transaction.atomic
def round_open(
    *, by: Actor, code: str, title: str, period_start: dt.date, period_end: dt.date, due_on: dt.date
) -> WrittenRound:
    """The office asks every organisation on the ledger for its nine-aspect report for a period."""
    ensure_manager(by)
    fields = _clean_round(
        {"code": code, "title": title, "period_start": period_start, "period_end": period_end, "due_on": due_on}
    )
    written_round = WrittenRound.objects.create(**fields, opened_by=by.user)
    audit.record(by, "ledger.round.open", written_round)
    return written_round


@transaction.atomic
def round_update(*, by: Actor, round: WrittenRound, version: int, **fields: Any) -> WrittenRound:  # noqa: A002
    """Change a round's code, title, period or due date; 409 if someone saved it meanwhile."""
    ensure_manager(by)
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    cleaned = _clean_round(fields, round)
    before = audit.snapshot(round)
    versioned_update(round, version, conflict_message=_("该报告期已被他人修改，请刷新后重试。"), **cleaned)
    audit.record(by, "ledger.round.update", round, before=before)
    return round


# --- Drafting --------------------------------------------------------------------------------------------------


@transaction.atomic
def written_start(*, by: Actor, round: WrittenRound, org: Organisation) -> WrittenReport:  # noqa: A002
    """Start `org`'s report for `round` with its nine empty sections (the organisation must be on the ledger)."""
    ensure_allowed(by, Action.EDIT, org)
    if not Ledger.objects.filter(org=org).exists():
        raise UserError(_("“%(org)s”未列入产改台账，不需要报送书面报告。") % {"org": org.name}, field="org")
    if WrittenReport.objects.filter(round=round, org=org).exists():
        raise UserError(
            _("“%(org)s”的%(round)s书面报告已经开始撰写。") % {"org": org.name, "round": round.title}, field="round"
        )
    report = WrittenReport.objects.create(round=round, org=org)
    WrittenSection.objects.bulk_create(WrittenSection(report=report, aspect=aspect) for aspect in Aspect.values)
    audit.record(by, "ledger.written.create", report)
    return report


def _lock(report: WrittenReport, version: int | None) -> WrittenReport:
    """The report's row, locked and fresh; ConflictError when `version` is no longer current."""
    locked = lock_row(WrittenReport.objects.select_related("org", "round"), pk=report.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("该书面报告已被他人修改，请刷新后重试。"))
    return locked


def _ensure_editable(report: WrittenReport) -> None:
    if report.status not in WRITTEN_WORKFLOW.editable:
        raise UserError(
            _("书面报告当前状态为“%(status)s”，不能修改；退回或重新打开后才能修改。")
            % {"status": report.get_status_display()},
            field="status",
        )


def _bump(report: WrittenReport) -> None:
    """Raise the report's version: a section changed, so pages holding the old one must reload."""
    versioned_update(report, report.version, conflict_message=_("该书面报告已被他人修改，请刷新后重试。"))


@transaction.atomic
def section_save(*, by: Actor, section: WrittenSection, version: int, body: str) -> WrittenSection:
    """Save one aspect's text, cleaned to the allowed rich text (core.richtext); `version` is the report's."""
    ensure_allowed(by, Action.EDIT, section.report.org)
    report = _lock(section.report, version)
    _ensure_editable(report)
    cleaned = richtext.clean(body)
    if len(cleaned) > MAX_BODY_CHARS:
        raise UserError(
            _("“%(aspect)s”内容过长（不能超过 %(limit)d 个字符），请精简或改为附件。")
            % {"aspect": section.get_aspect_display(), "limit": MAX_BODY_CHARS},
            field="body",
        )
    section = WrittenSection.objects.select_for_update().get(pk=section.pk)
    before = {"aspect": section.aspect, "body": section.body}
    section.body = cleaned
    section.save(update_fields=["body", "updated_at"])
    _bump(report)
    audit.record(
        by, "ledger.written.save", report, before=before, after={"aspect": section.aspect, "body": cleaned},
        detail={"aspect": section.aspect},
    )  # fmt: skip
    section.report = report
    return section


@transaction.atomic
def section_attach(*, by: Actor, section: WrittenSection, upload) -> Document:
    """Keep an uploaded file (checked by content) in the ledger and attach it to one aspect."""
    ensure_allowed(by, Action.EDIT, section.report.org)
    report = _lock(section.report, None)
    _ensure_editable(report)
    document = document_add(by=by, org=report.org, kind=DocumentKind.REPORT, upload=upload)
    section.attachments.add(document)
    audit.record(
        by, "ledger.written.save", report, after={"aspect": section.aspect, "attachment": document.original_name},
        detail={"aspect": section.aspect, "attached": document.pk},
    )  # fmt: skip
    return document


@transaction.atomic
def section_detach(*, by: Actor, section: WrittenSection, document: Document) -> None:
    """Take a file off an aspect (the file stays in the ledger's records)."""
    ensure_allowed(by, Action.EDIT, section.report.org)
    report = _lock(section.report, None)
    _ensure_editable(report)
    if not section.attachments.filter(pk=document.pk).exists():
        raise UserError(_("该附件不属于这一方面。"), field="document")
    section.attachments.remove(document)
    audit.record(
        by, "ledger.written.save", report, before={"aspect": section.aspect, "attachment": document.original_name},
        after=None, detail={"aspect": section.aspect, "detached": document.pk},
    )  # fmt: skip


# --- Review ----------------------------------------------------------------------------------------------------


def ensure_reviewer(by: Actor, org: Organisation) -> None:
    """PermissionDenied unless the actor reviews `org` (REVIEW over its parent; never the org itself)."""
    if by.system_name:
        return
    if not may_review(by.user, org):
        raise PermissionDenied(_("只有上级工会或产改办可以审核“%(org)s”的书面报告。") % {"org": org.name})


def _clean_text(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_REASON_CHARS:
        raise UserError(
            _("%(label)s不能超过 %(limit)d 个字。") % {"label": label, "limit": MAX_REASON_CHARS}, field=field
        )
    return text


def _by_aspect(values: Mapping[Any, str] | None, field: str, label: str) -> dict[int, str]:
    """{aspect: text} from a mapping keyed by aspect number (as int or text); unknown aspects are refused."""
    found: dict[int, str] = {}
    for key, value in (values or {}).items():
        try:
            aspect = int(key)
        except (TypeError, ValueError):
            aspect = 0
        if aspect not in Aspect.values:
            raise UserError(_("方面“%(key)s”不存在，应为 1 到 9。") % {"key": key}, field=field)
        found[aspect] = _clean_text(value, f"{field}.{aspect}", label)
    return found


def _recipients_for_review(org: Organisation) -> list:
    """Who is told of a submission: the union administrators above the organisation, else the office."""
    from orgs.models import Membership
    from orgs.roles import OFFICE_ROLES

    steplen = Organisation.steplen
    above = [org.path[:n] for n in range(steplen, len(org.path), steplen)]
    memberships = Membership.objects.filter(
        org__path__in=above, role=Role.UNION_ADMIN, is_active=True, user__is_active=True
    ).select_related("user")
    users = {m.user_id: m.user for m in memberships}
    if not users:
        office = Membership.objects.filter(role__in=OFFICE_ROLES, is_active=True, user__is_active=True)
        users = {m.user_id: m.user for m in office.select_related("user")}
    return list(users.values())


def _recipients_in_org(org: Organisation) -> list:
    """Who is told of a return or acceptance: those who write the organisation's report."""
    from orgs.models import Membership

    memberships = Membership.objects.filter(
        org=org, role__in=(Role.REPORTER, Role.UNION_ADMIN), is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def _notify(users: list, *, report: WrittenReport, title: str, body: str) -> None:
    from reporting.services.notifications import deliver

    if users:
        deliver(users, title=title, body=body, url=reverse("ledger:written", kwargs={"pk": report.pk}))


def _missing_aspects(report: WrittenReport) -> list[int]:
    bodies = dict(report.sections.values_list("aspect", "body"))
    return [aspect for aspect in Aspect.values if not richtext.plain_text(bodies.get(aspect, ""))]


@transaction.atomic
def written_step(
    *,
    by: Actor,
    report: WrittenReport,
    step: str,
    version: int,
    reason: str = "",
    section_reasons: Mapping[Any, str] | None = None,
    section_comments: Mapping[Any, str] | None = None,
) -> WrittenReport:
    """Take `step` (submit, return, accept, reopen) on `report` along ledger.workflow.WRITTEN_WORKFLOW.

    A return needs a reason for the whole report or for at least one section (`section_reasons`,
    {aspect: reason}); reviewers may leave comments per section with any of their steps. Raises
    PermissionDenied (403) for someone not allowed the step, IllegalTransition / ConflictError (409) for
    a state that does not allow it or a stale version, UserError (400) for a missing reason or text.
    """
    try:
        definition = WRITTEN_WORKFLOW.step(step)
    except KeyError:
        raise UserError(_("操作“%(step)s”不存在。") % {"step": step}, field="step") from None
    org = report.org
    if definition.action == Action.REVIEW:
        ensure_reviewer(by, org)
    else:
        ensure_allowed(by, definition.action, org)
    report = _lock(report, version)
    WRITTEN_WORKFLOW.ensure_step(status=report.status, step=step, status_label=report.get_status_display())
    reason = _clean_text(reason, "reason", _("原因"))
    reasons = {a: r for a, r in _by_aspect(section_reasons, "section_reasons", _("退回原因")).items() if r}
    comments = _by_aspect(section_comments, "section_comments", _("审核意见"))
    if reasons and step != "return":
        raise UserError(_("只有退回时才能按方面填写退回原因。"), field="section_reasons")
    if comments and definition.action != Action.REVIEW:
        raise UserError(_("审核意见由审核单位填写。"), field="section_comments")
    if step == "return":
        if not reason and not reasons:
            raise UserError(definition.reason_missing, field="reason")
    else:
        reason = WRITTEN_WORKFLOW.clean_reason(step, reason)

    now = timezone.now()
    fields: dict[str, Any] = {}
    sections = report.sections.all()
    if step == "submit":
        missing = _missing_aspects(report)
        if missing:
            raise UserError(
                _("以下方面尚未填写：第%(aspects)s项。没有开展的工作请写明“无”或说明原因。")
                % {"aspects": "、".join(str(a) for a in missing)},
                field="sections",
            )
        sections.exclude(return_reason="").update(return_reason="")
        fields = {"submitted_at": now, "first_submitted_at": report.first_submitted_at or now, "accepted_at": None}
    elif step == "return":
        sections.exclude(return_reason="").update(return_reason="")
        for aspect, text in reasons.items():
            sections.filter(aspect=aspect).update(return_reason=text)
        fields = {"accepted_at": None}
    elif step == "accept":
        # Sealed in the same step, so the seal is in the acceptance's audit row (ledger/integrity.py).
        fields = {"accepted_at": now, **integrity.seal_fields(report)}
    elif step == "reopen":
        fields = {"accepted_at": None, **integrity.UNSEAL_FIELDS}
    for aspect, text in comments.items():
        sections.filter(aspect=aspect).update(comment=text)

    detail: dict[str, Any] = {}
    if reason:
        detail["reason"] = reason
    if reasons:
        detail["sections"] = {str(a): r for a, r in sorted(reasons.items())}
    if comments:
        detail["comments"] = {str(a): c for a, c in sorted(comments.items())}
    report = transition(
        workflow=WRITTEN_WORKFLOW,
        item=report,
        step=step,
        by=by,
        event=f"ledger.written.{step}",
        detail=detail or None,
        **fields,
    )
    recheck(org.pk)
    names = {"org": org.name, "round": report.round.title}
    if step == "submit":
        _notify(
            _recipients_for_review(org),
            report=report,
            title=_("待审核：%(org)s %(round)s书面报告") % names,
            body=_("%(org)s 已提交%(round)s九个方面书面报告，请审核。") % names,
        )
    elif step in ("return", "reopen"):
        lines = [reason] if reason else []
        lines += [f"{Aspect(a).label}：{r}" for a, r in sorted(reasons.items())]
        _notify(
            _recipients_in_org(org),
            report=report,
            title=_("书面报告被退回：%(round)s") % names
            if step == "return"
            else _("书面报告已重新打开：%(round)s") % names,
            body=_("%(org)s 的%(round)s书面报告需要修改后重新提交。") % names + "\n" + "\n".join(lines),
        )
    elif step == "accept":
        _notify(
            _recipients_in_org(org),
            report=report,
            title=_("书面报告已通过：%(round)s") % names,
            body=_("%(org)s 的%(round)s书面报告已审核通过。") % names,
        )
    return report


@transaction.atomic
def section_comment(*, by: Actor, section: WrittenSection, version: int, comment: str) -> WrittenSection:
    """A reviewer's comment on one aspect (empty clears it); `version` is the report's."""
    ensure_reviewer(by, section.report.org)
    report = _lock(section.report, version)
    if report.status == WrittenStatus.DRAFT:
        raise UserError(_("报告尚未提交，暂不能填写审核意见。"), field="comment")
    text = _clean_text(comment, "comment", _("审核意见"))
    section = WrittenSection.objects.select_for_update().get(pk=section.pk)
    before = {"aspect": section.aspect, "comment": section.comment}
    section.comment = text
    section.save(update_fields=["comment", "updated_at"])
    _bump(report)
    audit.record(
        by, "ledger.written.comment", report, before=before, after={"aspect": section.aspect, "comment": text},
        detail={"aspect": section.aspect},
    )  # fmt: skip
    section.report = report
    return section


def export_audit(by: Actor, *, report: WrittenReport | None = None, round: WrittenRound | None = None, count: int):  # noqa: A002
    """The audit row of a .docx export: one report, or a round's reports in the exporter's scope."""
    target = report if report is not None else round
    audit.record(
        by, "ledger.written.export", target, after=None,
        detail={"format": "docx", "reports": count, "round": (round or report.round).pk},
    )  # fmt: skip


def attachment_open(*, by: Actor, report: WrittenReport, document: Document):
    """Open an attached file for download (the caller fetched the report and the file through the door);
    audited, since attachments may carry names and figures of people."""
    ensure_allowed(by, Action.VIEW, report.org)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise UserError(_("附件文件已丢失，请联系管理员。"), field="document") from None
    audit.record(by, "ledger.document.download", document, after=None, detail={"report": report.pk})
    return handle
