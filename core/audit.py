"""The audit log: one row per write or security event, in the same transaction as the write.

There is no switch to turn it off: if the audit row cannot be written, the write it
describes rolls back with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import hmac
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from core import registry
from core.actor import Actor
from core.db import insert_rows
from core.fields import BlindIndexField, EncryptedCharField
from core.masking import mask_value
from core.models import AuditEntry

# Never written to the audit log, whatever the model.
SECRET_FIELDS = frozenset({"password", "key", "token", "secret", "totp_key"})

_purge = threading.local()
_batch = threading.local()  # .entries: the rows record() queues inside batched(), else None
logger = logging.getLogger(__name__)


_PLAIN = frozenset({str, int, bool, float})  # JSON as they are: most of a diff, answered without a call


def _jsonable(value: Any) -> Any:
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # a file column: its stored name ("" when there is none)
        return value.name or ""
    if isinstance(value, list | tuple | set):
        return [v if v is None or type(v) in _PLAIN else _jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): v if v is None or type(v) in _PLAIN else _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values as JSON-safe data; secrets and blind indexes dropped, personal data
    (EncryptedCharField, `audit_masked_fields`) masked."""
    masked = set(getattr(obj, "audit_masked_fields", ()))
    result: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in SECRET_FIELDS or isinstance(f, BlindIndexField):  # an index is neither readable nor useful
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, EncryptedCharField):
            value = f.masked(value)  # never the plaintext, never the ciphertext
        elif f.name in masked and value:
            value = mask_value(f.name, str(value))
        result[f.name] = _jsonable(value)
    return result


# --- the keyed chain (docs/audit-chain.md) -----------------------------------------------------------
#
# A row's `entry_hash` is "<key id>$<HMAC-SHA256 over the previous hash and the row>" (hex, cut to fit the
# 64-character column), so each row names the key that signed it and a key can be rotated. Rows written
# before the chain was keyed hold a plain SHA-256 (no "$") and still verify as such. Without the key,
# nobody can rewrite a row and recompute the chain after it.

KEY_SEPARATOR = "$"


def chain_keys() -> tuple[str, dict[str, bytes]]:
    """(id of the key that signs new rows, every known key by id) from settings.AUDIT_KEYS, or one key
    derived from SECRET_KEY when none is configured."""
    configured = getattr(settings, "AUDIT_KEYS", None) or {}
    if not configured:
        derived = hmac.new(settings.SECRET_KEY.encode(), b"changai.audit.chain", hashlib.sha256).hexdigest()
        configured = {"s0": derived}
    keys = {key_id: secret.encode("utf-8") for key_id, secret in configured.items()}
    return next(iter(keys)), keys


