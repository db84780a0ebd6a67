"""A task for the worker tests: long work inside one open transaction, like an all-or-nothing import."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django_tasks import task

from core.jobs import current_job_progress, job_run
from core.models import Job


@task()
def sleeping_job_task(*, job_id: int, seconds: float) -> None:
    job_run(job_id=job_id, work=lambda actor, job: _sleep(job, seconds))


def _sleep(job: Job, seconds: float) -> dict[str, Any]:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(params={"written": "inside the transaction"})
        current_job_progress(done=1, total=4)
        time.sleep(seconds)
    return {"message": "slept"}
