"""The analysis pages through Django's client: figures, drill-down and drill-through, scoping (an
enterprise sees only its subtree, 404 outside it), read-only leaders, the office editing definitions,
saved views, and the .xlsx exports opened again with openpyxl."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import login_verified
from analytics.models import ExternalFigure, Indicator, IndicatorTarget, SavedView
from analytics.tests.helpers import accepted_report, office
from analytics.views.map import short_prefecture
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

CERT = "indicator:CERT_RATE"


@pytest.fixture
def data(tree, wf):
    """2020 and 2021 accepted yearly reports: A1 (昆明), A2 (曲靖) under union A, B1 under union B."""
    wf_y, _wf_q = wf
    for year, bump in (("2020", 0), ("2021", 100)):
        accepted_report(
            tree, wf_y, year, tree.ent_a1, nonmigrant=1000 + bump, migrant=500, certified=300 + bump, college=200
        )
        accepted_report(tree, wf_y, year, tree.ent_a2, nonmigrant=600, migrant=100, certified=60, college=120)
        accepted_report(tree, wf_y, year, tree.ent_b1, nonmigrant=400, migrant=0, certified=40, college=80)
    return wf_y


def login(client, user):
    client.force_login(user)
    return client


def rows_of(response) -> dict[str, list[str]]:
    """Pivot rows as {name: [cell displays]} from the page's context."""
    layout = response.context["pivot"]
    return {r.name: [c.figure.display if c.figure else "—" for c in r.cells] for r in layout.rows}


# --- The pivot table ----------------------------------------------------------------------------------------


def test_office_pivot_by_children_is_a_ratio_of_sums(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"),
        {"measure": CERT, "org": tree.union_a.pk, "level": "children", "period_from": "2021", "period_to": "2021"},
    )

    assert response.status_code == 200
    rows = rows_of(response)
    assert rows["昆明供电局"] == ["36.36%"]  # 400 / 1100
    assert rows["曲靖供电局"] == ["10.00%"]  # 60 / 600
    total = response.context["pivot"].total.cells[0].figure
    assert total.display == "27.06%"  # (400 + 60) / (1100 + 600), not the mean of 36.36% and 10% (23.18%)
    body = response.content.decode()
    assert "数据截至" in body
    assert "不含农民工" in body


def test_pivot_default_query_shows_two_years_as_columns(client, tree, data):
    login(client, office(tree))
    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "org": tree.union_a.pk})

    assert [c.period_label for c in response.context["pivot"].columns] == ["2020年度", "2021年度"]


def test_row_with_children_links_one_level_down_and_crumbs_lead_back(client, tree, data):
    login(client, office(tree))
    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "level": "children", "period_from": "2021"})
    layout = response.context["pivot"]
    unions = next(r for r in layout.rows if r.org_id == tree.unions.pk)

    down = client.get(unions.down_url)
    names = set(rows_of(down))
    assert {"云南电网", "中国铜业"} <= names
    crumbs = [c["name"] for c in down.context["crumbs"]]
    assert crumbs[0] == "云南省" and crumbs[-1] == tree.unions.display_name


def _select(html: str, name: str) -> tuple[list[str], list[tuple[str, str]], str]:
    """(optgroup labels, (code, label) options, the selected code) of the select named `name`."""
    import re

    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', select)
    selected = re.findall(r'<option value="(\w+)" selected>', select)
    return re.findall(r'<optgroup label="([^"]+)">', select), options, selected[0] if selected else ""


def test_pivot_from_and_to_are_lists_of_periods_by_label(client, tree, data):
    """Walk-through finding: the pivot's 从/到 were typed period codes."""
    from reporting.periods import period_from_code

    period_from_code("2021Q2")
    login(client, office(tree))
    html = client.get(reverse("analytics:pivot"), {"measure": CERT}).content.decode()
    groups, options, selected = _select(html, "period_from")
    assert groups == ["年度", "季度"]
    assert options == [("2021", "2021年度"), ("2020", "2020年度"), ("2021Q2", "2021年第二季度")]
    assert selected == "2020" and _select(html, "period_to")[2] == "2021"  # the default range is shown chosen
    quarter = client.get(
        reverse("analytics:pivot"), {"measure": CERT, "period_type": "quarter", "period_from": "2021Q2"}
    )
    assert quarter.context["form"].period_codes() == ("2021Q2",)
    assert _select(quarter.content.decode(), "period_to")[2] == "2021Q2"  # one end given: the other shows it too
    # A bookmarked period no report has used stays in the list, chosen.
    bookmarked = client.get(reverse("analytics:pivot"), {"measure": CERT, "period_from": "2019", "period_to": "2021"})
    assert _select(bookmarked.content.decode(), "period_from")[1:] == (
        [("2021", "2021年度"), ("2020", "2020年度"), ("2019", "2019年度"), ("2021Q2", "2021年第二季度")],
        "2019",
    )


