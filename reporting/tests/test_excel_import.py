"""Imports of real .xlsx files: templates saved by openpyxl and by LibreOffice, each bad input of
SECURITY.md (b) with its Chinese message, and the database unchanged whenever a file is refused.

The files are templates downloaded through the importer, filled with openpyxl the way a person types
into them, and (where it matters) opened and saved again by LibreOffice Calc.
"""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment

from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role
from reporting import services
from reporting.choices import ReportStatus
from reporting.excel import storage
from reporting.excel.importer import build_template, confirm_upload, preview_upload
from reporting.excel.plan import Context
from reporting.excel.problems import Code
from reporting.excel.stamp import DATA_SHEET, ERRORS_SHEET, STAMP_SHEET
from reporting.models import DataValue, Report
from reporting.periods import period_from_code
from reporting.tests.excel_files import (
    cell_rows,
    fill_bulk,
    fill_single,
    libreoffice_resave,
    part,
    rezip,
    sheet_part,
)
from reporting.tests.factories import SYSTEM, at, filled_report, submitted_report, valid_values_y

WORKERS = ("WF_WORKERS", "")
MIGRANT_MALE = ("WF_WORKERS_GROUP", "MIGRANT.MALE")
CERTIFIED = ("WF_CERTIFIED", "")
FUND = ("WF_EDU_FUND_EXTRACTED", "")
NOTES = ("WF_NOTES", "")
CONGRESS = ("WF_CONGRESS", "")


class Importer:
    """Templates, uploads and confirmations for one person at one organisation, and the database's state."""

    def __init__(self, tree, wf, user=None, org=None, period="2021"):
        self.tree, self.dataset = tree, wf[0]
        self.org = org or tree.ent_a1
        self.user = user or tree.user(Role.REPORTER, self.org)
        self.period = period

    def ctx(self, org=None, period=None) -> Context:
        return Context(Actor(user=self.user), self.dataset, period_from_code(period or self.period), org or self.org)

    def template(self, *, kind: str = "single", filled: bool = False, org=None, period=None) -> bytes:
        return build_template(ctx=self.ctx(org, period), kind=kind, filled=filled)

    def preview(self, data: bytes, *, org=None, period=None, name: str = "填报.xlsx"):
        token = storage.new_token()
        path = storage.save_bytes(token, ".upload", data)
        return preview_upload(ctx=self.ctx(org, period), path=str(path), token=token, filename=name)

    def confirm(self, preview, *, org=None):
        return confirm_upload(ctx=self.ctx(org), token=preview.token, meta=storage.read_meta(preview.token) or {})

    def import_(self, data: bytes, **kwargs):
        preview = self.preview(data, **kwargs)
        assert preview.ok, [p.text() for p in preview.problems]
        return preview, self.confirm(preview, org=kwargs.get("org"))


def state():
    """Everything an import could write: reports (with versions) and every stored value."""
    return (
        sorted(Report.objects.values_list("org__code", "status", "version")),
        sorted(DataValue.objects.values_list("report__org__code", "element__code", "option_combo__key", "value")),
    )


def stored(org_code: str = "E-A1") -> dict[tuple[str, str], str]:
    return {
        (e, o): v
        for e, o, v in DataValue.objects.filter(report__org__code=org_code).values_list(
            "element__code", "option_combo__key", "value"
        )
    }


