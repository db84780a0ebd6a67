"""Background tasks of the organisation tree: thin wrappers that load what a job names and call the service."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from core.actor import Actor
from core.errors import UserError
from core.jobs import job_run
from core.models import Job
from orgs.transfer import storage
from orgs.transfer.services import confirm

PROBLEMS_SHOWN = 5  # problems quoted in a failed job's message (the rest are counted)


@task()
def org_import_confirm_task(*, job_id: int, token: str) -> None:
    """Confirm a previewed organisation import (all or nothing) as the person who asked for the job."""
    job_run(job_id=job_id, work=lambda actor, job: _confirm(actor, job, token))


def _confirm(actor: Actor, job: Job, token: str) -> dict[str, Any]:
    from orgs.transfer.views import result_message

    outcome = confirm(actor=actor, token=token, meta=storage.read_meta(token) or {})
    if outcome.problems:
        texts = [p.text() for p in outcome.problems[:PROBLEMS_SHOWN]]
        message = _("导入失败，本次未导入任何数据：%(problems)s") % {"problems": "；".join(texts)}
        if len(outcome.problems) > PROBLEMS_SHOWN:
            message += _("（共 %(n)d 个问题）") % {"n": len(outcome.problems)}
        raise UserError(message)
    return {**outcome.counts, "url": reverse("orgs:transfer"), "message": result_message(outcome.counts)}
