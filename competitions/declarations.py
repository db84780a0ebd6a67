"""What the competitions add: audit events, their entries under the "建功立业" drop-down, home-page to-dos."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "competitions.competition.create": _("新建劳动和技能竞赛"),
        "competitions.competition.update": _("修改劳动和技能竞赛"),
        "competitions.competition.step": _("变更竞赛状态"),
        "competitions.results.publish": _("公布竞赛结果"),
        "competitions.results.reopen": _("重新开放竞赛结果"),
        "competitions.results.export": _("导出竞赛结果"),
        "competitions.entry.create": _("竞赛报名"),
        "competitions.entry.delete": _("删除竞赛报名"),
        "competitions.entry.import": _("导入竞赛报名"),
        "competitions.entry.add_to_pool": _("竞赛参赛人员加入人才库"),
        "competitions.result.record": _("录入竞赛成绩"),
        "competitions.outcome.record": _("记录竞赛获奖成果"),
        "competitions.outcome.skill_level": _("竞赛获奖晋升技能等级"),
        "competitions.outcome.honour": _("竞赛获奖记入荣誉"),
    }
)


def _todos(user):
    from competitions.queries import competition_todos

    return competition_todos(user)


registry.todos("competitions", _todos)

registry.menu_children(
    "contribution",
    registry.MenuEntry(key="competitions", label=_("劳动和技能竞赛"), url_name="competitions:home",
                       visible=may(Action.VIEW)),
    registry.MenuEntry(key="competition_outcomes", label=_("竞赛成果汇总"), url_name="competitions:summary",
                       visible=may(Action.VIEW)),
)  # fmt: skip
