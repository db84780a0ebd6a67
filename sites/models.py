"""Demonstration sites (示范点): batches, nominations, sites, guidance groups, visits, follow-ups and ratings.

The office opens a `Batch` (a level, a year, a quota and a nomination window); group unions nominate their
enterprises (`Nomination`, through the workflow in sites/workflow.py); the office selects within the quota and
announces the batch, which makes each selected nomination a `Site`. A `GuidanceGroup` of people from member
departments and the office is assigned to sites; its members record `Visit`s with photos and files, raise
`FollowUp`s the site or its union closes, and give one `SiteRating` per site and year on the rubric of choices.RUBRIC.

Who sees a site: whoever's organisational scope covers its organisation, plus the members of the guidance group
assigned to it (`SiteQuerySet.visible_to`); everything hanging from a site (visits, files, follow-ups, ratings)
is seen through its site.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import deadlines
from core.fields import EncryptedCharField
from core.models import BaseModel, StoredFile
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet, granted_paths, within
from sites.choices import (
    BatchLevel,
    BatchStatus,
    FollowUpStatus,
    NominationStatus,
    SiteStatus,
)

PHONE_PURPOSE = _("产改办和指导组联系示范点，安排指导走访")


class Batch(BaseModel):
    """One batch of demonstration sites the office calls for: level, year, quota and nomination window."""

    level = models.CharField(_("级别"), max_length=12, choices=BatchLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    name = models.CharField(_("批次名称"), max_length=100, unique=True)
    quota = models.PositiveSmallIntegerField(_("名额"), validators=[MinValueValidator(1), MaxValueValidator(500)])
    opens_on = models.DateField(_("推荐开始日期"))
    closes_on = models.DateField(_("推荐截止日期"))
    status = models.CharField(_("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.COLLECTING)
    announced_on = models.DateField(_("公布日期"), null=True, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-year", "level", "name"]
        verbose_name = _("示范点批次")
        verbose_name_plural = _("示范点批次")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="%(app_label)s_%(class)s_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:batch", kwargs={"pk": self.pk})

    def window(self) -> deadlines.Window:
        return deadlines.window(opens_on=self.opens_on, deadline=self.closes_on)

    def is_open(self, now=None) -> bool:
        """Nominations are taken: the batch is collecting and today lies in its window (Beijing time)."""
        from django.utils import timezone

        return self.status == BatchStatus.COLLECTING and self.window().is_open(now or timezone.now())


class Nomination(BaseModel):
    """A group union's reasoned nomination of one of its enterprises for a batch (推荐申报)."""

    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="nominations")
    org = models.ForeignKey(Organisation, verbose_name=_("推荐单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=12, choices=NominationStatus.choices, default=NominationStatus.DRAFT
    )
    goals = models.JSONField(_("示范的改革任务"), default=list, blank=True)
    goals_text = models.TextField(_("示范内容"), blank=True)
    achievements = models.TextField(_("已开展的工作"), blank=True)
    plans = models.TextField(_("下一步计划"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_position = models.CharField(_("联系人职务"), max_length=200, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), blank=True, kind="phone", purpose=PHONE_PURPOSE)
    reason = models.TextField(_("退回或未入选原因"), blank=True)
    submitted_at = models.DateTimeField(_("推荐时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("遴选时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["batch_id", "org__path"]
        verbose_name = _("示范点推荐")
        verbose_name_plural = _("示范点推荐")
        constraints = [
            models.UniqueConstraint(fields=["batch", "org"], name="%(app_label)s_%(class)s_one_per_org_and_batch")
        ]

    def __str__(self) -> str:
        return f"{self.org.name}（{self.batch.name}）"

    def get_absolute_url(self) -> str:
        return reverse("sites:nomination", kwargs={"pk": self.pk})


class NominationFileQuerySet(ScopedQuerySet):
    org_field = "nomination__org"


class NominationFile(StoredFile):
    """A file attached to a nomination (the application, supporting material)."""

    nomination = models.ForeignKey(Nomination, verbose_name=_("推荐"), on_delete=models.CASCADE, related_name="files")

    objects = NominationFileQuerySet.as_manager()

    class Meta:
        ordering = ["nomination_id", "id"]
        verbose_name = _("推荐材料")
        verbose_name_plural = _("推荐材料")


class GuidanceGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> GuidanceGroupQuerySet:
        """The office sees every group; anyone else the groups they belong to and those guiding a site they see."""
        from orgs.scoping import is_office

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if is_office(user):
            return self.all()
        paths = granted_paths(user, Action.VIEW)
        guided = Site.objects.filter(within("org__path", paths, self.db)).values("group_id")
        mine = GuidanceGroup.members.through.objects.filter(user_id=user.pk).values("guidancegroup_id")
        return self.filter(Q(pk__in=mine) | Q(pk__in=guided))


class GuidanceGroup(BaseModel):
    """A guidance group (指导组) sent to demonstration sites: people from member departments and the office."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("组长"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("成员"), related_name="guidance_groups")
    notes = models.TextField(_("说明"), blank=True)

    objects = GuidanceGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("指导组")
        verbose_name_plural = _("指导组")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:group", kwargs={"pk": self.pk})


def assigned_site_q(user, prefix: str = "") -> Q:
    """Sites (or rows under them, through `prefix`) assigned to a guidance group `user` belongs to."""
    through = GuidanceGroup.members.through
    groups = through.objects.filter(user_id=user.pk).values("guidancegroup_id")
    return Q(**{f"{prefix}group_id__in": groups})


class SiteQuerySet(ScopedQuerySet):
    """Sites in the user's organisational scope, plus (for reading) those assigned to the user's guidance group."""

    site_prefix = ""

    def visible_to(self, user, action: str = Action.VIEW):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        prefix = self.site_prefix
        paths = granted_paths(user, action)
        condition = within(f"{prefix}org__path", paths, self.db)
        if action == Action.VIEW:
            condition |= assigned_site_q(user, prefix)
        return self.filter(condition)


class Site(BaseModel):
    """A demonstration site (示范点): an organisation selected in a batch, with its guidance and status."""

    org = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="sites")
    nomination = models.OneToOneField(
        Nomination, verbose_name=_("推荐"), on_delete=models.PROTECT, null=True, blank=True, related_name="site"
    )
    status = models.CharField(_("状态"), max_length=12, choices=SiteStatus.choices, default=SiteStatus.SELECTED)
    goals = models.JSONField(_("示范的改革任务"), default=list, blank=True)
    goals_text = models.TextField(_("示范内容"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_position = models.CharField(_("联系人职务"), max_length=200, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), blank=True, kind="phone", purpose=PHONE_PURPOSE)
    announced_on = models.DateField(_("公布日期"))
    group = models.ForeignKey(
        GuidanceGroup, verbose_name=_("指导组"), on_delete=models.PROTECT, null=True, blank=True, related_name="sites"
    )
    guided_since = models.DateField(_("开始指导日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("撤销日期"), null=True, blank=True)
    withdraw_reason = models.TextField(_("撤销原因"), blank=True)
    summary = models.TextField(_("进展概要"), blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["batch_id", "org__path"]
        verbose_name = _("示范点")
        verbose_name_plural = _("示范点")
        constraints = [
            models.UniqueConstraint(fields=["batch", "org"], name="%(app_label)s_%(class)s_one_per_org_and_batch")
        ]

    def __str__(self) -> str:
        return self.org.name

    def get_absolute_url(self) -> str:
        return reverse("sites:site", kwargs={"pk": self.pk})


class UnderSiteQuerySet(SiteQuerySet):
    site_prefix = "site__"


class Visit(BaseModel):
    """A guidance visit (指导走访) to a site: who went, what they found and what they recommend."""

    site = models.ForeignKey(Site, verbose_name=_("示范点"), on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("指导组成员"), related_name="+")
    others = models.CharField(_("其他参加人员"), max_length=300, blank=True)
    findings = models.TextField(_("发现的问题"))
    recommendations = models.TextField(_("意见建议"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = UnderSiteQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("指导走访")
        verbose_name_plural = _("指导走访")

    def __str__(self) -> str:
        return f"{self.site.org.name} {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("sites:visit", kwargs={"pk": self.pk})


class VisitFileQuerySet(SiteQuerySet):
    site_prefix = "visit__site__"


class VisitFile(StoredFile):
    """A photo or file of a visit (photos are JPEG/PNG, cleaned of their location by core.attachments)."""

    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="files")
    is_photo = models.BooleanField(_("照片"), default=False)

    objects = VisitFileQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "-is_photo", "id"]
        verbose_name = _("走访照片和文件")
        verbose_name_plural = _("走访照片和文件")


class FollowUp(BaseModel):
    """A follow-up task (整改/跟进事项) raised on a visit: what, who closes it, by when, and how it ended."""

    site = models.ForeignKey(Site, verbose_name=_("示范点"), on_delete=models.PROTECT, related_name="followups")
    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.PROTECT, related_name="followups")
    title = models.CharField(_("事项"), max_length=300)
    owner = models.ForeignKey(Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.TextField(_("完成情况"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("办结人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = UnderSiteQuerySet.as_manager()

    class Meta:
        ordering = ["status", "deadline", "id"]
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        """逾期: still open after its deadline day (Beijing time)."""
        return self.status == FollowUpStatus.OPEN and self.deadline < (today or deadlines.today())

    def on_time(self) -> bool | None:
        """Closed by its deadline; None while open."""
        if self.status != FollowUpStatus.DONE or self.done_on is None:
            return None
        return self.done_on <= self.deadline


class SiteRating(BaseModel):
    """A guidance group's rating of a site for a year on the rubric (choices.RUBRIC), with a comment."""

    site = models.ForeignKey(Site, verbose_name=_("示范点"), on_delete=models.PROTECT, related_name="ratings")
    group = models.ForeignKey(GuidanceGroup, verbose_name=_("指导组"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    scores = models.JSONField(_("各项得分"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1)
    comment = models.TextField(_("评语"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = UnderSiteQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "site_id"]
        verbose_name = _("指导组评价")
        verbose_name_plural = _("指导组评价")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "site", "year"], name="%(app_label)s_%(class)s_one_per_group_site_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site.org.name} {self.year}：{self.total}"


class RatingLock(models.Model):
    """The office has locked a year's ratings: none may be given or changed any more."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    locked_at = models.DateTimeField(_("锁定时间"), auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("锁定人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("评价锁定")
        verbose_name_plural = _("评价锁定")

    def __str__(self) -> str:
        return str(self.year)
