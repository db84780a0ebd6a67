"""What the case library adds: its audit events, its entries under 示范引领, and the home page's to-dos."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "cases.case.create": _("新建改革案例"),
        "cases.case.update": _("修改改革案例"),
        "cases.case.delete": _("删除改革案例草稿"),
        "cases.case.submit": _("提交改革案例"),
        "cases.case.return": _("退回改革案例"),
        "cases.case.publish": _("发布改革案例"),
        "cases.case.withdraw": _("撤回改革案例"),
        "cases.case.export": _("导出改革案例"),
        "cases.library.export": _("导出案例库检索结果"),
        "cases.file.add": _("上传案例附件"),
        "cases.file.remove": _("移除案例附件"),
        "cases.replication.create": _("登记复制推广"),
        "cases.replication.update": _("修改复制推广记录"),
        "cases.replication.delete": _("删除复制推广记录"),
        "cases.topic.create": _("新增案例专题"),
        "cases.topic.update": _("修改案例专题"),
    }
)


def _todos(user):
    from cases.worklist import case_todos

    return case_todos(user)


registry.todos("cases", _todos)


def _office(user) -> bool:
    from orgs.scoping import is_office

    return bool(getattr(user, "is_authenticated", False)) and is_office(user)


# Under the 示范引领 drop-down the demonstration sites declare (key "demonstration").
registry.menu_children(
    "demonstration",
    registry.MenuEntry(key="case_library", label=_("案例库"), url_name="cases:library", visible=may(Action.VIEW),
                       divider=True),
    registry.MenuEntry(key="case_mine", label=_("我的案例"), url_name="cases:mine", visible=may(Action.EDIT)),
    registry.MenuEntry(key="case_review", label=_("案例审核"), url_name="cases:review", visible=_office),
)  # fmt: skip