def test_map_period_is_a_list_of_periods_by_label(client, tree, data):
    """Walk-through finding: the map's 报告期 was a typed period code."""
    login(client, office(tree))
    html = client.get(reverse("analytics:map"), {"measure": CERT}).content.decode()
    assert _select(html, "period") == (["年度"], [("2021", "2021年度"), ("2020", "2020年度")], "2021")
    chosen = client.get(reverse("analytics:map"), {"measure": CERT, "period": "2020"})
    assert _select(chosen.content.decode(), "period")[2] == "2020"


def test_bad_period_code_is_a_form_error_in_chinese(client, tree, data):
    login(client, office(tree))
    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "period_from": "2021Q5"})

    assert response.status_code == 200
    assert response.context["answer"] is None
    assert "不是有效的报告期代码" in response.content.decode()


@pytest.mark.parametrize(("where", "status"), [("own", 200), ("unit", 200), ("sibling", 404), ("other_union", 404)])
def test_reporter_sees_only_own_subtree(client, tree, data, where, status):
    org = {"own": tree.ent_a1, "unit": tree.unit_a1, "sibling": tree.ent_a2, "other_union": tree.union_b}[where]
    login(client, tree.user(Role.REPORTER, tree.ent_a1))

    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "org": org.pk, "period_from": "2021"})
    assert response.status_code == status
    drill = client.get(reverse("analytics:drill_through"), {"measure": CERT, "org": org.pk, "period": "2021"})
    assert drill.status_code == status


def test_reporter_default_scope_is_its_enterprise(client, tree, data):
    login(client, tree.user(Role.REPORTER, tree.ent_a1))
    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "level": "self", "period_from": "2021"})

    answer = response.context["answer"]
    assert answer.root_id == tree.ent_a1.pk
    assert response.context["pivot"].total.cells[0].figure.display == "36.36%"
    assert "曲靖供电局" not in response.content.decode()


def test_user_without_business_data_is_refused(client, tree, data):
    login_verified(client, tree.user(Role.SEC_ADMIN))
    for name in (
        "analytics:dashboard",
        "analytics:pivot",
        "analytics:map",
        "analytics:charts",
        "analytics:indicator_list",
    ):
        assert client.get(reverse(name)).status_code == 403


# --- Drill-through -------------------------------------------------------------------------------------------


def test_drill_through_lists_the_reports_and_values_behind_a_figure(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:drill_through"), {"measure": CERT, "org": tree.union_a.pk, "period": "2021"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "昆明供电局" in body and "曲靖供电局" in body and "云南铜业股份" not in body
    first = response.context["rows"][0]
    assert first["values"] == ["400", "1,100"]  # #{WF_CERTIFIED}, #{WF_WORKERS_GROUP.NONMIGRANT}
    assert reverse("reporting:report_detail", args=[first["row"].report_id]) in body


def test_pivot_figures_link_to_drill_through(client, tree, data):
    login(client, office(tree))
    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "org": tree.union_a.pk, "period_from": "2021"})
    cell = response.context["pivot"].total.cells[0]

    follow = client.get(cell.drill_url)
    assert follow.status_code == 200
    assert len(follow.context["rows"]) == 2


# --- Charts and the map ----------------------------------------------------------------------------------------


def _spec(response, spec_id):
    html = response.content.decode()
    start = html.index(f'id="{spec_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("kind", ["bar", "line", "stacked", "ranking"])
def test_chart_spec_carries_values_and_chinese_labels(client, tree, data, kind):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:charts"),
        {"measure": CERT, "org": tree.union_a.pk, "kind": kind, "period_from": "2020", "period_to": "2021"},
    )

    assert response.status_code == 200
    spec = _spec(response, "main-chart-spec")
    labels = [label for s in spec["series"] for label in s["labels"]]
    assert "36.36%" in labels
    assert spec["as_of"].startswith("数据截至")


def test_stacked_chart_with_a_disaggregation_has_one_series_per_option(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:charts"),
        {
            "measure": "element:WF_WORKERS_GROUP",
            "org": tree.union_a.pk,
            "kind": "stacked",
            "by_category": "GENDER",
            "period_from": "2021",
        },
    )

    spec = _spec(response, "main-chart-spec")
    assert spec["kind"] == "stacked"
    assert [s["name"] for s in spec["series"]] == ["男", "女"]


def test_map_colours_prefectures_by_region_code(client, tree, data):
    login(client, office(tree))
    response = client.get(reverse("analytics:map"), {"measure": CERT, "period": "2021"})

    assert response.status_code == 200
    spec = _spec(response, "prefecture-map-spec")
    assert len(spec["categories"]) == 16 and spec["categories"][0] == "530100"
    values = dict(zip(spec["categories"], spec["series"][0]["labels"], strict=True))
    assert values["530100"] == "36.36%"  # 昆明供电局 is in 530100
    assert values["530300"] == "10.00%"
    assert values["533400"] == "无数据"
    assert spec["map"]["url"].endswith("vendor/yunnan-map/yunnan.json")
    assert "region=530100" in spec["series"][0]["urls"][0]


