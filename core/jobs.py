"""Background jobs: long work (large Excel imports, assessment recomputes) run by the worker for a person.

    job_create(...)            a queued job, audited; its task is enqueued when the transaction commits; the same
                               `dedupe_key` asked again (a double-clicked confirm) returns the job already made
    job_run(...)               what a task calls: queued → running → done (summary) or failed (message)
    job_progress(job, …)       how far a running job is ("done of total"); current_job_progress(…) for the job
                               the calling code runs in (a no-op outside a job)
    job_progress_of(job)       that progress, for the job pages
    jobs_recover_interrupted() fail the running jobs whose worker is gone (`manage.py run_worker` calls it)
    job_task_lost(job_id=…)    fail a queued job whose task the worker took and lost
    job_actor(job)             the person who asked, as the services' Actor (their audit rows name them)
    jobs_visible_to(user)      the asker's own jobs, or every job for an office administrator
    job_visible_or_404(...)    one job, 404 for anyone else (missing and "not yours" look the same)
    job_for_key(user, …)       the job already made for a dedupe key, if `user` may follow it

The work itself stays in the domain services; a job only records who asked, for what, and how it ended.

A killed worker. A running job names its worker ("host:pid:process start") and the worker renews
`heartbeat_at` every HEARTBEAT_SECONDS. A worker on the same host knows for sure whether that process still
lives; for a worker on another host, a heartbeat older than STALE_AFTER means it is gone. Such a job is
failed with INTERRUPTED_MESSAGE (its page tells the person; core has no inbox of its own to reach them).
It is not run again by itself: the work is all or nothing, so nothing was written, and asking again is the
person's choice (a failed job frees its dedupe key, so the same confirm makes a new job).

Progress. The all-or-nothing work runs inside one transaction, so progress kept on the job row would be
invisible to everyone else until the end, and on SQLite a second connection could not write it at all (the
import holds the database's only write lock). Progress therefore goes to the "jobs" cache (settings.CACHES):
Redis when configured, otherwise files on this host, which the worker and the web processes both see. It is
advisory: lost or unreadable progress only hides the bar, never fails the work.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connections, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, registry
from core.actor import Actor
from core.errors import UserError
from core.models import Job, JobStatus

logger = logging.getLogger(__name__)

# What a job's work returns: the summary kept on the job (counts, "message", "url" of the result).
Work = Callable[[Actor, Job], dict[str, Any]]

HEARTBEAT_SECONDS = 30  # how often a running job's worker says it is still there
STALE_AFTER = timedelta(minutes=5)  # no heartbeat for this long (another host's worker): the worker is gone
PROGRESS_SECONDS = 0.5  # progress is written at most this often (and always when done == total)
PROGRESS_TTL = 24 * 3600
INTERRUPTED_MESSAGE = gettext_lazy("后台任务在运行中被中断（后台处理程序已停止），本次操作没有完成。请重新发起。")

# The job the calling code runs in (set by job_run), for current_job_progress.
_current_job: ContextVar[Job | None] = ContextVar("changai_current_job", default=None)
# Ids of the jobs this process is running now: a job that names this process but is not among them was
# abandoned (its end could not be written, e.g. the database went away) and is recovered like a killed one.
_running_here: set[int] = set()


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
    dedupe_key: str = "",
) -> Job:
    """A queued job for `by.user`, audited; `task.enqueue(job_id=…, **task_kwargs)` runs after the commit.

    `params` is kept on the job (shown to nobody but the page: `back_url` links back from a failure).
    With a `dedupe_key` (e.g. the upload's token), a job of the same kind and key that is queued, running
    or done is returned instead of making a second one (a unique index holds under races); a failed job
    frees its key, so asking again after a failure runs again. Put the person in the key if it matters.

    Raises UserError when there is no signed-in person to run it for.
    """
    if by.user is None:
        raise UserError(_("后台任务必须由登录用户发起。"))
    dedupe_key = dedupe_key[:200]
    if dedupe_key and (existing := _job_with_key(kind, dedupe_key)) is not None:
        return existing
    try:
        return _job_insert(
            kind=kind, by=by, obj=obj, object_type=object_type, object_id=object_id, object_repr=object_repr,
            params=params, task=task, task_kwargs=task_kwargs, dedupe_key=dedupe_key,
        )  # fmt: skip
    except IntegrityError:
        # Someone asked the same at the same moment and committed first: theirs is the job.
        existing = _job_with_key(kind, dedupe_key) if dedupe_key else None
        if existing is None:
            raise
        return existing


def _job_with_key(kind: str, dedupe_key: str) -> Job | None:
    return Job.objects.filter(kind=kind, dedupe_key=dedupe_key).first()


def _job_insert(*, kind, by, obj, object_type, object_id, object_repr, params, task, task_kwargs, dedupe_key) -> Job:
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
            dedupe_key=dedupe_key,
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

    While the work runs, the job names this worker process and a heartbeat thread renews `heartbeat_at`.
    A UserError or PermissionDenied from the work fails the job with its message; any other error fails it with a
    general message (and is logged and raised again, so the task queue records the traceback).
    """
    now = timezone.now()
    _running_here.add(job_id)  # before the claim, so recovery never sees it claimed here and not running
    try:
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, worker=worker_identity(), heartbeat_at=now
        )
        job = Job.objects.select_related("requested_by").get(pk=job_id)
        if not claimed:
            return job  # already run (or running) elsewhere: never twice
        return _job_work(job, work)
    finally:
        _running_here.discard(job_id)


