"""`analytics_nav`: what the analytics pages' own tabs offer (the bar's menu is declared in declarations.py)."""

from __future__ import annotations

from functools import cached_property

from orgs.choices import Action
from orgs.nav import LazyNav


class AnalyticsNav(LazyNav):
    @cached_property
    def manage(self) -> bool:
        """Whether indicator definitions and department statistics may be edited (the reform office)."""
        return self.may(Action.METADATA_MANAGE)


def analytics_nav(request):
    return {"analytics_nav": AnalyticsNav(getattr(request, "user", None))}
