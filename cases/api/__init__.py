"""The case library's /api/v1 collections (cases.api.cases)."""

from cases.api.cases import CaseViewSet, ReplicationViewSet

__all__ = ["CaseViewSet", "ReplicationViewSet"]
