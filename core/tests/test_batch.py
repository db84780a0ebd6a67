"""One set write (core/batch.py, core.audit.batched): the audit rows of an import chained in memory and inserted
together still form one verifiable chain with the rows around them; a refused import leaves none of them; what
the block shares is read once inside it and fresh outside."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core import audit
from core.batch import at_end, shared, write_batch
from core.models import AuditEntry
from orgs.tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


def test_rows_of_a_batch_are_chained_in_order_between_the_rows_around_them():
    audit.record(SYSTEM, "test.event", detail={"n": "before"})
    with transaction.atomic(), write_batch():
        for n in range(5):
            audit.record(SYSTEM, "test.event", detail={"n": n})
        assert AuditEntry.objects.count() == 1  # queued until the block ends
    audit.record(SYSTEM, "test.event", detail={"n": "after"})

    rows = list(AuditEntry.objects.order_by("id"))
    assert [r.detail["n"] for r in rows] == ["before", 0, 1, 2, 3, 4, "after"]
    assert all(row.prev_hash == previous.entry_hash for previous, row in zip(rows, rows[1:], strict=False))
    assert audit.verify(anchor=None).intact


def test_a_batch_writes_its_rows_with_one_read_of_the_chain_head():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, write_batch():
        for n in range(50):
            audit.record(SYSTEM, "test.event", detail={"n": n})
    touching = [q["sql"] for q in queries.captured_queries if "core_auditentry" in q["sql"]]
    assert len([sql for sql in touching if "advisory" not in sql]) == 2  # the head, one insert (and PG's lock)
    assert AuditEntry.objects.count() == 50 and audit.verify(anchor=None).intact


def test_a_refused_batch_leaves_no_row():
    with pytest.raises(ValueError, match="refused"), transaction.atomic(), write_batch():
        audit.record(SYSTEM, "test.event", detail={"n": 1})
        raise ValueError("refused")
    assert not AuditEntry.objects.exists()
    audit.record(SYSTEM, "test.event", detail={"n": 2})  # the next row still chains from an empty log
    assert audit.verify(anchor=None).intact


@pytest.mark.django_db(transaction=True)  # outside any transaction, as a service's caller is
def test_a_batch_must_run_inside_the_transaction_of_its_write():
    with pytest.raises(RuntimeError, match="inside the transaction"), audit.batched():
        pass


def test_a_block_inside_another_joins_it():
    with transaction.atomic(), write_batch():
        audit.record(SYSTEM, "test.event", detail={"n": 1})
        with write_batch():
            audit.record(SYSTEM, "test.event", detail={"n": 2})
        assert not AuditEntry.objects.exists()  # the inner block did not write: the outer one does
    assert AuditEntry.objects.count() == 2


def test_what_a_batch_shares_is_made_once_inside_and_afresh_outside():
    made = []

    def make():
        made.append(1)
        return len(made)

    with transaction.atomic(), write_batch():
        assert shared("k", make) == shared("k", make) == 1
    assert shared("k", make) == 2 and shared("k", make) == 3


def test_what_is_gathered_for_the_end_is_written_once_when_the_block_ends_well():
    class Gathered:
        flushed = 0

        def __init__(self):
            self.items = []

        def flush(self):
            Gathered.flushed += 1
            audit.record(SYSTEM, "test.event", detail={"items": self.items})  # still inside the block's batch

    assert at_end("k", Gathered) is None  # outside a block: the caller writes at once
    with transaction.atomic(), write_batch():
        at_end("k", Gathered).items.append(1)
        at_end("k", Gathered).items.append(2)
        assert Gathered.flushed == 0
    assert Gathered.flushed == 1
    assert AuditEntry.objects.get().detail == {"items": [1, 2]}

    with pytest.raises(ValueError, match="refused"), transaction.atomic(), write_batch():
        at_end("k", Gathered).items.append(3)
        raise ValueError("refused")
    assert Gathered.flushed == 1
