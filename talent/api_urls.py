"""The talent-pool collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from talent.api import HonourViewSet, NominationViewSet, PersonViewSet, RoundViewSet

REGISTRATIONS: list = [
    ("talent/people", PersonViewSet, "talent-person"),
    ("talent/honours", HonourViewSet, "talent-honour"),
    ("talent/rounds", RoundViewSet, "talent-round"),
    ("talent/nominations", NominationViewSet, "talent-nomination"),
]


def register(router: SimpleRouter) -> None:
    """Add the talent-pool collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
