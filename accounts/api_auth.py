from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from orgs.roles import TWO_FACTOR_ROLES
from orgs.scoping import roles_of


class ActiveTokenAuthentication(TokenAuthentication):
    """Token auth that refuses deactivated users, demo accounts outside demo mode, and the
    three separated administrators outside demo mode: a token is a single factor, and their
    pages require two. Administrators use the API through their verified session instead."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if settings.DEMO_MODE:
            return user, token
        if getattr(user, "is_demo", False) or roles_of(user) & TWO_FACTOR_ROLES:
            raise exceptions.AuthenticationFailed(_("身份验证失败：令牌无效或账号已停用。"))
        return user, token
