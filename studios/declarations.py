"""What the studios add: audit events, their entries under "建功立业", and the annual reviews' to-dos."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "studios.studio.create": _("新建创新工作室"),
        "studios.studio.update": _("修改创新工作室"),
        "studios.studio.name": _("创新工作室命名晋级"),
        "studios.studio.revoke": _("撤销创新工作室"),
        "studios.studio.export": _("导出创新工作室名单"),
        "studios.member.add": _("创新工作室增加成员"),
        "studios.member.leave": _("创新工作室成员退出"),
        "studios.fund.add": _("登记创新工作室经费"),
        "studios.result.record": _("登记创新工作室成果"),
        "studios.result.update": _("修改创新工作室成果"),
        "studios.result.export": _("导出创新工作室成果"),
        "studios.alliance.create": _("成立创新工作室联盟"),
        "studios.alliance.update": _("修改创新工作室联盟"),
        "studios.alliance.activity": _("记录联盟活动"),
        "studios.review.start": _("建立工作室年度评估"),
        "studios.review.save": _("填写工作室年度总结"),
        "studios.review.submit": _("提交工作室年度评估"),
        "studios.review.return": _("退回工作室年度评估"),
        "studios.review.rate": _("评定工作室年度评估"),
    }
)


def _todos(user):
    from studios.queries import review_todos

    return review_todos(user)


registry.todos("studios", _todos)

registry.menu_children(
    "contribution",
    registry.MenuEntry(key="studios", label=_("创新工作室"), url_name="studios:home", visible=may(Action.VIEW)),
    registry.MenuEntry(
        key="studio_results", label=_("工作室成果"), url_name="studios:results", visible=may(Action.VIEW)
    ),
    registry.MenuEntry(
        key="studio_alliances", label=_("工作室联盟"), url_name="studios:alliances", visible=may(Action.VIEW)
    ),
    registry.MenuEntry(
        key="studio_reviews", label=_("工作室年度评估"), url_name="studios:reviews", visible=may(Action.VIEW)
    ),
)
