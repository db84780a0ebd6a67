"""Writing cases: create, edit while a draft or returned, attach files, and take the workflow's steps.

Every write checks the actor's right on the case's organisation itself (EDIT to write and submit, ACCEPT for the
office's return, publish and withdraw), locks the case row first (core.db.lock_row), checks the version the
person loaded (409 if someone saved meanwhile), and audits last, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CaseStatus, KeyTask
from cases.models import Case, CaseFile, Topic, tasks_field
from cases.workflow import CASE_WORKFLOW, permission_for
from core import attachments, audit, deadlines, richtext
from core.actor import Actor
from core.cleaning import clean_text
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ensure_allowed

MAX_TITLE = 120
MAX_SUMMARY = 300
MAX_BODY_CHARS = 60_000
MAX_REASON = 1_000
MAX_FILES = 20
FIRST_YEAR = 2000
SOURCE_KINDS = (OrgKind.ENTERPRISE, OrgKind.UNIT, OrgKind.UNION, OrgKind.PREFECTURE, OrgKind.OFFICE)
FIELDS = ("org", "title", "year", "summary", "body", "tasks", "topics", "author_name", "author_position")


def _text(value: Any, field: str, label: str, limit: int, *, required: bool = False) -> str:
    return clean_text(value, field=field, label=label, limit=limit, required=required)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """The case's fields stripped and checked, each problem naming its field in Chinese."""
    org = fields["org"]
    if not isinstance(org, Organisation):
        raise UserError(_("请选择案例来源单位。"), field="org")
    if org.kind not in SOURCE_KINDS:
        raise UserError(
            _("“%(org)s”是%(kind)s，案例来源应为企业、基层单位、产业系统公司工会或州市。")
            % {"org": org.name, "kind": org.get_kind_display()},
            field="org",
        )
    if org.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能作为案例来源。") % {"org": org.name}, field="org")
    year = fields["year"]
    this_year = deadlines.today().year
    if isinstance(year, str) and year.strip().isdigit() and year.strip().isascii():
        year = int(year.strip())
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= this_year:
        raise UserError(
            _("年度应为 %(first)d 至 %(last)d 之间的年份。") % {"first": FIRST_YEAR, "last": this_year}, field="year"
        )
    body = richtext.clean(fields["body"] or "")
    if len(body) > MAX_BODY_CHARS:
        raise UserError(
            _("正文过长（不能超过 %(limit)d 个字符），请精简或改为附件。") % {"limit": MAX_BODY_CHARS}, field="body"
        )
    tasks = list(fields["tasks"] or [])
    unknown = [t for t in tasks if t not in KeyTask.values]
    if unknown:
        raise UserError(_("重点任务“%(task)s”不存在。") % {"task": unknown[0]}, field="tasks")
    topics = list(fields["topics"] or [])
    topic_ids = {t.pk if isinstance(t, Topic) else t for t in topics}
    found = list(Topic.objects.filter(pk__in=[t for t in topic_ids if isinstance(t, int)]))
    if len(found) != len(topic_ids):
        raise UserError(_("所选专题不存在，请刷新页面后重新选择。"), field="topics")
    return {
        "org": org,
        "title": _text(fields["title"], "title", _("标题"), MAX_TITLE, required=True),
        "year": year,
        "summary": _text(fields["summary"], "summary", _("摘要"), MAX_SUMMARY, required=True),
        "body": body,
        "body_text": richtext.plain_text(body),
        "tasks": tasks_field(tasks),
        "topics": found,
        "author_name": _text(fields["author_name"], "author_name", _("撰写人"), 40),
        "author_position": _text(fields["author_position"], "author_position", _("撰写人职务"), 60),
    }


def _snapshot(case: Case) -> dict[str, Any]:
    """What the audit row keeps of a case's content (the body as text, topics by name)."""
    return {
        "org": case.org.code,
        "title": case.title,
        "year": case.year,
        "summary": case.summary,
        "body": case.body,
        "tasks": case.task_values,
        "topics": sorted(case.topics.values_list("name", flat=True)),
        "author_name": case.author_name,
        "author_position": case.author_position,
        "status": case.status,
    }


