"""Test helpers for the people import: a filled template as an upload, and reading it back."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import importing

HEADERS = [c.header + ("*" if c.required else "") for c in importing.COLUMNS]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows, *, headers=None, sheet: str = importing.SHEET) -> bytes:
    """A workbook with sheet `sheet`: `headers` (the template's by default), then `rows` as typed."""
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(list(headers or HEADERS))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(rows, *, name: str = "人员.xlsx", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows, **kwargs), content_type=XLSX_TYPE)


def book(rows, **kwargs) -> importing.Workbook:
    return importing.read_workbook(upload(rows, **kwargs))
