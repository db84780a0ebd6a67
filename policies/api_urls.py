"""The policy library's collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from policies.api import EligibilityViewSet, MeasureViewSet, NoticeViewSet, UptakeViewSet

REGISTRATIONS: list = [
    ("policies/measures", MeasureViewSet, "policy-measure"),
    ("policies/eligibility", EligibilityViewSet, "policy-eligibility"),
    ("policies/notices", NoticeViewSet, "policy-notice"),
    ("policies/uptake", UptakeViewSet, "policy-uptake"),
]


def register(router: SimpleRouter) -> None:
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
