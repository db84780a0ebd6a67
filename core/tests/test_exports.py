"""core.exports: formula injection (row 32 of docs SECURITY), RFC 4180 CSV, write-only .xlsx."""

import csv
import datetime as dt
import decimal
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core import exports

# The payloads of row 32, plus a CR and LF start.
PAYLOADS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_starts_get_a_leading_apostrophe(payload):
    assert exports.safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["昆明供电局", "a=b", "1+1", " =1", "'quoted", "", "E-A1"])
def test_ordinary_text_is_unchanged(value):
    assert exports.safe_cell(value) == value


@pytest.mark.parametrize("value", [-2, 3, 2.5, decimal.Decimal("-1.5"), True, None, dt.date(2025, 1, 2)])
def test_numbers_dates_and_booleans_stay_typed(value):
    assert exports.safe_cell(value) == value


def test_aware_datetimes_become_local_naive_and_structures_json():
    at = dt.datetime(2025, 1, 1, 16, 30, tzinfo=dt.UTC)
    assert exports.safe_cell(at) == dt.datetime(2025, 1, 2, 0, 30)  # noqa: DTZ001 - Excel cells have no zone
    assert exports.safe_cell({"b": 1, "a": "中"}) == '{"a": "中", "b": 1}'
    assert exports.safe_cell(["=x"]) == '["=x"]'  # JSON text starts with [ (not a formula)


def test_xlsx_cells_are_strings_with_the_prefix_and_numbers_stay_numbers():
    buffer = io.BytesIO()
    rows = [[payload, -2, "正常文本"] for payload in PAYLOADS]
    assert exports.write_xlsx(buffer, sheet_title="数据", headers=["值", "数", "文本"], rows=rows) == len(PAYLOADS)
    buffer.seek(0)
    sheet = load_workbook(buffer)["数据"]
    assert [c.value for c in sheet[1]] == ["值", "数", "文本"]
    for index, payload in enumerate(PAYLOADS, start=2):
        cell = sheet.cell(row=index, column=1)
        assert cell.value == "'" + payload.replace("\r", "\n")  # line ends inside a cell are LF
        assert cell.data_type == "s"  # never "f" (formula)
        assert sheet.cell(row=index, column=2).value == -2
        assert sheet.cell(row=index, column=2).data_type == "n"
    assert sheet.freeze_panes == "A2"


def test_xlsx_carries_control_characters_as_visible_escapes():
    buffer = io.BytesIO()
    exports.write_xlsx(buffer, sheet_title="x", headers=["v"], rows=[["a\x00b\x1fc\r\nd"]])
    buffer.seek(0)
    assert load_workbook(buffer)["x"]["A2"].value == "a\\x00b\\x1fc\nd"


def test_csv_follows_rfc_4180():
    buffer = io.BytesIO()
    rows = [["含,逗号", 'say "hi"', "two\r\nlines", 42, None, True], ["=1+1", "-5", "@x", "\t=1", "ok", False]]
    assert exports.write_csv(buffer, headers=["甲", "乙", "丙", "丁", "戊", "己"], rows=rows) == 2
    raw = buffer.getvalue()
    assert raw.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8 Chinese
    text = raw.decode("utf-8-sig")
    assert text == (
        '甲,乙,丙,丁,戊,己\r\n"含,逗号","say ""hi""","two\r\nlines",42,,TRUE\r\n\'=1+1,\'-5,\'@x,\'\t=1,ok,FALSE\r\n'
    )
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[1][2] == "two\r\nlines"  # the injected line break stays inside one field
    assert parsed[2][:4] == ["'=1+1", "'-5", "'@x", "'\t=1"]


def test_csv_writes_local_times():
    buffer = io.BytesIO()
    at = dt.datetime(2025, 6, 1, 0, 0, 5, tzinfo=ZoneInfo("UTC"))
    exports.write_csv(buffer, headers=["时间"], rows=[[at]])
    assert buffer.getvalue().decode("utf-8-sig").splitlines()[1] == "2025-06-01 08:00:05"


def test_export_file_is_anonymous_and_rewound():
    fileobj, count = exports.export_file("csv", sheet_title="x", headers=["a"], rows=[[1], [2]])
    try:
        assert count == 2
        assert fileobj.read().decode("utf-8-sig") == "a\r\n1\r\n2\r\n"
    finally:
        fileobj.close()
    with pytest.raises(ValueError, match="unknown export format"):
        exports.export_file("pdf", sheet_title="x", headers=[], rows=[])


def test_export_response_is_an_attachment_with_an_encoded_chinese_name():
    fileobj, _ = exports.export_file("xlsx", sheet_title="x", headers=["a"], rows=[])
    response = exports.export_response(fileobj, fmt="xlsx", filename_stem="审计日志-20250101")
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97-20250101.xlsx" in response["Content-Disposition"]
    assert 'filename="20250101.xlsx"' in response["Content-Disposition"]  # the ASCII fallback
    assert response["Cache-Control"] == "no-store, private"
    fileobj.close()  # (response.close() would also signal the end of a request)


@pytest.mark.parametrize(
    ("name", "fallback", "header"),
    [
        ("report.xlsx", "", 'attachment; filename="report.xlsx"'),
        (
            "报送进度-2021年.xlsx",
            "WF_Y-2021.xlsx",
            'attachment; filename="WF_Y-2021.xlsx"; '
            "filename*=utf-8''%E6%8A%A5%E9%80%81%E8%BF%9B%E5%BA%A6-2021%E5%B9%B4.xlsx",
        ),
        (
            "培训名单.pdf",
            "attachment-7",
            "attachment; filename=\"attachment-7.pdf\"; filename*=utf-8''%E5%9F%B9%E8%AE%AD%E5%90%8D%E5%8D%95.pdf",
        ),
        ("名单.pdf", "", "attachment; filename=\"download.pdf\"; filename*=utf-8''%E5%90%8D%E5%8D%95.pdf"),
        ('a"b\\c.csv', "", 'attachment; filename="a_b_c.csv"'),
    ],
)
def test_attachment_disposition_has_an_ascii_fallback_and_the_rfc5987_name(name, fallback, header):
    assert exports.attachment_disposition(name, fallback=fallback) == header


def test_rate_limit_per_address(rf, settings):
    settings.EXPORT_RATE_PER_MINUTE = 2
    one = rf.get("/", REMOTE_ADDR="10.9.9.1")
    other = rf.get("/", REMOTE_ADDR="10.9.9.2")
    assert [exports.rate_limited(one, "t") for _ in range(3)] == [0, 0, 60]
    assert exports.rate_limited(other, "t") == 0
    spoofed = rf.get("/", REMOTE_ADDR="10.9.9.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert exports.rate_limited(spoofed, "t") == 60  # a client-sent header makes no new address
