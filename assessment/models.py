"""Quantifiable assessment (量化考核): yearly frameworks of dimensions and criteria, rounds over a set of
organisations, the inputs people give (self-assessment evidence, ratings, calibrations, recorded events,
appeals) and the computed results, kept for every computation so a published score never changes
silently.

Scores are never typed: `assessment.scoring` computes them from the framework version and the inputs
(`assessment.inputs`), and the same framework and inputs always give the same scores.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment.choices import (
    AppealStatus,
    Area,
    Combine,
    CriterionKind,
    Curve,
    EntryKind,
    EvidenceKind,
    FrameworkStatus,
    Grade,
    GradeMethod,
    PeerGroup,
    RoundStatus,
)
from core.models import BaseModel
from orgs.scoping import ScopedQuerySet
from reporting.models import code_validator

POINTS = {"max_digits": 8, "decimal_places": 2}
RATIO = {"max_digits": 8, "decimal_places": 4}


def default_thresholds() -> dict:
    return {Grade.EXCELLENT: "90", Grade.GOOD: "80", Grade.PASS: "60"}


def default_quotas() -> dict:
    return {Grade.EXCELLENT: "15", Grade.GOOD: "35"}


class Framework(BaseModel):
    """One version of the assessment method for a year: its dimensions, criteria, grading and peer groups.

    Once a round has been opened on it the framework is frozen (`is_frozen`); a change then needs a new
    version, made as a copy. A new year starts as a copy of the last year's latest version.
    """

    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    number = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT)
    total_points = models.DecimalField(_("满分"), default=Decimal(100), **POINTS)
    grade_method = models.CharField(
        _("定等方式"), max_length=20, choices=GradeMethod.choices, default=GradeMethod.THRESHOLDS
    )
    thresholds = models.JSONField(_("等次分数线"), default=default_thresholds)
    quotas = models.JSONField(_("等次比例（%）"), default=default_quotas)
    peer_group = models.CharField(
        _("同类排名依据"), max_length=20, choices=PeerGroup.choices, default=PeerGroup.OWNERSHIP
    )
    copied_from = models.ForeignKey(
        "self", verbose_name=_("复制自"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="%(app_label)s_%(class)s_unique_version"),
        ]

    def __str__(self) -> str:
        return _("%(name)s（第%(n)d版）") % {"name": self.name, "n": self.number}

    def get_absolute_url(self) -> str:
        return reverse("assessment:framework_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.rounds.exists()


class Dimension(models.Model):
    """A part of the framework with its points: one of the five key tasks or the organisation of the reform."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(_("代码"), max_length=32, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    area = models.CharField(_("考核内容"), max_length=20, choices=Area.choices)
    points = models.DecimalField(_("分值"), **POINTS)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)
    version = models.PositiveIntegerField(_("版本号"), default=1)

    class Meta:
        ordering = ["framework_id", "sort_order", "id"]
        verbose_name = _("考核维度")
        verbose_name_plural = _("考核维度")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One scored item of a dimension: its kind, points, rule parameters and which organisations it applies to.

    The rule's parameters live in typed columns (target, floor, cap …) where every kind shares them, and
    in JSON lists where they are a list (bands, rubric levels, bonus and deduction items). Empty
    applicability lists mean "all organisations".
    """

    dimension = models.ForeignKey(Dimension, verbose_name=_("维度"), on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("代码"), max_length=32, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("评分细则"), blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=CriterionKind.choices)
    points = models.DecimalField(_("分值"), help_text=_("加分项、扣分项为上限。"), **POINTS)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)

    indicator = models.ForeignKey(
        "analytics.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.DecimalField(
        _("目标值"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("留空则用指标的年度目标（本单位的优先，其次全省）。"),
    )  # fmt: skip
    floor = models.DecimalField(
        _("起评线"), default=Decimal("0.6"), help_text=_("达标率（或百分位）低于此值不得分。"), **RATIO
    )
    cap = models.DecimalField(_("满分线"), default=Decimal("1"), help_text=_("达标率达到此值得满分。"), **RATIO)
    curve = models.CharField(_("计分方式"), max_length=10, choices=Curve.choices, default=Curve.LINEAR)
    bands = models.JSONField(_("分档"), default=list, blank=True, help_text=_("[[下限, 得分比例], …]"))
    full_at = models.DecimalField(
        _("满分提升幅度"), max_digits=12, decimal_places=4, null=True, blank=True,
        help_text=_("比率类为百分点，数量类为增长百分比。"),
    )  # fmt: skip
    fact = models.CharField(_("平台事实"), max_length=64, blank=True)
    levels = models.JSONField(_("评分等级"), default=list, blank=True)
    combine = models.CharField(_("多人评分合成"), max_length=20, choices=Combine.choices, default=Combine.MEAN)
    items = models.JSONField(_("加（扣）分事项"), default=list, blank=True)
    grade_cap = models.CharField(_("否决后最高等次"), max_length=20, choices=Grade.choices, blank=True)

    version = models.PositiveIntegerField(_("版本号"), default=1)
    kinds = models.JSONField(_("适用机构类型"), default=list, blank=True)
    ownerships = models.JSONField(_("适用所有制"), default=list, blank=True)
    industries = models.JSONField(_("适用行业"), default=list, blank=True)

    class Meta:
        ordering = ["dimension__sort_order", "dimension_id", "sort_order", "id"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(condition=Q(points__gte=0), name="%(app_label)s_%(class)s_points_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_common(self) -> bool:
        return not (self.kinds or self.ownerships or self.industries)

    def applies_to(self, org) -> bool:
        """Whether the criterion is scored for `org` (its kind, ownership and industry all allowed), the same
        answer as scoring's CriterionSpec.applies_to: raters are asked only where it applies."""
        return (
            (not self.kinds or org.kind in self.kinds)
            and (not self.ownerships or org.ownership in self.ownerships)
            and (not self.industries or org.industry in self.industries)
        )


