"""The publishing collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from publishing.api import EvaluationReportViewSet, IssueViewSet, ReportFileViewSet, SubmissionViewSet

REGISTRATIONS: list = [
    ("publishing/submissions", SubmissionViewSet, "publishing-submission"),
    ("publishing/issues", IssueViewSet, "publishing-issue"),
    ("publishing/reports", EvaluationReportViewSet, "publishing-report"),
    ("publishing/report-files", ReportFileViewSet, "publishing-report-file"),
]


def register(router: SimpleRouter) -> None:
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
