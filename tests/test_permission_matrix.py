"""Every role × (own organisation, a child, a sibling, another branch) × (read, write),
through the pages and through the API (issue #2; SECURITY.md rows 9, 12, 13).

Read is the organisation page / GET /api/v1/organisations/<code>/; write is the edit form /
PATCH of the same organisation. Outside the scope the answer is 404 (the object does not exist
for that user), inside the scope without the right 403, and a permitted write changes the row.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import api_client, login_verified
from core.models import AuditEntry
from orgs.choices import Role
from orgs.models import Organisation
from orgs.roles import TWO_FACTOR_ROLES

# For each role: the organisation codes standing in the four relations to the role's home
# (tree.home_of). Roles held at the province have no sibling or other branch: "child" is an
# enterprise and "sibling"/"other_branch" are organisations in other categories.
PLACES = {
    Role.OFFICE_ADMIN: {"own": "OFFICE", "child": "E-A1", "sibling": "530100", "other_branch": "E-B1"},
    Role.OFFICE_REVIEWER: {"own": "OFFICE", "child": "E-A1", "sibling": "530100", "other_branch": "E-B1"},
    Role.UNION_ADMIN: {"own": "U-A", "child": "E-A1", "sibling": "U-B", "other_branch": "E-B1"},
    Role.REPORTER: {"own": "E-A1", "child": "UNIT-A1", "sibling": "E-A2", "other_branch": "E-B1"},
    Role.INFO_OFFICER: {"own": "E-A1", "child": "UNIT-A1", "sibling": "E-A2", "other_branch": "E-B1"},
    Role.LIAISON: {"own": "E-A1", "child": "UNIT-A1", "sibling": "E-A2", "other_branch": "E-B1"},
    Role.GUIDANCE: {"own": "E-A1", "child": "UNIT-A1", "sibling": "E-A2", "other_branch": "E-B1"},
    # A department viewer's "child" is the enterprise assigned to its department (挂钩帮带).
    Role.DEPT_VIEWER: {"own": "D-SASAC", "child": "E-A1", "sibling": "E-A2", "other_branch": "E-B1"},
    Role.LEADER: {"own": "530000", "child": "E-A1", "sibling": "530100", "other_branch": "E-B1"},
    Role.SYS_ADMIN: {"own": "530000", "child": "E-A1", "sibling": "530100", "other_branch": "E-B1"},
    Role.SEC_ADMIN: {"own": "530000", "child": "E-A1", "sibling": "530100", "other_branch": "E-B1"},
    Role.AUDIT_ADMIN: {"own": "530000", "child": "E-A1", "sibling": "530100", "other_branch": "E-B1"},
}

ALL_READ = {"own": 200, "child": 200, "sibling": 200, "other_branch": 200}
BRANCH_READ = {"own": 200, "child": 200, "sibling": 404, "other_branch": 404}
NONE = {"own": 404, "child": 404, "sibling": 404, "other_branch": 404}
READ = {
    Role.OFFICE_ADMIN: ALL_READ,  # office roles cover the whole province
    Role.OFFICE_REVIEWER: ALL_READ,
    Role.UNION_ADMIN: BRANCH_READ,
    Role.REPORTER: BRANCH_READ,
    Role.INFO_OFFICER: BRANCH_READ,
    Role.LIAISON: BRANCH_READ,
    Role.GUIDANCE: BRANCH_READ,
    Role.DEPT_VIEWER: BRANCH_READ,
    Role.LEADER: ALL_READ,
    Role.SYS_ADMIN: ALL_READ,  # the tree (to manage users), never business data
    Role.SEC_ADMIN: NONE,
    Role.AUDIT_ADMIN: NONE,
}
# 200 = the write is carried out.
WRITE = {
    Role.OFFICE_ADMIN: ALL_READ,
    Role.OFFICE_REVIEWER: dict.fromkeys(ALL_READ, 403),
    Role.UNION_ADMIN: BRANCH_READ,
    Role.REPORTER: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
    Role.INFO_OFFICER: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
    Role.LIAISON: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
    Role.GUIDANCE: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
    Role.DEPT_VIEWER: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
    Role.LEADER: dict.fromkeys(ALL_READ, 403),
    Role.SYS_ADMIN: ALL_READ,
    Role.SEC_ADMIN: NONE,
    Role.AUDIT_ADMIN: NONE,
}
CASES = [(role, where) for role in PLACES for where in PLACES[role]]


def page_client(user) -> Client:
    client = Client(REMOTE_ADDR="10.90.0.1")
    if {m.role for m in user.memberships.all()} & TWO_FACTOR_ROLES:
        login_verified(client, user)  # outside demo mode the three administrators need both factors
    else:
        client.force_login(user)
    return client


def test_matrix_covers_every_role():
    assert set(PLACES) == set(Role) == set(READ) == set(WRITE)


@pytest.mark.parametrize(("role", "where"), CASES)
def test_page_read(tree, role, where):
    code = PLACES[role][where]
    response = page_client(tree.user(role)).get(reverse("orgs:org_detail", args=[code]))
    assert response.status_code == READ[role][where]
    if response.status_code == 404 and where != "own":  # the nav names the user's own organisation
        assert Organisation.objects.get(code=code).name not in response.content.decode()


@pytest.mark.parametrize(("role", "where"), CASES)
def test_api_read(tree, role, where):
    code = PLACES[role][where]
    response = api_client(tree.user(role)).get(f"/api/v1/organisations/{code}/")
    assert response.status_code == READ[role][where]
    if response.status_code == 404:
        assert response.json() == {"detail": "未找到该对象，或您无权访问。"}


@pytest.mark.parametrize(("role", "where"), CASES)
def test_page_write(tree, role, where):
    code = PLACES[role][where]
    target = Organisation.objects.get(code=code)
    response = page_client(tree.user(role)).post(
        reverse("orgs:org_edit", args=[code]),
        {"name": "改名后的机构", "kind": target.kind, "version": target.version, "notes": ""},
    )
    expected = WRITE[role][where]
    changed = Organisation.objects.get(code=code).name == "改名后的机构"
    if expected == 200:
        assert response.status_code == 302
        assert changed
        assert AuditEntry.objects.filter(event="orgs.organisation.update", object_id=str(target.pk)).count() == 1
    else:
        assert response.status_code == expected
        assert not changed


@pytest.mark.parametrize(("role", "where"), CASES)
def test_api_write(tree, role, where):
    code = PLACES[role][where]
    target = Organisation.objects.get(code=code)
    response = api_client(tree.user(role)).patch(
        f"/api/v1/organisations/{code}/", {"name": "改名后的机构", "version": target.version}, format="json"
    )
    expected = WRITE[role][where]
    changed = Organisation.objects.get(code=code).name == "改名后的机构"
    assert response.status_code == expected
    assert changed is (expected == 200)


@pytest.mark.parametrize("role", list(PLACES))
def test_lists_never_show_what_a_single_read_refuses(tree, role):
    """The list of organisations holds exactly what the object reads allow (no leak through lists)."""
    rows = api_client(tree.user(role)).get("/api/v1/organisations/?limit=500").json()["results"]
    listed = {row["code"] for row in rows}
    for where, code in PLACES[role].items():
        assert (code in listed) is (READ[role][where] == 200), (where, code)
