"""Checks on an uploaded workbook before any spreadsheet library reads it.

`inspect_workbook()` looks at the file as bytes and as a zip package, and refuses it (raising
`ImportRefused`) when it is not a plain .xlsx we can read safely:

- the size, then the magic bytes: an OLE compound file is an old .xls/.et or a workbook with a
  password to open; anything that is not a zip is not an .xlsx;
- the zip directory before inflating anything: number of parts, duplicate names, the sum of the
  declared sizes and each part's compression ratio (zip bombs);
- the package: a workbook part of the transitional .xlsx type (not .xlsm, .xlsb or Strict Open
  XML), no VBA project, macro sheet or ActiveX control, no external link or data connection;
- every XML part, inflated in bounded chunks (Python's zipfile never inflates past the declared
  size, and a wrong checksum fails): no DTD or entity declarations (billion laughs, XXE), UTF-8;
- each worksheet: where its cells with values end, so that a stray value at XFD1048576 cannot
  make the reader allocate the whole sheet, and whether it holds formulas or error values.

Formulas are read from the sheet XML with defusedxml (python-calamine gives cached values only):
each one is checked for DDE, external references and functions that reach outside the workbook.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.utils.translation import gettext as _

from reporting.excel.problems import Code, ImportProblem, ImportRefused, shown

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = DOC_REL_NS + "/officeDocument"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

XLSX_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
MACRO_MAIN = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}
MACRO_PARTS = {
    "application/vnd.ms-office.vbaProject",
    "application/vnd.ms-office.activeX+xml",
    "application/vnd.ms-office.activeX",
    "application/vnd.ms-excel.macrosheet+xml",
    "application/vnd.ms-excel.intlmacrosheet+xml",
}
EXTERNAL_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml",
}
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Parts recognised by name and by relationship type too: a crafted package may declare a VBA project or
# an external link under a harmless content type (or none), and Excel still finds them (issue 11).
MACRO_NAMES = ("vbaproject", "vbadata", "/activex/", "/macrosheets/", "/dialogsheets/")
EXTERNAL_NAMES = ("/externallinks/", "/connections.xml", "/querytables/")
MACRO_RELS = ("/vbaProject", "/activeXControl", "/xlMacrosheet", "/xlIntlMacrosheet", "/dialogsheet")
EXTERNAL_RELS = ("/externalLink", "/connections", "/queryTable", "/externalLinkPath")


def _named_like(names, fragments) -> list[str]:
    return sorted(n for n in names if any(f in "/" + n.lower() for f in fragments))


_CHUNK = 4 << 20
_SMALL_PART = 16 << 20  # content types, relationships and the workbook part are parsed whole
_MAX_COLUMN_LETTERS = 2  # values beyond column ZZ are refused before the reader sees them
_MAX_COLUMN_INDEX = 702


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_upload_bytes() -> int:
    return _limit("REPORTING_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_data_rows() -> int:
    return _limit("REPORTING_IMPORT_MAX_ROWS", 100_000)


def _max_parts() -> int:
    return _limit("REPORTING_IMPORT_MAX_PARTS", 1000)


def _max_inflated() -> int:
    return _limit("REPORTING_IMPORT_MAX_INFLATED", 300 * 1024 * 1024)


def _max_ratio() -> int:
    return _limit("REPORTING_IMPORT_MAX_RATIO", 250)


def _cell_budget() -> int:
    """The most cells a sheet's value area may span (its width × height), bounding the reader's memory."""
    return _limit("REPORTING_IMPORT_MAX_CELLS", 8_000_000)


# --- What the inspection finds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormulaCell:
    """A cell with a formula, as stored: its text, whether a calculated value was saved with it."""

    ref: str
    text: str
    has_value: bool
    error: str = ""  # the saved value when it is an Excel error (#DIV/0! …)


@dataclass
class SheetInfo:
    """One sheet of the workbook as the package describes it, and what the scan found in it."""

    name: str
    state: str  # visible, hidden, veryHidden
    part: str  # zip entry name; "" for chart sheets and the like
    max_row: int = 0  # last row holding a value (1-based), 0 when none
    max_column: int = 0  # last column holding a value when measured exactly, else an upper bound
    formulas: dict[str, FormulaCell] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # ref → error value, for cells without formula


@dataclass
class Inspection:
    """The outcome of `inspect_workbook`: the sheets in workbook order, the file's digest and size."""

    sheets: list[SheetInfo]
    sha256: str
    size: int

    def sheet(self, name: str) -> SheetInfo | None:
        return next((s for s in self.sheets if s.name == name), None)