@pytest.fixture
def imports(settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = tmp_path / "imports"
    return settings.REPORTING_IMPORT_DIR


@pytest.fixture
def imp(tree, wf, imports):
    return Importer(tree, wf)


def refused(imp: Importer, data: bytes, **kwargs):
    """Preview `data`, assert it is refused with nothing written and no upload left; return the problems."""
    before = state()
    audits = AuditEntry.objects.count()
    preview = imp.preview(data, **kwargs)
    assert not preview.ok
    assert state() == before
    assert not list(storage.import_dir().glob("*.upload"))
    assert AuditEntry.objects.count() == audits + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.event in ("reporting.import.refused", "security.import.refused")
    assert entry.success is False
    return preview.problems


def codes(problems) -> list[str]:
    return [p.code for p in problems]


# --- The good path: openpyxl and LibreOffice ------------------------------------------------------------------


@pytest.mark.parametrize("saved_by", ["openpyxl", "libreoffice"])
def test_filled_template_imports_every_value(imp, saved_by):
    data = fill_single(imp.template(), valid_values_y())
    if saved_by == "libreoffice":
        data = libreoffice_resave(data)
    preview = imp.preview(data)
    assert preview.ok, [p.text() for p in preview.problems]
    assert preview.plan.cells_changed == len(valid_values_y())
    assert not Report.objects.exists()  # the preview writes nothing

    outcome = imp.confirm(preview)

    assert not outcome.problems
    assert outcome.cells == len(valid_values_y())
    assert stored() == {k: ("true" if v == "是" else v) for k, v in valid_values_y().items()}
    report = Report.objects.get(org=imp.org)
    assert report.status == ReportStatus.DRAFT
    events = list(AuditEntry.objects.values_list("event", flat=True))
    assert events.count("reporting.import.apply") == 1
    assert "reporting.import.preview" in events
    assert not list(storage.import_dir().glob("*.upload"))


def test_libreoffice_keeps_the_stamp_hidden_and_signed(imp):
    data = libreoffice_resave(imp.template())
    book = load_workbook(io.BytesIO(data))
    assert book[STAMP_SHEET].sheet_state in ("hidden", "veryHidden")
    assert book.sheetnames[0] == DATA_SHEET


def test_filled_template_shows_stored_values_and_previous_period(imp, tree, clock):
    from reporting.tests.factories import at

    clock.set(at(2021, 1, 10))
    filled_report(tree, imp.dataset, "2020")
    clock.set(at(2022, 1, 10))
    filled_report(tree, imp.dataset, "2021")
    data = imp.template(filled=True)
    rows = cell_rows(data)
    sheet = load_workbook(io.BytesIO(data))[DATA_SHEET]
    assert sheet[f"F{rows[WORKERS]}"].value == 1000
    assert sheet[f"G{rows[WORKERS]}"].value == 1000  # 上期值
    assert sheet[f"F{rows[CONGRESS]}"].value == "是"
    assert sheet["F3"].value == "填报值"
    assert sheet.protection.sheet
    assert sheet[f"F{rows[WORKERS]}"].protection.locked is False
    assert sheet[f"C{rows[WORKERS]}"].protection.locked is True


def test_filled_template_changed_in_one_cell_previews_one_change(imp, tree):
    filled_report(tree, imp.dataset, "2021")
    data = fill_single(imp.template(filled=True), {WORKERS: 1001, MIGRANT_MALE: 301})
    preview = imp.preview(data)
    assert preview.ok
    changes = {(c.element, c.option): (c.old, c.new) for c in preview.plan.orgs[0].changes}
    assert changes == {WORKERS: ("1,000", "1,001"), MIGRANT_MALE: ("300", "301")}
    assert preview.plan.orgs[0].unchanged == len(cell_rows(imp.template())) - 2  # the empty note is unchanged too


def test_clearing_a_cell_of_a_filled_template_deletes_the_value(imp, tree):
    filled_report(tree, imp.dataset, "2021")
    _preview, outcome = imp.import_(fill_single(imp.template(filled=True), {CERTIFIED: None}))
    assert outcome.cells == 1
    assert CERTIFIED not in stored() or stored()[CERTIFIED] == ""


def test_empty_cell_of_a_blank_template_leaves_the_value(imp, tree):
    filled_report(tree, imp.dataset, "2021")
    preview = imp.preview(fill_single(imp.template(), {WORKERS: 1000, MIGRANT_MALE: 250}))
    assert preview.ok
    assert [(c.element, c.option) for c in preview.plan.orgs[0].changes] == [MIGRANT_MALE]


def test_same_file_twice_is_a_no_op(imp):
    data = fill_single(imp.template(), valid_values_y())
    imp.import_(data)
    before = state()
    preview, outcome = imp.import_(data)
    assert preview.plan.cells_changed == 0
    assert outcome.results == [] and outcome.cells == 0
    assert state() == before


# --- Cell values -----------------------------------------------------------------------------------------------


def test_tolerated_spellings_are_converted_and_noted(imp):
    typed = {
        WORKERS: "１０００",  # full-width digits (converted, not NFKC: see reporting/values.py)
        MIGRANT_MALE: "300 ",  # trailing space, number stored as text
        ("WF_WORKERS_GROUP", "MIGRANT.FEMALE"): "\u00a0100",  # a non-breaking space
        FUND: "150,000",  # thousands separator
        ("WF_PAYROLL", ""): "８，０００，０００",  # full-width digits and comma
    }
    data = fill_single(imp.template(), {**valid_values_y(), **typed})
    preview = imp.preview(data)
    assert preview.ok, [p.text() for p in preview.problems]
    notes = preview.plan.notes
    assert "已将全角字符转换为半角" in notes
    assert "已去除千分位逗号" in notes
    assert "已去除首尾空格" in notes
    assert "数字以文本形式存储，已按数值读取" in notes
    imp.confirm(preview)
    values = stored()
    assert values[WORKERS] == "1000"
    assert values[MIGRANT_MALE] == "300"
    assert values[FUND] == "150000"
    assert values[("WF_PAYROLL", "")] == "8000000"


BAD_VALUES = [
    ("١٢٣", "含有非阿拉伯数字字符"),  # Arabic-Indic
    ("۱۲۳", "含有非阿拉伯数字字符"),  # Persian
    ("1_000", "下划线"),
    ("1e3", "科学计数法"),
    ("NaN", "不是有效的数字"),
    ("inf", "不是有效的数字"),
    ("一百二十", "中文数字"),
    ("壹佰", "中文数字"),
    ("1.2万", "换算成完整的数字"),
    (-5, "为负数"),
    (12.5, "不是整数"),
    ("12 34", "中间有空格"),
    ("1,23", "千分位逗号位置不正确"),
]


@pytest.mark.parametrize(("typed", "message"), BAD_VALUES)
def test_bad_count_is_refused_naming_the_cell(imp, typed, message):
    rows = cell_rows(imp.template())
    data = fill_single(imp.template(), {**valid_values_y(), WORKERS: typed})
    problems = refused(imp, data)
    assert codes(problems) == [Code.VALUE_INVALID]
    problem = problems[0]
    assert message in problem.message
    assert (problem.sheet, problem.row, problem.column, problem.field) == (
        DATA_SHEET,
        rows[WORKERS],
        "F",
        "产业工人总数",
    )
    assert problem.fix == "应填写：整数，≥0，必填。"
    assert problem.where == f"工作表“填报数据” 第 {rows[WORKERS]} 行 F 列"


def test_excel_error_value_is_refused_naming_the_cell(imp):
    rows = cell_rows(imp.template())
    problems = refused(imp, fill_single(imp.template(), {**valid_values_y(), WORKERS: "#DIV/0!"}))
    assert [(p.code, p.row, p.column) for p in problems] == [(Code.CELL_ERROR, rows[WORKERS], "F")]
    assert problems[0].message == "单元格是 Excel 错误值“#DIV/0!”，请修正后直接填写数值"


def test_every_bad_cell_is_listed_at_once(imp):
    rows = cell_rows(imp.template())
    data = fill_single(
        imp.template(),
        {**valid_values_y(), WORKERS: "一千", MIGRANT_MALE: -1, FUND: "12.345", CONGRESS: "也许", NOTES: "a\u202eb"},
    )
    problems = refused(imp, data)
    where = sorted((p.row, p.code) for p in problems)
    assert where == sorted((rows[k], Code.VALUE_INVALID) for k in (WORKERS, MIGRANT_MALE, FUND, CONGRESS, NOTES))
    messages = {p.row: p.message for p in problems}
    assert "最多精确到分" in messages[rows[FUND]]
    assert "请填写“是”或“否”" in messages[rows[CONGRESS]]
    assert "文字方向控制字符" in messages[rows[NOTES]]


def test_date_in_a_count_field_is_refused(imp):
    import datetime as dt

    problems = refused(imp, fill_single(imp.template(), {**valid_values_y(), WORKERS: dt.date(2021, 3, 5)}))
    assert "单元格是日期" in problems[0].message


def test_very_long_text_is_refused(imp):
    problems = refused(imp, fill_single(imp.template(), {**valid_values_y(), NOTES: "长" * 5000}))
    assert "内容过长" in problems[0].message


# --- Formulas -------------------------------------------------------------------------------------------------


def _with_formula(imp, formula: str) -> bytes:
    rows = cell_rows(imp.template())
    parts = [
        rows[k]
        for k in (
            ("WF_WORKERS_GROUP", o) for o in ("MIGRANT.MALE", "MIGRANT.FEMALE", "NONMIGRANT.MALE", "NONMIGRANT.FEMALE")
        )
    ]
    values = {k: v for k, v in valid_values_y().items() if k != WORKERS}
    values = {k: int(v) if v.isdigit() else v for k, v in values.items()}
    text = formula.format(first=min(parts), last=max(parts))
    return fill_single(imp.template(), {**values, WORKERS: text})


def test_formula_saved_by_openpyxl_has_no_value_and_is_refused(imp):
    rows = cell_rows(imp.template())
    problems = refused(imp, _with_formula(imp, "=SUM(F{first}:F{last})"))
    assert codes(problems) == [Code.FORMULA_NO_VALUE]
    assert problems[0].row == rows[WORKERS]
    assert "请在 Excel 中保存后再上传" in problems[0].message


def test_formula_saved_by_libreoffice_uses_its_cached_value(imp):
    data = libreoffice_resave(_with_formula(imp, "=SUM(F{first}:F{last})"))
    preview = imp.preview(data)
    assert preview.ok, [p.text() for p in preview.problems]
    change = next(c for c in preview.plan.orgs[0].changes if (c.element, c.option) == WORKERS)
    assert change.new == "1,000"
    assert any(n.startswith("公式 =SUM(") for n in change.notes)
    imp.confirm(preview)
    assert stored()[WORKERS] == "1000"


@pytest.mark.parametrize(
    "formula",
    [
        "=cmd|' /C calc'!A0",
        '=HYPERLINK("http://example.com/x","点我")',
        '=WEBSERVICE("http://example.com/x")',
        "=[1]Sheet1!A1",
    ],
)
def test_formula_reaching_outside_is_refused_as_a_security_event(imp, formula):
    data = _with_formula(imp, formula)
    problems = refused(imp, data)
    assert Code.FORMULA_DANGEROUS in codes(problems)
    assert "出于安全原因拒绝导入" in problems[0].message
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.event == "security.import.refused"


def test_formula_error_value_is_refused(imp):
    data = libreoffice_resave(_with_formula(imp, "=1/0"))
    problems = refused(imp, data)
    assert codes(problems) == [Code.CELL_ERROR]
    assert "#DIV/0!" in problems[0].message


# --- The sheet's shape ---------------------------------------------------------------------------------------


def test_merged_header_cells_are_listed(imp):
    def merge(book):
        book[DATA_SHEET].merge_cells("C3:D3")

    problems = refused(imp, fill_single(imp.template(), valid_values_y(), edit=merge))
    merged = [p for p in problems if p.code == Code.MERGED]
    assert [p.value for p in merged] == ["C3:D3"]
    assert "表头中有合并单元格 C3:D3" in merged[0].message


def test_merged_cells_in_the_data_area_are_listed(imp):
    rows = cell_rows(imp.template())

    def merge(book):
        book[DATA_SHEET].merge_cells(f"F{rows[WORKERS]}:F{rows[WORKERS] + 1}")

    problems = refused(imp, libreoffice_resave(fill_single(imp.template(), valid_values_y(), edit=merge)))
    assert Code.MERGED in codes(problems)
    assert any("数据区域中有合并单元格" in p.message for p in problems)


def test_renamed_header_is_listed(imp):
    def rename(book):
        book[DATA_SHEET]["F3"] = "数值"

    problems = refused(imp, fill_single(imp.template(), valid_values_y(), edit=rename))
    assert (problems[0].code, problems[0].row, problems[0].column) == (Code.HEADER_CHANGED, 3, "F")
    assert "应为“填报值”，实际为“数值”" in problems[0].message


def test_missing_column_is_listed(imp):
    def drop(book):
        book[DATA_SHEET].delete_cols(7)  # 上期值

    problems = refused(imp, libreoffice_resave(fill_single(imp.template(), valid_values_y(), edit=drop)))
    assert Code.COLUMN_MISSING in codes(problems)
    assert any("缺少列“上期值”" in p.message for p in problems)


def test_extra_column_is_listed(imp):
    def extra(book):
        book[DATA_SHEET]["K7"] = "备用"

    problems = refused(imp, fill_single(imp.template(), valid_values_y(), edit=extra))
    assert [(p.code, p.row, p.column, p.value) for p in problems] == [(Code.COLUMN_EXTRA, 7, "K", "备用")]


def test_inserted_row_is_listed(imp):
    rows = cell_rows(imp.template())

    def insert(book):
        book[DATA_SHEET].insert_rows(rows[CERTIFIED])

    problems = refused(imp, libreoffice_resave(fill_single(imp.template(), valid_values_y(), edit=insert)))
    assert Code.ROW_CHANGED in codes(problems)
    assert problems[0].row == rows[CERTIFIED]


def test_sheets_reordered_and_a_hidden_extra_sheet_are_accepted(imp):
    def shuffle(book):
        book.move_sheet(DATA_SHEET, offset=2)
        extra = book.create_sheet("草稿", 0)
        extra["A1"] = 12345
        extra.sheet_state = "hidden"

    preview = imp.preview(fill_single(imp.template(), valid_values_y(), edit=shuffle))
    assert preview.ok, [p.text() for p in preview.problems]
    assert preview.plan.cells_changed == len(valid_values_y())


def test_only_the_header_means_no_data(imp):
    problems = refused(imp, imp.template())
    assert codes(problems) == [Code.NO_DATA]
    assert problems[0].message == "没有数据"


def test_used_range_stretched_to_xfd1048576_is_read_cheaply(imp):
    data = fill_single(imp.template(), valid_values_y())
    name = sheet_part(data, DATA_SHEET)
    xml = part(data, name).decode()
    xml = xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')
    xml = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:XFD1048576"/>', xml)
    started = time.perf_counter()
    preview = imp.preview(rezip(data, replace={name: xml.encode()}))
    assert time.perf_counter() - started < 5
    assert preview.ok, [p.text() for p in preview.problems]


def test_a_sheet_of_100001_rows_is_refused_with_the_limit(imp):
    data = imp.template(kind="bulk", org=imp.tree.union_a)
    name = sheet_part(data, DATA_SHEET)
    xml = part(data, name).decode()
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>X{n}</t></is></c><c r="C{n}"><v>1</v></c></row>'
        for n in range(6, 6 + 100_001)
    )
    xml = re.sub(
        r"<sheetData>.*</sheetData>|<sheetData/>",
        lambda m: (
            m.group(0).replace("</sheetData>", rows + "</sheetData>")
            if m.group(0) != "<sheetData/>"
            else f"<sheetData>{rows}</sheetData>"
        ),
        xml,
        flags=re.S,
    )
    union_admin = imp.tree.user(Role.UNION_ADMIN, imp.tree.union_a)
    group = Importer(imp.tree, (imp.dataset,), user=union_admin, org=imp.tree.union_a)
    started = time.perf_counter()
    problems = refused(group, rezip(data, replace={name: xml.encode()}))
    assert time.perf_counter() - started < 10
    assert codes(problems) == [Code.TOO_MANY_ROWS]
    assert "文件有 100001 行数据，一次最多导入 100000 行" in problems[0].message


