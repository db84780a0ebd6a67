"""Choices of 五小 activities and rationalization suggestions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionKind(models.TextChoices):
    """合理化建议, or one of the five 五小 kinds."""

    RATIONAL = "rational", _("合理化建议")
    INVENTION = "invention", _("小发明")
    CREATION = "creation", _("小创造")
    INNOVATION = "innovation", _("小革新")
    DESIGN = "design", _("小设计")
    ADVICE = "advice", _("小建议")


WUXIAO_KINDS = frozenset(
    {SuggestionKind.INVENTION, SuggestionKind.CREATION, SuggestionKind.INNOVATION, SuggestionKind.DESIGN,
     SuggestionKind.ADVICE}
)  # fmt: skip


class SuggestionStatus(models.TextChoices):
    """Where a suggestion stands: submitted → reviewed → adopted or rejected → implemented → assessed → rewarded."""

    SUBMITTED = "submitted", _("已提交")
    REVIEWED = "reviewed", _("已审查")
    ADOPTED = "adopted", _("已采纳")
    REJECTED = "rejected", _("未采纳")
    IMPLEMENTED = "implemented", _("已实施")
    ASSESSED = "assessed", _("已评估效益")
    REWARDED = "rewarded", _("已奖励")


# Adopted and every state after it.
ADOPTED_STATES = frozenset(
    {SuggestionStatus.ADOPTED, SuggestionStatus.IMPLEMENTED, SuggestionStatus.ASSESSED, SuggestionStatus.REWARDED}
)
# Decided: adopted (or later) or rejected; the adoption rate's denominator.
DECIDED_STATES = ADOPTED_STATES | {SuggestionStatus.REJECTED}