def test_map_region_click_lists_that_prefectures_enterprises(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"), {"measure": CERT, "region": "530300", "level": "enterprise", "period_from": "2021"}
    )

    assert set(rows_of(response)) == {"曲靖供电局"}


def test_short_prefecture_names():
    assert short_prefecture("楚雄彝族自治州") == "楚雄州"
    assert short_prefecture("西双版纳傣族自治州") == "西双版纳州"
    assert short_prefecture("红河哈尼族彝族自治州") == "红河州"
    assert short_prefecture("昆明市") == "昆明市"


# --- The dashboard -------------------------------------------------------------------------------------------------


def test_dashboard_shows_key_indicators_targets_weakest_and_completeness(client, tree, data):
    indicator = Indicator.objects.get(code="CERT_RATE")
    IndicatorTarget.objects.create(indicator=indicator, year=2021, value=Decimal("30"))
    login(client, tree.user(Role.LEADER))
    response = client.get(reverse("analytics:dashboard"))

    assert response.status_code == 200
    body = response.content.decode()
    tile = next(t for t in response.context["tiles"] if t["tile"].indicator == "CERT_RATE")
    assert tile["tile"].display == "23.81%"  # (400 + 60 + 40) / (1100 + 600 + 400)
    assert tile["tile"].target_met is False
    weakest = [(w["name"], w["display"]) for w in tile["weakest"]]
    assert set(weakest[:2]) == {("曲靖供电局", "10.00%"), ("云南铜业股份", "10.00%")}
    assert weakest[2] == ("昆明供电局", "36.36%")
    assert "未达标" in body and "数据截至" in body and "最弱的" in body
    assert 'id="completeness"' in body


def test_dashboard_looks_back_on_an_earlier_year(client, tree, data):
    from analytics import engine

    leader = tree.user(Role.LEADER)
    login(client, leader)
    response = client.get(reverse("analytics:dashboard"), {"year": "2020"})

    assert response.status_code == 200
    tile = next(t for t in response.context["tiles"] if t["tile"].indicator == "CERT_RATE")
    expected = engine.answer(leader, engine.Query(CERT, periods=("2020",))).totals[0].display
    assert tile["tile"].display == expected != "23.81%"  # 2021 shows 23.81%
    body = response.content.decode()
    assert 'aria-current="page">2020年</a>' in body and "?year=2021" in body
    assert client.get(reverse("analytics:dashboard"), {"year": "1990"}).status_code == 404
    export = client.get(reverse("analytics:dashboard_export"), {"year": "2020"})
    assert export.status_code == 200


# --- Exports ---------------------------------------------------------------------------------------------------------


def test_pivot_export_is_a_formatted_xlsx_with_scope_and_source_under_the_table(client, tree, data):
    leader = tree.user(Role.LEADER)
    login(client, leader)
    response = client.get(
        reverse("analytics:pivot_export"),
        {"measure": CERT, "org": tree.union_a.pk, "level": "children", "period_from": "2021"},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "持证率" in sheet["A1"].value
    assert [c.value for c in sheet[3]][:4] == ["单位 / 分组", "2021年度（%）", "2021年度 分子", "2021年度 分母"]
    values = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(4, 7)}
    assert values["昆明供电局"] == pytest.approx(36.36)
    assert values["合计"] == pytest.approx(27.06)
    assert sheet["B4"].number_format == '0.00"%"'
    notes = [sheet.cell(row=r, column=1).value for r in range(8, sheet.max_row + 1)]
    assert any(n.startswith("口径：") and "不含农民工" in n for n in notes)
    assert any(n.startswith("来源：") for n in notes)
    assert any(n.startswith("数据截至") for n in notes)
    assert AuditEntry.objects.filter(event="analytics.pivot.export", username=leader.username).count() == 1


def test_export_needs_the_export_right(client, tree, data):
    login(client, tree.user(Role.INFO_OFFICER, tree.ent_a1))
    response = client.get(reverse("analytics:pivot_export"), {"measure": CERT, "period_from": "2021"})

    assert response.status_code == 403


