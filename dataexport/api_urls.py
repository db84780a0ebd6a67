"""The province export's collection of /api/v1, as router registrations (see ledger/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from dataexport.api import ExportViewSet

REGISTRATIONS: list = [("dataexport/exports", ExportViewSet, "export")]


def register(router: SimpleRouter) -> None:
    for prefix, viewset, basename in REGISTRATIONS:
        router.register(prefix, viewset, basename=basename)
