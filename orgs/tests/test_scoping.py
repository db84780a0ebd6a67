"""The access door (orgs/scoping.py): which subtrees each role covers for each action."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from orgs import services
from orgs.choices import Action, Role
from orgs.models import Assignment, Membership, Organisation
from orgs.scoping import can, clear_scope_cache, ensure_allowed, granted_paths, has_action, subtree_q
from orgs.tests.factories import SYSTEM, make_user


def visible(user, action) -> set[str]:
    return set(Organisation.objects.visible_to(user, action).values_list("code", flat=True))


def test_reporter_sees_own_subtree_for_business_data(tree):
    assert visible(tree.user(Role.REPORTER), Action.VIEW) == {"E-A1", "UNIT-A1"}


def test_department_viewer_sees_assigned_enterprises_not_its_own_subtree(tree):
    viewer = tree.user(Role.DEPT_VIEWER)
    assert visible(viewer, Action.VIEW) == {"E-A1", "UNIT-A1"}
    assert visible(viewer, Action.ORG_VIEW) == {"D-SASAC", "E-A1", "UNIT-A1"}


def test_ended_assignment_ends_the_department_viewers_scope(tree):
    viewer = tree.user(Role.DEPT_VIEWER)
    Assignment.objects.filter(department=tree.dept).update(valid_to=dt.date(2021, 1, 1))
    clear_scope_cache(viewer)
    assert visible(viewer, Action.VIEW) == set()


def test_office_roles_held_at_the_office_cover_the_province(tree):
    everything = set(Organisation.objects.values_list("code", flat=True))
    assert visible(tree.user(Role.OFFICE_REVIEWER), Action.VIEW) == everything
    assert granted_paths(tree.user(Role.OFFICE_ADMIN), Action.ACCEPT) == (tree.province.path,)


@pytest.mark.parametrize("role", [Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN])
def test_separated_administrators_see_no_business_data(tree, role):
    assert visible(tree.user(role), Action.VIEW) == set()
    assert not has_action(tree.user(role), Action.EDIT)


def test_only_the_audit_administrator_reads_the_audit_log(tree):
    assert [role for role in Role if has_action(tree.user(role), Action.AUDIT_VIEW)] == [Role.AUDIT_ADMIN]


def test_only_the_office_administrator_defines_metadata(tree):
    assert [role for role in Role if has_action(tree.user(role), Action.METADATA_MANAGE)] == [Role.OFFICE_ADMIN]


def test_revoked_membership_and_closed_organisation_grant_nothing(tree):
    reporter = tree.user(Role.REPORTER)
    Membership.objects.filter(user=reporter).update(is_active=False)
    clear_scope_cache(reporter)
    assert visible(reporter, Action.VIEW) == set()

    other = make_user(role=Role.REPORTER, org=tree.ent_a2)
    services.org_close(by=SYSTEM, org=tree.ent_a2, on=dt.date(2022, 1, 1), version=tree.ent_a2.version)
    clear_scope_cache(other)
    assert visible(other, Action.VIEW) == set()


def test_inactive_user_has_no_scope(tree):
    reporter = tree.user(Role.REPORTER)
    reporter.is_active = False
    assert granted_paths(reporter, Action.VIEW) == ()


def test_ensure_allowed_names_the_organisation(tree):
    with pytest.raises(PermissionDenied) as refused:
        ensure_allowed(tree.user(Role.REPORTER), Action.ORG_MANAGE, tree.ent_a1)
    assert str(refused.value) == "您没有对“昆明供电局”执行此操作的权限。"
    assert can(tree.user(Role.UNION_ADMIN), Action.ORG_MANAGE, tree.ent_a1)


def test_nested_grants_collapse_to_the_outer_path(tree):
    admin = tree.user(Role.UNION_ADMIN)
    services.membership_grant(by=SYSTEM, user=admin, org=tree.ent_a1, role=Role.REPORTER)
    clear_scope_cache(admin)
    assert granted_paths(admin, Action.VIEW) == (tree.union_a.path,)


def test_subtree_condition_matches_prefix_only(tree):
    condition = subtree_q("path", tree.union_a.path, connection.vendor)
    codes = set(Organisation.objects.filter(condition).values_list("code", flat=True))
    assert codes == {"U-A", "E-A1", "UNIT-A1", "E-A2"}
