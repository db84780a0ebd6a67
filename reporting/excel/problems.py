"""What can be wrong with an import, in one catalogue: each problem says where, what and how to fix it.

An import collects every problem it finds and writes nothing if there is even one. Problems that
make the rest of the file unreadable (not an .xlsx, a zip bomb, an outdated template …) stop the
reading at once and are raised as `ImportRefused`; the others (a bad value, a renamed header …)
are gathered so that the person sees them all at once, on the page and in the error workbook.

Codes are stable (API clients and tests match on them); messages are Chinese and may change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from django.utils.translation import gettext as _


class Code:
    """Problem codes, grouped by the stage that finds them."""

    # The file itself (reporting/excel/container.py)
    TOO_LARGE = "too_large"  # over the size limit (413)
    NOT_XLSX = "not_xlsx"  # not a zip, or a zip that is not a workbook (.xls, .csv, .et, .exe, .png …)
    ENCRYPTED = "encrypted"  # protected with a password to open
    CORRUPT = "corrupt"  # truncated or damaged zip, bad checksum
    STRICT = "strict_ooxml"  # saved as "Strict Open XML"
    MACROS = "macros"  # .xlsm, VBA project, ActiveX controls
    ZIP_BOMB = "zip_bomb"  # inflates far beyond its size, or too many parts
    XML_INVALID = "xml_invalid"  # DTD/entities (billion laughs, XXE), unreadable XML
    EXTERNAL = "external_content"  # external links, data connections (security event)
    FORMULA_DANGEROUS = "formula_dangerous"  # DDE, HYPERLINK, WEBSERVICE … (security event)
    # The template (reporting/excel/reader.py)
    STAMP_MISSING = "stamp_missing"
    STAMP_INVALID = "stamp_invalid"
    OUTDATED = "template_outdated"
    WRONG_DATASET = "wrong_dataset"
    WRONG_PERIOD = "wrong_period"
    WRONG_ORG = "wrong_org"
    SHEET_MISSING = "sheet_missing"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    HEADER_CHANGED = "header_changed"
    COLUMN_MISSING = "column_missing"
    COLUMN_EXTRA = "column_extra"
    ROW_CHANGED = "row_changed"
    MERGED = "merged_cells"
    NO_DATA = "no_data"
    DUPLICATE_ORG = "duplicate_org"
    FORMULA_NO_VALUE = "formula_no_value"
    CELL_ERROR = "cell_error"
    # The rows and values (reporting/excel/plan.py)
    UNKNOWN_ORG = "unknown_org"
    ORG_NAME_MISMATCH = "org_name_mismatch"
    ORG_NOT_ALLOWED = "org_not_allowed"
    ORG_NOT_DUE = "org_not_due"
    UNKNOWN_CELL = "unknown_cell"
    VALUE_INVALID = "value_invalid"
    REPORT_NOT_EDITABLE = "report_not_editable"
    ENTRY_CLOSED = "entry_closed"
    # CSV and JSON bodies (reporting/excel/tabular.py)
    FORMAT = "format"
    # Confirming a preview
    CONFLICT = "conflict"
    EXPIRED = "expired"

    SECURITY = frozenset({EXTERNAL, FORMULA_DANGEROUS})


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an import: where (sheet, row, column letter, field), what, and how to fix it.

    `row` is the spreadsheet row (1-based) or the CSV line / JSON item number; `column` is a column
    letter for spreadsheets and a column or key name for CSV and JSON. `org` is the organisation
    code the problem belongs to, when there is one.
    """

    code: str
    message: str
    fix: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    field: str = ""
    value: str = ""
    org: str = ""

    @property
    def security(self) -> bool:
        return self.code in Code.SECURITY

    @property
    def where(self) -> str:
        """ "工作表“填报数据”第 12 行 F 列" — as much of it as is known."""
        parts = []
        if self.sheet:
            parts.append(_("工作表“%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("第 %(row)d 行") % {"row": self.row})
        if self.column:
            parts.append(_("%(column)s 列") % {"column": self.column})
        return " ".join(parts)

    def text(self) -> str:
        """The whole problem as one sentence, for logs, audit details and short lists."""
        head = "，".join(p for p in (self.where, self.field) if p)
        value = _("（值：%(value)s）") % {"value": self.value} if self.value else ""
        fix = f" {self.fix}" if self.fix else ""
        return f"{head}：{self.message}{value}{fix}" if head else f"{self.message}{value}{fix}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportProblem:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class ImportRefused(Exception):
    """The upload cannot be read any further; `problems` says why (nothing was written).

    `status` is the HTTP status the API answers with: 413 for a file over the size limit, 400
    otherwise.
    """

    def __init__(self, problems: list[ImportProblem], status: int = 400):
        super().__init__("; ".join(p.text() for p in problems[:3]))
        self.problems = problems
        self.status = status


def shown(value: Any, limit: int = 60) -> str:
    """A raw cell value as a short text for a message (long texts cut, control characters visible)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    text = "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
