"""People import (人员导入): accounts and their roles from .xlsx; dry run, then all or nothing.

`template_bytes()` is the workbook to fill: sheet 人员, one row per role a person holds (several rows with
one 用户名 give that person several roles), and a sheet 填写说明 explaining every column. `read_workbook()`
checks the file (core.files: a real .xlsx, no macros or external links) and reads the rows as text;
`examine()` checks every row and plans the import, listing every problem with its sheet, row, column,
value and fix; `apply()` checks the rows again against the database as it is now and writes all of them in
one transaction, or nothing.

Who may import what (三权分立, docs/separation-of-duties.md): only those who create accounts (the system,
office and union administrators), for organisations inside their own scope, picked by the organisation
picker's rules (code, exact name, unique short name or initials; the same message for an unknown
organisation and one outside the scope). A role the importer may grant at that organisation is granted; a
role he may only request (the system administrator's case: he grants nothing) is recorded as a request that
the security administrator, or a union or office administrator above it for a business role, approves on
the user's page; any other role is a problem. New accounts get no password: each gets a one-time
activation (accounts/activation.py). Existing accounts the importer manages only gain roles: their name,
contact details and password are never touched.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import activation, services
from accounts.models import User
from core import audit, crypto, pii
from core.actor import Actor
from core.cleaning import clean_text
from core.errors import UserError
from core.files import XLSX, checked_upload
from orgs.choices import Action, OrgKind, Role
from orgs.models import Membership, Organisation
from orgs.queries import OrgNotResolved, org_resolve
from orgs.roles import SEPARATED_ADMIN_ROLES
from orgs.services import grantable_roles, manages_accounts, manages_accounts_somewhere, requestable_roles

SHEET = "人员"
GUIDE_SHEET = "填写说明"
# Written inside the request (about 40 accounts a second on SQLite, bench/people_import.py): a file must
# finish well inside the web timeout; a province loads its people in several files.
MAX_ROWS = 1500
PLAN_MAX_AGE = 2 * 3600  # seconds a preview may be confirmed after
EXAMPLE_ROWS = 300  # rows given the role list and text formats in the template


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    guide: Any


COLUMNS = (
    Column("username", "用户名", True, gettext_lazy(
        "必填。登录用的名字：字母、数字和 @ . + - _，不超过 150 个字符，不区分大小写。一人担任多个角色时，"
        "每个角色一行、用户名相同。已有账号的用户名：只为其增加任职，不改动其姓名、联系方式和密码。"
    )),
    Column("full_name", "姓名", True, gettext_lazy("必填，不超过 50 个字；同一用户名的各行须一致。")),
    Column("org", "机构", True, gettext_lazy(
        "必填。机构代码（推荐）、全称、唯一的简称或拼音首字母，须是您管理范围内未撤销的机构。"
    )),
    Column("role", "角色", True, gettext_lazy("必填，从下拉列表选择：")),
    Column("phone", "手机", False, gettext_lazy(
        "选填，11 位手机号码，如 13812345678（可带 +86 和空格、短横线）；请设为文本格式。加密保存。"
    )),
    Column("email", "电子邮箱", False, gettext_lazy("选填，如 name@example.com。")),
)  # fmt: skip
KEYS = tuple(c.key for c in COLUMNS)
_username_validator = UnicodeUsernameValidator()
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def role_labels() -> dict[str, str]:
    """Chinese role label → role code (the template's list), in the order of the roles."""
    return {str(label): value for value, label in Role.choices}


@dataclass
class Problem:
    """One thing wrong in the file: where (sheet, row, column), the value found, what is wrong, how to fix it."""

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
        if not self.column:
            return _("工作表“%(sheet)s”第 %(row)d 行") % {"sheet": self.sheet, "row": self.row}
        return _("工作表“%(sheet)s”第 %(row)d 行 %(col)s 列（%(header)s）") % {
            "sheet": self.sheet, "row": self.row, "col": self.column, "header": self.header,
        }  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.header,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
            "text": f"{self.where()}：{self.message}{self.fix}",
        }


