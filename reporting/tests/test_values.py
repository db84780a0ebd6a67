"""reporting/values.py against SECURITY.md part (b): what is accepted (and noted), what is refused and why."""

import datetime as dt
from decimal import Decimal

import pytest

from reporting.choices import ValueType
from reporting.values import clean_value, display_value

I, D, M, P, T, B, DATE = (  # noqa: E741 - one-letter type names keep the tables readable
    ValueType.INTEGER,
    ValueType.DECIMAL,
    ValueType.MONEY,
    ValueType.PERCENTAGE,
    ValueType.TEXT,
    ValueType.BOOLEAN,
    ValueType.DATE,
)


@pytest.mark.parametrize(
    ("raw", "value_type", "text", "notes"),
    [
        ("1234", I, "1234", ()),
        ("1,234", I, "1234", ("已去除千分位逗号",)),
        ("1,234,567", I, "1234567", ("已去除千分位逗号",)),
        (" 12 ", I, "12", ("已去除首尾空格",)),
        ("\u00a012\u00a0", I, "12", ("已去除首尾空格",)),
        ("\t12\r\n", I, "12", ("已去除首尾空格",)),
        ("\u300012", I, "12", ("已去除首尾空格",)),
        ("１２３", I, "123", ("已将全角字符转换为半角",)),
        ("１，２３４", I, "1234", ("已将全角字符转换为半角", "已去除千分位逗号")),
        ("0", I, "0", ()),
        ("+5", I, "5", ()),
        ("12.0", I, "12", ()),
        (12, I, "12", ()),
        (12.0, I, "12", ()),  # how python-calamine returns whole numbers
        (Decimal("7"), I, "7", ()),
        ("12.5", D, "12.5", ()),
        ("-3.25", D, "-3.25", ()),
        (".5", D, "0.5", ()),
        ("1,234.5", D, "1234.5", ("已去除千分位逗号",)),
        (0.1, D, "0.1", ()),
        ("12.50", D, "12.5", ()),
        ("1234.56", M, "1234.56", ()),
        ("¥1,234.5", M, "1234.5", ("已去除货币符号", "已去除千分位逗号")),
        ("￥100", M, "100", ("已将全角字符转换为半角", "已去除货币符号")),
        ("800元", M, "800", ("已去除单位“元”",)),
        ("85", P, "85", ()),
        ("85%", P, "85", ("已去除百分号",)),
        ("85％", P, "85", ("已将全角字符转换为半角", "已去除百分号")),
        ("100", P, "100", ()),
        ("13.71", P, "13.71", ()),
        ("是", B, "true", ()),
        ("否", B, "false", ()),
        ("Y", B, "true", ()),
        ("no", B, "false", ()),
        (True, B, "true", ()),
        (0, B, "false", ()),
        ("有", B, "true", ()),
        ("2021-03-05", DATE, "2021-03-05", ()),
        ("2021/3/5", DATE, "2021-03-05", ()),
        ("2021年3月5日", DATE, "2021-03-05", ()),
        ("２０２１－０３－０５", DATE, "2021-03-05", ()),
        (dt.date(2021, 3, 5), DATE, "2021-03-05", ()),
        (dt.datetime(2021, 3, 5, 0, 0), DATE, "2021-03-05", ()),  # noqa: DTZ001 - spreadsheet cells are naive
        ("<script>alert(1)</script>", T, "<script>alert(1)</script>", ()),
        ("' OR 1=1--", T, "' OR 1=1--", ()),
        ("{{7*7}}", T, "{{7*7}}", ()),
        ("第一行\n第二行", T, "第一行\n第二行", ()),
        ("劳模创新 👷", T, "劳模创新 👷", ()),
        ("  说明  ", T, "说明", ("已去除首尾空格",)),
    ],
)
def test_accepted_and_normalised(raw, value_type, text, notes):
    result = clean_value(raw, value_type)

    assert result.ok, result.error
    assert result.text == text
    assert result.notes == notes


