"""The policy library's fixed lists: categories, states, the answers of the uptake form."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a measure is for: the reform's fields of action (one list, used by the pages, the import and the API)."""

    THOUGHT = "thought", _("思想政治引领")
    SKILLS = "skills", _("技能素质提升")
    INDUSTRY_EDUCATION = "industry_education", _("产教融合")
    PAY = "pay", _("待遇改善")
    CAREER = "career", _("职业发展")
    ORGANISATION = "organisation", _("组织保障")
    RIGHTS = "rights", _("权益保障")
    OTHER = "other", _("其他")


class MeasureStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    REPEALED = "repealed", _("已废止")


class UptakeStatus(models.TextChoices):
    DRAFT = "draft", _("未提交")
    SUBMITTED = "submitted", _("已提交")


class NotUsedReason(models.TextChoices):
    """Why an eligible organisation did not use a measure (the speech: enterprises don't know or don't claim)."""

    UNAWARE = "unaware", _("不了解政策")
    NOT_QUALIFIED = "not_qualified", _("不符合条件")
    CUMBERSOME = "cumbersome", _("手续繁琐")
    OTHER = "other", _("其他")


class Eligibility(models.TextChoices):
    """The outcome of a measure's rules for one organisation."""

    ELIGIBLE = "eligible", _("符合条件")
    NOT_ELIGIBLE = "not_eligible", _("不符合条件")
    NO_DATA = "no_data", _("无数据")