def _refuse(code: str, message: str, fix: str = "", status: int = 400, **where) -> ImportRefused:
    return ImportRefused([ImportProblem(code, message, fix, **where)], status=status)


def _not_xlsx(fix: str = "") -> ImportRefused:
    return _refuse(
        Code.NOT_XLSX,
        _("不是有效的 .xlsx 文件"),
        fix or _("请用 Excel 或 WPS 打开文件，另存为“Excel 工作簿（*.xlsx）”后再上传。"),
    )


def _invalid_structure(detail: str = "") -> ImportRefused:
    return _refuse(
        Code.XML_INVALID,
        _("文件结构无效"),
        detail or _("文件中含有不允许的 XML 内容；请用 Excel 或 WPS 打开后重新保存为 .xlsx 再上传。"),
    )


def _corrupt() -> ImportRefused:
    return _refuse(
        Code.CORRUPT,
        _("文件已损坏或不完整，无法读取"),
        _("请确认文件已完整下载或保存，用 Excel 或 WPS 打开后重新保存再上传。"),
    )


# --- Bytes and the zip directory ----------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str | bytes) -> int:
    """A → 1, AA → 27."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _check_magic(path: str, size: int) -> None:
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head == OLE_MAGIC:
            # An encrypted .xlsx is an OLE container holding "EncryptedPackage"; anything else in
            # OLE form is an old binary workbook (.xls, WPS .et) or another Office file.
            fh.seek(0)
            body = fh.read(min(size, 64 * 1024 * 1024))
            if "EncryptedPackage".encode("utf-16-le") in body or "EncryptionInfo".encode("utf-16-le") in body:
                raise _refuse(
                    Code.ENCRYPTED,
                    _("文件设置了打开密码（已加密），无法读取"),
                    _("请在 Excel 中通过“文件 → 信息 → 保护工作簿 → 用密码进行加密”清除密码，保存后再上传。"),
                )
            raise _not_xlsx(
                _("这是旧版 Excel（.xls）或 WPS（.et）格式的文件；请打开后另存为“Excel 工作簿（*.xlsx）”再上传。")
            )
    if head[:4] != ZIP_MAGIC:
        raise _not_xlsx()


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > _max_parts():
        raise _refuse(
            Code.ZIP_BOMB,
            _("文件包含的部件过多（%(n)d 个），拒绝读取") % {"n": len(infos)},
            _("正常的 .xlsx 文件只有几十个部件；请使用本系统下载的模板重新填写。"),
        )
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _invalid_structure(_("文件中有重复的部件名称；请用 Excel 或 WPS 打开后重新保存再上传。"))
    total = sum(i.file_size for i in infos)
    if total > _max_inflated():
        raise _refuse(
            Code.ZIP_BOMB,
            _("文件解压后过大（约 %(mb)d MB），拒绝读取") % {"mb": total // (1024 * 1024)},
            _("请删除多余的工作表、图片和空行后再上传，或分批导入。"),
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise _not_xlsx()
        if info.file_size > 1024 * 1024 and info.file_size > _max_ratio() * max(info.compress_size, 1):
            raise _refuse(
                Code.ZIP_BOMB,
                _("文件的压缩比异常（%(name)s 解压后是压缩前的 %(ratio)d 倍），拒绝读取")
                % {"name": info.filename, "ratio": info.file_size // max(info.compress_size, 1)},
                _("请用 Excel 或 WPS 打开后重新保存再上传。"),
            )


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > _SMALL_PART:
        raise _invalid_structure()
    try:
        with zf.open(info) as fh:
            return fh.read(_SMALL_PART + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _corrupt() from None
    except (NotImplementedError, RuntimeError):
        raise _not_xlsx() from None


def _check_encoding(data: bytes) -> None:
    # Every producer writes UTF-8; another encoding would slip past the byte scans below.
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:64]:
        raise _invalid_structure()


def _parse_xml(zf: zipfile.ZipFile, name: str):
    data = _read_part(zf, name)
    _check_encoding(data)
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError):
        raise _invalid_structure() from None


def _content_types(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part name (without the leading /) → content type, from [Content_Types].xml."""
    root = _parse_xml(zf, "[Content_Types].xml")
    defaults = {el.get("Extension", "").lower(): el.get("ContentType", "") for el in root.iter(f"{{{CT_NS}}}Default")}
    overrides = {
        el.get("PartName", "").lstrip("/"): el.get("ContentType", "") for el in root.iter(f"{{{CT_NS}}}Override")
    }
    types = {}
    for name in zf.namelist():
        if name.endswith("/"):
            continue
        types[name] = overrides.get(name) or defaults.get(PurePosixPath(name).suffix.lstrip(".").lower(), "")
    return types


