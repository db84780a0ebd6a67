import pytest

from orgs.choices import Role


@pytest.fixture
def reporter(tree):
    from core.actor import Actor

    return Actor(user=tree.user(Role.REPORTER, tree.ent_a1))


@pytest.fixture
def union_admin(tree):
    from core.actor import Actor

    return Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a))


@pytest.fixture
def office(tree):
    from core.actor import Actor

    return Actor(user=tree.user(Role.OFFICE_ADMIN))
