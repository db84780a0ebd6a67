"""The office loads two past years from its own spreadsheet in Chromium: upload → mapping (one select per
column, one of them changed by hand) → preview → confirm; the report page then names the source. The mapping
page is also checked at 390 px wide. Screenshots go to build/screenshots/history-*.png."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.choices import ReportStatus
from reporting.models import Report
from reporting.tests.factories import at, load_workforce
from reporting.tests.test_history import ROWS, workbook
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch, settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = tmp_path / "imports"
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 1, 10)))
    tree = make_tree()
    load_workforce()
    make_user("office_history", role=Role.OFFICE_ADMIN, org=tree.province, full_name="王产改")
    return tree


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_uploads_maps_previews_and_confirms(province, live_server, page: Page, tmp_path):
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "office_history")
    page.goto(f"{base}/reporting/excel/")
    page.locator("#history-link").click()
    expect(page.get_by_role("heading", name="历史数据导入：往年统计表")).to_be_visible()
    headers = ["机构代码", "报告期", "产业工人总数", "培训次数"]
    path = tmp_path / "往年统计.xlsx"
    path.write_bytes(workbook([[r[0], r[2], r[3], r[8]] for r in ROWS], headers))
    page.locator("#id_dataset").select_option("WF_Y")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并核对列").click()

    expect(page.get_by_role("heading", name="核对每一列对应的数据项")).to_be_visible()
    workers = page.get_by_label("产业工人总数", exact=True)
    expect(workers).to_have_value("WF_WORKERS")
    training = page.get_by_label("培训次数", exact=True)
    expect(training).to_have_value("")
    training.select_option(label="职业技能培训人次")
    shot(page, "history", "mapping")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="预览")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="预览").click()

    expect(page.get_by_role("heading", name="导入预览：请核对后确认")).to_be_visible()
    expect(page.locator("#summary-reports")).to_contain_text("写入 6 份（新建 6 份）")
    shot(page, "history", "preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("历史数据导入成功")).to_be_visible()

    assert Report.objects.filter(status=ReportStatus.ACCEPTED).count() == 6
    report = Report.objects.get(org__code="E-A1", period__code="2019")
    page.goto(f"{base}/reporting/reports/{report.pk}/")
    expect(page.locator("#report-source")).to_contain_text("历史数据导入")
    expect(page.locator("#report-source")).to_contain_text("往年统计.xlsx")
    assert errors == []
