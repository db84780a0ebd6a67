"""The ledger collections of /api/v1, as router registrations (see reporting/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from ledger.api import AlertViewSet, TimelineViewSet

REGISTRATIONS: list = [
    # --- Alerts and timeline ---
    ("ledger/alerts", AlertViewSet, "ledger-alert"),
    ("ledger/timelines", TimelineViewSet, "ledger-timeline"),
]


def register(router: SimpleRouter) -> None:
    """Add the ledger collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
