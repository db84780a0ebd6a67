"""Choices of the labour and skill competitions: kinds, levels, states, awards and what a result brought."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompetitionKind(models.TextChoices):
    LABOUR = "labour", _("劳动竞赛")
    SKILL = "skill", _("技能竞赛")


class CompetitionLevel(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    PREFECTURE = "prefecture", _("州市级")
    INDUSTRY = "industry", _("产业系统")
    ENTERPRISE = "enterprise", _("企业级")


class CompetitionStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    UNDER_WAY = "under_way", _("进行中")
    FINISHED = "finished", _("已结束")
    PUBLISHED = "published", _("已公布结果")


class Award(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优秀奖")


class OutcomeKind(models.TextChoices):
    SKILL_LEVEL = "skill_level", _("晋升技能等级")
    TITLE = "title", _("授予称号")
    HONOUR = "honour", _("记入荣誉")
    PAY_RISE = "pay_rise", _("提高待遇")


# The honour level a competition's result is recorded at (talent.choices.HonourLevel).
HONOUR_LEVEL_OF = {
    CompetitionLevel.NATIONAL: "national",
    CompetitionLevel.PROVINCIAL: "provincial",
    CompetitionLevel.PREFECTURE: "prefecture",
    CompetitionLevel.INDUSTRY: "provincial",
    CompetitionLevel.ENTERPRISE: "enterprise",
}
