"""Import of measures from .xlsx: the template, a good file (create and update by 文号 + title), every kind of bad
cell located by sheet, row, column and value, all or nothing, and files that are not a plain workbook."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core.errors import UserError
from core.models import AuditEntry
from policies.choices import MeasureStatus
from policies.models import Measure
from policies.services import imports
from policies.tests.factories import make_measure, office_actor

HEADERS = [c.header + ("*" if c.required else "") for c in imports.COLUMNS]


def row(**values):
    base = {
        "政策名称": "职业技能培训补贴", "发文单位": "云南省人力资源和社会保障厅", "文号": "云人社发〔2019〕35号",
        "发布日期": dt.date(2019, 6, 20), "类别": "技能素质提升", "支持内容": "按培训合格人数给予补贴。",
        "有效期起": "2019-06-20", "状态": "已发布", "政策全文": "第一条 ……",
    }  # fmt: skip
    base.update(values)
    return [base.get(c.header) for c in imports.COLUMNS]


def workbook(*rows, sheet="政策措施", headers=HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("政策.xlsx", out.getvalue())


def test_template_has_the_columns_and_a_guide():
    wb = load_workbook(io.BytesIO(imports.template_bytes()))
    assert wb.sheetnames == ["政策措施", "填写说明"]
    assert [c.value for c in wb["政策措施"][1]] == HEADERS
    guide = {r[1]: r[3] for r in wb["填写说明"].iter_rows(min_row=2, max_row=len(HEADERS) + 1, values_only=True)}
    assert "思想政治引领" in guide["类别"] and "2021-03-15" in guide["发布日期"]
    assert wb["政策措施"].data_validations.dataValidation  # category and status lists


def test_good_file_creates_and_updates_by_number_and_title(tree):
    existing = make_measure("首席技师制度", doc_number="云人社发〔2021〕12号", benefits="旧内容")
    upload = workbook(
        row(),
        row(
            政策名称="首席技师制度",
            文号="云人社发〔2021〕12号",
            类别="待遇改善",
            支持内容="新内容",
            有效期起="2021/2/26",
        ),
        row(
            政策名称="产教融合型企业认定",
            文号="",
            类别="产教融合",
            状态=None,
            有效期起="2020年7月1日",
            有效期止="2025-12-31",
        ),
    )
    examined = imports.examine(upload)
    assert not examined.problems
    assert [(r.row, r.action) for r in examined.rows] == [(2, "create"), (3, "update"), (4, "create")]
    rows = imports.load_plan(
        imports.sign_plan(examined, tree.user("office_admin", tree.office)), tree.user("office_admin", tree.office)
    )
    created, updated = imports.apply(by=office_actor(tree), rows=rows)
    assert (created, updated) == (2, 1)
    existing.refresh_from_db()
    assert existing.benefits == "新内容" and existing.category == "pay" and existing.version == 2
    new = Measure.objects.get(title="产教融合型企业认定")
    assert (
        new.status == MeasureStatus.DRAFT
        and new.valid_to == dt.date(2025, 12, 31)
        and new.valid_from == dt.date(2020, 7, 1)
    )
    assert Measure.objects.get(title="职业技能培训补贴").status == MeasureStatus.PUBLISHED
    assert AuditEntry.objects.filter(event="policies.measure.create").count() == 2
    assert AuditEntry.objects.get(event="policies.import.apply").detail == {"created": 2, "updated": 1}


def test_every_bad_cell_is_located_and_nothing_is_written(tree):
    upload = workbook(
        row(发布日期="2021-02-30"),  # row 2: bad date
        row(政策名称="B", 文号="X-2", 类别="体育"),  # row 3: unknown category
        row(政策名称=None, 文号="X-3"),  # row 4: missing title
        row(政策名称="D", 文号="云人社发〔2019〕35号"),  # row 5: 文号 repeated from row 2
        row(政策名称="E", 文号="X-5", 状态="作废"),  # row 6: unknown status
        row(政策名称="F", 文号="X-6", 有效期起="2021-01-01", 有效期止="2020-01-01"),  # row 7: validity reversed
        row(政策名称="G", 文号="X-7", 状态="已废止"),  # row 8: a new measure cannot be repealed
    )
    examined = imports.examine(upload)
    found = [(p.sheet, p.row, p.column, p.value, p.message) for p in examined.problems]
    assert found == [
        ("政策措施", 2, "D", "2021-02-30", "不是有效的日期。"),
        ("政策措施", 3, "E", "体育", "未知的类别。"),
        ("政策措施", 4, "A", "", "政策名称不能为空。"),
        ("政策措施", 5, "C", "云人社发〔2019〕35号", "与第 2 行的文号重复。"),
        ("政策措施", 6, "N", "作废", "未知的状态。"),
        ("政策措施", 7, "M", "2020-01-01", "有效期止不能早于有效期起。"),
        ("政策措施", 8, "N", "已废止", "新政策不能直接导入为“已废止”。"),
    ]
    assert all(p.fix for p in examined.problems)
    assert examined.problems[0].where() == "工作表“政策措施”第 2 行 D 列（发布日期）"
    assert examined.rows == [] and not Measure.objects.exists()


def test_all_or_nothing_when_the_library_changed_since_the_preview(tree):
    office = tree.user("office_admin", tree.office)
    examined = imports.examine(workbook(row(), row(政策名称="B", 文号="X-2")))
    rows = imports.load_plan(imports.sign_plan(examined, office), office)
    make_measure("B", doc_number="X-2")  # someone entered the second one meanwhile
    with pytest.raises(
        UserError, match="第 3 行（B）：预览后已有人录入了相同文号和名称的政策。 本次导入未写入任何数据"
    ):
        imports.apply(by=office_actor(tree), rows=rows)
    assert list(Measure.objects.values_list("title", flat=True)) == ["B"]


def test_a_forged_or_foreign_plan_is_refused(tree):
    office = tree.user("office_admin", tree.office)
    token = imports.sign_plan(imports.examine(workbook(row())), office)
    with pytest.raises(UserError, match="导入预览已失效"):
        imports.load_plan(token + "x", office)
    with pytest.raises(UserError, match="导入预览已失效"):
        imports.load_plan(token, tree.user("office_reviewer", tree.office))


def test_headers_renamed_empty_and_missing_sheet(tree):
    renamed = imports.examine(workbook(row(), headers=["标题", *HEADERS[1:]]))
    assert [(p.row, p.column, p.value) for p in renamed.problems] == [(1, "A", "标题")]
    assert imports.examine(workbook()).problems[0].message == "没有数据。"
    assert "找不到名为“政策措施”的工作表" in imports.examine(workbook(row(), sheet="Sheet1")).problems[0].message


def test_macro_workbooks_and_renamed_files_are_refused(tree):
    good = workbook(row()).read()
    with_macros = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(with_macros, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(UserError, match="含宏"):
        imports.examine(SimpleUploadedFile("政策.xlsx", with_macros.getvalue()))
    with pytest.raises(UserError, match="类型不允许上传"):
        imports.examine(SimpleUploadedFile("政策.xlsm", good))
    with pytest.raises(UserError, match="请上传由模板填写的 Excel"):
        imports.examine(SimpleUploadedFile("政策.pdf", b"%PDF-1.4 fake"))
