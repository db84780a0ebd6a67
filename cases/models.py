"""The case library (案例库): reform experience written up by an organisation, reviewed and published by the office.

A `Case` belongs to its source organisation (an enterprise, a union, a prefecture). While it is a draft, submitted
or returned it is seen within the organisational scope like any business record; once published it is seen by every
business user of the province (`CaseQuerySet.visible_to`), since spreading it is the point. Its topics are a list the
office keeps (`Topic`), its files are kept through core.attachments (`CaseFile`), and organisations that adopted it
record so (`Replication`, one per organisation and case), which counts for the source.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseStatus, KeyTask
from core.models import BaseModel, StoredFile
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet, granted_paths, within


class Topic(models.Model):
    """One topic a case can be tagged with (技能培训体系, 产业工人之家 …): a province-wide list the office keeps."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用的专题不再供新案例选择，已有标签保留。"))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("案例专题")
        verbose_name_plural = _("案例专题")

    def __str__(self) -> str:
        return self.name


def _published_or_scoped(queryset: models.QuerySet, user, action: str, status_field: str, org_field: str):
    """Rows in `user`'s scope for `action`; for VIEW also every published one, if the user sees business data."""
    paths = granted_paths(user, action)
    if not paths:
        return queryset.none()  # the three separated administrators hold no VIEW: they see no case at all
    condition = within(f"{org_field}__path", paths, queryset.db)
    if action == Action.VIEW:
        condition |= Q(**{status_field: CaseStatus.PUBLISHED})
    return queryset.filter(condition)


class CaseQuerySet(ScopedQuerySet):
    """Cases: scoped by the source organisation, and published ones visible to every business user."""

    def visible_to(self, user, action: str = Action.VIEW):
        return _published_or_scoped(self, user, action, "status", "org")

    def published(self):
        return self.filter(status=CaseStatus.PUBLISHED)


class Case(BaseModel):
    """One reform case: what an organisation did, tagged by task and topic, in a workflow state."""

    org = models.ForeignKey(Organisation, verbose_name=_("案例来源单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    summary = models.TextField(_("摘要"), max_length=300)
    body = models.TextField(_("正文"), blank=True, help_text=_("经 core.richtext 清理后的 HTML。"))
    body_text = models.TextField(_("正文纯文本"), blank=True, editable=False)  # for search and snippets
    # The task areas as ",skills,status," so that one filter finds a task on SQLite and PostgreSQL alike.
    tasks = models.CharField(_("重点任务"), max_length=120, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("专题"), blank=True, related_name="cases")
    author_name = models.CharField(_("撰写人"), max_length=40, blank=True)
    author_position = models.CharField(_("撰写人职务"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    reason = models.TextField(_("退回或撤回原因"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("改革案例")
        verbose_name_plural = _("改革案例")
        indexes = [models.Index(fields=["status", "published_on"], name="cases_case_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="%(app_label)s_%(class)s_year_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def task_values(self) -> list[str]:
        return [t for t in self.tasks.split(",") if t]

    @property
    def task_labels(self) -> list[str]:
        labels = dict(KeyTask.choices)
        return [str(labels.get(t, t)) for t in self.task_values]


def tasks_field(values) -> str:
    """The stored form of a list of task values: ",a,b," (empty when none)."""
    values = [v for v in KeyTask.values if v in set(values)]
    return f",{','.join(values)}," if values else ""


class CaseFileQuerySet(ScopedQuerySet):
    """A case's files: seen by whoever sees the case."""

    org_field = "case__org"

    def visible_to(self, user, action: str = Action.VIEW):
        return _published_or_scoped(self, user, action, "case__status", "case__org")


class CaseFile(StoredFile):
    """A file or photo attached to a case (checked, and photos cleaned, by core.attachments)."""

    case = models.ForeignKey(Case, verbose_name=_("案例"), on_delete=models.CASCADE, related_name="files")

    objects = CaseFileQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("案例附件")
        verbose_name_plural = _("案例附件")


class ReplicationQuerySet(ScopedQuerySet):
    """Adoption records: seen by the adopting organisation's scope and by the source organisation's scope."""

    def visible_to(self, user, action: str = Action.VIEW):
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        condition = within("org__path", paths, self.db)
        if action == Action.VIEW:
            condition |= within("case__org__path", paths, self.db)
        return self.filter(condition)


class Replication(BaseModel):
    """An organisation adopted a published case (复制推广): when, what it took over or adapted, with what result."""

    case = models.ForeignKey(Case, verbose_name=_("案例"), on_delete=models.PROTECT, related_name="replications")
    org = models.ForeignKey(Organisation, verbose_name=_("复制推广单位"), on_delete=models.PROTECT, related_name="+")
    adopted_on = models.DateField(_("借鉴日期"))
    adopted = models.TextField(_("借鉴或改进的做法"), max_length=1000)
    result = models.TextField(_("取得的效果"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ReplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("复制推广记录")
        verbose_name_plural = _("复制推广记录")
        constraints = [
            models.UniqueConstraint(fields=["case", "org"], name="%(app_label)s_%(class)s_once_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.case}"
