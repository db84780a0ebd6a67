"""Session lifetime (idle and absolute) and account policy (forced password change, second factor)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from orgs.roles import TWO_FACTOR_ROLES
from orgs.scoping import roles_of

LOGIN_AT = "changai_login_at"
SEEN_AT = "changai_seen_at"


class SessionLifetimeMiddleware:
    """Log out after SESSION_IDLE_SECONDS without a request, or SESSION_MAX_SECONDS after login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            if now - seen_at > settings.SESSION_IDLE_SECONDS or now - login_at > settings.SESSION_MAX_SECONDS:
                from accounts.services import logout_expired

                logout_expired(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
            request.session[LOGIN_AT] = login_at
            request.session[SEEN_AT] = now
        return self.get_response(request)


# Pages a user with a pending obligation may still open.
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/")


class AccountPolicyMiddleware:
    """Send users who must change their password, or set up a second factor, to do that first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not settings.DEMO_MODE
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            from accounts.services import password_expired

            if user.must_change_password or password_expired(user):
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect("accounts:password_change")
            if roles_of(user) & TWO_FACTOR_ROLES and not user.is_verified():
                if request.path.startswith("/api/"):
                    logout(request)
                    return self.get_response(request)
                return redirect("accounts:otp_verify")
        return self.get_response(request)
