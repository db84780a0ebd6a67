"""Reading an uploaded organisation file: .xlsx (checked as a package first) or CSV.

An .xlsx is refused before any reader parses it when it is not a plain workbook we can read safely, with the
upload rules every app follows (core/files.py: the content must be an .xlsx, macro-enabled packages are refused)
and these on top:

- the zip directory: how many parts, how far they inflate in all and each against its compressed size (bombs);
- no macro content types, VBA, ActiveX or macro sheets under another name;
- no external link, data connection or query table (a security event), no DTD or entity declaration in any
  XML part (billion laughs, XXE);
- no formula in the data sheet: the tree is plain values (a formula reaching outside is a security event).

Then python-calamine reads the values of the sheet 组织机构. A CSV is UTF-8 (with or without BOM; GB18030 as
saved by older Excel is accepted too), comma-separated, header first.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.files import XLSX, sniff
from orgs.transfer.columns import SHEET
from orgs.transfer.problems import Code, FileRefused, Problem

_CHUNK = 1 << 20
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_DANGEROUS = re.compile(
    rb"HYPERLINK|WEBSERVICE|FILTERXML|CALL\s*\(|REGISTER|EXEC|RTD|DDE|IMPORTXML|IMPORTDATA|\[\d+\]|\|", re.IGNORECASE
)
MACRO_NAMES = ("vbaproject", "vbadata", "/activex/", "/macrosheets/", "/dialogsheets/")
EXTERNAL_NAMES = ("/externallinks/", "/connections.xml", "/querytables/")


def max_bytes() -> int:
    return int(getattr(settings, "ORG_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "ORG_IMPORT_MAX_ROWS", 20_000))


def _max_inflated() -> int:
    return int(getattr(settings, "ORG_IMPORT_MAX_INFLATED", 200 * 1024 * 1024))


_MAX_PARTS = 1000
_MAX_RATIO = 250


@dataclass
class Table:
    """The data sheet as read: its name, the header row, and each non-empty row with its spreadsheet row number."""

    sheet: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def _refuse(code: str, message: str, fix: str = "", *, status: int = 400, security: bool = False) -> FileRefused:
    return FileRefused([Problem(code, message, fix, security=security)], status=status)


def _not_readable(fix: str = "") -> FileRefused:
    return _refuse(
        Code.NOT_READABLE,
        _("不是有效的 .xlsx 文件"),
        fix or _("请用 Excel 或 WPS 打开文件，另存为“Excel 工作簿（*.xlsx）”或 CSV（UTF-8）后再上传。"),
    )


def too_large(size: int) -> FileRefused:
    return _refuse(
        Code.TOO_LARGE,
        _("文件过大（%(size).1f MB），上限为 %(limit)d MB") % {"size": size / 1048576, "limit": max_bytes() // 1048576},
        _("请删除多余的工作表和图片，或分批导入。"),
        status=413,
    )


def _segments(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """A part's bytes in chunks (with a little overlap, so a tag split between chunks is still seen)."""
    tail = b""
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                yield tail + chunk
                tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        raise _not_readable(_("文件已损坏、不完整或已加密；请用 Excel 或 WPS 打开后重新保存再上传。")) from None


def _sheet_part(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The zip part of the sheet named 组织机构, from workbook.xml and its relationships (regex over small parts)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError):
        return None
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\b\w+:id="([^"]*)"', tag)
        if name and rid and _xml_unescape(name.group(1)) == SHEET:
            for rel in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
                if f'Id="{rid.group(1)}"' in rel:
                    target = re.search(r'Target="([^"]*)"', rel)
                    if target:
                        part = target.group(1).lstrip("/")
                        part = part if part.startswith("xl/") else f"xl/{part}"
                        return part if part in names else None
    return None


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def inspect_xlsx(path: Path) -> None:
    """Refuse (FileRefused) an .xlsx that is not a plain, safe workbook; see the module docstring."""
    size = path.stat().st_size
    if size > max_bytes():
        raise too_large(size)
    with path.open("rb") as fh:
        if sniff(fh) is not XLSX:
            head = fh.read(8)
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                raise _not_readable(
                    _(
                        "这是旧版 Excel（.xls）、WPS（.et）或设置了打开密码的文件；"
                        "请打开后另存为“Excel 工作簿（*.xlsx）”再上传。"
                    )
                )
            names = _zip_names(fh)
            if any(n in "/" + name.lower() for name in names for n in MACRO_NAMES):
                raise _macros()
            raise _not_readable()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_readable() from None
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_PARTS:
            raise _refuse(
                Code.ZIP_BOMB,
                _("文件包含的部件过多（%(n)d 个），拒绝读取") % {"n": len(infos)},
                _("请使用本系统下载的模板重新填写。"),
            )
        if sum(i.file_size for i in infos) > _max_inflated():
            raise _refuse(
                Code.ZIP_BOMB, _("文件解压后过大，拒绝读取"), _("请删除多余的工作表、图片和空行后再上传，或分批导入。")
            )
        for info in infos:
            if info.flag_bits & 0x1:
                raise _not_readable(_("文件设置了密码；请清除密码后重新保存再上传。"))
            if info.file_size > 1024 * 1024 and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
                raise _refuse(
                    Code.ZIP_BOMB, _("文件的压缩比异常，拒绝读取"), _("请用 Excel 或 WPS 打开后重新保存再上传。")
                )
        names = {i.filename for i in infos}
        lowered = ["/" + n.lower() for n in names]
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        if (
            b"macroEnabled" in content_types
            or b"vbaProject" in content_types
            or any(m in n for n in lowered for m in MACRO_NAMES)
        ):
            raise _macros()
        external = sorted(n for n in names if any(m in "/" + n.lower() for m in EXTERNAL_NAMES))
        rels = archive.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
        if external or b"/externalLink" in rels or b"/connections" in rels or b'TargetMode="External"' in rels:
            raise _refuse(
                Code.EXTERNAL,
                _("文件含有外部链接或数据连接（%(parts)s），出于安全原因拒绝导入")
                % {"parts": "、".join(external[:3]) or "xl/_rels/workbook.xml.rels"},
                _("请在 Excel 中通过“数据 → 编辑链接 → 断开链接”并删除数据连接，保存后再上传。"),
                security=True,
            )
        data_part = _sheet_part(archive, names)
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            for segment in _segments(archive, info):
                if _DTD.search(segment):
                    raise _refuse(
                        Code.XML_INVALID,
                        _("文件结构无效"),
                        _("文件中含有不允许的 XML 内容；请用 Excel 或 WPS 打开后重新保存为 .xlsx 再上传。"),
                    )
                if info.filename == data_part and _FORMULA_TAG.search(segment):
                    dangerous = bool(_DANGEROUS.search(segment))
                    raise _refuse(
                        Code.FORMULA,
                        _("工作表“%(sheet)s”中含有公式%(why)s，拒绝导入")
                        % {"sheet": SHEET, "why": _("（含有指向外部的函数或链接）") if dangerous else ""},
                        _("组织机构表只接受数值：请复制后“选择性粘贴 → 数值”，删除公式再上传。"),
                        security=dangerous,
                    )


