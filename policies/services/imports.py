"""Import of measures from .xlsx (导入): a template with a column guide; upload → dry run → confirm, all or nothing.

`template_bytes()` is the workbook to fill (sheet 政策措施, one row per measure, and a sheet 填写说明 that explains
every column). `examine(upload)` checks the file (core.files: a real .xlsx, no macros), reads every row and
returns the plan (which measures would be created, which updated — matched by 文号 and 政策名称) and every
problem, each located as sheet, row, column and value with how to fix it. `apply(by, plan)` writes the whole
plan in one transaction, or nothing: a row that no longer checks out (someone changed the library meanwhile)
rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.actor import Actor
from core.errors import UserError
from core.files import XLSX, checked_upload
from policies.choices import Category, MeasureStatus
from policies.models import Measure
from policies.services.measures import clean_fields, ensure_librarian

SHEET = "政策措施"
GUIDE_SHEET = "填写说明"
MAX_ROWS = 2000
SIGNING_SALT = "policies.import"
PLAN_MAX_AGE = 2 * 3600


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    kind: str  # text, date, category, status
    guide: Any


COLUMNS = (
    Column("title", "政策名称", True, "text", gettext_lazy(
        "必填，不超过 200 字。与文号一起用来识别已有政策：两者都相同的行更新原政策，否则新建。"
    )),
    Column("issuer", "发文单位", True, "text", gettext_lazy("必填，如“云南省人力资源和社会保障厅”。")),
    Column("doc_number", "文号", False, "text", gettext_lazy("如“云人社发〔2021〕12号”；同一文件中不能重复。")),
    Column("issued_on", "发布日期", True, "date", gettext_lazy("必填，日期格式，如 2021-03-15。")),
    Column("category", "类别", True, "category", gettext_lazy("必填，从下拉列表选择：") ),
    Column("eligible_text", "适用对象", False, "text", gettext_lazy("哪些单位、职工可以享受。")),
    Column("benefits", "支持内容", False, "text", gettext_lazy("补贴标准、支持方式等。")),
    Column("apply_steps", "申请流程", False, "text", gettext_lazy("申请步骤和需要的材料。")),
    Column("apply_where", "受理地点", False, "text", gettext_lazy("受理部门和地址。")),
    Column("apply_contact", "联系方式", False, "text", gettext_lazy("受理部门的办公电话。")),
    Column("apply_deadline", "申请截止日期", False, "date", gettext_lazy("选填，日期格式；常年受理的留空。")),
    Column("valid_from", "有效期起", True, "date", gettext_lazy("必填，日期格式。")),
    Column("valid_to", "有效期止", False, "date", gettext_lazy("选填，日期格式，不能早于有效期起；长期有效的留空。")),
    Column("status", "状态", False, "status", gettext_lazy(
        "“草稿”或“已发布”（留空为草稿）；“已废止”用于废止已有政策。"
    )),
    Column("body", "政策全文", False, "text", gettext_lazy("选填，纯文本；空行分段。")),
)  # fmt: skip
STATUS_BY_LABEL = {str(label): value for value, label in MeasureStatus.choices}


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@dataclass
class Problem:
    """One thing wrong in the file, where it is and how to fix it."""

    sheet: str
    row: int | None
    column: str
    header: str
    value: str
    message: str
    fix: str = ""

    def where(self) -> str:
        if self.row is None:
            return _("工作表“%(sheet)s”") % {"sheet": self.sheet}
        return _("工作表“%(sheet)s”第 %(row)d 行 %(col)s 列（%(header)s）") % {
            "sheet": self.sheet, "row": self.row, "col": self.column, "header": self.header,
        }  # fmt: skip


@dataclass
class PlanRow:
    row: int
    action: str  # create / update
    title: str
    doc_number: str
    measure_id: int | None
    version: int | None
    status: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Examined:
    rows: list[PlanRow]
    problems: list[Problem]

    @property
    def creates(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def updates(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")


# --- The template ------------------------------------------------------------------------------------------------


def template_bytes() -> bytes:
    """The empty template: headers (required ones marked *), a category and a status list, an example-free guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from core.rendering import header_cell, set_widths

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header + ("*" if column.required else ""))
        header_cell(cell)
    sheet.freeze_panes = "A2"
    set_widths(sheet, [30, 24, 22, 12, 14, 30, 30, 30, 24, 18, 12, 12, 12, 10, 40])
    categories = DataValidation(
        type="list", formula1='"' + ",".join(str(c) for c in Category.labels) + '"', allow_blank=False
    )
    statuses = DataValidation(type="list", formula1='"' + ",".join(STATUS_BY_LABEL) + '"', allow_blank=True)
    for validation, key in ((categories, "category"), (statuses, "status")):
        letter = column_letter(next(i for i, c in enumerate(COLUMNS) if c.key == key))
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)
    for key in ("issued_on", "apply_deadline", "valid_from", "valid_to"):
        letter = column_letter(next(i for i, c in enumerate(COLUMNS) if c.key == key))
        for row in range(2, 202):
            sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append([_("列"), _("列名"), _("是否必填"), _("填写说明")])
    for index in range(1, 5):
        header_cell(guide.cell(row=1, column=index))
    for index, column in enumerate(COLUMNS):
        text = str(column.guide)
        if column.kind == "category":
            text += "、".join(str(c) for c in Category.labels)
        guide.append([column_letter(index), column.header, _("必填") if column.required else _("选填"), text])
    guide.append([])
    guide.append([_("每行一项政策措施，从第 2 行开始填写；不要修改第 1 行的列名和列的顺序。")])
    guide.append([_("上传后先预览将新建和更新的政策，确认后全部导入；有任何错误则一条也不导入。")])
    guide.cell(row=len(COLUMNS) + 3, column=1).font = Font(bold=True)
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    set_widths(guide, [6, 14, 10, 80])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Reading and checking ------------------------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}"
    return str(value).strip()


