"""The dry run of an organisation import: every check, and the plan of what confirming would write.

`plan_table(table, actor, on)` reads every row, checks everything and returns a `Plan`: the organisations to
create, to change (field by field, before → after), to move (old parent → new parent from `on`, the 生效日期
chosen on the upload form) and to close, how many rows are unchanged, and every problem with its sheet, row,
column, value and fix. Nothing is written. Confirming applies the same plan through orgs.services (services.py).

Scope. A union administrator plans only within the subtrees where he holds ORG_MANAGE; the office (and the
system administrator at the root) everywhere. A parent code that is neither in the file nor in that scope gets
one message whether it exists elsewhere or not at all, and a row whose own code is taken outside the scope one
message too, so an upload cannot map other branches' codes. A root row of a union's file (its own union) may
name its current parent, or leave it empty, without that parent being in scope: it stays where it is.

What the tree's services would refuse is refused here with the reason: a move into its own subtree (a cycle,
also across several rows), under a closed parent, dated on or before the current link's start, or before the new
parent existed (its reports would roll up nowhere); a closure with open children left, with records dated after
it (orgs.services.records_after: reports and the other apps' dated records), or reopening a closed organisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.actor import Actor
from core.cleaning import MAX_TEXT, clean_text
from core.errors import UserError
from orgs.choices import Action, OrgKind
from orgs.models import RESERVED_CODES, Organisation, Region, code_validator, reserved_code_message
from orgs.scoping import covers, granted_paths
from orgs.transfer.across import AcrossRows
from orgs.transfer.changes import Change, Close, Create, Move, Plan
from orgs.transfer.columns import (
    BY_HEADER,
    BY_KEY,
    COLUMNS,
    BadValue,
    choice_label,
    column_letter,
    read_choice,
    read_date,
    text_of,
)
from orgs.transfer.problems import Code, Problem, shown
from orgs.transfer.reading import Table

CODE_RE = code_validator.regex  # the model's own rule
EDITABLE = ("name", "short_name", "kind", "ownership", "industry", "region", "credit_code", "opened_on", "notes")
_CHUNK = 500


@dataclass
class _Row:
    number: int
    code: str
    values: dict[str, Any]  # the columns present in the file, parsed
    ok: bool = True


class _Checker(AcrossRows):
    def __init__(self, table: Table, actor: Actor, on: dt.date):
        self.table = table
        self.actor = actor
        self.on = on
        self.plan = Plan(on=on.isoformat(), sheet=table.sheet)
        self.index: dict[str, int] = {}
        self.all_scope = bool(actor.system_name)
        self.paths = () if self.all_scope else granted_paths(actor.user, Action.ORG_MANAGE)
        self.view_paths = () if self.all_scope else granted_paths(actor.user, Action.ORG_VIEW)

    # --- helpers ---------------------------------------------------------------------------------------

    def problem(
        self,
        code: str,
        message: str,
        fix: str = "",
        *,
        row: int | None = None,
        key: str = "",
        value: Any = None,
        org: str = "",
    ) -> None:
        column = column_letter(self.index[key]) if key in self.index else ""
        self.plan.problems.append(
            Problem(
                code,
                message,
                fix,
                sheet=self.table.sheet,
                row=row,
                column=column,
                field=BY_KEY[key].header if key in BY_KEY else "",
                value=shown(value),
                org=org,
            )
        )

    def in_scope(self, org: Organisation) -> bool:
        return self.all_scope or covers(self.paths, org)

    def may_see(self, org: Organisation) -> bool:
        return self.all_scope or covers(self.view_paths, org)

    # --- headers and rows ------------------------------------------------------------------------------

    def headers(self) -> bool:
        seen: dict[str, int] = {}
        for i, header in enumerate(self.table.headers):
            name = header.rstrip("*").strip()
            if not name:
                continue
            if name in seen:
                self.plan.problems.append(
                    Problem(
                        Code.HEADER,
                        _("列名“%(h)s”重复（另见 %(col)s 列）") % {"h": name, "col": column_letter(seen[name])},
                        _("每一列只能出现一次，请删除重复的列。"),
                        sheet=self.table.sheet,
                        row=1,
                        column=column_letter(i),
                        value=header,
                    )
                )
                continue
            seen[name] = i
            if name not in BY_HEADER:
                self.plan.problems.append(
                    Problem(
                        Code.HEADER,
                        _("未知的列“%(h)s”") % {"h": name},
                        _("请删除该列，或改为模板中的列名：%(all)s。") % {"all": "、".join(c.header for c in COLUMNS)},
                        sheet=self.table.sheet,
                        row=1,
                        column=column_letter(i),
                        value=header,
                    )
                )
                continue
            self.index[BY_HEADER[name].key] = i
        for column in COLUMNS:
            if column.required and column.key not in self.index:
                self.plan.problems.append(
                    Problem(
                        Code.HEADER,
                        _("缺少“%(h)s”列") % {"h": column.header},
                        _("请使用模板的第 1 行列名，不要删除或改名。"),
                        sheet=self.table.sheet,
                        row=1,
                    )
                )
        if not self.plan.problems and not self.table.rows:
            self.plan.problems.append(
                Problem(Code.NO_DATA, _("没有数据"), _("请从第 2 行开始每行填写一个机构。"), sheet=self.table.sheet)
            )
        return not self.plan.problems

    def read_row(self, number: int, cells: list[Any], regions: set[str]) -> _Row:
        values: dict[str, Any] = {}
        before = len(self.plan.problems)

        def cell(key: str) -> Any:
            i = self.index[key]
            return cells[i] if i < len(cells) else None

        code = text_of(cell("code"))
        for key in self.index:
            raw = cell(key)
            try:
                values[key] = self.read_value(key, raw, regions)
            except BadValue as bad:
                self.problem(bad.code, bad.message, bad.fix, row=number, key=key, value=raw, org=code)
        opened, closed = values.get("opened_on"), values.get("closed_on")
        if opened and closed and closed < opened:
            self.problem(
                Code.DATE_ORDER,
                _("撤销日期早于成立日期（%(opened)s）") % {"opened": opened.isoformat()},
                _("请改正成立日期或撤销日期：撤销日期不能早于成立日期。"),
                row=number,
                key="closed_on",
                value=closed.isoformat(),
                org=code,
            )
        return _Row(number, code, values, ok=len(self.plan.problems) == before)

    def read_value(self, key: str, raw: Any, regions: set[str]) -> Any:
        if key in ("kind", "ownership", "industry"):
            value = read_choice(key, raw)
            if key == "kind" and not value:
                raise _bad(Code.REQUIRED, _("请填写类型"), _("类型必填。"))
            return value
        if key in ("opened_on", "closed_on"):
            return read_date(raw)
        text = text_of(raw)
        if key in ("code", "parent"):
            if key == "code" and not text:
                raise _bad(Code.REQUIRED, _("请填写机构代码"), _("机构代码必填，且全省唯一。"))
            if text and not CODE_RE.match(text):
                raise _bad(
                    Code.MALFORMED_CODE,
                    _("代码格式不正确"),
                    _("机构代码只能包含字母、数字、下划线和短横线，最长 64 位。"),
                )
            if key == "code" and text in RESERVED_CODES:
                raise _bad(Code.MALFORMED_CODE, reserved_code_message(text), "")
            return text
        if key == "region":
            if text and text not in regions:
                raise _bad(
                    Code.UNKNOWN_REGION,
                    _("未知的行政区划代码"),
                    _("请填写 6 位行政区划代码（GB/T 2260），如 530100；不清楚可留空。"),
                )
            return text
        if key == "credit_code":
            text = text.upper()
            try:
                Organisation._meta.get_field("credit_code").run_validators(text)
            except ValidationError as error:
                raise _bad(
                    Code.CREDIT_CODE,
                    "；".join(error.messages),
                    _("请按营业执照或登记证书核对这 18 位代码（最后一位是按前 17 位算出的校验位）。"),
                ) from None
            return text
        limits = {"name": 200, "short_name": 100, "notes": MAX_TEXT}
        try:
            return clean_text(
                text,
                field=key,
                label=BY_KEY[key].header,
                required=key == "name",
                limit=limits[key],
                one_line=key != "notes",
            )
        except UserError as error:
            raise _bad(Code.REQUIRED if not text else Code.VALUE_INVALID, error.message, _("请按提示修改。")) from None

    # --- the whole file ----------------------------------------------------------------------------------

    def run(self) -> Plan:
        if not self.headers():
            return self.plan
        regions = set(Region.objects.values_list("code", flat=True))
        rows: dict[str, _Row] = {}
        for number, cells in self.table.rows:
            row = self.read_row(number, cells, regions)
            self.plan.rows += 1
            if not row.code or not CODE_RE.match(row.code):
                continue
            if row.code in rows:
                self.problem(
                    Code.DUPLICATE_CODE,
                    _("与第 %(r)d 行的机构代码重复") % {"r": rows[row.code].number},
                    _("同一机构只能填写一行，请删除或合并重复的行。"),
                    row=number,
                    key="code",
                    value=row.code,
                    org=row.code,
                )
                continue
            rows[row.code] = row
        self.rows = rows
        self.load(rows)
        for row in rows.values():
            self.check_row(row)
        for create in self.plan.creates:
            parent = self.existing.get(create.parent)
            if parent is not None and parent.closed_on is not None and create.parent in self.rows:
                self.problem(
                    Code.PARENT_CLOSED,
                    _("上级机构“%(name)s”已撤销，不能在其下新增机构") % {"name": parent.name},
                    _("请选择未撤销的上级机构。"),
                    row=create.row,
                    key="parent",
                    value=create.parent,
                    org=create.code,
                )
        self.check_cycles()
        if not self.plan.problems:
            self.check_moves()
            self.check_closures()
        if self.plan.problems:
            self.plan.problems.sort(key=lambda p: (p.row or 0, p.column))
            self.plan.creates, self.plan.changes, self.plan.moves, self.plan.closes = [], [], [], []
        return self.plan

    def load(self, rows: dict[str, _Row]) -> None:
        codes = set(rows) | {r.values.get("parent") for r in rows.values() if r.values.get("parent")}
        self.existing: dict[str, Organisation] = {}
        listed = sorted(c for c in codes if c)
        for start in range(0, len(listed), _CHUNK):
            for org in Organisation.objects.filter(code__in=listed[start : start + _CHUNK]):
                self.existing[org.code] = org
        # Every ancestor of the organisations named (current parents, and the chains the cycle check walks).
        paths = {org.path[: i * Organisation.steplen] for org in self.existing.values() for i in range(1, org.depth)}
        self.by_path: dict[str, Organisation] = {o.path: o for o in self.existing.values()}
        missing = sorted(paths - set(self.by_path))
        for start in range(0, len(missing), _CHUNK):
            for org in Organisation.objects.filter(path__in=missing[start : start + _CHUNK]):
                self.by_path[org.path] = org
        self.final_parent: dict[str, str | None] = {}
        self.final_closed: dict[str, dt.date | None] = {}

    def current_parent(self, org: Organisation) -> Organisation | None:
        return self.by_path.get(org.path[: -Organisation.steplen]) if org.depth > 1 else None

    def check_row(self, row: _Row) -> None:
        values, code = row.values, row.code
        org = self.existing.get(code)
        if org is not None and not self.in_scope(org):
            self.problem(
                Code.NOT_IN_SCOPE,
                _("机构代码“%(code)s”已被使用，或不在您有权维护的范围之内") % {"code": code},
                _("新增机构请换用未被使用的代码；修改已有机构只能在您有权维护的范围之内进行。"),
                row=row.number,
                key="code",
                value=code,
                org=code,
            )
            row.ok = False
            return
        parent_code = values.get("parent") or ""
        current = self.current_parent(org) if org is not None else None
        if org is not None:
            self.plan.versions[code] = org.version
        if not parent_code:
            if org is None:
                self.problem(
                    Code.REQUIRED,
                    _("新增机构须填写上级机构代码"),
                    _("请填写上级机构的机构代码。"),
                    row=row.number,
                    key="parent",
                    org=code,
                )
                row.ok = False
            parent_code = current.code if current is not None else None
        elif parent_code == code:
            self.problem(
                Code.CYCLE,
                _("上级机构不能是它自己"),
                _("请填写另一个机构的代码。"),
                row=row.number,
                key="parent",
                value=parent_code,
                org=code,
            )
            row.ok = False
        elif parent_code in self.rows:
            pass  # a row of the file (checked as a row of its own)
        elif parent_code in self.existing and self.in_scope(self.existing[parent_code]):
            if org is None and self.existing[parent_code].closed_on is not None:
                self.problem(
                    Code.PARENT_CLOSED,
                    _("上级机构“%(name)s”已撤销，不能在其下新增机构") % {"name": self.existing[parent_code].name},
                    _("请选择未撤销的上级机构。"),
                    row=row.number,
                    key="parent",
                    value=parent_code,
                    org=code,
                )
                row.ok = False
        elif current is not None and parent_code == current.code:
            pass  # a root row naming its present parent: it stays where it is
        else:
            self.problem(
                Code.UNKNOWN_PARENT,
                _("上级机构代码“%(code)s”不存在，或不在您有权维护的范围之内") % {"code": parent_code},
                _("上级机构须是本文件中的另一行，或系统中您有权维护的机构；请核对代码。"),
                row=row.number,
                key="parent",
                value=parent_code,
                org=code,
            )
            row.ok = False
        self.final_parent[code] = parent_code
        closed = values.get("closed_on", org.closed_on if org is not None else None)
        self.final_closed[code] = closed
        kind = values.get("kind", "")
        if kind == OrgKind.PROVINCE and (org is None or org.depth != 1):
            self.problem(
                Code.CHANGE_REFUSED,
                _("只有根机构（省）的类型是“省”"),
                _("请选择其他类型。"),
                row=row.number,
                key="kind",
                value=choice_label("kind", kind),
                org=code,
            )
            row.ok = False
        if org is not None and org.depth == 1 and kind and kind != OrgKind.PROVINCE:
            self.problem(
                Code.CHANGE_REFUSED,
                _("根机构（省）的类型只能是“省”"),
                _("请改回“省”。"),
                row=row.number,
                key="kind",
                value=choice_label("kind", kind),
                org=code,
            )
            row.ok = False
        opened = values.get("opened_on", org.opened_on if org is not None else None)
        if org is not None and opened and closed and closed < opened and "closed_on" not in values:
            self.problem(
                Code.DATE_ORDER,
                _("成立日期晚于该机构的撤销日期（%(closed)s）") % {"closed": closed},
                _("请改正成立日期。"),
                row=row.number,
                key="opened_on",
                value=opened.isoformat(),
                org=code,
            )
            row.ok = False
        if not row.ok:
            return
        if org is None:
            self.plan_create(row, parent_code or "")
        else:
            self.plan_change(row, org)

    def plan_create(self, row: _Row, parent_code: str) -> None:
        values = row.values
        fields = {k: values[k] for k in EDITABLE if k in values and k not in ("name", "kind") and values[k]}
        if "opened_on" in fields:
            fields["opened_on"] = fields["opened_on"].isoformat()
        self.plan.creates.append(
            Create(
                row=row.number,
                code=row.code,
                name=values["name"],
                kind=values["kind"],
                parent=parent_code,
                fields=fields,
                kind_label=choice_label("kind", values["kind"]),
            )
        )
        if values.get("closed_on"):
            self.plan.closes.append(Close(row.number, row.code, values["name"], values["closed_on"].isoformat()))

    def plan_change(self, row: _Row, org: Organisation) -> None:
        values = row.values
        new: dict[str, Any] = {}
        lines: list[tuple[str, str, str]] = []
        for key in EDITABLE:
            if key not in values:
                continue
            before = org.region_id or "" if key == "region" else getattr(org, key)
            after = values[key]
            if key == "credit_code":
                before = (before or "").upper()
            if (before or None) == (after or None):
                continue
            new[key] = after.isoformat() if isinstance(after, dt.date) else after
            lines.append((BY_KEY[key].header, _shown(key, before), _shown(key, after)))
        touched = bool(new)
        if new:
            self.plan.changes.append(
                Change(row.number, org.code, values.get("name") or org.name, org.version, new, lines)
            )
        closed = values.get("closed_on", org.closed_on)
        if org.closed_on is None and closed is not None:
            touched = True
            if org.depth == 1:
                self.problem(
                    Code.CLOSE_REFUSED,
                    _("根机构不能撤销"),
                    _("请清空撤销日期。"),
                    row=row.number,
                    key="closed_on",
                    value=closed.isoformat(),
                    org=org.code,
                )
            else:
                self.plan.closes.append(Close(row.number, org.code, org.name, closed.isoformat()))
        elif org.closed_on is not None and closed != org.closed_on:
            self.problem(
                Code.CLOSE_REFUSED,
                _("该机构已于 %(date)s 撤销，不能通过导入恢复或修改撤销日期") % {"date": org.closed_on.isoformat()},
                _("请把撤销日期改回 %(date)s。") % {"date": org.closed_on.isoformat()},
                row=row.number,
                key="closed_on",
                value=closed.isoformat() if closed else "",
                org=org.code,
            )
        current = self.current_parent(org)
        target = self.final_parent.get(org.code)
        if target and (current is None or target != current.code):
            touched = True
            self.plan.moves.append(
                Move(
                    row=row.number,
                    code=org.code,
                    name=org.name,
                    old_parent=current.code if current is not None and self.may_see(current) else "",
                    old_parent_name=current.name if current is not None and self.may_see(current) else "",
                    new_parent=target,
                    new_parent_name=self.name_of(target),
                    on=self.plan.on,
                )
            )
        if not touched:
            self.plan.unchanged += 1

    def name_of(self, code: str) -> str:
        if code in self.rows and "name" in self.rows[code].values:
            return self.rows[code].values["name"]
        org = self.existing.get(code)
        return org.name if org is not None else ""


def _bad(code: str, message: str, fix: str) -> BadValue:
    bad = BadValue(message, fix)
    bad.code = code
    return bad


def _shown(key: str, value: Any) -> str:
    if value in (None, ""):
        return _("（空）")
    if key in ("kind", "ownership", "industry"):
        return choice_label(key, value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def plan_table(*, table: Table, actor: Actor, on: dt.date) -> Plan:
    """Check every row of `table` for `actor` and plan the import with moves effective from `on`."""
    return _Checker(table, actor, on).run()
