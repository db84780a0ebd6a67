"""The tree import's pages, API, job and past roll-ups: upload → preview → confirm through HTTP."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from analytics.tests.helpers import accepted_report, office
from core.models import AuditEntry, Job, JobStatus
from orgs.choices import Role
from orgs.models import Organisation, OrgLink
from orgs.tests.test_transfer import NEW, _with, edited, export_bytes, row_index, workbook
from reporting.tests.conftest import clock, wf  # noqa: F401 - fixtures

ON = dt.date(2021, 7, 1)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.ORG_IMPORT_DIR = tmp_path / "org-imports"


def upload(client, data: bytes, name: str = "机构.xlsx", on: str = "2021-07-01"):
    return client.post(reverse("orgs:transfer"), {"file": _file(data, name), "on": on})


def _file(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.django_db
def test_pages_upload_preview_confirm(client, tree):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    page = client.get(reverse("orgs:transfer"))
    assert page.status_code == 200 and "组织机构导入导出" in page.content.decode()
    token = token_of(upload(client, workbook([NEW])))
    preview = client.get(reverse("orgs:transfer_preview", args=[token])).content.decode()
    assert 'id="count-create">1<' in preview and "新企业" in preview
    done = client.post(reverse("orgs:transfer_confirm", args=[token]), follow=True)
    assert "导入完成：新增 1 个" in done.content.decode()
    assert Organisation.objects.get(code="N-1").get_parent().code == "U-A"


@pytest.mark.django_db
def test_the_preview_page_lists_every_problem(client, tree):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    token = token_of(upload(client, workbook([_with(c3="工厂"), _with(c0="N-2", c7="539999")])))
    html = client.get(reverse("orgs:transfer_preview", args=[token])).content.decode()
    assert "共发现 2 处问题" in html
    assert "工作表“组织机构” 第 2 行 D 列" in html and "工作表“组织机构” 第 3 行 H 列" in html
    assert client.post(reverse("orgs:transfer_confirm", args=[token])).status_code == 409  # nothing to confirm


@pytest.mark.django_db
def test_others_cannot_see_an_upload_and_readers_cannot_import(client, tree):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    token = token_of(upload(client, workbook([NEW])))
    other = tree.user(Role.UNION_ADMIN)
    client.force_login(other)
    assert client.get(reverse("orgs:transfer_preview", args=[token])).status_code == 404
    assert client.post(reverse("orgs:transfer_confirm", args=[token])).status_code == 404
    client.force_login(tree.user(Role.REPORTER))
    assert client.get(reverse("orgs:transfer")).status_code == 403
    assert client.get(reverse("orgs:transfer_export", args=["xlsx"])).status_code == 200  # EXPORT: its own subtree


@pytest.mark.django_db
def test_export_is_audited(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN))
    response = client.get(reverse("orgs:transfer_export", args=["csv"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    entry = AuditEntry.objects.filter(event="orgs.tree.export").get()
    assert entry.detail == {"format": "csv", "rows": 4}


@pytest.mark.django_db
def test_api_dry_run_then_import_with_the_digest(client, tree):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    url = "/api/v1/orgs/import/"
    data = workbook([NEW])  # the same bytes each time (a saved workbook carries its save time)
    dry = client.post(url, {"file": _file(data, "a.xlsx"), "on": "2021-07-01"})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert body["dry_run"] is True and body["counts"]["create"] == 1 and not Organisation.objects.filter(code="N-1")
    missing = client.post(url, {"file": _file(data, "a.xlsx"), "dry_run": "false"})
    assert missing.status_code == 428
    changed = client.post(url, {"file": _file(workbook([_with(c1="别的")]), "a.xlsx"), "dry_run": "false",
                                "digest": body["digest"], "on": "2021-07-01"})  # fmt: skip
    assert changed.status_code == 409 and not Organisation.objects.filter(code="N-1").exists()
    done = client.post(url, {"file": _file(data, "a.xlsx"), "dry_run": "false", "digest": body["digest"],
                             "on": "2021-07-01"})  # fmt: skip
    assert done.status_code == 200 and done.json()["applied"] is True
    assert Organisation.objects.filter(code="N-1").exists()


@pytest.mark.django_db
def test_api_answers_400_with_located_problems(client, tree):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.post("/api/v1/orgs/import/", {"file": _file(workbook([_with(c4="NOWHERE")]), "a.xlsx")})
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert (problem["code"], problem["row"], problem["column"], problem["value"]) == (
        "unknown_parent",
        2,
        "E",
        "NOWHERE",
    )
    assert response.json()["detail"].startswith("导入内容有 1 处问题")
    bad = client.post("/api/v1/orgs/import/", {"file": _file(b"not a workbook", "a.xlsx")})
    assert bad.status_code == 400 and bad.json()["problems"][0]["code"] == "not_readable"


@pytest.mark.django_db
def test_api_export_csv(client, tree):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.get("/api/v1/orgs/export/?type=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("机构代码,名称,简称,类型,上级机构代码")


@pytest.mark.django_db(transaction=True)
def test_a_large_file_runs_as_a_job(client, tree, settings):
    settings.ORG_IMPORT_INLINE_ROWS = 2
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    rows = [_with(c0=f"N-{i}", c1=f"新企业{i}") for i in range(3)]
    token = token_of(upload(client, workbook(rows)))
    response = client.post(reverse("orgs:transfer_confirm", args=[token]))
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get(kind="orgs.import")
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.result["create"] == 3 and Organisation.objects.filter(code__startswith="N-").count() == 3
    # Confirming again finds the same job.
    assert client.post(reverse("orgs:transfer_confirm", args=[token]))["Location"] == f"/jobs/{job.pk}/"


@pytest.mark.django_db
def test_a_move_through_the_import_keeps_past_roll_ups(client, tree, wf):  # noqa: F811
    from analytics import engine
    from analytics.engine import Query

    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a2, nonmigrant=50, migrant=5, certified=10)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=60, migrant=5, certified=12)

    def workers(org, year):
        result = engine.answer(office(tree), Query(measure="element:WF_WORKERS", org=org.pk, periods=(year,)))
        return result.totals[0].value if result.totals else None

    assert workers(tree.union_a, "2020") == 55
    admin = tree.user(Role.OFFICE_ADMIN)
    client.force_login(admin)
    data = edited(export_bytes(admin), lambda body: body[row_index(body, "E-A2")].__setitem__(4, "U-B"))
    token = token_of(upload(client, data, on="2021-03-01"))
    client.post(reverse("orgs:transfer_confirm", args=[token]))
    tree.ent_a2.refresh_from_db()
    assert tree.ent_a2.get_parent().code == "U-B"
    assert list(OrgLink.objects.filter(org=tree.ent_a2).values_list("parent__code", "valid_to")) == [
        ("U-A", dt.date(2021, 3, 1)), ("U-B", None)]  # fmt: skip
    assert workers(tree.union_a, "2020") == 55  # the past period stays under the old parent
    assert workers(tree.union_b, "2021") == 65 and workers(tree.union_a, "2021") is None
