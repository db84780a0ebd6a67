"""Choices of the talent pool: skill levels (新八级工), education, honour kinds and levels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class SkillLevel(models.TextChoices):
    """The eight-level skill ladder for workers (新八级工, 2022), lowest first; NONE for no certified level."""

    NONE = "none", _("未取得等级")
    APPRENTICE = "apprentice", _("学徒工")
    JUNIOR = "junior", _("初级工")
    INTERMEDIATE = "intermediate", _("中级工")
    SENIOR = "senior", _("高级工")
    TECHNICIAN = "technician", _("技师")
    SENIOR_TECHNICIAN = "senior_technician", _("高级技师")
    SPECIAL_TECHNICIAN = "special_technician", _("特级技师")
    CHIEF_TECHNICIAN = "chief_technician", _("首席技师")


# 高技能人才: technician and above.
HIGH_SKILL_LEVELS = frozenset(
    {
        SkillLevel.TECHNICIAN,
        SkillLevel.SENIOR_TECHNICIAN,
        SkillLevel.SPECIAL_TECHNICIAN,
        SkillLevel.CHIEF_TECHNICIAN,
    }
)


class Education(models.TextChoices):
    JUNIOR_HIGH = "junior_high", _("初中及以下")
    HIGH_SCHOOL = "high_school", _("高中、中专、技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class HonourKind(models.TextChoices):
    """What an outstanding worker was named: the categories of the talent pool (DOMAIN.md §2, 建功立业 and 9)."""

    MODEL_WORKER = "model_worker", _("劳动模范")
    MAY_DAY_MEDAL = "may_day_medal", _("五一劳动奖章")
    CRAFTSMAN = "craftsman", _("工匠")
    SKILL_MASTER = "skill_master", _("技能大师")
    CHIEF_TECHNICIAN = "chief_technician", _("首席技师")
    SPECIAL_TECHNICIAN = "special_technician", _("特级技师")
    COMPETITION_WINNER = "competition_winner", _("技能竞赛获奖")
    YOUNG_BACKBONE = "young_backbone", _("青年技术骨干")
    OTHER = "other", _("其他荣誉")


class HonourLevel(models.TextChoices):
    """Who named it: 大国工匠 is a national craftsman, 省级工匠 a provincial one, and so on."""

    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    PREFECTURE = "prefecture", _("州市级")
    ENTERPRISE = "enterprise", _("企业级")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("推荐中")
    REVIEWING = "reviewing", _("评审中")
    DECIDED = "decided", _("已公布")


class NominationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    SHORTLISTED = "shortlisted", _("入围")
    APPROVED = "approved", _("已评选")
    NOT_SELECTED = "not_selected", _("未入选")
