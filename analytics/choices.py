"""Enumerations of the analytics app: the reform's tasks, organisation levels of an answer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorTask(models.TextChoices):
    """The five key tasks (DOMAIN.md §2), plus the progress of the reform work itself."""

    THOUGHT = "thought", _("思想引领")
    CONTRIBUTION = "contribution", _("建功立业")
    SKILLS = "skills", _("素质提升")
    STATUS = "status", _("地位提高")
    GROWTH = "growth", _("队伍壮大")
    WORK = "work", _("改革工作")


class Level(models.TextChoices):
    """How the organisations below the chosen one are grouped into rows."""

    SELF = "self", _("本机构合计")
    CHILDREN = "children", _("直接下级")
    PREFECTURE = "prefecture", _("按州市")
    UNION = "union", _("按产业（系统）工会")
    ENTERPRISE = "enterprise", _("按企业")
    REPORTING = "reporting", _("按填报单位")
