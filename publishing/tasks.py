"""Background work of the publishing app: thin wrappers around its services."""

from __future__ import annotations

from django_tasks import task

from core.jobs import job_run


@task()
def issue_documents_task(*, job_id: int, issue_id: int) -> None:
    """Draw an issue's .docx and PDF as the editor who asked (their right is checked again at run time)."""
    job_run(job_id=job_id, work=lambda actor, job: run(actor, job.pk, issue_id))


def run(actor, job_id: int, issue_id: int) -> dict:
    from publishing.services.documents import documents_generate

    return documents_generate(by=actor, issue_id=issue_id, job_id=job_id)


@task()
def report_documents_task(*, job_id: int, report_id: int) -> None:
    """Draft an evaluation report's .docx and PDF from the platform's data, as the editor who asked."""
    job_run(job_id=job_id, work=lambda actor, job: run_report(actor, job.pk, report_id))


def run_report(actor, job_id: int, report_id: int) -> dict:
    from publishing.services.reports import report_generate

    return report_generate(by=actor, report_id=report_id, job_id=job_id)
