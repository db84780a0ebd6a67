import pytest

from core.actor import Actor
from orgs.choices import Role


@pytest.fixture
def organiser(tree):
    """The union admin of 云南电网 (union A), who runs the union's competitions."""
    return Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a))


@pytest.fixture
def outsider(tree):
    """The union admin of 中国铜业 (union B): another branch."""
    return Actor(user=tree.user(Role.UNION_ADMIN, tree.union_b))
