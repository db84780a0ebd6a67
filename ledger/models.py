"""The reform ledger (改革台账): what each organisation with reform tasks has set up and is doing.

One `Ledger` per organisation carrying reform tasks (the office puts it on the ledger): its
implementation plan, leading group and assessment method as dated facts, its group members and
officers as dated history, its tasks with targets, milestones and progress updates, its nine-aspect
written reports, and the alerts computed on all of that. Settings are one row (`ReformSettings`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField
from core.models import BaseModel
from ledger.choices import (
    AlertKind,
    Aspect,
    DocumentKind,
    GroupRole,
    KeyTask,
    OfficerKind,
    TargetKind,
    TaskStatus,
    WrittenStatus,
)
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet


class ReformSettings(BaseModel):
    """The province's settings for the ledger (one row): the reform's start and the deadlines alerts use."""

    reform_start = models.DateField(_("改革启动日期"), default=dt.date(2018, 1, 1))
    plan_deadline = models.DateField(
        _("实施方案出台期限"), default=dt.date(2018, 12, 31), help_text=_("此后出台的实施方案视为滞后。")
    )
    group_deadline = models.DateField(_("领导小组成立期限"), default=dt.date(2018, 12, 31))
    idle_months = models.PositiveSmallIntegerField(
        _("无行动预警月数"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_(
            "连续这么多个月没有任何改革工作记录（改革任务及进展、书面报告、台账更新；统计报表不计在内）即预警。"
        ),
    )
    lag_points = models.PositiveSmallIntegerField(
        _("进度滞后预警阈值（百分点）"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("指标实际进度比按时间均匀推进应达到的进度低这么多个百分点即预警。"),
    )

    class Meta:
        verbose_name = _("产改台账设置")
        verbose_name_plural = _("产改台账设置")

    def __str__(self) -> str:
        return str(_("产改台账设置"))

    @classmethod
    def current(cls) -> ReformSettings:
        """The settings row (created with the defaults the first time it is asked for)."""
        found = cls.objects.filter(pk=1).first()
        if found is None:
            found, _created = cls.objects.get_or_create(pk=1)
        return found

    def reform_year(self, day: dt.date | None) -> int | None:
        """The reform year `day` falls in: 1 for the first twelve months from the start, and so on."""
        if day is None:
            return None
        if day < self.reform_start:
            return 0
        months = (day.year - self.reform_start.year) * 12 + day.month - self.reform_start.month
        if day.day < self.reform_start.day:
            months -= 1
        return months // 12 + 1


def document_path(instance: Document, filename: str) -> str:
    """A generated storage name under the organisation (never the uploaded name)."""
    return f"ledger/{instance.org_id}/{filename}"


class Document(models.Model):
    """A file kept in the ledger (a plan, a group's founding document, evidence, a report's attachment).

    Checked by content when uploaded (core.files) and only ever served as a download.
    """

    org = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "uploaded_at", "id"]
        verbose_name = _("台账文件")
        verbose_name_plural = _("台账文件")

    def __str__(self) -> str:
        return self.original_name


class ByLedger(ScopedQuerySet):
    """Rows of a ledger (group members, tasks): scoped by the ledger's organisation."""

    org_field = "ledger__org"


class ByTask(ScopedQuerySet):
    """Rows of a task (milestones, updates): scoped by the task's organisation."""

    org_field = "task__ledger__org"


