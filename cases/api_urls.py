"""The case library's collections of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from cases.api import CaseViewSet, ReplicationViewSet

REGISTRATIONS: list = [
    ("cases", CaseViewSet, "case"),
    ("case-replications", ReplicationViewSet, "case-replication"),
]


def register(router: SimpleRouter) -> None:
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
