"""The ledger collections of /api/v1, as router registrations (see reporting/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from ledger.api import SummaryViewSet, TaskViewSet

REGISTRATIONS: list = [
    # --- Roadmap, the province's task view and the summaries (roadmap part) ---
    ("ledger/tasks", TaskViewSet, "ledger-task"),
    ("ledger/summary", SummaryViewSet, "ledger-summary"),
]


def register(router: SimpleRouter) -> None:
    """Add the ledger collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
