"""CSV and JSON bodies of the API's imports, read into the same entries as a workbook's cells.

CSV (UTF-8, a BOM allowed, RFC 4180): a header line, then one line per cell —

    element,option,value                      one report
    org,element,option,value                  a data set and period for a group (bulk)

JSON:

    {"values": [{"element": "WF_WORKERS", "option": "", "value": 1000}, …]}
    {"values": [{"org": "E-A1", "element": …, "option": …, "value": …}, …], "versions": {"E-A1": 3}}

`option` is the option combo key ("MIGRANT.MALE"; empty or missing for elements without a
breakdown). An empty value (or null) clears the cell. Problems name the CSV line or the JSON item
(1-based) and the column or key.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from reporting.excel.container import max_data_rows
from reporting.excel.problems import Code, ImportProblem, ImportRefused, shown
from reporting.excel.reader import Entry

CSV_TYPES = {"text/csv", "application/csv", "text/plain"}
JSON_TYPES = {"application/json"}
_MAX_LINES_PER_ROW = 100  # cells per organisation row allowed, on top of the row limit


@dataclass
class Body:
    """Entries read from a CSV or JSON body, with the problems found and optional per-org versions."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)
    version: int | None = None
    dry_run: bool | None = None
    seen: dict[tuple[str, tuple[str, str]], int] = field(default_factory=dict)


def _format(message: str, fix: str = "", **where) -> ImportProblem:
    return ImportProblem(Code.FORMAT, message, fix, **where)


def _max_lines() -> int:
    return max_data_rows() * _MAX_LINES_PER_ROW


