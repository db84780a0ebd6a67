"""Studios: create, edit, name at a (higher) level, revoke; their members and funds."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ensure_allowed, in_subtree
from studios.choices import LEVEL_RANK, MemberRole, StudioKind, StudioLevel, StudioStatus
from studios.models import Studio, StudioFund, StudioMember, StudioNaming
from studios.services.common import check_version, clean_date, clean_money, clean_text, clean_year
from talent.models import Person

WHAT = _("工作室")


def _lock(studio: Studio, version: int | None) -> Studio:
    locked = lock_row(Studio.objects.select_related("org"), pk=studio.pk)
    check_version(locked, version, WHAT)
    return locked


def ensure_person_of(person: Person | None, org: Organisation, *, field: str, label: str) -> Person:
    """`person` is in the talent pool of `org`'s subtree and not removed; UserError otherwise."""
    if person is None:
        raise UserError(_("请选择%(label)s。") % {"label": label}, field=field)
    if not in_subtree(person.org, org) or person.removed_on is not None:
        raise UserError(
            _("%(label)s应从“%(org)s”及其下属单位的人才库人员中选择。") % {"label": label, "org": org.name},
            field=field,
        )
    return person


def _clean_fields(*, org: Organisation, name, kind, leader, location, topics, current: Studio | None = None):
    name = clean_text(name, field="name", label=_("工作室名称"), required=True, limit=100)
    if kind not in StudioKind.values:
        raise UserError(_("请选择工作室类别。"), field="kind")
    duplicate = Studio.objects.filter(org=org, name=name)
    if current is not None:
        duplicate = duplicate.exclude(pk=current.pk)
    if duplicate.exists():
        raise UserError(_("“%(org)s”已有名为“%(name)s”的工作室。") % {"org": org.name, "name": name}, field="name")
    leader = ensure_person_of(leader, org, field="leader", label=_("领办人"))
    return {
        "name": name,
        "kind": kind,
        "leader": leader,
        "location": clean_text(location, field="location", label=_("场所"), limit=200),
        "topics": clean_text(topics, field="topics", label=_("攻关方向")),
    }


def _clean_level(level) -> str:
    if level not in StudioLevel.values:
        raise UserError(_("请选择级别。"), field="level")
    return level


@transaction.atomic
def studio_create(
    *, by: Actor, org: Organisation, name: str, kind: str, level: str, named_on, leader: Person | None,
    location: str = "", topics: str = "", named_by: str = "", document: str = "",
) -> Studio:  # fmt: skip
    """Record a studio of `org` and its first naming; the leader joins as a core member on that day."""
    if org is None:
        raise UserError(_("请选择所属单位。"), field="org")
    ensure_allowed(by, Action.EDIT, org)
    fields = _clean_fields(org=org, name=name, kind=kind, leader=leader, location=location, topics=topics)
    level = _clean_level(level)
    named_on = clean_date(named_on, field="named_on", label=_("命名日期"))
    studio = Studio.objects.create(org=org, level=level, named_on=named_on, **fields)
    StudioNaming.objects.create(
        studio=studio, level=level, named_on=named_on,
        named_by=clean_text(named_by, field="named_by", label=_("命名单位"), limit=100),
        document=clean_text(document, field="document", label=_("文号"), limit=100),
    )  # fmt: skip
    StudioMember.objects.create(studio=studio, person=fields["leader"], role=MemberRole.CORE, joined_on=named_on)
    audit.record(by, "studios.studio.create", studio)
    return studio


@atomic_retrying
def studio_update(
    *, by: Actor, studio: Studio, version: int, name: str, kind: str, leader: Person | None,
    location: str = "", topics: str = "",
) -> Studio:  # fmt: skip
    """Edit a studio's name, kind, leader, location and topics; 409 if someone saved it meanwhile."""
    ensure_allowed(by, Action.EDIT, studio.org)
    studio = _lock(studio, version)
    fields = _clean_fields(
        org=studio.org, name=name, kind=kind, leader=leader, location=location, topics=topics, current=studio
    )
    before = audit.snapshot(studio)
    versioned_update(studio, version, **fields)
    if not studio.members.filter(person=fields["leader"], left_on__isnull=True).exists():
        StudioMember.objects.create(
            studio=studio, person=fields["leader"], role=MemberRole.CORE, joined_on=deadlines.today()
        )
    audit.record(by, "studios.studio.update", studio, before=before)
    return studio


