"""The analytics collections of /api/v1, as router registrations (see reporting/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from analytics.api import AnalyticsQueryViewSet, DrillThroughViewSet, IndicatorViewSet, SavedViewViewSet

REGISTRATIONS: list = [
    ("analytics/indicators", IndicatorViewSet, "indicator"),
    ("analytics/query", AnalyticsQueryViewSet, "analytics-query"),
    ("analytics/drill-through", DrillThroughViewSet, "analytics-drill"),
    ("analytics/views", SavedViewViewSet, "saved-view"),
]


def register(router: SimpleRouter) -> None:
    """Add the analytics collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