def parse_body(raw: bytes, content_type: str, *, bulk: bool, default_org: str) -> Body:
    """Read a request body; ImportRefused when it cannot be read at all (wrong type, not UTF-8, not JSON)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in JSON_TYPES:
        return _parse_json(raw, bulk=bulk, default_org=default_org)
    if kind in CSV_TYPES:
        return _parse_csv(raw, bulk=bulk, default_org=default_org)
    raise ImportRefused(
        [
            _format(
                _("不支持的内容类型“%(type)s”") % {"type": kind or "-"}, _("请以 text/csv 或 application/json 提交。")
            )
        ],
        status=415,
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            [_format(_("内容不是 UTF-8 编码"), _("请以 UTF-8 编码提交（Excel 中另存为“CSV UTF-8”）。"))]
        ) from None


def _parse_csv(raw: bytes, *, bulk: bool, default_org: str) -> Body:
    text = _decode(raw)
    body = Body()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header:
        raise ImportRefused([_format(_("没有数据"), _("第一行应为表头，如 element,option,value。"), row=1)])
    columns = [h.strip().lower() for h in header]
    required = ["org", "element", "value"] if bulk else ["element", "value"]
    missing = [c for c in required if c not in columns]
    unknown = [h for h in columns if h not in ("org", "element", "option", "value")]
    if missing or unknown or len(set(columns)) != len(columns):
        raise ImportRefused(
            [
                _format(
                    _("表头不正确：%(header)s") % {"header": ",".join(header)},
                    _("表头应为 %(want)s（option 可省略）。")
                    % {"want": ",".join(["org"] * bulk + ["element", "option", "value"])},
                    row=1,
                )
            ]
        )
    index = {name: columns.index(name) for name in columns}
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if line > _max_lines():
                raise ImportRefused(
                    [_format(_("行数超过上限（%(n)d 行）") % {"n": _max_lines()}, _("请分批导入。"), row=line)]
                )
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                body.problems.append(
                    _format(
                        _("这一行有 %(n)d 列，表头有 %(m)d 列") % {"n": len(row), "m": len(columns)},
                        _("含逗号的内容须用英文双引号括起来。"),
                        row=line,
                    )
                )
                continue
            values = {name: row[i] for name, i in index.items()}
            _add(body, line, values, bulk=bulk, default_org=default_org, value_column="value")
    except csv.Error as error:
        body.problems.append(
            _format(_("CSV 格式错误：%(error)s") % {"error": error}, _("请按 RFC 4180 的格式提交。"), row=line + 1)
        )
    if not body.entries and not body.problems:
        body.problems.append(_format(_("没有数据"), _("表头之后至少应有一行数据。"), row=2))
    return body


def _parse_json(raw: bytes, *, bulk: bool, default_org: str) -> Body:
    text = _decode(raw)
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError as error:
        raise ImportRefused([_format(_("JSON 格式错误：%(error)s") % {"error": error})]) from None
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise ImportRefused(
            [
                _format(
                    _("JSON 应为对象，且含有 values 数组"),
                    _('如 {"values": [{"element": "WF_WORKERS", "option": "", "value": 1000}]}。'),
                )
            ]
        )
    allowed = {"values", "versions", "version", "dry_run", "period", "org"}
    unknown = sorted(k for k in data if k not in allowed)
    body = Body()
    if unknown:
        body.problems.append(
            _format(
                _("不认识的字段：%(keys)s") % {"keys": "、".join(unknown)},
                _("允许的字段：%(keys)s。") % {"keys": "、".join(sorted(allowed))},
            )
        )
    if "dry_run" in data:
        if not isinstance(data["dry_run"], bool):
            body.problems.append(_format(_("dry_run 应为 true 或 false"), column="dry_run"))
        else:
            body.dry_run = data["dry_run"]
    if "version" in data:
        if not isinstance(data["version"], int) or isinstance(data["version"], bool) or data["version"] < 1:
            body.problems.append(_format(_("version 应为正整数"), column="version"))
        else:
            body.version = data["version"]
    versions = data.get("versions", {})
    if not isinstance(versions, dict) or any(not isinstance(v, int) or isinstance(v, bool) for v in versions.values()):
        body.problems.append(_format(_("versions 应为 {机构代码: 版本号} 对象"), column="versions"))
    else:
        body.versions = {str(k): v for k, v in versions.items()}
    items = data["values"]
    if len(items) > _max_lines():
        raise ImportRefused([_format(_("数据项超过上限（%(n)d 项）") % {"n": _max_lines()}, _("请分批导入。"))])
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            body.problems.append(_format(_("每一项应为对象"), row=number))
            continue
        extra = sorted(k for k in item if k not in ("org", "element", "option", "value"))
        if extra:
            body.problems.append(
                _format(_("不认识的字段：%(keys)s") % {"keys": "、".join(extra)}, row=number, column=extra[0])
            )
            continue
        value = item.get("value")
        if isinstance(value, dict | list):
            body.problems.append(
                _format(_("value 应为数字、文字、true/false 或 null"), row=number, column="value", value=shown(value))
            )
            continue
        texts = {}
        for key in ("org", "element", "option"):
            part = item.get(key, "")
            if part is None:
                part = ""
            if not isinstance(part, str):
                body.problems.append(
                    _format(_("%(key)s 应为文字") % {"key": key}, row=number, column=key, value=shown(part))
                )
                break
            texts[key] = part
        else:
            _add(body, number, {**texts, "value": value}, bulk=bulk, default_org=default_org, value_column="value")
    if not items:
        body.problems.append(_format(_("没有数据"), _("values 数组至少应有一项。"), column="values"))
    return body


def _add(body: Body, number: int, values: dict[str, Any], *, bulk: bool, default_org: str, value_column: str) -> None:
    element = (values.get("element") or "").strip()
    option = (values.get("option") or "").strip()
    org = (values.get("org") or "").strip() if bulk else default_org
    if not element:
        body.problems.append(
            _format(_("缺少数据元代码"), _("element 列须填写数据元代码，如 WF_WORKERS。"), row=number, column="element")
        )
        return
    if bulk and not org:
        body.problems.append(_format(_("缺少机构代码"), _("org 列须填写机构代码。"), row=number, column="org"))
        return
    given = (values.get("org") or "").strip()
    if not bulk and given and given != default_org:
        # One report's import: a row naming another organisation would put its figures under this one's name.
        body.problems.append(
            ImportProblem(
                Code.WRONG_ORG,
                _("这一行属于机构 %(code)s，不属于本报表的机构 %(own)s") % {"code": given, "own": default_org},
                _("请删除 org 列，或把这一行导入该机构自己的报表。"),
                row=number,
                column="org",
                value=given,
                org=given,
            )
        )
        return
    raw = values.get("value")
    if raw == "":
        raw = None
    first = body.seen.setdefault((org, (element, option)), number)
    if first != number:
        body.problems.append(
            ImportProblem(
                Code.DUPLICATE_ORG,
                _("同一项在第 %(first)d 行和第 %(row)d 行重复出现") % {"first": first, "row": number},
                _("每一项只能出现一次。"),
                row=number,
                column="element",
                field=f"{element}[{option}]",
                org=org,
            )
        )
        return
    body.entries.append(Entry(org, (element, option), raw, "", number, value_column, f"{element}[{option}]"))