def _body(prev_hash: str, payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return (prev_hash + body).encode("utf-8")


def _digest(prev_hash: str, payload: dict[str, Any], key_id: str | None = None, keys=None) -> str | None:
    """The row's hash: plain SHA-256 for `key_id` None (rows before keying), else the keyed MAC; None when
    the key is unknown here."""
    if key_id is None:
        return hashlib.sha256(_body(prev_hash, payload)).hexdigest()
    secret = (keys if keys is not None else chain_keys()[1]).get(key_id)
    if secret is None:
        return None
    mac = hmac.new(secret, _body(prev_hash, payload), hashlib.sha256).hexdigest()
    return f"{key_id}{KEY_SEPARATOR}{mac[: 64 - len(key_id) - 1]}"


def key_of(entry_hash: str) -> str | None:
    """The id of the key that signed a row (None for a row from before keying)."""
    key_id, sep, _mac = entry_hash.partition(KEY_SEPARATOR)
    return key_id if sep else None


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
    )
    pending = getattr(_batch, "entries", None)
    if pending is not None:
        pending.append(entry)  # chained and written when the batch ends (see batched)
        return entry
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""
        entry.prev_hash = last
        entry.entry_hash = _digest(last, hash_payload(entry), chain_keys()[0])
        entry.save(force_insert=True)
    return entry


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Inside the block, record() queues its rows; when the block ends without an exception they are chained
    in memory and inserted together (one chain lock, one read of the head, one multi-row INSERT) instead of
    two reads and a write each. For the set writes of imports: use it inside the transaction of the write
    and let any refusal end the block with an exception (the queued rows are then dropped with the
    transaction). A block inside another adds to the outer one."""
    if getattr(_batch, "entries", None) is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit.batched() must run inside the transaction of the write it records")
    _batch.entries = []
    try:
        yield
        entries = _batch.entries
    finally:
        _batch.entries = None
    _write_chained(entries)


def _write_chained(entries: list[AuditEntry]) -> None:
    if not entries:
        return
    _lock_chain()
    last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or ""
    key_id = chain_keys()[0]
    for entry in entries:
        entry.prev_hash = last
        entry.entry_hash = last = _digest(last, hash_payload(entry), key_id)
    # One COPY / executemany (core.db): the rows of an import of thousands of reports, without a model save each.
    fields = [f.attname for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    insert_rows(AuditEntry, fields, ([getattr(entry, name) for name in fields] for entry in entries))


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


@dataclass
class ChainReport:
    """What `verify()` found; `intact` when nothing at all."""

    rows: int = 0
    edited: list[int] = field(default_factory=list)  # content does not match its MAC (or hash)
    broken_links: list[int] = field(default_factory=list)  # rows before it deleted, inserted or reordered
    unknown_key: list[int] = field(default_factory=list)  # signed with a key this server does not hold
    head_cut: int | None = None  # the first row does not start the chain and no purge explains it
    tail_cut: str = ""  # the last anchor's head row is gone or changed, or rows were removed before it
    anchor: dict[str, Any] | None = None

    @property
    def intact(self) -> bool:
        return not (self.edited or self.broken_links or self.unknown_key or self.head_cut or self.tail_cut)

    @property
    def bad_ids(self) -> list[int]:
        ids = set(self.edited) | set(self.broken_links) | set(self.unknown_key)
        if self.head_cut is not None:
            ids.add(self.head_cut)
        if self.tail_cut and self.anchor:
            ids.add(int(self.anchor["last_id"]))
        return sorted(ids)


def verify(batch_size: int = 5000, *, anchor: dict[str, Any] | None | bool = True) -> ChainReport:
    """Check every row's MAC and link, the start of the chain and the last anchor (`anchor=True`: the newest
    valid anchor file; a dict: that one; None/False: none)."""
    _current, keys = chain_keys()
    report = ChainReport()
    purges = [row or {} for row in AuditEntry.objects.filter(event="audit.purge").values_list("detail", flat=True)]
    purged_heads = {p["last_hash"] for p in purges if p.get("last_hash")}
    # Purges recorded before they named the hash they cut at: they explain a start after their last row.
    legacy_purged_to = max((int(p.get("last_id", 0)) for p in purges if not p.get("last_hash")), default=0)
    prev = None
    last_id = 0
    keyed_seen = False
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            break
        for entry in rows:
            report.rows += 1
            explained = entry.prev_hash in purged_heads or 0 < legacy_purged_to < entry.id
            if prev is None and entry.prev_hash and not explained:
                report.head_cut = entry.id  # rows before it were deleted without a purge
            elif prev is not None and entry.prev_hash != prev:
                report.broken_links.append(entry.id)
            key_id = key_of(entry.entry_hash)
            if key_id is None and keyed_seen:
                report.edited.append(entry.id)  # an unsigned row after signed ones: rewritten without the key
            else:
                keyed_seen = keyed_seen or key_id is not None
                expected = _digest(entry.prev_hash, hash_payload(entry), key_id, keys)
                if expected is None:
                    report.unknown_key.append(entry.id)
                elif expected != entry.entry_hash:
                    report.edited.append(entry.id)
            prev = entry.entry_hash
            last_id = entry.id
    report.anchor = latest_anchor() if anchor is True else (anchor or None)
    if report.anchor:
        report.tail_cut = _anchor_mismatch(report.anchor)
    return report


def verify_chain(batch_size: int = 5000) -> list[int]:
    """Ids of rows that are altered, follow a cut, or stand for a cut head or tail (empty when intact)."""
    return verify(batch_size).bad_ids


def archive_record_intact(record: dict[str, Any]) -> bool:
    """Whether an archived entry still matches the hash it was written with."""
    payload = {key: record.get(key) for key in hash_payload(AuditEntry())}
    entry_hash = record.get("entry_hash") or ""
    return _digest(record.get("prev_hash", ""), payload, key_of(entry_hash)) == entry_hash


# --- anchors ------------------------------------------------------------------------------------------


def _anchor_mac(body: dict[str, Any], secret: bytes) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def write_anchor() -> dict[str, Any] | None:
    """Write the chain's head (last id and hash) and row count, signed, to a file in AUDIT_ANCHOR_DIR; the
    anchor, or None for an empty log. A later deletion of the tail, or of rows before it, shows against it."""
    head = AuditEntry.objects.order_by("-id").values("id", "entry_hash").first()
    if head is None:
        return None
    key_id, keys = chain_keys()
    body = {
        "at": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_id": head["id"],
        "head_hash": head["entry_hash"],
        "rows": AuditEntry.objects.filter(id__lte=head["id"]).count(),
        "first_id": AuditEntry.objects.order_by("id").values_list("id", flat=True).first(),
        "key_id": key_id,
    }
    anchor = {**body, "mac": _anchor_mac(body, keys[key_id])}
    directory = settings.AUDIT_ANCHOR_DIR
    directory.mkdir(parents=True, exist_ok=True)
    name = f"anchor-{body['at'].replace(':', '').replace('-', '')}-{head['id']}.json"
    path = directory / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(anchor, handle, ensure_ascii=False, sort_keys=True)
    return anchor


def anchor_valid(anchor: dict[str, Any]) -> bool:
    """Whether an anchor's signature holds (with the key it names)."""
    secret = chain_keys()[1].get(str(anchor.get("key_id")))
    body = {k: v for k, v in anchor.items() if k != "mac"}
    return secret is not None and hmac.compare_digest(_anchor_mac(body, secret), str(anchor.get("mac", "")))


