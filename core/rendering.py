"""The pieces every formatted .xlsx and every PDF is made of, so that each app draws only its layout.

.xlsx (openpyxl, normal mode: merged titles and widths; large flat exports use core.exports'
write-only writer instead):
- `write` puts a value in a cell safely: text through core.exports.safe_cell (no formula
  injection) and stored as text, Decimals as numbers;
- `title`, `header_cell`, `note_lines`, `set_widths`, `sheet_title`: the house style (a 14 pt
  title, bold centred headers on a light blue fill with thin borders, grey italic notes);
- `temporary_xlsx` writes a workbook to an anonymous temporary file for a download.

PDF (WeasyPrint): `render_pdf` renders a template (its base sets the CJK font, Noto Sans CJK SC,
and the page footers from `page_counter` and `page_stamp`) and fetches nothing from outside (user
text could point anywhere).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.exports import _XML_ILLEGAL, FORMULA_PREFIXES, MAX_SHEET_TITLE, safe_cell

THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")

_SHEET_TITLE_CHARS = str.maketrans("[]:*?/\\", "（）：＊？／＼")


def sheet_title(text: str) -> str:
    """`text` as a sheet name Excel accepts: at most 31 characters, none of []:*?/\\ (full-width instead)."""
    return str(text)[:MAX_SHEET_TITLE].translate(_SHEET_TITLE_CHARS)


def safe_text(value: Any) -> Any:
    """Text for a write-only cell: characters XML cannot carry shown as \\xNN, and a leading = + - @
    (tab, CR, LF) made inert with an apostrophe; other values unchanged."""
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        if value.startswith(FORMULA_PREFIXES):
            value = "'" + value
    return value


def cell_value(value: Any) -> Any:
    """What to store for `value`: Decimals as numbers (Excel keeps doubles; the format shows the
    decimals), everything else through safe_cell."""
    if isinstance(value, Decimal):
        return float(value)
    return safe_cell(value)


def write(sheet, row: int, column: int, value: Any):
    """Write one cell safely (text is always stored as text, never read as a formula); the cell."""
    value = cell_value(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def header_cell(cell) -> None:
    """The house style of a column header: bold, centred, wrapped, light blue, thin borders."""
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.border = BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def title(sheet, text: str, width: int) -> None:
    """The sheet's title in row 1, merged over `width` columns."""
    sheet.cell(row=1, column=1, value=safe_cell(text)).font = TITLE_FONT
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def note_lines(sheet, row: int, notes: Sequence[str], width: int = 1, *, wrap: bool = False) -> None:
    """Notes under a table, one per row from `row`; with `wrap`, merged over `width` columns and wrapped."""
    for offset, note in enumerate(notes):
        cell = sheet.cell(row=row + offset, column=1, value=safe_cell(note))
        cell.font = NOTE_FONT
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.merge_cells(start_row=row + offset, start_column=1, end_row=row + offset, end_column=width)
            sheet.row_dimensions[row + offset].height = 15 * (1 + len(note) // 90)


def set_widths(sheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def temporary_xlsx(write_into: Callable[[IO[bytes]], int]) -> tuple[IO[bytes], int]:
    """Run `write_into(file)` on an anonymous temporary file (gone once closed); the file rewound, and
    the count it returned."""
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the FileResponse that sends it
    count = write_into(fileobj)
    fileobj.seek(0)
    return fileobj, count


# --- PDF ---------------------------------------------------------------------------------------------------

PDF_CONTENT_TYPE = "application/pdf"


def css_string(text: str) -> str:
    """`text` as a CSS string literal that cannot end the string or the <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The footer's CSS `content`: the translated "第 %(page)s 页 / 共 %(pages)s 页" with page counters."""
    text = _("第 %(page)s 页 / 共 %(pages)s 页")
    parts = []
    for index, piece in enumerate(re.split(r"%\((page|pages)\)s", text)):
        if index % 2:  # a placeholder's name
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


EMBEDDED_IMAGES = ("data:image/svg+xml;base64,", "data:image/png;base64,")


def _embedded_only():
    """WeasyPrint's fetcher, limited to images the template embeds itself (a chart, core/charts.py, as a data:
    URI decoded in memory). The templates reference nothing outside themselves; user text could, so anything
    else is refused: WeasyPrint leaves that resource out with a warning and renders the rest."""
    from weasyprint.urls import URLFetcher

    class EmbeddedOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(EMBEDDED_IMAGES):
                raise ValueError(f"fetching {url[:40]!r} is not allowed while rendering a PDF")
            return super().fetch(url, headers)

    return EmbeddedOnly(allowed_protocols=("data",))


def render_pdf(template: str, context: dict) -> bytes:
    """Render `template` to HTML and then to PDF bytes with WeasyPrint (imported here: it takes ~1 s).

    The template gets `page_counter` and `page_stamp` (CSS strings for the footers) besides `context`.
    """
    from weasyprint import HTML

    stamp = _("产改通 · 导出于 %(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    html = render_to_string(
        template,
        {
            **context,
            "page_counter": page_counter_css(),
            "page_stamp": css_string(stamp),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_embedded_only()).write_pdf()
