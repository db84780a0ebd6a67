"""The capacity-building collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from training.api import AttendanceViewSet, ClassViewSet, CoverageViewSet, EnrolmentViewSet

REGISTRATIONS: list = [
    ("training/classes", ClassViewSet, "training-class"),
    ("training/enrolments", EnrolmentViewSet, "training-enrolment"),
    ("training/attendance", AttendanceViewSet, "training-attendance"),
    ("training/coverage", CoverageViewSet, "training-coverage"),
]


def register(router: SimpleRouter) -> None:
    """Add the capacity-building collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
