"""`analytics_nav`: whether the navigation bar offers the "统计分析" menu, and which of its entries."""

from __future__ import annotations

from functools import cached_property


class AnalyticsNav:
    """Computed only when a template asks, so pages that do not show the bar pay nothing."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @cached_property
    def show(self) -> bool:
        """Anyone who may see business data somewhere; every figure is then limited to their scope."""
        from orgs.choices import Action
        from orgs.scoping import has_action

        return self.authenticated and has_action(self.user, Action.VIEW)

    @cached_property
    def manage(self) -> bool:
        """Whether indicator definitions and department statistics may be edited (the reform office)."""
        from orgs.choices import Action
        from orgs.scoping import has_action

        return self.authenticated and has_action(self.user, Action.METADATA_MANAGE)


def analytics_nav(request):
    return {"analytics_nav": AnalyticsNav(getattr(request, "user", None))}
