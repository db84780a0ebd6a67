"""Enumerations of the assessment app: dimensions, criterion kinds, round states, grades."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.TextChoices):
    """What a dimension assesses: one of the five key tasks, or the organisation of the reform itself."""

    THOUGHT = "thought", _("思想引领")
    CONTRIBUTION = "contribution", _("建功立业")
    SKILLS = "skills", _("素质提升")
    STATUS = "status", _("地位提高")
    GROWTH = "growth", _("队伍壮大")
    ORGANISATION = "organisation", _("改革组织推进")


class CriterionKind(models.TextChoices):
    INDICATOR_TARGET = "indicator_target", _("指标达标（对照目标）")
    INDICATOR_RANK = "indicator_rank", _("指标排名（同类单位百分位）")
    INDICATOR_IMPROVEMENT = "indicator_improvement", _("指标较上年提升")
    FACT = "fact", _("平台事实（按时报送、方案印发等）")
    QUALITATIVE = "qualitative", _("定性评价（评分等级）")
    BONUS = "bonus", _("加分项")
    DEDUCTION = "deduction", _("扣分项")
    VETO = "veto", _("一票否决")


SCORED_KINDS = frozenset(
    {
        CriterionKind.INDICATOR_TARGET,
        CriterionKind.INDICATOR_RANK,
        CriterionKind.INDICATOR_IMPROVEMENT,
        CriterionKind.FACT,
        CriterionKind.QUALITATIVE,
    }
)
INDICATOR_KINDS = frozenset(
    {CriterionKind.INDICATOR_TARGET, CriterionKind.INDICATOR_RANK, CriterionKind.INDICATOR_IMPROVEMENT}
)


class Curve(models.TextChoices):
    LINEAR = "linear", _("线性")
    BANDS = "bands", _("分档")


class Combine(models.TextChoices):
    """How the levels given by several raters on one criterion become one."""

    MEAN = "mean", _("平均")
    TRIMMED_MEAN = "trimmed_mean", _("去掉最高和最低后平均")
    CONSENSUS = "consensus", _("一致意见（不一致时由产改办校准）")


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已发布")


class RoundStatus(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("自评")
    RATING = "rating", _("评分")
    CALIBRATION = "calibration", _("校准")
    PUBLISHED = "published", _("已公布（申诉期）")
    LOCKED = "locked", _("已锁定")


class GradeMethod(models.TextChoices):
    THRESHOLDS = "thresholds", _("按分数线")
    QUOTAS = "quotas", _("按比例")


class Grade(models.TextChoices):
    """Ordered best first; GRADE_ORDER gives the order for caps."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL]


class PeerGroup(models.TextChoices):
    """Who an organisation is ranked among, besides the whole round."""

    OWNERSHIP = "ownership", _("所有制类别")
    INDUSTRY = "industry", _("行业")
    UNION = "union", _("所属产业（系统）工会")


class EvidenceKind(models.TextChoices):
    FILE = "file", _("文件")
    LINK = "link", _("链接")
    REPORT = "report", _("平台报表")


class EntryKind(models.TextChoices):
    """An event the office records against an organisation: a bonus item, a deduction, a veto."""

    BONUS = "bonus", _("加分")
    DEDUCTION = "deduction", _("扣分")
    VETO = "veto", _("否决事项")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待答复")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("维持原评分")