def _macros() -> FileRefused:
    return _refuse(
        Code.MACROS,
        _("文件含有宏或 ActiveX 控件（.xlsm），出于安全原因不予导入，宏不会被执行"),
        _("请在 Excel 中另存为“Excel 工作簿（*.xlsx）”（不含宏）后再上传。"),
    )


def _zip_names(fh) -> list[str]:
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            return archive.namelist()[:_MAX_PARTS]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def read_xlsx(path: Path) -> Table:
    """The sheet 组织机构 of a workbook that passed `inspect_xlsx`: its headers and non-empty rows."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        if SHEET not in workbook.sheet_names:
            raise FileRefused(
                [
                    Problem(
                        Code.SHEET_MISSING,
                        _("找不到名为“%(sheet)s”的工作表") % {"sheet": SHEET},
                        _("请下载模板，在“%(sheet)s”工作表中填写（不要改工作表的名称）。") % {"sheet": SHEET},
                    )
                ]
            )
        sheet = workbook.get_sheet_by_name(SHEET)
        if sheet.height > max_rows() + 1:
            raise _too_many_rows(sheet.height - 1)
        rows = sheet.to_python(skip_empty_area=False)
    except FileRefused:
        raise
    except Exception as error:  # noqa: BLE001 - any reader failure is "not a readable workbook"
        raise _not_readable(
            _("无法读取该 Excel 文件（可能已损坏或加密），请用 Excel 或 WPS 重新保存后上传。")
        ) from error
    return _table(SHEET, rows)


def _too_many_rows(count: int) -> FileRefused:
    return _refuse(
        Code.TOO_MANY_ROWS,
        _("文件有 %(n)d 行数据，超过一次导入的上限 %(limit)d 行") % {"n": count, "limit": max_rows()},
        _("请分批导入，例如每个产业系统公司工会一个文件。"),
    )


def _table(sheet: str, rows: list[list[Any]]) -> Table:
    if not rows:
        return Table(sheet, [])
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(sheet, headers)
    for number, row in enumerate(rows[1:], start=2):
        if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in row):
            table.rows.append((number, list(row)))
    return table


def read_csv(path: Path) -> Table:
    """A CSV file's header and non-empty rows (UTF-8, or GB18030 as older Excel saves it)."""
    size = path.stat().st_size
    if size > max_bytes():
        raise too_large(size)
    raw = path.read_bytes()
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG")) or b"\x00" in raw[:4096]:
        raise _refuse(
            Code.NOT_READABLE,
            _("不是有效的 CSV 文件"),
            _("请上传 .xlsx 工作簿，或另存为“CSV UTF-8（逗号分隔）”后再上传。"),
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise _refuse(
                Code.NOT_READABLE, _("CSV 文件的编码无法识别"), _("请另存为“CSV UTF-8（逗号分隔）”后再上传。")
            ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise _refuse(
            Code.NOT_READABLE,
            _("CSV 格式错误：%(error)s") % {"error": error},
            _("请检查引号是否成对，或另存为“CSV UTF-8（逗号分隔）”后再上传。"),
        ) from None
    if len(rows) > max_rows() + 1:
        raise _too_many_rows(len(rows) - 1)
    return _table("", [[v if v != "" else None for v in row] for row in rows])


def read_file(path: Path, kind: str) -> Table:
    """The table of an upload stored at `path`; `kind` is "xlsx" or "csv" (FileRefused when unreadable)."""
    if kind == "xlsx":
        inspect_xlsx(path)
        return read_xlsx(path)
    return read_csv(path)


def kind_of(filename: str) -> str | None:
    """ "xlsx" or "csv" by the uploaded name's extension; None for any other."""
    lower = (filename or "").lower()
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".csv"):
        return "csv"
    return None
