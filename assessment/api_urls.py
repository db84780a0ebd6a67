"""The assessment collections of /api/v1, as router registrations (see reporting/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from assessment.api import AppealViewSet, RatingViewSet, RoundViewSet, ScoreCardViewSet

REGISTRATIONS: list = [
    ("assessment/rounds", RoundViewSet, "assessment-round"),
    ("assessment/score-cards", ScoreCardViewSet, "assessment-score-card"),
    ("assessment/ratings", RatingViewSet, "assessment-rating"),
    ("assessment/appeals", AppealViewSet, "assessment-appeal"),
]


def register(router: SimpleRouter) -> None:
    """Add the assessment collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
