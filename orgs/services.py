"""Writes to the organisation tree, memberships and assignments; each audited in its transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.credentials import credentials_end
from core.errors import ConflictError, UserError
from core.models import versioned_update
from orgs.choices import Action, OrgKind, Role
from orgs.models import Assignment, Membership, Organisation, OrgLink
from orgs.pinyin import initials
from orgs.roles import ACCOUNT_MANAGERS, GRANTABLE, REQUESTABLE, SEPARATED_ADMIN_ROLES
from orgs.scoping import _active_memberships, clear_scope_cache, ensure_allowed, in_subtree, scope_path, within

ORG_EDITABLE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "ownership",
    "industry",
    "region",
    "credit_code",
    "opened_on",
    "notes",
)


def _validate(org: Organisation, *, unique: bool = True) -> None:
    try:
        org.full_clean(exclude=["path", "depth", "numchild"], validate_unique=unique)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        label = org._meta.get_field(field).verbose_name if field != "__all__" else ""
        text = "；".join(messages)
        raise UserError(f"{label}：{text}" if label else text, field=field) from error


@transaction.atomic
def org_create(*, by: Actor, parent: Organisation, code: str, name: str, kind: str, **fields: Any) -> Organisation:
    """Add an organisation under `parent`, with its first parent link from its opening day."""
    ensure_allowed(by, Action.ORG_MANAGE, parent)
    if Organisation.objects.filter(code=code).exists():
        raise UserError(_("机构代码“%(code)s”已被使用。") % {"code": code}, field="code")
    org = _new_organisation(parent, code, name, kind, fields, unique=True)
    parent.refresh_from_db()
    org = Organisation.objects.add_child(parent, instance=org)
    OrgLink.objects.create(org=org, parent=parent, valid_from=org.opened_on or deadlines.today())
    audit.record(by, "orgs.organisation.create", org)
    return org


def _new_organisation(
    parent: Organisation, code: str, name: str, kind: str, fields: Mapping[str, Any], *, unique: bool
) -> Organisation:
    """The unsaved organisation, checked as every new one is (the parent open, not a second province, the
    model's own rules; its code's uniqueness too unless the caller checked it)."""
    if parent.is_closed:
        raise UserError(_("上级机构“%(name)s”已撤销，不能在其下新增机构。") % {"name": parent.name})
    if kind == OrgKind.PROVINCE:
        raise UserError(_("只有根机构（省）的类型是“省”，其他机构不能改为“省”。"), field="kind")
    org = Organisation(code=code, name=name, kind=kind, **fields)
    org.pinyin_initials = initials(name)
    _validate(org, unique=unique)
    return org


@dataclasses.dataclass(frozen=True)
class NewOrganisation:
    """One organisation for orgs_create_many, under `parent`: the code of an existing organisation or of one
    listed before it in the same call."""

    parent: str
    code: str
    name: str
    kind: str
    fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class CreateRefused(UserError):
    """orgs_create_many refused the item at `index` (nothing was written)."""

    def __init__(self, index: int, error: UserError | PermissionDenied):
        self.index = index
        message = error.message if isinstance(error, UserError) else str(error.args[0] if error.args else error)
        super().__init__(message, field=getattr(error, "field", None))


@transaction.atomic
def orgs_create_many(
    *, by: Actor, items: Sequence[NewOrganisation], parents: Mapping[str, Organisation]
) -> dict[str, Organisation]:
    """Add many organisations at once (an import), each as org_create adds one: the same checks, its first
    parent link and its own audit row; written as sets: the codes checked in one query, each existing
    parent locked and its last child read once, the paths numbered in memory, one INSERT per table, the
    existing parents' child counts in one UPDATE each, the audit rows chained together.

    `parents` holds the existing organisations the items hang under, by code. Returns the new organisations
    by code. CreateRefused names the first item refused.
    """
    taken = set(Organisation.objects.filter(code__in=[item.code for item in items]).values_list("code", flat=True))
    locked = {
        org.pk: org
        for org in Organisation.objects.select_for_update().filter(
            pk__in=[parents[item.parent].pk for item in items if item.parent in parents]
        )
    }
    allowed: set[int] = set()
    last_step: dict[str, int] = {}  # parent path → the step number of its last child so far
    created: dict[str, Organisation] = {}
    for index, item in enumerate(items):
        try:
            if item.parent in created:
                parent = created[item.parent]
            else:
                parent = locked.get(parents[item.parent].pk) if item.parent in parents else None
            if parent is None:
                raise UserError(_("找不到上级机构“%(code)s”。") % {"code": item.parent})
            if item.parent not in created and parent.pk not in allowed:
                ensure_allowed(by, Action.ORG_MANAGE, parent)  # a new one is inside an allowed parent's subtree
                allowed.add(parent.pk)
            if item.code in taken or item.code in created:
                raise UserError(_("机构代码“%(code)s”已被使用。") % {"code": item.code}, field="code")
            org = _new_organisation(parent, item.code, item.name, item.kind, item.fields, unique=False)
        except (UserError, PermissionDenied) as error:
            raise CreateRefused(index, error) from error
        if parent.path not in last_step:  # where treebeard's add_child would place the next child
            last = None if item.parent in created else Organisation.objects.get_last_child(parent)
            last_step[parent.path] = last._get_lastpos_in_path() if last else 0
        last_step[parent.path] += 1
        org.depth = parent.depth + 1
        org.path = Organisation._get_path(parent.path, org.depth, last_step[parent.path])
        if len(org.path) > Organisation._meta.get_field("path").max_length:
            raise CreateRefused(index, UserError(_("机构层级过深，不能再向下新增。")))
        org.numchild = 0
        parent.numchild += 1
        created[item.code] = org
    orgs = list(created.values())
    Organisation.objects.bulk_create(orgs, batch_size=500)
    for parent in locked.values():
        added = sum(1 for org in orgs if org.path[: -Organisation.steplen] == parent.path)
        if added:
            Organisation.objects.filter(pk=parent.pk).update(numchild=F("numchild") + added)
    by_path = {org.path: org for org in [*locked.values(), *orgs]}
    OrgLink.objects.bulk_create(
        [
            OrgLink(
                org=org,
                parent=by_path[org.path[: -Organisation.steplen]],
                valid_from=org.opened_on or deadlines.today(),
            )
            for org in orgs
        ],
        batch_size=500,
    )
    with audit.batched():
        for org in orgs:
            audit.record(by, "orgs.organisation.create", org)
    return created


@transaction.atomic
def root_create(*, by: Actor, code: str, name: str) -> Organisation:
    """The province at the root of a fresh installation's tree (there is one root; the rest hangs below it)."""
    code, name = (code or "").strip(), (name or "").strip()
    if Organisation.objects.get_root_nodes().exists():
        raise UserError(_("已经有根机构，不能再建；其他机构请建在根机构之下。"))
    if not code or not name:
        raise UserError(_("请填写根机构（省）的机构代码和名称，例如 530000 云南省。"))
    org = Organisation(code=code, name=name, kind=OrgKind.PROVINCE)
    org.pinyin_initials = initials(name)
    _validate(org)
    org = Organisation.objects.add_root(instance=org)
    audit.record(by, "orgs.organisation.create", org)
    return org


