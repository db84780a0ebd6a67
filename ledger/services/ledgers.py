"""Writes to an organisation's ledger: putting it on the ledger, plan / group / method, files, members, officers.

Every write checks the door (orgs.scoping.ensure_allowed on the ledger's organisation), validates
with a message that names the field, and leaves one audit row with the values before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, deadlines, pii
from core.actor import Actor
from core.errors import UserError
from core.models import versioned_update
from ledger.choices import DocumentKind, GroupRole, OfficerKind
from ledger.models import Document, GroupMember, Ledger, Officer, ReformSettings
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ensure_action, ensure_allowed, ensure_office

# Organisations that carry reform tasks: the provincial unions and the enterprises.
TASKED_KINDS = (OrgKind.UNION, OrgKind.ENTERPRISE)


def recheck(org_id: int) -> None:
    """The organisation's alerts are checked again once this write is committed (ledger.services.alerts)."""
    from ledger.services.alerts import recheck_after_commit

    recheck_after_commit(org_id)


def ensure_manager(by: Actor) -> None:
    """The reform office with the right to organise assessment and supervision (settings, rounds, alerts)."""
    ensure_office(by)
    ensure_action(by, Action.ASSESS_MANAGE)


@transaction.atomic
def settings_update(*, by: Actor, version: int, **fields: Any) -> ReformSettings:
    ensure_manager(by)
    current = ReformSettings.current()
    allowed = {"reform_start", "plan_deadline", "group_deadline", "idle_months", "lag_points"}
    unknown = set(fields) - allowed
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    if fields.get("plan_deadline") and fields["plan_deadline"] < fields.get("reform_start", current.reform_start):
        raise UserError(_("实施方案出台期限不能早于改革启动日期。"), field="plan_deadline")
    if fields.get("group_deadline") and fields["group_deadline"] < fields.get("reform_start", current.reform_start):
        raise UserError(_("领导小组成立期限不能早于改革启动日期。"), field="group_deadline")
    before = audit.snapshot(current)
    versioned_update(current, version, **fields)
    audit.record(by, "ledger.settings.update", current, before=before)
    return current


@transaction.atomic
def ledger_create(*, by: Actor, org: Organisation, listed_on: dt.date | None = None) -> Ledger:
    """Put `org` on the ledger (the office decides who carries reform tasks)."""
    ensure_manager(by)
    ensure_allowed(by, Action.VIEW, org)
    if org.kind not in TASKED_KINDS:
        raise UserError(
            _("只有省级产业系统公司工会和企业列入产改台账，“%(org)s”是%(kind)s。")
            % {"org": org.name, "kind": org.get_kind_display()},
            field="org",
        )
    if org.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能列入台账。") % {"org": org.name}, field="org")
    if Ledger.objects.filter(org=org).exists():
        raise UserError(_("“%(org)s”已列入台账。") % {"org": org.name}, field="org")
    ledger = Ledger.objects.create(org=org, listed_on=listed_on or ReformSettings.current().reform_start)
    audit.record(by, "ledger.ledger.create", ledger)
    return ledger


LEDGER_FIELDS = {
    "plan_issued_on",
    "plan_title",
    "plan_issuer",
    "plan_doc_number",
    "plan_document",
    "group_established_on",
    "group_doc_number",
    "group_document",
    "method_issued_on",
    "method_title",
    "method_doc_number",
    "method_document",
    "notes",
}


def _not_future(value: dt.date | None, field: str, label: str) -> None:
    if value is not None and value > deadlines.today():
        raise UserError(_("%(label)s不能晚于今天。") % {"label": label}, field=field)


@transaction.atomic
def ledger_update(*, by: Actor, ledger: Ledger, version: int, **fields: Any) -> Ledger:
    """Record the plan, the group or the method (any of LEDGER_FIELDS); 409 if someone saved meanwhile."""
    ensure_allowed(by, Action.EDIT, ledger.org)
    unknown = set(fields) - LEDGER_FIELDS
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    _not_future(fields.get("plan_issued_on"), "plan_issued_on", _("实施方案印发日期"))
    _not_future(fields.get("group_established_on"), "group_established_on", _("领导小组成立日期"))
    _not_future(fields.get("method_issued_on"), "method_issued_on", _("考核评价办法印发日期"))
    merged = {f: fields.get(f, getattr(ledger, f)) for f in ("plan_issued_on", "plan_doc_number", "plan_title")}
    if merged["plan_issued_on"] is None and (merged["plan_doc_number"] or merged["plan_title"]):
        raise UserError(_("填写了实施方案名称或文号，请同时填写印发日期。"), field="plan_issued_on")
    for key in ("plan_document", "group_document", "method_document"):
        document = fields.get(key)
        if document is not None and document.org_id != ledger.org_id:
            raise UserError(_("只能引用本单位上传的文件。"), field=key)
    before = audit.snapshot(ledger)
    versioned_update(
        ledger,
        version,
        conflict_message=_("该台账已被他人修改，请刷新后重试。"),
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
    )
    audit.record(by, "ledger.ledger.update", ledger, before=before)
    recheck(ledger.org_id)
    return ledger


