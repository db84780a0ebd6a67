"""The analytics .xlsx writer: opened again with openpyxl and checked cell by cell."""

from decimal import Decimal

from openpyxl import load_workbook

from analytics.exports import COUNT_FORMAT, PERCENT_FORMAT, Column, Table, table_file


def _table(**overrides) -> Table:
    fields = {
        "title": "持证率（技能等级证书）— 2021年度",
        "columns": [Column("单位"), Column("持证率", "percent"), Column("产业工人总数", "count")],
        "rows": [["昆明供电局", Decimal("13.7137"), 7307500], ["曲靖供电局", None, 12]],
        "notes": ["口径：不含农民工", "来源：企业填报（已验收）", "数据截至：2022年1月10日 10:00"],
    }
    fields.update(overrides)
    return Table(**fields)


def test_table_keeps_numbers_as_numbers_with_chinese_formats_and_notes_under_it():
    fileobj, count = table_file(_table())
    sheet = load_workbook(fileobj).active

    assert count == 2
    assert sheet["A1"].value == "持证率（技能等级证书）— 2021年度"
    assert [c.value for c in sheet[3]] == ["单位", "持证率", "产业工人总数"]
    assert sheet["A4"].value == "昆明供电局"
    assert sheet["B4"].value == 13.7137 and sheet["B4"].number_format == PERCENT_FORMAT
    assert sheet["C4"].value == 7307500 and sheet["C4"].number_format == COUNT_FORMAT
    assert sheet["B5"].value is None
    # One empty row, then the notes.
    assert sheet["A6"].value is None
    assert [sheet.cell(row=r, column=1).value for r in (7, 8, 9)] == [
        "口径：不含农民工",
        "来源：企业填报（已验收）",
        "数据截至：2022年1月10日 10:00",
    ]
    assert sheet.freeze_panes == "B4"


def test_text_that_looks_like_a_formula_is_written_as_text():
    table = _table(rows=[["=cmd|' /C calc'!A0", 1, 2], ["@SUM(A1)", 1, 2]], notes=["+1+1"])
    fileobj, _count = table_file(table)
    sheet = load_workbook(fileobj).active

    assert sheet["A4"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A4"].data_type == "s"
    assert sheet["A5"].value == "'@SUM(A1)"
    assert sheet["A7"].value == "'+1+1"


def test_sheet_title_drops_characters_excel_refuses():
    fileobj, _count = table_file(_table(title="指标 [2021/Q1]: 持证率*"))
    workbook = load_workbook(fileobj)

    assert workbook.sheetnames == ["指标 （2021／Q1）： 持证率＊"]


def test_changes_keep_their_sign_in_points_or_percent():
    from analytics.exports import GROWTH_FORMAT, POINTS_FORMAT

    table = _table(
        columns=[Column("单位"), Column("同比（百分点）", "points"), Column("较2015年度（%）", "growth")],
        rows=[["昆明供电局", Decimal("5.25"), Decimal("-3.10")]],
    )
    sheet = load_workbook(table_file(table)[0]).active

    assert (sheet["B4"].value, sheet["B4"].number_format) == (5.25, POINTS_FORMAT)
    assert (sheet["C4"].value, sheet["C4"].number_format) == (-3.1, GROWTH_FORMAT)
