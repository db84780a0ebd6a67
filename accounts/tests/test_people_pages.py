"""The people pages and API: template download, preview with located problems, confirm showing the links once,
the activation report with re-issue and its .xlsx (no secrets), 403/404 like the other user pages, and the API's
preview/confirm/report in the OpenAPI document with 400 answers that locate every problem."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts import activation
from accounts.models import Activation, User
from accounts.tests.factories import api_client, login_verified
from accounts.tests.people import XLSX_TYPE, upload, xlsx_bytes
from core.models import AuditEntry
from orgs.choices import Role

ROWS = [
    ["zhangsan", "张三", "E-A1", "企业填报员", "13812345678", "zs@example.com"],
    ["zhangsan", "", "E-A2", "信息员", "", ""],
    ["lisi", "李四", "昆明供电局", "联络员", "", ""],
]


def signed_in(tree, role) -> Client:
    client = Client(REMOTE_ADDR="10.4.4.4")
    user = tree.user(role)
    if role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN):
        login_verified(client, user)
    else:
        client.force_login(user)
    return client


def preview(client: Client, rows):
    return client.post("/accounts/users/import/", {"file": upload(rows)})


def confirm(client: Client, rows):
    page = preview(client, rows)
    assert page.status_code == 200, page.content.decode()[:2000]
    plan = re.search(r'name="plan" value="([^"]+)"', page.content.decode())[1]
    return client.post("/accounts/users/import/confirm/", {"plan": plan})


def test_the_template_downloads(tree):
    answer = signed_in(tree, Role.UNION_ADMIN).get("/accounts/users/import/template.xlsx")
    assert answer.status_code == 200 and answer["Content-Type"] == XLSX_TYPE
    assert load_workbook(io.BytesIO(answer.content)).sheetnames == ["人员", "填写说明"]


@pytest.mark.parametrize(("role", "status"), [(Role.UNION_ADMIN, 200), (Role.SYS_ADMIN, 200), (Role.SEC_ADMIN, 403),
                                              (Role.AUDIT_ADMIN, 403), (Role.REPORTER, 403)])  # fmt: skip
def test_who_reaches_the_import(tree, role, status):
    client = signed_in(tree, role)
    assert client.get("/accounts/users/import/").status_code == status
    assert client.get("/accounts/users/import/template.xlsx").status_code == status


def test_preview_lists_problems_and_writes_nothing(tree):
    client = signed_in(tree, Role.UNION_ADMIN)
    answer = preview(client, [["zhangsan", "张三", "E-B1", "企业填报员", "12345", ""]])
    text = answer.content.decode()
    assert answer.status_code == 400 and 'id="people-problems"' in text
    assert "工作表“人员”第 2 行 C 列（机构）" in text and "工作表“人员”第 2 行 E 列（手机）" in text
    assert "云南铜业股份" not in text and 'name="plan"' not in text
    assert not User.objects.filter(username="zhangsan").exists()
    check = AuditEntry.objects.get(event="accounts.people_import.check")
    assert (check.success, check.detail["problems"]) == (False, 2)


def test_a_file_that_is_not_a_workbook_gets_a_clear_message(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(tree, Role.UNION_ADMIN)
    fake = SimpleUploadedFile("人员.xlsx", b"plain text, not a workbook", content_type=XLSX_TYPE)
    answer = client.post("/accounts/users/import/", {"file": fake})
    assert answer.status_code == 400 and "不是有效的" in answer.content.decode()


def test_confirm_shows_each_link_once_and_never_again(tree):
    client = signed_in(tree, Role.UNION_ADMIN)
    done = confirm(client, ROWS)
    text = done.status_code == 200 and done.content.decode()
    assert "no-store" in done["Cache-Control"] or "max-age=0" in done["Cache-Control"]
    links = re.findall(r"http://testserver/accounts/activate/([A-Z2-9]{20})/", text)
    assert len(links) == 2 and "新建 2 个账号" in text
    for token in links:
        assert Activation.objects.filter(token_hash=activation.token_hash(token)).exists()
    # Nowhere to see them again: the report, the user page and the list show no link or code.
    for url in (
        "/accounts/users/activations/",
        "/accounts/users/",
        f"/accounts/users/{User.objects.get(username='lisi').pk}/",
    ):
        page = client.get(url).content.decode()
        assert not any(token in page or activation.display_code(token) in page for token in links), url
    # A confirmation posted twice finds the accounts there already: nothing more is written.
    assert User.objects.filter(username__in=["zhangsan", "lisi"]).count() == 2


def test_report_counts_filters_and_reissues(tree):
    client = signed_in(tree, Role.UNION_ADMIN)
    confirm(client, ROWS)
    report = client.get("/accounts/users/activations/?state=pending")
    text = report.content.decode()
    assert report.status_code == 200 and "zhangsan" in text and "lisi" in text and "待激活 2" in text
    zhang = User.objects.get(username="zhangsan")
    reissued = client.post(f"/accounts/users/{zhang.pk}/activation/")
    assert reissued.status_code == 200
    new = re.findall(r"/accounts/activate/([A-Z2-9]{20})/", reissued.content.decode())
    assert len(new) == 1 and AuditEntry.objects.filter(event="accounts.activation.reissue").count() == 1
    assert client.get("/accounts/users/activations/?state=revoked").content.decode().count("zhangsan") == 0
    assert Activation.objects.filter(user=zhang, revoked_at__isnull=False).count() == 1


def test_the_report_export_holds_no_secret(tree):
    client = signed_in(tree, Role.UNION_ADMIN)
    links = re.findall(r"/accounts/activate/([A-Z2-9]{20})/", confirm(client, ROWS).content.decode())
    answer = client.get("/accounts/users/activations/export.xlsx")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    content = b"".join(answer.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ["用户名", "姓名", "状态", "签发时间", "签发人", "有效期至", "激活时间"]
    assert sorted(r[0] for r in values[1:]) == ["lisi", "zhangsan"] and {r[2] for r in values[1:]} == {"待激活"}
    flat = " ".join(str(v) for r in values for v in r)
    hashes = Activation.objects.values_list("token_hash", flat=True)
    assert not any(t in flat or activation.display_code(t) in flat for t in links)
    assert not any(h in flat for h in hashes)
    assert AuditEntry.objects.get(event="accounts.activation.export").detail["rows"] == 2


def test_reissue_outside_the_scope_is_404_and_refused_inside_is_a_message(tree):
    confirm(signed_in(tree, Role.UNION_ADMIN), ROWS)
    zhang = User.objects.get(username="zhangsan")
    other_union = tree.user(Role.UNION_ADMIN, tree.union_b)
    outsider = Client()
    outsider.force_login(other_union)
    assert outsider.post(f"/accounts/users/{zhang.pk}/activation/").status_code == 404
    security = signed_in(tree, Role.SEC_ADMIN)
    refused = security.post(f"/accounts/users/{zhang.pk}/activation/", follow=True)
    assert refused.status_code == 200 and Activation.objects.filter(user=zhang).count() == 1


def test_report_and_export_show_only_the_accounts_in_scope(tree):
    confirm(signed_in(tree, Role.UNION_ADMIN), ROWS)
    other = Client()
    other.force_login(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert "zhangsan" not in other.get("/accounts/users/activations/").content.decode()
    content = b"".join(other.get("/accounts/users/activations/export.xlsx").streaming_content)
    assert list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2)) == []


# --- API ------------------------------------------------------------------------------------------------------------


def test_api_preview_answers_400_with_every_problem_located(tree):
    api = api_client(tree.user(Role.UNION_ADMIN))
    body = xlsx_bytes([["zhangsan", "张三", "E-B1", "企业填报员", "", ""], ["lisi", "", "E-A1", "领导", "", "x@"]])
    answer = api.post("/api/v1/people-import/preview/", body, content_type=XLSX_TYPE)
    assert answer.status_code == 400
    payload = answer.json()
    assert payload["detail"] == "发现 4 处问题，未导入任何数据。"
    located = [(p["row"], p["column"], p["field"]) for p in payload["problems"]]
    assert located == [(2, "C", "机构"), (3, "B", "姓名"), (3, "D", "角色"), (3, "F", "电子邮箱")]
    assert all(p["fix"] and p["text"].startswith("工作表“人员”第") for p in payload["problems"])
    assert not User.objects.filter(username__in=["zhangsan", "lisi"]).exists()


def test_api_preview_then_confirm(tree):
    api = api_client(tree.user(Role.UNION_ADMIN))
    body = xlsx_bytes(ROWS)
    seen = api.post("/api/v1/people-import/preview/", body, content_type=XLSX_TYPE)
    assert seen.status_code == 200 and seen.json()["summary"]["new_users"] == 2
    assert not User.objects.filter(username="zhangsan").exists()
    done = api.post("/api/v1/people-import/confirm/", {"file": upload(ROWS)}, format="multipart")
    assert done.status_code == 201 and done["Cache-Control"] == "no-store, private"
    links = {a["username"]: a for a in done.json()["activations"]}
    assert set(links) == {"zhangsan", "lisi"} and "/accounts/activate/" in links["lisi"]["link"]
    listing = api.get("/api/v1/activations/?state=pending").json()
    assert {r["username"] for r in listing["results"]} == {"zhangsan", "lisi"}
    assert not any(links["lisi"]["code"] in str(r) for r in listing["results"])
    lisi = next(r for r in listing["results"] if r["username"] == "lisi")
    again = api.post(f"/api/v1/activations/{lisi['id']}/reissue/")
    assert again.status_code == 201 and again.json()["code"] != links["lisi"]["code"]
    assert api.post(f"/api/v1/activations/{lisi['id']}/reissue/").status_code == 404  # no longer the latest
    assert api.get("/api/v1/activations/?state=nonsense").status_code == 400


@pytest.mark.parametrize("role", [Role.SEC_ADMIN, Role.AUDIT_ADMIN, Role.REPORTER])
def test_api_import_is_refused_to_those_who_create_no_accounts(tree, role):
    api = api_client(tree.user(role))
    answer = api.post("/api/v1/people-import/preview/", xlsx_bytes(ROWS), content_type=XLSX_TYPE)
    assert answer.status_code == 403


def test_api_bad_bodies_get_400_not_500(tree):
    api = api_client(tree.user(Role.UNION_ADMIN))
    assert api.post("/api/v1/people-import/preview/", b"not a workbook", content_type=XLSX_TYPE).status_code == 400
    assert api.post("/api/v1/people-import/confirm/", {}, format="multipart").status_code == 400
    assert api.post("/api/v1/people-import/preview/", b"{}", content_type="application/json").status_code == 415


def test_the_api_is_in_the_openapi_document():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"/api/v1/people-import/preview/", "/api/v1/people-import/confirm/", "/api/v1/activations/",
            "/api/v1/activations/{id}/reissue/"} <= set(paths)  # fmt: skip
    body = paths["/api/v1/people-import/preview/"]["post"]["requestBody"]["content"]
    assert set(body) == {XLSX_TYPE, "multipart/form-data"}
