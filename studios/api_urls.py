"""The studios collections of /api/v1, as router registrations (see sites/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from studios.api import AllianceViewSet, ResultViewSet, ReviewViewSet, StudioViewSet

REGISTRATIONS: list = [
    ("studios/studios", StudioViewSet, "studios-studio"),
    ("studios/results", ResultViewSet, "studios-result"),
    ("studios/alliances", AllianceViewSet, "studios-alliance"),
    ("studios/reviews", ReviewViewSet, "studios-review"),
]


def register(router: SimpleRouter) -> None:
    """Add the studios collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