def test_dashboard_export_opens(client, tree, data):
    login(client, office(tree))
    response = client.get(reverse("analytics:dashboard_export"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    labels = [sheet.cell(row=r, column=1).value for r in range(4, sheet.max_row + 1)]
    assert "持证率（技能等级证书）" in labels


# --- Read-only leaders, the office edits definitions --------------------------------------------------------------


def test_leader_reads_definitions_but_cannot_edit(client, tree, data):
    login(client, tree.user(Role.LEADER))
    assert client.get(reverse("analytics:indicator_list")).status_code == 200
    assert client.get(reverse("analytics:indicator_detail", args=["CERT_RATE"])).status_code == 200
    assert client.get(reverse("analytics:indicator_edit", args=["CERT_RATE"])).status_code == 403
    assert client.post(reverse("analytics:indicator_edit", args=["CERT_RATE"]), {"name": "x"}).status_code == 403
    assert client.post(reverse("analytics:indicator_create"), {"code": "X"}).status_code == 403
    assert (
        client.post(reverse("analytics:target_set", args=["CERT_RATE"]), {"year": 2021, "value": 1}).status_code == 403
    )
    assert client.post(reverse("analytics:external_list"), {"code": "X"}).status_code == 403
    assert not IndicatorTarget.objects.exists()


def _indicator_post(indicator: Indicator, **changes) -> dict:
    data = {
        "code": indicator.code,
        "name": indicator.name,
        "short_name": indicator.short_name,
        "task": indicator.task,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "factor": str(indicator.factor),
        "decimals": indicator.decimals,
        "unit": indicator.unit,
        "migrant_scope": indicator.migrant_scope,
        "scope": indicator.scope,
        "description": indicator.description,
        "sort_order": indicator.sort_order,
        "higher_is_better": "on",
        "is_active": "on",
        "version": indicator.version,
    }
    if indicator.is_key:
        data["is_key"] = "on"
    data.update(changes)
    return data


def test_office_edits_an_indicator_and_it_is_audited(client, tree, data):
    indicator = Indicator.objects.get(code="CERT_RATE")
    login(client, office(tree))
    response = client.post(
        reverse("analytics:indicator_edit", args=["CERT_RATE"]), _indicator_post(indicator, decimals=1)
    )

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.decimals == 1
    assert AuditEntry.objects.filter(event="analytics.indicator.update").count() == 1


def test_stale_edit_is_refused_and_changes_nothing(client, tree, data):
    indicator = Indicator.objects.get(code="CERT_RATE")
    stale = _indicator_post(indicator, decimals=1)
    Indicator.objects.filter(pk=indicator.pk).update(version=indicator.version + 1)  # someone saved first
    login(client, office(tree))
    response = client.post(reverse("analytics:indicator_edit", args=["CERT_RATE"]), stale)

    assert response.status_code == 200
    assert "该指标已被他人修改，请刷新后重试。" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.decimals == 2


def test_bad_expression_is_refused_saying_where(client, tree, data):
    indicator = Indicator.objects.get(code="CERT_RATE")
    login(client, office(tree))
    response = client.post(
        reverse("analytics:indicator_edit", args=["CERT_RATE"]), _indicator_post(indicator, denominator="#{WF_NOPE}")
    )

    assert response.status_code == 200
    assert "分母：数据元“WF_NOPE”不存在。" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.denominator == "#{WF_WORKERS_GROUP.NONMIGRANT}"


def test_expression_checker_names_references_and_errors(client, tree, data):
    login(client, office(tree))
    response = client.post(
        reverse("analytics:expression_check"),
        {"numerator": "#{WF_CERTIFIED}", "denominator": "#{WF_WORKERS_GROUP.NONMIGRANT} +"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # the partial only
    assert "#{WF_CERTIFIED} = 持有技能等级证书人数" in body
    assert "分母：" in body and "text-danger" in body


def test_office_creates_an_indicator(client, tree, data):
    login(client, office(tree))
    response = client.post(
        reverse("analytics:indicator_create"),
        {
            "code": "MALE_SHARE",
            "name": "男性占比",
            "task": "growth",
            "numerator": "#{WF_WORKERS_GROUP.MALE}",
            "denominator": "#{WF_WORKERS_GROUP}",
            "factor": "100",
            "decimals": "2",
            "unit": "%",
            "migrant_scope": "included",
            "scope": "全部产业工人（含农民工）",
            "is_active": "on",
            "higher_is_better": "on",
        },
    )

    assert response.status_code == 302
    assert Indicator.objects.filter(code="MALE_SHARE", numerator="#{WF_WORKERS_GROUP.MALE}").exists()
    pivot = client.get(
        reverse("analytics:pivot"),
        {"measure": "indicator:MALE_SHARE", "org": tree.ent_b1.pk, "level": "self", "period_from": "2021"},
    )
    assert pivot.context["pivot"].total.cells[0].figure.display == "50.00%"


def test_office_sets_a_target(client, tree, data):
    login(client, office(tree))
    response = client.post(reverse("analytics:target_set", args=["CERT_RATE"]), {"year": 2022, "value": "15"})

    assert response.status_code == 302
    assert IndicatorTarget.objects.get(indicator__code="CERT_RATE", year=2022).value == Decimal("15")


def test_office_enters_a_department_figure_with_scope_and_source(client, tree, data):
    login(client, office(tree))
    missing = client.post(
        reverse("analytics:external_list"),
        {
            "code": "HIGH_SKILLED_PROVINCE",
            "name": "全省高技能人才总量",
            "period": "2020",
            "value": "116",
            "unit": "万人",
            "scope": "",
            "source": "省人力资源社会保障厅",
        },
    )
    assert missing.status_code == 200 and not ExternalFigure.objects.exists()

    response = client.post(
        reverse("analytics:external_list"),
        {
            "code": "HIGH_SKILLED_PROVINCE",
            "name": "全省高技能人才总量",
            "period": "2020",
            "value": "116",
            "unit": "万人",
            "scope": "全省高技能人才（含非公企业和农民工）",
            "source": "省人力资源社会保障厅",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("analytics:external_list")).content.decode()
    assert "116万人" in page and "省人力资源社会保障厅" in page and "2020年度" in page


# --- Saved views ------------------------------------------------------------------------------------------------------


def test_saved_view_round_trip_and_sharing(client, tree, data):
    owner = office(tree)
    login(client, owner)
    params = {
        "measure": CERT,
        "org": str(tree.union_a.pk),
        "level": "children",
        "period_type": "year",
        "period_from": "2021",
        "period_to": "2021",
    }
    response = client.post(
        reverse("analytics:view_save"),
        {"name": "电网持证率", "shared": "on", "kind": "pivot", "query": json.dumps(params)},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(name="电网持证率")
    assert view.query["periods"] == {"type": "year", "from": "2021", "to": "2021"}

    opened = client.get(reverse("analytics:view_open", args=[view.pk]))
    assert opened.status_code == 302 and f"org={tree.union_a.pk}" in opened.url
    assert rows_of(client.get(opened.url))["昆明供电局"] == ["36.36%"]

    # Another user sees the shared view but not the owner's organisation outside their own scope.
    reporter = tree.user(Role.REPORTER, tree.ent_b1)
    login(client, reporter)
    assert "电网持证率" in client.get(reverse("analytics:views")).content.decode()
    opened = client.get(reverse("analytics:view_open", args=[view.pk]))
    assert f"org={tree.union_a.pk}" not in opened.url
    assert client.post(reverse("analytics:view_delete", args=[view.pk])).status_code == 403
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_private_view_is_invisible_to_others(client, tree, data):
    owner = office(tree)
    view = SavedView.objects.create(owner=owner, name="私人", query={"measure": CERT})
    login(client, make_user(role=Role.LEADER, org=tree.province))

    assert client.get(reverse("analytics:view_open", args=[view.pk])).status_code == 404
    assert client.post(reverse("analytics:view_delete", args=[view.pk])).status_code == 404
    assert "私人" not in client.get(reverse("analytics:views")).content.decode()


def test_navigation_offers_the_analytics_menu(client, tree, data):
    login(client, tree.user(Role.LEADER))
    body = client.get(reverse("analytics:dashboard")).content.decode()
    assert 'id="nav-analytics"' in body
    assert reverse("analytics:external_list") not in body  # the office's page only

    login(client, office(tree))
    assert reverse("analytics:external_list") in client.get(reverse("analytics:dashboard")).content.decode()


@pytest.mark.parametrize(("where", "status"), [("assigned", 200), ("not_assigned", 404)])
def test_department_viewer_sees_only_its_assigned_enterprises(client, tree, data, where, status):
    org = {"assigned": tree.ent_a1, "not_assigned": tree.ent_a2}[where]
    login(client, tree.user(Role.DEPT_VIEWER))

    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "org": org.pk, "period_from": "2021"})
    assert response.status_code == status
    default = client.get(reverse("analytics:pivot"), {"measure": CERT, "level": "self", "period_from": "2021"})
    assert default.context["answer"].root_id == tree.ent_a1.pk


# --- Growth against a baseline and year-on-year (issue 4) -------------------------------------------------------


def changes_of(response) -> dict[str, list[str]]:
    """Pivot rows (and 合计) as {name: [each cell's change display]}."""
    layout = response.context["pivot"]
    return {r.name: [c.change.display if c.change else "" for c in r.cells] for r in [*layout.rows, layout.total]}


def test_pivot_year_on_year_puts_each_rates_change_in_points_under_it(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"),
        {"measure": CERT, "org": tree.union_a.pk, "level": "children", "period_from": "2021", "compare": "yoy"},
    )

    assert response.status_code == 200
    changes = changes_of(response)
    assert changes["昆明供电局"] == ["+6.36个百分点"]  # 36.36% (400 / 1100) against 30.00% (300 / 1000)
    assert changes["曲靖供电局"] == ["+0.00个百分点"]
    assert changes["合计"] == ["+4.56个百分点"]  # 27.06% (460 / 1700) against 22.50% (360 / 1600)
    body = response.content.decode()
    assert "同比 +6.36个百分点" in body
    assert "同比（与上年同期比较）" in body
    assert "比率的变化以百分点表示" in body


def test_pivot_growth_of_an_amount_against_a_baseline_is_in_percent(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"),
        {
            "measure": "element:WF_WORKERS",
            "org": tree.union_a.pk,
            "level": "children",
            "period_from": "2021",
            "compare": "baseline",
            "baseline": "2020",
        },
    )

    changes = changes_of(response)
    assert changes["昆明供电局"] == ["+6.67%"]  # 1,600 against 1,500
    assert changes["合计"] == ["+4.55%"]  # 2,300 against 2,200
    assert "较2020年度 +6.67%" in response.content.decode()
    # The comparison is carried along by the links that change one thing (drill-down, export, crumbs).
    assert "baseline=2020" in response.context["export_url"]


def test_a_baseline_typed_in_alone_means_comparing_with_it(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"),
        {"measure": CERT, "org": tree.union_a.pk, "period_from": "2021", "baseline": "2020"},
    )

    assert changes_of(response)["合计"] == ["+4.56个百分点"]


@pytest.mark.parametrize(
    ("baseline", "message"),
    [
        ("215", "基期“215”不是有效的报告期代码，应为 2015、2015H2 或 2015Q4 这样的形式。"),
        ("2015Q4", "基期2015年第四季度与所比较的报告期类型不同：请选择年度报告期作基期，如 2015。"),
        ("2022", "基期2022年度晚于所比较的最早报告期2021年度，请选择更早的报告期。"),
        ("", "请选择基期，如 2015（“十二五”末）。"),
    ],
)
def test_a_bad_baseline_is_a_chinese_error_on_the_field(client, tree, data, baseline, message):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"),
        {"measure": CERT, "period_from": "2021", "compare": "baseline", "baseline": baseline},
    )

    assert response.status_code == 200
    assert response.context["answer"] is None
    assert response.context["form"].errors["baseline"] == [message]
    assert message in response.content.decode()


def test_a_baseline_without_data_says_so_and_shows_no_change(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"),
        {"measure": CERT, "org": tree.union_a.pk, "period_from": "2021", "baseline": "2015"},
    )

    assert changes_of(response)["合计"] == ["—"]
    assert "基期2015年度没有可比数据，无法计算增长。" in response.content.decode()


def test_pivot_export_writes_each_change_beside_its_figure(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot_export"),
        {"measure": CERT, "org": tree.union_a.pk, "level": "children", "period_from": "2021", "compare": "yoy"},
    )

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[3]]
    assert header == [
        "单位 / 分组", "2021年度（%）", "2021年度 同比（百分点）", "2021年度 分子", "2021年度 分母",
        "2021年度 已验收/应报（家）",
    ]  # fmt: skip
    rows = {sheet.cell(row=r, column=1).value: r for r in range(4, 7)}
    assert sheet.cell(row=rows["昆明供电局"], column=3).value == pytest.approx(6.36)
    assert sheet.cell(row=rows["合计"], column=3).value == pytest.approx(4.56)
    assert sheet.cell(row=rows["合计"], column=3).number_format == "+0.00;-0.00;0.00"
    assert sheet.cell(row=rows["合计"], column=4).value == 460
    notes = [sheet.cell(row=r, column=1).value for r in range(8, sheet.max_row + 1)]
    assert any(n and n.startswith("对比：同比（与上年同期比较）") for n in notes)
    entry = AuditEntry.objects.get(event="analytics.pivot.export")
    assert entry.detail["compare"] == "yoy"


def test_pivot_export_of_an_amounts_growth_uses_a_percent_format(client, tree, data):
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot_export"),
        {"measure": "element:WF_WORKERS", "org": tree.union_a.pk, "period_from": "2021", "baseline": "2020"},
    )

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[3]][:3] == ["单位 / 分组", "2021年度（人）", "2021年度 较2020年度（%）"]
    total = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "合计")
    assert sheet.cell(row=total, column=3).value == pytest.approx(4.55)
    assert sheet.cell(row=total, column=3).number_format == '+0.00"%";-0.00"%";0.00"%"'