@pytest.mark.parametrize(
    ("raw", "value_type", "message"),
    [
        ("١٢٣", I, "“١٢٣”含有非阿拉伯数字字符“١”，请只使用 0–9。"),
        ("۱۲۳", I, "“۱۲۳”含有非阿拉伯数字字符“۱”，请只使用 0–9。"),
        ("1_000", I, "“1_000”中不能用下划线分隔数字，请直接填写，如 1000。"),
        ("1e3", I, "“1e3”是科学计数法，请填写完整的数字，如 1e3 应填写 1000。"),
        ("1E3", D, "“1E3”是科学计数法，请填写完整的数字，如 1e3 应填写 1000。"),
        ("NaN", I, "“NaN”不是有效的数字，请填写具体数值。"),
        ("nan", D, "“nan”不是有效的数字，请填写具体数值。"),
        ("inf", I, "“inf”不是有效的数字，请填写具体数值。"),
        ("-Infinity", D, "“-Infinity”不是有效的数字，请填写具体数值。"),
        (float("nan"), D, "不是有效的数字，请填写具体数值。"),
        (float("inf"), I, "不是有效的数字，请填写具体数值。"),
        ("-0", I, "“-0”为负数；人数、次数等计数不能为负数。"),
        ("-5", I, "“-5”为负数；人数、次数等计数不能为负数。"),
        (-5, I, "“-5”为负数；人数、次数等计数不能为负数。"),
        ("一百二十", I, "“一百二十”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。"),
        ("壹佰", I, "“壹佰”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。"),
        ("1.2万", I, "“1.2万”带有“万”“亿”等单位，请换算成完整的数字后填写，如 1.2万 应填写 12000。"),
        ("3亿", M, "“3亿”带有“万”“亿”等单位，请换算成完整的数字后填写，如 1.2万 应填写 12000。"),
        ("12.5", I, "“12.5”不是整数；人数、次数等应填写整数。"),
        (12.5, I, "“12.5”不是整数；人数、次数等应填写整数。"),
        ("101", P, "“101”大于 100；百分比应在 0 到 100 之间，如 85% 填写 85。"),
        ("-1", P, "“-1”为负数；百分比应在 0 到 100 之间。"),
        ("-100", M, "“-100”为负数；金额不能为负数。"),
        ("12.345", M, "“12.345”的小数超过两位；金额以元为单位，最多精确到分（两位小数）。"),
        ("0.00001", D, "“0.00001”的小数位数超过 4 位。"),
        ("1" + "0" * 16, I, "“10000000000000000”超出了允许的范围（绝对值小于 10¹⁵）。"),
        (dt.date(2021, 1, 1), I, "此处应填写数字，但单元格是日期；请把单元格格式设为“常规”或“数值”后重新填写。"),
        (
            dt.datetime(2021, 1, 1),  # noqa: DTZ001 - spreadsheet cells are naive
            I,
            "此处应填写数字，但单元格是日期；请把单元格格式设为“常规”或“数值”后重新填写。",
        ),
        ("2021-03-05", I, "“2021-03-05”是日期，此处应填写数字。"),
        ("#DIV/0!", I, "单元格是 Excel 错误值“#DIV/0!”，请修正公式或直接填写数值。"),
        ("#REF!", D, "单元格是 Excel 错误值“#REF!”，请修正公式或直接填写数值。"),
        ("#N/A", I, "单元格是 Excel 错误值“#N/A”，请修正公式或直接填写数值。"),
        ("1,23", I, "“1,23”中的千分位逗号位置不正确；请去掉逗号，或每三位加一个逗号，如 1,234,567。"),
        ("12,5", D, "“12,5”中的千分位逗号位置不正确；请去掉逗号，或每三位加一个逗号，如 1,234,567。"),
        ("1 234", I, "“1 234”的数字中间有空格，请删除空格。"),
        # The letter O typed for zero is named as such, not blamed on the commas (walk-through finding).
        ("1O0", I, "“1O0”含有字母 O，是否想输入数字 0？如是，请填写 100。"),
        ("1,O00", I, "“1,O00”含有字母 O，是否想输入数字 0？如是，请填写 1000。"),
        ("2o.5", D, "“2o.5”含有字母 O，是否想输入数字 0？如是，请填写 20.5。"),
        ("O", I, "“O”不是数字，请填写阿拉伯数字，如 1234 或 12.5。"),
        ("1,0O", I, "“1,0O”中的千分位逗号位置不正确；请去掉逗号，或每三位加一个逗号，如 1,234,567。"),
        ("abc", I, "“abc”不是数字，请填写阿拉伯数字，如 1234 或 12.5。"),
        ("0x10", I, "“0x10”不是数字，请填写阿拉伯数字，如 1234 或 12.5。"),
        ("5.", D, "“5.”不是数字，请填写阿拉伯数字，如 1234 或 12.5。"),
        ("12%", I, "“12%”不能带百分号，此处应填写数字。"),
        ("1²", I, "“1²”含有非阿拉伯数字字符“²”，请只使用 0–9。"),
        ("①", I, "“①”含有非阿拉伯数字字符“①”，请只使用 0–9。"),
        (True, I, "此处应填写数字，不能填写“是/否”。"),
        ("1\x002", I, "包含不可见的控制字符（U+0000），请删除后重新输入。"),
        ("a\x00b", T, "包含不可见的控制字符（U+0000），请删除后重新输入。"),
        ("abc\u202eexe.xlsx", T, "包含不可见的文字方向控制字符（U+202E），请删除后重新输入。"),
        ("x" * 100_000, T, "内容过长：最多 2000 个字符，当前 100000 个。"),
        ("也许", B, "“也许”无法识别，请填写“是”或“否”。"),
        (2, B, "“2”无法识别，请填写“是”或“否”。"),
        ("2021-02-30", DATE, "日期不存在：2021-02-30。"),
        ("2021年2月30日", DATE, "日期不存在：2021年2月30日。"),
        ("三月五日", DATE, "“三月五日”不是日期，请填写 2021-03-05 这样的日期。"),
        (44197, DATE, "“44197”不是日期；请把单元格设为日期格式，或填写 2021-03-05 这样的日期。"),
        ("1800-01-01", DATE, "日期 1800-01-01 超出了允许的范围。"),
    ],
)
def test_refused_with_a_message_that_says_how_to_fix_it(raw, value_type, message):
    result = clean_value(raw, value_type)

    assert not result.ok
    assert result.error == message
    assert result.text == ""
    assert result.number is None


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", "\u3000"])
@pytest.mark.parametrize("value_type", [I, D, M, P, T, B, DATE])
def test_blank_means_empty_for_every_type(raw, value_type):
    result = clean_value(raw, value_type)

    assert result.ok and result.empty
    assert result.text == ""