# --- The template: organisation, period, version, stamp -------------------------------------------------------


def test_another_organisations_template_is_refused(imp, tree):
    other = Importer(tree, (imp.dataset,), user=tree.user(Role.REPORTER, tree.ent_a2), org=tree.ent_a2)
    data = fill_single(other.template(), valid_values_y())
    problems = refused(imp, data)
    assert codes(problems) == [Code.WRONG_ORG]
    assert problems[0].message == "这是“曲靖供电局（E-A2）”的模板，不能导入“昆明供电局（E-A1）”的报表"


def test_another_periods_template_is_refused(imp):
    data = fill_single(imp.template(period="2020"), valid_values_y())
    problems = refused(imp, data)
    assert codes(problems) == [Code.WRONG_PERIOD]
    assert problems[0].message == "这是2020年度的模板，不能导入2021年度的报表"


def test_another_data_sets_template_is_refused(imp, wf):
    quarterly = Context(Actor(user=imp.user), wf[1], period_from_code("2021Q4"), imp.org)
    data = build_template(ctx=quarterly, kind="single", filled=False)
    problems = refused(imp, data)
    assert codes(problems) == [Code.WRONG_DATASET]


def test_template_of_an_old_version_is_refused(imp):
    data = fill_single(imp.template(), valid_values_y())
    draft = services.dataset_version_create_draft(by=SYSTEM, dataset=imp.dataset, note="第二版")
    services.dataset_version_publish(by=SYSTEM, dataset_version=draft)
    problems = refused(imp, data)
    assert codes(problems) == [Code.OUTDATED]
    assert problems[0].message == "模板版本已过期"
    assert "第 1 版" in problems[0].fix and "第 2 版" in problems[0].fix


