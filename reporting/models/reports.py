"""Periods, reports, their values and everything that happens to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from orgs.scoping import ScopedQuerySet
from reporting import periods
from reporting.choices import (
    DigestStatus,
    PeriodType,
    ReportStatus,
)
from reporting.models.metadata import (
    CategoryOptionCombo,
    DataElement,
    DataSet,
    DataSetVersion,
    Section,
    ValidationRule,
)

# --- Periods ------------------------------------------------------------------------------------


class Period(models.Model):
    """A reporting period: 2021 (年度), 2021H1, 2021Q2 or 202103; reference data created on first use."""

    period_type = models.CharField(_("类型"), max_length=20, choices=PeriodType.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    code = models.CharField(_("代码"), max_length=10, unique=True)

    class Meta:
        ordering = ["start", "end"]
        verbose_name = _("报告期")
        verbose_name_plural = _("报告期")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="%(app_label)s_%(class)s_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return periods.period_label(self.period_type, self.start)

    @property
    def spec(self) -> periods.PeriodSpec:
        return periods.PeriodSpec(self.period_type, self.start, self.end, self.code)


class DeadlineExtension(models.Model):
    """The office moved the deadline of a data set and period, for one subtree or (org empty) for everyone."""

    dataset = models.ForeignKey(DataSet, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="extensions")
    period = models.ForeignKey(Period, verbose_name=_("报告期"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("机构（空为全部）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    new_deadline = models.DateField(_("新截止日期"))
    reason = models.CharField(_("原因"), max_length=500)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("延期")
        verbose_name_plural = _("延期")

    def __str__(self) -> str:
        return f"{self.dataset} {self.period} → {self.new_deadline}"


class PeriodLock(models.Model):
    """A data set's period closed by the office: no entry, submission or review until unlocked."""

    dataset = models.ForeignKey(DataSet, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="locks")
    period = models.ForeignKey(Period, verbose_name=_("报告期"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    locked_at = models.DateTimeField(_("锁定时间"), auto_now_add=True)

    class Meta:
        ordering = ["-locked_at"]
        verbose_name = _("报告期锁定")
        verbose_name_plural = _("报告期锁定")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "period"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} {self.period}"


# --- Reports and values ---------------------------------------------------------------------------


class ReportQuerySet(ScopedQuerySet):
    org_field = "org"


class Report(BaseModel):
    """One organisation's filling of a data set for a period, against one version of it.

    `version` (from BaseModel) changes on every save or transition: clients send the version
    they loaded, and a stale one is refused instead of overwriting someone else's work.
    """

    org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("填报机构"), on_delete=models.PROTECT, related_name="reports"
    )
    dataset = models.ForeignKey(DataSet, verbose_name=_("报表"), on_delete=models.PROTECT, related_name="reports")
    dataset_version = models.ForeignKey(
        DataSetVersion, verbose_name=_("报表版本"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(Period, verbose_name=_("报告期"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    on_behalf_of = models.BooleanField(_("由上级代报"), default=False)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    # Made on acceptance, cleared on reopening (reporting/integrity.py, docs/integrity.md); "" when not sealed.
    seal = models.CharField(_("完整性封印"), max_length=64, blank=True, default="")
    seal_key_id = models.CharField(_("封印密钥编号"), max_length=8, blank=True, default="")
    sealed_at = models.DateTimeField(_("封印时间"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period__start", "org__path"]
        verbose_name = _("填报记录")
        verbose_name_plural = _("填报记录")
        constraints = [
            models.UniqueConstraint(fields=["org", "dataset", "period"], name="%(app_label)s_%(class)s_one_per_period"),
        ]
        indexes = [models.Index(fields=["dataset", "period", "status"], name="reporting_report_due_idx")]

    def __str__(self) -> str:
        return f"{self.org} · {self.dataset} · {self.period}"

    @property
    def is_editable(self) -> bool:
        from reporting.workflow import EDITABLE  # the workflow definition imports the choices, not the models

        return self.status in EDITABLE


class ReportChildQuerySet(ScopedQuerySet):
    org_field = "report__org"


class DataValue(models.Model):
    """One cell of a report: an element's value for one option combo.

    `value` is the canonical text (see reporting/values.py); `number` repeats it as a Decimal
    for numeric and yes/no types, for rules and aggregation. An empty `value` is a cleared cell
    (kept so that a conflict can say it was cleared, and so that a comment can stand alone).
    `changed_in` is the report version that last changed the value.
    """

    report = models.ForeignKey(Report, verbose_name=_("填报记录"), on_delete=models.CASCADE, related_name="values")
    element = models.ForeignKey(DataElement, verbose_name=_("数据元"), on_delete=models.PROTECT, related_name="+")
    option_combo = models.ForeignKey(
        CategoryOptionCombo, verbose_name=_("分类选项组合"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.TextField(_("值"), blank=True)
    number = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    comment = models.CharField(_("备注"), max_length=1000, blank=True)
    changed_in = models.PositiveIntegerField(_("修改时的版本号"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "element_id", "option_combo_id"]
        verbose_name = _("数据值")
        verbose_name_plural = _("数据值")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "element", "option_combo"], name="%(app_label)s_%(class)s_unique_cell"
            ),
        ]
        indexes = [models.Index(fields=["element", "option_combo"], name="reporting_value_element_idx")]

    def __str__(self) -> str:
        return f"{self.element.code}[{self.option_combo.key}] = {self.value}"


class ValueReturn(models.Model):
    """A reviewer sent back a report, one section of it or one value, with a reason the reporter sees."""

    report = models.ForeignKey(Report, verbose_name=_("填报记录"), on_delete=models.CASCADE, related_name="returns")
    section = models.ForeignKey(
        Section, verbose_name=_("分区"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    element = models.ForeignKey(
        DataElement, verbose_name=_("数据元"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    option_combo = models.ForeignKey(
        CategoryOptionCombo,
        verbose_name=_("分类选项组合"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("退回原因"), max_length=1000)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("退回时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "-created_at", "-id"]
        verbose_name = _("退回意见")
        verbose_name_plural = _("退回意见")
        constraints = [
            models.CheckConstraint(
                condition=Q(option_combo__isnull=True) | Q(element__isnull=False),
                name="%(app_label)s_%(class)s_combo_needs_element",
            ),
        ]

    def __str__(self) -> str:
        return self.reason

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ReportSnapshot(models.Model):
    """The values of a report as they were at one submission, to show a reviewer what changed since."""

    report = models.ForeignKey(Report, verbose_name=_("填报记录"), on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField(_("第几次提交"))
    values = models.JSONField(_("数值"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))
    idempotency_key = models.CharField(_("幂等键"), max_length=100, blank=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "number"]
        verbose_name = _("提交快照")
        verbose_name_plural = _("提交快照")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="%(app_label)s_%(class)s_unique_number"),
            models.UniqueConstraint(
                fields=["report", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="%(app_label)s_%(class)s_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} #{self.number}"


class WarningExplanation(models.Model):
    """The reporter's explanation of why a warning rule's failure is correct for this report."""

    report = models.ForeignKey(
        Report, verbose_name=_("填报记录"), on_delete=models.CASCADE, related_name="explanations"
    )
    rule = models.ForeignKey(ValidationRule, verbose_name=_("校验规则"), on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("说明"), max_length=1000)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(_("时间"), auto_now=True)

    objects = ReportChildQuerySet.as_manager()

    class Meta:
        ordering = ["report_id", "rule_id"]
        verbose_name = _("警告说明")
        verbose_name_plural = _("警告说明")
        constraints = [
            models.UniqueConstraint(fields=["report", "rule"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class NotificationDigest(models.Model):
    """One person's daily digest e-mail of one day (Beijing time): claimed before it is sent, so that
    whichever process or run comes second on the same day sends nothing; the notifications it listed
    point back to it (Notification.digest), so the next digest lists only those added since."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests")
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=16, choices=DigestStatus.choices, default=DigestStatus.SENDING)
    notifications = models.PositiveIntegerField(_("新增未读通知数"), default=0)
    unread = models.PositiveIntegerField(_("未读通知总数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-day", "user_id"]
        verbose_name = _("未读通知每日汇总")
        verbose_name_plural = _("未读通知每日汇总")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="%(app_label)s_%(class)s_one_per_user_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day:%Y-%m-%d} {self.get_status_display()}"


class Notification(models.Model):
    """A message in one user's in-app inbox (a copy also goes by e-mail when the user has an address)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The daily digest that listed it (still unread then); none yet: the next digest lists it.
    digest = models.ForeignKey(
        NotificationDigest, on_delete=models.SET_NULL, null=True, blank=True, related_name="items", editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        indexes = [models.Index(fields=["user", "read_at"], name="reporting_notice_inbox_idx")]

    def __str__(self) -> str:
        return self.title
