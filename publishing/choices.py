"""The choices of information submissions and newsletter issues."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionKind(models.TextChoices):
    NEWS = "news", _("工作动态")
    PRACTICE = "practice", _("经验做法")
    DATA = "data", _("数据亮点")
    SPEECH = "speech", _("讲话")
    OTHER = "other", _("其他")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    EDITING = "editing", _("编辑中")
    RETURNED = "returned", _("退回修改")
    USED = "used", _("已采用")
    DECLINED = "declined", _("未采用")


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINAL = "final", _("已定稿")
    ISSUED = "issued", _("已印发")


class RecipientLine(models.TextChoices):
    REPORT = "report", _("报")
    SEND = "send", _("发")


class DocumentFormat(models.TextChoices):
    DOCX = "docx", _("Word")
    PDF = "pdf", _("PDF")