@pytest.mark.parametrize(
    ("raw", "value_type", "number"),
    [("1,234", I, Decimal(1234)), ("12.5", D, Decimal("12.5")), ("是", B, Decimal(1)), ("否", B, Decimal(0))],
)
def test_number_is_kept_for_rules_and_aggregation(raw, value_type, number):
    assert clean_value(raw, value_type).number == number


@pytest.mark.parametrize("value_type", [T, DATE])
def test_text_and_dates_carry_no_number(value_type):
    assert clean_value("2021-03-05", value_type).number is None


def test_bounds_from_the_form():
    low = clean_value("5", I, min_value=Decimal(10))
    high = clean_value("500", I, max_value=Decimal(100))
    inside = clean_value("50", I, min_value=Decimal(10), max_value=Decimal(100))

    assert low.error == "“5”小于允许的最小值 10。"
    assert high.error == "“500”大于允许的最大值 100。"
    assert inside.text == "50"


def test_negative_zero_decimal_is_stored_as_zero():
    assert clean_value("-0.0", D).text == "0"


@pytest.mark.parametrize(
    ("text", "value_type", "shown"),
    [
        ("1234567", I, "1,234,567"),
        ("1234.5", M, "1,234.5"),
        ("true", B, "是"),
        ("false", B, "否"),
        ("85", P, "85%"),
        ("", I, ""),
    ],
)
def test_display(text, value_type, shown):
    assert display_value(text, value_type) == shown


def test_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown value type"):
        clean_value("1", "colour")


@pytest.mark.parametrize("value_type", [ValueType.INTEGER, ValueType.DECIMAL, ValueType.MONEY, ValueType.PERCENTAGE])
@pytest.mark.parametrize("bounds", [(None, None), (Decimal(5), Decimal(500))])
def test_plain_whole_numbers_clean_as_the_full_checks_clean_them(value_type, bounds):
    # A whole number as int or plain text takes a short path; it must answer as a Decimal (the full checks) does.
    low, high = bounds
    for n in (0, 1, 4, 5, 100, 101, 500, 501, 10**15 - 1, 10**15):
        full = clean_value(Decimal(n), value_type, min_value=low, max_value=high)
        for raw in (n, str(n)):
            short = clean_value(raw, value_type, min_value=low, max_value=high)
            assert (short.text, short.number, short.value, short.error, short.notes, short.empty) == (
                full.text,
                full.number,
                full.value,
                full.error,
                full.notes,
                full.empty,
            ), (raw, value_type, bounds)
