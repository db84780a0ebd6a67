"""What the office and a leader found walking through the analysis pages: figures no report collected are
无数据 (not 0), every figure says how many of the reports due are accepted, counts are not ranked as
weakest, drill-down goes province → prefecture → enterprise, the measure picker is grouped, years offered
have data, drill-through names the data items, and numbers are written the Chinese way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from analytics import engine
from analytics.choices import Level
from analytics.engine import Query
from analytics.tests.helpers import accepted_report, office

pytestmark = pytest.mark.django_db

CERT = "indicator:CERT_RATE"
QUARTERLY = {  # what the quarterly short form asks: the workforce, no certificates or education
    ("WF_WORKERS", ""): 1000,
    ("WF_WORKERS_GROUP", "NONMIGRANT.MALE"): 300,
    ("WF_WORKERS_GROUP", "NONMIGRANT.FEMALE"): 300,
    ("WF_WORKERS_GROUP", "MIGRANT.MALE"): 200,
    ("WF_WORKERS_GROUP", "MIGRANT.FEMALE"): 200,
}


def ask(tree, measure, **kwargs):
    kwargs.setdefault("periods", ("2021",))
    return engine.answer(office(tree), Query(measure=measure, **kwargs))


@pytest.fixture
def quarter(tree, wf):
    """2026Q2 quarterly reports of A1 (昆明) and A2 (曲靖): workforce only."""
    _wf_y, wf_q = wf
    accepted_report(tree, wf_q, "2026Q2", tree.ent_a1, values=dict(QUARTERLY))
    accepted_report(tree, wf_q, "2026Q2", tree.ent_a2, values=dict(QUARTERLY))
    return wf_q


# --- 1. Not collected is 无数据, not 0 ------------------------------------------------------------------------


def test_a_rate_whose_numerator_the_form_does_not_collect_is_no_data_not_zero(tree, quarter):
    result = ask(tree, CERT, level=Level.PREFECTURE, periods=("2026Q2",))

    figures = [*result.totals, *result.rows]
    assert figures, "the denominator was collected: the rows are there"
    for figure in figures:
        assert figure.value is None
        assert figure.numerator is None
        assert figure.no_data is True
        assert figure.display == "无数据"
    assert any("无数据" in note for note in result.notes)
    workers = ask(tree, "indicator:WORKERS_TOTAL", periods=("2026Q2",)).totals[0]
    assert (workers.value, workers.no_data) == (Decimal(2000), False)


def test_a_rate_collected_as_zero_stays_zero(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=600, migrant=0, certified=0)

    total = ask(tree, CERT).totals[0]

    assert (total.value, total.no_data, total.display) == (Decimal("0.00"), False, "0.00%")


def test_the_map_draws_not_collected_prefectures_grey_with_a_legend_entry(client, tree, quarter):
    client.force_login(office(tree))
    response = client.get(reverse("analytics:map"), {"measure": CERT, "period": "2026Q2"})

    spec = response.context["spec"]
    assert all(v is None for v in spec["series"][0]["values"])
    assert "0.00%" not in spec["series"][0]["labels"]
    body = response.content.decode()
    assert 'id="map-no-data"' in body
    assert "0.00%" not in body


def test_the_api_says_no_data_with_a_null_value(client, tree, quarter):
    client.force_login(office(tree))
    response = client.get("/api/v1/analytics/query/", {"measure": CERT, "level": "prefecture", "periods": "2026Q2"})

    assert response.status_code == 200, response.content
    total = response.json()["totals"][0]
    assert (total["value"], total["no_data"], total["display"]) == (None, True, "无数据")


# --- 2. Coverage with every figure ------------------------------------------------------------------------------


def test_every_figure_carries_how_many_of_the_reports_due_are_accepted(tree, wf):
    _wf_y, wf_q = wf
    # Three enterprises must report the quarter; only 昆明供电局's report is accepted, 曲靖's is submitted.
    accepted_report(tree, wf_q, "2026Q2", tree.ent_a1, values=dict(QUARTERLY))
    accepted_report(tree, wf_q, "2026Q2", tree.ent_a2, values=dict(QUARTERLY), status="submitted")

    result = ask(tree, "indicator:WORKERS_TOTAL", level=Level.PREFECTURE, periods=("2026Q2",))

    total = result.totals[0]
    assert (total.accepted, total.due) == (1, 3)
    assert total.partial and total.coverage_label == "已验收 1/3 家"
    kunming = next(f for f in result.rows if f.group == "region:530100")
    assert (kunming.accepted, kunming.due, kunming.partial) == (1, 1, False)
    by_union = ask(tree, "indicator:WORKERS_TOTAL", level=Level.CHILDREN, org=tree.union_a.pk, periods=("2026Q2",))
    assert (by_union.totals[0].accepted, by_union.totals[0].due) == (1, 2)  # A1 and A2 are union A's


def test_coverage_is_in_the_api_answer(client, tree, quarter):
    client.force_login(office(tree))
    response = client.get("/api/v1/analytics/query/", {"measure": "indicator:WORKERS_TOTAL", "periods": "2026Q2"})

    total = response.json()["totals"][0]
    assert (total["accepted"], total["due"], total["coverage"]) == (2, 3, "已验收 2/3 家")


def test_the_pivot_shows_coverage_and_the_export_has_a_coverage_column(client, tree, quarter):
    import io

    from openpyxl import load_workbook

    client.force_login(office(tree))
    params = {"measure": "indicator:WORKERS_TOTAL", "period_type": "quarter", "period_from": "2026Q2",
              "period_to": "2026Q2", "level": "prefecture"}  # fmt: skip
    body = client.get(reverse("analytics:pivot"), params).content.decode()
    assert "已验收 2/3 家" in body

    export = client.get(reverse("analytics:pivot_export"), params)
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("已验收" in t for t in texts)
    assert "2/3" in texts


def test_the_map_tooltip_and_table_show_coverage(client, tree, quarter):
    client.force_login(office(tree))
    response = client.get(reverse("analytics:map"), {"measure": "indicator:WORKERS_TOTAL", "period": "2026Q2"})

    notes = response.context["spec"]["series"][0]["notes"]  # what the tooltip adds after each figure
    assert "已验收 1/1 家" in notes
    assert "已验收 2/3 家" in response.content.decode()


def test_chart_labels_carry_coverage(client, tree, quarter):
    client.force_login(office(tree))
    response = client.get(
        reverse("analytics:charts"),
        {"measure": "indicator:WORKERS_TOTAL", "period_type": "quarter", "period_from": "2026Q2",
         "period_to": "2026Q2", "level": "prefecture"},
    )  # fmt: skip

    notes = [note for series in response.context["spec"]["series"] for note in series["notes"]]
    assert notes and all(note.startswith("已验收") for note in notes)
    assert "已验收 2/3 家" in response.content.decode()


@pytest.fixture
def years(tree, wf):
    """2020: only 昆明供电局 accepted (1 of 3 due); 2021: all three."""
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a1, nonmigrant=1000, migrant=0, certified=100)
    for org, size in ((tree.ent_a1, 1000), (tree.ent_a2, 300), (tree.ent_b1, 50)):
        accepted_report(tree, wf_y, "2021", org, nonmigrant=size, migrant=0, certified=size // 5)
    return wf_y


def _tile(client, code):
    return next(t for t in client.get(reverse("analytics:dashboard")).context["tiles"] if t["tile"].indicator == code)


def test_the_dashboard_marks_a_trend_point_whose_coverage_changed(client, tree, years):
    client.force_login(office(tree))
    item = _tile(client, "CERT_RATE")

    assert item["coverage"] == "已验收 3/3 家"
    assert item["tile"].trend_coverage[-2:] == [("2020", (1, 3)), ("2021", (3, 3))]
    assert item["spec"]["series"][0]["marks"][-1]  # the 2021 point is marked
    assert not item["spec"]["series"][0]["marks"][0]
    assert item["spec"]["series"][0]["notes"][-1] == "已验收 3/3 家"
    assert any("2020年 1 家" in change for change in item["coverage_changes"])
    body = client.get(reverse("analytics:dashboard")).content.decode()
    assert "覆盖范围变化" in body


def test_the_dashboard_export_has_coverage(client, tree, years):
    import io

    from openpyxl import load_workbook

    client.force_login(office(tree))
    export = client.get(reverse("analytics:dashboard_export"))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    header = [c.value for c in sheet[3]]
    assert "已验收/应报（家）" in header
    column = header.index("已验收/应报（家）") + 1
    assert "3/3" in [sheet.cell(row=r, column=column).value for r in range(4, sheet.max_row + 1)]


# --- 3. Counts are not ranked as weakest ---------------------------------------------------------------------


def test_a_headcount_tile_lists_the_largest_not_the_weakest(client, tree, years):
    client.force_login(office(tree))
    workers = _tile(client, "WORKERS_TOTAL")
    rate = _tile(client, "CERT_RATE")

    assert workers["tile"].weakest == []
    assert [w["name"] for w in workers["weakest"]][:1] == ["昆明供电局"]  # the largest first
    assert workers["ranked_title"].startswith("规模最大")
    assert rate["ranked_title"].startswith("最弱")
    assert rate["tile"].weakest
    body = client.get(reverse("analytics:dashboard")).content.decode()
    section = body[body.index('data-indicator="WORKERS_TOTAL"') :]
    section = section[: section.index("</section>")]
    assert "最弱" not in section


# --- 4. Drill-down defaults: province → prefecture → enterprise ------------------------------------------------


def test_the_dashboard_opens_the_pivot_by_prefecture_not_on_one_category_row(client, tree, years):
    client.force_login(office(tree))
    item = _tile(client, "CERT_RATE")

    assert "level=prefecture" in item["pivot_url"]
    rows = client.get(item["pivot_url"]).context["pivot"].rows
    assert len(rows) > 1
    assert {r.name for r in rows} >= {"昆明市", "曲靖市"}
    kunming = next(r for r in rows if r.name == "昆明市")
    assert "level=enterprise" in kunming.down_url  # and on to the prefecture's enterprises


@pytest.mark.parametrize("page", ["analytics:pivot", "analytics:charts"])
def test_the_pages_open_on_a_breakdown_by_prefecture_for_the_province(client, tree, years, page):
    client.force_login(office(tree))
    response = client.get(reverse(page), {"measure": CERT})

    assert response.context["answer"].query.level == Level.PREFECTURE
    if page == "analytics:charts":
        assert len(response.context["spec"]["categories"]) > 1
    client.force_login(tree.user("union_admin", tree.union_a))
    below = client.get(reverse(page), {"measure": CERT})
    assert below.context["answer"].query.level == Level.CHILDREN  # a union: its enterprises


# --- 7. Drill-through headers name the data items ----------------------------------------------------------------


def test_drill_through_headers_name_the_data_items_not_their_references(client, tree, years):
    client.force_login(office(tree))
    response = client.get(reverse("analytics:drill_through"), {"measure": CERT, "period": "2021"})

    body = response.content.decode()
    head = body[body.index("<thead") : body.index("</thead>")]
    assert "持有技能等级证书人数" in head
    assert "产业工人构成（非农民工）" in head
    assert "#{" not in body


# --- 6. Only years with accepted data are offered ---------------------------------------------------------------


def test_the_dashboard_offers_only_years_with_accepted_data_in_scope(client, tree, years, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2019", tree.ent_b1, nonmigrant=50, migrant=0)  # 中国铜业's only, not 云南电网's
    client.force_login(office(tree))
    offered = [y for y, _current, _url in client.get(reverse("analytics:dashboard")).context["years"]]
    assert offered == ["2021", "2020", "2019"]  # not 2018 and 2017, which have nothing

    client.force_login(tree.user("union_admin", tree.union_a))
    offered = [y for y, _current, _url in client.get(reverse("analytics:dashboard")).context["years"]]
    assert offered == ["2021", "2020"]
    assert client.get(reverse("analytics:dashboard"), {"year": "2019"}).status_code == 404


# --- 8. Numbers the Chinese way everywhere, with the indicator's decimals ------------------------------------------


def test_a_target_is_written_with_thousands_and_its_unit(client, tree, years):
    from analytics.models import Indicator, IndicatorTarget

    indicator = Indicator.objects.get(code="TRAINING_PERSON_TIMES")
    IndicatorTarget.objects.create(indicator=indicator, year=2021, value=Decimal("2935"))
    client.force_login(office(tree))
    body = client.get(reverse("analytics:indicator_detail", args=["TRAINING_PERSON_TIMES"])).content.decode()

    assert "2,935人次" in body
    assert "2935人次" not in body


def test_a_rate_with_one_decimal_keeps_it_on_the_dashboard_and_in_the_export(client, tree, years):
    import io

    from openpyxl import load_workbook

    from analytics.models import Indicator

    Indicator.objects.filter(code="CERT_RATE").update(decimals=1, version=F("version") + 1)
    client.force_login(office(tree))
    item = _tile(client, "CERT_RATE")
    assert item["spec"]["series"][0]["labels"][-1] == "20.0%"  # 270 / 1350, one decimal like the tile

    export = client.get(reverse("analytics:pivot_export"), {"measure": CERT, "period_from": "2021", "level": "self"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sheet["B4"].number_format == '0.0"%"'
    board = client.get(reverse("analytics:dashboard")).content.decode()
    assert "（0.00%）" in board  # the round's share, through core.formatting


# --- 5. The measure picker: grouped, each measure once, searchable ---------------------------------------------


def test_the_measure_picker_is_grouped_without_repeats_and_searchable(client, tree, wf):
    from analytics.forms import measure_choices

    choices = measure_choices()
    values = [value for _group, items in choices for value, _label in items]
    labels = [label for _group, items in choices for _value, label in items]
    groups = [group for group, _items in choices]

    assert len(values) == len(set(values))
    assert len(labels) == len(set(labels)), [label for label in labels if labels.count(label) > 1]
    assert "indicator:WORKERS_TOTAL" in values and "element:WF_WORKERS" not in values  # shown once, as indicator
    assert "element:WF_CERTIFIED" not in values or "indicator:CERT_RATE" in values
    assert "报表数据项 · 基本情况" in groups  # data items by the form's section, not one long list
    assert not any(group == "数据元" for group in groups)
    assert all(items for _group, items in choices)

    client.force_login(office(tree))
    body = client.get(reverse("analytics:pivot"), {"measure": CERT}).content.decode()
    assert "data-search=" in body
    assert "analytics/measure-search" in body
