"""The people import (issue 19, item 2): the template, every problem located at once, the role rules of the
three administrators cell by cell, existing accounts only gaining roles, all or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts import activation, importing
from accounts.models import Activation, User
from accounts.tests.people import book
from core.actor import Actor
from core.errors import UserError
from core.models import AuditEntry
from orgs import services as org_services
from orgs.choices import Role
from orgs.models import Membership
from orgs.tests.factories import TEST_PASSWORD, make_user

SYS, SEC, AUDIT, OFFICE, UNION = Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN, Role.OFFICE_ADMIN, Role.UNION_ADMIN


def by(tree, role) -> Actor:
    return Actor(user=tree.user(role), ip="10.2.3.4")


def label(role) -> str:
    return str(Role(role).label)


def row(username="zhangsan", name="张三", org="E-A1", role=Role.REPORTER, phone="", email=""):
    return [username, name, org, label(role) if role in Role.values else role, phone, email]


# --- The template --------------------------------------------------------------------------------------------------


def test_the_template_has_the_columns_a_role_list_and_a_guide():
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(importing.template_bytes()))
    assert workbook.sheetnames == ["人员", "填写说明"]
    sheet = workbook["人员"]
    assert [c.value for c in sheet[1]] == ["用户名*", "姓名*", "机构*", "角色*", "手机", "电子邮箱"]
    (validation,) = sheet.data_validations.dataValidation
    assert "企业填报员" in validation.formula1 and "审计管理员" in validation.formula1
    assert str(validation.sqref).startswith("D2:D")
    assert sheet["E2"].number_format == "@"  # phone numbers stay text
    guide = " ".join(str(c.value) for r in workbook["填写说明"].iter_rows() for c in r if c.value)
    assert "激活链接" in guide and "三权分立" in guide and "企业填报员" in guide


# --- The role rules, cell by cell ----------------------------------------------------------------------------------

# (importer, organisation code, role) → "grant", "request" or "refused"; docs/separation-of-duties.md.
CELLS = [
    (SYS, "E-A1", Role.REPORTER, "request"),
    (SYS, "530000", Role.AUDIT_ADMIN, "request"),
    (SYS, "530000", Role.SEC_ADMIN, "request"),
    (SYS, "OFFICE", Role.OFFICE_ADMIN, "request"),
    (OFFICE, "E-A1", Role.REPORTER, "grant"),
    (OFFICE, "530000", Role.LEADER, "grant"),
    (OFFICE, "U-B", Role.UNION_ADMIN, "grant"),
    (OFFICE, "530000", Role.AUDIT_ADMIN, "refused"),
    (OFFICE, "530000", Role.SEC_ADMIN, "refused"),
    (OFFICE, "530000", Role.SYS_ADMIN, "refused"),
    (UNION, "E-A1", Role.REPORTER, "grant"),
    (UNION, "U-A", Role.UNION_ADMIN, "grant"),
    (UNION, "E-A2", Role.INFO_OFFICER, "grant"),
    (UNION, "UNIT-A1", Role.LIAISON, "grant"),
    (UNION, "E-A1", Role.GUIDANCE, "refused"),
    (UNION, "U-A", Role.OFFICE_REVIEWER, "refused"),
    (UNION, "U-A", Role.AUDIT_ADMIN, "refused"),
]


@pytest.mark.parametrize(("importer", "code", "role", "outcome"), CELLS, ids=[f"{i}-{c}-{r}" for i, c, r, _o in CELLS])
def test_each_role_is_granted_requested_or_refused_by_the_rules(tree, importer, code, role, outcome):
    actor = by(tree, importer)
    examined = importing.examine(by=actor, book=book([row("newbie", "新人", code, role)]))
    if outcome == "refused":
        (problem,) = examined.problems
        assert (problem.row, problem.column, problem.header, problem.value) == (2, "D", "角色", label(role))
        assert "不能在" in problem.message and label(role) in problem.message
        with pytest.raises(importing.ImportRefused):
            importing.apply(by=actor, book=book([row("newbie", "新人", code, role)]))
        assert not User.objects.filter(username="newbie").exists()
        return
    assert examined.problems == []
    (planned,) = examined.rows
    assert planned.mode == outcome and planned.new_user
    applied = importing.apply(by=actor, book=book([row("newbie", "新人", code, role)]))
    user = User.objects.get(username="newbie")
    membership = Membership.objects.get(user=user, org__code=code, role=role)
    assert (membership.is_active, membership.pending) == ((True, False) if outcome == "grant" else (False, True))
    assert user.awaiting_activation and not user.has_usable_password()
    assert [i.user for i in applied.issued] == [user]


@pytest.mark.parametrize("importer", [SEC, AUDIT, Role.REPORTER, Role.LEADER])
def test_those_who_create_no_accounts_cannot_import(tree, importer):
    with pytest.raises(PermissionDenied):
        importing.examine(by=by(tree, importer), book=book([row()]))
    with pytest.raises(PermissionDenied):
        importing.apply(by=by(tree, importer), book=book([row()]))
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_requested_role_waits_for_the_security_administrator(tree):
    importing.apply(by=by(tree, SYS), book=book([row(role=Role.REPORTER)]))
    user = User.objects.get(username="zhangsan")
    pending = Membership.objects.get(user=user)
    assert pending.pending and not pending.is_active
    org_services.membership_grant(by=by(tree, SEC), user=user, org=pending.org, role=pending.role)
    pending.refresh_from_db()
    assert pending.is_active and not pending.pending


def test_a_union_cannot_name_an_organisation_outside_its_subtree_and_learns_nothing_of_it(tree):
    examined = importing.examine(by=by(tree, UNION), book=book([row(org="E-B1"), row("lisi", "李四", org="E-NOPE")]))
    outside, unknown = examined.problems
    assert (outside.row, outside.column, outside.value) == (2, "C", "E-B1")
    assert outside.message == unknown.message.replace("E-NOPE", "E-B1")
    assert "云南铜业股份" not in outside.message + outside.fix


# --- Every problem located, all at once ----------------------------------------------------------------------------


def test_every_problem_is_listed_at_once_with_its_place_value_and_fix(tree):
    make_user("taken", role=Role.REPORTER, org=tree.ent_b1, full_name="外单位")
    make_user("wangwu", role=Role.REPORTER, org=tree.ent_a2, full_name="王五")
    rows = [
        row("zhangsan", "张三", phone="1381234567"),  # 2: ten digits
        row("lisi", "李四", email="lisi@"),  # 3: e-mail
        row("ZhangSan", "张三", org="E-A2"),  # 4: same name in another case
        row("zhaoliu", "赵六"),  # 5
        row("zhaoliu", "赵六"),  # 6: the same role twice
        row("zhaoliu", "赵小六", org="E-A2"),  # 7: another name for the same user
        row("bad name", "坏名"),  # 8: a space in the username
        row("qianqi", "", role="总经理"),  # 9: no name for a new account, unknown role
        row("taken", "外单位"),  # 10: a name used outside the importer's scope
        row("wangwu", "王小五"),  # 11: an existing account under another name
        row("sunba", "孙八", role=Role.DEPT_VIEWER),  # 12: a department viewer at an enterprise
        row("zhoujiu", "周九", phone="١٣٨١٢٣٤٥٦٧٨"),  # 13: Arabic-Indic digits
    ]
    examined = importing.examine(by=by(tree, UNION), book=book(rows))
    found = [(p.row, p.column, p.value) for p in examined.problems]
    assert found == [
        (2, "E", "1381234567"),
        (3, "F", "lisi@"),
        (4, "A", "ZhangSan"),
        (6, "", ""),
        (7, "B", "赵小六"),
        (8, "A", "bad name"),
        (9, "B", ""),
        (9, "D", "总经理"),
        (10, "A", "taken"),
        (11, "B", "王小五"),
        (12, "D", "成员单位查看员"),
        (13, "E", "١٣٨١٢٣٤٥٦٧٨"),
    ]
    texts = {(p.row, p.column): (p.message, p.fix, p.where()) for p in examined.problems}
    assert texts[(2, "E")][0] == "不是有效的手机号码。"
    assert texts[(2, "E")][2] == "工作表“人员”第 2 行 E 列（手机）"
    assert "只差大小写" in texts[(4, "A")][0] and "第 2 行" in texts[(4, "A")][0]
    assert texts[(6, "")][0] == "与第 5 行重复：同一人、同一机构、同一角色。"
    assert "第 5 行填的是“赵六”" in texts[(7, "B")][0]
    assert "不在您的管理范围内" in texts[(10, "A")][0] and "外单位" not in texts[(10, "A")][0]
    assert "“王五”" in texts[(11, "B")][0]
    assert all(p.fix for p in examined.problems)
    assert examined.rows == []
    with pytest.raises(importing.ImportRefused) as refused:
        importing.apply(by=by(tree, UNION), book=book(rows))
    assert len(refused.value.problems) == len(found)
    assert not User.objects.filter(username__in=["zhangsan", "lisi", "zhaoliu", "sunba", "zhoujiu"]).exists()


def test_the_three_administrators_are_three_accounts(tree):
    rows = [row("admin3", "三合一", org="530000", role=Role.AUDIT_ADMIN), row("admin3", "三合一", role=Role.REPORTER)]
    examined = importing.examine(by=by(tree, SYS), book=book(rows))
    assert [(p.row, p.column) for p in examined.problems] == [(2, "D"), (3, "D")]
    assert "必须由不同账号担任" in examined.problems[0].message


def test_importing_oneself_is_refused(tree):
    me = tree.user(UNION)
    examined = importing.examine(by=by(tree, UNION), book=book([row(me.username, me.full_name or "我")]))
    (problem,) = examined.problems
    assert problem.message == "不能在导入中给自己增加角色。"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
     ("138-1234-5678", "13812345678"), ("", "")],
)  # fmt: skip
def test_mobile_numbers_are_normalised(typed, stored):
    assert importing.clean_mobile(typed) == stored


@pytest.mark.parametrize("typed", ["1381234567", "23812345678", "0871-63123456", "1.38E+10", "138123456789"])
def test_other_numbers_are_refused(typed):
    with pytest.raises(UserError):
        importing.clean_mobile(typed)


def test_structure_problems_name_the_header_or_the_sheet(tree):
    renamed = importing.examine(
        by=by(tree, UNION), book=book([row()], headers=["用户名", "名字", "机构", "角色", "手机", "电子邮箱"])
    )
    assert [(p.row, p.column, p.value) for p in renamed.problems] == [(1, "B", "名字")]
    other_sheet = importing.examine(by=by(tree, UNION), book=book([row()], sheet="Sheet1"))
    assert other_sheet.problems[0].message == "找不到名为“人员”的工作表。"
    empty = importing.examine(by=by(tree, UNION), book=book([]))
    assert empty.problems[0].message == "没有数据。"


# --- Several rows, existing accounts, all or nothing ---------------------------------------------------------------


def test_several_rows_give_one_person_several_roles_and_one_activation(tree):
    rows = [
        row("zhangsan", "张三", phone="13812345678", email="zs@example.com"),
        row("zhangsan", "", org="E-A2", role=Role.INFO_OFFICER),
        row("lisi", "李四", org="U-A", role=Role.LIAISON),
    ]
    applied = importing.apply(by=by(tree, UNION), book=book(rows))
    zhang = User.objects.get(username="zhangsan")
    assert (zhang.full_name, zhang.phone, zhang.email) == ("张三", "13812345678", "zs@example.com")
    assert set(Membership.objects.filter(user=zhang, is_active=True).values_list("org__code", "role")) == {
        ("E-A1", Role.REPORTER),
        ("E-A2", Role.INFO_OFFICER),
    }
    assert sorted(i.user.username for i in applied.issued) == ["lisi", "zhangsan"]
    assert Activation.objects.filter(user=zhang).count() == 1
    assert applied.examined.summary == {
        "new_users": 2, "existing_users": 0, "granted": 3, "requested": 0, "unchanged": 0,
    }  # fmt: skip
    entry = AuditEntry.objects.get(event="accounts.people_import.apply")
    assert entry.detail["new_users"] == 2 and entry.detail["file"] == "人员.xlsx"


def test_an_existing_account_gains_roles_and_nothing_else(tree):
    wang = make_user("wangwu", role=Role.REPORTER, org=tree.ent_a2, full_name="王五", phone="13900001111")
    password_hash = wang.password
    rows = [row("WangWu", "王五", org="E-A1", role=Role.LIAISON, phone="13812345678", email="new@example.com")]
    applied = importing.apply(by=by(tree, UNION), book=book(rows))
    wang.refresh_from_db()
    assert wang.password == password_hash and wang.check_password(TEST_PASSWORD)
    assert (wang.full_name, wang.phone, wang.email, wang.awaiting_activation) == ("王五", "13900001111", "", False)
    assert Membership.objects.filter(user=wang, org=tree.ent_a1, role=Role.LIAISON, is_active=True).exists()
    assert applied.issued == [] and not Activation.objects.filter(user=wang).exists()


def test_importing_the_same_file_again_changes_nothing(tree):
    rows = [row("zhangsan", "张三"), row("zhangsan", "张三", org="E-A2", role=Role.INFO_OFFICER)]
    importing.apply(by=by(tree, UNION), book=book(rows))
    users, memberships, activations = User.objects.count(), Membership.objects.count(), Activation.objects.count()
    again = importing.examine(by=by(tree, UNION), book=book(rows))
    assert {r.mode for r in again.rows} == {"unchanged"} and again.summary["existing_users"] == 1
    applied = importing.apply(by=by(tree, UNION), book=book(rows))
    assert applied.issued == []
    assert (User.objects.count(), Membership.objects.count(), Activation.objects.count()) == (
        users,
        memberships,
        activations,
    )


def test_a_conflict_after_the_preview_writes_nothing(tree):
    rows = [row("zhangsan", "张三"), row("lisi", "李四"), row("wangwu", "王五")]
    assert importing.examine(by=by(tree, UNION), book=book(rows)).problems == []
    make_user("LiSi", role=Role.REPORTER, org=tree.ent_b1, full_name="另一个李四")  # meanwhile, elsewhere
    before = (User.objects.count(), Membership.objects.count(), Activation.objects.count(), AuditEntry.objects.count())
    with pytest.raises(importing.ImportRefused) as refused:
        importing.apply(by=by(tree, UNION), book=book(rows))
    assert [(p.row, p.column) for p in refused.value.problems] == [(3, "A")]
    after = (User.objects.count(), Membership.objects.count(), Activation.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_a_requested_role_asked_again_after_a_refusal_reuses_its_row(tree):
    importing.apply(by=by(tree, SYS), book=book([row()]))
    pending = Membership.objects.get(user__username="zhangsan")
    org_services.membership_refuse(by=by(tree, SEC), membership=pending)
    examined = importing.examine(by=by(tree, SYS), book=book([row()]))
    assert [r.mode for r in examined.rows] == ["request"]
    importing.apply(by=by(tree, SYS), book=book([row()]))
    pending.refresh_from_db()
    assert pending.pending and Membership.objects.filter(user__username="zhangsan").count() == 1


# --- No secret anywhere ---------------------------------------------------------------------------------------------


def test_no_token_or_password_reaches_the_database_or_the_audit_log(tree):
    applied = importing.apply(by=by(tree, UNION), book=book([row(), row("lisi", "李四")]))
    tokens = [i.token for i in applied.issued]
    assert len(set(tokens)) == 2 and all(len(t) == activation.TOKEN_LENGTH for t in tokens)
    for issued in applied.issued:
        stored = Activation.objects.get(user=issued.user)
        assert stored.token_hash == activation.token_hash(issued.token) and issued.token not in stored.token_hash
        assert not issued.user.has_usable_password()
    for token in tokens:
        for text in (token, activation.display_code(token)):
            assert not AuditEntry.objects.filter(
                Q(detail__icontains=text) | Q(after__icontains=text) | Q(object_repr__icontains=text)
            ).exists()
    for issued in applied.issued:
        stored_hash = User.objects.get(pk=issued.user.pk).password
        assert not AuditEntry.objects.filter(
            Q(after__icontains=stored_hash) | Q(detail__icontains=stored_hash)
        ).exists()
    created = AuditEntry.objects.filter(event="accounts.user.create")
    assert created.count() == 2 and all("password" not in entry.after for entry in created)
