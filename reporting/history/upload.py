"""Past years' figures, reading: the office's spellings of a period and the uploaded sheet (header row, data rows).

parse_period(raw)     2019, 2019年, 2019Q3, 2019年第3季度 … as a period spec, or None
read_upload(path)     the first sheet's header row and data rows (after the security checks of
                      reporting/excel/container.py); ImportRefused when unreadable
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from reporting import periods
from reporting.excel.container import SheetInfo, column_letter, inspect_workbook, max_data_rows
from reporting.excel.problems import Code, ImportProblem, ImportRefused
from reporting.excel.reader import _empty, _load, _text, open_workbook

CellKey = tuple[str, str]


ORG_CODE_HEADERS = ("机构代码", "单位代码", "组织机构代码")
ORG_NAME_HEADERS = ("机构名称", "单位名称")
PERIOD_HEADERS = ("报告期", "报告期间", "期间", "年度")
HEADER_SEARCH_ROWS = 10  # a title may stand above the header row

# Problem codes of this import besides those of reporting/excel/problems.py.
NO_HEADER = "no_header"
UNKNOWN_PERIOD = "unknown_period"

# --- Periods in the office's spellings -----------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD_FORMS = (
    ("year", re.compile(r"^(\d{4})(?:年度?|年度|年年报|年报)?$")),
    ("quarter", re.compile(r"^(\d{4})[Qq]([1-4])$")),
    ("quarter", re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$")),
    ("half", re.compile(r"^(\d{4})[Hh]([12])$")),
    ("half", re.compile(r"^(\d{4})年?([上下])半年$")),
    ("month", re.compile(r"^(\d{4})年(\d{1,2})月份?$")),
    ("month", re.compile(r"^(\d{4})[-./](\d{1,2})$")),
    ("month", re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")),
)


def parse_period(raw: Any) -> periods.PeriodSpec | None:
    """The period a cell names in one of the usual forms (2019, 2019年, 2019年度, 2019Q3, 2019年第3季度,
    2019年第三季度, 2019H1, 2019年上半年, 2019年3月, 2019-03, 201903); None for anything else."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw))
    text = re.sub(r"\s+", "", text)
    if not text.isascii() and not re.fullmatch(r"[\d年度第季上下半月份QqHh一二三四报.\-/]+", text):
        return None
    for kind, pattern in _PERIOD_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2999:
            return None
        if kind == "year":
            return periods.spec_for("year", year)
        part = match.group(2)
        if kind == "quarter":
            return periods.spec_for("quarter", year, _CN_DIGITS[part])
        if kind == "half":
            return periods.spec_for("half_year", year, {"上": 1, "下": 2}.get(part) or int(part))
        month = int(part)
        if not 1 <= month <= 12:
            return None
        return periods.spec_for("month", year, month)
    return None


# --- Reading the file --------------------------------------------------------------------------------------------


@dataclass
class Column:
    """A figure column of the file: its 1-based index, letter and header as written."""

    index: int
    letter: str
    header: str


@dataclass
class Upload:
    """The first sheet of an uploaded workbook: where its header is, its columns and its data rows."""

    sheet: str
    header_row: int
    org_column: Column | None
    org_by_name: bool
    period_column: Column | None
    columns: list[Column]
    rows: list[tuple[int, list[Any]]]  # (sheet row number, cells)
    info: SheetInfo | None = None
    sha256: str = ""
    size: int = 0

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _refused(code: str, message: str, fix: str = "", **where) -> ImportRefused:
    return ImportRefused([ImportProblem(code, message, fix, **where)])


