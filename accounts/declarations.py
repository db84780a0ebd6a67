"""What accounts adds: sign-in, password, second-factor and account events, and its menu entries."""

from datetime import timedelta

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
        "accounts.notice_delivery.update": _("修改本人通知邮件设置"),
        "accounts.user.create": _("新建账号"),
        "accounts.user.activate": _("启用账号"),
        "accounts.user.deactivate": _("停用账号"),
        "accounts.user.reset_password": _("重置账号密码"),
        "accounts.lockout_reset": _("解除账号登录锁定"),
        "accounts.address_unblock": _("解除地址登录封禁"),
        "accounts.people_import.check": _("检查人员导入文件"),
        "accounts.people_import.apply": _("导入人员"),
        "accounts.activation.issue": _("签发账号激活链接"),
        "accounts.activation.reissue": _("重新签发账号激活链接"),
        "accounts.activation.use": _("使用激活链接激活账号"),
        "accounts.activation.refused": _("激活链接被拒绝"),
        "accounts.activation.expire": _("账号激活链接过期未用"),
        "accounts.activation.export": _("导出账号激活情况"),
    }
)


def _activations_expire():
    from accounts.activation import activations_expire

    return activations_expire()


registry.periodic(
    "accounts.activations_expire",
    every=timedelta(hours=1),
    fn=_activations_expire,
    label=_("记录过期未用的账号激活链接"),
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

registry.export_leaves_out({"accounts.PasswordHistory": _("历史密码的散列值（密码不导出）")})