def latest_anchor() -> dict[str, Any] | None:
    """The newest anchor file whose signature holds (forged or damaged files are skipped)."""
    directory = settings.AUDIT_ANCHOR_DIR
    if not directory.is_dir():
        return None
    best = None
    for path in directory.glob("anchor-*.json"):
        try:
            anchor = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(anchor, dict) and anchor_valid(anchor) and (best is None or anchor["last_id"] > best["last_id"]):
            best = anchor
    return best


def _anchor_mismatch(anchor: dict[str, Any]) -> str:
    head = AuditEntry.objects.filter(id=anchor["last_id"]).values_list("entry_hash", flat=True).first()
    if head is None:
        return "missing"  # the anchored head row is gone: the tail was cut
    if head != anchor["head_hash"]:
        return "changed"
    purged = sum(
        (d or {}).get("rows", 0)
        for d in AuditEntry.objects.filter(event="audit.purge", id__gt=anchor["last_id"]).values_list(
            "detail", flat=True
        )
    )
    if AuditEntry.objects.filter(id__lte=anchor["last_id"]).count() + purged < anchor["rows"]:
        return "fewer"  # rows up to the anchor were removed (and the chain re-linked around them)
    return ""


def archive_record(entry: AuditEntry) -> dict[str, Any]:
    """One entry as a self-contained JSON object, with what is needed to check its hash later."""
    return {
        "id": entry.id,
        **hash_payload(entry),
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


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
