"""Real .xlsx files for the import tests: templates downloaded through the pages, filled with openpyxl
the way a person types into them, re-saved by LibreOffice the way users' office suites save them,
and hand-made zips for the hostile cases."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from reporting.excel.stamp import DATA_SHEET, STAMP_SHEET

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page_url(dataset: str, period: str, org: str) -> str:
    return reverse("reporting:excel_import", args=[dataset, period, org])


def template_url(dataset: str, period: str, org: str, *, layout: str = "single", filled: bool = False) -> str:
    url = reverse("reporting:excel_template", args=[dataset, period, org])
    return f"{url}?layout={layout}" + ("&filled=1" if filled else "")


def download(client, dataset: str, period: str, org: str, **kwargs) -> bytes:
    response = client.get(template_url(dataset, period, org, **kwargs))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def stamp_of(data: bytes) -> dict[str, str]:
    """The stamp sheet's key/value rows (long values joined)."""
    book = load_workbook(io.BytesIO(data))
    values: dict[str, str] = {}
    for key, value in book[STAMP_SHEET].iter_rows(values_only=True, max_col=2):
        if key:
            values[key] = values.get(key, "") + ("" if value is None else str(value))
    return values


def cell_rows(data: bytes) -> dict[tuple[str, str], int]:
    """Single layout: (element code, option key) → its row in the data sheet."""
    stamp = stamp_of(data)
    cells = json.loads(stamp["cells"])
    first = int(stamp["first_row"])
    return {tuple(c.split("|", 1)): first + i for i, c in enumerate(cells)}


def bulk_columns(data: bytes) -> dict[tuple[str, str], str]:
    """Bulk layout: (element code, option key) → its column letter."""
    from openpyxl.utils import get_column_letter

    cells = json.loads(stamp_of(data)["cells"])
    return {tuple(c.split("|", 1)): get_column_letter(3 + i) for i, c in enumerate(cells)}


def fill_single(data: bytes, values: dict[tuple[str, str], Any], *, edit=None) -> bytes:
    """The single-layout template with `values` typed into column F; `edit(book)` may change more."""
    rows = cell_rows(data)
    book = load_workbook(io.BytesIO(data))
    sheet = book[DATA_SHEET]
    for key, value in values.items():
        sheet[f"F{rows[key]}"] = value
    if edit is not None:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill_bulk(data: bytes, rows: dict[str, dict[tuple[str, str], Any]], *, edit=None) -> bytes:
    """The bulk template with each organisation's values typed into its row (found by the code in A)."""
    columns = bulk_columns(data)
    book = load_workbook(io.BytesIO(data))
    sheet = book[DATA_SHEET]
    where = {sheet[f"A{r}"].value: r for r in range(6, sheet.max_row + 1) if sheet[f"A{r}"].value}
    for code, values in rows.items():
        for key, value in values.items():
            sheet[f"{columns[key]}{where[code]}"] = value
    if edit is not None:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    assert path, "LibreOffice (Debian package libreoffice-calc-nogui) is required for these tests"
    return path


def libreoffice_resave(data: bytes) -> bytes:
    """The workbook opened and saved again as .xlsx by LibreOffice Calc (headless, own profile)."""
    with tempfile.TemporaryDirectory(prefix="lo-") as tmp:
        src = Path(tmp) / "in" / "book.xlsx"
        src.parent.mkdir()
        src.write_bytes(data)
        out = Path(tmp) / "out"
        out.mkdir()
        profile = Path(tmp) / "profile"
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                soffice(),
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": tmp},
        )
        return (out / "book.xlsx").read_bytes()


def rezip(
    data: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    """The same package with some parts replaced, added or removed."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def sheet_part(data: bytes, sheet_name: str) -> str:
    """The zip entry of a sheet, by its name."""
    import re

    workbook = part(data, "xl/workbook.xml").decode()
    rels = part(data, "xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet_name)}"[^>]*r:id="([^"]+)"', workbook)
    if rid is None:
        rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet_name)}"[^>]*id="([^"]+)"', workbook)
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    path = target.group(1) or target.group(2)
    return path.lstrip("/") if path.startswith("/") else "xl/" + path
