"""Periodic work: what the apps declare with `registry.periodic(...)`, run by the worker when it is due.

    run_due(now=None)      run every declared piece of work whose current period has not been claimed yet
    period_of(work, now)   the number of the period `now` falls in (counted from midnight Beijing time)
    last_run(name)         when and how the work last ran ({"at", "ok", "summary"|"error"}), or None

`manage.py run_worker` calls `run_due()` every CHECK_SECONDS from a thread of its own, so a daily
job needs no cron entry. Two workers (on one host or several) must not both run it: before running,
a worker claims the period with an `add` in the "jobs" cache (the cache the web processes read job
progress from). Whoever adds the key first runs the work; the others find it taken. With Redis the add
is atomic; with the file cache of a single host two workers checking in the same instant could both
pass, so periodic work must be safe to run twice (the ledger's alert refresh is: it locks and compares).
A run that fails gives its claim back after RETRY_SECONDS, so a check after that tries again instead of
waiting for the next period.

The work itself belongs to the app (a service called as the system); this module only decides when.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.cache import caches
from django.db import close_old_connections
from django.utils import timezone

from core import audit, registry
from core.deadlines import BEIJING

logger = logging.getLogger(__name__)

CHECK_SECONDS = 60  # how often the worker asks whether periodic work is due
RETRY_SECONDS = 15 * 60  # a failed run frees its period after this long
_EPOCH = dt.datetime(2000, 1, 3, tzinfo=BEIJING)  # a Monday at midnight, so weekly periods start on Mondays
LAST_TTL = 400 * 24 * 3600


def _cache():
    return caches["jobs"]


def period_of(work: registry.Periodic, now: dt.datetime) -> int:
    """The number of the period `now` falls in: periods of `work.every` from midnight Beijing time, + offset."""
    # Wall-clock arithmetic in Beijing time (no daylight saving there), so a day is midnight to midnight.
    local = now.astimezone(BEIJING).replace(tzinfo=None) - work.offset
    return (local - _EPOCH.replace(tzinfo=None)) // work.every


def _claim_key(work: registry.Periodic, period: int) -> str:
    return f"periodic:{work.name}:{period}"


def _last_key(name: str) -> str:
    return f"periodic-last:{name}"


def claim(work: registry.Periodic, now: dt.datetime, holder: str) -> bool:
    """Take this period of `work` for `holder`; False when someone took it already."""
    ttl = int(work.every.total_seconds()) + 3600  # outlives the period, so it cannot be claimed twice
    return bool(_cache().add(_claim_key(work, period_of(work, now)), holder, ttl))


def run_due(*, now: dt.datetime | None = None, holder: str = "") -> dict[str, Any]:
    """Run each declared piece of work whose current period nobody has claimed; {name: summary or error}.

    An error in one piece is logged and kept as its last run; it never stops the others or the worker.
    """
    from core.jobs import worker_identity

    now = now or timezone.now()
    holder = holder or worker_identity()
    ran: dict[str, Any] = {}
    for work in registry.declared_periodic():
        if not claim(work, now, holder):
            continue
        started = timezone.now()
        try:
            summary = work.fn() or {}
        except Exception as error:
            logger.exception("periodic work %s failed", work.name)
            close_old_connections()
            _cache().set(_claim_key(work, period_of(work, now)), f"failed:{holder}", RETRY_SECONDS)
            _remember(work.name, {"at": started.isoformat(), "ok": False, "error": str(error)[:500]})
            ran[work.name] = {"error": str(error)}
            continue
        _remember(work.name, {"at": started.isoformat(), "ok": True, "summary": audit._jsonable(summary)})
        ran[work.name] = summary
    return ran


def _remember(name: str, record: dict[str, Any]) -> None:
    try:
        _cache().set(_last_key(name), record, LAST_TTL)
    except Exception:  # advisory only, like job progress
        logger.warning("periodic work %s: last run not remembered", name, exc_info=True)


def last_run(name: str) -> dict[str, Any] | None:
    """When the work named `name` last ran here or on another worker, and how it ended (None: not known)."""
    try:
        return _cache().get(_last_key(name))
    except Exception:
        logger.warning("periodic work %s: last run not readable", name, exc_info=True)
        return None
