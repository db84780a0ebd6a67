"""/api/v1/analytics: the same answers as the engine, the same scope, saved views owned by their owner."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import api_client
from analytics.models import SavedView
from analytics.tests.helpers import accepted_report, office
from core.models import AuditEntry
from orgs.choices import Role

pytestmark = pytest.mark.django_db


def test_the_query_endpoint_answers_what_the_engine_answers(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=600, migrant=400, certified=300)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=1000, migrant=0, certified=10)
    client = api_client(office(tree))
    response = client.get("/api/v1/analytics/query/?measure=indicator:CERT_RATE&periods=2021&root=U-A&level=children")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"][0]["display"] == "19.38%"
    assert body["scope"].startswith("非农民工")
    assert {row["org_code"]: row["display"] for row in body["rows"]} == {"E-A1": "50.00%", "E-A2": "1.00%"}
    assert body["as_of"] is not None


def test_an_organisation_outside_the_scope_is_not_found_and_bad_queries_are_400_in_chinese(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=50, migrant=0)
    client = api_client(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get("/api/v1/analytics/query/?measure=element:WF_WORKERS&periods=2021&root=E-A2").status_code == 404
    assert (
        client.get("/api/v1/analytics/drill-through/?measure=element:WF_WORKERS&period=2021&root=E-A2").status_code
        == 404
    )
    own = client.get("/api/v1/analytics/query/?measure=element:WF_WORKERS&periods=2021").json()
    assert own["root_name"] == "昆明供电局" and own["totals"] == []
    bad = client.get("/api/v1/analytics/query/?measure=indicator:NOPE&periods=2021")
    assert bad.status_code == 400
    assert "指标“NOPE”不存在或已停用。" in bad.content.decode()
    missing = client.get("/api/v1/analytics/query/?measure=element:WF_WORKERS")
    assert missing.status_code == 400


def test_drill_through_lists_the_reports_behind_a_figure(tree, wf):
    wf_y, _wf_q = wf
    report = accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0, certified=30)
    body = (
        api_client(office(tree))
        .get("/api/v1/analytics/drill-through/?measure=indicator:CERT_RATE&period=2021&root=U-A")
        .json()
    )
    assert [row["report_id"] for row in body["rows"]] == [report.pk]
    assert Decimal(body["rows"][0]["values"]["#{WF_CERTIFIED}"]) == 30


def test_indicators_are_listed_with_their_scope(tree, wf):
    body = api_client(tree.user(Role.LEADER, tree.province)).get("/api/v1/analytics/indicators/").json()
    rates = {row["code"]: row for row in body}
    assert rates["CERT_RATE"]["denominator"] == "#{WF_WORKERS_GROUP.NONMIGRANT}"
    assert "含农民工" in rates["CERT_RATE_ALL"]["name"]


def test_saved_views_belong_to_their_owner(tree, wf):
    owner, other = tree.user(Role.REPORTER, tree.ent_a1), tree.user(Role.REPORTER, tree.ent_b1)
    client = api_client(owner)
    created = client.post(
        "/api/v1/analytics/views/",
        {"name": "持证率", "query": {"measure": "indicator:CERT_RATE", "level": "children"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert AuditEntry.objects.filter(event="analytics.view.create", object_id=str(pk)).count() == 1
    stranger = api_client(other)
    assert stranger.get(f"/api/v1/analytics/views/{pk}/").status_code == 404
    assert (
        stranger.patch(f"/api/v1/analytics/views/{pk}/", {"version": 1, "name": "x"}, format="json").status_code == 404
    )
    assert stranger.delete(f"/api/v1/analytics/views/{pk}/").status_code == 404
    shared = client.patch(f"/api/v1/analytics/views/{pk}/", {"version": 1, "shared": True}, format="json")
    assert shared.status_code == 200 and shared.json()["version"] == 2
    assert stranger.get(f"/api/v1/analytics/views/{pk}/").status_code == 200  # shared: readable …
    assert stranger.delete(f"/api/v1/analytics/views/{pk}/").status_code == 404  # … never writable
    stale = client.patch(f"/api/v1/analytics/views/{pk}/", {"version": 1, "name": "旧"}, format="json")
    assert stale.status_code == 409
    assert SavedView.objects.get(pk=pk).name == "持证率"
    bad = client.post("/api/v1/analytics/views/", {"name": "x", "query": {"sql": "drop"}}, format="json")
    assert bad.status_code == 400 and "不支持的项" in bad.content.decode()
    assert client.delete(f"/api/v1/analytics/views/{pk}/").status_code == 204
    assert not SavedView.objects.filter(pk=pk).exists()


# --- Growth and year-on-year (issue 4) -------------------------------------------------------------------------------


@pytest.fixture
def two_years(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a1, nonmigrant=1000, migrant=0, certified=100)
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=1000, migrant=500, certified=150)
    return api_client(office(tree))


def test_the_query_endpoint_returns_year_on_year_changes(tree, two_years):
    response = two_years.get("/api/v1/analytics/query/?measure=indicator:CERT_RATE&periods=2021&root=U-A&compare=yoy")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"][0]["display"] == "15.00%"
    compare = body["compare"]
    assert (compare["kind"], compare["baseline"], compare["unit"]) == ("yoy", "", "百分点")
    total = next(c for c in compare["changes"] if c["group"] == "total")
    assert (total["period"], total["base_period"]) == ("2021", "2020")
    assert Decimal(total["change"]) == Decimal("5.00") and total["display"] == "+5.00个百分点"
    assert Decimal(total["base_value"]) == Decimal("10.00")


def test_the_query_endpoint_returns_growth_against_a_baseline(tree, two_years):
    body = two_years.get("/api/v1/analytics/query/?measure=element:WF_WORKERS&periods=2021&baseline=2020").json()

    compare = body["compare"]
    assert (compare["kind"], compare["baseline"], compare["unit"]) == ("baseline", "2020", "%")
    total = next(c for c in compare["changes"] if c["group"] == "total")
    assert Decimal(total["change"]) == Decimal("50.00") and total["display"] == "+50.00%"
    assert two_years.get("/api/v1/analytics/query/?measure=element:WF_WORKERS&periods=2021").json()["compare"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("compare=mom", "compare 只能为 yoy（同比）或 baseline（与基期比较）。"),
        ("compare=baseline", "请提供 baseline（基期），例如 2015。"),
        ("compare=yoy&baseline=2015", "同比不需要 baseline；与基期比较请用 compare=baseline 或只给 baseline。"),
        ("baseline=2015Q4", "基期2015年第四季度与所比较的报告期类型不同：请选择年度报告期作基期，如 2015。"),
        ("baseline=15", "基期“15”不是有效的报告期代码，应为 2015、2015H2 或 2015Q4 这样的形式。"),
        ("baseline=2022", "基期2022年度晚于所比较的最早报告期2021年度，请选择更早的报告期。"),
    ],
)
def test_a_bad_comparison_is_400_in_chinese(tree, two_years, query, message):
    response = two_years.get(f"/api/v1/analytics/query/?measure=indicator:CERT_RATE&periods=2021&{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_department_viewer_gets_all_assigned_enterprises_by_default(tree, wf):
    import datetime as dt

    from orgs import services as org_services
    from orgs.tests.factories import SYSTEM

    wf_y, _wf_q = wf
    org_services.assignment_create(
        by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=dt.date(2020, 1, 1)
    )
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=600, migrant=0, certified=300)
    accepted_report(tree, wf_y, "2021", tree.ent_b1, nonmigrant=400, migrant=0, certified=100)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=1000, migrant=0, certified=10)
    client = api_client(tree.user(Role.DEPT_VIEWER))

    body = client.get("/api/v1/analytics/query/?measure=indicator:CERT_RATE&periods=2021&level=children").json()
    assert body["root_id"] is None
    assert {row["org_code"]: row["display"] for row in body["rows"]} == {"E-A1": "50.00%", "E-B1": "25.00%"}
    assert body["totals"][0]["display"] == "40.00%"  # 400 / 1000
    drill = client.get("/api/v1/analytics/drill-through/?measure=indicator:CERT_RATE&period=2021").json()
    assert sorted(row["org_code"] for row in drill["rows"]) == ["E-A1", "E-B1"]


def test_figures_are_written_exactly_as_the_figure_serializer_writes_them(tree, wf):
    from analytics import engine
    from analytics.engine import Figure
    from analytics.serializers import FigureSerializer, FiguresField

    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=600, migrant=400, certified=301)
    result = engine.answer(office(tree), engine.Query("indicator:CERT_RATE", level="children", periods=("2021",)))
    odd = Figure(
        group="org:1", org_id=None, org_code="", org_name="x", period="2021", period_label="2021年度", option="",
        option_label="", numerator=Decimal("1.23456789"), denominator=Decimal("0.00005"),
        value=Decimal("2.00000050"), display="—", has_children=False,
    )  # fmt: skip
    figures = [*result.rows, *result.totals, odd]

    assert FiguresField().to_representation(figures) == [dict(row) for row in FigureSerializer(figures, many=True).data]