@atomic_retrying
def case_create(
    *,
    by: Actor,
    org: Organisation,
    title: str,
    year: int,
    summary: str,
    body: str = "",
    tasks: Iterable[str] = (),
    topics: Iterable[Topic | int] = (),
    author_name: str = "",
    author_position: str = "",
) -> Case:
    """A new draft case of `org` (EDIT on `org`)."""
    ensure_allowed(by, Action.EDIT, org)
    data = _clean(
        {"org": org, "title": title, "year": year, "summary": summary, "body": body, "tasks": tasks,
         "topics": topics, "author_name": author_name, "author_position": author_position}
    )  # fmt: skip
    topic_rows = data.pop("topics")
    case = Case.objects.create(**data, created_by=by.user)
    case.topics.set(topic_rows)
    audit.record(by, "cases.case.create", case, before=None, after=_snapshot(case))
    return case


def _lock(case: Case, version: int | None) -> Case:
    locked = lock_row(Case.objects.select_related("org"), pk=case.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("该案例已被他人修改，请刷新后重试。"))
    return locked


def _ensure_editable(case: Case) -> None:
    if case.status not in CASE_WORKFLOW.editable:
        raise UserError(
            _("案例当前状态为“%(status)s”，不能修改；只有草稿和退回修改的案例可以修改。")
            % {"status": case.get_status_display()},
            field="status",
        )


