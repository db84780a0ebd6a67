"""The suggestions collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from suggestions.api import CampaignViewSet, StatsViewSet, SuggestionViewSet

REGISTRATIONS: list = [
    ("suggestions/suggestions", SuggestionViewSet, "suggestions-suggestion"),
    ("suggestions/campaigns", CampaignViewSet, "suggestions-campaign"),
    ("suggestions/statistics", StatsViewSet, "suggestions-statistics"),
]


def register(router: SimpleRouter) -> None:
    """Add the suggestions collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