class ImportRefused(UserError):
    """The file was not imported; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__(_("发现 %(n)d 处问题，未导入任何数据。") % {"n": len(problems)}, field="file")
        self.problems = problems


@dataclass
class PlanRow:
    """One row of the file as it would be imported."""

    row: int
    username: str
    full_name: str
    org: Organisation
    role: str
    new_user: bool
    # "grant": the role is granted; "request": asked for, waiting for approval; "unchanged": held already.
    mode: str
    user_id: int | None = None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass
class Person:
    """One account the file names, new or existing, with its details from its first row."""

    username: str
    full_name: str
    phone: str
    email: str
    first_row: int
    user: User | None = None
    rows: list[PlanRow] = field(default_factory=list)


@dataclass
class Examined:
    rows: list[PlanRow]
    problems: list[Problem]
    people: list[Person] = field(default_factory=list)

    def count(self, *, new: bool | None = None, mode: str | None = None) -> int:
        return sum(1 for r in self.rows if (new is None or r.new_user == new) and (mode is None or r.mode == mode))

    @property
    def summary(self) -> dict[str, int]:
        return {
            "new_users": sum(1 for p in self.people if p.user is None),
            "existing_users": sum(1 for p in self.people if p.user is not None),
            "granted": self.count(mode="grant"),
            "requested": self.count(mode="request"),
            "unchanged": self.count(mode="unchanged"),
        }


# --- The template ------------------------------------------------------------------------------------------------


def template_bytes() -> bytes:
    """The empty template: the headers (required ones marked *), the role list, text-formatted cells, a guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from core.rendering import header_cell, set_widths

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for index, column in enumerate(COLUMNS, start=1):
        header_cell(sheet.cell(row=1, column=index, value=column.header + ("*" if column.required else "")))
    sheet.freeze_panes = "A2"
    set_widths(sheet, [18, 12, 30, 22, 18, 28])
    roles = DataValidation(type="list", formula1='"' + ",".join(role_labels()) + '"', allow_blank=False)
    role_letter = letter(KEYS.index("role"))
    roles.add(f"{role_letter}2:{role_letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(roles)
    # Usernames, codes and phone numbers are text: Excel would otherwise turn 13812345678 into 1.38E+10.
    for key in ("username", "org", "phone"):
        column_letter = letter(KEYS.index(key))
        for row in range(2, EXAMPLE_ROWS + 2):
            sheet[f"{column_letter}{row}"].number_format = "@"
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append([_("列"), _("列名"), _("是否必填"), _("填写说明")])
    for index in range(1, 5):
        header_cell(guide.cell(row=1, column=index))
    for index, column in enumerate(COLUMNS):
        text = str(column.guide)
        if column.key == "role":
            text += "、".join(role_labels())
        guide.append([letter(index), column.header, _("必填") if column.required else _("选填"), text])
    guide.append([])
    notes = [
        _("每行一个人的一个角色，从第 2 行开始填写；不要修改第 1 行的列名和列的顺序。"),
        _("能否授予某个角色，与在用户管理页面上相同：您能授予的角色直接生效；系统管理员不能授予角色（三权分立），"
          "所填角色记为申请，经安全管理员（业务角色也可由其所在单位的上级工会或产改办管理员）批准后生效。"),
        _("新账号不设初始密码：确认导入后，平台为每个新账号生成一次性激活链接和激活码，只显示这一次；"
          "本人打开链接、设置密码后才能登录，过期未用的可在“账号激活情况”中重新签发。"),
        _("上传后先预览，文件中有任何问题则一条也不导入，并列出每处问题的位置和改法。"),
    ]  # fmt: skip
    first_note = guide.max_row + 1
    for note in notes:
        guide.append([note])
    guide.cell(row=first_note, column=1).font = Font(bold=True)
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    set_widths(guide, [6, 12, 10, 90])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Reading -------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


@dataclass
class Workbook:
    """What was read from an upload: its name, SHA-256, headers and data rows as text (row number first)."""

    name: str
    sha256: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    sheet_found: bool = True


def read_workbook(upload) -> Workbook:
    """Check an uploaded file (a real .xlsx without macros) and read sheet 人员 as text; UserError otherwise."""
    import python_calamine

    name, kind, sha256 = checked_upload(upload)
    if kind is not XLSX:
        raise UserError(_("请上传由模板填写的 Excel（.xlsx）文件，“%(name)s”不是。") % {"name": name}, field="file")
    upload.seek(0)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(upload.read()))
        if SHEET not in book.sheet_names:
            return Workbook(name, sha256, [], [], sheet_found=False)
        raw = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    except Exception as error:  # noqa: BLE001 - any reader failure is "not a readable workbook"
        raise UserError(
            _("无法读取该 Excel 文件（可能已损坏或加密），请用 Excel 或 WPS 重新保存后上传。"), field="file"
        ) from error
    if not raw:
        return Workbook(name, sha256, [], [])
    headers = [_text(h).rstrip("*") for h in raw[0]]
    rows = []
    for number, row in enumerate(raw[1:], start=2):
        cells = [_text(v) for v in list(row)[: len(COLUMNS)]]
        cells += [""] * (len(COLUMNS) - len(cells))
        if any(cells):
            rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            break
    return Workbook(name, sha256, headers, rows)