def test_edited_stamp_is_refused(imp):
    def edit(book):
        sheet = book[STAMP_SHEET]
        for row in sheet.iter_rows():
            if row[0].value == "org":
                row[1].value = "E-A2"

    problems = refused(imp, fill_single(imp.template(), valid_values_y(), edit=edit))
    assert codes(problems) == [Code.STAMP_INVALID]
    assert "模板信息已损坏或被修改" in problems[0].message


def test_workbook_without_stamp_is_refused_as_outdated(imp):
    def drop(book):
        del book[STAMP_SHEET]

    problems = refused(imp, fill_single(imp.template(), valid_values_y(), edit=drop))
    assert codes(problems) == [Code.STAMP_MISSING]
    assert problems[0].message.startswith("模板版本已过期")


# --- Reports, scope and concurrency ---------------------------------------------------------------------------


def test_submitted_report_cannot_be_imported(imp, tree):
    submitted_report(tree, imp.dataset, "2021")
    problems = refused(imp, fill_single(imp.template(filled=True), {WORKERS: 1001}))
    assert codes(problems) == [Code.REPORT_NOT_EDITABLE]
    assert "已提交" in problems[0].message


def test_change_between_preview_and_confirm_writes_nothing(imp, tree):
    report = filled_report(tree, imp.dataset, "2021")
    preview = imp.preview(fill_single(imp.template(filled=True), {WORKERS: 1001, MIGRANT_MALE: 301}))
    assert preview.ok
    services.values_save(by=SYSTEM, report=report, version=report.version, values={CERTIFIED: "299"})
    before = state()
    outcome = imp.confirm(preview)
    assert codes(outcome.problems) == [Code.CONFLICT]
    assert "已被他人修改" in outcome.problems[0].message
    assert state() == before
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.event, entry.success, entry.detail["stage"]) == ("reporting.import.refused", False, "confirm")
    again = imp.confirm(preview)  # the upload is gone after a confirmation attempt
    assert codes(again.problems) == [Code.EXPIRED]


