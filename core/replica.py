"""Read-only analytics from a replica of the database, when one is configured (docs/deploy.md, "Read replica").

    CHANGAI_REPLICA_URL=postgres://…   DATABASES["replica"]: a PostgreSQL hot standby of the primary
    replica_reads()                    a block whose reads go to the replica (analytics pages and API)
    reads_from_replica(view)           the same around a view function or a DRF action
    read_alias()                       where a read made now goes: "replica" or "default"
    ReplicaRouter                      settings.DATABASE_ROUTERS

Only what is asked for goes to the replica: the analytics pages and API answer from it inside
`replica_reads()`; everything else (sign-in, sessions, forms, workflow steps, jobs, assessment scores) reads
the primary, so what a person just wrote is what he reads. Writes always go to the primary, even of a row
that was read from the replica. A read inside a transaction on the primary stays on the primary: a block
that writes reads what it wrote, and a decision taken in a transaction is never taken on data that lags.

A replica lags behind the primary (usually by less than a second; more under a burst of writes). The
answers an analytics page shows are then as of a moment ago, and say so ("数据截至"). What must never
happen is an answer computed from lagging data being kept under the key of newer data: cached answers are
keyed by the state of the accepted data that the replica itself has (analytics.aggregates.data_version), not
by the primary's generation. With no replica configured this module changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reads: ContextVar[bool] = ContextVar("changai_replica_reads", default=False)


def configured() -> bool:
    """Whether a replica is configured (DATABASES["replica"])."""
    return REPLICA in connections.settings


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside this block go to the replica when one is configured and no transaction is open on the
    primary (see read_alias); writes go to the primary. Nested blocks are harmless."""
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


def reads_from_replica(view: Callable) -> Callable:
    """Run a read-only view (or a DRF viewset method) inside replica_reads()."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def read_alias() -> str:
    """The database a read made now goes to."""
    if not (_reads.get() and configured()):
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS  # a transaction that may write reads what it writes
    return REPLICA


class ReplicaRouter:
    """Reads inside replica_reads() to the replica, everything else to the primary; no opinion (Django's own
    behaviour) when no replica is configured."""

    def db_for_read(self, model, **hints) -> str | None:
        # Explicit even outside replica_reads(): a row read from the replica must not take later reads of
        # its relations there (Django would follow the row's own database).
        return read_alias() if configured() else None

    def db_for_write(self, model, **hints) -> str | None:
        return DEFAULT_DB_ALIAS if configured() else None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True if configured() else None  # the replica is the primary's copy: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None  # the standby follows the primary's schema by itself
