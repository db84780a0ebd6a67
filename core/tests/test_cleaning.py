"""Typed text and dates as the services keep them (core/cleaning.py)."""

import datetime as dt

import pytest

from core import deadlines
from core.cleaning import clean_date, clean_text
from core.errors import UserError


def test_text_is_stripped_and_one_line_collapses_spaces():
    assert clean_text("  改进巡检路线 \n", field="title", label="名称") == "改进巡检路线"
    assert clean_text(" 李  建\n华 ", field="name", label="姓名", one_line=True) == "李 建 华"
    assert clean_text(None, field="notes", label="备注") == ""
    assert clean_text("第一行\n第二行", field="notes", label="备注") == "第一行\n第二行"


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        ("  ", {"required": True}, "请填写名称。"),
        ("长" * 11, {"limit": 10}, "名称不能超过 10 个字（现有 11 个字）。"),
        ("a\x00b", {}, "名称含有不可见的控制字符，请删除后重试。"),
        ("报表\u202exslx.exe", {}, "名称含有不可见的控制字符，请删除后重试。"),
    ],
)
def test_bad_text_is_refused_naming_the_field(value, kwargs, message):
    with pytest.raises(UserError) as caught:
        clean_text(value, field="title", label="名称", **kwargs)
    assert (caught.value.message, caught.value.field) == (message, "title")


def test_a_date_is_taken_as_a_date_or_iso_text_and_empty_only_when_optional():
    today = deadlines.today()
    assert clean_date(" 2021-05-01 ", field="on", label="日期") == dt.date(2021, 5, 1)
    assert clean_date(dt.datetime(2021, 5, 1, 9, 30, tzinfo=dt.UTC), field="on", label="日期") == dt.date(2021, 5, 1)
    assert clean_date(today, field="on", label="日期") == today
    assert clean_date("", field="on", label="日期", required=False) is None
    later = today + dt.timedelta(days=30)
    assert clean_date(later, field="on", label="日期", future=True) == later


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (None, {}, "请填写日期。"),
        ("2021/05/01", {}, "日期格式不正确，请按“2026-03-15”的格式填写。"),
        ("2021-13-01", {}, "日期格式不正确，请按“2026-03-15”的格式填写。"),
        ("1989-12-31", {}, "日期不能早于 1990 年。"),
        ("1999-12-31", {"since": 2000}, "日期不能早于 2000 年。"),
        ("2101-01-01", {"future": True}, "日期不能晚于 2100 年。"),
    ],
)
def test_bad_dates_are_refused_naming_the_field(value, kwargs, message):
    with pytest.raises(UserError) as caught:
        clean_date(value, field="on", label="日期", **kwargs)
    assert (caught.value.message, caught.value.field) == (message, "on")


def test_a_date_after_today_is_refused_unless_the_future_is_allowed():
    tomorrow = deadlines.today() + dt.timedelta(days=1)
    with pytest.raises(UserError, match="日期不能晚于今天。"):
        clean_date(tomorrow, field="on", label="日期")
