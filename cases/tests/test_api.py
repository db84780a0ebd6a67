"""The case library API: the same scope as the pages, search with ?q=, the steps, adoption records, errors."""

from __future__ import annotations

from accounts.tests.factories import api_client
from cases.models import Case, Replication
from cases.tests.factories import adopt, make_case, published_case, step, topic, writer
from core.models import AuditEntry
from orgs.choices import Role


def test_write_submit_and_publish_through_the_api(tree):
    editor = api_client(tree.user(Role.REPORTER))
    response = editor.post(
        "/api/v1/cases/",
        {"org": "E-A1", "title": "师带徒", "year": 2021, "summary": "老带新。",
         "body": "<p>签订师徒协议<script>x</script></p>", "tasks": ["skills"], "topics": [topic("师带徒").pk]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["body"] == "<p>签订师徒协议</p>" and body["steps"] == ["submit"]
    pk, version = body["id"], body["version"]
    response = editor.patch(f"/api/v1/cases/{pk}/", {"version": version, "summary": "老师傅带新徒弟。"}, format="json")
    assert response.status_code == 200 and response.json()["summary"] == "老师傅带新徒弟。"
    stale = editor.patch(f"/api/v1/cases/{pk}/", {"version": version, "summary": "覆盖"}, format="json")
    assert stale.status_code == 409 and stale.json() == {"detail": "该案例已被他人修改，请刷新后重试。"}
    version = response.json()["version"]
    assert editor.post(f"/api/v1/cases/{pk}/submit/", {"version": version}, format="json").status_code == 200
    refused = editor.post(f"/api/v1/cases/{pk}/publish/", {"version": version + 1}, format="json")
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    office = api_client(tree.user(Role.OFFICE_REVIEWER))
    missing = office.post(f"/api/v1/cases/{pk}/return/", {"version": version + 1}, format="json")
    assert missing.status_code == 400 and missing.json()["detail"] == "请填写退回原因，说明需要修改什么。"
    published = office.post(f"/api/v1/cases/{pk}/publish/", {"version": version + 1}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(pk)).count() == 4


def test_bad_input_is_a_400_in_chinese(tree):
    editor = api_client(tree.user(Role.REPORTER))
    for payload in (
        {"org": "E-B1", "title": "越权", "year": 2021, "summary": "摘要"},  # another branch: as if unknown
        {"org": "E-A1", "title": "标题", "year": 1800, "summary": "摘要"},
        {"org": "E-A1", "title": "标题", "year": 2021, "summary": "摘要", "status": "published"},  # mass assignment
        {"org": "E-A1", "title": "标题", "year": 2021, "summary": "摘要", "topics": [987654]},
        {"org": "E-A1", "title": "标题", "year": "二〇二一", "summary": "摘要"},
    ):
        response = editor.post("/api/v1/cases/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
    assert not Case.objects.exists()
    assert editor.get("/api/v1/cases/?status=bogus").status_code == 400
    assert editor.get("/api/v1/case-replications/?case=x").status_code == 400


def test_list_search_and_scope(tree):
    pay = published_case(tree, title="一线职工成长的新路子", summary="让学技术的职工得实惠。",
                         body="<p>建立以技能为导向的薪酬分配制度。</p>")  # fmt: skip
    draft = make_case(tree, title="草稿")
    other = api_client(tree.user(Role.REPORTER, tree.ent_b1))
    rows = other.get("/api/v1/cases/").json()["results"]
    assert [r["id"] for r in rows] == [pay.pk]
    rows = other.get("/api/v1/cases/", {"q": "技能薪酬"}).json()["results"]
    assert [r["id"] for r in rows] == [pay.pk] and "<mark>技能</mark>" in rows[0]["snippet"]
    assert other.get("/api/v1/cases/", {"q": "技能 工作室"}).json()["results"] == []
    assert other.get(f"/api/v1/cases/{draft.pk}/").status_code == 404
    own = api_client(tree.user(Role.REPORTER)).get("/api/v1/cases/", {"status": "draft"}).json()["results"]
    assert [r["id"] for r in own] == [draft.pk]
    admin = api_client(tree.user(Role.SYS_ADMIN))
    assert admin.get("/api/v1/cases/").json()["results"] == []


def test_replications_through_the_api(tree):
    case = published_case(tree)
    adopter = api_client(tree.user(Role.REPORTER, tree.ent_b1))
    response = adopter.post(
        "/api/v1/case-replications/",
        {"case": case.pk, "org": "E-B1", "adopted_on": "2022-05-01", "adopted": "借鉴技能定薪"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert api_client(tree.user(Role.REPORTER)).get(f"/api/v1/cases/{case.pk}/").json()["replication_count"] == 1
    row = Replication.objects.get()
    source = api_client(tree.user(Role.REPORTER))
    assert source.get(f"/api/v1/case-replications/{row.pk}/").status_code == 200
    assert source.delete(f"/api/v1/case-replications/{row.pk}/").status_code == 403
    stranger = api_client(tree.user(Role.REPORTER, tree.ent_a2))
    assert stranger.get(f"/api/v1/case-replications/{row.pk}/").status_code == 404
    assert adopter.delete(f"/api/v1/case-replications/{row.pk}/").status_code == 204
    assert not Replication.objects.exists()


def test_a_draft_cannot_be_adopted_through_the_api(tree):
    draft = make_case(tree)
    step(draft, "submit", writer(tree))
    response = api_client(tree.user(Role.REPORTER, tree.ent_a2)).post(
        "/api/v1/case-replications/",
        {"case": draft.pk, "org": "E-A2", "adopted_on": "2022-05-01", "adopted": "借鉴"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"]["case"] == ["案例不存在。"]
    published = published_case(tree, title="已发布")
    adopt(tree, published, tree.ent_a2)
    again = api_client(tree.user(Role.REPORTER, tree.ent_a2)).post(
        "/api/v1/case-replications/",
        {"case": published.pk, "org": "E-A2", "adopted_on": "2022-05-01", "adopted": "再登记"},
        format="json",
    )
    assert again.status_code == 400 and "已登记过复制推广本案例" in again.json()["detail"]


def test_the_openapi_document_describes_the_cases(tree):
    client = api_client(tree.user(Role.REPORTER))
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/cases/", "/api/v1/cases/{id}/publish/", "/api/v1/case-replications/"):
        assert path in schema


def test_if_match_guards_an_edit(tree):
    case = make_case(tree)
    editor = api_client(tree.user(Role.REPORTER))
    stale = editor.patch(f"/api/v1/cases/{case.pk}/", {"title": "新标题"}, format="json", HTTP_IF_MATCH='"99"')
    assert stale.status_code == 412
    missing = editor.patch(f"/api/v1/cases/{case.pk}/", {"title": "新标题"}, format="json")
    assert missing.status_code == 428
    fresh = editor.patch(f"/api/v1/cases/{case.pk}/", {"title": "新标题"}, format="json", HTTP_IF_MATCH='"1"')
    assert fresh.status_code == 200 and fresh["ETag"] == '"2"'
    case.refresh_from_db()
    assert case.title == "新标题"