def _date(value: Any) -> dt.date | None | str:
    """A date, None for an empty cell, or "bad"."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE_TEXT.match(str(value))
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return "bad"
    return "bad"


def _read_rows(data: bytes) -> tuple[list[str], list[list[Any]]] | None:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if SHEET not in workbook.sheet_names:
            return None
        rows = workbook.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    except Exception as error:  # noqa: BLE001 - any reader failure is "not a readable workbook"
        raise UserError(
            _("无法读取该 Excel 文件（可能已损坏或加密），请用 Excel 或 WPS 重新保存后上传。"), field="file"
        ) from error
    if not rows:
        return [], []
    return [_text(h).rstrip("*") for h in rows[0]], rows[1:]


def examine(upload) -> Examined:
    """Check an uploaded workbook and plan the import; every problem found is listed (nothing is written)."""
    name, kind, _digest = checked_upload(upload)
    if kind is not XLSX:
        raise UserError(_("请上传由模板填写的 Excel（.xlsx）文件，“%(name)s”不是。") % {"name": name}, field="file")
    upload.seek(0)
    read = _read_rows(upload.read())
    if read is None:
        return Examined([], [Problem(SHEET, None, "", "", "", _("找不到名为“%(s)s”的工作表。") % {"s": SHEET},
                                     _("请下载最新模板，在“%(s)s”工作表中填写。") % {"s": SHEET})])  # fmt: skip
    headers, rows = read
    problems: list[Problem] = []
    expected = [c.header for c in COLUMNS]
    if headers[: len(expected)] != expected:
        for index, column in enumerate(COLUMNS):
            found = headers[index] if index < len(headers) else ""
            if found != column.header:
                problems.append(Problem(SHEET, 1, column_letter(index), column.header, found,
                                        _("列名应为“%(h)s”。") % {"h": column.header},
                                        _("请不要修改模板第 1 行的列名和列的顺序。")))  # fmt: skip
        return Examined([], problems)
    data_rows = [(number, row) for number, row in enumerate(rows, start=2) if any(_text(v) for v in row)]
    if not data_rows:
        return Examined([], [Problem(SHEET, None, "", "", "", _("没有数据。"), _("请从第 2 行开始每行填写一项政策。"))])
    if len(data_rows) > MAX_ROWS:
        return Examined(
            [], [Problem(SHEET, None, "", "", "", _("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, _("请分批导入。"))]
        )
    categories = {str(label): value for value, label in Category.choices}
    existing = {(m.doc_number, m.title): m for m in Measure.objects.all()}
    seen_numbers: dict[str, int] = {}
    seen_keys: dict[tuple[str, str], int] = {}
    plan: list[PlanRow] = []
    for number, row in data_rows:
        cells = list(row) + [None] * (len(COLUMNS) - len(row))
        values: dict[str, Any] = {}
        row_problems: list[Problem] = []

        def problem(index: int, value: Any, message: str, fix: str) -> None:
            column = COLUMNS[index]
            row_problems.append(Problem(SHEET, number, column_letter(index), column.header, _text(value), message, fix))  # noqa: B023

        for index, column in enumerate(COLUMNS):
            raw = cells[index]
            if column.kind == "date":
                value = _date(raw)
                if value == "bad":
                    problem(index, raw, _("不是有效的日期。"), _("请填写如 2021-03-15 的日期，或设为日期格式。"))
                    continue
            elif column.kind == "category":
                text = _text(raw)
                value = categories.get(text) if text else None
                if text and value is None:
                    problem(
                        index, raw, _("未知的类别。"), _("请从下拉列表选择：%(c)s。") % {"c": "、".join(categories)}
                    )
                    continue
            elif column.kind == "status":
                text = _text(raw)
                value = STATUS_BY_LABEL.get(text, "bad") if text else MeasureStatus.DRAFT
                if value == "bad":
                    problem(index, raw, _("未知的状态。"), _("请填写“草稿”“已发布”或“已废止”。"))
                    continue
            else:
                value = _text(raw)
            if column.required and value in (None, ""):
                problem(
                    index, raw, _("%(h)s不能为空。") % {"h": column.header}, _("请填写%(h)s。") % {"h": column.header}
                )
                continue
            values[column.key] = value
        doc_number = values.get("doc_number", "")
        title = values.get("title", "")
        if doc_number:
            if doc_number in seen_numbers:
                index = next(i for i, c in enumerate(COLUMNS) if c.key == "doc_number")
                problem(index, doc_number, _("与第 %(r)d 行的文号重复。") % {"r": seen_numbers[doc_number]},
                        _("同一文号只能填写一行；如确为不同政策，请核对文号。"))  # fmt: skip
            else:
                seen_numbers[doc_number] = number
        if (doc_number, title) in seen_keys and not doc_number:
            index = next(i for i, c in enumerate(COLUMNS) if c.key == "title")
            problem(
                index, title, _("与第 %(r)d 行重复。") % {"r": seen_keys[(doc_number, title)]}, _("请删除重复的行。")
            )
        seen_keys.setdefault((doc_number, title), number)
        status = values.pop("status", MeasureStatus.DRAFT)
        if not row_problems:
            try:
                clean_fields(values)
            except UserError as error:
                index = next((i for i, c in enumerate(COLUMNS) if c.key == error.field), 0)
                problem(index, values.get(error.field or "", ""), error.message, _("请按提示修改本行。"))
        current = existing.get((doc_number, title))
        if current is None and status == MeasureStatus.REPEALED:
            index = next(i for i, c in enumerate(COLUMNS) if c.key == "status")
            problem(index, _("已废止"), _("新政策不能直接导入为“已废止”。"), _("请填写“草稿”或“已发布”。"))
        problems.extend(row_problems)
        plan.append(
            PlanRow(
                row=number, action="update" if current else "create", title=title, doc_number=doc_number,
                measure_id=current.pk if current else None, version=current.version if current else None,
                status=status, fields=values,
            )
        )  # fmt: skip
    return Examined(plan if not problems else [], problems)


# --- The plan, carried to the confirmation and applied --------------------------------------------------------------


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()}


def sign_plan(examined: Examined, user) -> str:
    """The plan as a signed token (the confirmation posts it back; nothing is stored on the server meanwhile)."""
    rows = [{**asdict(r), "fields": _jsonable(r.fields)} for r in examined.rows]
    return signing.dumps({"user": user.pk, "rows": rows}, salt=SIGNING_SALT, compress=True)


def load_plan(token: str, user) -> list[PlanRow]:
    """The plan a token carries; UserError when it is forged, expired or someone else's."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=PLAN_MAX_AGE)
    except signing.BadSignature as error:
        raise UserError(_("导入预览已失效，请重新上传文件。"), field="plan") from error
    if payload.get("user") != user.pk:
        raise UserError(_("导入预览已失效，请重新上传文件。"), field="plan")
    rows = []
    for raw in payload["rows"]:
        fields = {
            k: (dt.date.fromisoformat(v) if k in ("issued_on", "apply_deadline", "valid_from", "valid_to") and v else v)
            for k, v in raw["fields"].items()
        }
        rows.append(PlanRow(**{**raw, "fields": fields}))
    return rows