def test_an_upload_altered_after_its_preview_is_not_imported(imp, tree):
    # The confirm writes the plan kept at preview, only for the very file that was checked.
    preview = imp.preview(fill_single(imp.template(), valid_values_y()))
    assert preview.ok
    path = storage.path_of(preview.token, ".upload")
    path.write_bytes(path.read_bytes() + b"\0")
    before = state()
    outcome = imp.confirm(preview)
    assert codes(outcome.problems) == [Code.EXPIRED]
    assert "已变化" in outcome.problems[0].message
    assert state() == before


def test_bulk_template_lists_subsidiaries_and_imports_all_or_nothing(tree, wf, imports):
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    group = Importer(tree, wf, user=union_admin, org=tree.union_a)
    data = group.template(kind="bulk")
    sheet = load_workbook(io.BytesIO(data))[DATA_SHEET]
    assert [sheet[f"A{r}"].value for r in range(6, sheet.max_row + 1)] == ["E-A1", "E-A2"]
    values = {k: (int(v) if v.isdigit() else v) for k, v in valid_values_y().items()}

    bad = fill_bulk(data, {"E-A1": values, "E-A2": {**values, WORKERS: "一千"}})
    problems = refused(group, libreoffice_resave(bad))
    assert [(p.code, p.org, p.row) for p in problems] == [(Code.VALUE_INVALID, "E-A2", 7)]

    good = fill_bulk(data, {"E-A1": values, "E-A2": values})
    _preview, outcome = group.import_(libreoffice_resave(good))
    assert outcome.orgs == 2
    assert stored("E-A1")[WORKERS] == stored("E-A2")[WORKERS] == "1000"


