"""Choices of the innovation studios: kinds, levels, states, result kinds, member roles, the review rubric."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from talent.choices import HonourLevel


class StudioKind(models.TextChoices):
    MODEL_WORKER = "model_worker", _("劳模创新工作室")
    CRAFTSMAN = "craftsman", _("工匠创新工作室")
    WORKER = "worker", _("职工创新工作室")
    TECHNICIAN = "technician", _("技师工作站")


# Who named the studio: the same four levels as an honour's (全国, 省级, 州市级, 企业级), one list for both.
StudioLevel = HonourLevel


# Higher first: a naming may raise a studio, never name it at the level it already holds.
LEVEL_RANK = {
    StudioLevel.NATIONAL: 4,
    StudioLevel.PROVINCIAL: 3,
    StudioLevel.PREFECTURE: 2,
    StudioLevel.ENTERPRISE: 1,
}
PROVINCIAL_OR_HIGHER = (StudioLevel.NATIONAL, StudioLevel.PROVINCIAL)


class StudioStatus(models.TextChoices):
    ACTIVE = "active", _("运行中")
    REVOKED = "revoked", _("已撤销")


class MemberRole(models.TextChoices):
    CORE = "core", _("核心成员")
    MEMBER = "member", _("成员")
    ADVISER = "adviser", _("顾问")


class ResultKind(models.TextChoices):
    PATENT = "patent", _("专利")
    METHOD = "method", _("工作法")
    WUXIAO = "wuxiao", _("五小成果")
    OTHER = "other", _("其他成果")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    RATED = "rated", _("已评定")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


@dataclass(frozen=True)
class Criterion:
    """One line of the annual review's rubric: its key, label and the most points it gives."""

    key: str
    label: str
    max_points: int


# The office's annual review rubric (年度评估), the one place it is defined: 100 points in all.
RUBRIC: tuple[Criterion, ...] = (
    Criterion("organisation", _("组织运行"), 20),
    Criterion("topics", _("攻关课题"), 30),
    Criterion("results", _("成果效益"), 30),
    Criterion("training", _("带徒传技"), 20),
)
RUBRIC_MAX = sum(c.max_points for c in RUBRIC)


def grade_for(total) -> str:
    """The grade a total earns: 90 优秀, 80 良好, 60 合格, below 不合格."""
    if total >= 90:
        return Grade.EXCELLENT
    if total >= 80:
        return Grade.GOOD
    if total >= 60:
        return Grade.PASS
    return Grade.FAIL