def structure_problems(book: Workbook) -> list[Problem]:
    """Problems with the file as a whole (no sheet, changed headers, no rows, too many rows)."""
    if not book.sheet_found:
        return [
            Problem(SHEET, None, "", "", "", _("找不到名为“%(s)s”的工作表。") % {"s": SHEET},
                    _("请下载最新模板，在“%(s)s”工作表中填写。") % {"s": SHEET})
        ]  # fmt: skip
    problems = []
    for index, column in enumerate(COLUMNS):
        found = book.headers[index] if index < len(book.headers) else ""
        if found != column.header:
            problems.append(
                Problem(SHEET, 1, letter(index), column.header, found, _("列名应为“%(h)s”。") % {"h": column.header},
                        _("请不要修改模板第 1 行的列名和列的顺序。"))
            )  # fmt: skip
    if problems:
        return problems
    if not book.rows:
        return [Problem(SHEET, None, "", "", "", _("没有数据。"), _("请从第 2 行开始每行填写一个人的一个角色。"))]
    if len(book.rows) > MAX_ROWS:
        return [
            Problem(SHEET, None, "", "", "", _("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, _("请分成几个文件导入。"))
        ]
    return []


# --- Checking ------------------------------------------------------------------------------------------------------


def clean_mobile(text: str) -> str:
    """An 11-digit mainland mobile number from what was typed (+86, spaces, dashes and full-width digits
    allowed); "" stays "". UserError when it is not one."""
    folded = unicodedata.normalize("NFKC", text or "")
    digits = re.sub(r"[\s\-()]", "", folded)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if digits and not (digits.isascii() and _MOBILE.fullmatch(digits)):
        raise UserError(_("不是有效的手机号码。"), field="phone")
    return digits


def clean_username(text: str) -> str:
    username = unicodedata.normalize("NFKC", text or "").strip()
    if not username:
        raise UserError(_("用户名不能为空。"), field="username")
    if len(username) > 150:
        raise UserError(_("用户名不能超过 150 个字符（现有 %(n)d 个）。") % {"n": len(username)}, field="username")
    try:
        _username_validator(username)
    except ValidationError:
        raise UserError(_("用户名只能包含字母、数字和 @ . + - _。"), field="username") from None
    return username


FIXES = {
    "username": gettext_lazy("请改为只含字母、数字和 @ . + - _ 的用户名。"),
    "full_name": gettext_lazy("请填写本人姓名（不超过 50 个字，不含不可见字符）。"),
    "phone": gettext_lazy("请填写 11 位手机号码，如 13812345678；单元格请设为文本格式。"),
    "email": gettext_lazy("请填写如 name@example.com 的电子邮箱，或留空。"),
}


class _Checker:
    """The checks of one import by one importer, with what it looked up kept for the rows after."""

    def __init__(self, by: Actor):
        self.by = by
        self.importer = by.user
        self.problems: list[Problem] = []
        self.orgs: dict[str, Organisation | str] = {}
        self.labels = role_labels()

    def problem(self, number: int | None, key: str, value: str, message: str, fix: str = "") -> None:
        index = KEYS.index(key) if key else None
        self.problems.append(
            Problem(SHEET, number, letter(index) if index is not None else "",
                    COLUMNS[index].header if index is not None else "", value, message, str(fix))
        )  # fmt: skip

    def org(self, text: str) -> Organisation | str:
        """The organisation `text` names inside the importer's user-management scope, or the message why not
        (the same message for an unknown organisation and one outside the scope: nothing leaks)."""
        key = text.strip().lower()
        if key not in self.orgs:
            try:
                self.orgs[key] = org_resolve(user=self.importer, text=text, action=Action.USER_MANAGE)
            except OrgNotResolved as error:
                self.orgs[key] = error.message
        return self.orgs[key]

    def role(self, text: str) -> str | None:
        text = text.strip()
        if text in self.labels:
            return self.labels[text]
        return text if text in Role.values else None

    def mode(self, org: Organisation, role: str) -> str | None:
        """Either "grant" or "request" for a role the importer may give at `org`, None when he may not."""
        if role in grantable_roles(self.importer, org):
            return "grant"
        if role in requestable_roles(self.importer):
            return "request"
        return None


def _existing_users(usernames: set[str]) -> dict[str, User]:
    if not usernames:
        return {}
    found = User.objects.annotate(lower=Lower("username")).filter(lower__in=usernames)
    return {u.username.lower(): u for u in found}


def examine(*, by: Actor, book: Workbook) -> Examined:
    """Check every row of `book` against the importer's rights and the database; nothing is written."""
    if by.user is None or not manages_accounts_somewhere(by.user):
        raise PermissionDenied(services.SECURITY_ADMIN_MANAGES_NO_ACCOUNT)
    problems = structure_problems(book)
    if problems:
        return Examined([], problems)
    check = _Checker(by)
    people: dict[str, Person] = {}
    spelled: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, int, str], int] = {}
    rows: list[tuple[int, dict[str, str], Organisation | None, str | None]] = []
    # Pass 1: each cell on its own.
    for number, cells in book.rows:
        raw = dict(zip(KEYS, cells, strict=True))
        try:
            username = clean_username(raw["username"])
        except UserError as error:
            check.problem(number, "username", raw["username"], error.message, FIXES["username"])
            username = ""
        values = {"username": username}
        try:
            values["full_name"] = clean_text(
                raw["full_name"], field="full_name", label=_("姓名"), limit=50, one_line=True
            )
        except UserError as error:
            check.problem(number, "full_name", raw["full_name"], error.message, FIXES["full_name"])
            values["full_name"] = ""
        try:
            values["phone"] = clean_mobile(raw["phone"])
        except UserError as error:
            check.problem(number, "phone", raw["phone"], error.message, FIXES["phone"])
            values["phone"] = ""
        try:
            values["email"] = pii.clean_email(unicodedata.normalize("NFKC", raw["email"]))
            if len(values["email"]) > 254:
                raise UserError(_("电子邮箱不能超过 254 个字符。"), field="email")
        except UserError as error:
            check.problem(number, "email", raw["email"], error.message, FIXES["email"])
            values["email"] = ""
        org: Organisation | None = None
        if not raw["org"]:
            check.problem(number, "org", "", _("机构不能为空。"), _("请填写机构代码或全称。"))
        else:
            found = check.org(raw["org"])
            if isinstance(found, str):
                check.problem(number, "org", raw["org"], found, _("请核对机构代码；只能填写您管理范围内未撤销的机构。"))
            else:
                org = found
        role = check.role(raw["role"])
        if role is None:
            check.problem(
                number, "role", raw["role"], _("角色不能为空。") if not raw["role"] else _("未知的角色。"),
                _("请从下拉列表选择：%(roles)s。") % {"roles": "、".join(check.labels)},
            )  # fmt: skip
        rows.append((number, values, org, role))
        if not username:
            continue
        key = username.lower()
        first = spelled.setdefault(key, (username, number))
        if first[0] != username:
            check.problem(
                number, "username", username,
                _("与第 %(r)d 行的用户名“%(u)s”只差大小写；用户名不区分大小写，视为同一账号。")
                % {"r": first[1], "u": first[0]},
                _("同一人请写成一样；不同的人请换一个用户名。"),
            )  # fmt: skip
            continue
        if org is not None and role is not None:
            twin = seen.setdefault((key, org.pk, role), number)
            if twin != number:
                check.problem(
                    number, "", "",
                    _("与第 %(r)d 行重复：同一人、同一机构、同一角色。") % {"r": twin}, _("请删除重复的行。")
                )  # fmt: skip
        person = people.get(key)
        if person is None:
            people[key] = Person(username, values["full_name"], values["phone"], values["email"], number)
            continue
        for column in ("full_name", "phone", "email"):
            mine, theirs = values[column], getattr(person, column)
            if mine and theirs and mine != theirs:
                check.problem(
                    number, column, mine,
                    _("同一用户名“%(u)s”在第 %(r)d 行填的是“%(v)s”，与本行不一致。")
                    % {"u": username, "r": person.first_row, "v": theirs},
                    _("同一人的各行请填写一致，或只在第一行填写。"),
                )  # fmt: skip
            elif mine and not theirs:
                setattr(person, column, mine)
    # Pass 2: the people against the database and the importer's rights.
    existing = _existing_users(set(people))
    manageable = set(
        User.objects.visible_to(check.importer, Action.USER_MANAGE)
        .filter(pk__in=[u.pk for u in existing.values()])
        .values_list("pk", flat=True)
    )
    held: dict[int, dict[tuple[int, str], Membership]] = {}
    for membership in Membership.objects.filter(user__in=[u.pk for u in existing.values()]):
        held.setdefault(membership.user_id, {})[(membership.org_id, membership.role)] = membership
    refused_users: set[str] = set()
    for key, person in people.items():
        user = existing.get(key)
        if user is None:
            if not person.full_name:
                check.problem(person.first_row, "full_name", "", _("新账号须填写姓名。"), FIXES["full_name"])
            continue
        if user.pk == check.importer.pk:
            check.problem(person.first_row, "username", person.username, _("不能在导入中给自己增加角色。"),
                          _("请删除本行，由上级管理员为您办理。"))  # fmt: skip
            refused_users.add(key)
            continue
        if user.pk not in manageable:
            # The same answer as creating a taken name on the user page: no more than that the name is taken.
            check.problem(
                person.first_row, "username", person.username,
                _("用户名“%(u)s”已被使用，且该账号不在您的管理范围内。") % {"u": person.username},
                _("请换一个用户名；如确为同一人，请由其所在单位的管理员为其增加任职。"),
            )  # fmt: skip
            refused_users.add(key)
            continue
        if person.full_name and user.full_name and person.full_name != user.full_name:
            check.problem(
                person.first_row, "full_name", person.full_name,
                _("已有账号“%(u)s”的姓名是“%(n)s”，与本行不一致。") % {"u": user.username, "n": user.full_name},
                _("如是同一人，请改为一致的姓名；如是不同的人，请换一个用户名。"),
            )  # fmt: skip
        person.user = user
    plan: list[PlanRow] = []
    for number, values, org, role in rows:
        username = values["username"]
        key = username.lower()
        person = people.get(key)
        if person is None or org is None or role is None or key in refused_users:
            continue
        user = person.user
        if role == Role.DEPT_VIEWER and org.kind != OrgKind.DEPARTMENT:
            check.problem(number, "role", str(Role(role).label), _("成员单位查看员只能在成员单位任职。"),
                          _("请改选成员单位，或改选其他角色。"))  # fmt: skip
            continue
        if user is None and not manages_accounts(check.importer, org):
            check.problem(number, "org", org.code, str(services.SECURITY_ADMIN_MANAGES_NO_ACCOUNT))
            continue
        mode = check.mode(org, role)
        if mode is None:
            check.problem(
                number, "role", str(Role(role).label),
                _("您不能在“%(org)s”授予“%(role)s”角色。") % {"org": org.name, "role": Role(role).label},
                _("请删除本行，或改由有权授予该角色的管理员（安全管理员，或上级工会、产改办管理员）办理。"),
            )  # fmt: skip
            continue
        current = held.get(user.pk, {}).get((org.pk, role)) if user is not None else None
        if current is not None and (current.is_active or (current.pending and mode == "request")):
            mode = "unchanged"
        row = PlanRow(number, person.username, person.full_name, org, role, user is None, mode,
                      user.pk if user else None)  # fmt: skip
        person.rows.append(row)
        plan.append(row)
    # The three administrators are three accounts, each holding that role alone (三权分立).
    for person in people.values():
        roles = {r.role for r in person.rows}
        if person.user is not None:
            roles |= {role for (_org, role), m in held.get(person.user.pk, {}).items() if m.is_active or m.pending}
        if roles & SEPARATED_ADMIN_ROLES and len(roles) > 1:
            for row in person.rows:
                if row.mode != "unchanged":
                    check.problem(
                        row.row, "role", row.role_label,
                        _("系统管理员、安全管理员、审计管理员必须由不同账号担任，且不得兼任其他角色。"),
                        _("请为该角色另建一个账号（另用一个用户名）。"),
                    )  # fmt: skip
    check.problems.sort(key=lambda p: (p.row or 0, p.column))
    shown = [p for p in people.values() if p.rows]
    return Examined(plan if not check.problems else [], check.problems, shown if not check.problems else [])


