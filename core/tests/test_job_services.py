"""core.jobs without the worker: one job per dedupe key, progress outside the transaction, recovering jobs
whose worker is gone."""

from __future__ import annotations

import socket
import subprocess
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.actor import Actor
from core.jobs import (
    INTERRUPTED_MESSAGE,
    job_create,
    job_progress,
    job_progress_of,
    job_run,
    jobs_recover_interrupted,
    worker_alive,
    worker_identity,
)
from core.models import AuditEntry, Job, JobStatus
from orgs.choices import Role


@pytest.fixture
def asker(tree):
    return Actor(user=tree.user(Role.REPORTER, tree.ent_a1), ip="10.0.0.9")


def make(asker: Actor, key: str = "", kind: str = "reporting.excel_import") -> Job:
    return job_create(kind=kind, by=asker, object_id="t1", object_repr="upload", dedupe_key=key)


# --- One job per key --------------------------------------------------------------------------------------


def test_the_same_key_asked_twice_gives_the_first_job(asker):
    first = make(asker, "token-1")
    second = make(asker, "token-1")
    assert second.pk == first.pk
    assert Job.objects.count() == 1
    assert AuditEntry.objects.filter(event="core.job.create").count() == 1  # the second ask records nothing

    assert make(asker, "token-2").pk != first.pk  # another upload
    assert make(asker, "token-1", kind="assessment.round_compute").pk != first.pk  # another kind
    assert make(asker).pk != make(asker).pk  # no key: every ask is a job
    assert Job.objects.count() == 5


@pytest.mark.parametrize("status", [JobStatus.RUNNING, JobStatus.DONE])
def test_a_running_or_done_job_keeps_its_key(asker, status):
    first = make(asker, "token-1")
    Job.objects.filter(pk=first.pk).update(status=status)
    assert make(asker, "token-1").pk == first.pk


def test_a_failed_job_frees_its_key(asker):
    def refused(actor, job):
        raise jobs.UserError("该上传已失效")

    first = make(asker, "token-1")
    failed = job_run(job_id=first.pk, work=refused)
    assert failed.status == JobStatus.FAILED and failed.dedupe_key == ""
    again = make(asker, "token-1")
    assert again.pk != first.pk and again.status == JobStatus.QUEUED


def test_a_simultaneous_ask_finds_the_job_the_index_kept(asker, monkeypatch):
    # Both asks looked before either wrote: the unique index refuses the second insert.
    first = make(asker, "token-1")
    with pytest.raises(jobs.IntegrityError), transaction.atomic():
        Job.objects.create(kind=first.kind, requested_by=asker.user, dedupe_key="token-1", created_at=timezone.now())

    looked = []
    original = jobs._job_with_key

    def late(kind, key):  # the first look misses the other request's row; the look after the refusal finds it
        looked.append(key)
        return None if len(looked) == 1 else original(kind, key)

    monkeypatch.setattr(jobs, "_job_with_key", late)
    assert make(asker, "token-1").pk == first.pk
    assert looked == ["token-1", "token-1"]
    assert Job.objects.count() == 1


# --- Progress ---------------------------------------------------------------------------------------------


class Rollback(Exception):
    pass


def running(asker) -> Job:
    job = make(asker)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    return job


def test_progress_written_in_a_transaction_is_not_part_of_it(asker):
    job = running(asker)
    with pytest.raises(Rollback), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(params={"written": True})
        job_progress(job, done=3, total=10)
        assert job_progress_of(job) == {"done": 3, "total": 10, "percent": 30}
        raise Rollback
    job.refresh_from_db()
    assert job.params == {}  # the transaction's own write is gone
    assert job_progress_of(job) == {"done": 3, "total": 10, "percent": 30}  # the progress is not


def test_progress_is_written_sparingly_but_always_at_the_end(asker):
    job = running(asker)
    job_progress(job, done=1, total=100)
    job_progress(job, done=2, total=100)  # within PROGRESS_SECONDS: skipped
    assert job_progress_of(job)["done"] == 1
    job_progress(job, done=100, total=100)
    assert job_progress_of(job) == {"done": 100, "total": 100, "percent": 100}


def test_progress_is_shown_only_while_running_and_forgotten_at_the_end(asker):
    job = make(asker)
    assert job_progress_of(job) is None  # queued

    seen = {}

    def work(actor, job):
        job_progress(job, done=1, total=2)
        seen["during"] = job_progress_of(Job.objects.get(pk=job.pk))
        return {"message": "ok"}

    done = job_run(job_id=job.pk, work=work)
    assert seen["during"] == {"done": 1, "total": 2, "percent": 50}
    assert done.status == JobStatus.DONE and job_progress_of(done) is None
    assert jobs.caches["jobs"].get(jobs._progress_key(job.pk)) is None