@transaction.atomic
def org_update(*, by: Actor, org: Organisation, version: int, **changes: Any) -> Organisation:
    """Change an organisation's attributes; refuses a stale version (ConflictError)."""
    ensure_allowed(by, Action.ORG_MANAGE, org)
    unknown = set(changes) - set(ORG_EDITABLE_FIELDS)
    if unknown:
        raise UserError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if "kind" in changes and (changes["kind"] == OrgKind.PROVINCE) != (org.depth == 1):
        raise UserError(_("只有根机构（省）的类型是“省”，其他机构不能改为“省”。"), field="kind")
    before = audit.snapshot(org)
    for name, value in changes.items():
        setattr(org, name, value)
    org.pinyin_initials = initials(org.name)
    _validate(org)
    values = {name: getattr(org, name) for name in changes}
    values["pinyin_initials"] = org.pinyin_initials
    versioned_update(org, version, conflict_message=_("该机构已被他人修改，请刷新后重试。"), **values)
    audit.record(by, "orgs.organisation.update", org, before=before)
    return org


# Sent inside the transaction of a move or closing, with `org` and `on` (the day it takes effect, possibly in
# the past), so figures other apps rolled up along the tree as it stood (analytics' aggregates) are re-placed
# in the same transaction. orgs sends it and knows nothing of who listens.
tree_changed = Signal()


def _current_link(org: Organisation) -> OrgLink | None:
    return OrgLink.objects.select_for_update().filter(org=org, valid_to__isnull=True).first()


