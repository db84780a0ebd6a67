"""Login failure handling: django-axes locks a (username, address) pair after 5 failures;
a cache counter throttles an address that fails across many usernames (password spraying)."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.net import client_ip

_WINDOW = 15 * 60


def username_from_request(request, credentials):
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()[:150]


def _key(request) -> str:
    return f"login-fail-ip:{client_ip(request)}"


def address_blocked(request) -> bool:
    return cache.get(_key(request), 0) >= settings.LOCKOUT_ADDRESS_FAILURES


def note_address_failure(request) -> None:
    key = _key(request)
    if cache.add(key, 1, _WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, _WINDOW)


def lockout_response(request, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("登录失败次数过多，账号在本地址已被锁定%(m)d分钟。如需提前解锁，请联系安全管理员。") % {"m": minutes}
    return render(request, "accounts/login.html", {"locked_message": message, "form": None}, status=429)
