"""A leader opens the analysis pages in Chromium: the dashboard and the Yunnan map render with data,
a pivot table drills down from the province to an enterprise's subsidiary and back, a figure opens
the reports behind it, and the table downloads as a real .xlsx (and a chart as a PNG).

Screenshots (1366×768, the office screen, and 390 px, a phone) go to build/screenshots/analytics-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from analytics.models import Indicator, IndicatorTarget
from analytics.tests.helpers import accepted_report
from orgs.choices import OrgKind, Role
from orgs.tests.factories import make_org, make_tree, make_user
from reporting.tests.factories import at, load_workforce
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch):
    """Two unions with enterprises in six prefectures (one with a subsidiary), 2020 and 2021 accepted."""
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 3, 1)))
    tree = make_tree()
    wf_y, _wf_q = load_workforce()
    extra = [
        (tree.union_a, "玉溪供电局", "530400", 900, 300, 160, 210),
        (tree.union_a, "大理供电局", "532900", 700, 200, 70, 120),
        (tree.union_b, "红河锌业", "532500", 1500, 2500, 90, 150),
        (tree.union_b, "迪庆矿业", "533400", 300, 600, 20, 30),
    ]
    figures = {
        tree.ent_a1: (1200, 500, 300, 330),
        tree.ent_a2: (800, 400, 96, 160),
        tree.ent_b1: (1000, 1200, 110, 140),
    }
    tree.ent_b1.region_id = "530100"
    tree.ent_b1.save(update_fields=["region_id"])
    for union, name, region, nonmigrant, migrant, certified, college in extra:
        figures[make_org(union, name, OrgKind.ENTERPRISE, region_id=region)] = (nonmigrant, migrant, certified, college)
    for year, scale in (("2020", 0.9), ("2021", 1.0)):
        for org, (nonmigrant, migrant, certified, college) in figures.items():
            accepted_report(
                tree,
                wf_y,
                year,
                org,
                nonmigrant=nonmigrant,
                migrant=migrant,
                certified=int(certified * scale),
                college=college,
            )
        accepted_report(
            tree, wf_y, year, tree.unit_a1, nonmigrant=200, migrant=50, certified=int(40 * scale), college=30
        )
    IndicatorTarget.objects.create(indicator=Indicator.objects.get(code="CERT_RATE"), year=2021, value=15)
    IndicatorTarget.objects.create(indicator=Indicator.objects.get(code="COLLEGE_RATE"), year=2021, value=20)
    leader = make_user("sheng_lingdao", role=Role.LEADER, org=tree.province, full_name="张领导")
    return tree, leader


def rendered(page: Page, selector: str = ".analytics-chart") -> None:
    """Every chart on the page has been drawn (charts.js marks each one)."""
    charts = page.locator(selector)
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-rendered", "1", timeout=15000)
        expect(charts.nth(index).locator("canvas")).to_have_count(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_renders_key_indicators_with_data(province, live_server, page: Page):
    _tree, leader = province
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, leader.username)

    page.locator("#nav-analytics").click()
    page.get_by_role("link", name="领导驾驶舱").click()
    expect(page.locator("h1")).to_contain_text("领导驾驶舱 · 云南省")
    tile = page.locator('[data-indicator="CERT_RATE"]')
    # (300+96+110+160+70+90+20+40) / (1200+800+1000+900+700+1500+300+200): 886 / 6600
    expect(tile.locator("[data-value]")).to_have_text("13.42%")
    expect(tile).to_contain_text("目标 15.00%")
    expect(tile).to_contain_text("未达标")
    expect(page.locator("#dashboard-as-of")).to_contain_text("数据截至 2022-03-01")
    expect(page.locator("#completeness")).to_contain_text("2021年度")
    rendered(page)
    tile.locator("summary").click()
    expect(tile.locator(".weak-list li").first).to_contain_text("红河锌业6.00%")  # 90 / 1500
    shot(page, "analytics-", "dashboard")

    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "analytics-", "dashboard-phone", full=False)
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_renders_prefectures_and_a_click_lists_the_enterprises(province, live_server, page: Page):
    _tree, leader = province
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, leader.username)

    page.goto(f"{live_server.url}/analytics/map/?measure=indicator:CERT_RATE&period=2021")
    rendered(page)
    table = page.locator("#map-table")
    expect(table.locator('tr[data-region="533400"]')).to_contain_text("6.67%")  # 迪庆矿业 20 / 300
    expect(table.locator('tr[data-region="530600"]')).to_contain_text("无数据")
    # The canvas has drawn the map: many colours, not a blank card.
    colours = page.evaluate(
        """() => {
            const c = document.querySelector('#prefecture-map canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
            return seen.size;
        }"""
    )
    assert colours > 5
    shot(page, "analytics-", "map")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载图片（PNG）").click()
    png = Path(download_info.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"

    table.get_by_role("link", name="红河哈尼族彝族自治州").click()
    expect(page.locator("#pivot-table")).to_contain_text("红河锌业")
    expect(page.locator("#pivot-table tbody tr:not(.target-row)")).to_have_count(2)  # 红河锌业 and the total
    expect(page.locator("#target-row")).to_contain_text("15.00%")  # the province's 2021 target
    expect(page.locator("#target-row")).to_contain_text("全省目标")
    expect(page.locator("#drill-crumbs")).to_contain_text("红河哈尼族彝族自治州")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/analytics/map/?measure=indicator:CERT_RATE&period=2021")
    rendered(page)
    shot(page, "analytics-", "map-phone", full=False)
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_goes_from_the_dashboard_to_a_prefecture_and_its_enterprises(province, live_server, page: Page):
    _tree, leader = province
    errors = watch_errors(page)
    sign_in(page, live_server.url, leader.username)
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/analytics/")
        page.locator("#tile-CERT_RATE a").click()
        pivot = page.locator("#pivot-table")
        # The province opens by prefecture, with its coverage; a prefecture opens on its enterprises.
        expect(pivot.locator("tbody")).to_contain_text("昆明市")
        expect(pivot).to_contain_text("已验收")
        assert_accessible(page)
        shot(page, "analytics-", f"path-1-prefectures{suffix}")
        pivot.get_by_role("link", name="昆明市 ›").click()
        expect(pivot.locator("tbody")).to_contain_text("昆明供电局")
        expect(page.locator("#drill-crumbs li")).to_have_text(["云南省", "昆明市"])
        assert_accessible(page)
        shot(page, "analytics-", f"path-2-enterprises{suffix}")
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_drill_down_from_province_to_subsidiary_and_back(province, live_server, page: Page):
    tree, leader = province
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, leader.username)

    page.goto(f"{live_server.url}/analytics/pivot/?measure=indicator:CERT_RATE&period_from=2021&period_to=2021")
    pivot = page.locator("#pivot-table")
    # The province opens by prefecture (not on its few categories), each going on to its enterprises.
    expect(pivot.locator("tbody")).to_contain_text("昆明市")
    expect(page.get_by_label("行（汇总层级）")).to_have_value("prefecture")
    # The measure picker filters its options as one types.
    page.locator("input.measure-search").fill("农民工占比")
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('#id_measure option')).filter(o => !o.hidden).map(o => o.textContent)"
    )
    assert "农民工占比" in shown and "宣讲场次" not in shown
    page.goto(
        f"{live_server.url}/analytics/pivot/?measure=indicator:CERT_RATE&period_from=2021&period_to=2021&level=children"
    )
    pivot.get_by_role("link", name="省级产业系统公司 ›").click()
    pivot.get_by_role("link", name="云南电网 ›").click()
    expect(pivot).to_contain_text("玉溪供电局")
    pivot.get_by_role("link", name="昆明供电局 ›").click()
    expect(pivot.locator("tbody tr").first).to_contain_text("修试所")
    expect(pivot.locator("tbody")).to_contain_text("昆明供电局（本级）")
    expect(page.locator("#drill-crumbs li")).to_have_text(["云南省", "省级产业系统公司", "云南电网", "昆明供电局"])
    shot(page, "analytics-", "pivot")

    # The subsidiary's figure opens the report behind it.
    pivot.locator("tbody tr").first.locator("a.figure-link").click()
    expect(page.locator("h1")).to_contain_text("数据来源：持证率（技能等级证书）")
    expect(page.locator("#drill-table")).to_contain_text("修试所")
    expect(page.locator("#drill-table tbody tr").first).to_contain_text("40")
    shot(page, "analytics-", "drill-through")
    page.get_by_role("link", name="‹ 返回透视表").click()

    # And back up to the province through the breadcrumbs.
    page.goto(f"{live_server.url}/analytics/pivot/?measure=indicator:CERT_RATE&period_from=2021&org={tree.ent_a1.pk}")
    page.locator("#drill-crumbs").get_by_role("link", name="云南省").click()
    expect(pivot).to_contain_text("昆明市")  # the province by prefecture again
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_export_downloads_a_real_xlsx_and_charts_draw(province, live_server, page: Page):
    tree, leader = province
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, leader.username)

    page.goto(f"{live_server.url}/analytics/pivot/?measure=indicator:CERT_RATE&org={tree.union_a.pk}&level=children")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as fileobj:
        sheet = load_workbook(fileobj).active
    assert [c.value for c in sheet[3]][:2] == ["单位 / 分组", "2020年度（%）"]
    names = [sheet.cell(row=r, column=1).value for r in range(4, sheet.max_row + 1)]
    assert "昆明供电局" in names and "合计" in names
    assert any(str(n).startswith("口径：") for n in names)

    page.get_by_role("link", name="画成图表").click()
    page.get_by_label("图表类型").select_option("ranking")
    page.get_by_role("button", name="查询").click()
    rendered(page)
    shot(page, "analytics-", "chart-ranking")
    page.get_by_label("图表类型").select_option("line")
    page.get_by_role("button", name="查询").click()
    rendered(page)
    with page.expect_download() as png_info:
        page.get_by_role("button", name="下载图片（PNG）").click()
    assert Path(png_info.value.path()).read_bytes()[:4] == b"\x89PNG"
    shot(page, "analytics-", "chart-line")
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pivot_compares_year_on_year_and_against_a_baseline(province, live_server, page: Page):
    tree, leader = province
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, leader.username)

    page.goto(f"{live_server.url}/analytics/pivot/?measure=indicator:CERT_RATE&org={tree.union_a.pk}&period_from=2021")
    page.get_by_label("对比").select_option("yoy")
    page.get_by_role("button", name="查询").click()
    row = page.locator("#pivot-table tbody tr", has_text="昆明供电局")
    expect(row).to_contain_text("同比 +2.43个百分点")  # with its unit: 24.29% (340 / 1400) against 21.86% (306 / 1400)
    expect(page.locator("#pivot-table caption")).to_contain_text("同比（与上年同期比较）")
    shot(page, "analytics-", "pivot-yoy")

    page.get_by_label("对比").select_option("baseline")
    page.get_by_role("button", name="查询").click()  # no baseline chosen yet
    expect(page.locator("#baseline-error")).to_have_text("请选择基期，如 2015（“十二五”末）。")
    page.get_by_label("基期").select_option(label="2020年度")
    page.get_by_role("button", name="查询").click()
    expect(row).to_contain_text("较2020年度 +2.43个百分点")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    with open(download_info.value.path(), "rb") as fileobj:
        sheet = load_workbook(fileobj).active
    assert sheet.cell(row=3, column=3).value == "2021年度 较2020年度（百分点）"
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_department_viewer_sees_all_assigned_enterprises_and_picks_one(province, live_server, page: Page):
    from orgs import services as org_services
    from orgs.tests.factories import SYSTEM

    tree, _leader = province
    org_services.assignment_create(
        by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=dt.date(2020, 1, 1)
    )
    viewer = make_user("guoziwei_chakan", role=Role.DEPT_VIEWER, org=tree.dept, full_name="孙查看")
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, viewer.username)

    page.goto(f"{live_server.url}/analytics/pivot/?measure=indicator:CERT_RATE&period_from=2021")
    pivot = page.locator("#pivot-table")
    expect(pivot.locator("caption")).to_contain_text("全部挂钩帮带企业（共 2 家）")
    expect(pivot.locator("tbody tr:not(.total-row):not(.target-row)")).to_have_count(2)
    expect(pivot).to_contain_text("昆明供电局")
    expect(pivot).to_contain_text("云南铜业股份")
    expect(pivot).not_to_contain_text("曲靖供电局")
    shot(page, "analytics-", "dept-viewer-pivot")
    page.locator("#scope-picker").get_by_role("link", name="云南铜业股份").click()
    expect(pivot.locator("caption")).to_contain_text("云南铜业股份")
    expect(pivot.locator(".total-row")).to_contain_text("11.00%")  # 110 / 1000

    page.goto(f"{live_server.url}/analytics/")
    expect(page.locator("h1")).to_contain_text("全部挂钩帮带企业（共 2 家）")
    rendered(page)
    shot(page, "analytics-", "dept-viewer-dashboard")
    assert errors == []


@pytest.fixture
def demo_province(transactional_db, settings):
    from django.core.management import call_command

    settings.DEMO_MODE = True  # the demo accounts sign in only in demo mode
    call_command("load_demo", verbosity=0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_sees_the_speeches_figures_in_the_demo(demo_province, live_server, page: Page):
    from orgs.demo import DEMO_PASSWORD

    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, "leader", DEMO_PASSWORD)

    # The dashboard shows the latest accepted year (2021, the demo's assessed year); the speech quotes 2020.
    page.goto(f"{live_server.url}/analytics/")
    expect(page.locator('[data-indicator="WORKERS_TOTAL"] [data-value]')).to_contain_text("万人")
    expect(page.locator('[data-indicator="CERT_RATE"]')).to_contain_text("不含农民工")
    rendered(page)
    shot(page, "analytics-", "demo-dashboard")
    page.locator("#dashboard-years").get_by_role("link", name="2020年").click()  # the year the speech quotes
    expect(page.locator('[data-indicator="WORKERS_TOTAL"] [data-value]')).to_contain_text("730.75")
    expect(page.locator('[data-indicator="CERT_RATE"] [data-value]')).to_contain_text("13.71%")
    expect(page.locator('[data-indicator="COLLEGE_RATE"] [data-value]')).to_contain_text("25.16%")
    rendered(page)
    shot(page, "analytics-", "demo-dashboard-2020")
    for code, figure in (("WORKERS_TOTAL", "730.75万"), ("CERT_RATE", "13.71%"), ("COLLEGE_RATE", "25.16%")):
        page.goto(
            f"{live_server.url}/analytics/pivot/?measure=indicator:{code}&level=self&period_from=2020&period_to=2020"
        )
        expect(page.locator("#pivot-table .total-row td").last).to_contain_text(figure)

    page.goto(f"{live_server.url}/analytics/map/?measure=indicator:CERT_RATE&period=2020")
    rendered(page)
    expect(page.locator("#map-table .total-row")).to_contain_text("13.71%")
    shot(page, "analytics-", "demo-map")

    # All-worker rates are labelled as such: 38.16万 over 730.75万 is not the certification rate.
    page.goto(
        f"{live_server.url}/analytics/pivot/?measure=indicator:CERT_RATE_ALL&level=self&period_from=2020&period_to=2020"
    )
    expect(page.locator("#pivot-table caption")).to_contain_text("含农民工口径")
    expect(page.locator("#pivot-table .total-row td").last).to_contain_text("5.22%")
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_checks_an_expression_and_saves_the_indicator(province, live_server, page: Page):
    tree, _leader = province
    officer = make_user("chanbgai_zhibiao", role=Role.OFFICE_ADMIN, org=tree.office, full_name="钱指标")
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, officer.username)

    page.goto(f"{live_server.url}/analytics/indicators/")
    page.get_by_role("link", name="持证率（技能等级证书）").click()
    expect(page.locator("#definition")).to_contain_text("持有技能等级证书人数")
    page.get_by_role("link", name="修改定义").click()
    page.get_by_label("分母").fill("#{WF_WORKERS_GROUP.NONMIGRANT} +")
    page.get_by_role("button", name="检查表达式").click()
    expect(page.locator("#expr-check")).to_contain_text("✗ 分母：")
    page.get_by_label("分母").fill("#{WF_WORKERS_GROUP.NONMIGRANT}")
    page.get_by_role("button", name="检查表达式").click()
    expect(page.locator("#expr-check")).to_contain_text(
        "✓ 分母：#{WF_WORKERS_GROUP.NONMIGRANT} = 产业工人构成（非农民工）"
    )
    shot(page, "analytics-", "indicator-edit")
    page.get_by_label("说明", exact=True).fill("持有技能等级证书人数 ÷ 非农民工产业工人数（2021 年修订说明）。")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#definition")).to_contain_text("2021 年修订说明")

    page.get_by_label("年度").fill("2022")
    page.get_by_label("目标值").fill("16")
    page.get_by_role("button", name="设定目标").click()
    expect(page.locator("#targets")).to_contain_text("2022年")
    # A target of its own for one union, picked within the office's scope.
    page.get_by_label("年度").fill("2022")
    page.get_by_label("目标值").fill("18")
    page.get_by_label("适用机构").fill("U-A")
    page.get_by_role("button", name="设定目标").click()
    expect(page.locator('#targets tr[data-org="U-A"]')).to_contain_text("云南电网")
    expect(page.locator('#targets tr[data-org="U-A"]')).to_contain_text("18")
    shot(page, "analytics-", "indicator-targets")
    assert Indicator.objects.get(code="CERT_RATE").description.endswith("（2021 年修订说明）。")
    assert errors == []