def accepted(tree, wf, org) -> Report:
    report = filled_report(tree, wf[0], "2021", org=org)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED)
    return report


@pytest.mark.parametrize("row", ["unchanged", "cleared"])
def test_bulk_import_skips_the_unchanged_row_of_an_accepted_report_and_applies_the_others(tree, wf, imports, row):
    # Walk-through finding: one accepted subsidiary blocked the whole bulk file, even unchanged or cleared.
    accepted(tree, wf, tree.ent_a1)
    group = Importer(tree, wf, user=tree.user(Role.UNION_ADMIN, tree.union_a), org=tree.union_a)
    mine = {WORKERS: "1000"} if row == "unchanged" else {}
    preview, outcome = group.import_(fill_bulk(group.template(kind="bulk"), {"E-A1": mine, "E-A2": {WORKERS: 900}}))
    assert [(r.code, r.row, r.changed) for r in preview.plan.skipped] == [("E-A1", 6, 0)]
    assert preview.plan.skipped[0].message == "“昆明供电局”的报表状态为“已验收”，这一行与系统中的数据相同，已跳过。"
    assert outcome.orgs == 1 and not outcome.problems
    assert stored("E-A2") == {WORKERS: "900"}
    assert Report.objects.get(org=tree.ent_a1).status == ReportStatus.ACCEPTED
    assert stored("E-A1")[WORKERS] == "1000"


def test_bulk_import_skips_a_changed_row_of_an_accepted_report_and_says_who_can_reopen(client, tree, wf, imports):
    accepted(tree, wf, tree.ent_a1)
    group = Importer(tree, wf, user=tree.user(Role.UNION_ADMIN, tree.union_a), org=tree.union_a)
    data = fill_bulk(group.template(kind="bulk"), {"E-A1": {WORKERS: 1200, CERTIFIED: 1}, "E-A2": {WORKERS: 900}})
    preview = group.preview(data)
    assert preview.ok, [p.text() for p in preview.problems]
    [skip] = preview.plan.skipped
    assert (skip.code, skip.row, skip.changed) == ("E-A1", 6, 2)
    assert "有 2 项与系统中的数据不同，未导入" in skip.message
    assert "请联系产改办重新打开该报表" in skip.message
    assert [o.code for o in preview.plan.changed_orgs] == ["E-A2"]
    client.force_login(group.user)
    page = client.get(f"/reporting/excel/uploads/{preview.token}/").content.decode()
    assert 'id="plan-skipped"' in page and "第 6 行：" in page and "请联系产改办重新打开该报表" in page
    outcome = group.confirm(preview)
    assert outcome.orgs == 1
    assert stored("E-A1")[WORKERS] == "1000"
    assert stored("E-A2") == {WORKERS: "900"}