class Ledger(BaseModel):
    """One organisation's reform ledger: the plan, the leading group and the assessment method, as dated facts."""

    org = models.OneToOneField(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="ledger")
    listed_on = models.DateField(_("列入台账日期"), help_text=_("承担改革任务的起始日期。"))
    # 实施方案
    plan_issued_on = models.DateField(_("实施方案印发日期"), null=True, blank=True)
    plan_title = models.CharField(_("实施方案名称"), max_length=200, blank=True)
    plan_issuer = models.CharField(_("印发单位"), max_length=200, blank=True)
    plan_doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    plan_document = models.ForeignKey(
        Document, verbose_name=_("实施方案文件"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # 领导小组
    group_established_on = models.DateField(_("领导小组成立日期"), null=True, blank=True)
    group_doc_number = models.CharField(_("成立文号"), max_length=100, blank=True)
    group_document = models.ForeignKey(
        Document, verbose_name=_("成立文件"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # 量化考核评价办法
    method_issued_on = models.DateField(_("考核评价办法印发日期"), null=True, blank=True)
    method_title = models.CharField(_("考核评价办法名称"), max_length=200, blank=True)
    method_doc_number = models.CharField(_("办法文号"), max_length=100, blank=True)
    method_document = models.ForeignKey(
        Document, verbose_name=_("考核评价办法文件"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedQuerySet.as_manager()

    audit_label_fields = ("org",)

    class Meta:
        ordering = ["org__path"]
        verbose_name = _("产改台账")
        verbose_name_plural = _("产改台账")

    def __str__(self) -> str:
        return f"{self.org.name}{_('产改台账')}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:detail", kwargs={"code": self.org.code})


class GroupMember(models.Model):
    """A member of an organisation's reform leading group, with the dates of membership."""

    ledger = models.ForeignKey(Ledger, verbose_name=_("台账"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=100)
    position = models.CharField(_("职务"), max_length=200, blank=True)
    role = models.CharField(_("组内职务"), max_length=16, choices=GroupRole.choices)
    joined_on = models.DateField(_("起始日期"))
    left_on = models.DateField(_("终止日期"), null=True, blank=True)

    objects = ByLedger.as_manager()

    class Meta:
        ordering = ["ledger_id", "left_on", "role", "joined_on", "id"]
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="%(app_label)s_%(class)s_left_after_joined",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    def is_current(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class OfficerQuerySet(ByLedger):
    def current(self, day: dt.date) -> OfficerQuerySet:
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=day), started_on__lte=day)


class Officer(models.Model):
    """An information officer (信息员) or liaison (联络员): named for a period, history kept by dates."""

    ledger = models.ForeignKey(Ledger, verbose_name=_("台账"), on_delete=models.CASCADE, related_name="officers")
    kind = models.CharField(_("类别"), max_length=10, choices=OfficerKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=100)
    position = models.CharField(_("部门及职务"), max_length=200, blank=True)
    phone = EncryptedCharField(
        _("联系电话"),
        blank=True,
        kind="phone",
        purpose=_("产改办和上级工会联系信息员、联络员，通知改革工作事项"),
    )
    email = EncryptedCharField(
        _("电子邮箱"),
        blank=True,
        kind="email",
        purpose=_("向信息员、联络员发送改革工作通知"),
    )
    started_on = models.DateField(_("起始日期"))
    left_on = models.DateField(_("终止日期"), null=True, blank=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        ordering = ["ledger_id", "kind", "left_on", "-started_on", "id"]
        verbose_name = _("信息员和联络员")
        verbose_name_plural = _("信息员和联络员")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("started_on")),
                name="%(app_label)s_%(class)s_left_after_started",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class Task(BaseModel):
    """A reform task from an organisation's plan: who answers for it, by when, and what number shows it done."""

    ledger = models.ForeignKey(Ledger, verbose_name=_("台账"), on_delete=models.CASCADE, related_name="tasks")
    key_task = models.CharField(_("重点任务"), max_length=16, choices=KeyTask.choices)
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_name = models.CharField(_("责任人"), max_length=100)
    owner_unit = models.CharField(_("责任部门"), max_length=200, blank=True)
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PLANNED)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    target_kind = models.CharField(_("目标类型"), max_length=12, choices=TargetKind.choices)
    # An indicator target: progress is read from accepted reports through the analytics engine.
    indicator = models.ForeignKey(
        "analytics.Indicator",
        verbose_name=_("指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    baseline_year = models.PositiveSmallIntegerField(_("基期年度"), null=True, blank=True)
    baseline = models.DecimalField(_("基期值"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("目标年度"), null=True, blank=True)
    # A counted result: progress comes from the updates' reported values.
    result_text = models.CharField(_("成果目标"), max_length=300, blank=True)
    result_unit = models.CharField(_("计量单位"), max_length=20, blank=True)

    objects = ByLedger.as_manager()

    class Meta:
        ordering = ["ledger_id", "key_task", "deadline", "id"]
        verbose_name = _("改革任务")
        verbose_name_plural = _("改革任务")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("starts_on")), name="%(app_label)s_%(class)s_deadline_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(target_kind=TargetKind.INDICATOR)
                | Q(indicator__isnull=False, target_value__isnull=False, target_year__isnull=False),
                name="%(app_label)s_%(class)s_indicator_target_complete",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind=TargetKind.RESULT) | Q(target_value__isnull=False),
                name="%(app_label)s_%(class)s_result_target_counted",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ledger:task", kwargs={"pk": self.pk})

    @property
    def quantified(self) -> bool:
        return self.target_kind != TargetKind.NONE

    def overdue(self, day: dt.date) -> bool:
        return self.status in (TaskStatus.PLANNED, TaskStatus.ACTIVE) and self.deadline < day


class Milestone(models.Model):
    """A dated step of a task on its roadmap."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = ByTask.as_manager()

    class Meta:
        ordering = ["task_id", "due_on", "id"]
        verbose_name = _("任务节点")
        verbose_name_plural = _("任务节点")

    def __str__(self) -> str:
        return self.title


class TaskUpdate(models.Model):
    """A progress update on a task: what was done, the value reached (for a counted result), with evidence."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("进展日期"))
    value = models.DecimalField(_("累计完成值"), max_digits=20, decimal_places=4, null=True, blank=True)
    note = models.TextField(_("进展情况"))
    document = models.ForeignKey(
        Document, verbose_name=_("佐证材料"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    objects = ByTask.as_manager()

    class Meta:
        ordering = ["task_id", "-on", "-id"]
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")

    def __str__(self) -> str:
        return f"{self.task}：{self.on:%Y-%m-%d}"


class WrittenRound(BaseModel):
    """A period the office asks every organisation on the ledger to report on the nine aspects for."""

    code = models.CharField(_("代码"), max_length=20, unique=True, help_text=_("如 2026H1、2026。"))
    title = models.CharField(_("名称"), max_length=200)
    period_start = models.DateField(_("报告期开始"))
    period_end = models.DateField(_("报告期结束"))
    due_on = models.DateField(_("报送截止日期"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("书面报告期")
        verbose_name_plural = _("书面报告期")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="%(app_label)s_%(class)s_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title


class WrittenReport(BaseModel):
    """One organisation's nine-aspect written report for a round, moved through ledger.workflow.WRITTEN_WORKFLOW."""

    round = models.ForeignKey(WrittenRound, verbose_name=_("报告期"), on_delete=models.PROTECT, related_name="reports")
    org = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=WrittenStatus.choices, default=WrittenStatus.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    # Made when accepted, cleared when reopened (ledger/integrity.py, docs/integrity.md); "" when not sealed.
    seal = models.CharField(_("完整性封印"), max_length=64, blank=True, default="")
    seal_key_id = models.CharField(_("封印密钥编号"), max_length=8, blank=True, default="")
    sealed_at = models.DateTimeField(_("封印时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "org__path"]
        verbose_name = _("九个方面书面报告")
        verbose_name_plural = _("九个方面书面报告")
        constraints = [models.UniqueConstraint(fields=["round", "org"], name="%(app_label)s_%(class)s_one_per_round")]

    def __str__(self) -> str:
        return f"{self.org.name} {self.round.title}"

    def get_absolute_url(self) -> str:
        return reverse("ledger:written", kwargs={"pk": self.pk})


class BySection(ScopedQuerySet):
    org_field = "report__org"


class WrittenSection(models.Model):
    """One aspect of a written report: the text (cleaned HTML), the office's comment, a return reason."""

    report = models.ForeignKey(
        WrittenReport, verbose_name=_("书面报告"), on_delete=models.CASCADE, related_name="sections"
    )
    aspect = models.PositiveSmallIntegerField(_("方面"), choices=Aspect.choices)
    body = models.TextField(_("内容"), blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    attachments = models.ManyToManyField(Document, verbose_name=_("附件"), blank=True, related_name="+")

    objects = BySection.as_manager()

    class Meta:
        ordering = ["report_id", "aspect"]
        verbose_name = _("书面报告章节")
        verbose_name_plural = _("书面报告章节")
        constraints = [
            models.UniqueConstraint(fields=["report", "aspect"], name="%(app_label)s_%(class)s_one_per_aspect")
        ]

    def __str__(self) -> str:
        return self.get_aspect_display()


class AlertQuerySet(ScopedQuerySet):
    def open(self) -> AlertQuerySet:
        return self.filter(cleared_on__isnull=True)


class Alert(models.Model):
    """A lag the daily check found: raised with its reason and evidence, cleared when the cause goes away.

    One open alert per (organisation, kind, subject); a cleared alert stays as history and a new one is
    raised if the cause comes back. `subject` names the task or report an alert is about ("" for the org).
    """

    org = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("预警类型"), max_length=20, choices=AlertKind.choices)
    subject = models.CharField(_("对象"), max_length=64, blank=True)
    reason = models.TextField(_("原因"))
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    since = models.DateField(_("起始日期"), help_text=_("滞后从哪天起算。"))
    raised_on = models.DateField(_("预警日期"))
    cleared_on = models.DateField(_("解除日期"), null=True, blank=True)
    checked_on = models.DateField(_("最近检查日期"))

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "org__path", "kind", "id"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "subject"],
                condition=Q(cleared_on__isnull=True),
                name="%(app_label)s_%(class)s_one_open",
            )
        ]
        indexes = [models.Index(fields=["kind", "cleared_on"])]

    def __str__(self) -> str:
        return f"{self.org.name}：{self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None
