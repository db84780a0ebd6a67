"""Integrity seals on accepted business data (docs/integrity.md).

When an app accepts a piece of business data (a statistics report, a written report, an assessment's
published results), it seals it: a keyed MAC over a canonical serialisation of the item's identity and
every stored value. The seal and the id of the key are stored with the item; `manage.py verify_integrity`
(and the daily periodic check) recomputes every seal, so a value changed, added or deleted behind the
application's back (by a database administrator with SQL) shows as a mismatch.

The keys are the audit chain's (`CHANGAI_AUDIT_KEYS`, core.audit.chain_keys): the same ids, the same
rotation (the first key seals, the others still verify). Each seal uses a key derived from the chain key
for this one purpose, so a seal can never be taken for an audit row's MAC or the other way round.

    seal(kind, identity, values)          (key id, MAC) with the current key
    register(Sealable(...))               an app names what it seals (from its declarations.py)
    check()                               every registered item recomputed: a CheckReport
    record_check(report, by=...)          the outcome as an audit row ("core.integrity.check")
    last_check()                          the last recorded outcome (for the audit administrator's page)
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from core import audit
from core.actor import Actor
from core.models import AuditEntry

CHECK_EVENT = "core.integrity.check"
STALE_AFTER = dt.timedelta(days=2)  # the daily check should have run since: the page says it has not
_PURPOSE = b"changai.integrity.seal.v1"

# Outcomes of one item.
OK = "ok"
MISMATCH = "mismatch"
UNSEALED = "unsealed"
UNKNOWN_KEY = "unknown_key"


def _purpose_key(secret: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


def number_text(value: Any) -> str | None:
    """A stored number as canonical text ("12.5" for 12.5000), so the database's scale does not matter."""
    if value is None:
        return None
    number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def canonical(kind: str, identity: dict[str, Any], values: dict[str, Any]) -> bytes:
    """The bytes a seal covers: the kind, the identity and the values, as sorted compact JSON."""
    body = {"kind": kind, "identity": identity, "values": values}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def _mac(secret: bytes, data: bytes) -> str:
    return hmac.new(_purpose_key(secret), data, hashlib.sha256).hexdigest()


def seal(kind: str, identity: dict[str, Any], values: dict[str, Any]) -> tuple[str, str]:
    """(id of the key used, the seal) for an item, with the key that signs new audit rows."""
    key_id, keys = audit.chain_keys()
    return key_id, _mac(keys[key_id], canonical(kind, identity, values))


def outcome(kind: str, identity: dict[str, Any], values: dict[str, Any], stored: str, key_id: str, keys=None) -> str:
    """OK, MISMATCH, UNSEALED (no seal stored) or UNKNOWN_KEY (sealed with a key this server lacks)."""
    if not stored:
        return UNSEALED
    secret = (keys if keys is not None else audit.chain_keys()[1]).get(key_id)
    if secret is None:
        return UNKNOWN_KEY
    expected = _mac(secret, canonical(kind, identity, values))
    return OK if hmac.compare_digest(expected, stored) else MISMATCH


# --- what the apps seal --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One accepted item as stored now, with its seal and how to name it to a person."""

    kind: str
    pk: int
    identity: dict[str, Any]
    values: dict[str, Any]
    seal: str
    key_id: str
    org_name: str = ""
    org_code: str = ""
    period: str = ""
    subject: str = ""  # the data set, round or computation

    def outcome(self, keys=None) -> str:
        return outcome(self.kind, self.identity, self.values, self.seal, self.key_id, keys)


@dataclass(frozen=True)
class Sealable:
    """Something an app seals: `items()` yields every accepted item (set-based: a few queries in all),
    `explain(item)` says, when it can, which values differ from what the audit log last recorded
    (a list of {"key", "label", "recorded", "stored"}), `seal_missing(by)` seals accepted items that have
    no seal yet and returns how many."""

    kind: str
    label: Promise | str
    items: Callable[[], Iterable[Item]]
    seal_missing: Callable[[Actor], int]
    explain: Callable[[Item], list[dict[str, Any]]] | None = None


_sealables: dict[str, Sealable] = {}


def register(sealable: Sealable) -> None:
    """Declare what an app seals (from its declarations.py); a second declaration of the kind replaces it."""
    _sealables[sealable.kind] = sealable


