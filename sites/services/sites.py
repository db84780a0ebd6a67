"""Sites and guidance groups: the office forms groups, assigns them, accepts or withdraws sites."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.choices import Action, Role
from orgs.models import Membership
from orgs.scoping import ensure_allowed
from sites.models import GuidanceGroup, Site
from sites.services.common import MAX_REASON, clean_text, ensure_manager
from sites.workflow import SITE_WORKFLOW

# Who may be a guidance group's member: people of member departments and of the office.
MEMBER_ROLES = (Role.GUIDANCE, Role.DEPT_VIEWER, Role.OFFICE_ADMIN, Role.OFFICE_REVIEWER)


def eligible_members():
    """Active accounts holding a role that may sit on a guidance group, by name."""
    from accounts.models import User

    ids = Membership.objects.filter(role__in=MEMBER_ROLES, is_active=True).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")


def _clean_group(name: str, leader, members: Iterable, current: GuidanceGroup | None = None) -> tuple:
    name = clean_text(name, field="name", label=_("指导组名称"), required=True, limit=100)
    duplicate = GuidanceGroup.objects.filter(name=name)
    if current is not None:
        duplicate = duplicate.exclude(pk=current.pk)
    if duplicate.exists():
        raise UserError(_("指导组名称“%(name)s”已被使用。") % {"name": name}, field="name")
    allowed = set(eligible_members().values_list("pk", flat=True))
    people = list({m.pk: m for m in members}.values())
    if leader is None:
        raise UserError(_("请选择组长。"), field="leader")
    if leader.pk not in {m.pk for m in people}:
        people.append(leader)
    outside = [m for m in people if m.pk not in allowed]
    if outside:
        raise UserError(
            _("“%(name)s”不是成员单位或产改办的人员，不能加入指导组。") % {"name": str(outside[0])},
            field="members",
        )
    return name, people


@transaction.atomic
def group_create(*, by: Actor, name: str, leader, members: Iterable = (), notes: str = "") -> GuidanceGroup:
    """The office forms a guidance group; the leader is always a member."""
    ensure_manager(by)
    name, people = _clean_group(name, leader, members)
    group = GuidanceGroup.objects.create(
        name=name, leader=leader, notes=clean_text(notes, field="notes", label=_("说明"))
    )
    group.members.set(people)
    audit.record(by, "sites.group.create", group, after={**audit.snapshot(group), "members": _names(people)})
    return group


def _names(people) -> list[str]:
    return sorted(str(p) for p in people)


@atomic_retrying
def group_update(
    *, by: Actor, group: GuidanceGroup, version: int, name: str, leader, members: Iterable = (), notes: str = ""
) -> GuidanceGroup:
    """Rename a group, change its leader or members; 409 if someone saved it meanwhile."""
    ensure_manager(by)
    group = lock_row(GuidanceGroup.objects, pk=group.pk)
    if group.version != version:
        raise ConflictError(_("该指导组已被他人修改，请刷新后重试。"))
    name, people = _clean_group(name, leader, members, group)
    before = {**audit.snapshot(group), "members": _names(group.members.all())}
    versioned_update(group, version, name=name, leader=leader, notes=clean_text(notes, field="notes", label=_("说明")))
    group.members.set(people)
    audit.record(
        by, "sites.group.update", group, before=before, after={**audit.snapshot(group), "members": _names(people)}
    )
    return group


def _lock_site(site: Site, version: int | None) -> Site:
    locked = lock_row(Site.objects.select_related("org", "batch"), pk=site.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("该示范点已被他人修改，请刷新后重试。"))
    return locked


@atomic_retrying
def site_assign(*, by: Actor, site: Site, group: GuidanceGroup, version: int, on: dt.date | None = None) -> Site:
    """Assign a guidance group to a site: a selected site moves to 指导中; a guided one changes group."""
    ensure_manager(by)
    site = _lock_site(site, version)
    if site.status == SITE_WORKFLOW.step("assign").target:
        before = audit.snapshot(site)
        versioned_update(site, version, group=group)
        audit.record(by, "sites.site.assign", site, before=before, detail={"group": group.name})
        return site
    SITE_WORKFLOW.ensure_step(status=site.status, step="assign", status_label=site.get_status_display())
    return transition(
        workflow=SITE_WORKFLOW, item=site, step="assign", by=by, event="sites.site.assign",
        detail={"group": group.name}, group=group, guided_since=on or deadlines.today(),
    )  # fmt: skip


@atomic_retrying
def site_accept(*, by: Actor, site: Site, version: int, on: dt.date | None = None) -> Site:
    """验收: the office accepts a site under guidance."""
    ensure_manager(by)
    site = _lock_site(site, version)
    SITE_WORKFLOW.ensure_step(status=site.status, step="accept", status_label=site.get_status_display())
    return transition(
        workflow=SITE_WORKFLOW, item=site, step="accept", by=by, event="sites.site.accept",
        accepted_on=on or deadlines.today(),
    )  # fmt: skip


@atomic_retrying
def site_withdraw(*, by: Actor, site: Site, version: int, reason: str, on: dt.date | None = None) -> Site:
    """撤销: the office withdraws a site, with a reason."""
    ensure_manager(by)
    site = _lock_site(site, version)
    SITE_WORKFLOW.ensure_step(status=site.status, step="withdraw", status_label=site.get_status_display())
    reason = SITE_WORKFLOW.clean_reason(
        "withdraw", clean_text(reason, field="reason", label=_("撤销原因"), limit=MAX_REASON)
    )
    return transition(
        workflow=SITE_WORKFLOW, item=site, step="withdraw", by=by, event="sites.site.withdraw",
        detail={"reason": reason}, withdrawn_on=on or deadlines.today(), withdraw_reason=reason,
    )  # fmt: skip


@atomic_retrying
def site_summary(*, by: Actor, site: Site, version: int, summary: str) -> Site:
    """The site's short progress summary, written by the site, its union, the office or its guidance group."""
    if not by.system_name and not _may_write_summary(by, site):
        ensure_allowed(by, Action.EDIT, site.org)
    site = _lock_site(site, version)
    text = clean_text(summary, field="summary", label=_("进展概要"), limit=2_000)
    before = audit.snapshot(site, fields=["summary"])
    versioned_update(site, version, summary=text)
    audit.record(by, "sites.site.update", site, before=before, after={"summary": text})
    return site


def _may_write_summary(by: Actor, site: Site) -> bool:
    from orgs.scoping import can

    if can(by.user, Action.EDIT, site.org):
        return True
    return bool(site.group_id) and site.group.members.filter(pk=by.user.pk).exists()
