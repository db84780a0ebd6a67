"""The sites collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from sites.api import (
    BatchViewSet,
    FollowUpViewSet,
    GroupViewSet,
    NominationViewSet,
    RatingViewSet,
    SiteViewSet,
    VisitViewSet,
)

REGISTRATIONS: list = [
    ("sites/batches", BatchViewSet, "sites-batch"),
    ("sites/nominations", NominationViewSet, "sites-nomination"),
    ("sites/sites", SiteViewSet, "sites-site"),
    ("sites/groups", GroupViewSet, "sites-group"),
    ("sites/visits", VisitViewSet, "sites-visit"),
    ("sites/followups", FollowUpViewSet, "sites-followup"),
    ("sites/ratings", RatingViewSet, "sites-rating"),
]


def register(router: SimpleRouter) -> None:
    """Add the sites collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
