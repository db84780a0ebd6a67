"""Innovation studios (创新工作室): studios, their namings, members, funds, results, alliances and reviews.

A `Studio` belongs to an organisation (the door: whoever's scope covers that organisation sees it) and is led by
a person of the talent pool (`talent.Person`). Its level is dated: each `StudioNaming` is one naming (企业级 in
2019, raised to 省级 in 2022 …); the current level is the latest naming's, copied onto the studio by the
services for filtering. `StudioMember`, `StudioFund` and `StudioResult` hang from a studio and are seen through
it. An `Alliance` (跨区域/跨行业联盟) joins studios anywhere in the province: it is seen by whoever sees one of
its studios and managed by the office or by those who may edit its lead studio. `StudioReview` is a studio's
annual review: the union submits a summary, the office rates it on choices.RUBRIC.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet, granted_paths, is_office, within
from studios.choices import (
    Grade,
    MemberRole,
    ResultKind,
    ReviewStatus,
    StudioKind,
    StudioLevel,
    StudioStatus,
)

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class StudioQuerySet(ScopedQuerySet):
    org_field = "org"

    def active(self) -> StudioQuerySet:
        return self.filter(status=StudioStatus.ACTIVE)


class Studio(BaseModel):
    """One innovation studio or technician station of an organisation, led by a person of the talent pool."""

    org = models.ForeignKey(Organisation, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=StudioKind.choices)
    level = models.CharField(_("当前级别"), max_length=12, choices=StudioLevel.choices)
    named_on = models.DateField(_("最近命名日期"))
    leader = models.ForeignKey(
        "talent.Person", verbose_name=_("领办人"), on_delete=models.PROTECT, related_name="led_studios"
    )
    location = models.CharField(_("场所"), max_length=200, blank=True)
    topics = models.TextField(_("攻关方向"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=StudioStatus.choices, default=StudioStatus.ACTIVE)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)

    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["org__path", "name", "pk"]
        verbose_name = _("创新工作室")
        verbose_name_plural = _("创新工作室")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="%(app_label)s_%(class)s_name_unique_in_org"),
            models.CheckConstraint(
                condition=Q(status="active", revoked_on__isnull=True) | Q(status="revoked", revoked_on__isnull=False),
                name="%(app_label)s_%(class)s_revoked_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("studios:studio", kwargs={"pk": self.pk})

    def level_on(self, day) -> str | None:
        """The level the studio held on `day` (its latest naming by then); None before its first naming."""
        naming = self.namings.filter(named_on__lte=day).order_by("-named_on", "-pk").first()
        return naming.level if naming else None


class UnderStudioQuerySet(ScopedQuerySet):
    org_field = "studio__org"


class StudioNaming(models.Model):
    """One naming of a studio at a level on a date (命名/晋级), by a body with its document number."""

    studio = models.ForeignKey(Studio, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="namings")
    level = models.CharField(_("级别"), max_length=12, choices=StudioLevel.choices)
    named_on = models.DateField(_("命名日期"))
    named_by = models.CharField(_("命名单位"), max_length=100, blank=True)
    document = models.CharField(_("文号"), max_length=100, blank=True)

    objects = UnderStudioQuerySet.as_manager()

    class Meta:
        ordering = ["studio_id", "named_on", "pk"]
        verbose_name = _("工作室命名")
        verbose_name_plural = _("工作室命名")
        constraints = [
            models.UniqueConstraint(fields=["studio", "level"], name="%(app_label)s_%(class)s_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.named_on:%Y-%m-%d}"


class StudioMember(models.Model):
    """A person's membership of a studio: role, joined and (when over) left."""

    studio = models.ForeignKey(Studio, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "talent.Person", verbose_name=_("成员"), on_delete=models.PROTECT, related_name="studio_memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = UnderStudioQuerySet.as_manager()

    class Meta:
        ordering = ["studio_id", "left_on", "joined_on", "pk"]
        verbose_name = _("工作室成员")
        verbose_name_plural = _("工作室成员")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="%(app_label)s_%(class)s_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studio_id}/{self.person_id}"


class StudioFund(models.Model):
    """Money a studio received in a year (元) and where it came from."""

    studio = models.ForeignKey(Studio, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="funds")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    source = models.CharField(_("来源"), max_length=100)

    objects = UnderStudioQuerySet.as_manager()

    class Meta:
        ordering = ["studio_id", "-year", "pk"]
        verbose_name = _("工作室经费")
        verbose_name_plural = _("工作室经费")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.source}"


class StudioResult(BaseModel):
    """A result of a studio: a patent, a work method, a 五小 result or another, with the value it created."""

    studio = models.ForeignKey(Studio, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="results")
    kind = models.CharField(_("类别"), max_length=8, choices=ResultKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    achieved_on = models.DateField(_("取得日期"))
    reference = models.CharField(_("专利号或编号"), max_length=60, blank=True)
    value = models.DecimalField(_("创效金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    credited = models.ManyToManyField("talent.Person", verbose_name=_("完成人"), related_name="studio_results")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = UnderStudioQuerySet.as_manager()

    class Meta:
        ordering = ["-achieved_on", "-pk"]
        verbose_name = _("工作室成果")
        verbose_name_plural = _("工作室成果")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="%(app_label)s_%(class)s_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AllianceQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = Action.VIEW) -> AllianceQuerySet:
        """Alliances with at least one studio (lead or member) in the user's scope for `action`; the office all."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if action == Action.VIEW and is_office(user):
            return self.all()
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        seen = Studio.objects.filter(within("org__path", paths, self.db)).values("pk")
        return self.filter(Q(lead__in=seen) | Q(studios__in=seen)).distinct()


class Alliance(BaseModel):
    """A cross-region or cross-industry alliance of studios (创新工作室联盟) with its lead studio."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    founded_on = models.DateField(_("成立日期"))
    lead = models.ForeignKey(Studio, verbose_name=_("牵头工作室"), on_delete=models.PROTECT, related_name="+")
    studios = models.ManyToManyField(Studio, verbose_name=_("成员工作室"), related_name="alliances")
    description = models.TextField(_("简介"), blank=True)

    objects = AllianceQuerySet.as_manager()

    class Meta:
        ordering = ["-founded_on", "name"]
        verbose_name = _("创新工作室联盟")
        verbose_name_plural = _("创新工作室联盟")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("studios:alliance", kwargs={"pk": self.pk})


class AllianceActivity(models.Model):
    """Something an alliance did together: a joint project, an exchange, a training."""

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="activities")
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("活动"), max_length=200)
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("联盟活动")
        verbose_name_plural = _("联盟活动")

    def __str__(self) -> str:
        return self.title


class StudioReview(BaseModel):
    """A studio's annual review (年度评估): its union's summary and the office's rating and grade."""

    studio = models.ForeignKey(Studio, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    summary = models.TextField(_("年度工作总结"), blank=True)
    scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)
    comment = models.TextField(_("评语"), blank=True)
    reason = models.TextField(_("退回原因"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评定人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = UnderStudioQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "studio_id"]
        verbose_name = _("年度评估")
        verbose_name_plural = _("年度评估")
        constraints = [
            models.UniqueConstraint(fields=["studio", "year"], name="%(app_label)s_%(class)s_one_per_studio_year"),
        ]

    def __str__(self) -> str:
        return f"{self.studio.name} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("studios:review", kwargs={"pk": self.pk})