def test_saved_view_keeps_the_comparison(client, tree, data):
    login(client, office(tree))
    params = {"measure": CERT, "period_type": "year", "period_from": "2021", "period_to": "2021",
              "compare": "baseline", "baseline": "2020"}  # fmt: skip
    client.post(reverse("analytics:view_save"), {"name": "对比", "kind": "pivot", "query": json.dumps(params)})

    view = SavedView.objects.get(name="对比")
    assert (view.query["compare"], view.query["baseline"]) == ("baseline", "2020")
    opened = client.get(reverse("analytics:view_open", args=[view.pk]))
    assert "baseline=2020" in opened.url and "compare=baseline" in opened.url


# --- Per-organisation targets (issue 4) ---------------------------------------------------------------------------


def test_office_sets_a_target_for_one_organisation_and_the_list_shows_it(client, tree, data):
    login(client, office(tree))
    response = client.post(
        reverse("analytics:target_set", args=["CERT_RATE"]), {"year": 2021, "value": "20", "org": "U-A"}
    )

    assert response.status_code == 302
    target = IndicatorTarget.objects.get(indicator__code="CERT_RATE", year=2021)
    assert (target.org, target.value) == (tree.union_a, Decimal("20"))
    entry = AuditEntry.objects.get(event="analytics.target.set")
    assert entry.object_id == str(target.pk)
    page = client.get(reverse("analytics:indicator_detail", args=["CERT_RATE"]))
    body = page.content.decode()
    assert 'data-org="U-A"' in body and "云南电网" in body
    assert "已设定云南电网2021年目标。" in body
    # The picker offers the organisations of the office's scope that report: unions, their enterprises …
    suggestions = dict(page.context["target_form"].org_suggestions())
    assert suggestions["U-A"] == "云南电网" and suggestions["E-A1"] == "昆明供电局"
    assert "D-SASAC" not in suggestions  # … not a member department


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE", "适用机构：机构代码“NOPE”不存在或不在您的管理范围内。"),
        ("D-SASAC", "“省国资委”不填报统计数据，不能为其设定目标。"),
    ],
)
def test_a_target_for_an_unknown_or_non_reporting_organisation_is_refused(client, tree, data, code, message):
    login(client, office(tree))
    response = client.post(
        reverse("analytics:target_set", args=["CERT_RATE"]), {"year": 2021, "value": "20", "org": code}, follow=True
    )

    assert message in response.content.decode()
    assert not IndicatorTarget.objects.exists()
    assert not AuditEntry.objects.filter(event="analytics.target.set").exists()


