"""Writes of the province export: asking for one (a job), writing it (what the job runs), opening it.

Only the reform office's administrators export the province (`may_export`): the export holds every
organisation's data. Each step is audited: the request with the job, the file with its counts, each download.
"""

from __future__ import annotations

import hashlib
import tempfile

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.files import new_storage_name
from core.jobs import current_job_progress, job_create
from core.models import Job
from dataexport import dump
from dataexport.models import ProvinceExport
from orgs.choices import Action
from orgs.scoping import has_action, is_office

JOB_KIND = "dataexport.province"
ZIP_CONTENT_TYPE = "application/zip"


def may_export(user) -> bool:
    """The reform office's administrators: office members who keep the tree and may export."""
    return is_office(user) and has_action(user, Action.ORG_MANAGE) and has_action(user, Action.EXPORT)


def ensure_exporter(by: Actor) -> None:
    if getattr(by, "system_name", ""):
        return
    if not may_export(by.user):
        raise PermissionDenied(_("只有产改办管理员可以导出全省数据。"))


def export_request(*, by: Actor) -> Job:
    """Queue an export of everything the province holds (one at a time: a second ask finds the running one)."""
    from dataexport.tasks import province_export_task

    ensure_exporter(by)
    running = Job.objects.filter(kind=JOB_KIND, status__in=("queued", "running")).order_by("-id").first()
    if running is not None:
        return running
    return job_create(
        kind=JOB_KIND, by=by, object_repr=str(_("全省数据导出")),
        params={"back_url": reverse("dataexport:home")}, task=province_export_task,
    )  # fmt: skip


def export_generate(*, by: Actor, job_id: int | None = None) -> ProvinceExport:
    """Write the .zip (dataexport/dump.py) and keep it, audited with its counts."""
    ensure_exporter(by)
    stem = f"全省数据导出-{timezone.localtime():%Y%m%d-%H%M}"
    with tempfile.TemporaryFile() as target:
        counts = dump.write_dump(target, progress=lambda done, total: current_job_progress(done=done, total=total))
        size = target.tell()
        target.seek(0)
        sha = hashlib.sha256()
        while block := target.read(1 << 20):
            sha.update(block)
        target.seek(0)
        row = ProvinceExport(
            job_id=job_id, original_name=f"{stem}.zip", size=size, content_type=ZIP_CONTENT_TYPE,
            sha256=sha.hexdigest(), uploaded_by=by.user, **counts,
        )  # fmt: skip
        row.file.save(new_storage_name(".zip"), File(target), save=False)
    row.save()
    audit.record(by, "dataexport.export.create", row, after=None, detail={**counts, "sha256": row.sha256})
    return row


def export_open(*, by: Actor, export: ProvinceExport) -> None:
    """Audit a download (the caller checked `may_export`)."""
    audit.record(by, "dataexport.export.download", export, after=None, detail={"sha256": export.sha256})
