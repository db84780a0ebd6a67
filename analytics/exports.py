"""Analytics tables as formatted .xlsx: a title, a bold header, numbers kept as numbers with a Chinese
number format, and under the table the scope (口径), the source, the organisations covered and the
"data as of" time, so a figure pasted into a report still says what it counts.

Cells are written with core/rendering.py (text through `core.exports.safe_cell`: no formula
injection). Tables here are pivot-sized (at most a few thousand rows), so the normal openpyxl mode
is used for merged title cells and widths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from core import rendering

PERCENT_FORMAT = '0.00"%"'  # values are already ×100: 13.71 shows as 13.71%
COUNT_FORMAT = "#,##0"
POINTS_FORMAT = "+0.00;-0.00;0.00"  # a rate's change in percentage points (百分点, said in the header)
GROWTH_FORMAT = '+0.00"%";-0.00"%";0.00"%"'  # an amount's growth, already ×100


@dataclass
class Column:
    """One column: its header, and how its numbers look ('percent', 'percent:N' with N decimals, 'count',
    'decimal:N', 'points' for a
    change in percentage points, 'growth' for a growth in percent, or 'text')."""

    header: str
    kind: str = "text"


@dataclass
class Table:
    """What is exported: the title, columns, rows of raw values and the notes written under it."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=list)
    sheet_title: str = ""


def _number_format(kind: str) -> str | None:
    if kind == "percent":
        return PERCENT_FORMAT
    if kind.startswith("percent:"):  # with the indicator's decimals: 25.2%
        places = int(kind.split(":", 1)[1])
        return ("0." + "0" * places if places else "0") + '"%"'

    if kind == "count":
        return COUNT_FORMAT
    if kind == "points":
        return POINTS_FORMAT
    if kind == "growth":
        return GROWTH_FORMAT
    if kind.startswith("decimal:"):
        places = int(kind.split(":", 1)[1])
        return "#,##0" + ("." + "0" * places if places else "")
    return None


def write_table(fileobj: IO[bytes], table: Table) -> int:
    """Write `table` to `fileobj` as one formatted sheet; returns the number of data rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = rendering.sheet_title(table.sheet_title or table.title)
    rendering.title(sheet, table.title, max(len(table.columns), 1))

    header_row = 3
    for index, column in enumerate(table.columns, start=1):
        rendering.header_cell(rendering.write(sheet, header_row, index, column.header))

    row_number = header_row
    for row_number, values in enumerate(table.rows, start=header_row + 1):
        for index, (column, value) in enumerate(zip(table.columns, values, strict=False), start=1):
            cell = rendering.write(sheet, row_number, index, value)
            cell.border = rendering.BORDER
            value = cell.value
            fmt = _number_format(column.kind)
            if fmt and isinstance(value, int | float):
                cell.number_format = fmt
                cell.alignment = Alignment(horizontal="right")

    rendering.note_lines(sheet, row_number + 2, table.notes)

    for index, column in enumerate(table.columns, start=1):
        longest = max(
            [len(str(column.header))]
            + [len(str(r[index - 1])) for r in table.rows if index - 1 < len(r) and r[index - 1] is not None],
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest * 1.6 + 2), 48)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    workbook.save(fileobj)
    return len(table.rows)


def table_file(table: Table) -> tuple[IO[bytes], int]:
    """The table in an anonymous temporary file (gone once closed), rewound; and its row count."""
    return rendering.temporary_xlsx(lambda fileobj: write_table(fileobj, table))
