"""Background work of the province export: a thin wrapper around its service."""

from __future__ import annotations

from django_tasks import task

from core.jobs import job_run


@task()
def province_export_task(*, job_id: int) -> None:
    """Write the province export as the administrator who asked (the right is checked again at run time)."""
    job_run(job_id=job_id, work=lambda actor, job: run(actor, job.pk))


def run(actor, job_id: int) -> dict:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from dataexport.services import export_generate

    row = export_generate(by=actor, job_id=job_id)
    return {
        "message": _("已导出 %(tables)d 张表、%(rows)d 行、%(files)d 个附件。")
        % {"tables": row.tables, "rows": row.rows, "files": row.files},
        "url": reverse("dataexport:home"),
    }