def _relationships(zf: zipfile.ZipFile, source: str) -> list[tuple[str, str, str, str]]:
    """(id, type, target part, target mode) of a part's relationships; targets resolved to part names."""
    folder = PurePosixPath(source).parent
    rels_name = str(folder / "_rels" / (PurePosixPath(source).name + ".rels")).lstrip("./")
    if source == "":
        rels_name = "_rels/.rels"
    if rels_name not in zf.namelist():
        return []
    root = _parse_xml(zf, rels_name)
    result = []
    for el in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        target = el.get("Target", "")
        mode = el.get("TargetMode", "")
        if mode != "External":
            path = PurePosixPath(target.lstrip("/")) if target.startswith("/") else folder / target
            parts: list[str] = []
            for piece in path.parts:
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece not in (".", ""):
                    parts.append(piece)
            target = "/".join(parts)
        result.append((el.get("Id", ""), el.get("Type", ""), target, mode))
    return result


# --- Streaming scans of XML parts ------------------------------------------------------------------------------


def _segments(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks that each end right after a '>' (so no tag is ever split)."""
    carry = b""
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                buffer = carry + chunk
                cut = buffer.rfind(b">") + 1
                if cut == 0:
                    if len(buffer) > 4 * _CHUNK:
                        raise _invalid_structure()
                    carry = buffer
                    continue
                yield buffer[:cut]
                carry = buffer[cut:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _corrupt() from None
    except (NotImplementedError, RuntimeError):
        raise _not_xlsx() from None
    if carry:
        yield carry


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    first = True
    for segment in _segments(zf, info):
        if first:
            _check_encoding(segment)
            first = False
        if _DTD.search(segment):
            raise _invalid_structure()


@dataclass
class _SheetScan:
    max_row: int = 0
    max_column: int = 0
    exact: bool = False
    formulas: bool = False
    errors: bool = False


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet_name: str) -> _SheetScan:
    """Find where the cells with values end, cheaply, and whether formulas or error values occur.

    Cells without a value (only formatting, e.g. a used range stretched to XFD1048576) are
    self-closing tags and are not counted. When the row tags alone cannot bound the value area
    within the cell budget, every cell tag is measured (a slower, exact pass).
    """
    scan = _SheetScan()
    prefix = None
    counts = {"c": 0, "c_r": 0, "row": 0, "row_r": 0}
    wide = False
    for segment in _segments(zf, info):
        if prefix is None:
            _check_encoding(segment)
            root = _ROOT.search(segment)
            if root is None:
                raise _invalid_structure()
            prefix = (root.group(1) + b":") if root.group(1) else b""
            cell, row, formula = b"<" + prefix + b"c", b"<" + prefix + b"row", b"<" + prefix + b"f"
            rows_re = re.compile(re.escape(row) + rb' r="(\d+)"[^>/]*>')
            wide_re = re.compile(re.escape(cell) + rb' r="[A-Z]{%d,}\d+"[^>/]*>' % (_MAX_COLUMN_LETTERS + 1))
            formula_re = re.compile(re.escape(formula) + rb"[\s>/]")
            error_re = re.compile(re.escape(cell) + rb'\s[^>]*\bt="e"')
        if _DTD.search(segment):
            raise _invalid_structure()
        counts["c"] += segment.count(cell + b" ") + segment.count(cell + b">")
        counts["c_r"] += segment.count(cell + b' r="')
        counts["row"] += segment.count(row + b" ") + segment.count(row + b">")
        counts["row_r"] += segment.count(row + b' r="')
        rows = rows_re.findall(segment)
        if rows:
            scan.max_row = max(scan.max_row, max(int(r) for r in rows))
        wide = wide or bool(wide_re.search(segment))
        scan.formulas = scan.formulas or bool(formula_re.search(segment))
        scan.errors = scan.errors or bool(error_re.search(segment))
    if prefix is None:
        return scan
    if counts["c"] != counts["c_r"]:
        # Cells without a position: every producer we know writes one; without it the value area
        # cannot be bounded before reading.
        raise _invalid_structure(
            _("工作表“%(sheet)s”中有单元格缺少位置信息；请用 Excel 或 WPS 打开后重新保存再上传。")
            % {"sheet": sheet_name}
        )
    bounded = counts["row"] == counts["row_r"] and not wide
    if bounded and scan.max_row * _MAX_COLUMN_INDEX <= _cell_budget() and scan.max_row <= max_data_rows() + 10:
        scan.max_column = _MAX_COLUMN_INDEX
        return scan
    # Exact pass (the part is inflated again rather than kept): the last row and column of cells
    # that hold something.
    valued = re.compile(re.escape(cell) + rb' r="([A-Z]+)(\d+)"[^>/]*>')
    max_row = max_column = 0
    for segment in _segments(zf, info):
        for letters, number in valued.findall(segment):
            max_column = max(max_column, column_index(letters))
            max_row = max(max_row, int(number))
    scan.max_row, scan.max_column, scan.exact = max_row, max_column, True
    return scan


# --- Formulas ----------------------------------------------------------------------------------------------------

_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_FUNCTION = re.compile(
    r"(?<![A-Za-z0-9_.])(?:_xlfn\.|_xll\.|_xlws\.)?"
    r"(HYPERLINK|WEBSERVICE|FILTERXML|CALL|REGISTER|REGISTER\.ID|EXEC|RTD|DDE|DDEAUTO|IMAGE|"
    r"IMPORTXML|IMPORTDATA|IMPORTHTML|IMPORTFEED|IMPORTRANGE)\s*\(",
    re.IGNORECASE,
)
_EXTERNAL_REF = re.compile(r"\[\d+\]|\[[^\]]*\.(?:xl[a-z]{1,2}|csv|ods|et)\]|[a-z]+://|\\\\", re.IGNORECASE)


def formula_danger(text: str) -> str:
    """Why a formula reaches outside the workbook ("" when it does not): DDE, a link, a web call."""
    code = _STRING_LITERAL.sub('""', text)
    if "|" in code:
        return _("动态数据交换（DDE）调用")
    function = _FUNCTION.search(code)
    if function:
        return _("函数 %(name)s") % {"name": function.group(1).upper()}
    if _EXTERNAL_REF.search(code):
        return _("指向其他文件的外部引用")
    return ""


def _read_formulas(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: SheetInfo) -> None:
    """Collect the formula cells and error-valued cells of one worksheet (streamed, entities forbidden)."""
    cell_tag, f_tag, v_tag = (f"{{{MAIN_NS}}}c", f"{{{MAIN_NS}}}f", f"{{{MAIN_NS}}}v")
    row_tag = f"{{{MAIN_NS}}}row"
    try:
        with zf.open(info) as fh:
            for _event, el in SafeET.iterparse(fh, events=("end",), forbid_dtd=True):
                if el.tag == cell_tag:
                    ref = el.get("r", "")
                    formula = el.find(f_tag)
                    value = el.find(v_tag)
                    saved = value.text if value is not None and value.text is not None else ""
                    is_error = el.get("t") == "e"
                    if formula is not None:
                        sheet.formulas[ref] = FormulaCell(
                            ref, formula.text or "", has_value=saved != "", error=saved if is_error else ""
                        )
                    elif is_error:
                        sheet.errors[ref] = saved
                    el.clear()
                elif el.tag == row_tag:
                    el.clear()
    except (DefusedXmlException, ParseError, ValueError):
        raise _invalid_structure() from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _corrupt() from None


def _formula_problems(sheets: list[SheetInfo], defined_names: list[tuple[str, str]]) -> list[ImportProblem]:
    problems = []
    for sheet in sheets:
        for ref, cell in sheet.formulas.items():
            danger = formula_danger(cell.text)
            if danger:
                letters = re.match(r"[A-Z]+", ref)
                problems.append(
                    ImportProblem(
                        Code.FORMULA_DANGEROUS,
                        _("公式含有%(what)s，出于安全原因拒绝导入") % {"what": danger},
                        _("请删除该公式，直接填写数值后再上传。"),
                        sheet=sheet.name,
                        row=int(ref[len(letters.group()) :]) if letters else None,
                        column=letters.group() if letters else "",
                        value=shown("=" + cell.text),
                    )
                )
    for name, text in defined_names:
        danger = formula_danger(text)
        if danger:
            problems.append(
                ImportProblem(
                    Code.FORMULA_DANGEROUS,
                    _("名称“%(name)s”的定义含有%(what)s，出于安全原因拒绝导入") % {"name": name, "what": danger},
                    _("请在 Excel 的“公式 → 名称管理器”中删除该名称后再上传。"),
                    value=shown(text),
                )
            )
    return problems


# --- The whole inspection -----------------------------------------------------------------------------


def file_sha256(path: str) -> str:
    """The SHA-256 of the file at `path`, read a megabyte at a time."""
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def inspect_workbook(path: str) -> Inspection:
    """Check the file at `path` as described in the module docstring; raise ImportRefused if it fails."""
    size = os.path.getsize(path)
    if size > max_upload_bytes():
        raise _refuse(
            Code.TOO_LARGE,
            _("文件过大（%(size).1f MB），上限为 %(limit)d MB")
            % {"size": size / 1048576, "limit": max_upload_bytes() // 1048576},
            _("请删除多余的工作表和图片，或分批导入。"),
            status=413,
        )
    if size == 0:
        raise _not_xlsx()
    _check_magic(path, size)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _corrupt() from None
    with zf:
        infos = zf.infolist()
        _check_directory(infos)
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise _not_xlsx()
        types = _content_types(zf)
        main = [r for r in _relationships(zf, "") if r[1] in (OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT)]
        if not main:
            raise _not_xlsx()
        if main[0][1] == STRICT_OFFICE_DOCUMENT:
            raise _strict()
        workbook_part = main[0][2]
        main_type = types.get(workbook_part, "")
        workbook_rels = {r[1] for r in _relationships(zf, workbook_part)} if workbook_part in names else set()
        if (
            main_type in MACRO_MAIN
            or any(t in MACRO_PARTS for t in types.values())
            or _named_like(names, MACRO_NAMES)
            or any(rel.endswith(MACRO_RELS) for rel in workbook_rels)
        ):
            raise _refuse(
                Code.MACROS,
                _("文件含有宏或 ActiveX 控件（.xlsm），出于安全原因不予导入，宏不会被执行"),
                _("请在 Excel 中另存为“Excel 工作簿（*.xlsx）”（不含宏）后再上传。"),
            )
        if main_type not in XLSX_MAIN or workbook_part not in names:
            raise _not_xlsx()
        external = sorted(
            {name for name, t in types.items() if t in EXTERNAL_PARTS} | set(_named_like(names, EXTERNAL_NAMES))
        )
        if not external and any(rel.endswith(EXTERNAL_RELS) for rel in workbook_rels):
            external = [workbook_part]
        if external:
            raise _refuse(
                Code.EXTERNAL,
                _("文件含有外部链接或数据连接（%(parts)s），出于安全原因拒绝导入") % {"parts": "、".join(external[:3])},
                _("请在 Excel 中通过“数据 → 编辑链接 → 断开链接”并删除数据连接，保存后再上传。"),
            )
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")) and types.get(info.filename) != WORKSHEET_TYPE:
                _scan_xml(zf, info)
        workbook = _parse_xml(zf, workbook_part)
        if workbook.tag == f"{{{STRICT_NS}}}workbook":
            raise _strict()
        if workbook.tag != f"{{{MAIN_NS}}}workbook":
            raise _not_xlsx()
        targets = {rid: target for rid, _t, target, _m in _relationships(zf, workbook_part)}
        sheets = []
        for el in workbook.iter(f"{{{MAIN_NS}}}sheet"):
            target = targets.get(el.get(f"{{{DOC_REL_NS}}}id", ""), "")
            part = target if types.get(target) == WORKSHEET_TYPE else ""
            sheets.append(SheetInfo(el.get("name", ""), el.get("state", "visible"), part))
        defined = [(el.get("name", ""), el.text or "") for el in workbook.iter(f"{{{MAIN_NS}}}definedName")]
        for sheet in sheets:
            if not sheet.part or sheet.part not in names:
                continue
            info = zf.getinfo(sheet.part)
            scan = _scan_sheet(zf, info, sheet.name)
            sheet.max_row, sheet.max_column = scan.max_row, scan.max_column
            if scan.formulas or scan.errors:
                _read_formulas(zf, info, sheet)
        problems = _formula_problems(sheets, defined)
        if problems:
            raise ImportRefused(problems)
    return Inspection(sheets=sheets, sha256=file_sha256(path), size=size)


def _strict() -> ImportRefused:
    return _refuse(
        Code.STRICT,
        _("文件是“Strict Open XML”格式，无法读取"),
        _("请在 Excel 中另存为“Excel 工作簿（*.xlsx）”（不要选择“Strict Open XML 电子表格”）后再上传。"),
    )