@transaction.atomic
def apply(*, by: Actor, rows: list[PlanRow]) -> tuple[int, int]:
    """Write every planned row, or none: (created, updated). UserError names the row that failed."""
    ensure_librarian(by)
    if not rows:
        raise UserError(_("没有可导入的内容。"), field="plan")
    created = updated = 0
    for row in rows:
        try:
            cleaned = clean_fields(row.fields)
            current = Measure.objects.filter(doc_number=row.doc_number, title=row.title).select_for_update().first()
            if row.action == "update":
                if current is None or current.pk != row.measure_id or current.version != row.version:
                    raise UserError(_("该政策在预览后已被修改或删除。"))
                before = audit.snapshot(current)
                Measure.objects.filter(pk=current.pk).update(**cleaned, status=row.status, version=current.version + 1)
                current.refresh_from_db()
                audit.record(by, "policies.measure.update", current, before=before, detail={"import_row": row.row})
                updated += 1
            else:
                if current is not None:
                    raise UserError(_("预览后已有人录入了相同文号和名称的政策。"))
                measure = Measure.objects.create(**cleaned, status=row.status, created_by=by.user)
                audit.record(by, "policies.measure.create", measure, detail={"import_row": row.row})
                created += 1
        except UserError as error:
            raise UserError(
                _("第 %(row)d 行（%(title)s）：%(message)s 本次导入未写入任何数据，请重新上传。")
                % {"row": row.row, "title": row.title, "message": error.message}
            ) from error
    audit.record(
        by, "policies.import.apply", object_type="policies.measure", object_repr=_("政策库导入"), after=None,
        detail={"created": created, "updated": updated},
    )  # fmt: skip
    return created, updated
