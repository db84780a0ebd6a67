"""The audit log: one row per write or security event, in the same transaction as the write.

There is no switch to turn it off: if the audit row cannot be written, the write it
describes rolls back with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from core import registry
from core.actor import Actor
from core.masking import mask_value
from core.models import AuditEntry

# Never written to the audit log, whatever the model.
SECRET_FIELDS = frozenset({"password", "key", "token", "secret", "totp_key"})

_purge = threading.local()
logger = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # a file column: its stored name ("" when there is none)
        return value.name or ""
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values as JSON-safe data; secrets dropped, personal data masked."""
    masked = set(getattr(obj, "audit_masked_fields", ()))
    result: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in SECRET_FIELDS:
            continue
        value = getattr(obj, f.attname)
        if f.name in masked and value:
            value = mask_value(f.name, str(value))
        result[f.name] = _jsonable(value)
    return result


def _digest(prev_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def hash_payload(entry: AuditEntry) -> dict[str, Any]:
    """The fields the hash covers, as stored (so verification recomputes the same digest)."""
    at = entry.at
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "at": at,
        "user_id": entry.user_id,
        "username": entry.username,
        "role": entry.role,
        "org_code": entry.org_code,
        "event": entry.event,
        "success": bool(entry.success),
        "ip": entry.ip,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "detail": entry.detail,
    }


def _lock_chain() -> None:
    # PostgreSQL: serialise appenders so that each row links to the true previous one.
    # SQLite runs writers one at a time already (IMMEDIATE transactions).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('core_auditentry'))")


def _check_declared(event: str) -> None:
    if registry.is_event_declared(event):
        return
    message = f"audit event {event!r} is not declared in any app's declarations.py"
    if getattr(settings, "AUDIT_STRICT_EVENTS", False):
        raise ImproperlyConfigured(message)
    logger.error(message)


def record(
    actor: Actor,
    event: str,
    obj: models.Model | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None | bool = True,
    success: bool = True,
    detail: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one audit row; `after=True` snapshots `obj` as it is now, `after=None` stores none.

    `event` must be declared by its app (core/registry.py), so the log can name it. An undeclared
    event raises ImproperlyConfigured under AUDIT_STRICT_EVENTS (development and tests); in
    production it is logged as an error and the row is still written, since losing the row
    would roll back the write it describes.
    """
    _check_declared(event)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
        if after is True:
            after = snapshot(obj)
    if after is True:
        after = None
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""
        entry = AuditEntry(
            at=timezone.now(),
            user_id=actor.user.pk if actor.user is not None else None,
            username=actor.username[:150],
            role=actor.role_label[:200],
            org_code=actor.org_code[:64],
            event=event,
            success=success,
            ip=actor.ip or None,
            request_id=actor.request_id[:64],
            object_type=object_type[:100],
            object_id=str(object_id)[:64],
            object_repr=object_repr[:300],
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            detail=_jsonable(detail) if detail is not None else None,
            prev_hash=last,
        )
        entry.entry_hash = _digest(last, hash_payload(entry))
        entry.save(force_insert=True)
    return entry


def record_refusal(request, event: str, message: str = "") -> AuditEntry:
    """Audit a refused request: `access.not_found` (outside scope or missing) or `access.denied`."""
    return record(
        Actor.from_request(request),
        event,
        success=False,
        detail={"method": request.method, "path": request.get_full_path()[:500], "message": str(message)},
    )


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    """Fields whose value changed, as {field: (old, new)}."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def verify_chain(batch_size: int = 5000) -> list[int]:
    """Ids of rows whose stored hash or link does not match their content (empty when intact)."""
    bad: list[int] = []
    prev = None
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return bad
        for entry in rows:
            # The first row kept may follow rows purged after archiving: trust its link.
            expected_prev = entry.prev_hash if prev is None else prev
            if entry.prev_hash != expected_prev or _digest(entry.prev_hash, hash_payload(entry)) != entry.entry_hash:
                bad.append(entry.id)
            prev = entry.entry_hash
            last_id = entry.id


def archive_record(entry: AuditEntry) -> dict[str, Any]:
    """One entry as a self-contained JSON object, with what is needed to check its hash later."""
    return {
        "id": entry.id,
        **hash_payload(entry),
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def archive_record_intact(record: dict[str, Any]) -> bool:
    """Whether an archived entry still matches the hash it was written with."""
    payload = {key: record.get(key) for key in hash_payload(AuditEntry())}
    return _digest(record.get("prev_hash", ""), payload) == record.get("entry_hash")


def purge_allowed() -> int:
    """1 while a `purge_permitted()` block runs in this thread (read by the SQLite trigger)."""
    return 1 if getattr(_purge, "active", False) else 0


@contextlib.contextmanager
def purge_permitted() -> Iterator[None]:
    """Lift the database's refusal to delete audit rows, for archiving purges and test flushes."""
    _purge.active = True
    is_pg = connection.vendor == "postgresql"
    if is_pg:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('changai.audit_purge', 'on', false)")
    try:
        yield
    finally:
        _purge.active = False
        if is_pg:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('changai.audit_purge', 'off', false)")
