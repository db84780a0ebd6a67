"""The tree as a file: the organisations a user may see, one per row, in the import template's columns.

The rows are read through the scoping door (`visible_to(user, ORG_VIEW)`): a union sees its own subtree, the
office the whole province. A row's parent code is written only when the parent is in that scope too (the root
row of a union's file leaves it empty: it stays where it is when the file comes back). Closed organisations are
included with their 撤销日期, so a file exported and imported unchanged changes nothing. Cells that could start
a formula are neutralised (core.exports.safe_cell); CSV is UTF-8 with BOM.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from core.exports import write_csv, write_xlsx_sheets
from orgs.choices import Action
from orgs.models import Organisation
from orgs.transfer.columns import COLUMNS, GUIDE_SHEET, HEADERS, SHEET, choice_guide, choice_label, column_letter


def export_rows(user) -> Iterator[list[Any]]:
    """One row per organisation `user` may see (ORG_VIEW), in tree order (parents before children)."""
    rows = (
        Organisation.objects.visible_to(user, Action.ORG_VIEW)
        .order_by("path")
        .values_list(
            "path",
            "depth",
            "code",
            "name",
            "short_name",
            "kind",
            "ownership",
            "industry",
            "region_id",
            "credit_code",
            "opened_on",
            "closed_on",
            "notes",
        )
    )
    codes: dict[str, str] = {}
    for (
        path,
        depth,
        code,
        name,
        short,
        kind,
        ownership,
        industry,
        region,
        credit,
        opened,
        closed,
        notes,
    ) in rows.iterator(chunk_size=2000):
        codes[path] = code
        parent = codes.get(path[: -Organisation.steplen], "") if depth > 1 else ""
        yield [
            code,
            name,
            short,
            choice_label("kind", kind),
            parent,
            choice_label("ownership", ownership),
            choice_label("industry", industry),
            region or "",
            credit,
            opened,
            closed,
            notes,
        ]


def guide_rows() -> list[list[str]]:
    """The instructions sheet: each column, whether it must be present, and how to fill it."""
    rows = []
    for index, column in enumerate(COLUMNS):
        text = str(column.guide)
        if column.key in ("kind", "ownership", "industry"):
            text += choice_guide(column.key)
        rows.append(
            [
                column_letter(index),
                column.header,
                _("必填") if column.key in ("code", "name", "kind") else _("选填"),
                text,
            ]
        )
    rows += [
        ["", "", "", ""],
        [
            "",
            _("说明"),
            "",
            _("每行一个机构，从第 2 行开始填写；第 1 行是列名，不要改名。没有的列可以删除，导入时不改变该项。"),
        ],
        [
            "",
            "",
            "",
            _("导出的文件可以直接修改后导入：代码相同的行修改该机构，新的代码新增机构，上级机构代码不同即为迁移。"),
        ],
        ["", "", "", _("上传后先预览将新增、修改、迁移和撤销的机构，确认后全部导入；有任何一处错误则一条也不导入。")],
        ["", "", "", _("文件中没有的机构保持不变（导入不会删除或撤销文件中没有的机构）。")],
        ["", "", "", _("也可以上传 CSV（UTF-8 编码、逗号分隔），列名与本模板相同。")],
    ]
    return rows


def write_export(fileobj: IO[bytes], fmt: str, user=None) -> int:
    """Write the export (or, with no user, the empty template) as .xlsx (with the instructions sheet) or CSV."""
    rows = export_rows(user) if user is not None else iter(())
    if fmt == "csv":
        return write_csv(fileobj, headers=HEADERS, rows=rows)
    counts = write_xlsx_sheets(
        fileobj,
        [(SHEET, HEADERS, rows), (GUIDE_SHEET, [_("列"), _("列名"), _("是否必填"), _("填写说明")], guide_rows())],
    )
    return counts[0]
