"""Alliances of studios across regions and industries: founded, joined, and what they do together."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from orgs.choices import Action
from orgs.scoping import can, is_office
from studios.models import Alliance, AllianceActivity, Studio
from studios.services.common import check_version, clean_date, clean_text


def may_manage_alliance(user, lead: Studio) -> bool:
    """The office, or whoever may edit the lead studio (its organisation's union and the organisation)."""
    return is_office(user) or can(user, Action.EDIT, lead.org)


def _ensure_manager(by: Actor, lead: Studio) -> None:
    if by.system_name:
        return
    if not may_manage_alliance(by.user, lead):
        raise PermissionDenied(_("只有产改办或牵头工作室所在单位可以管理联盟。"))


def _clean(*, name, founded_on, lead, studios: Iterable, current: Alliance | None = None) -> dict:
    name = clean_text(name, field="name", label=_("联盟名称"), required=True, limit=100)
    duplicate = Alliance.objects.filter(name=name)
    if current is not None:
        duplicate = duplicate.exclude(pk=current.pk)
    if duplicate.exists():
        raise UserError(_("联盟名称“%(name)s”已被使用。") % {"name": name}, field="name")
    if lead is None:
        raise UserError(_("请选择牵头工作室。"), field="lead")
    members = {s.pk: s for s in studios or ()}
    members[lead.pk] = lead
    if len(members) < 2:
        raise UserError(_("联盟至少应有两个工作室。"), field="studios")
    if any(s.status != "active" for s in members.values()):
        raise UserError(_("已撤销的工作室不能加入联盟。"), field="studios")
    return {"name": name, "founded_on": clean_date(founded_on, field="founded_on", label=_("成立日期"))}, list(
        members.values()
    )


def _names(studios) -> list[str]:
    return sorted(s.name for s in studios)


@transaction.atomic
def alliance_create(
    *, by: Actor, name: str, founded_on, lead: Studio | None, studios: Iterable = (), description: str = ""
) -> Alliance:
    """Found an alliance led by `lead`; its member studios may belong to any organisation in the province."""
    if lead is None:
        raise UserError(_("请选择牵头工作室。"), field="lead")
    _ensure_manager(by, lead)
    fields, members = _clean(name=name, founded_on=founded_on, lead=lead, studios=studios)
    alliance = Alliance.objects.create(
        lead=lead, description=clean_text(description, field="description", label=_("简介")), **fields
    )
    alliance.studios.set(members)
    audit.record(
        by, "studios.alliance.create", alliance, after={**audit.snapshot(alliance), "studios": _names(members)}
    )
    return alliance


@atomic_retrying
def alliance_update(
    *, by: Actor, alliance: Alliance, version: int, name: str, founded_on, lead: Studio | None,
    studios: Iterable = (), description: str = "",
) -> Alliance:  # fmt: skip
    """Rename an alliance, change its lead or member studios; the managers of the current lead decide."""
    _ensure_manager(by, alliance.lead)
    alliance = lock_row(Alliance.objects.select_related("lead__org"), pk=alliance.pk)
    check_version(alliance, version, _("联盟"))
    if lead is not None and lead.pk != alliance.lead_id:
        _ensure_manager(by, lead)
    fields, members = _clean(name=name, founded_on=founded_on, lead=lead, studios=studios, current=alliance)
    before = {**audit.snapshot(alliance), "studios": _names(alliance.studios.all())}
    versioned_update(
        alliance, version, lead=lead, description=clean_text(description, field="description", label=_("简介")),
        **fields,
    )  # fmt: skip
    alliance.studios.set(members)
    audit.record(
        by, "studios.alliance.update", alliance, before=before,
        after={**audit.snapshot(alliance), "studios": _names(members)},
    )  # fmt: skip
    return alliance


@transaction.atomic
def activity_add(*, by: Actor, alliance: Alliance, held_on, title: str, description: str = "") -> AllianceActivity:
    """Record something the alliance did together."""
    _ensure_manager(by, alliance.lead)
    activity = AllianceActivity.objects.create(
        alliance=alliance,
        held_on=clean_date(held_on, field="held_on", label=_("活动日期")),
        title=clean_text(title, field="title", label=_("活动名称"), required=True, limit=200),
        description=clean_text(description, field="description", label=_("活动内容")),
    )
    audit.record(by, "studios.alliance.activity", alliance, after=None, detail={"activity": activity.title})
    return activity
