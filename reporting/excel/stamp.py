"""The version stamp: a hidden sheet that says which form, version, organisation and period a
template was made for, signed so that an edited stamp is recognised.

The sheet is found by its name, never by its position (sheets can be reordered, and LibreOffice
turns "very hidden" into "hidden"). Long values are split over several rows with the same key.
The signature is an HMAC of the other fields with the site's secret key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from typing import Any

from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from reporting.excel.problems import Code, ImportProblem, ImportRefused

STAMP_SHEET = "模板信息"
DATA_SHEET = "填报数据"
HELP_SHEET = "说明"
ERRORS_SHEET = "错误清单"

FORMAT = "changai-reporting-template"
SCHEMA = "1"
SINGLE = "single"  # one organisation: one row per cell
BULK = "bulk"  # a group's subsidiaries: one row per organisation, one column per cell
_SALT = "reporting.excel.stamp"
_CHUNK = 30_000  # an Excel cell holds at most 32,767 characters


def layout_hash(dataset_code: str, version_number: int, cells: list[tuple[str, str, str]]) -> str:
    """A digest of a version's structure: its cells (element code, option key, value type) in order."""
    body = json.dumps([dataset_code, version_number, cells], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Stamp:
    """What a template was made for. `cells` are "CODE|KEY" in template order; `labels` are the column
    headers (bulk) or the row labels (single) written in the data sheet."""

    dataset: str
    version: int
    period: str
    org: str
    layout: str
    filled: bool
    cells: tuple[str, ...]
    labels: tuple[str, ...]
    first_row: int
    template_id: str
    layout_hash: str
    created_at: str
    created_by: str

    def payload(self) -> dict[str, str]:
        return {
            "format": FORMAT,
            "schema": SCHEMA,
            "dataset": self.dataset,
            "version": str(self.version),
            "period": self.period,
            "org": self.org,
            "layout": self.layout,
            "filled": "1" if self.filled else "0",
            "cells": json.dumps(list(self.cells), ensure_ascii=False),
            "labels": json.dumps(list(self.labels), ensure_ascii=False),
            "first_row": str(self.first_row),
            "template_id": self.template_id,
            "layout_hash": self.layout_hash,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }

    def signature(self) -> str:
        body = json.dumps(self.payload(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return salted_hmac(_SALT, body, algorithm="sha256").hexdigest()

    def rows(self) -> list[tuple[str, str]]:
        """(key, value) rows for the stamp sheet, long values split, the signature last."""
        rows = []
        for key, value in self.payload().items():
            for start in range(0, max(len(value), 1), _CHUNK):
                rows.append((key, value[start : start + _CHUNK]))
        rows.append(("signature", self.signature()))
        return rows

    @property
    def cell_keys(self) -> list[tuple[str, str]]:
        return [tuple(c.split("|", 1)) for c in self.cells]  # type: ignore[misc]


def stamp_invalid() -> ImportRefused:
    return ImportRefused(
        [
            ImportProblem(
                Code.STAMP_INVALID,
                _("模板信息已损坏或被修改，无法确认这是本系统生成的模板"),
                _("请重新下载模板，把数据复制到新模板的浅黄色单元格中后再上传。"),
                sheet=STAMP_SHEET,
            )
        ]
    )


def parse_stamp(rows: list[list[Any]]) -> Stamp:
    """The stamp from the stamp sheet's rows; ImportRefused when it is incomplete or its signature fails."""
    values: dict[str, str] = {}
    for row in rows:
        if len(row) < 2 or not isinstance(row[0], str) or not row[0]:
            continue
        key, value = row[0], row[1]
        if isinstance(value, float) and value.is_integer():  # a re-saving office suite may type numbers
            value = str(int(value))
        values[key] = values.get(key, "") + ("" if value is None else str(value))
    if values.get("format") != FORMAT:
        raise stamp_invalid()
    try:
        stamp = Stamp(
            dataset=values["dataset"],
            version=int(values["version"]),
            period=values["period"],
            org=values["org"],
            layout=values["layout"],
            filled=values["filled"] == "1",
            cells=tuple(json.loads(values["cells"])),
            labels=tuple(json.loads(values["labels"])),
            first_row=int(values["first_row"]),
            template_id=values["template_id"],
            layout_hash=values["layout_hash"],
            created_at=values["created_at"],
            created_by=values["created_by"],
        )
    except (KeyError, ValueError, TypeError):
        raise stamp_invalid() from None
    if stamp.layout not in (SINGLE, BULK) or stamp.first_row < 2 or len(stamp.cells) != len(stamp.labels):
        raise stamp_invalid()
    if values.get("schema") != SCHEMA or not constant_time_compare(values.get("signature", ""), stamp.signature()):
        raise stamp_invalid()
    return stamp


STAMP_FIELDS = tuple(f.name for f in fields(Stamp))
