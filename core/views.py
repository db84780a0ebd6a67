"""Background jobs' pages. (The home page belongs to orgs, which knows the roles: orgs.views.home.)"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.jobs import job_kind_label, job_progress_of, job_visible_or_404, jobs_progress, jobs_visible_to

JOB_REFRESH_SECONDS = 2
JOBS_PAGE_SIZE = 25


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's state; htmx polls the status part every 2 s while it is queued or running.

    Only the person who asked and office administrators see it; anyone else gets 404.
    """
    job = job_visible_or_404(request.user, pk)
    template = "core/job_detail.html" + ("#status" if request.htmx else "")
    context = {
        "job": job,
        "kind_label": job_kind_label(job),
        "progress": job_progress_of(job),
        "refresh_seconds": JOB_REFRESH_SECONDS,
    }
    return render(request, template, context)


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The person's background jobs, newest first (every job for an office administrator), a page at a time."""
    page = Paginator(jobs_visible_to(request.user).order_by("-created_at", "-id"), JOBS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    progress = jobs_progress(page.object_list)
    rows = [(job, job_kind_label(job), progress.get(job.pk)) for job in page.object_list]
    return render(request, "core/job_list.html", {"page_obj": page, "rows": rows})
