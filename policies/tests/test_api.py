"""The policy library in /api/v1: measures searched with ?q=, the caller's eligibility, notices (and opening one),
uptake forms (read, save, submit) with the pages' scoping and the one error shape; documented in OpenAPI."""

import pytest
from django.core.cache import cache

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs.choices import Role
from policies import services
from policies.choices import MeasureStatus, UptakeStatus
from policies.models import NoticeRecipient, UptakeReport
from policies.tests.factories import make_measure, office_actor, open_round


def api(user):
    cache.clear()
    return api_client(user, ip="10.70.0.1")


def test_measures_are_searched_in_chinese_and_drafts_stay_with_the_office(world):
    tree, _m = world
    make_measure("草稿政策", status=MeasureStatus.DRAFT)
    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    titles = [row["title"] for row in reporter.get("/api/v1/policies/measures/?limit=100").json()["results"]]
    assert "草稿政策" not in titles and "技能人才薪酬分配指引" in titles
    found = reporter.get("/api/v1/policies/measures/", {"q": "大型企业的培训补贴"}).json()["results"]
    assert [row["title"] for row in found] == ["大型企业职业技能培训补贴"]
    assert found[0]["rules"] == ["职工人数 不少于 500 人"]
    bad = reporter.get("/api/v1/policies/measures/", {"category": "sport"})
    assert bad.status_code == 400 and set(bad.json()) >= {"detail"}
    office = api(tree.user(Role.OFFICE_ADMIN, tree.office))
    assert "草稿政策" in office.get("/api/v1/policies/measures/?limit=100").content.decode()


def test_eligibility_of_the_callers_organisations(world):
    tree, _m = world
    body = api(tree.user(Role.REPORTER, tree.ent_a2)).get("/api/v1/policies/eligibility/").json()
    assert [(row["org"], [m["title"] for m in row["open"]]) for row in body] == [("E-A2", ["技能人才薪酬分配指引"])]
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a)).get("/api/v1/policies/eligibility/").json()
    assert [row["org"] for row in union] == ["E-A1", "UNIT-A1", "E-A2"]


def test_notices_in_scope_and_opening(world):
    tree, m = world
    notice = services.notice_send(by=office_actor(tree), measure=m["everyone"])
    client = api(tree.user(Role.REPORTER, tree.ent_a1))
    rows = client.get("/api/v1/policies/notices/").json()["results"]
    assert [row["org"] for row in rows] == ["E-A1"]
    mine = notice.recipients.get(org=tree.ent_a1)
    opened = client.post(f"/api/v1/policies/notices/{mine.pk}/open/")
    assert opened.status_code == 200 and opened.json()["opened_at"]
    other = notice.recipients.get(org=tree.ent_b1)
    assert client.post(f"/api/v1/policies/notices/{other.pk}/open/").status_code == 404
    office = api(tree.user(Role.OFFICE_ADMIN, tree.office))
    refused = office.post(f"/api/v1/policies/notices/{other.pk}/open/")
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    assert NoticeRecipient.objects.filter(opened_at__isnull=False).count() == 1


def test_uptake_forms_read_save_and_submit(world):
    tree, m = world
    report = open_round(tree).reports.get(org=tree.ent_a2)
    client = api(tree.user(Role.REPORTER, tree.ent_a2))
    assert [row["org"] for row in client.get("/api/v1/policies/uptake/").json()["results"]] == ["E-A2"]
    detail = client.get(f"/api/v1/policies/uptake/{report.pk}/").json()
    assert [line["measure_title"] for line in detail["lines"]] == ["技能人才薪酬分配指引"]
    answers = [{"measure": m["everyone"].pk, "used": True, "beneficiaries": 5, "amount": "2500.00"}]
    saved = client.post(
        f"/api/v1/policies/uptake/{report.pk}/save/", {"version": 1, "submit": True, "answers": answers}, format="json"
    )
    assert saved.status_code == 200 and saved.json()["status"] == "submitted"
    stale = client.post(
        f"/api/v1/policies/uptake/{report.pk}/save/", {"version": 1, "submit": True, "answers": answers}, format="json"
    )
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    bad = client.post(f"/api/v1/policies/uptake/{report.pk}/save/",
                      {"version": 2, "submit": True, "answers": [{"measure": m["everyone"].pk, "used": False}]},
                      format="json")  # fmt: skip
    assert bad.status_code == 400 and "请选择未享受的原因" in bad.json()["detail"]
    garbage = client.post(
        f"/api/v1/policies/uptake/{report.pk}/save/", {"version": "x", "answers": "no"}, format="json"
    )
    assert garbage.status_code == 400
    assert UptakeReport.objects.get(pk=report.pk).status == UptakeStatus.SUBMITTED
    assert AuditEntry.objects.filter(event="policies.uptake.submit").count() == 1
    outsider = api(tree.user(Role.REPORTER, tree.ent_b1))
    assert outsider.get(f"/api/v1/policies/uptake/{report.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/policies/measures/", "/api/v1/policies/uptake/"])
def test_anonymous_callers_are_refused(client, path):
    assert client.get(path).status_code in (401, 403)


def test_openapi_documents_the_policy_routes(tree):
    schema = api(tree.user(Role.OFFICE_ADMIN, tree.office)).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("/api/v1/policies/measures/", "/api/v1/policies/eligibility/", "/api/v1/policies/notices/{id}/open/",
                 "/api/v1/policies/uptake/{id}/save/"):  # fmt: skip
        assert path in paths, path
    assert any(p["name"] == "q" for p in paths["/api/v1/policies/measures/"]["get"]["parameters"])
