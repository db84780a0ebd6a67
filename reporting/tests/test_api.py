"""The reporting API (/api/v1): values with version checks, reports scoped per role, the workflow
steps, completeness, and tokens. Every refusal is JSON with a Chinese `detail`, and changes nothing.
"""

from __future__ import annotations

import re

import pytest
from django.db.models import F

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs.choices import Role
from reporting.choices import ReportStatus as S
from reporting.models import DataValue, Report, ReportSnapshot
from reporting.tests.factories import at, filled_report, open_report, submitted_report, valid_values_y

REPORTS = "/api/v1/reports/"


def detail_url(report: Report, step: str = "") -> str:
    return f"{REPORTS}{report.pk}/" + (f"{step}/" if step else "")


def api(user):
    return api_client(user, ip="10.70.0.1")


@pytest.fixture
def reporter(tree):
    return tree.user(Role.REPORTER, tree.ent_a1)


@pytest.fixture
def draft(tree, wf):
    return open_report(tree, wf[0], "2021")


def cell_values(report: Report) -> dict[tuple[str, str], str]:
    return {
        (v.element.code, v.option_combo.key): v.value
        for v in DataValue.objects.filter(report=report).select_related("element", "option_combo")
    }


def events(report: Report, event: str) -> int:
    return AuditEntry.objects.filter(event=event, object_id=str(report.pk)).count()


# --- Values ------------------------------------------------------------------------------------------------------


