"""Choices of the case library: a case's state, and the reform's task areas a case is tagged with."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ledger.choices import KeyTask

__all__ = ["CaseStatus", "KeyTask", "SortOrder"]


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class SortOrder(models.TextChoices):
    RELEVANCE = "relevance", _("相关度")
    NEWEST = "newest", _("最新发布")
    REPLICATED = "replicated", _("复制推广最多")
