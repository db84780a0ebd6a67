"""The worker command (`manage.py run_worker`): it fails jobs whose worker was killed and outlasts database errors.

The killed-worker test runs real worker processes on a file-based SQLite database of its own (the suite's
in-memory database is invisible to other processes): one is killed with SIGKILL in the middle of a job, the
next one starts and must end the job as failed with a message, never leave it "running". Another starts
while its database file cannot be opened and must wait for it instead of exiting. Database errors of other
kinds (a PostgreSQL restart, "database is locked") are simulated in-process.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.management import call_command
from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from core import jobs
from core.actor import Actor
from core.jobs import INTERRUPTED_MESSAGE, job_create, job_run, worker_identity
from core.management.commands import run_worker
from core.models import Job, JobStatus
from core.tests.worker_tasks import sleeping_job_task

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


# --- Database errors: wait and try again ------------------------------------------------------------------


@pytest.fixture
def pauses(monkeypatch):
    taken: list[float] = []
    monkeypatch.setattr(run_worker.ResilientWorker, "pause", lambda self, seconds: taken.append(seconds))
    return taken


@pytest.fixture
def queued_job(tree):
    from orgs.choices import Role

    user = tree.user(Role.REPORTER, tree.ent_a1)
    return job_create(kind="core.test_sleep", by=Actor(user=user), task=sleeping_job_task, task_kwargs={"seconds": 0})


def failing_first(monkeypatch, owner, name, message, times):
    """Make `owner.name` raise OperationalError(message) on its first `times` calls, then behave."""
    original = getattr(owner, name)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError(message)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def run(command: str) -> None:
    call_command(command, "--batch", "--no-startup-delay", "--interval", "0", "--worker-id", "test-worker")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("owner", "name", "message"),
    [
        # PostgreSQL restarting: the query that looks for a task fails.
        (DBTaskResultQuerySet, "get_locked", "server closed the connection unexpectedly"),
        # SQLite busy beyond its timeout outside the claim db_worker guards itself.
        (db_worker, "close_old_connections", "database is locked"),
    ],
)
def test_worker_waits_and_retries_after_a_database_error(monkeypatch, pauses, queued_job, owner, name, message):
    # Plain db_worker ends on this error (what made the worker exit before): the run_worker wrapper is needed.
    failing_first(monkeypatch, owner, name, message, times=1)
    with pytest.raises(OperationalError, match=message):
        run("db_worker")
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.QUEUED

    calls = failing_first(monkeypatch, owner, name, message, times=3)
    run("run_worker")

    assert calls["n"] > 3
    assert pauses == [1.0, 2.0, 4.0]  # logged, waited, tried again: doubling pauses
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.DONE and queued_job.result["message"] == "slept"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_worker_pauses_are_bounded(monkeypatch, pauses, queued_job):
    failing_first(monkeypatch, DBTaskResultQuerySet, "get_locked", "could not connect to server", times=9)
    run("run_worker")
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.DONE


# --- A killed worker ------------------------------------------------------------------------------------


CREATE_JOB = """
from django.db import transaction
from accounts.models import User
from core.actor import Actor
from core.jobs import job_create
from core.tests.worker_tasks import sleeping_job_task
user = User.objects.create_user(username="asker", password="Long-enough-1")
with transaction.atomic():
    job = job_create(kind="core.test_sleep", by=Actor(user=user), task=sleeping_job_task,
                     task_kwargs={"seconds": SECONDS}, dedupe_key="the-upload")