@transaction.atomic
def org_move(*, by: Actor, org: Organisation, new_parent: Organisation, on: dt.date, version: int) -> Organisation:
    """Move `org` (with its subtree) under `new_parent` from date `on`; the old link is kept, ended on `on`."""
    ensure_allowed(by, Action.ORG_MANAGE, org)
    ensure_allowed(by, Action.ORG_MANAGE, new_parent)
    org.refresh_from_db()
    new_parent.refresh_from_db()
    if org.version != version:
        raise ConflictError(_("该机构已被他人修改，请刷新后重试。"))
    if in_subtree(new_parent, org):
        raise UserError(_("不能把机构迁移到它自己或它的下级机构之下。"))
    if new_parent.is_closed:
        raise UserError(_("目标上级机构“%(name)s”已撤销。") % {"name": new_parent.name})
    link = _current_link(org)
    if link is not None and link.parent_id == new_parent.pk:
        raise UserError(_("该机构已在“%(name)s”之下。") % {"name": new_parent.name})
    if link is not None:
        if on <= link.valid_from:
            raise UserError(_("迁移日期必须晚于当前隶属关系的起始日期（%(date)s）。") % {"date": link.valid_from})
        link.valid_to = on
        link.save(update_fields=["valid_to"])
    before = audit.snapshot(org)
    before["parent"] = link.parent.code if link and link.parent else None
    OrgLink.objects.create(org=org, parent=new_parent, valid_from=on)
    Organisation.objects.move(org, new_parent, pos="last-child")
    Organisation.objects.filter(pk=org.pk).update(version=F("version") + 1, updated_at=timezone.now())
    org.refresh_from_db()
    after = audit.snapshot(org)
    after["parent"] = new_parent.code
    audit.record(by, "orgs.organisation.move", org, before=before, after=after, detail={"on": on})
    tree_changed.send(sender=Organisation, org=org, on=on)
    return org


# Apps that keep dated records of an organisation tell the tree about them, so that closing it
# before them is noticed: each provider answers (label, latest date) for records dated after a day.
DatedRecords = Callable[[Organisation, dt.date], list[tuple[str, dt.date]]]
_DATED_RECORD_PROVIDERS: list[DatedRecords] = []


def register_dated_records(provider: DatedRecords) -> None:
    """Add a provider of an organisation's records dated after a day (called from an app's ready())."""
    if provider not in _DATED_RECORD_PROVIDERS:
        _DATED_RECORD_PROVIDERS.append(provider)


def records_after(org: Organisation, on: dt.date) -> list[tuple[str, dt.date]]:
    """What the apps hold for `org` (its subtree included) dated after `on`: (label, latest date)."""
    return [found for provider in _DATED_RECORD_PROVIDERS for found in provider(org, on)]


@transaction.atomic
def org_close(
    *, by: Actor, org: Organisation, on: dt.date, version: int, confirm_later_records: bool = False
) -> Organisation:
    """Close an organisation from date `on`; its history and data stay. Refused while it has open children,
    and while it has records dated after `on` unless the person confirms (audited with what they were)."""
    ensure_allowed(by, Action.ORG_MANAGE, org)
    org.refresh_from_db()
    if org.version != version:
        raise ConflictError(_("该机构已被他人修改，请刷新后重试。"))
    if org.is_closed:
        raise UserError(_("该机构已于%(date)s撤销。") % {"date": org.closed_on})
    children = Organisation.objects.filter(within("path", [org]), depth=org.depth + 1)
    if children.filter(closed_on__isnull=True).exists():
        raise UserError(_("请先撤销或迁移其下属机构，再撤销本机构。"))
    if org.opened_on and on < org.opened_on:
        raise UserError(_("撤销日期不能早于成立日期。"))
    later = records_after(org, on)
    if later and not confirm_later_records:
        raise UserError(
            _("“%(org)s”在撤销日期%(on)s之后还有数据：%(what)s。请改选不早于这些数据的撤销日期；确需撤销请勾选确认。")
            % {
                "org": org.name,
                "on": on.isoformat(),
                "what": "；".join(_("%(label)s（最晚%(date)s）") % {"label": label, "date": d} for label, d in later),
            },
            field="on",
        )
    before = audit.snapshot(org)
    link = _current_link(org)
    if link is not None and on > link.valid_from:
        link.valid_to = on
        link.save(update_fields=["valid_to"])
    Organisation.objects.filter(pk=org.pk).update(closed_on=on, version=F("version") + 1, updated_at=timezone.now())
    org.refresh_from_db()
    detail = {"later_records": [[str(label), d.isoformat()] for label, d in later]} if later else None
    audit.record(by, "orgs.organisation.close", org, before=before, detail=detail)
    tree_changed.send(sender=Organisation, org=org, on=on)
    return org


