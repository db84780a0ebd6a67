import pytest

from orgs.choices import Role


@pytest.fixture
def office(tree):
    from core.actor import Actor

    return Actor(user=tree.user(Role.OFFICE_ADMIN))


@pytest.fixture
def union_admin(tree):
    from core.actor import Actor

    return Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a))
