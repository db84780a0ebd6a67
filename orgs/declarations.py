"""What orgs adds: its audit events and menu entry, and core's questions about roles and scope."""

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
    }
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
)

registry.provide("audit.view", may(Action.AUDIT_VIEW))
registry.provide("jobs.view_all", _sees_all_jobs)
registry.provide("user.memberships", _memberships)