print(job.pk)
"""


def worker_env(directory: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CHANGAI_SQLITE_PATH": str(directory / "db" / "worker.sqlite3"),
        "CHANGAI_JOB_PROGRESS_DIR": str(directory / "progress"),
        "CHANGAI_HTTPS": "0",
        "CHANGAI_DEMO_MODE": "1",
        "DATABASE_URL": "",
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """A migrated SQLite file, made once: each test copies it."""
    directory = tmp_path_factory.mktemp("migrated")
    (directory / "db").mkdir()
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, MANAGE, "migrate", "--noinput"], env=worker_env(directory), check=True, capture_output=True
    )
    return directory / "db" / "worker.sqlite3"


@pytest.fixture
def own_database(tmp_path, migrated_database):
    """Environment for manage.py processes on a migrated SQLite file of their own."""
    (tmp_path / "db").mkdir()
    with sqlite3.connect(migrated_database) as source, sqlite3.connect(tmp_path / "db" / "worker.sqlite3") as copy:
        source.backup(copy)  # consistent even in WAL mode
    return worker_env(tmp_path)


def create_job(env, seconds: float) -> int:
    created = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, MANAGE, "shell", "-c", CREATE_JOB.replace("SECONDS", str(seconds))],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(created.stdout.strip().splitlines()[-1])


def job_row(env, job_id: int) -> dict:
    with sqlite3.connect(env["CHANGAI_SQLITE_PATH"], timeout=30) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM core_job WHERE id = ?", (job_id,)).fetchone()
    return dict(row)


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def start_worker(env, *extra: str, log=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, MANAGE, "run_worker", "--no-startup-delay", "--interval", "0.2", *extra],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_killed_workers_job_is_failed_by_the_next_worker(own_database):
    env = own_database
    job_id = create_job(env, 300)

    worker = start_worker(env)
    try:
        wait_for(lambda: job_row(env, job_id)["status"] == "running", 60, "the worker to start the job")
        # While the work's transaction is open, its progress is already readable from another process.
        progress = FileBasedCache(env["CHANGAI_JOB_PROGRESS_DIR"], {})
        wait_for(lambda: progress.get(f"job-progress:{job_id}") is not None, 30, "progress")
        assert progress.get(f"job-progress:{job_id}") == {"done": 1, "total": 4}
        assert job_row(env, job_id)["params"] != json.dumps({"written": "inside the transaction"})
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    running = job_row(env, job_id)
    assert running["status"] == "running"  # what stayed "进行中" forever before
    assert running["worker"].split(":")[1] == str(worker.pid) and running["heartbeat_at"]

    # A new worker (here in batch mode, so it ends once the queue is empty) recovers at its start.
    restarted = start_worker(env, "--batch")
    output = restarted.communicate(timeout=120)[0].decode()
    assert restarted.returncode == 0, output

    ended = job_row(env, job_id)
    assert ended["status"] == "failed", output
    assert ended["error"] == str(INTERRUPTED_MESSAGE)
    assert ended["error"] == "后台任务在运行中被中断（后台处理程序已停止），本次操作没有完成。请重新发起。"
    assert ended["finished_at"] and ended["dedupe_key"] == ""  # confirming again makes a new job
    assert json.loads(ended["params"]) == {}  # the killed work's write was rolled back
    with sqlite3.connect(env["CHANGAI_SQLITE_PATH"]) as db:
        tasks = db.execute("SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult").fetchall()
        audits = db.execute(
            "SELECT username, success, detail FROM core_auditentry WHERE event = 'core.job.finish'"
        ).fetchall()
    assert tasks == [("FAILED", "core.management.commands.run_worker.WorkerGone")]
    assert len(audits) == 1 and audits[0][:2] == ("system:worker", 0)
    assert json.loads(audits[0][2])["interrupted"] is True
    assert "is gone" in output


# --- Recovery while the worker runs, and the heartbeat -----------------------------------------------------


def make_worker(*, batch: bool) -> run_worker.ResilientWorker:
    return run_worker.ResilientWorker(
        queue_names=["default"], interval=0, batch=batch, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip


def dead_worker_identity() -> str:
    process = subprocess.Popen(["sleep", "30"])  # noqa: S603, S607 - a process to outlive
    identity = worker_identity(process.pid)
    process.kill()
    process.wait()
    return identity


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_recovers_other_workers_jobs_every_so_often(monkeypatch, queued_job):
    Job.objects.filter(pk=queued_job.pk).update(status=JobStatus.RUNNING, worker=dead_worker_identity())
    worker = make_worker(batch=False)
    rounds = []
    original = run_worker.jobs_recover_interrupted

    def one_round(**kwargs):
        rounds.append(kwargs)
        worker.running = False  # stop the loop after this round
        return original(**kwargs)

    monkeypatch.setattr(run_worker, "RECOVER_SECONDS", 0)
    monkeypatch.setattr(run_worker, "jobs_recover_interrupted", one_round)
    worker._recover_periodically()

    assert len(rounds) == 1
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.FAILED and queued_job.error == str(INTERRUPTED_MESSAGE)


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats(monkeypatch, queued_job):
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    beats = []

    def work(actor, job):
        for _ in range(30):
            time.sleep(0.05)
            beats.append(Job.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk))
        return {"message": "ok"}

    done = job_run(job_id=queued_job.pk, work=work)
    assert done.status == JobStatus.DONE
    assert len(set(beats)) > 3  # renewed while the work ran
    assert done.started_at <= beats[0] < beats[-1]


def test_a_worker_started_while_the_database_is_unreachable_waits_for_it(own_database, tmp_path):
    env = own_database
    job_id = create_job(env, 0)
    database = tmp_path / "db"
    database.rename(tmp_path / "db-away")  # the database goes away: SQLite cannot even open it
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = start_worker(env, log=log)
        try:
            wait_for(lambda: log_path.read_text().count("database error in the worker") >= 2, 60, "retries")
            assert worker.poll() is None  # plain db_worker would have ended here
            (tmp_path / "db-away").rename(database)  # back

            wait_for(lambda: job_row(env, job_id)["status"] == "done", 60, "the job after the database came back")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
    log_text = log_path.read_text()
    assert "unable to open database file" in log_text and "trying again in 1 s" in log_text
    assert "trying again in 2 s" in log_text
    assert json.loads(job_row(env, job_id)["result"]) == {"message": "slept"}


@pytest.mark.django_db(transaction=True)
def test_a_task_its_worker_took_and_lost_fails_with_its_queued_job(queued_job):
    # Killed after taking the task but before taking the job: the job would wait forever.
    task_row = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=task_row.pk).update(status="RUNNING", worker_ids=[dead_worker_identity()])
    busy = job_create(kind="core.test_sleep", by=Actor(user=queued_job.requested_by), task=sleeping_job_task,
                      task_kwargs={"seconds": 0})  # fmt: skip
    DBTaskResult.objects.exclude(pk=task_row.pk).update(status="RUNNING", worker_ids=[worker_identity(1)])

    make_worker(batch=True).recover()

    task_row.refresh_from_db()
    assert task_row.status == "FAILED"
    assert task_row.exception_class_path == "core.management.commands.run_worker.WorkerGone"
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.FAILED and queued_job.error == str(INTERRUPTED_MESSAGE)
    # A task whose worker still runs (pid 1 never dies) is left to it, and so is its job.
    assert DBTaskResult.objects.exclude(pk=task_row.pk).get().status == "RUNNING"
    busy.refresh_from_db()
    assert busy.status == JobStatus.QUEUED
