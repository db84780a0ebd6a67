"""Information submissions (信息报送): write, attach, submit; the office takes, returns, accepts or declines.

- An organisation's information officer (or a union administrator above it) writes an item
  (`submission_create`, `submission_update` while it is a draft or returned), attaches photos and files
  (`submission_attach`, core.attachments: photos without their location) and submits it.
- The office's editor takes it (`take`), returns it for changes or declines it with a reason, or accepts it
  into a draft issue (`accept`, with `issue=`): it becomes the issue's last article and points at the issue.

Each step locks the item's row first (core.db.lock_row), checks the version (409 when someone saved it
meanwhile) and audits last; the entry points retry on a deadlock (core.db.atomic_retrying).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from core import attachments, audit, richtext
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.models import Organisation
from publishing.choices import IssueStatus, SubmissionKind
from publishing.models import Issue, Submission, SubmissionFile
from publishing.queries import is_editor, may_submit
from publishing.workflow import SUBMISSION_WORKFLOW

MAX_TITLE = 200
MAX_AUTHOR = 100
MAX_BODY_CHARS = 50_000
MAX_REASON_CHARS = 2_000
MAX_FILES = 20


def ensure_submitter(by: Actor, org: Organisation) -> None:
    """PermissionDenied unless the actor writes `org`'s submissions (or is the system)."""
    if by.system_name:
        return
    if not may_submit(by.user, org):
        raise PermissionDenied(_("只有“%(org)s”的信息员或上级工会管理员可以报送信息。") % {"org": org.name})


def ensure_editor(by: Actor) -> None:
    """PermissionDenied unless the actor edits the newsletter (the office)."""
    if by.system_name:
        return
    if not is_editor(by.user):
        raise PermissionDenied(_("只有产改办编辑可以处理报送信息和编辑快报。"))


def clean_fields(*, kind: Any, title: Any, body: Any, author: Any) -> dict[str, str]:
    """The item's fields stripped and checked, each problem naming its field."""
    kind = str(kind or "").strip()
    if kind not in SubmissionKind.values:
        raise UserError(
            _("类别“%(kind)s”不存在，应为：%(choices)s。")
            % {"kind": kind, "choices": "、".join(str(c.label) for c in SubmissionKind)},
            field="kind",
        )
    title = " ".join(str(title or "").split())
    if not title:
        raise UserError(_("请填写标题。"), field="title")
    if len(title) > MAX_TITLE:
        raise UserError(_("标题不能超过 %(n)d 个字。") % {"n": MAX_TITLE}, field="title")
    author = " ".join(str(author or "").split())
    if len(author) > MAX_AUTHOR:
        raise UserError(_("作者不能超过 %(n)d 个字。") % {"n": MAX_AUTHOR}, field="author")
    cleaned = richtext.clean(str(body or ""))
    if len(cleaned) > MAX_BODY_CHARS:
        raise UserError(
            _("正文过长（不能超过 %(n)d 个字符），请精简或改为附件。") % {"n": MAX_BODY_CHARS}, field="body"
        )
    return {"kind": kind, "title": title, "body": cleaned, "author": author}


@atomic_retrying
def submission_create(
    *, by: Actor, org: Organisation, kind: str, title: str, body: str = "", author: str = "", submit: bool = False
) -> Submission:
    """A new item of `org` (a draft; submitted at once with `submit`)."""
    ensure_submitter(by, org)
    fields = clean_fields(kind=kind, title=title, body=body, author=author)
    if by.user is None:
        raise UserError(_("报送信息必须由登录用户填写。"))
    submission = Submission.objects.create(org=org, created_by=by.user, **fields)
    audit.record(by, "publishing.submission.create", submission)
    if submit:
        submission = _step(by=by, submission=submission, step="submit", version=submission.version)
    return submission


def _lock(submission: Submission, version: int | None) -> Submission:
    locked = lock_row(Submission.objects.select_related("org"), pk=submission.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("该报送信息已被他人修改，请刷新后重试。"))
    return locked


def _ensure_editable(submission: Submission) -> None:
    if submission.status not in SUBMISSION_WORKFLOW.editable:
        raise UserError(
            _("报送信息当前状态为“%(status)s”，不能修改；退回修改后才能修改。")
            % {"status": submission.get_status_display()},
            field="status",
        )


@atomic_retrying
def submission_update(*, by: Actor, submission: Submission, version: int, **fields: Any) -> Submission:
    """Change a draft's or a returned item's kind, title, body or author."""
    ensure_submitter(by, submission.org)
    unknown = set(fields) - {"kind", "title", "body", "author"}
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    submission = _lock(submission, version)
    _ensure_editable(submission)
    merged = {name: fields.get(name, getattr(submission, name)) for name in ("kind", "title", "body", "author")}
    cleaned = clean_fields(**merged)
    before = audit.snapshot(submission)
    versioned_update(submission, version, conflict_message=_("该报送信息已被他人修改，请刷新后重试。"), **cleaned)
    audit.record(by, "publishing.submission.update", submission, before=before)
    return submission


