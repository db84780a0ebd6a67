"""Reads of the province export: the kept files and the job under way, for the office's administrators."""

from __future__ import annotations

from django.http import Http404

from core.models import Job
from dataexport.models import ProvinceExport
from dataexport.services import JOB_KIND, may_export


def exports_or_404(user):
    """The kept exports; 404 for anyone who may not export (the page does not exist for them)."""
    if not may_export(user):
        raise Http404
    return ProvinceExport.objects.select_related("uploaded_by")


def export_or_404(user, pk) -> ProvinceExport:
    found = exports_or_404(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def latest_job() -> Job | None:
    return Job.objects.filter(kind=JOB_KIND).order_by("-id").first()
