"""What an organisation import would write: its creates, changes, moves and closes, kept between the preview and the
confirm as a dict (`Plan.to_dict` / `from_dict`) and fingerprinted (`Plan.digest`) so a confirm applies exactly what was
previewed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from orgs.transfer.problems import Problem


@dataclass
class Create:
    row: int
    code: str
    name: str
    kind: str
    parent: str
    fields: dict[str, Any]  # short_name, ownership, industry, region (code), credit_code, opened_on (ISO), notes
    kind_label: str = ""


@dataclass
class Change:
    row: int
    code: str
    name: str
    version: int
    fields: dict[str, Any]  # the new values, as for orgs.services.org_update (region as its code, dates ISO)
    shown: list[tuple[str, str, str]]  # (label, before, after)


@dataclass
class Move:
    row: int
    code: str
    name: str
    old_parent: str
    old_parent_name: str
    new_parent: str
    new_parent_name: str
    on: str


@dataclass
class Close:
    row: int
    code: str
    name: str
    on: str


@dataclass
class Plan:
    """What an import would do, or every problem that stops it."""

    on: str
    sheet: str = ""
    creates: list[Create] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    closes: list[Close] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0
    versions: dict[str, int] = field(default_factory=dict)  # existing organisations the file names
    problems: list[Problem] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.creates) + len(self.changes) + len(self.moves) + len(self.closes)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "create": len(self.creates),
            "change": len(self.changes),
            "move": len(self.moves),
            "close": len(self.closes),
            "unchanged": self.unchanged,
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [p.as_dict() for p in self.problems]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        plan = cls(
            on=data["on"],
            sheet=data.get("sheet", ""),
            unchanged=data.get("unchanged", 0),
            rows=data.get("rows", 0),
            versions=data.get("versions", {}),
        )
        plan.creates = [Create(**c) for c in data.get("creates", [])]
        plan.changes = [Change(**{**c, "shown": [tuple(s) for s in c["shown"]]}) for c in data.get("changes", [])]
        plan.moves = [Move(**m) for m in data.get("moves", [])]
        plan.closes = [Close(**c) for c in data.get("closes", [])]
        plan.problems = [Problem.from_dict(p) for p in data.get("problems", [])]
        return plan

    def digest(self, file_sha256: str = "") -> str:
        """A fingerprint of the file and of everything the plan would write (with the versions it read)."""
        body = {k: v for k, v in self.to_dict().items() if k != "problems"}
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(f"{file_sha256}\n{text}".encode()).hexdigest()
