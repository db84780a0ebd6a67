"""`analytics_nav`: whether the navigation bar offers the "统计分析" menu, and which of its entries."""

from __future__ import annotations

from functools import cached_property

from orgs.choices import Action
from orgs.nav import LazyNav


class AnalyticsNav(LazyNav):
    @cached_property
    def show(self) -> bool:
        """Anyone who may see business data somewhere; every figure is then limited to their scope."""
        return self.may(Action.VIEW)

    @cached_property
    def manage(self) -> bool:
        """Whether indicator definitions and department statistics may be edited (the reform office)."""
        return self.may(Action.METADATA_MANAGE)


def analytics_nav(request):
    return {"analytics_nav": AnalyticsNav(getattr(request, "user", None))}
