"""The rules kept once in the kernel: deadlines in Beijing time, reordering, file checks, rendering primitives."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core import deadlines, ordering, rendering
from core.errors import UserError
from core.files import FileTooLarge, checked_upload, clean_original_name

BEIJING = ZoneInfo("Asia/Shanghai")


# --- Deadlines --------------------------------------------------------------------------------------------------


def test_today_is_the_beijing_date_whatever_the_utc_date():
    late_utc_evening = dt.datetime(2022, 1, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 February in Beijing
    assert deadlines.today(late_utc_evening) == dt.date(2022, 2, 1)
    assert deadlines.days_left(dt.date(2022, 1, 31), late_utc_evening) == -1


def test_an_extension_moves_the_deadline_only_later():
    regular = dt.date(2022, 1, 31)
    assert deadlines.extended(regular, []) == regular
    assert deadlines.extended(regular, [dt.date(2022, 2, 15), dt.date(2022, 2, 10)]) == dt.date(2022, 2, 15)
    assert deadlines.extended(regular, [dt.date(2022, 1, 20)]) == regular


@pytest.mark.parametrize(
    ("submitted", "now", "expected"),
    [
        (dt.datetime(2022, 1, 31, 23, 59, 59, 999999, tzinfo=BEIJING), None, deadlines.ON_TIME),
        (dt.datetime(2022, 2, 1, 0, 0, tzinfo=BEIJING), None, deadlines.LATE),
        (None, dt.datetime(2022, 1, 31, 23, 59, tzinfo=BEIJING), deadlines.PENDING),
        (None, dt.datetime(2022, 2, 1, 0, 0, tzinfo=BEIJING), deadlines.MISSING),
    ],
)
def test_timeliness_turns_at_midnight_beijing_time(submitted, now, expected):
    window = deadlines.window(opens_on=dt.date(2022, 1, 1), deadline=dt.date(2022, 1, 31), grace_days=3)
    assert window.timeliness(submitted, now or dt.datetime(2022, 3, 1, tzinfo=BEIJING)) == expected


def test_the_grace_period_keeps_entry_open_after_the_deadline():
    window = deadlines.window(opens_on=dt.date(2022, 1, 1), deadline=dt.date(2022, 1, 31), grace_days=3)
    assert window.is_open(dt.datetime(2022, 2, 3, 23, 59, tzinfo=BEIJING))
    assert not window.is_open(dt.datetime(2022, 2, 4, 0, 0, tzinfo=BEIJING))
    assert not window.is_open(dt.datetime(2021, 12, 31, 23, 59, tzinfo=BEIJING))


# --- Reordering -------------------------------------------------------------------------------------------------


def _rows(*orders):
    return [SimpleNamespace(pk=i, sort_order=o) for i, o in enumerate(orders, start=1)]


def test_move_swaps_with_the_neighbour_and_renumbers():
    rows = _rows(1, 5, 9)
    changed = ordering.move(rows, 3, "up")
    assert [r.pk for r in rows] == [1, 3, 2]
    assert [r.sort_order for r in rows] == [1, 2, 3]
    assert sorted(r.pk for r in changed) == [2, 3]


def test_move_at_the_end_changes_nothing_and_a_bad_direction_is_refused():
    rows = _rows(1, 2)
    assert ordering.move(rows, 1, "up") is None
    assert [r.pk for r in rows] == [1, 2]
    with pytest.raises(UserError, match="移动方向只能是上移或下移"):
        ordering.move(rows, 1, "left")


# --- Files ------------------------------------------------------------------------------------------------------

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_file_is_checked_by_its_content_and_its_name():
    name, kind, digest = checked_upload(SimpleUploadedFile("../../图 1.png", PNG_BYTES))
    assert (name, kind.content_type, len(digest)) == ("图 1.png", "image/png", 64)
    with pytest.raises(UserError, match="与扩展名“.xlsx”不符"):
        checked_upload(SimpleUploadedFile("表.xlsx", PNG_BYTES))
    with pytest.raises(UserError, match="是空文件"):
        checked_upload(SimpleUploadedFile("空.pdf", b""))


def test_a_file_over_the_limit_is_413(monkeypatch):
    monkeypatch.setattr("core.files.MAX_ATTACHMENT_SIZE", 10)
    with pytest.raises(FileTooLarge) as caught:
        checked_upload(SimpleUploadedFile("大.png", PNG_BYTES))
    assert caught.value.status_code == 413


def test_names_lose_directories_and_control_characters():
    assert clean_original_name("C:\\temp\\a\u202eb.pdf") == "ab.pdf"
    assert clean_original_name("") == "未命名文件"


# --- Rendering --------------------------------------------------------------------------------------------------


def test_cells_are_written_safely_and_read_back_as_written():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = rendering.sheet_title("汇总[2021]/全省:年报")
    rendering.title(sheet, "=标题", 3)
    rendering.header_cell(rendering.write(sheet, 2, 1, "+单位"))
    rendering.write(sheet, 3, 1, '=HYPERLINK("http://x")')
    rendering.write(sheet, 3, 2, Decimal("12.50"))
    rendering.note_lines(sheet, 5, ["@说明"], 3, wrap=True)
    buffer = io.BytesIO()
    workbook.save(buffer)

    again = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = again.worksheets[0]
    assert sheet.title == "汇总（2021）／全省：年报"
    assert [sheet["A1"].value, sheet["A2"].value, sheet["A3"].value] == ["'=标题", "'+单位", '\'=HYPERLINK("http://x")']
    assert sheet["A3"].data_type == "s"
    assert sheet["B3"].value == 12.5
    assert sheet["A2"].font.bold and sheet["A2"].fill.fgColor.rgb.endswith("DCE6F1")
    assert sheet["A5"].value == "'@说明"
    assert "A1:C1" in {str(r) for r in sheet.merged_cells.ranges}


def test_safe_text_for_write_only_cells():
    assert rendering.safe_text("-1+1") == "'-1+1"
    assert rendering.safe_text("a\x01b") == "a\\x01b"
    assert rendering.safe_text(5) == 5


def test_the_page_counter_and_css_strings_cannot_break_out():
    assert rendering.page_counter_css() == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    assert rendering.css_string('a"</style>') == '"a\\"\\3C /style>"'
