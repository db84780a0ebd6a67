"""Reads of accounts that carry a rule: whom a manager sees and may manage, and the lockouts."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from orgs.choices import Action
from orgs.models import Membership
from orgs.roles import GRANTABLE
from orgs.scoping import _active_memberships, covers, granted_paths


def roles_grantable_somewhere(manager) -> set[str]:
    """Every role `manager` may grant at some organisation (which one is checked on grant)."""
    roles: set[str] = set()
    for membership in _active_memberships(manager):
        roles |= GRANTABLE.get(membership.role, frozenset())
    return roles


def scoped_memberships(manager) -> QuerySet[Membership]:
    """Memberships at organisations where `manager` may manage users, current ones first."""
    return (
        Membership.objects.visible_to(manager, Action.USER_MANAGE)
        .select_related("org")
        .order_by("-is_active", "org__path", "role")
    )


def users_search(*, manager, text: str = "") -> QuerySet[User]:
    """Users `manager` manages, matching `text` in username, name or e-mail, each with the
    memberships inside the manager's scope (as `scoped_memberships`); roles elsewhere stay hidden."""
    qs = User.objects.visible_to(manager, Action.USER_MANAGE)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(full_name__icontains=text) | Q(email__icontains=text))
    shown = scoped_memberships(manager)
    return qs.prefetch_related(Prefetch("memberships", queryset=shown, to_attr="scoped_memberships")).order_by(
        "username"
    )


def outside_memberships(*, manager, user: User) -> int:
    """How many of `user`'s current roles lie outside what `manager` may manage."""
    paths = granted_paths(manager, Action.USER_MANAGE)
    active = Membership.objects.filter(user=user, is_active=True).select_related("org")
    return sum(1 for m in active if not covers(paths, m.org))


def lockouts_current() -> list[dict]:
    """(username, address) pairs with failures inside the cool-off window, latest first, as dicts
    with `username`, `ip_address`, `failures`, `last`, `locked` (reached the limit) and `unlocks_at`."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = list(
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last")[:200]
    )
    for row in rows:
        row["locked"] = row["failures"] >= settings.AXES_FAILURE_LIMIT
        row["unlocks_at"] = row["last"] + settings.AXES_COOLOFF_TIME
    return rows


def failures_recent(limit: int = 50) -> QuerySet[AccessFailureLog]:
    return AccessFailureLog.objects.order_by("-attempt_time")[:limit]
