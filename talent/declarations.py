"""What the talent pool adds: audit events, the "建功立业" drop-down (which the studios, suggestions and
competitions fill with their own entries, registry.menu_children("contribution", ...)), its own entries,
the retention job and the home page's to-dos."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "talent.person.create": _("人才库新增人员"),
        "talent.person.update": _("修改人才库人员"),
        "talent.person.remove": _("人员移出人才库"),
        "talent.person.restore": _("人员恢复到人才库"),
        "talent.person.purge": _("按保存期限删除人才库个人信息"),
        "talent.person.export": _("导出人才库名单"),
        "talent.honour.add": _("登记荣誉"),
        "talent.honour.remove": _("删除荣誉"),
        "talent.round.create": _("发布评选"),
        "talent.round.close": _("评选截止推荐"),
        "talent.round.decide": _("公布评选结果"),
        "talent.nomination.create": _("推荐评选人选"),
        "talent.nomination.step": _("推荐状态变更"),
    }
)

registry.menu(
    registry.MenuEntry(
        key="contribution",
        label=_("建功立业"),
        order=36,
        visible=may(Action.VIEW),
        section="contribution",
    ),
)

registry.menu_children(
    "contribution",
    registry.MenuEntry(key="talent_people", label=_("人才库"), url_name="talent:home", visible=may(Action.VIEW)),
    registry.MenuEntry(key="talent_rounds", label=_("荣誉评选"), url_name="talent:rounds", visible=may(Action.VIEW)),
)


def _purge():
    from talent.services.retention import purge_expired

    return purge_expired()


registry.periodic(
    "talent.purge",
    every=timedelta(days=1),
    offset=timedelta(hours=2),
    fn=_purge,
    label=_("按保存期限删除人才库个人信息"),
)


def _todos(user):
    from talent.queries.worklist import talent_todos

    return talent_todos(user)


registry.todos("talent", _todos)
