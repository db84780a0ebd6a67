"""五小 activities and rationalization suggestions (合理化建议).

A `Campaign` (五小活动 or 合理化建议征集活动) is run by an organiser organisation over a period and collects
some kinds. A `Suggestion` is one idea a worker (or several co-workers) put forward, entered for them by their
union (reporters and union administrators: there are no worker accounts), at the organisation where they
work; it goes submitted → reviewed → adopted or rejected (with a reason) → implemented → benefit assessed
(元) → rewarded, on the shared workflow (suggestions/workflow.py), each step recording who and when.
`Proposer` rows are the people who proposed it, as typed (name and occupation), each optionally linked to
the talent pool's person.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet, granted_paths, within
from suggestions.choices import SuggestionKind, SuggestionStatus

STEP = Organisation.steplen
USER = settings.AUTH_USER_MODEL


class CampaignQuerySet(ScopedQuerySet):
    """A campaign is seen by whoever sees its organiser, and by the organisations below the organiser (those
    it collects from); the office's campaigns concern the whole province."""

    org_field = "organiser"

    def visible_to(self, user, action: str = Action.VIEW):
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        ancestors = {path[:end] for path in paths for end in range(STEP, len(path) + 1, STEP)}
        below = within("organiser__path", paths, self.db)
        if action != Action.VIEW:
            return self.filter(below)
        return self.filter(below | Q(organiser__path__in=ancestors) | Q(organiser__kind=OrgKind.OFFICE))


class Campaign(BaseModel):
    """One 五小 activity or suggestion drive: who runs it, over which period, collecting which kinds."""

    name = models.CharField(_("活动名称"), max_length=200)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="suggestion_campaigns"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    kinds = models.JSONField(_("征集类别"), default=list)
    description = models.TextField(_("活动说明"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("创建人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()

    audit_label_fields = ("name",)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("五小和合理化建议活动")
        verbose_name_plural = _("五小和合理化建议活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="%(app_label)s_%(class)s_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("suggestions:campaign_detail", args=[self.pk])

    def kind_labels(self) -> list[str]:
        return [str(SuggestionKind(k).label) for k in self.kinds if k in SuggestionKind.values]


class SuggestionQuerySet(ScopedQuerySet):
    org_field = "org"


class Suggestion(BaseModel):
    """One suggestion or 五小 result, at the organisation where its proposers work, and where it stands."""

    kind = models.CharField(_("类别"), max_length=12, choices=SuggestionKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    content = models.TextField(_("主要内容"))
    org = models.ForeignKey(Organisation, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("所属活动"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="suggestions",
    )  # fmt: skip
    status = models.CharField(
        _("状态"), max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.SUBMITTED
    )
    submitted_on = models.DateField(_("提出日期"), db_index=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("录入人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("审查人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    review_note = models.CharField(_("审查意见"), max_length=500, blank=True)
    decided_on = models.DateField(_("采纳（不采纳）日期"), null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("决定人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reject_reason = models.CharField(_("不采纳原因"), max_length=500, blank=True)
    implemented_on = models.DateField(_("实施日期"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        USER, verbose_name=_("实施登记人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    value = models.DecimalField(
        _("创效金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    value_basis = models.TextField(_("效益评估依据"), blank=True)
    assessed_on = models.DateField(_("效益评估日期"), null=True, blank=True, db_index=True)
    assessed_by = models.ForeignKey(
        USER, verbose_name=_("评估人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reward_amount = models.DecimalField(
        _("奖励金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    reward_form = models.CharField(_("奖励形式"), max_length=200, blank=True)
    rewarded_on = models.DateField(_("奖励日期"), null=True, blank=True)
    rewarded_by = models.ForeignKey(
        USER, verbose_name=_("奖励登记人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = SuggestionQuerySet.as_manager()

    audit_label_fields = ("title",)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("五小和合理化建议")
        verbose_name_plural = _("五小和合理化建议")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SuggestionStatus]), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in SuggestionKind]), name="%(app_label)s_%(class)s_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=SuggestionStatus.REJECTED) | ~Q(reject_reason=""),
                name="%(app_label)s_%(class)s_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="%(app_label)s_%(class)s_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("suggestions:detail", args=[self.pk])


class ProposerQuerySet(ScopedQuerySet):
    org_field = "suggestion__org"


class Proposer(models.Model):
    """One person who proposed a suggestion: name and occupation as typed, optionally the talent-pool person."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="proposers")
    name = models.CharField(_("姓名"), max_length=50)
    occupation = models.CharField(_("职业（工种）"), max_length=100, blank=True)
    person = models.ForeignKey(
        "talent.Person", verbose_name=_("人才库人员"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="suggestions",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("排名"), default=1)

    objects = ProposerQuerySet.as_manager()

    class Meta:
        ordering = ["suggestion_id", "order", "id"]
        verbose_name = _("建议人")
        verbose_name_plural = _("建议人")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "order"], name="%(app_label)s_%(class)s_order_unique"),
        ]

    def __str__(self) -> str:
        # Audit rows name the proposer by position, never by name.
        return f"建议人 {self.order}（{self.suggestion_id}）"