def manages_accounts(user, org: Organisation) -> bool:
    """Whether `user` may create, reset and (de)activate accounts at `org` (ACCOUNT_MANAGERS)."""
    return any(m.role in ACCOUNT_MANAGERS and in_subtree(org, scope_path(m)) for m in _active_memberships(user))


def manages_accounts_somewhere(user) -> bool:
    """Whether `user` may create accounts anywhere (the user pages show "new user" only then)."""
    return any(m.role in ACCOUNT_MANAGERS for m in _active_memberships(user))


def requestable_roles(user) -> set[str]:
    """Roles `user` may request (not grant) for an account he creates: the system administrator's."""
    roles: set[str] = set()
    for membership in _active_memberships(user):
        roles |= REQUESTABLE.get(membership.role, frozenset())
    return roles


def grantable_roles(user, org: Organisation) -> set[str]:
    """Roles `user` may grant at `org`: from each USER_MANAGE membership whose subtree holds `org`."""
    roles: set[str] = set()
    for membership in _active_memberships(user):
        if membership.role in GRANTABLE and in_subtree(org, scope_path(membership)):
            roles |= GRANTABLE[membership.role]
    return roles


def _ensure_may_grant(by: Actor, org: Organisation, role: str) -> None:
    ensure_allowed(by, Action.USER_MANAGE, org)
    if by.system_name:
        return
    if role not in grantable_roles(by.user, org):
        raise PermissionDenied(_("您不能授予“%(role)s”角色。") % {"role": Role(role).label})


@transaction.atomic
def membership_grant(*, by: Actor, user, org: Organisation, role: str) -> Membership:
    """Give `user` `role` at `org`; enforces delegation limits and the separation of the three administrators."""
    if role not in Role.values:
        raise UserError(_("未知的角色。"), field="role")
    _ensure_may_grant(by, org, role)
    if by.user is not None and by.user.pk == user.pk:
        raise PermissionDenied(_("不能给自己授予角色。"))
    if org.is_closed:
        raise UserError(_("机构“%(name)s”已撤销，不能在其中任职。") % {"name": org.name})
    held = set(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))
    if role in SEPARATED_ADMIN_ROLES and (held - {role}):
        raise UserError(_("系统管理员、安全管理员、审计管理员必须由不同账号担任，且不得兼任其他角色。"), field="role")
    if role not in SEPARATED_ADMIN_ROLES and held & SEPARATED_ADMIN_ROLES:
        raise UserError(_("系统管理员、安全管理员、审计管理员必须由不同账号担任，且不得兼任其他角色。"), field="role")
    if role == Role.DEPT_VIEWER and org.kind != OrgKind.DEPARTMENT:
        raise UserError(_("成员单位查看员只能在成员单位任职。"), field="role")
    membership, created = Membership.objects.get_or_create(
        user=user, org=org, role=role, defaults={"granted_by": by.user}
    )
    if not created:
        if membership.is_active:
            raise UserError(_("该用户已在此机构担任此角色。"))
        before = audit.snapshot(membership)
        membership.is_active = True
        membership.pending = False
        membership.granted_by = by.user
        membership.version += 1
        membership.save(update_fields=["is_active", "pending", "granted_by", "version", "updated_at"])
        audit.record(by, "orgs.membership.grant", membership, before=before)
    else:
        audit.record(by, "orgs.membership.grant", membership)
    clear_scope_cache(user)
    return membership