def registered() -> list[Sealable]:
    return [_sealables[kind] for kind in sorted(_sealables)]


# --- checking --------------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """An item whose seal does not hold, or that has none."""

    kind: str
    kind_label: str
    pk: int
    outcome: str
    org_name: str
    org_code: str
    period: str
    subject: str
    cells: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "id": self.pk,
            "outcome": self.outcome,
            "org_name": self.org_name,
            "org_code": self.org_code,
            "period": self.period,
            "subject": self.subject,
            "cells": self.cells,
        }


@dataclass
class CheckReport:
    """What `check()` found: items checked per kind and the problems."""

    checked: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def _count(self, what: str) -> int:
        return sum(1 for p in self.problems if p.outcome == what)

    @property
    def items(self) -> int:
        return sum(self.checked.values())

    @property
    def mismatches(self) -> int:
        return self._count(MISMATCH)

    @property
    def unsealed(self) -> int:
        return self._count(UNSEALED)

    @property
    def unknown_key(self) -> int:
        return self._count(UNKNOWN_KEY)

    @property
    def intact(self) -> bool:
        """No mismatch and no seal that cannot be checked (unsealed items are reported, not failures)."""
        return not (self.mismatches or self.unknown_key)

    def summary(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "checked": dict(self.checked),
            "mismatches": self.mismatches,
            "unsealed": self.unsealed,
            "unknown_key": self.unknown_key,
            "intact": self.intact,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary(), "problems": [p.as_dict() for p in self.problems]}


def check(*, explain: bool = True) -> CheckReport:
    """Recompute the seal of every accepted item of every registered kind."""
    _key_id, keys = audit.chain_keys()
    report = CheckReport()
    for sealable in registered():
        count = 0
        for item in sealable.items():
            count += 1
            result = item.outcome(keys)
            if result == OK:
                continue
            cells = sealable.explain(item) if explain and result == MISMATCH and sealable.explain else []
            report.problems.append(
                Problem(
                    kind=item.kind,
                    kind_label=str(sealable.label),
                    pk=item.pk,
                    outcome=result,
                    org_name=item.org_name,
                    org_code=item.org_code,
                    period=item.period,
                    subject=item.subject,
                    cells=cells,
                )
            )
        report.checked[sealable.kind] = count
    return report


def seal_missing(by: Actor) -> dict[str, int]:
    """Seal, once, accepted items that have no seal yet (those accepted before sealing existed); {kind: n}."""
    return {sealable.kind: sealable.seal_missing(by) for sealable in registered()}


def record_check(report: CheckReport, *, by: Actor, source: str) -> AuditEntry:
    """The outcome as an audit row: counts, and which items failed (at most 200 named)."""
    failed = [
        {"kind": p.kind, "id": p.pk, "outcome": p.outcome, "org_code": p.org_code, "period": p.period}
        for p in report.problems
        if p.outcome != UNSEALED
    ]
    return audit.record(
        by,
        CHECK_EVENT,
        object_type="core.integrity",
        success=report.intact,
        detail={**report.summary(), "source": source, "failed": failed[:200]},
    )


def last_check() -> dict[str, Any] | None:
    """The last recorded check: {"id", "at", "items", "mismatches", "unsealed", "unknown_key", "intact", "source",
    "stale" (older than the daily check allows)}."""
    entry = AuditEntry.objects.filter(event=CHECK_EVENT).order_by("-id").values("id", "at", "detail").first()
    if entry is None:
        return None
    detail = entry["detail"] or {}
    return {
        "id": entry["id"],
        "at": timezone.localtime(entry["at"]),
        "items": detail.get("items", 0),
        "mismatches": detail.get("mismatches", 0),
        "unsealed": detail.get("unsealed", 0),
        "unknown_key": detail.get("unknown_key", 0),
        "intact": bool(detail.get("intact")),
        "source": detail.get("source", ""),
        "stale": entry["at"] < timezone.now() - STALE_AFTER,
    }


def periodic_check() -> dict[str, Any]:
    """The daily check the worker runs (core/declarations.py): checked, recorded, summed up."""
    report = check()
    record_check(report, by=Actor.system("integrity"), source="periodic")
    return report.summary()
