"""Forms of the account pages. They check input; the writes go through accounts.services."""

from __future__ import annotations

import ipaddress

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import NoticeDelivery
from accounts.queries import roles_grantable_somewhere
from orgs.choices import Role
from orgs.pickers import OrgField, bind_user
from orgs.services import requestable_roles


class BootstrapMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class LoginForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    # No max_length: a long passphrase is fine; argon2 does not truncate.
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordChangeForm(BootstrapMixin, forms.Form):
    """Old password, new password twice. The password rules are checked by the service."""

    old_password = forms.CharField(
        label=_("当前密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError(gettext("当前密码不正确，请重新输入。"), code="password_incorrect")
        return old

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", gettext("两次输入的新密码不一致。"))
        return cleaned


class OtpTokenForm(BootstrapMixin, forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "pattern": "[0-9 ]*"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isascii() or not token.isdigit() or len(token) not in (6, 8):
            raise forms.ValidationError(gettext("动态验证码应为 6 位数字。"))
        return token


class _ManagerForm(BootstrapMixin, forms.Form):
    """A form filled in by a user manager: the organisation is looked up inside their scope."""

    requesting = False  # whether roles the manager may only request are offered too

    def __init__(self, manager, *args, **kwargs):
        self.manager = manager
        super().__init__(*args, **kwargs)
        bind_user(self, manager)  # organisations are looked up where the manager may manage users
        if "role" in self.fields:
            offered = roles_grantable_somewhere(manager)
            if self.requesting:
                only_requested = requestable_roles(manager) - offered
                offered |= only_requested
                if only_requested:
                    self.fields["role"].help_text = _(
                        "系统管理员不能授予角色（三权分立）：所选角色记为申请，经安全管理员批准后生效。"
                    )
            self.fields["role"].choices = [("", "---------")] + [(r.value, r.label) for r in Role if r in offered]


class UserCreateForm(_ManagerForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("字母、数字和 @/./+/-/_，不区分大小写，不能与已有用户重复。"),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    phone = forms.CharField(
        label=_("联系电话"), max_length=30, required=False, help_text=_("如 13812345678 或 0871-63123456，加密保存。")
    )
    org = OrgField(
        purpose="users",
        label=_("所属机构"),
        help_text=_("输入机构名称、简称、拼音首字母或代码，从列表中选择；须在您的管理范围内。"),
    )
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    requesting = True


class ContactForm(BootstrapMixin, forms.Form):
    """我的账号: the person's own telephone and e-mail (checked by the service)."""

    phone = forms.CharField(
        label=_("联系电话"), max_length=30, required=False, help_text=_("如 13812345678 或 0871-63123456，加密保存。")
    )
    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)


class NoticeDeliveryForm(forms.Form):
    """我的账号: how the person's notifications reach them by e-mail (checked again by the service)."""

    notice_delivery = forms.ChoiceField(
        label=_("通知邮件"),
        choices=NoticeDelivery.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择通知邮件的发送方式。"), "invalid_choice": _("请从列出的方式中选择一种。")},
    )


class MembershipGrantForm(_ManagerForm):
    org = OrgField(purpose="users")
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)


class AddressResetForm(BootstrapMixin, forms.Form):
    ip = forms.CharField(label=_("IP 地址"), max_length=45)

    def clean_ip(self):
        value = self.cleaned_data["ip"].strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise forms.ValidationError(gettext("“%(ip)s”不是有效的 IP 地址。") % {"ip": value}) from None


class PeopleImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("填好的人员导入表（.xlsx）"),
        help_text=_("请使用本页提供的模板；文件不超过 20 MB，最多 1500 行；人数更多时请分成几个文件导入。"),
    )


class ActivationCodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("激活码"),
        max_length=64,
        help_text=_("管理员交给您的 20 位激活码，如 ABCD-EFGH-JKLM-NPQR-STUV（不区分大小写）。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class ActivationPasswordForm(BootstrapMixin, forms.Form):
    """The new account's own password, twice. The password rules are checked by the service."""

    new_password1 = forms.CharField(
        label=_("设置密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", gettext("两次输入的密码不一致。"))
        return cleaned


class ActivationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False)
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        from accounts.activation import STATE_LABELS

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部"))] + [(k, v) for k, v in STATE_LABELS.items()]
        self.fields["state"].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update({"class": "form-control", "placeholder": _("用户名或姓名")})