@atomic_retrying
def studio_name(
    *, by: Actor, studio: Studio, version: int, level: str, named_on, named_by: str = "", document: str = ""
) -> Studio:
    """A new naming (晋级): a higher level than the current one, on a later date; the current level follows."""
    ensure_allowed(by, Action.EDIT, studio.org)
    studio = _lock(studio, version)
    if studio.status != StudioStatus.ACTIVE:
        raise UserError(_("已撤销的工作室不能再命名。"))
    level = _clean_level(level)
    named_on = clean_date(named_on, field="named_on", label=_("命名日期"))
    if LEVEL_RANK[level] <= LEVEL_RANK[studio.level]:
        raise UserError(
            _("新的命名级别应高于当前级别（%(level)s）。") % {"level": studio.get_level_display()}, field="level"
        )
    if named_on <= studio.named_on:
        raise UserError(
            _("命名日期应晚于上次命名日期（%(day)s）。") % {"day": f"{studio.named_on:%Y-%m-%d}"}, field="named_on"
        )
    before = audit.snapshot(studio, fields=["level", "named_on"])
    StudioNaming.objects.create(
        studio=studio, level=level, named_on=named_on,
        named_by=clean_text(named_by, field="named_by", label=_("命名单位"), limit=100),
        document=clean_text(document, field="document", label=_("文号"), limit=100),
    )  # fmt: skip
    versioned_update(studio, version, level=level, named_on=named_on)
    audit.record(by, "studios.studio.name", studio, before=before, after={"level": level, "named_on": named_on})
    return studio


@atomic_retrying
def studio_revoke(*, by: Actor, studio: Studio, version: int, on, reason: str) -> Studio:
    """撤销: the studio stops counting from that day; a reason is required."""
    ensure_allowed(by, Action.EDIT, studio.org)
    studio = _lock(studio, version)
    if studio.status != StudioStatus.ACTIVE:
        raise UserError(_("该工作室已撤销。"))
    on = clean_date(on, field="revoked_on", label=_("撤销日期"))
    if on < studio.named_on:
        raise UserError(_("撤销日期不能早于最近命名日期。"), field="revoked_on")
    reason = clean_text(reason, field="revoke_reason", label=_("撤销原因"), required=True, limit=500)
    before = audit.snapshot(studio, fields=["status", "revoked_on", "revoke_reason"])
    versioned_update(studio, version, status=StudioStatus.REVOKED, revoked_on=on, revoke_reason=reason)
    audit.record(by, "studios.studio.revoke", studio, before=before, detail={"reason": reason})
    return studio


@transaction.atomic
def member_add(*, by: Actor, studio: Studio, person: Person | None, role: str, joined_on) -> StudioMember:
    """A person of the organisation's talent pool joins the studio (once at a time)."""
    ensure_allowed(by, Action.EDIT, studio.org)
    person = ensure_person_of(person, studio.org, field="person", label=_("成员"))
    if role not in MemberRole.values:
        raise UserError(_("请选择成员角色。"), field="role")
    joined_on = clean_date(joined_on, field="joined_on", label=_("加入日期"))
    if studio.members.filter(person=person, left_on__isnull=True).exists():
        raise UserError(_("%(name)s已是该工作室成员。") % {"name": person.name}, field="person")
    member = StudioMember.objects.create(studio=studio, person=person, role=role, joined_on=joined_on)
    audit.record(by, "studios.member.add", studio, after=None, detail={"person": person.pk, "role": role})
    return member


@transaction.atomic
def member_leave(*, by: Actor, member: StudioMember, left_on) -> StudioMember:
    """A member leaves the studio on a day (not before joining); the leader cannot leave while leading."""
    studio = member.studio
    ensure_allowed(by, Action.EDIT, studio.org)
    if member.left_on is not None:
        raise UserError(_("该成员已退出。"))
    if member.person_id == studio.leader_id:
        raise UserError(_("领办人不能退出，请先更换领办人。"))
    left_on = clean_date(left_on, field="left_on", label=_("退出日期"))
    if left_on < member.joined_on:
        raise UserError(_("退出日期不能早于加入日期。"), field="left_on")
    StudioMember.objects.filter(pk=member.pk).update(left_on=left_on)
    member.left_on = left_on
    audit.record(by, "studios.member.leave", studio, after=None, detail={"person": member.person_id})
    return member


@transaction.atomic
def fund_add(*, by: Actor, studio: Studio, year, amount, source: str) -> StudioFund:
    """Funds a studio received in a year (元), with their source."""
    ensure_allowed(by, Action.EDIT, studio.org)
    fund = StudioFund.objects.create(
        studio=studio,
        year=clean_year(year),
        amount=clean_money(amount, field="amount", label=_("经费金额"), required=True) or Decimal(0),
        source=clean_text(source, field="source", label=_("经费来源"), required=True, limit=100),
    )
    audit.record(by, "studios.fund.add", studio, after=None, detail={"year": fund.year, "amount": fund.amount})
    return fund
