"""The publishing API: the same scope and services as the pages, the one error shape, documented in OpenAPI."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs.choices import Role
from publishing.models import Submission
from publishing.services import issues
from publishing.tests.factories import make_issue, make_submission, office
from publishing.tests.factories import officer as officer_of

pytestmark = pytest.mark.django_db


def test_an_officer_creates_and_submits_and_the_office_accepts_into_an_issue(tree):
    officer = api_client(tree.user(Role.INFO_OFFICER))
    created = officer.post(
        reverse("publishing-submission-list"),
        {
            "org": "E-A1",
            "kind": "data",
            "title": "技能人才占比 42%",
            "body": "<p>好</p><script>x</script>",
            "submit": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "submitted" and data["body"] == "<p>好</p>" and data["org"] == "E-A1"
    desk = api_client(tree.user(Role.OFFICE_ADMIN))
    pk = data["id"]
    taken = desk.post(reverse("publishing-submission-take", args=[pk]), {"version": data["version"]}, format="json")
    assert taken.status_code == 200 and taken.json()["status"] == "editing"
    issue = make_issue(tree)
    accepted = desk.post(
        reverse("publishing-submission-accept", args=[pk]),
        {"version": taken.json()["version"], "issue": issue.pk},
        format="json",
    )
    assert accepted.status_code == 200 and accepted.json()["issue"] == issue.pk
    detail = desk.get(reverse("publishing-issue-detail", args=[issue.pk])).json()
    assert [a["title"] for a in detail["articles"]] == ["文章1", "技能人才占比 42%"]
    assert detail["report"] == ["省总工会领导"] and detail["number"] == ""
    assert AuditEntry.objects.filter(event="publishing.submission.accept").count() == 1


def test_errors_have_one_shape_in_chinese(tree):
    officer = api_client(tree.user(Role.INFO_OFFICER))
    bad = officer.post(
        reverse("publishing-submission-list"), {"org": "E-A1", "kind": "gossip", "title": ""}, format="json"
    )
    assert bad.status_code == 400
    unknown = officer.post(
        reverse("publishing-submission-list"), {"org": "E-A1", "kind": "news", "title": "t", "status": "used"},
        format="json",
    )  # fmt: skip
    assert unknown.status_code == 400 and "不允许提交此字段" in unknown.content.decode()
    foreign = officer.post(
        reverse("publishing-submission-list"), {"org": "E-B1", "kind": "news", "title": "t"}, format="json"
    )
    assert foreign.status_code == 400 and "E-B1" in foreign.json()["errors"]["org"][0]
    not_his = officer.post(
        reverse("publishing-submission-list"), {"org": "E-A2", "kind": "news", "title": "t"}, format="json"
    )
    assert not_his.status_code in (400, 403)
    item = make_submission(tree)
    refused = officer.post(
        reverse("publishing-submission-take", args=[item.pk]), {"version": item.version}, format="json"
    )
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    desk = api_client(tree.user(Role.OFFICE_ADMIN))
    no_reason = desk.post(
        reverse("publishing-submission-decline", args=[item.pk]), {"version": item.version}, format="json"
    )
    assert no_reason.status_code == 400 and "原因" in no_reason.content.decode()
    stale = desk.post(reverse("publishing-submission-take", args=[item.pk]), {"version": 99}, format="json")
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    assert Submission.objects.get(pk=item.pk).status == "submitted"


def test_scoping_of_lists_and_issues(tree):
    mine = make_submission(tree)
    make_submission(tree, org=tree.ent_b1, by=officer_of(tree, tree.ent_b1), title="铜业")
    officer = api_client(tree.user(Role.INFO_OFFICER))
    listed = officer.get(reverse("publishing-submission-list")).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [mine.pk]
    issue = make_issue(tree, to=[tree.ent_a1], finalise=True)
    assert officer.get(reverse("publishing-issue-detail", args=[issue.pk])).status_code == 404  # not issued yet
    issues.issue_step(by=office(tree), issue=issue, step="issue", version=issue.version)
    assert officer.get(reverse("publishing-issue-detail", args=[issue.pk])).status_code == 200
    stranger = api_client(tree.user(Role.REPORTER, tree.ent_b1))
    assert stranger.get(reverse("publishing-issue-detail", args=[issue.pk])).status_code == 404
    queued = officer.post(reverse("publishing-issue-documents", args=[issue.pk]), {}, format="json")
    assert queued.status_code == 403


def test_the_office_queues_documents_and_openapi_documents_the_routes(tree):
    issue = make_issue(tree, finalise=True)
    desk = api_client(tree.user(Role.OFFICE_ADMIN))
    first = desk.post(reverse("publishing-issue-documents", args=[issue.pk]), {}, format="json")
    again = desk.post(reverse("publishing-issue-documents", args=[issue.pk]), {}, format="json")
    assert first.status_code == 202 and first.json()["job"] == again.json()["job"]  # one job per issue version
    schema = desk.get(reverse("api_schema")).content.decode()
    for path in ("/api/v1/publishing/submissions/{id}/accept/", "/api/v1/publishing/issues/{id}/documents/"):
        assert path in schema


def test_the_office_drafts_an_evaluation_report_through_the_api_and_others_see_nothing(tree, settings, tmp_path):
    from core.jobs import job_run
    from publishing import tasks
    from publishing.models import EvaluationReport

    settings.MEDIA_ROOT = tmp_path
    client = api_client(office(tree).user)
    refused = client.post("/api/v1/publishing/reports/", {"kind": "weekly", "year": 2021}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["kind"] == ["“weekly” 不是合法选项。"]
    old = client.post("/api/v1/publishing/reports/", {"kind": "annual", "year": 1990}, format="json")
    assert old.status_code == 400 and "year" in old.json()["errors"]
    response = client.post("/api/v1/publishing/reports/", {"kind": "four_year", "year": 2021}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    report = EvaluationReport.objects.get(pk=body["report"]["id"])
    assert body["report"]["title"] == "云南省产业工人队伍建设改革四年评估报告（2018—2021年）"
    job_run(job_id=body["job"]["job"], work=lambda actor, job: tasks.run_report(actor, job.pk, report.pk))
    detail = client.get(f"/api/v1/publishing/reports/{report.pk}/").json()
    assert sorted(d["format"] for d in detail["documents"]) == ["docx", "pdf"]
    assert detail["documents"][0]["sections"][0] == "overview"
    assert detail["documents"][0]["url"].startswith("/api/v1/publishing/report-files/")
    download = client.get(detail["documents"][0]["url"])
    assert download.status_code == 200 and AuditEntry.objects.filter(event="publishing.report.download").exists()
    assert client.post(f"/api/v1/publishing/reports/{report.pk}/generate/").status_code == 202

    union = api_client(tree.user(Role.UNION_ADMIN))
    assert union.get("/api/v1/publishing/reports/").json()["results"] == []
    assert union.get(f"/api/v1/publishing/reports/{report.pk}/").status_code == 404
    assert union.post("/api/v1/publishing/reports/", {"kind": "annual", "year": 2021}, format="json").status_code == 403
