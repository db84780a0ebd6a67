"""Background jobs: long work (large Excel imports, assessment recomputes) run by the worker for a person.

    job_create(...)            a queued job, audited; its task is enqueued when the transaction commits
    job_run(...)               what a task calls: queued → running → done (summary) or failed (message)
    job_actor(job)             the person who asked, as the services' Actor (their audit rows name them)
    jobs_visible_to(user)      the asker's own jobs, or every job for an office administrator
    job_visible_or_404(...)    one job, 404 for anyone else (missing and "not yours" look the same)

The work itself stays in the domain services; a job only records who asked, for what, and how it ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, registry
from core.actor import Actor
from core.errors import UserError
from core.models import Job, JobStatus

logger = logging.getLogger(__name__)

# What a job's work returns: the summary kept on the job (counts, "message", "url" of the result).
Work = Callable[[Actor, Job], dict[str, Any]]


def job_create(
    *,
    kind: str,
    by: Actor,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    params: dict[str, Any] | None = None,
    task: Any = None,
    task_kwargs: dict[str, Any] | None = None,
) -> Job:
    """A queued job for `by.user`, audited; `task.enqueue(job_id=…, **task_kwargs)` runs after the commit.

    `params` is kept on the job (shown to nobody but the page: `back_url` links back from a failure).

    Raises UserError when there is no signed-in person to run it for.
    """
    if by.user is None:
        raise UserError(_("后台任务必须由登录用户发起。"))
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            requested_by=by.user,
            ip=by.ip or None,
            request_id=(by.request_id or "")[:64],
            object_type=(object_type or (obj._meta.label_lower if obj is not None else ""))[:100],
            object_id=(object_id or (str(obj.pk) if obj is not None else ""))[:64],
            object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
            params=params or {},
            created_at=timezone.now(),
        )
        audit.record(by, "core.job.create", job, detail={"kind": kind, "params": params or {}})
        if task is not None:
            # The worker must find the job row: enqueue only once it is committed.
            kwargs = {"job_id": job.pk, **(task_kwargs or {})}
            transaction.on_commit(lambda: task.enqueue(**kwargs))
    return job


def job_kind_label(job: Job) -> str:
    """What the job's kind is called, as its app declared it (core/registry.py)."""
    return registry.job_kind_label(job.kind)


def job_actor(job: Job) -> Actor:
    """The person who asked, with the address and request id of the request that asked."""
    return Actor(user=job.requested_by, ip=job.ip, request_id=job.request_id)


def job_run(*, job_id: int, work: Work) -> Job:
    """Claim a queued job, run `work` as its asker and record the end; a job runs at most once.

    A UserError or PermissionDenied from the work fails the job with its message; any other error fails it with a
    general message (and is logged and raised again, so the task queue records the traceback).
    """
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if not claimed:
        return job  # already run (or running) elsewhere: never twice
    actor = job_actor(job)
    try:
        summary = work(actor, job)
    except UserError as error:
        return _finish(job, actor, JobStatus.FAILED, error=error.message)
    except PermissionDenied as error:  # the asker lost the right between asking and running
        return _finish(job, actor, JobStatus.FAILED, error=str(error.args[0]) if error.args else _("没有权限。"))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job, actor, JobStatus.FAILED, error=_("后台任务运行出错，本次操作没有完成。请稍后重试，或联系系统管理员。")
        )
        raise
    return _finish(job, actor, JobStatus.DONE, result=summary or {})


@transaction.atomic
def _finish(job: Job, actor: Actor, status: str, *, result: dict[str, Any] | None = None, error: str = "") -> Job:
    job.status = status
    job.result = audit._jsonable(result or {})
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at"])
    audit.record(
        actor,
        "core.job.finish",
        job,
        success=status == JobStatus.DONE,
        detail={"kind": job.kind, "status": status, "error": error},
    )
    return job


def jobs_visible_to(user) -> models.QuerySet[Job]:
    """The jobs `user` may follow: their own; every job for whoever may follow all (the office administrator)."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    jobs = Job.objects.select_related("requested_by")
    if registry.allows("jobs.view_all", user):
        return jobs
    return jobs.filter(requested_by=user)


def job_visible_or_404(user, pk: int) -> Job:
    """One job `user` may follow; 404 otherwise (the same answer for missing and not theirs)."""
    job = jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
