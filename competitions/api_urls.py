"""The competitions collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from competitions.api import CompetitionViewSet, EntryViewSet, OutcomeViewSet

REGISTRATIONS: list = [
    ("competitions/events", CompetitionViewSet, "competitions-event"),
    ("competitions/entries", EntryViewSet, "competitions-entry"),
    ("competitions/outcomes", OutcomeViewSet, "competitions-outcome"),
]


def register(router: SimpleRouter) -> None:
    """Add the competitions collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
