"""What can be wrong with an organisation import: each problem says where, the value, what and how to fix it.

The import collects every problem it finds and writes nothing when there is even one. Codes are stable (API
clients and tests match on them); messages are Chinese.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from django.utils.translation import gettext as _


class Code:
    """Problem codes, by the stage that finds them."""

    # The file (reading.py)
    TOO_LARGE = "too_large"
    NOT_READABLE = "not_readable"  # not an .xlsx / CSV we can read (renamed, damaged, encrypted, old .xls)
    MACROS = "macros"
    ZIP_BOMB = "zip_bomb"
    XML_INVALID = "xml_invalid"
    EXTERNAL = "external_content"  # external links, data connections (security event)
    FORMULA = "formula"  # a formula in the data sheet (dangerous ones are a security event)
    SHEET_MISSING = "sheet_missing"
    TOO_MANY_ROWS = "too_many_rows"
    HEADER = "header"  # a missing, unknown or repeated column
    NO_DATA = "no_data"
    # The rows (plan.py)
    REQUIRED = "required"
    MALFORMED_CODE = "malformed_code"
    DUPLICATE_CODE = "duplicate_code"
    VALUE_INVALID = "value_invalid"
    UNKNOWN_CHOICE = "unknown_choice"  # type, ownership or industry
    UNKNOWN_REGION = "unknown_region"
    CREDIT_CODE = "credit_code"
    DATE_INVALID = "date_invalid"
    DATE_ORDER = "date_order"
    PARENT_CLOSED = "parent_closed"
    UNKNOWN_PARENT = "unknown_parent"  # neither in the file nor in the user's scope (one answer for both)
    NOT_IN_SCOPE = "not_in_scope"  # a code taken elsewhere or outside the scope (one answer for both)
    CYCLE = "cycle"
    MOVE_REFUSED = "move_refused"
    CLOSE_REFUSED = "close_refused"
    CHANGE_REFUSED = "change_refused"
    # Confirming a preview
    CONFLICT = "conflict"
    EXPIRED = "expired"

    SECURITY = frozenset({EXTERNAL})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import. `row` is the spreadsheet row or CSV line (1-based, the header is 1);
    `column` the column letter; `field` the column's Chinese header; `org` the organisation code of the row."""

    code: str
    message: str
    fix: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    field: str = ""
    value: str = ""
    org: str = ""
    security: bool = False

    @property
    def where(self) -> str:
        """ "工作表“组织机构”第 12 行 F 列" — as much of it as is known."""
        parts = []
        if self.sheet:
            parts.append(_("工作表“%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("第 %(row)d 行") % {"row": self.row})
        if self.column:
            parts.append(_("%(column)s 列") % {"column": self.column})
        return " ".join(parts)

    def text(self) -> str:
        """The whole problem as one sentence, for job messages, audit details and short lists."""
        head = "，".join(p for p in (self.where, self.field) if p)
        value = _("（值：%(value)s）") % {"value": self.value} if self.value else ""
        fix = f" {self.fix}" if self.fix else ""
        return f"{head}：{self.message}{value}{fix}" if head else f"{self.message}{value}{fix}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class FileRefused(Exception):
    """The file cannot be read any further (nothing was written); `status` is 413 for a file over the limit."""

    def __init__(self, problems: list[Problem], status: int = 400):
        super().__init__("; ".join(p.text() for p in problems[:3]))
        self.problems = problems
        self.status = status


def shown(value: Any, limit: int = 60) -> str:
    """A raw cell value as a short text for a message (long texts cut, control characters made visible)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    text = "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
