"""The base of the navigation bar's per-app menus (reporting_nav, analytics_nav, assessment_nav)."""

from __future__ import annotations

from functools import cached_property


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
