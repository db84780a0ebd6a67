from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import BasePermission

from orgs.roles import TWO_FACTOR_ROLES
from orgs.scoping import roles_of


class ActiveTokenAuthentication(TokenAuthentication):
    """Token auth that refuses deactivated users, demo accounts outside demo mode, and the
    three separated administrators outside demo mode: a token is a single factor, and their
    pages require two. Administrators use the API through their verified session instead."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if getattr(user, "awaiting_activation", False):
            raise exceptions.AuthenticationFailed(_("身份验证失败：令牌无效或账号已停用。"))
        if settings.DEMO_MODE:
            return user, token
        if getattr(user, "is_demo", False) or roles_of(user) & TWO_FACTOR_ROLES:
            raise exceptions.AuthenticationFailed(_("身份验证失败：令牌无效或账号已停用。"))
        return user, token


class AccountInGoodStanding(BasePermission):
    """The API is closed to an account that owes something first, as the pages are: a forced or expired
    password change, or a second factor it must use (issue 11). The answer says what to do."""

    def has_permission(self, request, view):
        from accounts.services import password_expired, second_factor_required

        user = request.user
        if user is None or not user.is_authenticated:
            return True
        if getattr(user, "awaiting_activation", False):
            self.message = _("您的账号尚未激活：请打开管理员交给您的激活链接，设置密码后再使用 API。")
            return False
        if settings.DEMO_MODE:
            return True
        if user.must_change_password:
            self.message = _("您须先修改初始密码或管理员重置的密码：请在网页上登录并设置新密码，然后再使用 API。")
            return False
        if password_expired(user):
            self.message = _("您的密码已过期：请在网页上登录并修改密码，然后再使用 API。")
            return False
        if second_factor_required(user) and not _verified(request):
            self.message = _("您的账号须使用双因素认证：请在网页上登录并完成动态口令验证，然后再使用 API。")
            return False
        return True


def _verified(request) -> bool:
    # django-otp marks a session verified once its TOTP code is given; a token never is.
    is_verified = getattr(request._request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified() and request._request.user.pk == request.user.pk)
