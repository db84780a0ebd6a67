"""manage.py create_root: the first step of a fresh installation, audited, and only once."""

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEntry
from orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_fresh_installation_gets_its_root_then_its_administrators(capsys):
    call_command("create_root", "--code", "530000", "--name", "云南省")

    root = Organisation.objects.get(code="530000")
    assert root.is_root() and root.kind == "province" and root.pinyin_initials == "yns"
    assert "bootstrap_admins --root-code 530000" in capsys.readouterr().out
    entry = AuditEntry.objects.get(event="orgs.organisation.create")
    assert entry.object_repr.startswith("云南省") and entry.username == "system:create_root"
    call_command("bootstrap_admins", "--root-code", "530000")
    assert "初始密码" in capsys.readouterr().out


def test_a_second_root_and_a_blank_name_are_refused_in_chinese():
    with pytest.raises(CommandError, match="请填写根机构"):
        call_command("create_root", "--code", "530000", "--name", " ")
    call_command("create_root", "--code", "530000", "--name", "云南省")
    with pytest.raises(CommandError, match="已经有根机构"):
        call_command("create_root", "--code", "520000", "--name", "贵州省")
    assert Organisation.objects.count() == 1
