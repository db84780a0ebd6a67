"""core/db.py: retrying a transaction the database aborted, and the lock order that avoids the abort.

The two-connection tests reproduce issue 10, item 7: on PostgreSQL, locking a report with
`select_for_update()` and `select_related` also locked the data-set row every report of a round
shares; with the audit chain's advisory lock, two writers formed a cycle and the database aborted
one of them (500 for the reporter).
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.db import OperationalError, connection, connections, transaction

from core import audit
from core.db import is_retryable, lock_row, retrying
from core.models import AuditEntry
from orgs.tests.factories import SYSTEM
from reporting.models import DataSet, Report
from reporting.services import filling as report_services
from reporting.tests.factories import open_report

ON_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and deadlock detection exist on PostgreSQL only (SQLite runs one writer at a time); "
    "CI runs the suite on PostgreSQL too",
)


class _DriverError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _aborted(sqlstate: str) -> OperationalError:
    """An OperationalError as Django raises it for a driver error with `sqlstate`."""
    try:
        try:
            raise _DriverError(sqlstate)
        except _DriverError as cause:
            raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


@pytest.mark.parametrize(
    ("sqlstate", "retried"),
    [("40P01", True), ("40001", True), ("57014", False), ("08006", False)],
)
def test_only_deadlocks_and_serialization_failures_are_retried(sqlstate, retried):
    calls = []

    @retrying(attempts=3, pause=0)
    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise _aborted(sqlstate)
        return "done"

    if retried:
        assert flaky() == "done"
        assert len(calls) == 2
    else:
        with pytest.raises(OperationalError):
            flaky()
        assert len(calls) == 1


def test_retries_are_bounded():
    calls = []

    @retrying(attempts=3, pause=0)
    def always_aborted():
        calls.append(1)
        raise _aborted("40P01")

    with pytest.raises(OperationalError) as caught:
        always_aborted()
    assert len(calls) == 3
    assert is_retryable(caught.value)


@pytest.mark.django_db
def test_inside_an_outer_transaction_nothing_is_retried():
    # The outer transaction is aborted as a whole: retrying only the inner part would be wrong.
    calls = []

    @retrying(attempts=3, pause=0)
    def inner():
        calls.append(1)
        raise _aborted("40P01")

    with pytest.raises(OperationalError), transaction.atomic():
        inner()
    assert len(calls) == 1


def test_the_driver_error_is_recognised():
    error = _aborted("40P01")
    assert is_retryable(error)
    assert not is_retryable(ValueError("40P01"))
    assert not is_retryable(OperationalError("no cause"))


# --- Two real connections (PostgreSQL) -------------------------------------------------------------------------


def _old_lock(report: Report) -> Report:
    """The report lock as it was before issue 10: every joined row locked with it."""
    return (
        Report.objects.select_for_update()
        .select_related("dataset", "dataset_version", "period", "org")
        .get(pk=report.pk)
    )


def _two_writers(lock, first: Report, second: Report, *, wrap=lambda f: f) -> dict[str, BaseException]:
    """Two transactions on two connections, in the order a deadline rush produced:

    A locks its report, then appends to the audit log; B appends to the audit log first (an
    import opening a report), then locks its own report. A barrier makes them overlap every time.
    """
    barrier = threading.Barrier(2, timeout=20)
    errors: dict[str, BaseException] = {}
    first_attempt = {"a": True, "b": True}

    def meet(name: str) -> None:
        if first_attempt[name]:  # a retried transaction runs alone: nobody waits at the barrier
            first_attempt[name] = False
            barrier.wait()

    @wrap
    def writer_a() -> None:
        with transaction.atomic():
            report = lock(first)
            meet("a")
            audit.record(SYSTEM, "test.deadlock.a", report)

    @wrap
    def writer_b() -> None:
        with transaction.atomic():
            audit.record(SYSTEM, "test.deadlock.b", second)
            meet("b")
            lock(second)

    def run(name: str, body) -> None:
        try:
            body()
        except BaseException as error:  # noqa: BLE001 - collected for the assertions
            errors[name] = error
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=("a", writer_a)), threading.Thread(target=run, args=("b", writer_b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a writer is still waiting"
    return errors


@pytest.fixture
def two_reports(tree, wf):
    wf_y, _wf_q = wf
    return open_report(tree, wf_y, "2021", tree.ent_a1), open_report(tree, wf_y, "2021", tree.ent_a2)


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_the_old_report_lock_deadlocks_with_the_audit_chain(two_reports):
    errors = _two_writers(_old_lock, *two_reports)

    assert len(errors) == 1, errors  # the database broke the cycle by aborting one of the two
    (error,) = errors.values()
    assert isinstance(error, OperationalError)
    assert isinstance(error.__cause__, psycopg.errors.DeadlockDetected)
    assert is_retryable(error)


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_the_report_lock_takes_only_the_report_row_and_both_writers_finish(two_reports):
    errors = _two_writers(report_services._lock, *two_reports)

    assert errors == {}
    events = AuditEntry.objects.filter(event__startswith="test.deadlock").values_list("event", flat=True)
    assert sorted(events) == ["test.deadlock.a", "test.deadlock.b"]


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_deadlock_that_still_happens_is_retried_to_completion(two_reports):
    # Even on the old lock, the retry turns the aborted writer into a late one instead of an error.
    errors = _two_writers(_old_lock, *two_reports, wrap=retrying(attempts=3, pause=0.01))

    assert errors == {}
    assert AuditEntry.objects.filter(event__startswith="test.deadlock").count() == 2


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_lock_row_locks_no_joined_row(two_reports):
    first, _second = two_reports
    with transaction.atomic():
        _old_lock(first)
        assert DataSet._meta.db_table in _locked_tables()  # what the old lock did
    with transaction.atomic():
        lock_row(Report.objects.select_related("dataset", "period", "org"), pk=first.pk)
        assert _locked_tables() == {Report._meta.db_table}


def _locked_tables() -> set[str]:
    """Tables with rows this transaction holds row locks on (pg_locks lists the tuple-lock relations)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = pg_backend_pid() AND l.mode = 'RowShareLock' AND c.relkind = 'r'"
        )
        return {row[0] for row in cursor.fetchall()}


