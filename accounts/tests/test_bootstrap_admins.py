"""manage.py bootstrap_admins: the three separated administrators of a fresh installation."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from orgs.choices import Role


def run(*args) -> str:
    out = StringIO()
    call_command("bootstrap_admins", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_refuses_when_the_root_organisation_does_not_exist():
    with pytest.raises(CommandError) as error:
        run("--root-code", "530000")
    assert str(error.value) == "根机构“530000”不存在，请先建立组织机构树。"
    assert not User.objects.exists()


def test_refuses_an_organisation_that_is_not_the_root(tree):
    with pytest.raises(CommandError) as error:
        run("--root-code", "U-A")
    assert str(error.value) == "机构“云南电网”（U-A）不是根机构，三类管理员须设在根机构。"
    assert not User.objects.filter(username__in=["sysadmin", "secadmin", "auditadmin"]).exists()


def test_creates_three_accounts_with_one_time_passwords_and_is_idempotent(tree):
    output = run("--root-code", "530000")
    issued = dict(re.findall(r"账号 (\w+)，初始密码 (\S+)", output))
    assert set(issued) == {"sysadmin", "secadmin", "auditadmin"}
    assert len(set(issued.values())) == 3
    for username, role in (
        ("sysadmin", Role.SYS_ADMIN),
        ("secadmin", Role.SEC_ADMIN),
        ("auditadmin", Role.AUDIT_ADMIN),
    ):
        user = User.objects.get(username=username)
        assert user.check_password(issued[username])
        assert user.must_change_password and not user.is_superuser and not user.is_staff and not user.is_demo
        assert list(user.memberships.values_list("role", "org__code", "is_active")) == [(role, "530000", True)]

    again = run("--root-code", "530000")
    assert "初始密码" not in again and again.count("已存在，未作修改") == 3
    assert User.objects.filter(username__in=list(issued)).count() == 3
    assert all(User.objects.get(username=u).check_password(p) for u, p in issued.items())
    assert not User.objects.filter(is_superuser=True).exists()
