"""/api/v1/users/: users the caller manages, `me` for everyone, and token authentication."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_user


def api(user=None, ip="10.30.0.1") -> APIClient:
    return api_client(user, ip=ip)


@pytest.fixture
def people(tree):
    """One user per role at its home, plus reporters in a sibling and in another branch."""
    users = {role: tree.user(role) for role in Role}
    users["sibling"] = tree.user(Role.REPORTER, tree.ent_a2)
    users["other"] = tree.user(Role.REPORTER, tree.ent_b1)
    return users


def usernames(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["username"] for row in response.json()["results"]}


def test_union_admin_lists_users_of_its_subtree_only(tree, people):
    listed = usernames(api(people[Role.UNION_ADMIN]).get("/api/v1/users/?limit=100"))
    assert listed == {
        "union_admin_u-a",
        "reporter_e-a1",
        "info_officer_e-a1",
        "liaison_e-a1",
        "guidance_e-a1",
        "reporter_e-a2",
    }


# The security administrator lists accounts: he grants their roles (docs/separation-of-duties.md).
@pytest.mark.parametrize("role", [Role.REPORTER, Role.LEADER, Role.DEPT_VIEWER, Role.AUDIT_ADMIN])
def test_roles_without_user_management_list_nobody(people, role):
    assert usernames(api(people[role]).get("/api/v1/users/")) == set()


def test_sys_admin_lists_everyone_with_a_role(people):
    assert len(usernames(api(people[Role.SYS_ADMIN]).get("/api/v1/users/?limit=100"))) == len(people)


def test_roles_elsewhere_stay_hidden(tree, people):
    """A user with roles in two branches shows only the role inside the caller's scope."""
    from orgs import services
    from orgs.tests.factories import SYSTEM

    services.membership_grant(by=SYSTEM, user=people["other"], org=tree.ent_a2, role=Role.LIAISON)
    client = api(people[Role.UNION_ADMIN])
    row = client.get(f"/api/v1/users/{people['other'].pk}/").json()
    assert [(m["org"]["code"], m["role"]) for m in row["memberships"]] == [("E-A2", "liaison")]
    # Filtering on the other branch's organisation must not reveal who also holds a role there.
    assert usernames(client.get("/api/v1/users/?org=E-B1")) == set()
    assert usernames(client.get("/api/v1/users/?org=E-A2")) == {"reporter_e-a2", "reporter_e-b1"}


def test_user_detail_statuses(people):
    union_admin = api(people[Role.UNION_ADMIN])
    assert union_admin.get(f"/api/v1/users/{people[Role.REPORTER].pk}/").status_code == 200
    assert union_admin.get(f"/api/v1/users/{people['other'].pk}/").status_code == 404
    assert union_admin.get(f"/api/v1/users/{people[Role.LEADER].pk}/").status_code == 404  # held at the province
    reporter = api(people[Role.REPORTER])
    # Inside the reporter's scope, but they manage no one: 403; another branch: 404.
    own_colleague = reporter.get(f"/api/v1/users/{people[Role.INFO_OFFICER].pk}/")
    assert own_colleague.status_code == 403
    assert own_colleague.json() == {"detail": "您没有管理该用户的权限。"}
    assert reporter.get(f"/api/v1/users/{people['sibling'].pk}/").status_code == 404


def test_user_output_carries_no_secrets(people):
    row = api(people[Role.SYS_ADMIN]).get(f"/api/v1/users/{people[Role.REPORTER].pk}/").json()
    assert set(row) == {"id", "username", "full_name", "is_active", "last_login", "memberships"}
    assert "argon2" not in str(row)


@pytest.mark.parametrize("role", list(Role))
def test_me_for_every_role(people, role):
    response = api(people[role]).get("/api/v1/users/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == people[role].username
    assert [r["role"] for r in body["roles"]] == [role]
    assert ("audit_view" in body["actions"]) == (role == Role.AUDIT_ADMIN)


def test_users_list_is_read_only(people):
    client = api(people[Role.SYS_ADMIN])
    assert client.post("/api/v1/users/", {"username": "x"}, format="json").status_code == 405
    assert (
        client.patch(f"/api/v1/users/{people[Role.REPORTER].pk}/", {"is_active": False}, format="json").status_code
        == 405
    )
    assert client.delete(f"/api/v1/users/{people[Role.REPORTER].pk}/").status_code == 405


# --- token authentication -----------------------------------------------------------------


def test_no_credentials_is_401(db):
    response = api().get("/api/v1/users/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录或提供有效的令牌。"}
    assert response["WWW-Authenticate"] == "Token"


def test_wrong_token_is_401_and_audited_without_the_token(db):
    client = APIClient(REMOTE_ADDR="10.30.0.9")
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/v1/users/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "身份验证失败：令牌无效或账号已停用。"}
    entry = AuditEntry.objects.get(event="api.auth_failed")
    assert (entry.success, entry.ip, entry.user_id) == (False, "10.30.0.9", None)
    assert "0123456789abcdef" not in str(entry.detail)


def test_deactivated_user_token_is_refused(people):
    user = people[Role.REPORTER]
    client = api(user)
    assert client.get("/api/v1/users/me/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/users/me/").status_code == 401


def test_demo_account_token_is_refused_outside_demo_mode(db, settings):
    demo = make_user("demo_reporter", is_demo=True)
    settings.DEMO_MODE = False
    assert api(demo).get("/api/v1/users/me/").status_code == 401
    settings.DEMO_MODE = True
    assert api(demo).get("/api/v1/users/me/").status_code == 200


def test_session_authentication_works_for_the_api(client, people):
    client.force_login(people[Role.REPORTER])
    assert client.get("/api/v1/users/me/").json()["username"] == "reporter_e-a1"
