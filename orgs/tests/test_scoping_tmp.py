from orgs.choices import Action, Role
from orgs.models import Organisation


def test_tree_scopes(tree):
    rep = tree.user(Role.REPORTER)
    assert set(Organisation.objects.visible_to(rep, Action.VIEW).values_list("code", flat=True)) == {"E-A1", "UNIT-A1"}
    dv = tree.user(Role.DEPT_VIEWER)
    assert set(Organisation.objects.visible_to(dv, Action.VIEW).values_list("code", flat=True)) == {"E-A1", "UNIT-A1"}
    assert set(Organisation.objects.visible_to(dv, Action.ORG_VIEW).values_list("code", flat=True)) == {"E-A1", "UNIT-A1", "D-SASAC"}
    sa = tree.user(Role.SYS_ADMIN)
    assert not Organisation.objects.visible_to(sa, Action.VIEW).exists()