def test_an_organisations_own_target_wins_over_the_provinces_on_its_dashboard_and_pivot(client, tree, data):
    indicator = Indicator.objects.get(code="CERT_RATE")
    IndicatorTarget.objects.create(indicator=indicator, year=2021, value=Decimal("30"))
    IndicatorTarget.objects.create(indicator=indicator, year=2021, org=tree.union_a, value=Decimal("25"))

    login(client, tree.user(Role.UNION_ADMIN, tree.union_a))
    tile = next(
        t["tile"]
        for t in client.get(reverse("analytics:dashboard")).context["tiles"]
        if t["tile"].indicator == "CERT_RATE"
    )
    assert (tile.display, tile.target_display, tile.target_met) == ("27.06%", "25.00%", True)
    own = client.get(reverse("analytics:pivot"), {"measure": CERT, "org": tree.union_a.pk, "period_from": "2021"})
    assert [t.display if t else None for t in own.context["pivot"].targets] == ["25.00%"]
    assert "云南电网目标" in own.content.decode()

    login(client, tree.user(Role.LEADER))
    tile = next(
        t["tile"]
        for t in client.get(reverse("analytics:dashboard")).context["tiles"]
        if t["tile"].indicator == "CERT_RATE"
    )
    assert (tile.display, tile.target_display, tile.target_met) == ("23.81%", "30.00%", False)
    other = client.get(reverse("analytics:pivot"), {"measure": CERT, "org": tree.union_b.pk, "period_from": "2021"})
    assert [t.display if t else None for t in other.context["pivot"].targets] == ["30.00%"]
    assert "全省目标" in other.content.decode()
    export = client.get(
        reverse("analytics:pivot_export"), {"measure": CERT, "org": tree.union_a.pk, "period_from": "2021"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    target_row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "年度目标")
    assert sheet.cell(row=target_row, column=2).value == pytest.approx(25)


def test_indicator_page_shows_only_targets_in_scope(client, tree, data):
    """Regression (issue 10): any data viewer saw every organisation's targets on the indicator page."""
    indicator = Indicator.objects.get(code="CERT_RATE")
    IndicatorTarget.objects.create(indicator=indicator, year=2021, value=Decimal("30"), note="全省目标说明")
    IndicatorTarget.objects.create(indicator=indicator, year=2021, org=tree.union_a, value=Decimal("25"), note="甲")
    IndicatorTarget.objects.create(indicator=indicator, year=2021, org=tree.union_b, value=Decimal("26"), note="乙")
    url = reverse("analytics:indicator_detail", args=["CERT_RATE"])

    def shown(user):
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        return sorted(t.note for t in response.context["targets"]), 'data-org="U-B"' in body

    assert shown(office(tree)) == (["乙", "全省目标说明", "甲"], True)
    assert shown(tree.user(Role.UNION_ADMIN, tree.union_a)) == (["全省目标说明", "甲"], False)
    # Only targets inside the scope: a reporter below union B does not see its union's target either.
    assert shown(tree.user(Role.REPORTER, tree.ent_b1)) == (["全省目标说明"], False)
    assert shown(tree.user(Role.UNION_ADMIN, tree.union_b)) == (["乙", "全省目标说明"], True)


# --- Drill-through in a prefecture's view (issue 4) --------------------------------------------------------------


def test_drill_through_from_an_enterprise_row_of_a_prefecture_lists_only_that_prefectures_reports(client, tree, data):
    # 昆明供电局 (昆明) has a unit located in 曲靖: in 曲靖's view the enterprise's row holds the unit's report only.
    tree.unit_a1.region_id = "530300"
    tree.unit_a1.save(update_fields=["region_id"])
    accepted_report(tree, data, "2021", tree.unit_a1, nonmigrant=200, migrant=0, certified=50, college=10)
    login(client, office(tree))
    response = client.get(
        reverse("analytics:pivot"), {"measure": CERT, "region": "530300", "level": "enterprise", "period_from": "2021"}
    )

    row = next(r for r in response.context["pivot"].rows if r.name == "昆明供电局")
    assert row.cells[0].figure.display == "25.00%"  # the unit's 50 / 200, not the enterprise's 450 / 1300
    assert "region=530300" in row.cells[0].drill_url
    drill = client.get(row.cells[0].drill_url)
    assert [r["row"].org_name for r in drill.context["rows"]] == ["修试所"]
    assert drill.context["region_name"] == "曲靖市"
    # Going down a level stays in the prefecture as well, so the rows add up to the one clicked.
    assert "region=530300" in row.down_url
    assert set(rows_of(client.get(row.down_url))) == {"修试所"}

    kunming = client.get(
        reverse("analytics:pivot"), {"measure": CERT, "region": "530100", "level": "enterprise", "period_from": "2021"}
    )
    row = next(r for r in kunming.context["pivot"].rows if r.name == "昆明供电局")
    drill = client.get(row.cells[0].drill_url)
    assert [r["row"].org_name for r in drill.context["rows"]] == ["昆明供电局"]


# --- A department viewer with several assigned enterprises (issue 4) -------------------------------------------------


@pytest.fixture
def two_assignments(tree):
    import datetime as dt

    from orgs import services as org_services
    from orgs.tests.factories import SYSTEM

    org_services.assignment_create(
        by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=dt.date(2020, 1, 1)
    )
    return tree.user(Role.DEPT_VIEWER)


@pytest.mark.parametrize("level", ["children", "self"])
def test_department_viewer_sees_all_assigned_enterprises_by_default_with_a_total(
    client, tree, data, two_assignments, level
):
    login(client, two_assignments)
    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "level": level, "period_from": "2021"})

    assert response.status_code == 200
    answer = response.context["answer"]
    assert answer.root_id is None
    assert answer.root_name == "全部挂钩帮带企业（共 2 家）"
    assert rows_of(response) == {"昆明供电局": ["36.36%"], "云南铜业股份": ["10.00%"]}
    total = response.context["pivot"].total.cells[0]
    assert total.figure.display == "29.33%"  # (400 + 40) / (1100 + 400)
    assert "曲靖供电局" not in response.content.decode()
    # The figure's reports: both enterprises', nobody else's.
    drill = client.get(total.drill_url)
    assert sorted(r["row"].org_name for r in drill.context["rows"]) == ["云南铜业股份", "昆明供电局"]
    # They can pick one.
    tops = response.context["tops"]
    assert [(t["name"], t["current"]) for t in tops] == [
        ("全部挂钩帮带企业（共 2 家）", True), ("昆明供电局", False), ("云南铜业股份", False),
    ]  # fmt: skip
    one = client.get(tops[2]["url"])
    assert one.context["answer"].root_id == tree.ent_b1.pk
    assert one.context["pivot"].total.cells[0].figure.display == "10.00%"
    assert [c["name"] for c in one.context["crumbs"]] == ["全部挂钩帮带企业（共 2 家）", "云南铜业股份"]


