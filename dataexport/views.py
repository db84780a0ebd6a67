"""The province export's page (the office's administrators only; 404 for everyone else): the kept exports with
their counts, the job under way, a button for a new one, downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.actor import Actor
from core.jobs import job_progress_of
from dataexport import dump, queries, services


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    exports = queries.exports_or_404(request.user)
    job = queries.latest_job()
    written, left_out = dump.tables()
    return render(
        request,
        "dataexport/home.html",
        {
            "exports": list(exports[:20]),
            "job": job,
            "job_progress": job_progress_of(job) if job else None,
            "table_count": len(written),
            "left_out": sorted(str(why) for why in left_out.values()),
        },
    )


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    queries.exports_or_404(request.user)
    job = services.export_request(by=Actor.from_request(request))
    messages.info(request, _("正在后台导出全省数据，完成后可在本页下载。"))
    return redirect("core:job_detail", pk=job.pk)


@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    row = queries.export_or_404(request.user, pk)
    try:
        handle = row.file.open("rb")
    except OSError:
        raise Http404 from None
    services.export_open(by=Actor.from_request(request), export=row)
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
