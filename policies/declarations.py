"""What the policy library adds: its audit events, the "政策与培训" menu, the home page's to-dos and rounds."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "policies.measure.create": _("新增政策措施"),
        "policies.measure.update": _("修改政策措施"),
        "policies.measure.publish": _("发布政策措施"),
        "policies.measure.repeal": _("废止政策措施"),
        "policies.measure.unpublish": _("政策措施退回草稿"),
        "policies.rule.add": _("增加政策适用条件"),
        "policies.rule.delete": _("删除政策适用条件"),
        "policies.file.add": _("上传政策文件"),
        "policies.import.check": _("检查政策导入文件"),
        "policies.import.apply": _("导入政策措施"),
        "policies.notice.send": _("发送政策推送"),
        "policies.notice.open": _("打开政策推送"),
        "policies.round.open": _("发起政策落实填报"),
        "policies.uptake.save": _("保存政策落实情况"),
        "policies.uptake.submit": _("提交政策落实情况"),
        "policies.uptake.export": _("导出政策落实分析"),
    }
)


def _todos(user):
    from policies.worklist import policy_todos

    return policy_todos(user)


def _rounds(user):
    from policies.worklist import policy_rounds

    return policy_rounds(user)


registry.todos("policies", _todos)
registry.rounds("policies", _rounds)


def _enterprise(user) -> bool:
    from orgs.scoping import roles_of
    from policies.eligibility import ENTERPRISE_ROLES

    return bool(getattr(user, "is_authenticated", False)) and bool(roles_of(user) & set(ENTERPRISE_ROLES))


def _office_manager(user) -> bool:
    from orgs.scoping import has_action, is_office

    return (
        bool(getattr(user, "is_authenticated", False)) and is_office(user) and has_action(user, Action.METADATA_MANAGE)
    )


def _uptake(user) -> bool:
    from orgs.scoping import is_office

    return _enterprise(user) or (bool(getattr(user, "is_authenticated", False)) and is_office(user))


registry.menu(
    registry.MenuEntry(
        key="policy",
        label=_("政策与培训"),
        order=38,
        visible=may(Action.VIEW),
        section="policies",
        children=(
            registry.MenuEntry(key="policy_library", label=_("政策库"), url_name="policies:library"),
            registry.MenuEntry(
                key="policy_mine", label=_("我可以享受的政策"), url_name="policies:mine", visible=_enterprise
            ),
            registry.MenuEntry(key="policy_uptake", label=_("政策落实"), url_name="policies:uptake", visible=_uptake),
            registry.MenuEntry(
                key="policy_notices", label=_("政策推送"), url_name="policies:notices", visible=_office_manager
            ),
            registry.MenuEntry(
                key="policy_import", label=_("导入"), url_name="policies:import", visible=_office_manager
            ),
        ),
    ),
)