def test_bulk_import_with_an_accepted_row_still_refuses_a_bad_value_in_an_applicable_row(tree, wf, imports):
    accepted(tree, wf, tree.ent_a1)
    group = Importer(tree, wf, user=tree.user(Role.UNION_ADMIN, tree.union_a), org=tree.union_a)
    data = fill_bulk(group.template(kind="bulk"), {"E-A1": {WORKERS: 1200}, "E-A2": {WORKERS: "一千"}})
    problems = refused(group, data)
    assert [(p.code, p.org, p.row) for p in problems] == [(Code.VALUE_INVALID, "E-A2", 7)]


def test_preview_warns_of_outliers_as_web_entry_does(imp, tree, clock):
    # Walk-through finding: the rule lives in reporting/validation.py and the preview uses it too.
    clock.set(at(2021, 1, 10))
    last_year = filled_report(tree, imp.dataset, "2020")
    services.values_save(by=SYSTEM, report=last_year, version=last_year.version, values={("WF_TECH_STAFF", ""): "1"})
    clock.set(at(2022, 1, 10))
    preview = imp.preview(fill_single(imp.template(), valid_values_y()))
    assert preview.ok, [p.text() for p in preview.problems]
    [org_plan] = preview.plan.orgs
    assert "专业技术人员人数：上期 1，本期 120，是上期的 120 倍，请核对。" in org_plan.rule_warnings


def test_bulk_row_of_an_organisation_outside_the_scope_is_refused(tree, wf, imports):
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    group = Importer(tree, wf, user=union_admin, org=tree.union_a)
    data = group.template(kind="bulk")

    def add_rows(book):
        sheet = book[DATA_SHEET]
        sheet["A8"], sheet["B8"], sheet["C8"] = "E-B1", "云南铜业股份", 5
        sheet["A9"], sheet["B9"], sheet["C9"] = "E-A1", "昆明供电局", 5
        sheet["B7"] = "别的名字"

    problems = refused(group, fill_bulk(data, {"E-A1": {WORKERS: 1000}}, edit=add_rows))
    found = {(p.code, p.row) for p in problems}
    assert (Code.ORG_NOT_ALLOWED, 8) in found
    assert (Code.DUPLICATE_ORG, 9) in found
    assert (Code.ORG_NAME_MISMATCH, 7) in found


def test_error_workbook_marks_the_wrong_cells(imp):
    rows = cell_rows(imp.template())
    data = fill_single(imp.template(), {**valid_values_y(), WORKERS: "一千", MIGRANT_MALE: -3})
    preview = imp.preview(data)
    errors = load_workbook(io.BytesIO(storage.path_of(preview.token, ".errors.xlsx").read_bytes()))
    assert errors.sheetnames[0] == ERRORS_SHEET
    listing = list(errors[ERRORS_SHEET].iter_rows(min_row=3, values_only=True))
    assert [(r[1], r[2], r[3]) for r in listing] == [
        (DATA_SHEET, rows[WORKERS], "F"),
        (DATA_SHEET, rows[MIGRANT_MALE], "F"),
    ]
    sheet = errors[DATA_SHEET]
    wrong = sheet[f"F{rows[WORKERS]}"]
    assert wrong.value == "一千"
    assert wrong.fill.fgColor.rgb.endswith("FF7C80")
    assert isinstance(wrong.comment, Comment) and "中文数字" in wrong.comment.text
    assert sheet[f"F{rows[CERTIFIED]}"].fill.fgColor.rgb.endswith("FFF2CC")  # right cells stay yellow

    # The error workbook is a template again: fixed and uploaded, it imports.
    def fix(book):
        book[DATA_SHEET][f"F{rows[WORKERS]}"] = 1000
        book[DATA_SHEET][f"F{rows[MIGRANT_MALE]}"] = 300

    again = io.BytesIO()
    errors_fixed = errors
    fix(errors_fixed)
    errors_fixed.save(again)
    assert imp.preview(again.getvalue()).ok


