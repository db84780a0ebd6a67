"""Users: unique regardless of case (SECURITY row 1), and seen through the organisation tree."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from core.actor import Actor
from orgs import services as org_services
from orgs.choices import Action, Role
from orgs.tests.factories import make_user


@pytest.mark.django_db
def test_usernames_are_unique_regardless_of_case_in_the_database():
    User.objects.create_user(username="admin", password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="Admin", password="x")
    assert User.objects.filter(username__iexact="ADMIN").count() == 1


@pytest.mark.django_db
def test_natural_key_lookup_ignores_case():
    user = User.objects.create_user(username="Zhang.San", password="x")
    assert User.objects.get_by_natural_key("zhang.san") == user


def test_union_admin_sees_users_of_its_subtree_only(tree):
    union_admin = tree.user(Role.UNION_ADMIN)
    inside = tree.user(Role.REPORTER, tree.unit_a1)
    outside = tree.user(Role.REPORTER, tree.ent_b1)
    visible = set(User.objects.visible_to(union_admin, Action.USER_MANAGE))
    assert inside in visible and union_admin in visible
    assert outside not in visible


def test_former_members_stay_visible_to_the_subtree_they_left(tree):
    union_admin = tree.user(Role.UNION_ADMIN)
    moved = tree.user(Role.REPORTER, tree.ent_a2)
    membership = moved.memberships.get()
    org_services.membership_revoke(by=Actor.system("tests"), membership=membership)
    assert User.objects.visible_to(union_admin, Action.USER_MANAGE).filter(pk=moved.pk).exists()


def test_reach_covers_every_role_but_visible_to_needs_the_action(tree):
    reporter = tree.user(Role.REPORTER)
    colleague = tree.user(Role.INFO_OFFICER)
    other_branch = tree.user(Role.REPORTER, tree.ent_b1)
    assert set(User.objects.within_reach_of(reporter)) == {reporter, colleague}
    assert not User.objects.visible_to(reporter, Action.USER_MANAGE).exists()
    assert other_branch not in set(User.objects.within_reach_of(reporter))


def test_a_user_without_roles_reaches_nobody(tree):
    loner = make_user()
    tree.user(Role.REPORTER)
    assert not User.objects.within_reach_of(loner).exists()
    assert not User.objects.visible_to(loner, Action.USER_MANAGE).exists()


def test_the_reform_office_reaches_the_whole_province(tree):
    office_reviewer = tree.user(Role.OFFICE_REVIEWER)
    far_away = tree.user(Role.REPORTER, tree.ent_b1)
    assert User.objects.within_reach_of(office_reviewer).filter(pk=far_away.pk).exists()
    assert not User.objects.visible_to(office_reviewer, Action.USER_MANAGE).exists()
