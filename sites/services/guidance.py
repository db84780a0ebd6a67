"""Guidance at the front line: visits with photos and files, follow-up tasks, the groups' ratings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import attachments, audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from orgs.choices import Action
from orgs.scoping import ensure_allowed
from sites.choices import RUBRIC, FollowUpOwner, FollowUpStatus, SiteStatus
from sites.models import FollowUp, RatingLock, Site, SiteRating, Visit, VisitFile
from sites.services.common import clean_text, ensure_manager, union_of

GUIDED = (SiteStatus.GUIDING, SiteStatus.ACCEPTED)
MAX_FILES = 12


def is_group_member(user, site: Site) -> bool:
    """Whether `user` belongs to the guidance group assigned to `site`."""
    return bool(site.group_id) and site.group.members.filter(pk=getattr(user, "pk", None)).exists()


def ensure_group_member(by: Actor, site: Site) -> None:
    """PermissionDenied unless the actor is a member of the guidance group assigned to the site."""
    if by.system_name:
        return
    if not is_group_member(by.user, site):
        raise PermissionDenied(_("只有派驻“%(site)s”的指导组成员可以执行此操作。") % {"site": site.org.name})


@transaction.atomic
def visit_record(
    *,
    by: Actor,
    site: Site,
    visited_on: dt.date,
    findings: str,
    recommendations: str = "",
    members: Iterable = (),
    others: str = "",
    photos: Iterable = (),
    files: Iterable = (),
) -> Visit:
    """A group member records a visit to an assigned site under guidance, with photos (JPEG/PNG) and files."""
    ensure_group_member(by, site)
    if site.status not in GUIDED:
        raise UserError(
            _("示范点当前状态为“%(status)s”，不能记录指导走访。") % {"status": site.get_status_display()}, field="site"
        )
    if not isinstance(visited_on, dt.date):
        raise UserError(_("请填写走访日期。"), field="visited_on")
    if visited_on > deadlines.today():
        raise UserError(_("走访日期不能晚于今天。"), field="visited_on")
    findings = clean_text(findings, field="findings", label=_("发现的问题"), required=True)
    recommendations = clean_text(recommendations, field="recommendations", label=_("意见建议"))
    others = clean_text(others, field="others", label=_("其他参加人员"), limit=300)
    group_ids = set(site.group.members.values_list("pk", flat=True))
    people = {m.pk: m for m in members}
    if by.user is not None:
        people.setdefault(by.user.pk, by.user)
    strangers = [m for m in people.values() if m.pk not in group_ids]
    if strangers:
        raise UserError(
            _("“%(name)s”不是本指导组成员，请写在“其他参加人员”中。") % {"name": str(strangers[0])},
            field="members",
        )
    photos, files = list(photos), list(files)
    if len(photos) + len(files) > MAX_FILES:
        raise UserError(_("每次走访最多上传 %(n)d 个照片和文件。") % {"n": MAX_FILES}, field="photos")
    visit = Visit.objects.create(
        site=site, visited_on=visited_on, findings=findings, recommendations=recommendations, others=others,
        recorded_by=by.user,
    )  # fmt: skip
    visit.members.set(people.values())
    kept = [
        attachments.keep(VisitFile(visit=visit, is_photo=True), p, by_user=by.user, images_only=True) for p in photos
    ]
    kept += [attachments.keep(VisitFile(visit=visit), f, by_user=by.user) for f in files]
    audit.record(
        by, "sites.visit.record", visit,
        after={**audit.snapshot(visit), "members": sorted(str(p) for p in people.values()),
               "files": [k.original_name for k in kept]},
    )  # fmt: skip
    return visit


@transaction.atomic
def visit_attach(*, by: Actor, visit: Visit, upload, photo: bool) -> VisitFile:
    """Add a photo or file to a recorded visit (the group's members)."""
    ensure_group_member(by, visit.site)
    if visit.files.count() >= MAX_FILES:
        raise UserError(_("每次走访最多上传 %(n)d 个照片和文件。") % {"n": MAX_FILES}, field="file")
    row = attachments.keep(VisitFile(visit=visit, is_photo=photo), upload, by_user=by.user, images_only=photo)
    audit.record(by, "sites.visit.attach", visit, after={"file": row.original_name, "photo": photo})
    return row


@transaction.atomic
def followup_create(*, by: Actor, visit: Visit, title: str, owner: str, deadline: dt.date) -> FollowUp:
    """A follow-up task from a visit, owned by the site or its union, with a deadline."""
    site = visit.site
    ensure_group_member(by, site)
    title = clean_text(title, field="title", label=_("跟进事项"), required=True, limit=300)
    if owner == FollowUpOwner.UNION:
        owner_org = union_of(site.org)
        if owner_org is None:
            raise UserError(
                _("“%(org)s”没有所属的产业系统公司工会，请选择示范点单位。") % {"org": site.org.name}, field="owner"
            )
    elif owner == FollowUpOwner.SITE:
        owner_org = site.org
    else:
        raise UserError(_("请选择责任单位（示范点单位或所属工会）。"), field="owner")
    if not isinstance(deadline, dt.date):
        raise UserError(_("请填写完成期限。"), field="deadline")
    if deadline < visit.visited_on:
        raise UserError(_("完成期限不能早于走访日期。"), field="deadline")
    followup = FollowUp.objects.create(site=site, visit=visit, title=title, owner=owner_org, deadline=deadline)
    audit.record(by, "sites.followup.create", followup)
    return followup


@atomic_retrying
def followup_close(
    *, by: Actor, followup: FollowUp, version: int, note: str, done_on: dt.date | None = None
) -> FollowUp:
    """The owner (the site, or its union above it) closes a follow-up with a note and a date."""
    ensure_allowed(by, Action.EDIT, followup.owner)
    followup = lock_row(FollowUp.objects.select_related("owner", "site__org"), pk=followup.pk)
    if followup.version != version:
        raise ConflictError(_("该跟进事项已被他人修改，请刷新后重试。"))
    if followup.status == FollowUpStatus.DONE:
        raise UserError(_("该跟进事项已经完成。"), field="status")
    note = clean_text(note, field="note", label=_("完成情况"), required=True)
    day = done_on or deadlines.today()
    if day > deadlines.today():
        raise UserError(_("完成日期不能晚于今天。"), field="done_on")
    if day < followup.visit.visited_on:
        raise UserError(_("完成日期不能早于提出事项的走访日期。"), field="done_on")
    before = audit.snapshot(followup)
    versioned_update(
        followup, version, status=FollowUpStatus.DONE, done_on=day, done_note=note, done_by=by.user,
        conflict_message=_("该跟进事项已被他人修改，请刷新后重试。"),
    )  # fmt: skip
    audit.record(by, "sites.followup.close", followup, before=before)
    return followup


def clean_scores(scores: Mapping[str, Any]) -> tuple[dict[str, str], Decimal]:
    """Each rubric line's points (0 to its maximum, halves allowed) and the total; UserError naming the line."""
    found: dict[str, str] = {}
    total = Decimal(0)
    known = {c.key for c in RUBRIC}
    unknown = set(scores or {}) - known
    if unknown:
        raise UserError(_("评价项“%(key)s”不存在。") % {"key": sorted(unknown)[0]}, field="scores")
    for criterion in RUBRIC:
        raw = (scores or {}).get(criterion.key)
        if raw in (None, ""):
            raise UserError(_("请填写“%(label)s”的得分。") % {"label": criterion.label}, field=f"score_{criterion.key}")
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value > criterion.max_points or value * 2 % 1:
            raise UserError(
                _("“%(label)s”的得分应在 0 到 %(max)d 分之间（可到 0.5 分）。")
                % {"label": criterion.label, "max": criterion.max_points},
                field=f"score_{criterion.key}",
            )
        found[criterion.key] = str(value.normalize()) if value % 1 else str(int(value))
        total += value
    return found, total


def ratings_locked(year: int) -> bool:
    return RatingLock.objects.filter(year=year).exists()


@atomic_retrying
def rating_save(
    *, by: Actor, site: Site, year: int, scores: Mapping[str, Any], comment: str = "", version: int | None = None
) -> SiteRating:
    """A group member gives (or changes) the group's rating of an assigned site for a year.

    `version` is the existing rating's (None for a new one); refused once the office has locked the year,
    for a year before the site was announced or after this one, and on the rater's own organisation.
    """
    ensure_group_member(by, site)
    from orgs.scoping import in_subtree

    if by.user is not None and any(in_subtree(site.org, m.org) for m in _own_orgs(by.user)):
        raise PermissionDenied(_("不能评价本单位的示范点。"))
    if not isinstance(year, int) or not site.announced_on.year <= year <= deadlines.today().year:
        raise UserError(
            _("评价年度应在 %(first)d 到 %(last)d 之间。")
            % {"first": site.announced_on.year, "last": deadlines.today().year},
            field="year",
        )
    if ratings_locked(year):
        raise UserError(_("%(year)d 年度的评价已由产改办锁定，不能再修改。") % {"year": year}, field="year")
    found, total = clean_scores(scores)
    comment = clean_text(comment, field="comment", label=_("评语"), limit=2_000)
    existing = SiteRating.objects.select_for_update().filter(group_id=site.group_id, site=site, year=year).first()
    if existing is None:
        if version not in (None, 0):
            raise ConflictError(_("该评价已被他人修改，请刷新后重试。"))
        rating = SiteRating.objects.create(
            site=site, group_id=site.group_id, year=year, scores=found, total=total, comment=comment, rated_by=by.user
        )
        audit.record(by, "sites.rating.save", rating)
        return rating
    if version != existing.version:
        raise ConflictError(_("该评价已被他人修改，请刷新后重试。"))
    before = audit.snapshot(existing)
    versioned_update(existing, version, scores=found, total=total, comment=comment, rated_by=by.user)
    audit.record(by, "sites.rating.save", existing, before=before)
    return existing


def _own_orgs(user):
    from orgs.models import Membership

    return list(Membership.objects.filter(user=user, is_active=True).exclude(role__in=_OFFICE).select_related("org"))


_OFFICE = ("office_admin", "office_reviewer")


@transaction.atomic
def ratings_lock(*, by: Actor, year: int) -> RatingLock:
    """The office locks a year's ratings: none may be given or changed afterwards."""
    ensure_manager(by)
    if ratings_locked(year):
        raise UserError(_("%(year)d 年度的评价已经锁定。") % {"year": year}, field="year")
    lock = RatingLock.objects.create(year=year, locked_by=by.user)
    audit.record(by, "sites.rating.lock", lock, detail={"year": year})
    return lock
