"""Login failure handling: django-axes locks a (username, address) pair after 5 failures;
a cache counter throttles an address that fails across many usernames (password spraying).

Both answers are the same whether the username exists or not.
"""

import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.net import client_ip

_WINDOW = 15 * 60
_SHORT_ESCAPES = {"\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\\t"}


def escape_control(value: str) -> str:
    """`value` with control and format characters written as escapes, so it stays one line in
    any log or table (a username `a\\r\\nfake` is kept as the text `a\\\\r\\\\nfake`)."""
    out = []
    for char in value or "":
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def username_from_request(request, credentials):
    """The username axes counts failures under: lower-cased, escaped, at most 150 characters."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return escape_control(username.strip().lower())[:150]


def _key(ip: str) -> str:
    return f"login-fail-ip:{ip}"


def address_blocked(request) -> bool:
    """Whether the client's address has failed too often, across all usernames, to try again now."""
    return cache.get(_key(client_ip(request)), 0) >= settings.LOCKOUT_ADDRESS_FAILURES


def note_address_failure(request) -> None:
    key = _key(client_ip(request))
    if cache.add(key, 1, _WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, _WINDOW)


def address_failures(ip: str) -> int:
    return cache.get(_key(ip), 0)


def address_reset(ip: str) -> bool:
    """Forget an address's failures; True if there were any."""
    return bool(cache.delete(_key(ip)))


def address_window_minutes() -> int:
    return _WINDOW // 60


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("登录失败次数过多，该账号在本地址已被锁定%(m)d分钟。如需提前解锁，请联系安全管理员。") % {"m": minutes}


def lockout_response(request, *args, **kwargs):
    """What axes answers once a (username, address) pair is locked: the login page, status 429."""
    from accounts.forms import LoginForm

    form = LoginForm(initial={"username": request.POST.get("username", "")[:150]})
    response = render(request, "accounts/login.html", {"locked_message": lockout_message(), "form": form}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
