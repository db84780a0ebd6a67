"""Spreadsheet and CSV exports, safe to open in Excel/WPS; one helper set for every export.

- `safe_cell()` neutralises formula injection (ASVS 1.2.10): a text value starting with
  = + - @ tab, CR or LF gets a leading apostrophe and is always written as text.
- `write_xlsx()` uses openpyxl's write-only mode (constant memory); `write_csv()` follows
  RFC 4180 (CRLF line ends, quoted fields where needed) with a UTF-8 BOM so that Excel opens
  Chinese text correctly.
- `export_response()` streams a temporary file (deleted when closed) as an attachment;
  `attachment_disposition()` names it for every browser: a readable Chinese name as RFC 5987
  `filename*`, with an ASCII `filename` fallback for clients that do not read it.
- `rate_limited()` caps exports per client address (row 24 of docs SECURITY).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.net import client_ip

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# Characters XML 1.0 cannot carry; openpyxl refuses them, so they are shown as \xNN instead.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
MAX_SHEET_TITLE = 31


def safe_cell(value: Any) -> Any:
    """A value fit for a spreadsheet cell: text that could start a formula gets a leading '.

    Numbers, dates and booleans are returned unchanged (they are never formulas); aware
    datetimes become local time without a zone (Excel has none); dicts and lists become JSON.
    """
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    if isinstance(value, dict | list | tuple):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text


def _xml_safe(text: str) -> str:
    # XML readers turn CR and CRLF into LF anyway; Excel breaks lines in a cell on LF.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def write_xlsx(fileobj: IO[bytes], *, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write one sheet (bold header row, frozen) in write-only mode; returns the number of data rows."""
    return write_xlsx_sheets(fileobj, [(sheet_title, headers, rows)])[0]


def write_xlsx_sheets(
    fileobj: IO[bytes], sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> list[int]:
    """Write several sheets (title, headers, rows), each like `write_xlsx`'s; returns each sheet's row count."""
    workbook = Workbook(write_only=True)
    counts = [_write_sheet(workbook, title, headers, rows) for title, headers, rows in sheets]
    workbook.save(fileobj)
    return counts


def _write_sheet(workbook: Workbook, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    sheet = workbook.create_sheet(title=sheet_title[:MAX_SHEET_TITLE])
    sheet.freeze_panes = "A2"
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=_xml_safe(str(safe_cell(title))))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=_xml_safe(value))
                cell.data_type = "s"  # never let openpyxl read a leading = as a formula
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
        count += 1
    return count


def _csv_text(value: Any) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(fileobj: IO[bytes], *, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write RFC 4180 CSV (UTF-8 with BOM, CRLF); returns the number of data rows."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_text(h) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
        count += 1
    text.flush()
    text.detach()  # leave `fileobj` open for the response
    return count


def export_file(
    fmt: str, *, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[IO[bytes], int]:
    """Write rows to an anonymous temporary file (gone once closed); returns it rewound, and the row count."""
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the FileResponse that sends it
    if fmt == "xlsx":
        count = write_xlsx(fileobj, sheet_title=sheet_title, headers=headers, rows=rows)
    elif fmt == "csv":
        count = write_csv(fileobj, headers=headers, rows=rows)
    else:
        fileobj.close()
        raise ValueError(f"unknown export format {fmt!r}")
    fileobj.seek(0)
    return fileobj, count


_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachment_disposition(filename: str, *, fallback: str = "") -> str:
    """A Content-Disposition that downloads `filename` (Chinese allowed) under that name in every browser.

    `filename` goes out as RFC 5987 `filename*=utf-8''…`; `fallback` (ASCII, e.g. built from codes)
    as the plain `filename="…"` older clients read. Without a fallback, the ASCII letters of the
    name are kept, or "download" with the name's extension.
    """
    name = _UNSAFE_IN_NAME.sub("_", filename).strip() or "download"
    stem, dot, ext = name.rpartition(".")
    ext = _NOT_ASCII_NAME.sub("", ext) if dot else ""
    plain = _NOT_ASCII_NAME.sub("_", fallback or (stem if dot else name)).strip("._-") or "download"
    if ext and not plain.endswith(f".{ext}"):
        plain = f"{plain}.{ext}"
    if plain == name:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=utf-8''{quote(name, safe='')}"


def export_response(fileobj: IO[bytes], *, fmt: str, filename_stem: str, fallback_stem: str = "") -> FileResponse:
    """An attachment response (never shown inline) named `<stem>.<fmt>`, see `attachment_disposition`."""
    content_type = XLSX_CONTENT_TYPE if fmt == "xlsx" else CSV_CONTENT_TYPE
    response = FileResponse(fileobj, as_attachment=True, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(
        f"{filename_stem}.{fmt}", fallback=f"{fallback_stem}.{fmt}" if fallback_stem else ""
    )
    response["Cache-Control"] = "no-store, private"
    return response


def rate_limited(request: HttpRequest, scope: str) -> int:
    """Count one export by this client address; the seconds to wait when over the limit, else 0."""
    limit = getattr(settings, "EXPORT_RATE_PER_MINUTE", 10)
    key = f"export-rate:{scope}:{client_ip(request) or 'unknown'}"
    window = 60
    if cache.add(key, 1, window):
        return 0
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 0
    return window if count > limit else 0