@transaction.atomic
def document_add(*, by: Actor, org: Organisation, kind: str, upload) -> Document:
    """Keep an uploaded file in `org`'s ledger, checked by its content (core.files)."""
    from core.files import checked_upload, new_storage_name

    ensure_allowed(by, Action.EDIT, org)
    if kind not in DocumentKind.values:
        raise UserError(_("文件类型无效。"), field="kind")
    name, file_kind, digest = checked_upload(upload)
    document = Document(
        org=org,
        kind=kind,
        original_name=name,
        size=upload.size,
        content_type=file_kind.content_type,
        sha256=digest,
        uploaded_by=by.user,
    )
    document.file.save(new_storage_name(file_kind.extensions[0]), upload, save=False)
    document.save()
    audit.record(by, "ledger.document.add", document)
    return document


def _clean_person(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise UserError(_("请填写姓名。"), field=field)
    if len(name) > 100:
        raise UserError(_("姓名不能超过 100 个字。"), field=field)
    return name


def _check_user(user, ledger: Ledger) -> None:
    """A linked account must belong to someone who works in the ledger's organisation's subtree."""
    if user is None:
        return
    from orgs.models import Membership
    from orgs.scoping import within

    if not Membership.objects.filter(user=user, is_active=True).filter(within("org__path", [ledger.org.path])).exists():
        raise UserError(_("所选账号不在本单位（含下属单位），请改选或只填写姓名。"), field="user")


@transaction.atomic
def member_add(
    *, by: Actor, ledger: Ledger, name: str, role: str, joined_on: dt.date, position: str = "", user=None
) -> GroupMember:
    ensure_allowed(by, Action.EDIT, ledger.org)
    if role not in GroupRole.values:
        raise UserError(_("请选择组内职务。"), field="role")
    _check_user(user, ledger)
    _not_future(joined_on, "joined_on", _("起始日期"))
    member = GroupMember.objects.create(
        ledger=ledger,
        name=_clean_person(name),
        role=role,
        joined_on=joined_on,
        position=(position or "").strip()[:200],
        user=user,
    )
    audit.record(by, "ledger.member.add", member)
    recheck(ledger.org_id)
    return member


def _end(by: Actor, row: GroupMember | Officer, left_on: dt.date, *, started: dt.date) -> dict:
    """Close a dated membership (a group member's, an officer's) on `left_on`: the row stays as history.
    Returns the row's values before, for the caller's audit row."""
    ensure_allowed(by, Action.EDIT, row.ledger.org)
    if row.left_on is not None:
        raise UserError(_("“%(name)s”已于 %(day)s 离任。") % {"name": row.name, "day": row.left_on}, field="left_on")
    if left_on < started:
        raise UserError(_("终止日期不能早于起始日期（%(day)s）。") % {"day": started}, field="left_on")
    before = audit.snapshot(row)
    row.left_on = left_on
    row.save(update_fields=["left_on"])
    recheck(row.ledger.org_id)
    return before


@transaction.atomic
def member_end(*, by: Actor, member: GroupMember, left_on: dt.date) -> GroupMember:
    """A leading-group member leaves on `left_on`."""
    before = _end(by, member, left_on, started=member.joined_on)
    audit.record(by, "ledger.member.end", member, before=before)
    return member


@transaction.atomic
def officer_add(
    *,
    by: Actor,
    ledger: Ledger,
    kind: str,
    name: str,
    started_on: dt.date,
    position: str = "",
    phone: str = "",
    email: str = "",
    user=None,
) -> Officer:
    """Name an information officer or liaison from `started_on`; earlier ones stay as history."""
    ensure_allowed(by, Action.EDIT, ledger.org)
    if kind not in OfficerKind.values:
        raise UserError(_("请选择信息员或联络员。"), field="kind")
    _check_user(user, ledger)
    _not_future(started_on, "started_on", _("起始日期"))
    officer = Officer.objects.create(
        ledger=ledger,
        kind=kind,
        name=_clean_person(name),
        position=(position or "").strip()[:200],
        phone=pii.clean_phone(phone),
        email=pii.clean_email(email),
        started_on=started_on,
        user=user,
    )
    audit.record(by, "ledger.officer.add", officer)
    recheck(ledger.org_id)
    return officer


@transaction.atomic
def officer_end(*, by: Actor, officer: Officer, left_on: dt.date) -> Officer:
    """An information officer or liaison leaves on `left_on`."""
    before = _end(by, officer, left_on, started=officer.started_on)
    audit.record(by, "ledger.officer.end", officer, before=before)
    return officer
