"""orgs.services: tree changes with history, and the rules of granting roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from core import audit
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from orgs import services
from orgs.choices import OrgKind, Role
from orgs.models import Assignment, Membership, Organisation, OrgLink
from orgs.queries import ancestors_at, parent_map_at
from orgs.tests.factories import SYSTEM, make_user

JAN_2019 = dt.date(2019, 1, 1)
JUL_2021 = dt.date(2021, 7, 1)


def actor(user) -> Actor:
    return Actor(user=user, ip="127.0.0.1")


def parent_of(org: Organisation) -> Organisation:
    org.refresh_from_db()
    return Organisation.objects.get(path=org.path[: -Organisation.steplen])


def audit_rows(event: str, obj) -> int:
    return AuditEntry.objects.filter(event=event, object_id=str(obj.pk)).count()


# --- org_create ------------------------------------------------------------------------------------


def test_create_adds_child_with_first_link_and_one_audit_row(tree):
    admin = tree.user(Role.UNION_ADMIN)
    child = services.org_create(
        by=actor(admin), parent=tree.union_a, code="E-NEW", name="云南电网新公司", kind=OrgKind.ENTERPRISE,
        opened_on=JAN_2019,
    )  # fmt: skip

    assert parent_of(child) == tree.union_a
    assert child.pinyin_initials == "yndwxgs"
    assert list(OrgLink.objects.filter(org=child).values_list("parent_id", "valid_from", "valid_to")) == [
        (tree.union_a.pk, JAN_2019, None)
    ]
    assert audit_rows("orgs.organisation.create", child) == 1
    entry = AuditEntry.objects.get(event="orgs.organisation.create", object_id=str(child.pk))
    assert entry.username == admin.username
    assert entry.after["code"] == "E-NEW"


def test_create_refuses_a_code_in_use(tree):
    with pytest.raises(UserError) as error:
        services.org_create(by=SYSTEM, parent=tree.union_a, code="E-B1", name="重复", kind=OrgKind.ENTERPRISE)
    assert error.value.message == "机构代码“E-B1”已被使用。"
    assert error.value.field == "code"
    assert Organisation.objects.filter(name="重复").count() == 0


def test_create_refuses_a_code_that_is_a_page_of_its_own(tree):
    with pytest.raises(UserError) as error:
        services.org_create(by=SYSTEM, parent=tree.union_a, code="transfer", name="迁移公司", kind=OrgKind.ENTERPRISE)
    assert error.value.field == "code"
    assert error.value.message == "机构代码：“transfer”是系统保留的地址，不能用作机构代码，请换一个代码。"
    assert not Organisation.objects.filter(code="transfer").exists()


def test_every_page_word_under_orgs_is_a_reserved_code():
    from orgs import urls
    from orgs.models import RESERVED_CODES, code_validator

    words = {str(p.pattern).split("/")[0] for p in urls.urlpatterns}
    pages = {w for w in words if w and "<" not in w and code_validator.regex.match(w)}
    assert pages == set(RESERVED_CODES)  # /orgs/<code>/ of such an organisation would open that page instead


def test_create_refuses_a_closed_parent(tree):
    services.org_close(by=SYSTEM, org=tree.ent_a2, on=JUL_2021, version=tree.ent_a2.version)
    with pytest.raises(UserError) as error:
        services.org_create(by=SYSTEM, parent=tree.ent_a2, code="X-1", name="新单位", kind=OrgKind.UNIT)
    assert error.value.message == "上级机构“曲靖供电局”已撤销，不能在其下新增机构。"


@pytest.mark.parametrize(("role", "parent", "allowed"), [
    (Role.UNION_ADMIN, "union_a", True),
    (Role.UNION_ADMIN, "ent_a1", True),
    (Role.UNION_ADMIN, "union_b", False),
    (Role.REPORTER, "ent_a1", False),
    (Role.LEADER, "union_a", False),
    (Role.SYS_ADMIN, "union_b", True),
])  # fmt: skip
def test_create_needs_org_manage_on_the_parent(tree, role, parent, allowed):
    user = tree.user(role)
    parent_org = getattr(tree, parent)
    before = Organisation.objects.count()
    if allowed:
        services.org_create(by=actor(user), parent=parent_org, code="NEW-1", name="新机构", kind=OrgKind.UNIT)
        assert Organisation.objects.count() == before + 1
    else:
        with pytest.raises(PermissionDenied) as error:
            services.org_create(by=actor(user), parent=parent_org, code="NEW-1", name="新机构", kind=OrgKind.UNIT)
        assert str(error.value) == f"您没有对“{parent_org.name}”执行此操作的权限。"
        assert Organisation.objects.count() == before
        assert not AuditEntry.objects.filter(event="orgs.organisation.create", username=user.username).exists()


# --- orgs_create_many (an import's new organisations, written as sets) ----------------------------------------


def many(*rows):
    return [services.NewOrganisation(parent, code, name, kind) for parent, code, name, kind in rows]


def test_create_many_hangs_each_under_its_parent_as_org_create_would(tree):
    admin = tree.user(Role.UNION_ADMIN)
    before_children = Organisation.objects.get_children(tree.union_a).count()
    created = services.orgs_create_many(
        by=actor(admin),
        items=many(
            ("U-A", "N-1", "新企业", OrgKind.ENTERPRISE),
            ("N-1", "N-2", "新子公司", OrgKind.UNIT),
            ("N-1", "N-3", "新子公司二", OrgKind.UNIT),
            ("E-A1", "N-4", "供电所", OrgKind.UNIT),
        ),
        parents={"U-A": tree.union_a, "E-A1": tree.ent_a1},
    )

    assert Organisation.objects.find_problems() == ([], [], [], [], [])  # paths, depths and child counts consistent
    assert parent_of(created["N-2"]).code == "N-1" and parent_of(created["N-4"]).code == "E-A1"
    assert [o.code for o in Organisation.objects.get_children(Organisation.objects.get(code="N-1"))] == ["N-2", "N-3"]
    assert Organisation.objects.get_children(tree.union_a).count() == before_children + 1
    assert created["N-1"].pinyin_initials == "xqy"
    links = dict(OrgLink.objects.filter(org__code__startswith="N-").values_list("org__code", "parent__code"))
    assert links == {"N-1": "U-A", "N-2": "N-1", "N-3": "N-1", "N-4": "E-A1"}
    entries = AuditEntry.objects.filter(event="orgs.organisation.create", username=admin.username)
    assert sorted(e.after["code"] for e in entries) == ["N-1", "N-2", "N-3", "N-4"]
    assert audit.verify(anchor=None).intact
    # The next organisation added one at a time takes the next place under the same parent.
    services.org_create(by=SYSTEM, parent=Organisation.objects.get(code="N-1"), code="N-5", name="又一家", kind="unit")
    assert Organisation.objects.find_problems() == ([], [], [], [], [])


NEW_A = ("U-A", "N-1", "新企业", "enterprise")


@pytest.mark.parametrize(
    ("rows", "index", "message"),
    [
        ((NEW_A, ("U-A", "E-B1", "重复", "enterprise")), 1, "机构代码“E-B1”已被使用。"),
        ((NEW_A, ("U-A", "N-1", "又一个", "enterprise")), 1, "机构代码“N-1”已被使用。"),
        ((NEW_A, ("U-B", "N-2", "别家的", "enterprise")), 1, "您没有对“中国铜业”执行此操作的权限。"),
        ((("U-A", "N-1", "新企业", "province"),), 0, "只有根机构（省）的类型是“省”，其他机构不能改为“省”。"),
    ],
)
def test_create_many_refuses_an_item_with_its_index_and_writes_nothing(tree, rows, index, message):
    admin = tree.user(Role.UNION_ADMIN)
    before = (Organisation.objects.count(), OrgLink.objects.count(), AuditEntry.objects.count())
    with pytest.raises(services.CreateRefused) as refused:
        services.orgs_create_many(
            by=actor(admin), items=many(*rows), parents={"U-A": tree.union_a, "U-B": tree.union_b}
        )
    assert (refused.value.index, refused.value.message) == (index, message)
    assert (Organisation.objects.count(), OrgLink.objects.count(), AuditEntry.objects.count()) == before


# --- org_update ------------------------------------------------------------------------------------


def test_update_changes_fields_bumps_version_and_audits_before_and_after(tree):
    org = tree.ent_a2
    services.org_update(by=SYSTEM, org=org, version=org.version, name="曲靖供电局（新）", short_name="曲靖局")

    org.refresh_from_db()
    assert (org.name, org.short_name, org.version) == ("曲靖供电局（新）", "曲靖局", 2)
    assert org.pinyin_initials == "qjgdjx"
    entry = AuditEntry.objects.get(event="orgs.organisation.update", object_id=str(org.pk))
    assert entry.before["name"] == "曲靖供电局"
    assert entry.after["name"] == "曲靖供电局（新）"


def test_update_with_stale_version_changes_nothing(tree):
    org = tree.ent_a2
    stale = org.version
    Organisation.objects.filter(pk=org.pk).update(version=F("version") + 1)  # someone saved first

    with pytest.raises(ConflictError) as error:
        services.org_update(by=SYSTEM, org=org, version=stale, name="被覆盖")
    assert error.value.message == "该机构已被他人修改，请刷新后重试。"
    org.refresh_from_db()
    assert org.name == "曲靖供电局"
    assert audit_rows("orgs.organisation.update", org) == 0


def test_update_refuses_fields_that_are_not_editable(tree):
    with pytest.raises(UserError) as error:
        services.org_update(by=SYSTEM, org=tree.ent_a2, version=1, code="HACK", path="0001")
    assert error.value.message == "不能修改这些字段：code、path"


def test_update_refuses_a_bad_credit_code_naming_the_field(tree):
    with pytest.raises(UserError) as error:
        services.org_update(by=SYSTEM, org=tree.ent_a2, version=1, credit_code="ABC")
    assert error.value.message == "统一社会信用代码：统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"
    assert error.value.field == "credit_code"


# --- org_move --------------------------------------------------------------------------------------


def test_move_keeps_history_so_the_past_rolls_up_to_the_old_parent(tree):
    org = tree.ent_a1
    services.org_move(by=SYSTEM, org=org, new_parent=tree.union_b, on=JUL_2021, version=org.version)

    org.refresh_from_db()
    tree.unit_a1.refresh_from_db()
    assert parent_of(org) == tree.union_b
    assert tree.unit_a1.path.startswith(org.path)  # the subtree moved along
    assert parent_map_at(dt.date(2021, 6, 30))[org.pk] == tree.union_a.pk
    assert parent_map_at(JUL_2021)[org.pk] == tree.union_b.pk
    assert ancestors_at(tree.unit_a1.pk, dt.date(2021, 6, 30))[:2] == [org.pk, tree.union_a.pk]
    assert ancestors_at(tree.unit_a1.pk, JUL_2021)[:2] == [org.pk, tree.union_b.pk]
    links = list(OrgLink.objects.filter(org=org).values_list("parent_id", "valid_from", "valid_to"))
    assert links == [(tree.union_a.pk, dt.date(2018, 1, 1), JUL_2021), (tree.union_b.pk, JUL_2021, None)]
    entry = AuditEntry.objects.get(event="orgs.organisation.move", object_id=str(org.pk))
    assert (entry.before["parent"], entry.after["parent"]) == ("U-A", "U-B")


def test_move_into_its_own_subtree_is_refused(tree):
    with pytest.raises(UserError) as error:
        services.org_move(by=SYSTEM, org=tree.ent_a1, new_parent=tree.unit_a1, on=JUL_2021, version=1)
    assert error.value.message == "不能把机构迁移到它自己或它的下级机构之下。"


def test_move_must_be_dated_after_the_current_link_starts(tree):
    with pytest.raises(UserError) as error:
        services.org_move(by=SYSTEM, org=tree.ent_a1, new_parent=tree.union_b, on=dt.date(2018, 1, 1), version=1)
    assert error.value.message == "迁移日期必须晚于当前隶属关系的起始日期（2018-01-01）。"
    assert parent_of(tree.ent_a1) == tree.union_a


def test_move_needs_org_manage_on_the_new_parent_too(tree):
    admin = tree.user(Role.UNION_ADMIN)  # manages union A only
    with pytest.raises(PermissionDenied):
        services.org_move(by=actor(admin), org=tree.ent_a1, new_parent=tree.union_b, on=JUL_2021, version=1)
    tree.ent_a1.refresh_from_db()
    assert parent_of(tree.ent_a1) == tree.union_a


def test_move_with_stale_version_changes_nothing(tree):
    Organisation.objects.filter(pk=tree.ent_a1.pk).update(version=F("version") + 1)
    with pytest.raises(ConflictError):
        services.org_move(by=SYSTEM, org=tree.ent_a1, new_parent=tree.union_b, on=JUL_2021, version=1)
    assert OrgLink.objects.filter(org=tree.ent_a1).count() == 1


# --- org_close -------------------------------------------------------------------------------------


def test_close_is_refused_while_open_children_remain(tree):
    with pytest.raises(UserError) as error:
        services.org_close(by=SYSTEM, org=tree.ent_a1, on=JUL_2021, version=tree.ent_a1.version)
    assert error.value.message == "请先撤销或迁移其下属机构，再撤销本机构。"
    tree.ent_a1.refresh_from_db()
    assert tree.ent_a1.closed_on is None


def test_close_after_the_children_ends_the_link_and_leaves_history(tree):
    services.org_close(by=SYSTEM, org=tree.unit_a1, on=JUL_2021, version=tree.unit_a1.version)
    org = services.org_close(by=SYSTEM, org=tree.ent_a1, on=JUL_2021, version=tree.ent_a1.version)

    assert org.closed_on == JUL_2021
    assert OrgLink.objects.get(org=org).valid_to == JUL_2021
    assert tree.ent_a1.pk in parent_map_at(dt.date(2021, 6, 30))
    assert tree.ent_a1.pk not in parent_map_at(JUL_2021)
    assert audit_rows("orgs.organisation.close", org) == 1


def test_close_twice_and_before_opening_are_refused(tree):
    services.org_close(by=SYSTEM, org=tree.ent_a2, on=JUL_2021, version=1)
    with pytest.raises(UserError) as error:
        services.org_close(by=SYSTEM, org=tree.ent_a2, on=JUL_2021, version=2)
    assert error.value.message == "该机构已于2021-07-01撤销。"
    with pytest.raises(UserError) as error:
        services.org_close(by=SYSTEM, org=tree.ent_b1, on=dt.date(2017, 1, 1), version=1)
    assert error.value.message == "撤销日期不能早于成立日期。"


# --- membership_grant: delegation and 三权分立 ----------------------------------------------------


def test_union_admin_grants_business_roles_inside_its_subtree(tree):
    admin = tree.user(Role.UNION_ADMIN)
    person = make_user()
    membership = services.membership_grant(by=actor(admin), user=person, org=tree.ent_a2, role=Role.REPORTER)
    assert membership.granted_by == admin
    assert audit_rows("orgs.membership.grant", membership) == 1


@pytest.mark.parametrize("role", [Role.OFFICE_ADMIN, Role.OFFICE_REVIEWER, Role.LEADER, Role.SYS_ADMIN])
def test_union_admin_cannot_grant_office_or_admin_roles(tree, role):
    admin = tree.user(Role.UNION_ADMIN)
    person = make_user()
    with pytest.raises(PermissionDenied) as error:
        services.membership_grant(by=actor(admin), user=person, org=tree.ent_a1, role=role)
    assert str(error.value) == f"您不能授予“{Role(role).label}”角色。"
    assert not Membership.objects.filter(user=person).exists()


def test_union_admin_cannot_grant_outside_its_subtree(tree):
    admin = tree.user(Role.UNION_ADMIN)
    person = make_user()
    with pytest.raises(PermissionDenied) as error:
        services.membership_grant(by=actor(admin), user=person, org=tree.ent_b1, role=Role.REPORTER)
    assert str(error.value) == "您没有对“云南铜业股份”执行此操作的权限。"
    assert not Membership.objects.filter(user=person).exists()


def test_nobody_grants_themselves_a_role(tree):
    admin = tree.user(Role.UNION_ADMIN)
    with pytest.raises(PermissionDenied) as error:
        services.membership_grant(by=actor(admin), user=admin, org=tree.ent_a1, role=Role.REPORTER)
    assert str(error.value) == "不能给自己授予角色。"
    assert set(Membership.objects.filter(user=admin).values_list("role", flat=True)) == {Role.UNION_ADMIN}


SEPARATION_MESSAGE = "系统管理员、安全管理员、审计管理员必须由不同账号担任，且不得兼任其他角色。"


@pytest.mark.parametrize(("held", "granted"), [
    (Role.SYS_ADMIN, Role.AUDIT_ADMIN),
    (Role.SEC_ADMIN, Role.SYS_ADMIN),
    (Role.AUDIT_ADMIN, Role.SEC_ADMIN),
    (Role.AUDIT_ADMIN, Role.REPORTER),
    (Role.REPORTER, Role.SEC_ADMIN),
])  # fmt: skip
def test_one_account_cannot_hold_two_of_the_three_admin_roles(tree, held, granted):
    person = make_user(role=held, org=tree.province if held != Role.REPORTER else tree.ent_a1)
    org = tree.province if granted != Role.REPORTER else tree.ent_a1
    with pytest.raises(UserError) as error:
        services.membership_grant(by=SYSTEM, user=person, org=org, role=granted)
    assert error.value.message == SEPARATION_MESSAGE
    assert set(Membership.objects.filter(user=person).values_list("role", flat=True)) == {held}


def test_dept_viewer_only_at_a_department(tree):
    with pytest.raises(UserError) as error:
        services.membership_grant(by=SYSTEM, user=make_user(), org=tree.ent_a1, role=Role.DEPT_VIEWER)
    assert error.value.message == "成员单位查看员只能在成员单位任职。"


def test_revoke_keeps_the_row_inactive_and_audits(tree):
    reporter = tree.user(Role.REPORTER)
    membership = Membership.objects.get(user=reporter)
    services.membership_revoke(by=actor(tree.user(Role.UNION_ADMIN)), membership=membership)
    membership.refresh_from_db()
    assert membership.is_active is False
    assert audit_rows("orgs.membership.revoke", membership) == 1


# --- assignments (挂钩帮带) ------------------------------------------------------------------------


def test_assignment_create_and_end(tree):
    assignment = services.assignment_create(
        by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=JAN_2019
    )
    assert audit_rows("orgs.assignment.create", assignment) == 1
    with pytest.raises(UserError) as error:
        services.assignment_create(by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1)
    assert error.value.message == "该企业已挂钩到此成员单位。"

    with pytest.raises(UserError) as error:
        services.assignment_end(by=SYSTEM, assignment=assignment, on=JAN_2019)
    assert error.value.message == "结束日期必须晚于起始日期。"
    services.assignment_end(by=SYSTEM, assignment=assignment, on=JUL_2021)
    assignment.refresh_from_db()
    assert assignment.valid_to == JUL_2021
    assert audit_rows("orgs.assignment.end", assignment) == 1


def test_assignment_sides_are_checked(tree):
    with pytest.raises(UserError) as error:
        services.assignment_create(by=SYSTEM, department=tree.union_a, enterprise=tree.ent_b1)
    assert error.value.message == "只能把企业挂钩到成员单位。"
    with pytest.raises(UserError) as error:
        services.assignment_create(by=SYSTEM, department=tree.dept, enterprise=tree.kunming)
    assert error.value.message == "挂钩对象必须是企业或产业系统公司。"
    assert Assignment.objects.count() == 1


def test_only_the_root_is_a_province(tree):
    from core.errors import UserError

    with pytest.raises(UserError) as refused:
        services.org_update(by=SYSTEM, org=tree.ent_a1, version=tree.ent_a1.version, kind=OrgKind.PROVINCE)
    assert refused.value.message == "只有根机构（省）的类型是“省”，其他机构不能改为“省”。"
    with pytest.raises(UserError):
        services.org_update(by=SYSTEM, org=tree.province, version=tree.province.version, kind=OrgKind.ENTERPRISE)
    renamed = services.org_update(by=SYSTEM, org=tree.province, version=tree.province.version, name="云南省（改）")
    assert renamed.kind == OrgKind.PROVINCE