class Round(BaseModel):
    """One year's assessment over a set of organisations, on one framework version.

    Self-assessment → rating → calibration → published (the appeal window) → locked. Reopening a published
    or locked round (after accepted data changed) goes back to calibration; every computation is kept.
    """

    framework = models.ForeignKey(
        Framework, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.SELF_ASSESSMENT
    )
    self_deadline = models.DateField(_("自评截止日期"), null=True, blank=True)
    appeal_deadline = models.DateField(_("申诉截止日期"), null=True, blank=True)
    published = models.ForeignKey(
        "Computation", verbose_name=_("已公布的计算"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-framework__year", "-id"]
        verbose_name = _("考核轮次")
        verbose_name_plural = _("考核轮次")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessment:round_detail", args=[self.pk])

    @property
    def year(self) -> int:
        return self.framework.year


class ParticipantQuerySet(ScopedQuerySet):
    pass


class Participant(models.Model):
    """An organisation assessed in a round, with its peer group as it stood when the round opened."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+"
    )
    peer_key = models.CharField(_("同类分组"), max_length=64, blank=True)
    peer_label = models.CharField(_("同类分组名称"), max_length=200, blank=True)
    self_note = models.TextField(_("自评说明"), blank=True)
    self_submitted_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "org__path"]
        verbose_name = _("被考核单位")
        verbose_name_plural = _("被考核单位")
        constraints = [
            models.UniqueConstraint(fields=["round", "org"], name="%(app_label)s_%(class)s_unique_org"),
        ]

    def __str__(self) -> str:
        return str(self.org)

    def get_absolute_url(self) -> str:
        return reverse("assessment:score_card", args=[self.pk])


class RaterAssignment(models.Model):
    """A person named to rate the qualitative criteria (all, or one) of the participants in a subtree (or all).

    The unique constraint treats empty criterion and subtree as distinct (SQLite cannot do otherwise);
    services.rater_assign looks the row up first, so the office never creates the same assignment twice.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="raters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("考核指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("留空表示全部定性指标。"),
    )  # fmt: skip
    org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("评分范围"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("留空表示全部被考核单位。"),
    )  # fmt: skip

    class Meta:
        ordering = ["round_id", "id"]
        verbose_name = _("评分人")
        verbose_name_plural = _("评分人")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user", "criterion", "org"],
                name="%(app_label)s_%(class)s_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_username()


class Rating(BaseModel):
    """One rater's level on one qualitative criterion of one participant, with their evidence and comment."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("等级"), max_length=32)
    comment = models.TextField(_("评语"))
    evidence = models.TextField(_("依据"), blank=True)

    class Meta:
        ordering = ["participant_id", "criterion_id", "id"]
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "criterion", "rater"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.criterion_id}: {self.level}"


class Calibration(BaseModel):
    """The office's calibrated level of a qualitative criterion, which replaces the combined raters' level."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="calibrations")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("校准等级"), max_length=32)
    reason = models.TextField(_("校准理由"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["participant_id", "criterion_id"]
        verbose_name = _("校准")
        verbose_name_plural = _("校准")
        constraints = [
            models.UniqueConstraint(fields=["participant", "criterion"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.criterion_id}: {self.level}"


class Entry(models.Model):
    """An event the office recorded for a participant on a bonus, deduction or veto criterion, with evidence."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=EntryKind.choices)
    item = models.CharField(_("事项"), max_length=32, blank=True)
    note = models.TextField(_("说明"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["participant_id", "criterion_id", "id"]
        verbose_name = _("加扣分登记")
        verbose_name_plural = _("加扣分登记")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"assessment/evidence/{instance.participant_id}/{filename}"


class Evidence(models.Model):
    """A file, link or platform report an organisation (or a rater) offers in support of a criterion."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("考核指标"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=300, blank=True)
    url = models.URLField(_("链接"), max_length=500, blank=True)
    report = models.ForeignKey(
        "reporting.Report", verbose_name=_("报表"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        ordering = ["participant_id", "criterion_id", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.title


class Appeal(BaseModel):
    """An assessed organisation contesting one criterion's score, with its reasons and the office's answer."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="appeals")
    criterion = models.ForeignKey(Criterion, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    answer = models.TextField(_("答复"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["participant_id", "created_at", "id"]
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")

    def __str__(self) -> str:
        return f"{self.participant} · {self.criterion}"


class Computation(models.Model):
    """One run of the scoring over a round: the inputs' fingerprint and who asked, kept for ever.

    The same framework version and the same inputs give the same fingerprint and the same scores; a
    published computation is never replaced, only followed by a newer one after the round is reopened.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="computations")
    number = models.PositiveIntegerField(_("序号"))
    fingerprint = models.CharField(_("输入指纹"), max_length=64)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.CharField(_("计算人"), max_length=150)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    # Made when published (assessment/integrity.py, docs/integrity.md); "" when not sealed. A published
    # computation is never changed, so its seal stays when the round is reopened.
    seal = models.CharField(_("完整性封印"), max_length=64, blank=True, default="")
    seal_key_id = models.CharField(_("封印密钥编号"), max_length=8, blank=True, default="")
    sealed_at = models.DateTimeField(_("封印时间"), null=True, blank=True)

    class Meta:
        ordering = ["round_id", "number"]
        verbose_name = _("计分结果")
        verbose_name_plural = _("计分结果")
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="%(app_label)s_%(class)s_unique_number"),
        ]

    def __str__(self) -> str:
        return _("第%(n)d次计算") % {"n": self.number}


class Result(models.Model):
    """A participant's totals in one computation: raw and normalised points, bonus, deduction, grade, ranks."""

    computation = models.ForeignKey(Computation, on_delete=models.CASCADE, related_name="results")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="results")
    raw = models.DecimalField(_("基本得分"), **POINTS)
    max_points = models.DecimalField(_("适用满分"), **POINTS)
    normalised = models.DecimalField(_("折算得分"), **POINTS)
    bonus = models.DecimalField(_("加分"), **POINTS)
    deduction = models.DecimalField(_("扣分"), **POINTS)
    total = models.DecimalField(_("总分"), **POINTS)
    grade = models.CharField(_("等次"), max_length=20, choices=Grade.choices)
    grade_before_cap = models.CharField(_("否决前等次"), max_length=20, choices=Grade.choices)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    rank = models.PositiveIntegerField(_("总排名"))
    group_rank = models.PositiveIntegerField(_("同类排名"))
    group_size = models.PositiveIntegerField(_("同类单位数"))
    weakest = models.ForeignKey(
        Dimension, verbose_name=_("最弱维度"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    unresolved = models.PositiveIntegerField(_("待校准项数"), default=0)

    class Meta:
        ordering = ["computation_id", "rank", "participant__org__code"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [
            models.UniqueConstraint(fields=["computation", "participant"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.total}"


class CriterionResult(models.Model):
    """The points of one criterion for one participant in one computation, with everything that explains them."""

    computation = models.ForeignKey(Computation, on_delete=models.CASCADE, related_name="criterion_results")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    applicable = models.BooleanField(_("适用"), default=True)
    points = models.DecimalField(_("得分"), **POINTS)
    max_points = models.DecimalField(_("分值"), **POINTS)
    detail = models.JSONField(_("计分依据"), default=dict)

    class Meta:
        ordering = ["computation_id", "participant_id", "criterion_id"]
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [
            models.UniqueConstraint(
                fields=["computation", "participant", "criterion"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"
