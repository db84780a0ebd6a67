"""The written reports in /api/v1/ledger/: the same door and services as the pages (400, 403, 404, 409)."""

import pytest

from accounts.tests.factories import api_client
from ledger.choices import WrittenStatus
from ledger.models import WrittenReport
from ledger.tests.written_factories import XSS_PAYLOAD, make_round, step, written_report
from orgs.choices import Role

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/ledger/written-reports/"


def api(user):
    return api_client(user, ip="10.60.0.2")


def test_lists_and_details_are_scoped_with_sections_and_figures(tree, ledgers, clock):
    written_round = make_round(tree)
    own = written_report(tree, tree.ent_a1, written_round)
    written_report(tree, tree.ent_b1, written_round)
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    listed = union.get(REPORTS, {"round": written_round.pk}).json()
    assert [r["org"] for r in listed["results"]] == ["E-A1"]
    assert union.get(REPORTS, {"round": "x"}).status_code == 400
    detail = union.get(f"{REPORTS}{own.pk}/").json()
    assert [s["aspect"] for s in detail["sections"]] == list(range(1, 10))
    assert detail["sections"][0]["title"].startswith("一、职工创新")
    assert {"label": "五小成果数", "text": "暂无数据", "has_data": False} in detail["sections"][0]["figures"]
    assert detail["steps"] == ["submit"] and detail["version"] == own.version
    other = WrittenReport.objects.get(org=tree.ent_b1)
    response = union.get(f"{REPORTS}{other.pk}/")
    assert response.status_code == 404 and set(response.json()) == {"detail"}


def test_starting_a_report_through_the_api(tree, ledgers, clock):
    written_round = make_round(tree)
    reporter = api(tree.user(Role.REPORTER))
    created = reporter.post(REPORTS, {"round": written_round.pk, "org": "E-A1"}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    again = reporter.post(REPORTS, {"round": written_round.pk, "org": "E-A1"}, format="json")
    assert again.status_code == 400 and "已经开始撰写" in again.json()["detail"]
    foreign = reporter.post(REPORTS, {"round": written_round.pk, "org": "E-B1"}, format="json")
    assert foreign.status_code == 400 and foreign.json()["errors"]["org"]
    extra = reporter.post(REPORTS, {"round": written_round.pk, "org": "E-A1", "status": "accepted"}, format="json")
    assert extra.status_code == 400 and extra.json()["errors"]["status"] == ["不允许提交此字段。"]


def test_a_section_is_patched_with_the_version_and_cleaned(tree, ledgers, clock):
    report = written_report(tree, filled=False)
    reporter = api(tree.user(Role.REPORTER))
    url = f"{REPORTS}{report.pk}/section/"
    body = f"<p>参与政策制定 2 次</p>{XSS_PAYLOAD}"
    saved = reporter.patch(url, {"version": report.version, "aspect": 3, "body": body}, format="json")
    assert saved.status_code == 200
    assert saved.json()["sections"][2]["body"] == "<p>参与政策制定 2 次</p>"
    stale = reporter.patch(url, {"version": report.version, "aspect": 3, "body": "旧"}, format="json")
    assert stale.status_code == 409 and stale.json() == {"detail": "该书面报告已被他人修改，请刷新后重试。"}
    bad = reporter.patch(url, {"version": saved.json()["version"], "aspect": 10, "body": "x"}, format="json")
    assert bad.status_code == 400 and "aspect" in bad.json()["errors"]
    missing = reporter.patch(url, {"aspect": 3, "body": "x"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    garbage = reporter.patch(url, "not json", content_type="application/json")
    assert garbage.status_code == 400 and garbage.json()["detail"] == "请求内容格式错误，无法解析。"


def test_the_steps_through_the_api(tree, ledgers, clock):
    report = written_report(tree)
    reporter, union = api(tree.user(Role.REPORTER)), api(tree.user(Role.UNION_ADMIN, tree.union_a))
    submitted = reporter.post(f"{REPORTS}{report.pk}/submit/", {"version": report.version}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    version = submitted.json()["version"]
    own_accept = reporter.post(f"{REPORTS}{report.pk}/accept/", {"version": version}, format="json")
    assert own_accept.status_code == 403 and "上级工会或产改办" in own_accept.json()["detail"]
    no_reason = union.post(f"{REPORTS}{report.pk}/return/", {"version": version}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    returned = union.post(
        f"{REPORTS}{report.pk}/return/",
        {"version": version, "section_reasons": {"6": "请写明联络员"}, "section_comments": {"1": "好"}},
        format="json",
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    sections = {s["aspect"]: s for s in returned.json()["sections"]}
    assert sections[6]["return_reason"] == "请写明联络员" and sections[1]["comment"] == "好"
    again = union.post(f"{REPORTS}{report.pk}/accept/", {"version": returned.json()["version"]}, format="json")
    assert again.status_code == 409  # a returned report cannot be accepted
    other = api(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert other.post(f"{REPORTS}{report.pk}/reopen/", {"version": 1, "reason": "x"}, format="json").status_code == 404
    report.refresh_from_db()
    assert report.status == WrittenStatus.RETURNED


def test_who_has_and_has_not_submitted(tree, ledgers, clock):
    written_round = make_round(tree)
    step(tree, written_report(tree, tree.ent_a1, written_round), "submit", tree.user(Role.REPORTER))
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    body = union.get("/api/v1/ledger/written-submissions/").json()
    assert body["round"]["code"] == "2021"
    assert [(r["org"], r["status"]) for r in body["results"]] == [
        ("U-A", "not_started"), ("E-A1", "submitted"), ("E-A2", "not_started"),
    ]  # fmt: skip
    assert body["counts"]["all"] == 3 and body["counts"]["submitted"] == 1
    filtered = union.get("/api/v1/ledger/written-submissions/", {"status": "submitted"}).json()
    assert [r["org"] for r in filtered["results"]] == ["E-A1"]
    assert union.get("/api/v1/ledger/written-submissions/", {"status": "bogus"}).status_code == 400
    assert union.get("/api/v1/ledger/written-submissions/", {"round": "99999"}).status_code == 400
    rounds = union.get("/api/v1/ledger/written-rounds/").json()
    assert [r["code"] for r in rounds["results"]] == ["2021"]
