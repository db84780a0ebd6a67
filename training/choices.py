from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassKind(models.TextChoices):
    SEMINAR = "seminar", _("专题学习班")
    BUSINESS = "business", _("业务培训")
    OFFICER = "officer", _("信息员培训")
    TRIP = "trip", _("外出考察学习")


class ClassStatus(models.TextChoices):
    PLANNING = "planning", _("筹备")
    OPEN = "open", _("报名中")
    RUNNING = "running", _("进行中")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已报名")
    WITHDRAWN = "withdrawn", _("已退出")


class Mark(models.TextChoices):
    PRESENT = "present", _("出勤")
    ABSENT = "absent", _("缺勤")
    LEAVE = "leave", _("请假")