def _job_work(job: Job, work: Work) -> Job:
    actor = job_actor(job)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    current = _current_job.set(job)
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
    finally:
        _current_job.reset(current)
        heartbeat.stop()
    return _finish(job, actor, JobStatus.DONE, result=summary or {})


@transaction.atomic
def _finish(job: Job, actor: Actor, status: str, *, result: dict[str, Any] | None = None, error: str = "") -> Job:
    # The real outcome is written even over an "interrupted" mark: the worker was only slow, not gone.
    job.status = status
    job.result = audit._jsonable(result or {})
    job.error = error
    job.finished_at = timezone.now()
    fields = ["status", "result", "error", "finished_at"]
    if status == JobStatus.FAILED and job.dedupe_key:
        job.dedupe_key = ""  # asking again after a failure makes a new job
        fields.append("dedupe_key")
    job.save(update_fields=fields)
    audit.record(
        actor,
        "core.job.finish",
        job,
        success=status == JobStatus.DONE,
        detail={"kind": job.kind, "status": status, "error": error},
    )
    _progress_forget(job.pk)
    return job


# --- The worker: who runs a job, and whether it still lives ------------------------------------------------


def worker_identity(pid: int | None = None) -> str:
    """This process as a job's worker: "host:pid:start" (the start tells a reused pid from the original)."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def _process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat from the state on (Linux); None where there is no such file."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()


def _process_start(pid: int) -> str:
    fields = _process_stat(pid)
    return fields[19] if fields and len(fields) > 19 else ""  # field 22 of proc(5): start time in ticks


def worker_alive(identity: str) -> bool | None:
    """Whether the worker named `identity` still runs; None when it cannot be told from here (another host)."""
    host, _sep, rest = identity.partition(":")
    pid_text, _sep, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, under another user
    fields = _process_stat(pid)
    if fields is None:
        return True  # no /proc to ask: the pid exists
    # A zombie (killed, not yet reaped) is gone; so is a pid that now belongs to another process.
    return fields[0] != "Z" and not (start and len(fields) > 19 and fields[19] != start)


class _Heartbeat:
    """Renews a running job's `heartbeat_at` from a thread of its own (its own database connection)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        beat = False
        while not self._stop.wait(HEARTBEAT_SECONDS):
            beat = True
            try:
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
            except DatabaseError:
                # E.g. SQLite while the work holds the write lock: the pid check covers this host's workers.
                logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
        if beat:
            connections.close_all()  # this thread's connections only


def jobs_recover_interrupted(*, now: datetime | None = None) -> list[Job]:
    """Fail every running job whose worker is gone (killed, or its host lost); return them.

    Gone means: on this host, its process no longer runs (or, for this process, it no longer runs the job);
    elsewhere, no heartbeat for STALE_AFTER.
    A job the worker finishes after all still gets its real outcome (see _finish).
    """
    now = now or timezone.now()
    interrupted = []
    here = worker_identity()
    for job in Job.objects.filter(status=JobStatus.RUNNING).select_related("requested_by"):
        if not _job_alive(job, here, now) and _fail_interrupted(job, now):
            interrupted.append(job)
    return interrupted


