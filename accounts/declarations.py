"""What accounts adds: sign-in, password, second-factor and account events, and its menu entries."""

from django.utils.translation import gettext_lazy as _

from core import registry
from orgs.choices import Action
from orgs.nav import may

registry.audit_events(
    {
        "accounts.login": _("登录"),
        "accounts.login_failed": _("登录失败"),
        "accounts.logout": _("退出登录"),
        "accounts.session_expired": _("会话超时，自动退出登录"),
        "accounts.password_change": _("修改密码"),
        "accounts.otp_setup": _("设置双因素验证"),
        "accounts.otp_verified": _("双因素验证通过"),
        "accounts.otp_failed": _("双因素验证失败"),
        "accounts.token_create": _("生成 API 令牌"),
        "accounts.token_revoke": _("撤销 API 令牌"),
        "accounts.contact.update": _("修改本人联系方式"),
        "accounts.user.create": _("新建账号"),
        "accounts.user.activate": _("启用账号"),
        "accounts.user.deactivate": _("停用账号"),
        "accounts.user.reset_password": _("重置账号密码"),
        "accounts.lockout_reset": _("解除账号登录锁定"),
        "accounts.address_unblock": _("解除地址登录封禁"),
    }
)

registry.menu(
    registry.MenuEntry(
        key="users",
        label=_("用户管理"),
        url_name="accounts:user_list",
        order=70,
        visible=may(Action.USER_MANAGE),
        section="accounts",
        inactive=("security", "profile"),
    ),
    registry.MenuEntry(
        key="security",
        label=_("安全管理"),
        url_name="accounts:security",
        order=80,
        visible=may(Action.SECURITY_MANAGE),
        active=("security",),
    ),
    registry.MenuEntry(key="profile", label=_("个人设置"), url_name="accounts:profile", place="user"),
)
