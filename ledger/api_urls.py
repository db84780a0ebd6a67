"""The ledger collections of /api/v1, as router registrations (see reporting/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from ledger.api import (
    AlertViewSet,
    LedgerViewSet,
    MemberViewSet,
    OfficerViewSet,
    SummaryViewSet,
    TaskViewSet,
    TimelineViewSet,
    UpdateViewSet,
    WrittenReportViewSet,
    WrittenRoundViewSet,
    WrittenSubmissionViewSet,
)

REGISTRATIONS: list = [
    ("ledger/ledgers", LedgerViewSet, "ledger-ledger"),
    ("ledger/members", MemberViewSet, "ledger-member"),
    ("ledger/officers", OfficerViewSet, "ledger-officer"),
    ("ledger/task-updates", UpdateViewSet, "ledger-task-update"),
    # Nine-aspect written reports.
    ("ledger/written-rounds", WrittenRoundViewSet, "ledger-written-round"),
    ("ledger/written-reports", WrittenReportViewSet, "ledger-written-report"),
    ("ledger/written-submissions", WrittenSubmissionViewSet, "ledger-written-submission"),
    # Roadmap, the province's task view and the summaries.
    ("ledger/tasks", TaskViewSet, "ledger-task"),
    ("ledger/summary", SummaryViewSet, "ledger-summary"),
    # Alerts and timelines.
    ("ledger/alerts", AlertViewSet, "ledger-alert"),
    ("ledger/timelines", TimelineViewSet, "ledger-timeline"),
]


def register(router: SimpleRouter) -> None:
    """Add the ledger collections to `router` (prefix, viewset, basename)."""
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
