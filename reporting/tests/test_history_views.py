"""The history import's pages and its API: upload → mapping → preview → confirm, who may do what, and every
refusal a located 400 (never a 500)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs.choices import Role
from reporting.choices import ReportStatus
from reporting.excel import storage
from reporting.models import Report, ReportSource
from reporting.tests.factories import office_user
from reporting.tests.test_history import HEADERS, ROWS, value, workbook

API = "/api/v1/history-imports/"


@pytest.fixture
def imports(settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = tmp_path / "imports"
    return settings.REPORTING_IMPORT_DIR


def upload(client, data: bytes, dataset="WF_Y", org="530000"):
    return client.post(
        reverse("reporting:history_home"),
        {"dataset": dataset, "org": org, "file": SimpleUploadedFile("往年统计.xlsx", data)},
    )


def test_upload_mapping_preview_confirm_on_the_pages(client, tree, wf, imports):
    client.force_login(office_user(tree))
    assert client.get(reverse("reporting:excel_home")).content.decode().count(reverse("reporting:history_home")) == 1
    response = upload(client, workbook())
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url).content.decode()
    assert "按名称自动匹配" in page and "覆盖已验收数据" in page
    token = mapping_url.rstrip("/").split("/")[-1]
    meta = storage.read_meta(token)
    post = {f"col-{i}": meta["suggested"][h]["token"] for i, h in enumerate(meta["headers"])}
    response = client.post(mapping_url, {**post, "save": "1"})
    assert response["Location"] == reverse("reporting:history_preview", args=[token])
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "3 个单位 × 2019年度、2020年度" in text
    assert "写入 6 份（新建 6 份）" in text
    response = client.post(reverse("reporting:history_confirm", args=[token]))
    assert response.status_code == 302
    assert Report.objects.filter(status=ReportStatus.ACCEPTED).count() == 6
    report = Report.objects.get(org=tree.ent_a1, period__code="2019")
    detail = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "历史数据导入" in detail and "往年统计.xlsx" in detail
    assert not list(storage.import_dir().glob("*.upload"))


def test_a_refused_preview_lists_every_problem_with_400(client, tree, wf, imports):
    client.force_login(office_user(tree))
    rows = [["E-A1", "", "去年", 1, 1, 1, 1, 1, 1], ["NOPE", "", "2019", 1, 1, 1, 1, 1, 1]]
    mapping_url = upload(client, workbook(rows))["Location"]
    token = mapping_url.rstrip("/").split("/")[-1]
    meta = storage.read_meta(token)
    client.post(mapping_url, {f"col-{i}": meta["suggested"][h]["token"] for i, h in enumerate(meta["headers"])})
    page = client.get(reverse("reporting:history_preview", args=[token]))
    assert page.status_code == 400
    text = page.content.decode()
    assert "工作表“历年统计” 第 2 行 C 列" in text and "无法识别的报告期" in text
    assert "机构代码 NOPE 不存在" in text
    assert not Report.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused_on_the_page(client, tree, wf, imports):
    client.force_login(office_user(tree))
    response = upload(client, b"%PDF-1.4 not a workbook")
    assert response.status_code == 400
    assert "不是有效的 .xlsx 文件" in response.content.decode()


def test_another_persons_upload_is_not_found(client, tree, wf, imports):
    client.force_login(office_user(tree))
    mapping_url = upload(client, workbook())["Location"]
    token = mapping_url.rstrip("/").split("/")[-1]
    client.force_login(tree.user(Role.OFFICE_REVIEWER, tree.province))
    for name in ("history_mapping", "history_preview"):
        assert client.get(reverse(f"reporting:{name}", args=[token])).status_code == 404
    assert client.post(reverse("reporting:history_confirm", args=[token])).status_code == 404
    # Nor is a history token an Excel upload of the other pages.
    client.force_login(office_user(tree))
    assert client.get(reverse("reporting:excel_preview", args=[token])).status_code == 404


def test_a_union_cannot_choose_another_branch_nor_overwrite(client, tree, wf, imports):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert upload(client, workbook(), org="U-B").status_code == 404
    mapping_url = upload(client, workbook(ROWS[:2]), org="U-A")["Location"]
    assert "覆盖已验收数据" not in client.get(mapping_url).content.decode()
    assert client.post(mapping_url, {"overwrite": "1"}).status_code == 403


def test_reporters_of_one_enterprise_only_see_their_own_scope(client, tree, wf, imports):
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(reverse("reporting:history_home")).status_code == 200
    client.force_login(tree.user(Role.LEADER, tree.province))
    assert client.get(reverse("reporting:history_home")).status_code == 403


# --- The API ---------------------------------------------------------------------------------------------------------


def post(client, data: bytes, **fields):
    return client.post(API, {"file": SimpleUploadedFile("往年统计.xlsx", data), "dataset": "WF_Y", **fields})


def test_api_dry_run_answers_the_mapping_and_the_summary_and_writes_nothing(tree, wf, imports):
    client = api_client(office_user(tree), ip="10.72.0.1")
    response = post(client, workbook())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True
    assert body["mapping"]["产业工人总数"] == "WF_WORKERS"
    assert body["summary"]["reports"] == 6
    assert not Report.objects.exists()
    assert AuditEntry.objects.filter(event="reporting.history.preview").count() == 1


def test_api_writes_with_a_given_mapping(tree, wf, imports):
    client = api_client(office_user(tree), ip="10.72.0.2")
    headers = ["机构代码", "报告期", "人数"]
    mapping = json.dumps({"人数": "WF_WORKERS"})
    response = post(client, workbook([["E-A1", "2019", 1000]], headers), mapping=mapping, dry_run="false")
    assert response.status_code == 200, response.content
    assert value("E-A1", "2019") == "1000"
    assert ReportSource.objects.count() == 1
    assert response.json()["reports"] == [Report.objects.get().pk]


def test_api_refusals_are_located_400s(tree, wf, imports):
    client = api_client(tree.user(Role.UNION_ADMIN, tree.union_a), ip="10.72.0.3")
    response = post(client, workbook([ROWS[2]]), org="U-A")
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert (problem["code"], problem["sheet"], problem["row"], problem["column"]) == (
        "org_not_allowed",
        "历年统计",
        2,
        "A",
    )
    assert post(client, b"garbage", org="U-A").status_code == 400
    assert post(client, workbook(), org="U-A", mapping="[1]").status_code == 400
    assert post(client, workbook(), org="U-B").status_code == 404
    assert post(client, workbook(), org="U-A", overwrite="true").status_code == 403
    assert post(client, workbook(), dataset="NOPE", org="U-A").status_code == 400
    assert not Report.objects.exists()
    assert HEADERS[0] == "机构代码"