# --- insert_rows: a set of new rows in one statement ------------------------------------------------------------


@pytest.mark.django_db
def test_insert_rows_writes_every_row_as_the_orm_reads_it_back():
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.db import insert_rows

    now = timezone.now()
    fields = ["at", "event", "ip", "username", "detail", "role", "org_code", "request_id", "object_type"]
    fields += ["object_id", "object_repr", "prev_hash", "entry_hash"]
    blank = ("",) * 7
    rows = [
        (now, f"test.row.{n}", None, "张三", {"n": n, "名称": "云南", "list": [1, "二"], "none": None}, *blank, f"h{n}")
        for n in range(1200)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(AuditEntry, fields, iter(rows))

    assert len(queries.captured_queries) <= 1  # one COPY or one executemany, whatever the number of rows
    stored = list(AuditEntry.objects.filter(event__startswith="test.row.").order_by("id"))
    assert [(e.event, e.ip, e.username, e.detail) for e in stored] == [r[1:5] for r in rows]
    assert stored[0].at == now
    assert all(e.success for e in stored)  # not given: the model's default


@pytest.mark.django_db
def test_update_rows_sets_each_rows_fields_by_key_as_the_orm_would_store_them():
    import datetime as dt

    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.db import update_rows
    from core.models import Job
    from orgs.tests.factories import make_user

    user = make_user("updater")
    created = timezone.now() - dt.timedelta(days=1)
    jobs = [Job.objects.create(kind="test", requested_by=user, created_at=created) for _ in range(30)]
    later = timezone.now()
    rows = [(job.pk, f"错误 {n}", {"n": n, "名称": "云南"}, later) for n, job in enumerate(jobs[:20])]
    with CaptureQueriesContext(connection) as queries:
        update_rows(Job, ["error", "result", "finished_at"], iter(rows))

    assert len(queries.captured_queries) <= 1  # one executemany, whatever the number of rows
    stored = {job.pk: job for job in Job.objects.all()}
    assert [(stored[pk].error, stored[pk].result, stored[pk].finished_at) for pk, *_ in rows] == [r[1:] for r in rows]
    assert all(stored[job.pk].error == "" and stored[job.pk].finished_at is None for job in jobs[20:])  # not named
    # Stored as the ORM stores a time (SQLite: naive UTC text), so the ORM's comparisons still find them.
    assert Job.objects.filter(finished_at=later).count() == 20
    assert Job.objects.filter(finished_at__gt=created, finished_at__lte=later).count() == 20


@pytest.mark.django_db
def test_insert_rows_fills_constant_and_callable_defaults_for_every_row():
    from django.utils import timezone

    from core.db import insert_rows
    from core.models import Job, JobStatus
    from orgs.tests.factories import make_user

    user = make_user("inserter")
    now = timezone.now()
    blank = ["request_id", "object_type", "object_id", "object_repr", "error", "worker"]  # no default: given
    fields = ["kind", "requested_by", "created_at", *blank]
    insert_rows(Job, fields, [("test.insert", user.pk, now, *[""] * len(blank)) for _ in range(3)])
    jobs = list(Job.objects.filter(kind="test.insert"))
    assert len(jobs) == 3
    assert {(j.status, j.dedupe_key, j.created_at) for j in jobs} == {(JobStatus.QUEUED, "", now)}  # constants
    assert all(j.params == {} and j.result == {} for j in jobs)  # callable defaults (dict), made per row