def test_a_broken_progress_store_never_fails_the_work(asker, monkeypatch):
    class Broken:
        def set(self, *args, **kwargs):
            raise OSError("disk full")

        get_many = delete = set

    monkeypatch.setattr(jobs, "caches", {"jobs": Broken()})
    job = running(asker)
    job_progress(job, done=1, total=2)  # logged, not raised
    assert job_progress_of(job) is None


# --- Jobs whose worker is gone ----------------------------------------------------------------------------


def dead_worker() -> str:
    process = subprocess.Popen(["sleep", "30"])  # noqa: S603, S607 - a process to outlive
    identity = worker_identity(process.pid)
    process.kill()
    process.wait()
    return identity


def running_on(asker, worker: str, *, started_ago=timedelta(seconds=10), heartbeat_ago=timedelta(seconds=10)):
    job = make(asker, f"key-{worker}-{started_ago}-{heartbeat_ago}")
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker=worker, started_at=now - started_ago,
        heartbeat_at=now - heartbeat_ago if heartbeat_ago is not None else None,
    )  # fmt: skip
    return job


def test_worker_alive_tells_this_hosts_processes():
    assert worker_alive(worker_identity()) is True
    assert worker_alive(dead_worker()) is False
    host = socket.gethostname()
    reused = worker_identity().rsplit(":", 1)[0] + ":1"  # this pid, another process start
    assert worker_alive(reused) is False
    assert worker_alive(f"another-{host}:1:1") is None  # another host: cannot tell from here


def test_recovery_fails_the_jobs_whose_worker_is_gone_and_tells_the_person(client, asker):
    other_host = "worker-2.example"
    gone = {
        "killed": running_on(asker, dead_worker()),
        "this process, no longer running it": running_on(asker, worker_identity()),
        "other host, silent": running_on(asker, f"{other_host}:7:1", heartbeat_ago=timedelta(minutes=6)),
        "from before workers were named": running_on(asker, "", started_ago=timedelta(hours=1), heartbeat_ago=None),
    }
    alive = {
        "other host, beating": running_on(asker, f"{other_host}:8:1", heartbeat_ago=timedelta(minutes=1)),
        "a live process here": running_on(asker, worker_identity(1)),  # init never dies
        "recently started, unnamed": running_on(asker, "", heartbeat_ago=None),
    }
    queued = make(asker, "queued")

    recovered = jobs_recover_interrupted()

    assert sorted(j.pk for j in recovered) == sorted(j.pk for j in gone.values())
    for what, job in gone.items():
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED, what
        assert job.error == str(INTERRUPTED_MESSAGE) and job.finished_at is not None
        assert job.dedupe_key == ""
    for what, job in alive.items():
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING, what
    queued.refresh_from_db()
    assert queued.status == JobStatus.QUEUED
    audited = AuditEntry.objects.filter(event="core.job.finish")
    assert audited.count() == 4
    assert all(not e.success and e.detail["interrupted"] and e.username == "system:worker" for e in audited)

    # The person learns it on the job's page.
    client.force_login(asker.user)
    html = client.get(f"/jobs/{gone['killed'].pk}/").content.decode()
    assert "后台任务在运行中被中断（后台处理程序已停止），本次操作没有完成。请重新发起。" in html
    assert "hx-trigger" not in html  # no longer refreshing

    assert jobs_recover_interrupted() == []  # nothing twice


def test_a_job_this_process_runs_is_not_recovered(asker):
    job = make(asker)
    seen = {}

    def work(actor, running_job):
        seen["recovered"] = jobs_recover_interrupted()
        return {"message": "ok"}

    finished = job_run(job_id=job.pk, work=work)
    assert seen["recovered"] == []
    assert finished.status == JobStatus.DONE and finished.worker == worker_identity()


def test_the_real_end_wins_over_an_interrupted_mark(asker):
    # A worker only slow to beat (another host): marked interrupted, then it finishes after all.
    job = make(asker, "token-1")

    def work(actor, running_job):
        Job.objects.filter(pk=running_job.pk).update(worker="worker-2:1:1", heartbeat_at=None,
                                                     started_at=timezone.now() - timedelta(hours=1))  # fmt: skip
        assert [j.pk for j in jobs_recover_interrupted()] == [running_job.pk]
        return {"message": "ok"}

    finished = job_run(job_id=job.pk, work=work)
    finished.refresh_from_db()
    assert finished.status == JobStatus.DONE and finished.error == ""