@transaction.atomic
def membership_request(*, by: Actor, user, org: Organisation, role: str) -> Membership:
    """Record a role the system administrator asks for on an account he created: inactive until the
    security administrator grants it (membership_grant), so no single administrator gives rights."""
    if role not in Role.values:
        raise UserError(_("未知的角色。"), field="role")
    ensure_allowed(by, Action.USER_MANAGE, org)
    if not by.system_name and role not in requestable_roles(by.user):
        raise PermissionDenied(_("您不能申请“%(role)s”角色。") % {"role": Role(role).label})
    if org.is_closed:
        raise UserError(_("机构“%(name)s”已撤销，不能在其中任职。") % {"name": org.name})
    if role == Role.DEPT_VIEWER and org.kind != OrgKind.DEPARTMENT:
        raise UserError(_("成员单位查看员只能在成员单位任职。"), field="role")
    membership = Membership.objects.filter(user=user, org=org, role=role).first()
    if membership is None:
        membership = Membership.objects.create(user=user, org=org, role=role, is_active=False, pending=True)
        audit.record(by, "orgs.membership.request", membership)
        return membership
    # A role held before and revoked (or refused) is asked for again on the same row.
    if membership.is_active:
        raise UserError(_("该用户已在此机构担任此角色。"))
    if membership.pending:
        raise UserError(_("该角色已在申请中，等待批准。"))
    before = audit.snapshot(membership)
    membership.pending = True
    membership.version += 1
    membership.save(update_fields=["pending", "version", "updated_at"])
    audit.record(by, "orgs.membership.request", membership, before=before)
    return membership


@transaction.atomic
def membership_refuse(*, by: Actor, membership: Membership) -> Membership:
    """Refuse a requested role: it stays on record, inactive and no longer pending."""
    _ensure_may_grant(by, membership.org, membership.role)
    if not membership.pending:
        raise UserError(_("该角色申请已处理。"))
    before = audit.snapshot(membership)
    membership.pending = False
    membership.version += 1
    membership.save(update_fields=["pending", "version", "updated_at"])
    audit.record(by, "orgs.membership.refuse", membership, before=before)
    return membership


@transaction.atomic
def membership_revoke(*, by: Actor, membership: Membership) -> Membership:
    """End a membership (the row is kept, inactive, for the record)."""
    _ensure_may_grant(by, membership.org, membership.role)
    if by.user is not None and by.user.pk == membership.user_id:
        # Managers could otherwise shed a role to hide their tracks or lock the province out.
        raise PermissionDenied(_("不能撤销自己的角色。"))
    if not membership.is_active:
        raise UserError(_("该任职已经撤销。"))
    before = audit.snapshot(membership)
    membership.is_active = False
    membership.version += 1
    membership.save(update_fields=["is_active", "version", "updated_at"])
    detail = None
    if not Membership.objects.filter(user_id=membership.user_id, is_active=True).exists():
        # No role left: nothing the person still holds (API token, open sessions) may go on working.
        detail = {"tokens_revoked": credentials_end(membership.user), "sessions_ended": True}
    audit.record(by, "orgs.membership.revoke", membership, before=before, detail=detail)
    clear_scope_cache(membership.user)
    return membership


@transaction.atomic
def assignment_create(
    *, by: Actor, department: Organisation, enterprise: Organisation, valid_from: dt.date | None = None
) -> Assignment:
    """Assign an enterprise to a member department (挂钩帮带)."""
    ensure_allowed(by, Action.ORG_MANAGE, department)
    ensure_allowed(by, Action.ORG_MANAGE, enterprise)
    if department.kind != OrgKind.DEPARTMENT:
        raise UserError(_("只能把企业挂钩到成员单位。"))
    if enterprise.kind not in (OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT):
        raise UserError(_("挂钩对象必须是企业或产业系统公司。"))
    if Assignment.objects.filter(department=department, enterprise=enterprise, valid_to__isnull=True).exists():
        raise UserError(_("该企业已挂钩到此成员单位。"))
    assignment = Assignment.objects.create(
        department=department, enterprise=enterprise, valid_from=valid_from or deadlines.today()
    )
    audit.record(by, "orgs.assignment.create", assignment)
    return assignment


@transaction.atomic
def assignment_end(*, by: Actor, assignment: Assignment, on: dt.date | None = None) -> Assignment:
    """End an assignment from date `on` (today by default)."""
    ensure_allowed(by, Action.ORG_MANAGE, assignment.department)
    if assignment.valid_to is not None:
        raise UserError(_("该挂钩关系已经结束。"))
    end = on or deadlines.today()
    if end <= assignment.valid_from:
        raise UserError(_("结束日期必须晚于起始日期。"))
    before = audit.snapshot(assignment)
    assignment.valid_to = end
    assignment.version += 1
    assignment.save(update_fields=["valid_to", "version", "updated_at"])
    audit.record(by, "orgs.assignment.end", assignment, before=before)
    return assignment
