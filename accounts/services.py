"""Account writes: login bookkeeping, password changes, expiry."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone


def password_expired(user) -> bool:
    """Whether the password is older than PASSWORD_MAX_AGE_DAYS (never for users without a date)."""
    if not user.password_changed_at or settings.PASSWORD_MAX_AGE_DAYS <= 0:
        return False
    return timezone.now() - user.password_changed_at > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def logout_expired(request) -> None:
    logout(request)
