"""Capacity building (能力建设): training classes, who enrols in them, attendance and completion.

A `TrainingClass` is organised by an organisation (the reform office, the province, a union or a
prefecture) for an audience (kinds of organisations, and named ones). Audience organisations enrol their
people (`Enrolment`, one person once per class), the organiser records attendance per day
(`DayAttendance`) or for the whole class (`Enrolment.attendance`) and who completed it (结业).
The programme and materials are files (`ClassFile`, through core.attachments).
"""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField
from core.models import BaseModel, StoredFile
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet, granted_paths, within
from training.choices import ClassKind, ClassStatus, EnrolmentStatus, Mark

STEP = Organisation.steplen


def _ancestor_paths(paths: tuple[str, ...]) -> set[str]:
    """Every path that is a path of one of `paths` or of an ancestor of it."""
    return {path[:end] for path in paths for end in range(STEP, len(path) + 1, STEP)}


class ClassQuerySet(ScopedQuerySet):
    """Classes are seen from two sides: by whoever may see the organiser (who runs it), and by the
    organisations below the organiser (its audience: a union's class by its enterprises); the office's
    classes concern the whole province."""

    org_field = "organiser"

    def visible_to(self, user, action: str = Action.VIEW):
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        running = within("organiser__path", paths, self.db)
        audience = Q(organiser__path__in=_ancestor_paths(paths)) | Q(organiser__kind=OrgKind.OFFICE)
        return self.filter(running | audience)

    def organised_by(self, user, action: str = Action.VIEW):
        """Only the classes whose organiser lies in `user`'s scope for `action` (the organising side)."""
        return ScopedQuerySet.visible_to(self, user, action)


class TrainingClass(BaseModel):
    """One class (培训班/学习班/考察): who organises it, for whom, when and where, and how many it takes."""

    kind = models.CharField(_("类别"), max_length=12, choices=ClassKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    organiser = models.ForeignKey(Organisation, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    starts_on = models.DateField(_("开班日期"))
    ends_on = models.DateField(_("结束日期"))
    place = models.CharField(_("地点"), max_length=200)
    audience_kinds = models.JSONField(_("培训对象（机构类型）"), default=list, blank=True)
    audience_orgs = models.ManyToManyField(
        Organisation, verbose_name=_("培训对象（指定单位）"), blank=True, related_name="+"
    )
    audience_note = models.CharField(
        _("参训人员"), max_length=300, blank=True, help_text=_("应参加的岗位和职务，如“改革办公室负责人”。")
    )
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("不填为不限。"))
    enrol_deadline = models.DateField(_("报名截止日期"))
    programme = models.TextField(_("培训内容和日程"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ClassStatus.choices, default=ClassStatus.PLANNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ClassQuerySet.as_manager()

    audit_label_fields = ("title",)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="%(app_label)s_%(class)s_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ClassStatus]), name="%(app_label)s_%(class)s_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:class_detail", args=[self.pk])

    @property
    def days(self) -> list[dt.date]:
        """Every day of the class, first to last."""
        return [self.starts_on + dt.timedelta(days=n) for n in range((self.ends_on - self.starts_on).days + 1)]

    def audience_labels(self) -> list[str]:
        return [str(OrgKind(kind).label) for kind in self.audience_kinds if kind in OrgKind.values]


def class_file_path(instance: ClassFile, filename: str) -> str:
    return f"training/{instance.klass_id}/{filename}"


class ClassFile(StoredFile):
    """A file of a class: its programme, a handout, a slide deck (checked by content, served as a download)."""

    klass = models.ForeignKey(TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["klass_id", "uploaded_at", "id"]
        verbose_name = _("培训资料")
        verbose_name_plural = _("培训资料")


class EnrolmentQuerySet(ScopedQuerySet):
    """An enrolment is seen by its organisation's side and by the class's organiser."""

    org_field = "org"

    def visible_to(self, user, action: str = Action.VIEW):
        paths = granted_paths(user, action)
        if not paths:
            return self.none()
        return self.filter(within("org__path", paths, self.db) | within("klass__organiser__path", paths, self.db))

    def active(self):
        return self.filter(status=EnrolmentStatus.ENROLLED)


class Enrolment(BaseModel):
    """One person enrolled in a class by an organisation; withdrawn rows stay as history."""

    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="enrolments"
    )
    org = models.ForeignKey(Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=100)
    position = models.CharField(_("职务"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = EncryptedCharField(
        _("联系电话"),
        blank=True,
        kind="phone",
        purpose=_("主办单位通知参训人员培训时间、地点和变更"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    attendance = models.CharField(_("全程考勤"), max_length=10, choices=Mark.choices, blank=True)
    completed = models.BooleanField(_("结业"), default=False)
    completed_on = models.DateField(_("结业日期"), null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报名人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    audit_label_fields = ("name", "org")

    class Meta:
        ordering = ["klass_id", "org__path", "id"]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "org", "name"],
                condition=Q(status="enrolled"),
                name="%(app_label)s_%(class)s_once_per_class",
            ),
            models.UniqueConstraint(
                fields=["klass", "user"],
                condition=Q(status="enrolled", user__isnull=False),
                name="%(app_label)s_%(class)s_account_once_per_class",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.org.name}）"

    @property
    def is_active(self) -> bool:
        return self.status == EnrolmentStatus.ENROLLED


class DayAttendance(models.Model):
    """Whether an enrolled person attended on one day of the class."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("日期"))
    mark = models.CharField(_("考勤"), max_length=10, choices=Mark.choices)

    class Meta:
        ordering = ["enrolment_id", "day"]
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="%(app_label)s_%(class)s_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.name} {self.day:%Y-%m-%d} {self.get_mark_display()}"


def audience_q(klass: TrainingClass) -> Q:
    """The organisations a class is for: its audience kinds (under the organiser unless it is the office or the
    province) and the organisations it names."""
    named = Q(pk__in=klass.audience_orgs.values("pk"))
    if not klass.audience_kinds:
        return named
    kinds = Q(kind__in=klass.audience_kinds)
    if klass.organiser.kind not in (OrgKind.OFFICE, OrgKind.PROVINCE):
        kinds &= within("path", [klass.organiser])
    return reduce(operator.or_, (named, kinds))
