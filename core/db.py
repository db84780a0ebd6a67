"""Database helpers every app shares: row locks in one order, and retrying a transaction the database aborted.

Lock order (PostgreSQL). A write that changes an item of a workflow (a report, later a written
report or an application) takes its locks in this order, and only these:

1. the item's own row, with `lock_row` (`SELECT … FOR NO KEY UPDATE OF <item>`): never the rows it
   joins to. A plain `select_for_update()` with `select_related` locks the joined rows too: the data
   set, the period and the organisation that every report of a round shares, so two reporters
   saving different reports queued on one data-set row;
2. the rows the step writes (values, returns, snapshots, notifications);
3. the audit chain (core.audit takes a transaction-wide advisory lock when it appends), last.

A transaction that takes the audit chain before an item row (an import that opens a report, which
is audited, and then saves it) can still meet a writer holding that row; the database then aborts
one of them with a deadlock, and `retrying` runs it again.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import OperationalError, connection, models, transaction

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# deadlock_detected, serialization_failure (https://www.postgresql.org/docs/current/errcodes-appendix.html)
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def lock_row(queryset: models.QuerySet, **lookup: Any) -> models.Model:
    """The one row matching `lookup`, locked until the transaction ends, fresh from the database.

    Only the row of `queryset`'s model is locked (`of=("self",)`), whatever `select_related`
    joins; `no_key=True` lets other transactions keep inserting rows that refer to it.
    """
    return queryset.select_for_update(of=("self",), no_key=True).get(**lookup)


def lock_rows(queryset: models.QuerySet) -> list[Any]:
    """Lock every row of `queryset` (its model's rows only), in primary-key order; their keys.

    For a write that will take several items' rows: taking them all first, in one order, keeps it
    from holding the audit chain while waiting for an item another writer holds.
    """
    return list(queryset.select_for_update(of=("self",), no_key=True).order_by("pk").values_list("pk", flat=True))


def locked_rows(queryset: models.QuerySet) -> list[models.Model]:
    """The rows of `queryset` themselves, locked as `lock_rows` locks them (in primary-key order, its model's rows
    only, whatever `select_related` joins): for a set write that reads the items it then changes."""
    return list(queryset.select_for_update(of=("self",), no_key=True).order_by("pk"))


def is_retryable(error: BaseException) -> bool:
    """Whether the database aborted the transaction to break a deadlock or a serialization conflict.

    Django wraps the driver's error (psycopg.errors.DeadlockDetected, SerializationFailure) in
    django.db.OperationalError and keeps the original as `__cause__`, which carries the SQLSTATE.
    """
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return sqlstate in RETRYABLE_SQLSTATES


def retrying(func: F | None = None, *, attempts: int = 3, pause: float = 0.05) -> Any:
    """Run `func` again (at most `attempts` times in all) when the database aborts it for a deadlock.

    Put it outside `transaction.atomic`, at a service's entry point: the whole transaction is
    retried, so it must not have done anything outside the database before the abort (e-mails
    wait for the commit with `transaction.on_commit`, and callbacks of a rolled-back transaction
    are dropped). Inside an outer transaction it retries nothing: the outer one is aborted as a
    whole and the caller that opened it decides.
    """

    def decorate(inner: F) -> F:
        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            attempt = 1
            while True:
                nested = connection.in_atomic_block
                try:
                    return inner(*args, **kwargs)
                except OperationalError as error:
                    if nested or attempt >= attempts or not is_retryable(error):
                        raise
                    logger.warning("%s aborted by the database (%s), retry %d", inner.__qualname__, error, attempt)
                # A random pause so that the two sides of a deadlock do not meet again.
                time.sleep(pause * attempt * (1 + random.random()))  # noqa: S311 - not for security
                attempt += 1

        return wrapper  # type: ignore[return-value]

    if func is not None:
        return decorate(func)
    return decorate


def atomic_retrying(func: F) -> F:
    """`transaction.atomic` retried on a deadlock: the decorator for a service's entry point."""
    return retrying(transaction.atomic(func))


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert many new rows of `model` as one set: `COPY … FROM STDIN` on PostgreSQL, one prepared INSERT run
    over every row (executemany) on SQLite. Each row gives the values of `fields` in that order (a foreign key
    by its `<name>_id`); the fields not given take their model default, or NULL. For results written by the
    thousand, where `bulk_create` spends its time building a model instance per row and SQLite's parameter
    limit cuts its statements to a hundred-odd rows. No instance is returned and no signal sent: a caller that
    needs the new ids reads them back."""
    columns = [model._meta.get_field(name) for name in fields]
    given = {field.attname for field in columns}
    defaults = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in given and f.has_default()
    ]
    first_default = len(columns)
    columns += defaults
    converting = [(i, convert) for i, convert in enumerate(_preparer(field) for field in columns) if convert]
    # A constant default is the same for every row; a callable one (a new UUID, the time) is made per row.
    made = [(i, field.get_default) for i, field in enumerate(defaults, first_default) if callable(field.default)]
    constant = [None if callable(field.default) else field.get_default() for field in defaults]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(field.column) for field in columns)

    def prepared() -> Iterator[list[Any]]:
        for row in rows:
            values = [*row, *constant]
            for i, default in made:
                values[i] = default()
            for i, convert in converting:
                values[i] = convert(values[i])
            yield values

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({names}) FROM STDIN"
            started = time.monotonic()
            with cursor.cursor.copy(sql) as copy:
                for row in prepared():
                    copy.write_row(row)
            if connection.queries_logged:  # the driver's COPY bypasses Django's query log: counted as one statement
                connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - quoted names, values as parameters
            cursor.executemany(sql, prepared())


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Set `fields` of many existing rows of `model` as one set: each row gives the primary key, then the values
    of `fields` in that order. One prepared UPDATE run over every row (executemany, which psycopg sends as one
    pipeline on PostgreSQL). As `insert_rows`: no instance, no signal, no `auto_now` (give the time yourself)."""
    columns = [model._meta.get_field(name) for name in fields]
    converting = [(i, convert) for i, convert in enumerate(_preparer(field) for field in columns) if convert]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608 - quoted names

    def prepared() -> Iterator[list[Any]]:
        for key, *values in rows:
            for i, convert in converting:
                values[i] = convert(values[i])
            values.append(key)
            yield values

    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared())


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of `field` goes to the driver when the ORM is bypassed; None when as it is. Dates and times need
    the backend's own form (SQLite keeps them as naive UTC text); the last value is remembered, since a set write
    gives most rows the same time."""
    if isinstance(field, models.JSONField):
        return _json_text(field)
    if not isinstance(field, models.DateField | models.TimeField):  # DateTimeField is a DateField
        return None
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, field.get_db_prep_save(value, connection)
        return last[1]

    return convert


def _json_text(field: models.JSONField) -> Callable[[Any], str | None]:
    def convert(value: Any) -> str | None:
        return None if value is None else json.dumps(value, cls=field.encoder)  # as Django stores it

    return convert
