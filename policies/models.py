"""The policy library (政策库): provincial measures, their eligibility rules, targeted notices and yearly uptake.

A `Measure` is one policy measure the office keeps (issuing body, 文号, category, who is eligible, benefits,
how to apply, validity, full text and files); its `Rule`s say, as data, which organisations it is for. A
`Notice` tells the eligible organisations that have not used a measure about it, one `NoticeRecipient` per
organisation (opening is recorded there). Each year the office opens an `UptakeRound`; every organisation
eligible for at least one measure gets an `UptakeReport` with one `UptakeLine` per measure, saying whether
it used the measure (人次, 元) or why not.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, StoredFile
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet
from policies.choices import Category, MeasureStatus, NotUsedReason, UptakeStatus


class Measure(BaseModel):
    """One policy measure of the province (a 政策措施), province-wide: no organisation owns it."""

    title = models.CharField(_("政策名称"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发布日期"))
    category = models.CharField(_("类别"), max_length=32, choices=Category.choices)
    eligible_text = models.TextField(_("适用对象"), blank=True)
    benefits = models.TextField(_("支持内容"), blank=True)
    apply_steps = models.TextField(_("申请流程"), blank=True)
    apply_where = models.CharField(_("受理地点"), max_length=300, blank=True)
    apply_contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    apply_deadline = models.DateField(_("申请截止日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True, help_text=_("长期有效的留空。"))
    body = models.TextField(_("政策全文"), blank=True)
    body_text = models.TextField(_("全文（纯文本，供检索）"), blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("政策措施")
        verbose_name_plural = _("政策措施")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "repealed"]), name="%(app_label)s_%(class)s_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["doc_number"], name="policies_measure_docno_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policies:measure", kwargs={"pk": self.pk})

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def is_expired_on(self, day: dt.date) -> bool:
        return self.valid_to is not None and self.valid_to < day

    def valid_in_year(self, year: int) -> bool:
        """In force at some day of `year`."""
        return self.valid_from <= dt.date(year, 12, 31) and (
            self.valid_to is None or self.valid_to >= dt.date(year, 1, 1)
        )


class MeasureFile(StoredFile):
    """A file of a measure (the issued document, a form to fill in), served only through the measure's door."""

    # A literal path (Django adds the date) instead of the base's function: migrations import no live code.
    file = models.FileField(_("文件"), upload_to="policies/measurefile/%Y/%m/", max_length=300)
    measure = models.ForeignKey(Measure, verbose_name=_("政策措施"), on_delete=models.CASCADE, related_name="files")

    class Meta:
        ordering = ["measure_id", "uploaded_at", "id"]
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")


class Rule(models.Model):
    """One condition of a measure's eligibility: field, operator, value (policies.rules); all must hold."""

    measure = models.ForeignKey(Measure, verbose_name=_("政策措施"), on_delete=models.CASCADE, related_name="rules")
    field = models.CharField(_("条件项"), max_length=32)
    operator = models.CharField(_("比较方式"), max_length=8)
    value = models.CharField(_("取值"), max_length=500)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["measure_id", "position", "id"]
        verbose_name = _("适用条件")
        verbose_name_plural = _("适用条件")

    def __str__(self) -> str:
        from policies.rules import describe

        return describe(self.field, self.operator, self.value)


class Notice(BaseModel):
    """A targeted notice (政策推送) about a measure, sent by the office to the eligible organisations not using it."""

    measure = models.ForeignKey(Measure, verbose_name=_("政策措施"), on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("标题"), max_length=200)
    message = models.TextField(_("内容"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发送人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("政策推送")
        verbose_name_plural = _("政策推送")

    def __str__(self) -> str:
        return self.title


class NoticeRecipient(models.Model):
    """One organisation a notice was sent to, and who of it opened it first, when."""

    notice = models.ForeignKey(Notice, verbose_name=_("政策推送"), on_delete=models.CASCADE, related_name="recipients")
    org = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("打开时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("打开人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-notice__sent_at", "org__path"]
        verbose_name = _("推送对象")
        verbose_name_plural = _("推送对象")
        constraints = [models.UniqueConstraint(fields=["notice", "org"], name="%(app_label)s_%(class)s_once")]

    def __str__(self) -> str:
        return f"{self.notice.title} → {self.org.name}"

    def get_absolute_url(self) -> str:
        return reverse("policies:notice", kwargs={"pk": self.pk})


class UptakeRound(BaseModel):
    """A year the office asks the eligible organisations to report their use of the measures for."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True, validators=[MinValueValidator(2018)])
    title = models.CharField(_("名称"), max_length=200)
    opens_on = models.DateField(_("开始填报日期"))
    due_on = models.DateField(_("截止日期"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("政策落实填报")
        verbose_name_plural = _("政策落实填报")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")), name="%(app_label)s_%(class)s_due_after_open"
            )
        ]

    def __str__(self) -> str:
        return self.title


class UptakeReport(BaseModel):
    """One organisation's uptake form of a round: a line per measure it was eligible for when the round opened."""

    round = models.ForeignKey(UptakeRound, verbose_name=_("填报年度"), on_delete=models.PROTECT, related_name="reports")
    org = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=UptakeStatus.choices, default=UptakeStatus.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-round__year", "org__path"]
        verbose_name = _("政策落实情况表")
        verbose_name_plural = _("政策落实情况表")
        constraints = [models.UniqueConstraint(fields=["round", "org"], name="%(app_label)s_%(class)s_one_per_round")]

    def __str__(self) -> str:
        return f"{self.org.name} {self.round.title}"

    def get_absolute_url(self) -> str:
        return reverse("policies:uptake_form", kwargs={"pk": self.pk})


class ByReport(ScopedQuerySet):
    org_field = "report__org"


class UptakeLine(models.Model):
    """Whether the organisation used one measure in the round's year: 人次 and 元, or the reason it did not."""

    report = models.ForeignKey(UptakeReport, verbose_name=_("情况表"), on_delete=models.CASCADE, related_name="lines")
    measure = models.ForeignKey(Measure, verbose_name=_("政策措施"), on_delete=models.PROTECT, related_name="+")
    used = models.BooleanField(_("是否享受"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(_("受益人次"), null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("未享受原因"), max_length=16, choices=NotUsedReason.choices, blank=True)
    reason_text = models.CharField(_("原因说明"), max_length=500, blank=True)

    objects = ByReport.as_manager()

    class Meta:
        ordering = ["report_id", "measure__category", "measure_id"]
        verbose_name = _("政策落实情况")
        verbose_name_plural = _("政策落实情况")
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="%(app_label)s_%(class)s_one_per_measure")
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.measure}"