# --- The plan carried from the preview to the confirmation ---------------------------------------------------------


def seal_rows(book: Workbook, user) -> str:
    """The rows read, sealed for the confirmation (encrypted: they hold phone numbers and e-mail addresses;
    bound to the importer and to a time, so a stale or someone else's preview is refused)."""
    import json

    payload = {
        "user": user.pk,
        "at": int(timezone.now().timestamp()),
        "name": book.name,
        "sha256": book.sha256,
        "rows": book.rows,
    }
    packed = zlib.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    return crypto.encrypt(packed.hex())


def unseal_rows(sealed: str, user) -> Workbook:
    import json

    refused = UserError(_("导入预览已失效，请重新上传文件。"), field="plan")
    try:
        payload = json.loads(zlib.decompress(bytes.fromhex(crypto.decrypt(sealed or ""))).decode("utf-8"))
    except (crypto.DecryptionError, ValueError, zlib.error):
        raise refused from None
    if payload.get("user") != user.pk or timezone.now().timestamp() - payload.get("at", 0) > PLAN_MAX_AGE:
        raise refused
    rows = [(int(number), [str(c) for c in cells]) for number, cells in payload["rows"]]
    return Workbook(payload["name"], payload["sha256"], [c.header for c in COLUMNS], rows)


# --- Writing -------------------------------------------------------------------------------------------------------


