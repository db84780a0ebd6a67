"""The reporting collections of /api/v1, as router registrations.

`changai/api.py` adds them to the API root's router with `register(router)`, so they are listed
at /api/v1/ next to the others; `urlpatterns` serves them alone (for an `include()`, and for
this app's tests).
"""

from rest_framework.routers import SimpleRouter

from reporting.api import (
    CompletenessViewSet,
    DataSetVersionViewSet,
    DataSetViewSet,
    PeriodViewSet,
    ReportViewSet,
)
from reporting.api_history import HistoryImportViewSet

REGISTRATIONS = [
    ("datasets", DataSetViewSet, "dataset"),
    ("dataset-versions", DataSetVersionViewSet, "dataset-version"),
    ("periods", PeriodViewSet, "period"),
    ("reports", ReportViewSet, "report"),
    ("completeness", CompletenessViewSet, "completeness"),
    ("history-imports", HistoryImportViewSet, "history-import"),
]


def register(router: SimpleRouter) -> None:
    """Add the reporting collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)


router = SimpleRouter()
router.include_format_suffixes = False
register(router)
urlpatterns = router.urls
