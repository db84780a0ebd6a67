"""Background work of the reform ledger: thin wrappers that call the alerts' refresh.

`alerts_refresh_task` runs the "立即重新计算" job the office asks for (as that person, with progress on
/jobs/); `alerts_refresh_daily` is the periodic work the worker runs once a day by itself
(ledger/declarations.py declares it; core/periodic.py decides when), as the system. Without a
running worker, `manage.py refresh_alerts` from cron or a systemd timer does the same.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from core.actor import Actor
from core.jobs import job_run
from ledger.alerts import RefreshResult


def summary(result: RefreshResult) -> dict[str, Any]:
    """What a refresh did, as a job's summary and the command's output."""
    return {
        "raised": result.raised,
        "cleared": result.cleared,
        "kept": result.kept,
        "message": _("预警已重新计算：新增 %(raised)d 条，解除 %(cleared)d 条，持续 %(kept)d 条。")
        % {"raised": result.raised, "cleared": result.cleared, "kept": result.kept},
    }


@task()
def alerts_refresh_task(*, job_id: int) -> None:
    """Recompute the alerts as the person who asked for the job (their right is checked again at run time)."""
    job_run(job_id=job_id, work=lambda actor, job: _refresh(actor))


def _refresh(actor: Actor) -> dict[str, Any]:
    from ledger.services.alerts import alerts_refresh

    return {**summary(alerts_refresh(by=actor)), "url": reverse("ledger:alerts")}


def alerts_refresh_daily() -> dict[str, Any]:
    """The daily run, as the system."""
    from ledger.services.alerts import alerts_refresh

    return summary(alerts_refresh(by=Actor.system("ledger.alerts_daily")))
