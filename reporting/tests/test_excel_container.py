"""The checks on an uploaded file before any spreadsheet library reads it (reporting/excel/container.py):
not an .xlsx, encrypted, macros, Strict Open XML, zip bombs, XML bombs and XXE, external links and
formulas that reach outside the workbook. Each is refused with its code and Chinese message, quickly
and in bounded memory."""

from __future__ import annotations

import importlib.util
import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from openpyxl import Workbook

from reporting.excel.container import formula_danger, inspect_workbook
from reporting.excel.problems import Code, ImportRefused
from reporting.tests.excel_files import part, rezip


def simple_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "填报数据"
    sheet.append(["机构代码", "职工总数"])
    sheet.append(["E-A1", 1000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def inspect(tmp_path, data: bytes):
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return inspect_workbook(str(path))


def refusal(tmp_path, data: bytes) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        inspect(tmp_path, data)
    return caught.value


def test_plain_xlsx_passes(tmp_path):
    inspection = inspect(tmp_path, simple_xlsx())
    assert [s.name for s in inspection.sheets] == ["填报数据"]
    assert inspection.sheet("填报数据").max_row == 2


def test_defusedxml_is_installed():
    assert importlib.util.find_spec("defusedxml") is not None


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, Code.NOT_XLSX, "不是有效的 .xlsx 文件"),
        (b"MZ\x90\x00" + b"\0" * 64, Code.NOT_XLSX, "不是有效的 .xlsx 文件"),  # an .exe
        ("机构代码,职工总数\nE-A1,1000\n".encode("gbk"), Code.NOT_XLSX, "不是有效的 .xlsx 文件"),  # a .csv
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, Code.NOT_XLSX, "不是有效的 .xlsx 文件"),  # .xls / .et
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le"),
            Code.ENCRYPTED,
            "文件设置了打开密码",
        ),
        (b"", Code.NOT_XLSX, "不是有效的 .xlsx 文件"),
    ],
)
def test_files_that_are_not_xlsx(tmp_path, data, code, message):
    error = refusal(tmp_path, data)
    assert [p.code for p in error.problems] == [code]
    assert error.problems[0].message.startswith(message)
    assert error.problems[0].fix  # always says what to do


def test_old_xls_says_how_to_convert(tmp_path):
    error = refusal(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert "另存为“Excel 工作簿（*.xlsx）”" in error.problems[0].fix


def test_truncated_zip_is_refused(tmp_path):
    data = simple_xlsx()
    error = refusal(tmp_path, data[: len(data) // 2])
    assert error.problems[0].code in (Code.CORRUPT, Code.NOT_XLSX)


def test_zip_that_is_not_a_workbook_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert refusal(tmp_path, out.getvalue()).problems[0].code == Code.NOT_XLSX


def test_macro_workbook_is_refused(tmp_path):
    data = simple_xlsx()
    types = part(data, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    error = refusal(
        tmp_path, rezip(data, replace={"[Content_Types].xml": types}, add={"xl/vbaProject.bin": b"\0" * 64})
    )
    assert error.problems[0].code == Code.MACROS
    assert "宏不会被执行" in error.problems[0].message


def test_strict_open_xml_is_refused(tmp_path):
    data = simple_xlsx()
    rels = part(data, "_rels/.rels").replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
    )
    error = refusal(tmp_path, rezip(data, replace={"_rels/.rels": rels}))
    assert error.problems[0].code == Code.STRICT
    assert "Strict Open XML" in error.problems[0].message


def test_billion_laughs_in_shared_strings_is_refused(tmp_path):
    data = simple_xlsx()
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
        )
        + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    error = refusal(tmp_path, rezip(data, replace={"[Content_Types].xml": types}, add={"xl/sharedStrings.xml": bomb}))
    assert [p.code for p in error.problems] == [Code.XML_INVALID]
    assert error.problems[0].message == "文件结构无效"


def test_external_entity_in_workbook_is_refused(tmp_path):
    data = simple_xlsx()
    workbook = part(data, "xl/workbook.xml")
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + workbook.replace(
        b"<workbookPr", b"<fileVersion appName='&xxe;'/><workbookPr", 1
    )
    assert b"&xxe;" in xxe
    error = refusal(tmp_path, rezip(data, replace={"xl/workbook.xml": xxe}))
    assert [p.code for p in error.problems] == [Code.XML_INVALID]
    assert error.problems[0].message == "文件结构无效"


def test_external_link_part_is_refused_as_a_security_problem(tmp_path):
    data = simple_xlsx()
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/externalLinks/externalLink1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
    )
    error = refusal(
        tmp_path,
        rezip(
            data, replace={"[Content_Types].xml": types}, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}
        ),
    )
    assert error.problems[0].code == Code.EXTERNAL
    assert error.problems[0].security


