"""The background worker: django-tasks-db's `db_worker`, made to outlast what stops it today.

    manage.py run_worker --interval 1     (db_worker's options, except that it never reloads on code changes)

Before it takes a task, and every RECOVER_SECONDS while it runs, it fails the jobs whose worker is gone
(core.jobs.jobs_recover_interrupted: killed, or its host lost) and the task rows such workers left
"running". A database error that would end db_worker (the server restarting, the network gone, SQLite's
"database is locked" beyond its timeout) is logged instead, and the worker starts its loop again after a
pause that doubles from FIRST_PAUSE to MAX_PAUSE seconds; a loop that then ran a while starts over at the
first pause. SIGTERM and Ctrl+C stop it as they stop db_worker.

Every CHECK_SECONDS a thread of its own runs the periodic work the apps declared (core/periodic.py, e.g. the
reform ledger's daily alert refresh) when it is due; a period is claimed in the shared cache first, so
of several workers only one runs it.

Run it as a service (systemd `Restart=always`): a worker that is killed anyway is restarted, and its
interrupted job is failed at that start, with a message that tells the person to ask again.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core import periodic
from core.jobs import job_task_lost, jobs_recover_interrupted, worker_alive, worker_identity

logger = logging.getLogger(__name__)

RECOVER_SECONDS = 60
FIRST_PAUSE = 1.0
MAX_PAUSE = 60.0


class WorkerGone(Exception):  # noqa: N818 - the name is what the task row shows
    """Recorded on a task row whose worker stopped while running it."""


class ResilientWorker(db_worker.Worker):
    """db_worker's loop, restarted after a database error instead of ending the process."""

    first_pause = FIRST_PAUSE
    max_pause = MAX_PAUSE

    def run(self) -> None:
        if not self.batch:
            threading.Thread(target=self._recover_periodically, name="job-recovery", daemon=True).start()
            threading.Thread(target=self._run_periodic_work, name="periodic-work", daemon=True).start()
        pause = self.first_pause
        while True:
            started = time.monotonic()
            try:
                self.recover()
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - started > self.max_pause:
                    pause = self.first_pause  # it worked a while: a new outage starts from the first pause
                logger.warning("database error in the worker (%s); trying again in %.0f s", error, pause)
                connections.close_all()
                self.pause(pause)
                pause = min(pause * 2, self.max_pause)

    def pause(self, seconds: float) -> None:
        time.sleep(seconds)

    def recover(self) -> None:
        """Fail the jobs and the task rows whose worker is gone (this loop runs no task at this moment)."""
        jobs_recover_interrupted()  # logs each job it fails
        here = self.worker_id
        for task_result in DBTaskResult.objects.running().filter(backend_name=self.backend_name):
            worker = (task_result.worker_ids or [""])[-1]
            if worker == here or worker_alive(worker) is False:
                task_result.set_failed(WorkerGone(f"worker {worker} stopped while running this task"))
                logger.warning("task %s failed: its worker %s is gone", task_result.id, worker)
                job_id = (task_result.args_kwargs or {}).get("kwargs", {}).get("job_id")
                if isinstance(job_id, int):  # its job, if the worker died before taking that too
                    job_task_lost(job_id=job_id)

    def _recover_periodically(self) -> None:
        while self.running:
            time.sleep(RECOVER_SECONDS)
            try:
                jobs_recover_interrupted(now=timezone.now())
            except DatabaseError:
                logger.warning("job recovery failed; trying again in %d s", RECOVER_SECONDS, exc_info=True)
            finally:
                connections.close_all()  # this thread's connections only

    def _run_periodic_work(self) -> None:
        while self.running:
            try:
                periodic.run_due(holder=self.worker_id)
            except Exception:  # the cache or the database gone: try again at the next check
                logger.warning("periodic work not checked; trying again in %d s", periodic.CHECK_SECONDS, exc_info=True)
            finally:
                connections.close_all()  # this thread's connections only
            time.sleep(periodic.CHECK_SECONDS)


class Command(db_worker.Command):
    help = "Run the background worker (db_worker that fails interrupted jobs and survives database errors)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # Task rows then name this process the way jobs do, so a later worker can tell it is gone.
        parser.set_defaults(worker_id=worker_identity()[:64])

    def handle(self, *args, **options) -> None:
        self.configure_logging(options["verbosity"])
        if options["reload"]:
            logger.warning("run_worker does not reload on code changes; restart it instead.")
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
