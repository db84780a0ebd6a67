from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ActiveTokenAuthentication(TokenAuthentication):
    """Token auth that also refuses deactivated users and demo accounts outside demo mode."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        from django.conf import settings

        user, token = super().authenticate_credentials(key)
        if getattr(user, "is_demo", False) and not settings.DEMO_MODE:
            raise exceptions.AuthenticationFailed(_("身份验证失败：令牌无效或账号已停用。"))
        return user, token