def test_get_values_lists_the_filled_cells_with_the_version_as_etag(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    response = api(reporter).get(detail_url(report, "values"))
    assert response.status_code == 200
    assert response["ETag"] == f'"{report.version}"'
    body = response.json()
    assert body["version"] == report.version
    values = {(v["element"], v["option"]): v["value"] for v in body["values"]}
    assert values[("WF_WORKERS", "")] == "1000"
    assert values[("WF_WORKERS_GROUP", "MIGRANT.MALE")] == "300"
    assert len(values) == len(valid_values_y())


def test_patch_answers_the_outlier_warnings_of_web_entry(tree, wf, reporter, clock):
    # Walk-through finding: outliers were only shown to the reviewer; the API answers them as the grid does.
    clock.set(at(2021, 1, 10))
    last_year = filled_report(tree, wf[0], "2020")
    Report.objects.filter(pk=last_year.pk).update(status=S.ACCEPTED)
    clock.set(at(2022, 1, 10))
    draft = open_report(tree, wf[0], "2021")
    response = api(reporter).patch(
        detail_url(draft, "values"), {"values": [{"element": "WF_WORKERS", "value": "9000"}]}, format="json",
        HTTP_IF_MATCH=f'"{draft.version}"',
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["outliers"] == [
        {
            "element": "WF_WORKERS",
            "option": "",
            "kind": "previous",
            "message": "产业工人总数：上期 1000，本期 9000，变化 +800%，请核对。",
        }
    ]


def test_patch_with_if_match_saves_bumps_the_version_and_is_audited(draft, reporter):
    response = api(reporter).patch(
        detail_url(draft, "values"),
        {"values": [{"element": "WF_WORKERS", "value": "1,234"}, {"element": "WF_FRONTLINE", "value": " 700 "}]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2 and response["ETag"] == '"2"'
    assert sorted(map(tuple, (c.values() for c in body["changed"]))) == [("WF_FRONTLINE", ""), ("WF_WORKERS", "")]
    assert cell_values(draft) == {("WF_WORKERS", ""): "1234", ("WF_FRONTLINE", ""): "700"}
    assert events(draft, "reporting.values.save") == 1


def test_stale_if_match_is_412_and_saves_nothing(draft, reporter):
    client = api(reporter)
    assert (
        client.patch(
            detail_url(draft, "values"),
            {"values": [{"element": "WF_WORKERS", "value": "5"}]},
            format="json",
            HTTP_IF_MATCH='"1"',
        ).status_code
        == 200
    )
    response = client.patch(
        detail_url(draft, "values"),
        {"values": [{"element": "WF_WORKERS", "value": "6"}]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 412
    assert response.json() == {"detail": "该对象已被他人修改（版本号不符），请刷新后重试。"}
    assert cell_values(draft) == {("WF_WORKERS", ""): "5"}


def test_stale_body_version_is_409_and_says_what_changed_meanwhile(tree, draft, reporter):
    colleague = api(tree.user(Role.REPORTER, tree.ent_a1))
    assert (
        colleague.patch(
            detail_url(draft, "values"),
            {"version": 1, "values": [{"element": "WF_WORKERS", "value": "900"}]},
            format="json",
        ).status_code
        == 200
    )

    response = api(reporter).patch(
        detail_url(draft, "values"),
        {"version": 1, "values": [{"element": "WF_WORKERS", "value": "800"}]},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert body["changes"] == [{"element": "WF_WORKERS", "option": "", "label": "产业工人总数", "value": "900"}]
    assert body["detail"].startswith("该报表已被他人修改（您打开的是第 1 版，当前为第 2 版），您的修改未保存。")
    assert "产业工人总数（900）" in body["detail"]
    assert cell_values(draft) == {("WF_WORKERS", ""): "900"}


def test_a_change_without_any_version_is_428(draft, reporter):
    response = api(reporter).patch(
        detail_url(draft, "values"), {"values": [{"element": "WF_WORKERS", "value": "5"}]}, format="json"
    )
    assert response.status_code == 428
    assert response.json()["detail"] == "缺少版本号：请在请求中提供 version 字段或 If-Match 请求头。"
    assert cell_values(draft) == {}


def test_refused_values_come_back_all_at_once_and_nothing_is_saved(draft, reporter):
    bad = [
        {"element": "WF_WORKERS", "value": "١٢٣"},
        {"element": "WF_FRONTLINE", "value": "12.5"},
        {"element": "WF_TECH_STAFF", "value": "-3"},
        {"element": "WF_UNION_MEMBERS", "value": "1_000"},
        {"element": "WF_NO_SUCH", "value": "1"},
        {"element": "WF_CERTIFIED", "value": "200"},  # a good one: not saved either
    ]
    response = api(reporter).patch(detail_url(draft, "values"), {"version": 1, "values": bad}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("有 5 个数值不正确，本次填写均未保存：")
    problems = {p["element"]: p for p in body["problems"]}
    assert set(problems) == {"WF_WORKERS", "WF_FRONTLINE", "WF_TECH_STAFF", "WF_UNION_MEMBERS", "WF_NO_SUCH"}
    assert problems["WF_NO_SUCH"]["message"] == "本报表中没有这一项。"
    assert all(p["message"] for p in body["problems"])
    assert cell_values(draft) == {}
    draft.refresh_from_db()
    assert draft.version == 1


@pytest.mark.parametrize(
    "extra", [{"status": "accepted"}, {"org": "E-B1"}, {"score": 100}], ids=["status", "org", "score"]
)
def test_fields_outside_the_input_are_refused_not_applied(draft, reporter, extra):
    """SECURITY.md row 10: no mass assignment."""
    response = api(reporter).patch(
        detail_url(draft, "values"),
        {"version": 1, "values": [{"element": "WF_WORKERS", "value": "5"}], **extra},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "提交的数据有误，请检查后重试。"
    assert list(response.json()["errors"]) == list(extra)
    draft.refresh_from_db()
    assert (draft.status, draft.org.code, draft.version) == (S.DRAFT, "E-A1", 1)
    assert cell_values(draft) == {}


# --- Reports: list, detail, open ------------------------------------------------------------------------------------


@pytest.fixture
def three_reports(tree, wf):
    return {org.code: open_report(tree, wf[0], "2021", org) for org in (tree.ent_a1, tree.ent_a2, tree.ent_b1)}


@pytest.mark.parametrize(
    ("role", "home", "seen"),
    [
        (Role.REPORTER, "ent_a1", {"E-A1"}),
        (Role.UNION_ADMIN, "union_a", {"E-A1", "E-A2"}),
        (Role.UNION_ADMIN, "union_b", {"E-B1"}),
        (Role.OFFICE_REVIEWER, "province", {"E-A1", "E-A2", "E-B1"}),
        (Role.SYS_ADMIN, "province", set()),
    ],
)
def test_report_list_and_detail_follow_the_scope(tree, three_reports, role, home, seen):
    client = api(tree.user(role, getattr(tree, home)))
    response = client.get(REPORTS)
    assert response.status_code == 200
    assert {r["org"]["code"] for r in response.json()["results"]} == seen
    for code, report in three_reports.items():
        assert client.get(detail_url(report)).status_code == (200 if code in seen else 404)


def test_report_list_filters_by_data_set_period_status_and_org(tree, wf, three_reports):
    Report.objects.filter(pk=three_reports["E-A2"].pk).update(status=S.SUBMITTED)
    client = api(tree.user(Role.OFFICE_ADMIN, tree.province))

    def codes(query):
        return sorted(r["org"]["code"] for r in client.get(REPORTS + query).json()["results"])

    assert codes("?dataset=WF_Y&period=2021") == ["E-A1", "E-A2", "E-B1"]
    assert codes("?period=2022") == []
    assert codes("?status=submitted") == ["E-A2"]
    assert codes("?within=U-A") == ["E-A1", "E-A2"]
    assert codes("?org=E-B1") == ["E-B1"]
    # The union administrator of A names B's enterprise: nothing, not an error that reveals it.
    union_a = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert union_a.get(REPORTS + "?org=E-B1").json()["results"] == []


def test_report_list_has_a_query_budget(tree, three_reports, django_assert_max_num_queries):
    client = api(tree.user(Role.OFFICE_ADMIN, tree.province))
    client.get(REPORTS)  # warm the token and role caches
    with django_assert_max_num_queries(12):
        assert len(client.get(REPORTS).json()["results"]) == 3


def test_opening_a_report_creates_it_once(tree, wf, reporter):
    client = api(reporter)
    body = {"org": "E-A1", "dataset": "WF_Y", "period": "2021"}
    first = client.post(REPORTS, body, format="json")
    assert first.status_code == 201
    again = client.post(REPORTS, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Report.objects.filter(org=tree.ent_a1).count() == 1


def test_opening_another_organisations_report_names_no_one(tree, wf, reporter):
    response = api(reporter).post(REPORTS, {"org": "E-B1", "dataset": "WF_Y", "period": "2021"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"org": ["未找到代码为“E-B1”的机构，或您无权访问。"]}
    assert not Report.objects.filter(org=tree.ent_b1).exists()


# --- Workflow ------------------------------------------------------------------------------------------------------


def post(client, report, step, **body):
    return client.post(detail_url(report, step), {"version": report.version, **body}, format="json")


def test_the_whole_workflow_through_the_api(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    office = api(tree.user(Role.OFFICE_REVIEWER, tree.province))

    response = post(api(reporter), report, "submit")
    assert response.status_code == 200 and response.json()["status"] == S.SUBMITTED
    report.refresh_from_db()
    response = post(union, report, "approve")
    assert response.status_code == 200 and response.json()["status"] == S.APPROVED
    report.refresh_from_db()
    response = post(office, report, "accept")
    assert response.status_code == 200 and response.json()["status"] == S.ACCEPTED
    assert response.json()["status_label"] == "已验收"
    report.refresh_from_db()
    response = post(office, report, "reopen", reason="口径有误，请更正")
    assert response.status_code == 200 and response.json()["status"] == S.RETURNED
    for event in ("submit", "approve", "accept", "reopen"):
        assert events(report, f"reporting.report.{event}") == 1, event


@pytest.mark.parametrize(
    ("who", "state", "step", "status", "detail"),
    [
        ("reporter", S.SUBMITTED, "approve", 403, None),
        ("union_a", S.ACCEPTED, "reopen", 403, None),
        ("union_b", S.SUBMITTED, "approve", 404, "未找到该对象，或您无权访问。"),
        ("leader", S.SUBMITTED, "approve", 403, None),
        ("office", S.DRAFT, "approve", 409, None),
        ("office", S.APPROVED, "submit", 403, None),
    ],
)
def test_steps_out_of_role_or_order_are_refused_and_change_nothing(tree, wf, who, state, step, status, detail):
    report = filled_report(tree, wf[0])
    if state != S.DRAFT:
        Report.objects.filter(pk=report.pk).update(status=state, submitted_by=tree.user(Role.REPORTER, tree.ent_a2))
        report.refresh_from_db()
    user = {
        "reporter": lambda: tree.user(Role.REPORTER, tree.ent_a1),
        "union_a": lambda: tree.user(Role.UNION_ADMIN, tree.union_a),
        "union_b": lambda: tree.user(Role.UNION_ADMIN, tree.union_b),
        "leader": lambda: tree.user(Role.LEADER),
        "office": lambda: tree.user(Role.OFFICE_REVIEWER, tree.province),
    }[who]()
    before = AuditEntry.objects.filter(event__startswith="reporting.report.").count()
    response = post(api(user), report, step, **({"reason": "不对"} if step == "reopen" else {}))
    assert response.status_code == status, response.json()
    body = response.json()
    assert re.search("[\u4e00-\u9fff]", body["detail"]), body  # in Chinese
    if detail:
        assert body == {"detail": detail}
    report.refresh_from_db()
    assert report.status == state
    assert AuditEntry.objects.filter(event__startswith="reporting.report.").count() == before


def test_return_of_single_cells_shows_the_reason_in_the_detail(tree, wf):
    report = submitted_report(tree, wf[0])
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = post(union, report, "return", reason="持证人数与去年差距过大", cells=[{"element": "WF_CERTIFIED"}])
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == S.RETURNED
    assert [(r["element"], r["reason"]) for r in body["open_returns"]] == [("WF_CERTIFIED", "持证人数与去年差距过大")]


def test_a_retried_submit_with_the_same_key_is_one_transition(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    client = api(reporter)
    first = client.post(
        detail_url(report, "submit"), {"version": report.version}, format="json", HTTP_IDEMPOTENCY_KEY="k-2021-a1"
    )
    retry = client.post(
        detail_url(report, "submit"), {"version": report.version}, format="json", HTTP_IDEMPOTENCY_KEY="k-2021-a1"
    )
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert first.json()["version"] == retry.json()["version"]
    assert ReportSnapshot.objects.filter(report=report).count() == 1
    assert events(report, "reporting.report.submit") == 1


def test_a_retried_submit_with_the_same_if_match_and_key_is_replayed_not_refused(tree, wf, reporter):
    # Walk-through finding: the retry answered 412 "已被他人修改" because the version check ran before the replay.
    report = filled_report(tree, wf[0])
    client = api(reporter)
    headers = {"HTTP_IF_MATCH": f'"{report.version}"', "HTTP_IDEMPOTENCY_KEY": "k-2021-a1-if-match"}
    first = client.post(detail_url(report, "submit"), {}, format="json", **headers)
    retry = client.post(detail_url(report, "submit"), {}, format="json", **headers)
    assert first.status_code == 200, first.json()
    assert retry.status_code == 200, retry.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["version"] == first.json()["version"]
    assert retry["ETag"] == first["ETag"]
    assert ReportSnapshot.objects.filter(report=report).count() == 1
    assert events(report, "reporting.report.submit") == 1


def test_a_replayed_key_is_still_refused_to_someone_without_the_right(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    headers = {"HTTP_IF_MATCH": f'"{report.version}"', "HTTP_IDEMPOTENCY_KEY": "k-2021-a1-other"}
    assert api(reporter).post(detail_url(report, "submit"), {}, format="json", **headers).status_code == 200
    leader = api(tree.user(Role.LEADER))
    assert leader.post(detail_url(report, "submit"), {}, format="json", **headers).status_code == 403


def test_a_double_click_without_a_key_is_refused_the_second_time(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    client = api(reporter)
    assert post(client, report, "submit").status_code == 200
    second = post(client, report, "submit")  # the same stale version
    assert second.status_code == 409
    assert second.json()["detail"] == "该报表已经提交，请勿重复提交。"
    assert ReportSnapshot.objects.filter(report=report).count() == 1
    assert events(report, "reporting.report.submit") == 1


def test_an_invalid_idempotency_key_is_refused(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    response = api(reporter).post(
        detail_url(report, "submit"), {"version": report.version}, format="json", HTTP_IDEMPOTENCY_KEY="键"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Idempotency-Key 请求头无效：应为 1 到 100 个可见的 ASCII 字符。"}
    report.refresh_from_db()
    assert report.status == S.DRAFT


def test_an_incomplete_report_cannot_be_submitted_and_the_answer_lists_what_is_missing(draft, reporter):
    response = post(api(reporter), draft, "submit")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("报表尚不能提交：")
    assert {"element": "WF_WORKERS", "option": "", "label": "产业工人总数"} in body["missing"]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


# --- Completeness --------------------------------------------------------------------------------------------------


def test_completeness_counts_in_the_callers_scope(tree, wf, clock):
    submitted_report(tree, wf[0], org=tree.ent_a1)  # on time (2022-01-10)
    clock.set(at(2022, 2, 3))
    submitted_report(tree, wf[0], org=tree.ent_a2)  # late
    office = api(tree.user(Role.OFFICE_REVIEWER, tree.province))
    body = office.get("/api/v1/completeness/?dataset=WF_Y&period=2021").json()
    rows = {r["org"]["code"]: r for r in body["rows"]}
    assert rows["E-A1"]["timeliness"] == "on_time"
    assert rows["E-A2"]["timeliness"] == "late"
    assert rows["E-B1"]["report"] is None
    assert body["total"]["expected"] == len(rows)
    assert body["total"]["on_time"] == 1 and body["total"]["late"] == 1
    unions = {g["name"]: g for g in body["by_union"]}
    assert unions["云南电网"]["reported"] == 2 and unions["中国铜业"]["reported"] == 0
    unreported = office.get("/api/v1/completeness/?dataset=WF_Y&period=2021&timeliness=unreported").json()
    assert "E-B1" in {r["org"]["code"] for r in unreported["rows"]}
    assert not {"E-A1", "E-A2"} & {r["org"]["code"] for r in unreported["rows"]}

    reporter = api(tree.user(Role.REPORTER, tree.ent_a1))
    own = reporter.get("/api/v1/completeness/?dataset=WF_Y&period=2021").json()
    assert [r["org"]["code"] for r in own["rows"]] == ["E-A1"]
    assert "中国铜业" not in str(own)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {"dataset": ["请提供报表代码 dataset，例如 WF_Y。"], "period": ["请提供报告期代码 period，例如 2021。"]}),
        ("?dataset=NOPE&period=2021", {"dataset": ["未找到代码为“NOPE”的报表。"]}),
        ("?dataset=WF_Y&period=2021&timeliness=soon", {"timeliness": ["未知的报送情况“soon”。"]}),
    ],
)
def test_completeness_explains_bad_parameters(tree, wf, query, errors):
    response = api(tree.user(Role.OFFICE_ADMIN, tree.province)).get("/api/v1/completeness/" + query)
    assert response.status_code == 400
    assert response.json() == {"detail": "提交的数据有误，请检查后重试。", "errors": errors}


# --- Tokens --------------------------------------------------------------------------------------------------------


def test_tokens_are_required_and_checked(tree, three_reports):
    anonymous = api_client(None, ip="10.70.0.2")
    assert anonymous.get(REPORTS).status_code == 401
    assert anonymous.get(REPORTS).json() == {"detail": "请先登录或提供有效的令牌。"}
    forged = api_client(None, ip="10.70.0.3")
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = forged.get(REPORTS)
    assert response.status_code == 401
    assert response.json() == {"detail": "身份验证失败：令牌无效或账号已停用。"}
    assert AuditEntry.objects.filter(event="api.auth_failed").count() == 1
    holder = tree.user(Role.REPORTER, tree.ent_a1)
    assert [r["org"]["code"] for r in api(holder).get(REPORTS).json()["results"]] == ["E-A1"]


def test_a_deactivated_users_token_stops_working(tree, three_reports):
    holder = tree.user(Role.REPORTER, tree.ent_a1)
    client = api(holder)
    assert client.get(REPORTS).status_code == 200
    holder.is_active = False
    holder.save(update_fields=["is_active"])
    assert client.get(REPORTS).status_code == 401


def test_stale_version_detected_when_someone_saved_through_the_page_layer(draft, reporter):
    """The API and the pages share one version counter (STYLE §3)."""
    Report.objects.filter(pk=draft.pk).update(version=F("version") + 1)
    response = api(reporter).post(detail_url(draft, "submit"), {}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
