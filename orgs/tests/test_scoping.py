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


# --- One function per access concern (issue 10) ------------------------------------------------------


def test_within_builds_the_path_filter_for_paths_organisations_and_subqueries(tree):
    from django.db.models import Exists, OuterRef

    from orgs.scoping import within

    codes = set(Organisation.objects.filter(within("path", [tree.union_a])).values_list("code", flat=True))
    assert codes == {"U-A", "E-A1", "UNIT-A1", "E-A2"}
    assert set(Organisation.objects.filter(within("path", [tree.union_a.path, tree.ent_a1.path])).values_list(
        "code", flat=True
    )) == codes  # fmt: skip
    assert not Organisation.objects.filter(within("path", [])).exists()  # no paths: nothing
    # An outer reference: organisations with a role held anywhere in their subtree.
    members = Membership.objects.filter(within("org__path", OuterRef("path")), is_active=True)
    tree.user(Role.REPORTER, tree.ent_b1)
    with_roles = Organisation.objects.filter(Exists(members)).values_list("code", flat=True)
    assert {"U-B", "E-B1"} <= set(with_roles)
    assert "E-A2" not in set(with_roles)


def test_in_subtree_takes_organisations_or_paths(tree):
    from orgs.scoping import in_subtree

    assert in_subtree(tree.ent_a1, tree.union_a) and in_subtree(tree.ent_a1.path, tree.union_a.path)
    assert in_subtree(tree.union_a, tree.union_a) and not in_subtree(tree.union_a, tree.union_a, strict=True)
    assert not in_subtree(tree.ent_b1, tree.union_a)
    assert in_subtree(tree.ent_b1, None)


def test_visible_or_province_wide_keeps_the_scope_and_the_rows_of_no_organisation(tree):
    from orgs.scoping import visible_or_province_wide
    from reporting.models import DeadlineExtension
    from reporting.periods import period_from_code
    from reporting.tests.factories import load_workforce

    yearly, _quarterly = load_workforce()
    period = period_from_code("2021")
    for org in (None, tree.union_a, tree.ent_a1, tree.union_b):
        DeadlineExtension.objects.create(dataset=yearly, period=period, org=org, new_deadline=dt.date(2022, 3, 1))

    def seen(user):
        rows = visible_or_province_wide(DeadlineExtension.objects.all(), user)
        return sorted(e.org.code if e.org else "-" for e in rows)

    assert seen(tree.user(Role.UNION_ADMIN, tree.union_a)) == ["-", "E-A1", "U-A"]
    assert seen(tree.user(Role.REPORTER, tree.ent_a1)) == ["-", "E-A1"]
    assert seen(tree.user(Role.OFFICE_REVIEWER)) == ["-", "E-A1", "U-A", "U-B"]
    assert seen(tree.user(Role.AUDIT_ADMIN)) == []  # no business data at all


@pytest.mark.parametrize(
    ("role", "office"),
    [(Role.OFFICE_ADMIN, True), (Role.OFFICE_REVIEWER, True), (Role.UNION_ADMIN, False), (Role.LEADER, False)],
)
def test_office_has_one_meaning_and_one_refusal(tree, role, office):
    from django.http import Http404

    from core.actor import Actor
    from orgs.scoping import ensure_office, is_office, office_or_404

    user = tree.user(role)
    assert is_office(user) is office
    if office:
        office_or_404(user)
        ensure_office(Actor(user=user))
    else:
        with pytest.raises(Http404):
            office_or_404(user)
        with pytest.raises(PermissionDenied):
            ensure_office(Actor(user=user))
    ensure_office(SYSTEM)  # the system acts for the office