@dataclass
class Applied:
    examined: Examined
    issued: list[activation.Issued]


@transaction.atomic
def apply(*, by: Actor, book: Workbook) -> Applied:
    """Check the rows again against the database as it is now and write all of them, or none (ImportRefused
    with every problem, or UserError naming the row that failed). New accounts get their activation here;
    the tokens are returned once, for the answer, and never stored."""
    examined = examine(by=by, book=book)
    if examined.problems:
        raise ImportRefused(examined.problems)
    issued: list[activation.Issued] = []
    for person in examined.people:
        current_row = person.first_row
        try:
            user = person.user
            rows = [r for r in person.rows if r.mode != "unchanged"]
            if user is None:
                first, rows = rows[0], rows[1:]
                current_row = first.row
                user = services.user_create_awaiting_activation(
                    by=by, username=person.username, full_name=person.full_name, email=person.email,
                    phone=person.phone, org=first.org, role=first.role,
                )  # fmt: skip
                issued.append(activation.activation_issue(by=by, user=user))
            for row in rows:
                current_row = row.row
                services.role_give(by=by, user=user, org=row.org, role=row.role, mode=row.mode)
        except (UserError, PermissionDenied) as error:
            message = error.message if isinstance(error, UserError) else str(error)
            raise UserError(
                _("第 %(row)d 行（%(user)s）：%(message)s 本次导入未写入任何数据，请重新上传。")
                % {"row": current_row, "user": person.username, "message": message}
            ) from error
    audit.record(
        by, "accounts.people_import.apply", object_type="accounts.user", object_repr=book.name[:300], after=None,
        detail={"file": book.name, "sha256": book.sha256, "rows": len(book.rows), **examined.summary},
    )  # fmt: skip
    return Applied(examined, issued)


def audit_check(by: Actor, book: Workbook | None, *, name: str, examined: Examined | None, refused: str = "") -> None:
    """The audit row of a dry run (its outcome, never the file's personal data)."""
    detail: dict[str, Any] = {"file": name}
    if book is not None:
        detail.update(sha256=book.sha256, rows=len(book.rows))
    if refused:
        detail["refused"] = refused
    if examined is not None:
        detail["problems"] = len(examined.problems)
        if not examined.problems:
            detail.update(examined.summary)
    audit.record(
        by, "accounts.people_import.check", object_type="accounts.user", object_repr=name[:300], after=None,
        success=not refused and examined is not None and not examined.problems, detail=detail,
    )  # fmt: skip
