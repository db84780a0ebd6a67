"""Shared by the policy pages: the reader check and how a service's refusal becomes a message."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from policies.queries import may_manage, may_read


def reader_or_404(user) -> None:
    """The library does not exist for accounts without business data (the three separated administrators)."""
    if not may_read(user):
        raise Http404


def manager_or_403(user) -> None:
    """Office pages: 404 outside the office, 403 in it without the right to maintain the library."""
    from orgs.scoping import office_or_404

    office_or_404(user)
    if not may_manage(user):
        raise PermissionDenied
