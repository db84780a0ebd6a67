"""A copy of the test database as a transactional test has committed it, for processes or connections that
must see the same data from elsewhere: the two app servers of test_two_servers.py, a lagging replica in
analytics/tests/test_replica.py. SQLite: a file written with SQLite's backup API (the test database may be
in memory); PostgreSQL: a database created from the test database as its template (a second or so)."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connections


@dataclass
class DatabaseCopy:
    vendor: str
    name: str  # the copy's NAME for Django: a file path (SQLite) or a database name (PostgreSQL)
    admin: dict  # PostgreSQL: how to reach the server (host, port, user, password)

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that point the platform's settings at the copy."""
        if self.vendor == "sqlite":
            return {"CHANGAI_SQLITE_PATH": self.name}
        user = self.admin.get("user", "")
        password = f":{self.admin['password']}" if self.admin.get("password") else ""
        host, port = self.admin.get("host") or "127.0.0.1", self.admin.get("port") or 5432
        return {"DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{self.name}"}

    def refresh(self) -> None:
        """Copy the test database again, as it is now (the connections to the copy are closed first)."""
        _write(self)

    def query(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Run one statement on the copy outside Django (`?` placeholders); the rows it returns."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.name) as db:
                return db.execute(sql, args).fetchall()
        import psycopg

        with psycopg.connect(dbname=self.name, **self.admin) as db:
            cursor = db.execute(sql.replace("?", "%s"), args)
            return cursor.fetchall() if cursor.description else []


def _server(copy: DatabaseCopy):
    import psycopg

    return psycopg.connect(dbname="postgres", autocommit=True, **copy.admin)


def _write(copy: DatabaseCopy) -> None:
    default = connections["default"]
    for alias in connections:
        if connections[alias].settings_dict["NAME"] == copy.name:
            connections[alias].close()
    if copy.vendor == "sqlite":
        default.ensure_connection()
        with sqlite3.connect(copy.name) as target:
            default.connection.backup(target)
        target.close()
        return
    import psycopg

    source = default.settings_dict["NAME"]
    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the source without sessions
    with _server(copy) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{copy.name}" WITH (FORCE)')
        for attempt in range(5):
            # Sessions other tests left on the source (a server process still exiting, a finished thread's
            # connection not yet collected) would refuse the template: end them first.
            server.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (source,),
            )
            try:
                server.execute(f'CREATE DATABASE "{copy.name}" TEMPLATE "{source}"')
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 4:
                    raise
                time.sleep(0.5)


@contextmanager
def database_copy(folder: Path) -> Iterator[DatabaseCopy]:
    """A fresh copy of the test database (committed data only: use it from a transactional test); removed
    afterwards (PostgreSQL: dropped)."""
    default = connections["default"]
    if default.vendor == "sqlite":
        copy = DatabaseCopy("sqlite", str(folder / f"copy-{uuid.uuid4().hex[:8]}.sqlite3"), {})
    elif default.vendor == "postgresql":
        params = default.get_connection_params()
        admin = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
        copy = DatabaseCopy("postgresql", f"copy_{uuid.uuid4().hex[:12]}", admin)
    else:
        raise NotImplementedError(default.vendor)
    _write(copy)
    try:
        yield copy
    finally:
        if copy.vendor == "postgresql":
            for alias in connections:
                if connections[alias].settings_dict["NAME"] == copy.name:
                    connections[alias].close()
            with _server(copy) as server:
                server.execute(f'DROP DATABASE IF EXISTS "{copy.name}" WITH (FORCE)')