@atomic_retrying
def submission_attach(*, by: Actor, submission: Submission, upload, photo: bool = False) -> SubmissionFile:
    """Keep a photo (JPEG/PNG, without its location) or a file with an editable item."""
    ensure_submitter(by, submission.org)
    submission = _lock(submission, None)
    _ensure_editable(submission)
    if submission.files.count() >= MAX_FILES:
        raise UserError(_("每条信息最多 %(n)d 个照片和附件。") % {"n": MAX_FILES}, field="file")
    row = SubmissionFile(submission=submission, is_photo=photo)
    attachments.keep(row, upload, by_user=by.user, images_only=photo)
    versioned_update(submission, submission.version)
    audit.record(
        by, "publishing.submission.attach", submission, before=None,
        after={"file": row.original_name, "photo": photo, "sha256": row.sha256}, detail={"file": row.pk},
    )  # fmt: skip
    return row


@atomic_retrying
def submission_detach(*, by: Actor, submission: Submission, file: SubmissionFile) -> None:
    ensure_submitter(by, submission.org)
    submission = _lock(submission, None)
    _ensure_editable(submission)
    if file.submission_id != submission.pk:
        raise UserError(_("该附件不属于这条信息。"), field="file")
    name = file.original_name
    file.file.delete(save=False)
    file.delete()
    versioned_update(submission, submission.version)
    audit.record(by, "publishing.submission.detach", submission, before={"file": name}, after=None)


def file_open(*, by: Actor, submission: Submission, file: SubmissionFile) -> None:
    """Audit a download of a submission's file (the caller fetched both through the door)."""
    audit.record(by, "publishing.submission.download", submission, after=None, detail={"file": file.original_name})


@atomic_retrying
def submission_step(
    *, by: Actor, submission: Submission, step: str, version: int, reason: str = "", issue: Issue | None = None
) -> Submission:
    """Take `step` (submit, take, return, accept, decline) along publishing.workflow.SUBMISSION_WORKFLOW.

    `accept` needs a draft `issue` to carry the item; `return` and `decline` need a reason.
    PermissionDenied (403) for someone not allowed the step, IllegalTransition/ConflictError (409) for a state
    that does not allow it or a stale version, UserError (400) for a missing reason or issue.
    """
    return _step(by=by, submission=submission, step=step, version=version, reason=reason, issue=issue)


def _step(*, by, submission, step, version, reason="", issue=None) -> Submission:
    try:
        definition = SUBMISSION_WORKFLOW.step(step)
    except KeyError:
        raise UserError(_("操作“%(step)s”不存在。") % {"step": step}, field="step") from None
    from orgs.choices import Action

    if definition.action == Action.REVIEW:
        ensure_editor(by)
    else:
        ensure_submitter(by, submission.org)
    text = str(reason or "").strip()
    if len(text) > MAX_REASON_CHARS:
        raise UserError(_("原因不能超过 %(n)d 个字。") % {"n": MAX_REASON_CHARS}, field="reason")
    text = SUBMISSION_WORKFLOW.clean_reason(step, text)
    if step == "accept" and issue is None:
        raise UserError(_("请选择采用到哪一期快报。"), field="issue")
    if issue is not None:
        issue = lock_row(Issue.objects.select_related("series"), pk=issue.pk)
        if issue.status != IssueStatus.DRAFT:
            raise UserError(
                _("“%(issue)s”已定稿，不能再加入文章；请选择草稿状态的快报。") % {"issue": issue}, field="issue"
            )
    submission = _lock(submission, version)
    SUBMISSION_WORKFLOW.ensure_step(status=submission.status, step=step, status_label=submission.get_status_display())
    now = timezone.now()
    fields: dict[str, Any] = {}
    if step == "submit":
        if not richtext.plain_text(submission.body) and not submission.files.exists():
            raise UserError(_("请先填写正文或上传照片、附件，再报送。"), field="body")
        fields = {"submitted_at": now, "first_submitted_at": submission.first_submitted_at or now, "reason": ""}
    elif step == "take":
        fields = {"editor": by.user}
    elif step in ("return", "decline"):
        fields = {"reason": text, "decided_at": now, "editor": by.user or submission.editor}
    elif step == "accept":
        from publishing.services.issues import add_article_from

        add_article_from(issue=issue, submission=submission)
        fields = {"issue": issue, "decided_at": now, "reason": "", "editor": by.user or submission.editor}
    detail: dict[str, Any] = {}
    if text:
        detail["reason"] = text
    if issue is not None:
        detail["issue"] = issue.pk
    return transition(
        workflow=SUBMISSION_WORKFLOW, item=submission, step=step, by=by, event=f"publishing.submission.{step}",
        detail=detail or None, **fields,
    )  # fmt: skip
