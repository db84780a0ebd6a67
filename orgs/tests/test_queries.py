"""orgs.queries: search, the tree on a past date, and the reads behind the home and organisation pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from orgs import queries, services
from orgs.choices import OrgKind, Role
from orgs.models import Organisation
from orgs.tests.factories import SYSTEM, make_org, make_user

JUL_2021 = dt.date(2021, 7, 1)


def codes(rows) -> list[str]:
    return [row.code for row in rows]


# --- search ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("yndw", ["U-A"]),          # pinyin initials of 云南电网
    ("YNDW", ["U-A"]),          # typed in capitals
    ("云南电网", ["U-A"]),       # the name
    ("供电局", ["E-A1", "E-A2"]),  # part of a name
    ("E-A", ["E-A1", "E-A2"]),  # code prefix
    ("e-b", ["E-B1"]),          # code prefix, any case
    ("铜业", ["U-B", "E-B1"]),
    ("不存在", []),
    ("   ", []),
])  # fmt: skip
def test_search_by_name_code_and_pinyin_initials(tree, text, expected):
    leader = tree.user(Role.LEADER)  # sees the whole province
    assert codes(queries.orgs_search(user=leader, text=text)) == expected


def test_search_by_short_name(tree):
    services.org_update(by=SYSTEM, org=tree.ent_b1, version=tree.ent_b1.version, short_name="云铜")
    assert codes(queries.orgs_search(user=tree.user(Role.LEADER), text="云铜")) == ["E-B1"]


def test_search_stays_inside_the_scope(tree):
    reporter = tree.user(Role.REPORTER)  # 昆明供电局 and its unit
    assert codes(queries.orgs_search(user=reporter, text="yndw")) == []
    assert codes(queries.orgs_search(user=reporter, text="供电局")) == ["E-A1"]
    assert codes(queries.orgs_search(user=tree.user(Role.SEC_ADMIN), text="供电局")) == []


# --- the tree on a date ----------------------------------------------------------------------------


def test_ancestors_and_rollup_follow_the_tree_as_it_stood(tree):
    services.org_move(by=SYSTEM, org=tree.ent_a1, new_parent=tree.union_b, on=JUL_2021, version=tree.ent_a1.version)
    before, after = dt.date(2021, 6, 30), JUL_2021
    unions = {tree.union_a.pk, tree.union_b.pk}

    assert queries.ancestors_at(tree.unit_a1.pk, before) == [
        tree.ent_a1.pk, tree.union_a.pk, tree.unions.pk, tree.province.pk
    ]  # fmt: skip
    assert queries.ancestors_at(tree.unit_a1.pk, after)[1] == tree.union_b.pk
    assert queries.rollup_target_at(tree.unit_a1.pk, unions, before) == tree.union_a.pk
    assert queries.rollup_target_at(tree.unit_a1.pk, unions, after) == tree.union_b.pk
    assert queries.rollup_target_at(tree.union_a.pk, unions, after) == tree.union_a.pk
    assert queries.rollup_target_at(tree.kunming.pk, unions, after) is None


def test_an_organisation_not_yet_opened_has_no_parent_on_earlier_dates(tree):
    late = make_org(tree.union_a, "新成立公司", opened_on=dt.date(2022, 1, 1))
    assert late.pk not in queries.parent_map_at(JUL_2021)
    assert queries.parent_map_at(dt.date(2022, 1, 1))[late.pk] == tree.union_a.pk
    assert queries.ancestors_at(late.pk, JUL_2021) == []


# --- tree browser and organisation page ------------------------------------------------------------


def test_visible_roots_and_children_hide_closed_unless_asked(tree):
    admin = tree.user(Role.UNION_ADMIN)
    assert codes(queries.visible_roots(user=admin)) == ["U-A"]
    services.org_close(by=SYSTEM, org=tree.ent_a2, on=JUL_2021, version=tree.ent_a2.version)
    assert codes(queries.children_of(user=admin, parent=tree.union_a)) == ["E-A1"]
    assert codes(queries.children_of(user=admin, parent=tree.union_a, include_closed=True)) == ["E-A1", "E-A2"]
    assert codes(queries.children_of(user=admin, parent=None)) == ["U-A"]


def test_visible_ancestors_in_one_query_without_what_lies_above_the_scope(tree, django_assert_num_queries):
    leader, admin = tree.user(Role.LEADER), tree.user(Role.UNION_ADMIN)
    hits = [tree.unit_a1, tree.ent_a2, tree.ent_b1]
    queries.visible_ancestors(user=leader, orgs=hits)  # warm the scope cache
    queries.visible_ancestors(user=admin, orgs=hits)

    with django_assert_num_queries(1):
        paths = queries.visible_ancestors(user=leader, orgs=hits)
    assert codes(paths[tree.unit_a1.pk]) == ["530000", "CAT-UNION", "U-A", "E-A1"]
    assert codes(paths[tree.ent_b1.pk]) == ["530000", "CAT-UNION", "U-B"]

    paths = queries.visible_ancestors(user=admin, orgs=hits)
    assert codes(paths[tree.unit_a1.pk]) == ["U-A", "E-A1"]  # the province and category are above its scope
    assert codes(paths[tree.ent_b1.pk]) == []
    assert queries.visible_ancestors(user=admin, orgs=[]) == {}


def test_org_members_lists_active_roles_at_the_org_only(tree):
    reporter = tree.user(Role.REPORTER)
    officer = tree.user(Role.INFO_OFFICER)
    tree.user(Role.REPORTER, tree.unit_a1)  # below, not at the org
    gone = make_user(role=Role.LIAISON, org=tree.ent_a1, is_active=False)
    assert {(m.user, m.role) for m in queries.org_members(org=tree.ent_a1)} == {
        (reporter, Role.REPORTER),
        (officer, Role.INFO_OFFICER),
    }
    assert gone.pk not in {m.user_id for m in queries.org_members(org=tree.ent_a1)}


def test_assignments_of_both_sides_and_current_ones(tree):
    ended = services.assignment_create(
        by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=dt.date(2019, 1, 1)
    )
    services.assignment_end(by=SYSTEM, assignment=ended, on=JUL_2021)

    assert [a.enterprise.code for a in queries.assigned_enterprises(department=tree.dept)] == ["E-A1"]
    assert [a.enterprise.code for a in queries.assigned_enterprises(department=tree.dept, on=dt.date(2020, 6, 1))] == [
        "E-A1",
        "E-B1",
    ]
    assert [a.enterprise.code for a in queries.department_assignments(department=tree.dept)] == ["E-A1", "E-B1"]
    assert [a.department.code for a in queries.enterprise_assignments(enterprise=tree.ent_b1)] == ["D-SASAC"]


def test_changes_since_a_version_come_from_the_audit_log(tree):
    org = tree.ent_a2
    services.org_update(by=SYSTEM, org=org, version=1, name="曲靖供电局二")
    services.org_update(by=SYSTEM, org=org, version=2, short_name="曲靖局")

    changes = queries.org_changes_since(org=org, version=1)
    assert [change["fields"] for change in changes] == [
        [("name", "曲靖供电局", "曲靖供电局二")],
        [("short_name", "", "曲靖局")],
    ]
    assert [change["fields"] for change in queries.org_changes_since(org=org, version=2)] == [
        [("short_name", "", "曲靖局")]
    ]
    assert queries.org_changes_since(org=org, version=3) == []


# --- home page ---------------------------------------------------------------------------------------


def test_kind_counts_in_scope_skip_closed(tree):
    leader = tree.user(Role.LEADER)
    counts = queries.org_kind_counts(user=leader)
    assert counts[OrgKind.ENTERPRISE] == 3
    assert counts[OrgKind.UNION] == 2
    assert counts[OrgKind.PREFECTURE] == 1
    services.org_close(by=SYSTEM, org=tree.ent_a2, on=JUL_2021, version=tree.ent_a2.version)
    assert queries.org_kind_counts(user=leader)[OrgKind.ENTERPRISE] == 2
    assert queries.org_kind_counts(user=leader, under=tree.union_b) == {OrgKind.UNION: 1, OrgKind.ENTERPRISE: 1}
    assert queries.org_kind_counts(user=tree.user(Role.UNION_ADMIN)) == {
        OrgKind.UNION: 1,
        OrgKind.ENTERPRISE: 1,  # 曲靖供电局 is closed
        OrgKind.UNIT: 1,
    }


def test_unions_without_any_active_user_below_them(tree):
    leader = tree.user(Role.LEADER)
    assert codes(queries.unions_without_active_user(user=leader)) == ["U-A", "U-B"]
    tree.user(Role.REPORTER)  # someone in union A's subtree
    assert codes(queries.unions_without_active_user(user=leader)) == ["U-B"]
    make_user(role=Role.UNION_ADMIN, org=tree.union_b, is_active=False)  # a disabled account does not count
    assert codes(queries.unions_without_active_user(user=leader)) == ["U-B"]


def test_union_subtree_counts_and_enterprises_missing_officers(tree):
    tree.user(Role.UNION_ADMIN)
    tree.user(Role.REPORTER)
    tree.user(Role.INFO_OFFICER)
    make_user(role=Role.REPORTER, org=tree.unit_a1)  # at a unit: counts as a user, not for the enterprise

    assert queries.subtree_enterprise_count(org=tree.union_a) == 2
    assert queries.subtree_user_count(org=tree.union_a) == 4
    missing = {
        org.code: (org.has_reporter, org.has_info_officer, org.has_liaison)
        for org in queries.enterprises_missing_officers(org=tree.union_a)
    }
    assert missing == {"E-A1": (True, True, False), "E-A2": (False, False, False)}

    tree.user(Role.LIAISON)
    assert codes(queries.enterprises_missing_officers(org=tree.union_a)) == ["E-A2"]


def test_account_counts(tree):
    tree.user(Role.REPORTER)
    make_user()  # no role
    make_user(must_change_password=True)  # no role, must change its password
    make_user(is_active=False)
    counts = queries.account_counts()
    assert counts == {"total": 4, "active": 3, "inactive": 1, "without_role": 2, "must_change_password": 1}


def test_active_memberships_skip_inactive_roles_and_closed_orgs(tree):
    person = make_user(role=Role.REPORTER, org=tree.ent_a2)
    services.membership_grant(by=SYSTEM, user=person, org=tree.ent_b1, role=Role.REPORTER)
    Organisation.objects.filter(pk=tree.ent_b1.pk).update(closed_on=JUL_2021, version=F("version") + 1)
    assert [m.org.code for m in queries.active_memberships(person)] == ["E-A2"]
