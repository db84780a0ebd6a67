"""Session lifetime (idle and absolute) and account policy (second factor, forced password change)."""

import time
from functools import cache

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse

from accounts.services import LOGIN_AT, SEEN_AT

__all__ = ["LOGIN_AT", "SEEN_AT", "SessionLifetimeMiddleware", "AccountPolicyMiddleware"]


class SessionLifetimeMiddleware:
    """Log out after SESSION_IDLE_SECONDS without a request, or SESSION_MAX_SECONDS after login.

    The session row is deleted on the server, not just forgotten by the browser. A session whose
    user may no longer sign in (deactivated meanwhile) is deleted on its next request too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.services import logout_expired, session_discard

        user = getattr(request, "user", None)
        if user is None or not hasattr(request, "session"):
            return self.get_response(request)
        if not user.is_authenticated:
            user_id = request.session.get(SESSION_KEY)
            if user_id is not None:
                session_discard(request, user_id=user_id)
            return self.get_response(request)
        now = int(time.time())
        login_at = request.session.get(LOGIN_AT, now)
        seen_at = request.session.get(SEEN_AT, now)
        reason = None
        if now - login_at > settings.SESSION_MAX_SECONDS:
            reason = "absolute"
        elif now - seen_at > settings.SESSION_IDLE_SECONDS:
            reason = "idle"
        if reason:
            logout_expired(request, reason=reason)
            if request.path.startswith("/api/"):
                return self.get_response(request)
            return redirect(f"{reverse(settings.LOGIN_URL)}?expired=1")
        request.session[LOGIN_AT] = login_at
        request.session[SEEN_AT] = now
        return self.get_response(request)


@cache
def _paths(*names: str) -> frozenset[str]:
    return frozenset(reverse(f"accounts:{name}") for name in names)


# Pages a user with a pending obligation may still open (exact paths: the other account pages,
# such as user management and the security page, are administrator pages like any other).
_ALWAYS = ("login", "logout")
_SECOND_FACTOR = ("otp_verify", "otp_setup")
_OPEN_PREFIXES = ("/static/", "/i18n/")


class AccountPolicyMiddleware:
    """Send sessions that owe a TOTP code (administrators, and users who set one up) to give it
    first, then users who must change their password (initial or expired) to the change page.
    Off in demo mode."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or settings.DEMO_MODE
            or request.path.startswith(_OPEN_PREFIXES)
            or request.path in _paths(*_ALWAYS)
        ):
            return self.get_response(request)

        from accounts.services import password_expired, second_factor_pending

        is_api = request.path.startswith("/api/")
        if second_factor_pending(request):
            if request.path in _paths(*_SECOND_FACTOR):
                return self.get_response(request)
            if is_api:
                logout(request)
                return self.get_response(request)
            return redirect("accounts:otp_verify")
        if user.must_change_password or password_expired(user):
            if request.path in _paths("password_change", *_SECOND_FACTOR) or is_api:
                return self.get_response(request)
            return redirect("accounts:password_change")
        return self.get_response(request)
