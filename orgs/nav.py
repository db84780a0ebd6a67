"""Menu visibility from the user's roles: `may(action)` for declared menu entries, LazyNav for the per-app helpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property


def may(*actions: str) -> Callable[[object], bool]:
    """A menu entry's `visible`: the signed-in user holds one of `actions` somewhere (cached roles, no query)."""

    def visible(user) -> bool:
        from orgs.scoping import has_action

        return bool(getattr(user, "is_authenticated", False)) and any(has_action(user, a) for a in actions)

    return visible


class LazyNav:
    """Computed only when a template asks, so pages that do not show the bar pay nothing."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    def may(self, action: str) -> bool:
        """Whether the signed-in user holds `action` somewhere (read from the request's cached roles)."""
        from orgs.scoping import has_action

        return self.authenticated and has_action(self.user, action)