def test_department_viewers_dashboard_covers_all_assigned_enterprises(client, tree, data, two_assignments):
    login(client, two_assignments)
    response = client.get(reverse("analytics:dashboard"))

    board = response.context["board"]
    assert board.root_id is None and board.root_name == "全部挂钩帮带企业（共 2 家）"
    tile = next(t["tile"] for t in response.context["tiles"] if t["tile"].indicator == "CERT_RATE")
    assert tile.display == "29.33%"
    assert [name for _id, name, _v, _d in tile.weakest] == ["云南铜业股份", "昆明供电局"]
    picked = client.get(reverse("analytics:dashboard"), {"org": tree.ent_a1.pk})
    tile = next(t["tile"] for t in picked.context["tiles"] if t["tile"].indicator == "CERT_RATE")
    assert tile.display == "36.36%"
    assert client.get(reverse("analytics:dashboard"), {"org": tree.ent_a2.pk}).status_code == 404


def test_the_baseline_is_chosen_from_the_periods_that_exist(client, tree, data):
    login(client, office(tree))
    response = client.get(reverse("analytics:pivot"), {"measure": CERT, "period_from": "2021"})

    html = response.content.decode()
    select = html[html.index('name="baseline"') - 200 : html.index("</select>", html.index('name="baseline"'))]
    assert "<select" in select and 'value="2020"' in select and "2020年度" in select
    assert 'type="text"' not in select
