"""Background tasks of the assessment: thin wrappers that load what a job names and call the service.

They run in the worker (`manage.py run_worker`, django-tasks-db's db_worker with recovery); `make run` starts one
next to the server.
In production run it as a systemd service (`ExecStart=…/.venv/bin/python manage.py run_worker`,
`Restart=always`) and prune finished task rows from cron with `manage.py prune_db_task_results`.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from assessment import services
from assessment.models import Round
from core.actor import Actor
from core.jobs import job_run


@task()
def round_compute_task(*, job_id: int, round_id: int, reason: str = "") -> None:
    """Recompute a round's scores as the person who asked for the job (a new computation, audited)."""
    job_run(job_id=job_id, work=lambda actor, job: _compute(actor, round_id, reason))


def _compute(actor: Actor, round_id: int, reason: str) -> dict[str, Any]:
    # Runs as the worker: no request scope; round_compute checks the asker's rights itself.
    computation = services.round_compute(by=actor, round_=Round.objects.get(pk=round_id), reason=reason)
    results = computation.results.count()
    unresolved = computation.results.filter(unresolved__gt=0).count()
    message = _("已完成第 %(n)d 次计算，共 %(count)d 家单位。") % {"n": computation.number, "count": results}
    if unresolved:
        message += _("其中 %(u)d 家存在待校准或缺少设置的考核项，处理后请重新计算。") % {"u": unresolved}
    return {
        "computation": computation.number,
        "participants": results,
        "unresolved": unresolved,
        "message": message,
        "url": reverse("assessment:round_ranking", kwargs={"pk": round_id}),
    }
