"""A background job's page. (The home page belongs to orgs, which knows the roles: orgs.views.home.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.jobs import job_kind_label, job_visible_or_404

JOB_REFRESH_SECONDS = 2


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's state; htmx polls the status part every 2 s while it is queued or running.

    Only the person who asked and office administrators see it; anyone else gets 404.
    """
    job = job_visible_or_404(request.user, pk)
    template = "core/job_detail.html" + ("#status" if request.htmx else "")
    return render(
        request, template, {"job": job, "kind_label": job_kind_label(job), "refresh_seconds": JOB_REFRESH_SECONDS}
    )
