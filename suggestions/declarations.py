"""What 五小 and suggestions add: audit events, entries under 建功立业, and to-dos for steps waiting."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "suggestions.suggestion.submit": _("录入合理化建议（五小）"),
        "suggestions.suggestion.update": _("修改合理化建议（五小）"),
        "suggestions.suggestion.review": _("审查合理化建议（五小）"),
        "suggestions.suggestion.adopt": _("采纳合理化建议（五小）"),
        "suggestions.suggestion.reject": _("不采纳合理化建议（五小）"),
        "suggestions.suggestion.implement": _("登记建议实施"),
        "suggestions.suggestion.assess": _("评估建议创效"),
        "suggestions.suggestion.reward": _("登记建议奖励"),
        "suggestions.campaign.create": _("新建五小和合理化建议活动"),
        "suggestions.campaign.update": _("修改五小和合理化建议活动"),
        "suggestions.export": _("导出合理化建议（五小）"),
        "suggestions.stats.export": _("导出合理化建议统计"),
    }
)


def _todos(user):
    from suggestions.queries import suggestion_todos

    return suggestion_todos(user)


registry.todos("suggestions", _todos)

registry.menu_children(
    "contribution",
    registry.MenuEntry(
        key="suggestions", label=_("五小和合理化建议"), url_name="suggestions:list", visible=may(Action.VIEW)
    ),
    registry.MenuEntry(
        key="suggestion_campaigns",
        label=_("五小和建议活动"),
        url_name="suggestions:campaigns",
        visible=may(Action.VIEW),
    ),
    registry.MenuEntry(
        key="suggestion_stats", label=_("建议统计"), url_name="suggestions:stats", visible=may(Action.VIEW)
    ),
)