@atomic_retrying
def case_update(*, by: Actor, case: Case, version: int, **fields: Any) -> Case:
    """Change a draft or returned case; moving it to another organisation needs EDIT there too."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    ensure_allowed(by, Action.EDIT, case.org)
    case = _lock(case, version)
    _ensure_editable(case)
    current = {
        "org": case.org, "title": case.title, "year": case.year, "summary": case.summary, "body": case.body,
        "tasks": case.task_values, "topics": list(case.topics.all()), "author_name": case.author_name,
        "author_position": case.author_position,
    }  # fmt: skip
    data = _clean({**current, **fields})
    if data["org"].pk != case.org_id:
        ensure_allowed(by, Action.EDIT, data["org"])
    before = _snapshot(case)
    topic_rows = data.pop("topics")
    versioned_update(case, version, conflict_message=_("该案例已被他人修改，请刷新后重试。"), **data)
    case.topics.set(topic_rows)
    audit.record(by, "cases.case.update", case, before=before, after=_snapshot(case))
    return case


@atomic_retrying
def case_delete(*, by: Actor, case: Case, version: int) -> None:
    """Delete a draft that was never submitted (its files go with it)."""
    ensure_allowed(by, Action.EDIT, case.org)
    case = _lock(case, version)
    if case.status != CaseStatus.DRAFT or case.submitted_at is not None:
        raise UserError(_("只有从未提交过的草稿可以删除。"), field="status")
    before = _snapshot(case)
    audit.record(by, "cases.case.delete", case, before=before, after=None)
    for row in case.files.all():
        row.file.delete(save=False)
    case.files.all().delete()
    case.topics.clear()
    case.delete()


# --- Files --------------------------------------------------------------------------------------------------------


@atomic_retrying
def file_add(*, by: Actor, case: Case, upload, images_only: bool = False) -> CaseFile:
    """Attach a file or photo (checked by content; photos stripped of their location) to an editable case."""
    ensure_allowed(by, Action.EDIT, case.org)
    case = _lock(case, None)
    _ensure_editable(case)
    if case.files.count() >= MAX_FILES:
        raise UserError(_("每个案例最多 %(n)d 个附件。") % {"n": MAX_FILES}, field="file")
    row = attachments.keep(CaseFile(case=case), upload, by_user=by.user, images_only=images_only)
    audit.record(by, "cases.file.add", case, before=None, after={"file": row.original_name, "size": row.size},
                 detail={"file": row.pk})  # fmt: skip
    return row


@atomic_retrying
def file_remove(*, by: Actor, row: CaseFile) -> None:
    """Take a file off an editable case (the stored file is deleted with it)."""
    case = row.case
    ensure_allowed(by, Action.EDIT, case.org)
    case = _lock(case, None)
    _ensure_editable(case)
    name = row.original_name
    audit.record(by, "cases.file.remove", case, before={"file": name}, after=None, detail={"file": row.pk})
    stored = row.file
    row.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


# --- Workflow -----------------------------------------------------------------------------------------------------


def _notify(users, *, case: Case, title: str, body: str) -> None:
    from reporting.services.notifications import deliver

    if users:
        deliver(users, title=title, body=body, url=reverse("cases:detail", args=[case.pk]))


def _editors_of(org: Organisation) -> list:
    from orgs.choices import Role
    from orgs.models import Membership

    rows = Membership.objects.filter(
        org=org, role__in=(Role.REPORTER, Role.UNION_ADMIN), is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in rows}.values())


def _office() -> list:
    from orgs.models import Membership
    from orgs.roles import OFFICE_ROLES

    rows = Membership.objects.filter(role__in=OFFICE_ROLES, is_active=True, user__is_active=True)
    return list({m.user_id: m.user for m in rows.select_related("user")}.values())


@atomic_retrying
def case_step(*, by: Actor, case: Case, step: str, version: int, reason: str = "") -> Case:
    """Take `step` (submit, return, publish, withdraw) on `case` along cases.workflow.CASE_WORKFLOW.

    PermissionDenied (403) for someone without the step's action on the case's organisation, IllegalTransition
    or ConflictError (409) for a state that does not allow it or a stale version, UserError (400) for a missing
    reason or an incomplete case.
    """
    try:
        definition = CASE_WORKFLOW.step(step)
    except KeyError:
        raise UserError(_("操作“%(step)s”不存在。") % {"step": step}, field="step") from None
    ensure_allowed(by, definition.action, case.org)
    case = _lock(case, version)
    CASE_WORKFLOW.ensure_step(status=case.status, step=step, status_label=case.get_status_display())
    reason = _text(reason, "reason", _("原因"), MAX_REASON)
    reason = CASE_WORKFLOW.clean_reason(step, reason)
    now = timezone.now()
    fields: dict[str, Any] = {}
    if step == "submit":
        if not case.body_text:
            raise UserError(_("请先填写案例正文再提交。"), field="body")
        if not case.task_values and not case.topics.exists():
            raise UserError(_("请至少选择一项重点任务或一个专题，便于检索。"), field="tasks")
        fields = {"submitted_at": now, "reason": ""}
    elif step == "publish":
        fields = {"published_at": now, "published_on": deadlines.today(now), "reason": ""}
    elif step in ("return", "withdraw"):
        fields = {"reason": reason}
    transition(
        workflow=CASE_WORKFLOW, item=case, step=step, by=by, event=f"cases.case.{step}",
        detail={"reason": reason} if reason else None, **fields,
    )  # fmt: skip
    names = {"title": case.title, "org": case.org.name}
    if step == "submit":
        _notify(_office(), case=case, title=_("待审核案例：%(title)s") % names,
                body=_("%(org)s 提交了案例《%(title)s》，请审核发布。") % names)  # fmt: skip
    elif step == "return":
        _notify(_editors_of(case.org), case=case, title=_("案例被退回修改：%(title)s") % names,
                body=_("案例《%(title)s》需要修改后重新提交。退回原因：") % names + reason)  # fmt: skip
    elif step == "publish":
        _notify(_editors_of(case.org), case=case, title=_("案例已发布：%(title)s") % names,
                body=_("案例《%(title)s》已在案例库发布，全省可见。") % names)  # fmt: skip
    elif step == "withdraw":
        _notify(_editors_of(case.org), case=case, title=_("案例已撤回：%(title)s") % names,
                body=_("案例《%(title)s》已从案例库撤回。撤回原因：") % names + reason)  # fmt: skip
    return case


def may(user, case: Case) -> list[str]:
    """The steps `user` may take on `case` now (for buttons and the API)."""
    return CASE_WORKFLOW.available(case.status, permission_for(user, case.org))


def export_audit(by: Actor, *, case: Case | None = None, count: int = 1, fmt: str = "docx", query: str = "") -> None:
    """The audit row of an export: one case as Word, or the library's current result as .xlsx."""
    if case is not None:
        audit.record(by, "cases.case.export", case, after=None, detail={"format": fmt})
    else:
        audit.record(by, "cases.library.export", None, after=None, detail={"format": fmt, "rows": count, "q": query})
