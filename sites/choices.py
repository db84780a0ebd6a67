"""Choices of the demonstration sites: batch levels and states, nomination and site states, the rating rubric."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("省级")
    GROUP = "group", _("集团级")
    PREFECTURE = "prefecture", _("州市级")


class BatchStatus(models.TextChoices):
    COLLECTING = "collecting", _("征集中")
    SELECTING = "selecting", _("遴选中")
    ANNOUNCED = "announced", _("已公布")


class NominationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已推荐")
    RETURNED = "returned", _("退回修改")
    SELECTED = "selected", _("入选")
    REJECTED = "rejected", _("未入选")


class SiteStatus(models.TextChoices):
    NOMINATED = "nominated", _("已推荐")
    SELECTED = "selected", _("已入选")
    GUIDING = "guiding", _("指导中")
    ACCEPTED = "accepted", _("已验收")
    WITHDRAWN = "withdrawn", _("已撤销")


class Goal(models.TextChoices):
    """The reform's five key tasks and its working mechanisms (DOMAIN.md §2): what a site demonstrates."""

    THOUGHT = "thought", _("思想引领")
    CONTRIBUTION = "contribution", _("建功立业")
    SKILLS = "skills", _("素质提升")
    STATUS = "status", _("地位提高")
    GROWTH = "growth", _("队伍壮大")
    MECHANISM = "mechanism", _("工作机制")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")


class FollowUpOwner(models.TextChoices):
    SITE = "site", _("示范点单位")
    UNION = "union", _("所属产业系统公司工会")


@dataclass(frozen=True)
class Criterion:
    """One line of the guidance group's rubric: its key, label and the most points it gives."""

    key: str
    label: str
    max_points: int


# The guidance groups' rubric (指导组评价), the one place it is defined: 100 points in all.
RUBRIC: tuple[Criterion, ...] = (
    Criterion("leadership", _("组织领导"), 20),
    Criterion("mechanism", _("制度机制"), 20),
    Criterion("measures", _("改革举措"), 25),
    Criterion("results", _("工作成效"), 25),
    Criterion("example", _("示范带动"), 10),
)
RUBRIC_MAX = sum(c.max_points for c in RUBRIC)