def normalise(text: str) -> str:
    """A header or name as compared: NFKC, no spaces or punctuation, no unit in brackets, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"[（(][^（）()]{0,12}[)）]$", "", text.strip())
    return re.sub(r"[\s·•\-_/\\,，、:：;；.。]+", "", text).lower()


def _find_header(grid: list[list[Any]]) -> int | None:
    wanted = {normalise(h) for h in (*ORG_CODE_HEADERS, *ORG_NAME_HEADERS)}
    for number, row in enumerate(grid[:HEADER_SEARCH_ROWS], start=1):
        if any(normalise(_text(v)) in wanted for v in row):
            return number
    return None


def read_upload(path: str) -> Upload:
    """The first visible sheet of the workbook at `path`, after the container's checks; ImportRefused when
    the file cannot be read or has no header row with 机构代码/机构名称 and 报告期."""
    inspection = inspect_workbook(path)
    book = open_workbook(path)
    sheet = next((s for s in inspection.sheets if s.state == "visible" and s.part), None)
    if sheet is None:
        raise _refused(Code.NO_DATA, _("没有数据"), _("工作簿中没有可读取的工作表。"))
    if sheet.max_row > max_data_rows() + HEADER_SEARCH_ROWS:
        raise _refused(
            Code.TOO_MANY_ROWS,
            _("数据行数超过上限：文件有 %(n)d 行数据，一次最多导入 %(max)d 行")
            % {"n": sheet.max_row, "max": max_data_rows()},
            _("请删除多余的行，或分成几个文件导入。"),
            sheet=sheet.name,
        )
    grid, _merged = _load(book, sheet.name)
    header_row = _find_header(grid)
    if header_row is None:
        raise _refused(
            NO_HEADER,
            _("找不到表头：前 %(n)d 行中没有“机构代码”或“机构名称”列") % {"n": HEADER_SEARCH_ROWS},
            _("请在第一行写表头：机构代码（或机构名称）、报告期，以及各项数据的名称。"),
            sheet=sheet.name,
        )
    header = grid[header_row - 1]
    org_code = org_name = period = None
    columns = []
    seen: Counter[str] = Counter()
    problems = []
    for index, raw in enumerate(header, start=1):
        text = _text(raw)
        if not text:
            continue
        key = normalise(text)
        column = Column(index, column_letter(index), text)
        if key in {normalise(h) for h in ORG_CODE_HEADERS} and org_code is None:
            org_code = column
        elif key in {normalise(h) for h in ORG_NAME_HEADERS} and org_name is None:
            org_name = column
        elif key in {normalise(h) for h in PERIOD_HEADERS} and period is None:
            period = column
        else:
            seen[key] += 1
            if seen[key] > 1:
                problems.append(
                    ImportProblem(
                        Code.HEADER_CHANGED,
                        _("表头“%(header)s”重复") % {"header": text},
                        _("请把重复的列改名或删除，每项数据只保留一列。"),
                        sheet=sheet.name,
                        row=header_row,
                        column=column.letter,
                        value=text,
                    )
                )
            columns.append(column)
    if period is None:
        problems.append(
            ImportProblem(
                Code.COLUMN_MISSING,
                _("缺少“报告期”列"),
                _("请增加一列“报告期”，填写 2019、2019年、2019Q3 或 2019年第3季度 这样的报告期。"),
                sheet=sheet.name,
                row=header_row,
                field=_("报告期"),
            )
        )
    if problems:
        raise ImportRefused(problems)
    rows = [
        (number, row)
        for number, row in enumerate(grid[header_row:], start=header_row + 1)
        if any(not _empty(v) for v in row)
    ]
    if not rows:
        raise _refused(Code.NO_DATA, _("没有数据"), _("表头下面没有任何数据行。"), sheet=sheet.name)
    return Upload(
        sheet=sheet.name,
        header_row=header_row,
        org_column=org_code or org_name,
        org_by_name=org_code is None,
        period_column=period,
        columns=columns,
        rows=rows,
        info=sheet,
        sha256=inspection.sha256,
        size=inspection.size,
    )


def signature(headers: list[str]) -> str:
    """The fingerprint of a file's shape: its figure headers, normalised, in order."""
    return hashlib.sha256(json.dumps([normalise(h) for h in headers], ensure_ascii=False).encode()).hexdigest()
