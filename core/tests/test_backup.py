"""Backup and restore (core/backup.py): every table and the uploads come back as they were, the chain intact;
a damaged or foreign backup is refused before anything is touched."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import audit, backup
from core.errors import UserError
from orgs import services as org_services
from orgs.tests.factories import SYSTEM, make_org, make_root

pytestmark = pytest.mark.django_db(transaction=True)


def _every_row() -> dict[str, list]:
    qn = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {qn(name)}")  # noqa: S608 - names from the database itself
            rows[name] = sorted(repr(row) for row in cursor.fetchall())
    return rows


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "ledger" / "1").mkdir(parents=True)
    upload = settings.MEDIA_ROOT / "ledger" / "1" / "plan.pdf"
    upload.write_bytes(b"%PDF-1.4 the plan\n%%EOF\n")
    return upload


def _province():
    root = make_root()
    union = make_org(root, "云南电网", kind="union")
    org_services.org_update(by=SYSTEM, org=union, name="云南电网有限责任公司", version=union.version)
    return root, union


def test_a_backup_restores_every_table_the_uploads_and_an_intact_chain(media, tmp_path):
    root, union = _province()
    before = _every_row()
    folder = backup.make(tmp_path / "backups")
    assert {p.name for p in folder.iterdir()} >= {"manifest.json", "media.tar.gz"}

    # What happens after the backup is lost by the restore: a new organisation, a deleted upload.
    make_org(root, "后来新建的单位")
    media.unlink()
    assert _every_row() != before

    check = backup.restore(folder, replace=True)

    assert check.ok, check
    assert _every_row() == before
    assert media.read_bytes() == b"%PDF-1.4 the plan\n%%EOF\n"
    assert audit.verify(anchor=False).intact


def test_a_damaged_backup_is_refused_before_anything_changes(media, tmp_path):
    _province()
    folder = backup.make(tmp_path / "backups")
    database = next(p for p in folder.iterdir() if p.name.startswith("db."))
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    before = _every_row()

    with pytest.raises(UserError, match=database.name):
        backup.restore(folder, replace=True)
    assert _every_row() == before


def test_restoring_over_data_needs_replace_and_the_commands_say_what_they_did(media, tmp_path, capsys):
    _province()
    call_command("backup", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    assert str(folder) in capsys.readouterr().out

    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(folder))
    call_command("restore", str(folder), "--replace")
    assert "一致" in capsys.readouterr().out
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(Path(tmp_path)), "--replace")