def test_values_import_rolls_back_every_report_when_one_fails(tree, wf, imports):
    from reporting.services.imports import ImportFailed, ImportItem, values_import

    submitted_report(tree, wf[0], "2021", org=tree.ent_a2)
    before = state()
    with pytest.raises(ImportFailed) as failure:
        values_import(
            by=SYSTEM,
            dataset=wf[0],
            period=period_from_code("2021"),
            items=[
                ImportItem(org=tree.ent_a1, values={WORKERS: "1000"}),
                ImportItem(org=tree.ent_a2, values={WORKERS: "1000"}),
            ],
            dataset_version_number=1,
        )
    assert [f.org.code for f in failure.value.failures] == ["E-A2"]
    assert state() == before
    assert not Report.objects.filter(org=tree.ent_a1).exists()


def test_decimal_values_survive_the_round_trip(imp, tree):
    filled_report(tree, imp.dataset, "2021")
    services_values = {("WF_STUDIO_VALUE", ""): "2500000.5"}
    report = Report.objects.get(org=imp.org)
    services.values_save(by=SYSTEM, report=report, version=report.version, values=services_values)
    data = libreoffice_resave(imp.template(filled=True))
    preview = imp.preview(data)
    assert preview.ok, [p.text() for p in preview.problems]
    assert preview.plan.cells_changed == 0
    assert Decimal(stored()[("WF_STUDIO_VALUE", "")]) == Decimal("2500000.5")


def test_value_in_column_xfd_is_refused_with_the_column_limit(imp):
    def far(book):
        book[DATA_SHEET]["XFD10"] = 1

    problems = refused(imp, fill_single(imp.template(), valid_values_y(), edit=far))
    assert codes(problems) == [Code.TOO_MANY_COLUMNS]
    assert "第 16384 列（XFD 列）" in problems[0].message


def test_blank_rows_between_organisations_are_skipped(tree, wf, imports):
    group = Importer(tree, wf, user=tree.user(Role.UNION_ADMIN, tree.union_a), org=tree.union_a)
    data = group.template(kind="bulk")

    def spread(book):
        sheet = book[DATA_SHEET]
        sheet["A9"], sheet["B9"] = sheet["A7"].value, sheet["B7"].value
        sheet["A7"], sheet["B7"] = None, None
        sheet["C9"] = 1000

    preview = group.preview(fill_bulk(data, {"E-A1": {WORKERS: 900}}, edit=spread))
    assert preview.ok, [p.text() for p in preview.problems]
    assert {o.code: [c.new for c in o.changes] for o in preview.plan.orgs} == {"E-A1": ["900"], "E-A2": ["1,000"]}


def test_purge_import_temp_deletes_what_is_older_than_24_hours(imp, imports):
    import os

    from django.core.management import call_command

    old = imp.preview(imp.template())  # refused: its metadata and error workbook are kept for download
    fresh = imp.preview(fill_single(imp.template(), valid_values_y()))
    day_ago = time.time() - 25 * 3600
    for path in imports.glob(f"{old.token}*"):
        os.utime(path, (day_ago, day_ago))
    out = io.StringIO()
    call_command("purge_import_temp", stdout=out)
    assert "2 file(s) deleted" in out.getvalue()
    kept = [f"{fresh.token}.json", f"{fresh.token}.plan.json", f"{fresh.token}.upload"]
    assert sorted(p.name for p in imports.iterdir()) == kept


def test_the_worker_purges_old_import_files_every_hour(imp, imports):
    import os

    from core import registry

    work = {p.name: p for p in registry.declared_periodic()}["reporting.purge_import_temp"]
    old = imp.preview(imp.template())
    day_ago = time.time() - 25 * 3600
    for path in imports.glob(f"{old.token}*"):
        os.utime(path, (day_ago, day_ago))

    assert work.every.total_seconds() == 3600
    assert work.fn() == 2
    assert not list(imports.glob(f"{old.token}*"))


def test_bulk_upload_answers_alike_for_unknown_and_other_branches_codes(tree, wf, imports):
    # issue 11: the message named the other branch's enterprise, so an upload mapped codes to names.
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    group = Importer(tree, wf, user=union_admin, org=tree.union_a)
    data = group.template(kind="bulk")

    def add_rows(book):
        sheet = book[DATA_SHEET]
        sheet["A8"], sheet["B8"], sheet["C8"] = "E-B1", "", 5
        sheet["A9"], sheet["B9"], sheet["C9"] = "NO-SUCH", "", 5

    problems = {p.row: p for p in refused(group, fill_bulk(data, {"E-A1": {WORKERS: 1000}}, edit=add_rows))}
    other, unknown = problems[8], problems[9]
    assert (other.code, unknown.code) == (Code.ORG_NOT_ALLOWED, Code.ORG_NOT_ALLOWED)
    assert other.message.replace("E-B1", "X") == unknown.message.replace("NO-SUCH", "X")
    assert tree.ent_b1.name not in other.message
    assert other.fix == unknown.fix