def test_ten_thousand_entries_are_refused_before_reading(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for n in range(10_000):
            zf.writestr(f"xl/media/{n}.xml", b"")
    started = time.perf_counter()
    error = refusal(tmp_path, out.getvalue())
    assert time.perf_counter() - started < 2
    assert error.problems[0].code == Code.ZIP_BOMB
    assert "部件过多（10000 个）" in error.problems[0].message


def _deflated_zeros(total: int) -> tuple[bytes, int]:
    """A raw deflate stream of `total` zero bytes, built from one repeated full-flush block, and its CRC."""
    block_size = 1 << 24
    assert total % block_size == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * block_size) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    crc = 0
    zeros = b"\0" * block_size
    for _ in range(total // block_size):
        crc = zlib.crc32(zeros, crc)
    return block * (total // block_size) + tail, crc


def _raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand from already deflated entries (name, data, crc, size)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0))
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _entries_of(data: bytes) -> list[tuple[str, bytes, int, int]]:
    entries = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            body = zf.read(info.filename)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            entries.append((info.filename, compressor.compress(body) + compressor.flush(), zlib.crc32(body), len(body)))
    return entries


@pytest.fixture(scope="module")
def two_gigabytes():
    return _deflated_zeros(2 << 30)


def test_zip_bomb_inflating_to_2gb_is_refused_fast_and_small(tmp_path, two_gigabytes):
    stream, crc = two_gigabytes
    data = _raw_zip([*_entries_of(simple_xlsx()), ("xl/worksheets/sheet2.xml", stream, crc, 2 << 30)])
    assert len(data) < 3 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    error = refusal(tmp_path, data)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert error.problems[0].code == Code.ZIP_BOMB
    assert "解压后过大" in error.problems[0].message
    assert elapsed < 2
    assert peak < 200 * 1024 * 1024


def test_part_with_an_absurd_compression_ratio_is_refused(tmp_path):
    stream, crc = _deflated_zeros(64 << 20)  # 64 MB of zeros in ~64 KB: under the total, over the ratio
    data = _raw_zip([*_entries_of(simple_xlsx()), ("xl/worksheets/sheet2.xml", stream, crc, 64 << 20)])
    error = refusal(tmp_path, data)
    assert error.problems[0].code == Code.ZIP_BOMB
    assert "压缩比异常" in error.problems[0].message


def test_part_larger_than_its_declared_size_is_refused_without_inflating_it(tmp_path):
    stream, crc = _deflated_zeros(64 << 20)
    entries = _entries_of(simple_xlsx())
    sheet = next(i for i, e in enumerate(entries) if e[0] == "xl/worksheets/sheet1.xml")
    name, _data, _crc, _size = entries[sheet]
    entries[sheet] = (name, stream, crc, 1000)  # declares 1,000 bytes, holds 64 MB
    started = time.perf_counter()
    error = refusal(tmp_path, _raw_zip(entries))
    assert time.perf_counter() - started < 2
    assert error.problems[0].code in (Code.CORRUPT, Code.XML_INVALID)


@pytest.mark.parametrize(
    ("formula", "danger"),
    [
        ("cmd|' /C calc'!A0", "动态数据交换（DDE）调用"),
        ('HYPERLINK("http://x.example","a")', "函数 HYPERLINK"),
        ('_xlfn.WEBSERVICE("http://x.example")', "函数 WEBSERVICE"),
        ("[1]Sheet1!A1", "指向其他文件的外部引用"),
        ("'C:\\\\[book.xlsx]Sheet1'!A1", "指向其他文件的外部引用"),
        ("SUM(F4:F7)", ""),
        ('IF(F4>0,"a|b","")', ""),  # a pipe inside a string literal is text
    ],
)
def test_formula_danger(formula, danger):
    assert formula_danger(formula) == danger


def test_vba_project_under_a_harmless_content_type_is_refused(tmp_path):
    # issue 11: an .xlsm renamed .xlsx whose content types still say "sheet.main" was accepted.
    data = simple_xlsx()
    error = refusal(tmp_path, rezip(data, add={"xl/vbaProject.bin": b"\0" * 64}))
    assert error.problems[0].code == Code.MACROS
    assert "宏不会被执行" in error.problems[0].message


def test_vba_project_named_only_in_the_workbook_relationships_is_refused(tmp_path):
    data = simple_xlsx()
    rels = part(data, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        b'Target="macros.dat"/></Relationships>',
    )
    error = refusal(tmp_path, rezip(data, replace={"xl/_rels/workbook.xml.rels": rels}, add={"xl/macros.dat": b"x"}))
    assert error.problems[0].code == Code.MACROS


def test_undeclared_external_link_part_is_refused(tmp_path):
    data = simple_xlsx()
    error = refusal(tmp_path, rezip(data, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}))
    assert error.problems[0].code == Code.EXTERNAL
    assert error.problems[0].security
    assert "externalLink1.xml" in error.problems[0].message


def test_external_link_relationship_alone_is_refused(tmp_path):
    data = simple_xlsx()
    rels = part(data, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'externalLink" Target="links/one.xml"/></Relationships>',
    )
    error = refusal(tmp_path, rezip(data, replace={"xl/_rels/workbook.xml.rels": rels}))
    assert error.problems[0].code == Code.EXTERNAL
