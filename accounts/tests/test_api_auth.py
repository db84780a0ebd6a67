"""Token authentication: who may use a token (accounts/api_auth.py)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orgs.choices import Role


def token_client(user) -> APIClient:
    client = APIClient(REMOTE_ADDR="10.80.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize("role", [Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN])
def test_separated_administrators_tokens_are_refused_outside_demo_mode(tree, settings, role):
    settings.DEMO_MODE = False
    response = token_client(tree.user(role)).get("/api/v1/users/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "身份验证失败：令牌无效或账号已停用。"}


def test_separated_administrators_tokens_work_in_demo_mode(tree, settings):
    settings.DEMO_MODE = True
    assert token_client(tree.user(Role.SYS_ADMIN)).get("/api/v1/users/me/").status_code == 200


def test_ordinary_users_tokens_work_outside_demo_mode(tree, settings):
    settings.DEMO_MODE = False
    assert token_client(tree.user(Role.REPORTER)).get("/api/v1/users/me/").status_code == 200


def test_deactivated_users_token_is_refused(tree):
    user = tree.user(Role.REPORTER)
    client = token_client(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/users/me/").status_code == 401