def _job_alive(job: Job, here: str, now: datetime) -> bool:
    if job.worker == here:
        return job.pk in _running_here
    alive = worker_alive(job.worker) if job.worker else None
    if alive is None:  # another host's worker (or a job from before workers were named): its heartbeat tells
        last = job.heartbeat_at or job.started_at
        alive = last is not None and last > now - STALE_AFTER
    return alive


def job_task_lost(*, job_id: int) -> Job | None:
    """Fail a job still queued whose task was lost (its worker died between taking the task and the job)."""
    job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None or not _fail_interrupted(job, timezone.now()):
        return None
    return job


def _fail_interrupted(job: Job, now: datetime) -> bool:
    error = str(INTERRUPTED_MESSAGE)
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status=job.status, worker=job.worker).update(
            status=JobStatus.FAILED, error=error, finished_at=now, dedupe_key=""
        )
        if not changed:
            return False  # it ended meanwhile
        job.refresh_from_db()
        audit.record(
            Actor.system("worker"),
            "core.job.finish",
            job,
            success=False,
            detail={"kind": job.kind, "status": JobStatus.FAILED, "error": error, "interrupted": True,
                    "worker": job.worker},
        )  # fmt: skip
    logger.warning("job %s (%s) interrupted: its worker %s is gone", job.pk, job.kind, job.worker)
    _progress_forget(job.pk)
    return True


# --- Progress ------------------------------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_progress(job: Job, *, done: int, total: int) -> None:
    """Record that `done` of `total` steps of a running job are done; others see it at once (see above)."""
    moment = time.monotonic()
    last = getattr(job, "_progress_written", None)
    if last is not None and done < total and moment - last < PROGRESS_SECONDS:
        return  # cheap enough to call once per row
    job._progress_written = moment  # type: ignore[attr-defined]
    try:
        caches["jobs"].set(_progress_key(job.pk), {"done": int(done), "total": int(total)}, PROGRESS_TTL)
    except Exception:  # advisory only: a full disk or a lost Redis must not fail the import
        logger.warning("job %s: progress not written", job.pk, exc_info=True)


def current_job_progress(*, done: int, total: int) -> None:
    """job_progress for the job the calling code runs in; nothing when it runs outside a job (a request)."""
    job = _current_job.get()
    if job is not None:
        job_progress(job, done=done, total=total)


def job_progress_of(job: Job) -> dict[str, int] | None:
    """A running job's last progress: {"done", "total", "percent"}; None when none was written."""
    if job.status != JobStatus.RUNNING:
        return None
    return jobs_progress([job]).get(job.pk)


def jobs_progress(jobs: Iterable[Job]) -> dict[int, dict[str, int]]:
    """The last progress of those of `jobs` that are running, by job id (one cache read)."""
    running = {_progress_key(j.pk): j.pk for j in jobs if j.status == JobStatus.RUNNING}
    if not running:
        return {}
    try:
        found = caches["jobs"].get_many(list(running))
    except Exception:
        logger.warning("job progress not readable", exc_info=True)
        return {}
    progress = {}
    for key, value in found.items():
        done, total = value.get("done", 0), value.get("total", 0)
        percent = min(100, int(done * 100 / total)) if total > 0 else 0
        progress[running[key]] = {"done": done, "total": total, "percent": percent}
    return progress


def _progress_forget(job_id: int) -> None:
    try:
        caches["jobs"].delete(_progress_key(job_id))
    except Exception:
        logger.warning("job %s: progress not removed", job_id, exc_info=True)


def jobs_visible_to(user) -> models.QuerySet[Job]:
    """The jobs `user` may follow: their own; every job for whoever may follow all (the office administrator)."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    jobs = Job.objects.select_related("requested_by")
    if registry.allows("jobs.view_all", user):
        return jobs
    return jobs.filter(requested_by=user)


def job_for_key(user, *, kind: str, dedupe_key: str) -> Job | None:
    """The job `user` may follow that was made for this kind and key (queued, running or done), if any."""
    if not dedupe_key:
        return None
    return jobs_visible_to(user).filter(kind=kind, dedupe_key=dedupe_key).first()


def job_visible_or_404(user, pk: int) -> Job:
    """One job `user` may follow; 404 otherwise (the same answer for missing and not theirs)."""
    job = jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
