"""What orgs adds: its audit events and menu entry, and core's questions about roles and scope."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may


def _sees_all_jobs(user) -> bool:
    from orgs.choices import Role
    from orgs.scoping import roles_of

    return Role.OFFICE_ADMIN in roles_of(user)


def _memberships(user) -> list:
    # One query, shared with scoping (cached on the request's user).
    from orgs.scoping import _active_memberships

    return _active_memberships(user)


registry.audit_events(
    {
        "orgs.organisation.create": _("新增机构"),
        "orgs.organisation.update": _("修改机构"),
        "orgs.organisation.move": _("迁移机构"),
        "orgs.organisation.close": _("撤销机构"),
        "orgs.membership.grant": _("授予角色"),
        "orgs.membership.revoke": _("撤销角色"),
        "orgs.membership.request": _("申请角色（待安全管理员批准）"),
        "orgs.membership.refuse": _("驳回角色申请"),
        "orgs.assignment.create": _("新增挂钩帮带"),
        "orgs.assignment.end": _("结束挂钩帮带"),
        "demo.load": _("载入演示机构和账号"),
        "orgs.tree.export": _("导出组织机构"),
        "orgs.import.preview": _("组织机构导入预检"),
        "orgs.import.refused": _("组织机构导入被拒绝"),
        "orgs.import.apply": _("组织机构导入"),
        # The same event as reporting's Excel import (a file with external links or dangerous formulas).
        "security.import.refused": _("Excel 导入因安全原因被拒绝"),
    }
)

registry.job_kinds({"orgs.import": _("组织机构导入")})


def _purge_import_files():
    from orgs.transfer.storage import purge

    return purge()


registry.periodic(
    "orgs.import_purge",
    every=timedelta(days=1),
    offset=timedelta(hours=3),
    fn=_purge_import_files,
    label=_("清除过期的组织机构导入文件"),
)

registry.menu(
    registry.MenuEntry(
        key="orgs",
        label=_("组织机构"),
        url_name="orgs:org_tree",
        order=10,
        visible=may(Action.ORG_VIEW),
        section="orgs",
    ),
    # In the user's menu: the bar has no room left at 1366 px, and 组织机构 stays a plain link there.
    registry.MenuEntry(
        key="orgs_transfer",
        label=_("组织机构导入导出"),
        url_name="orgs:transfer",
        order=15,
        visible=may(Action.ORG_MANAGE),
        section="orgs",
        place="user",
    ),
)

registry.provide("audit.view", may(Action.AUDIT_VIEW))
registry.provide("jobs.view_all", _sees_all_jobs)
registry.provide("user.memberships", _memberships)
