"""The province export's content (dataexport/dump.py): every table accounted for, secrets never written,
personal data masked, files included, the data dictionary describing every column."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from dataexport import dump
from dataexport.models import ProvinceExport
from orgs.choices import Role
from orgs.models import Organisation
from orgs.tests.factories import SYSTEM, make_user
from talent.tests.factories import id_number, make_person


@pytest.fixture
def archive(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_user("phone_owner", role=Role.REPORTER, org=tree.ent_a1, phone="13912345678")
    make_person(tree.ent_a1, "王秀英", id_number=(number := id_number()), phone="13887654321")
    from orgs import services

    services.org_update(by=SYSTEM, org=tree.ent_a1, version=tree.ent_a1.version, notes='=HYPERLINK("x")')
    kept = ProvinceExport(original_name="旧导出.zip", size=5, content_type="application/zip", sha256="0" * 64)
    kept.file.save("old.zip", ContentFile(b"hello"), save=True)
    buffer = io.BytesIO()
    seen = []
    counts = dump.write_dump(buffer, progress=lambda done, total: seen.append((done, total)))
    buffer.seek(0)
    return zipfile.ZipFile(buffer), counts, seen, number


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_every_table_of_the_project_is_written_or_said_to_be_left_out(archive):
    zipped, counts, seen, _ = archive
    book = load_workbook(io.BytesIO(zipped.read(dump.DICTIONARY)), read_only=True)
    listed = {row[0]: row[3] for row in book["表"].iter_rows(min_row=2, values_only=True)}
    left_out = {row[0] for row in book["未导出"].iter_rows(min_row=2, values_only=True)}
    for model in dump._project_models():
        name = f"{model._meta.app_label}_{model._meta.model_name}.csv"
        if model._meta.label in ("core.AuditEntry", "accounts.PasswordHistory"):
            assert name not in zipped.namelist() and str(model._meta.verbose_name) in left_out
            continue
        assert name in zipped.namelist(), name
        assert listed[name] == model._base_manager.count() == len(_csv(zipped, name)), name
    assert counts["tables"] == len(listed) and counts["rows"] == sum(listed.values())
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_organisations_come_out_with_their_fields_and_formula_text_neutralised(archive, tree):
    zipped = archive[0]
    rows = {row["code"]: row for row in _csv(zipped, "orgs_organisation.csv")}
    assert set(rows) == set(Organisation.objects.values_list("code", flat=True))
    a1 = rows[tree.ent_a1.code]
    assert a1["name"] == tree.ent_a1.name and a1["path"] == tree.ent_a1.path
    assert a1["notes"] == '\'=HYPERLINK("x")'


def test_no_password_and_no_blind_index_is_written_and_personal_data_is_masked(archive):
    zipped, _, _, number = archive
    from accounts.models import User

    users = _csv(zipped, "accounts_user.csv")
    assert "password" not in users[0] and len(users) == User.objects.count()
    owner = next(row for row in users if row["username"] == "phone_owner")
    assert owner["phone"] and "13912345678" not in owner["phone"] and owner["phone"].endswith("5678")
    people = _csv(zipped, "talent_person.csv")
    assert "id_number_index" not in people[0] and "id_number" in people[0]
    assert number not in people[0]["id_number"] and people[0]["id_number"][-4:] == number[-4:]
    everything = b"".join(zipped.read(name) for name in zipped.namelist())
    for user in User.objects.all():
        assert user.password.encode() not in everything
    assert number.encode() not in everything and b"13887654321" not in everything


def test_kept_files_are_in_the_archive_under_the_name_their_row_gives(archive):
    zipped = archive[0]
    name = ProvinceExport.objects.get().file.name
    assert name.endswith("/old.zip") and _csv(zipped, "dataexport_provinceexport.csv")[0]["file"] == name
    assert zipped.read("files/" + name) == b"hello" and archive[1]["files"] == 1


def test_the_dictionary_describes_each_column_with_choices_and_references(archive):
    book = load_workbook(io.BytesIO(archive[0].read(dump.DICTIONARY)), read_only=True)
    columns = {(row[0], row[1]): row for row in book["字段"].iter_rows(min_row=2, values_only=True)}
    kind = columns[("orgs_organisation.csv", "kind")]
    assert kind[2] == "类型" and "enterprise=企业" in kind[4]
    link = columns[("orgs_orglink.csv", "parent_id")]
    assert link[3] == "引用" and link[4] == "对应 orgs_organisation.csv 的 id"
    assert "已脱敏" in columns[("talent_person.csv", "id_number")][4]
    assert ("accounts_user.csv", "password") not in columns
    model_fields = {f.attname for f in apps.get_model("orgs", "Organisation")._meta.concrete_fields}
    assert {c for f, c in columns if f == "orgs_organisation.csv"} == model_fields
