"""An enterprise reporter goes the Excel way in Chromium: finds the Excel page from the menu, downloads
the template, fills it (with openpyxl, as Excel would save it), uploads it, reads the preview and
confirms; then uploads a file with mistakes, reads every problem on the page and opens the
downloaded error workbook.

Screenshots (1366×768) go to build/screenshots/excel-*.png.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.models import DataValue, Report
from reporting.tests.excel_files import cell_rows, fill_single
from reporting.tests.factories import at, load_workforce, valid_values_y
from tests.browser.helpers import DESKTOP, FixedClock, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch, settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = tmp_path / "imports"
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 1, 10)))
    tree = make_tree()
    wf_y, _wf_q = load_workforce()
    make_user("kmgd_excel", role=Role.REPORTER, org=tree.ent_a1, full_name="李填报")
    return tree, wf_y


def download(page: Page, locator) -> bytes:
    with page.expect_download() as info:
        locator.click()
    return Path(info.value.path()).read_bytes()


def upload(page: Page, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.locator("#upload-file").set_input_files(str(path))
    page.locator("#upload-submit").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reporter_imports_a_template_and_reads_the_error_report(province, live_server, page: Page, tmp_path):
    tree, wf_y = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)

    sign_in(page, base, "kmgd_excel")

    # The menu leads to the Excel page of the open round.
    nav = page.get_by_role("navigation", name="主导航")
    nav.locator("#nav-reporting").click()
    nav.get_by_role("link", name="Excel 导入导出").click()
    row = page.locator("#excel-rounds tbody tr").filter(has_text="2021年度")
    expect(row).to_contain_text("昆明供电局")
    shot(page, "excel-", "1-home")
    row.get_by_role("link", name="Excel 填报").click()
    expect(page.locator("h1")).to_contain_text("产业工人队伍基本情况 · 2021年度")
    shot(page, "excel-", "2-import-page")

    # Download the blank template and fill it as a person would.
    blank = download(page, page.locator("#download-blank"))
    book = load_workbook(io.BytesIO(blank))
    assert book.sheetnames[:2] == ["填报数据", "说明"]
    rows = cell_rows(blank)
    values = {k: (int(v) if v.isdigit() else v) for k, v in valid_values_y().items()}
    values[("WF_EDU_FUND_EXTRACTED", "")] = "150,000"  # typed with a thousands separator

    upload(page, tmp_path, "昆明供电局2021.xlsx", fill_single(blank, values))
    expect(page.locator("h1")).to_have_text("导入预览：请核对后确认")
    expect(page.locator("#plan-changes")).to_have_text("60")
    expect(page.locator("#plan-notes")).to_contain_text("已去除千分位逗号")
    first = page.locator(".change-table tbody tr").first
    expect(first).to_contain_text("产业工人总数")
    expect(first.locator(".new-value")).to_have_text("1,000")
    assert not Report.objects.exists()
    shot(page, "excel-", "3-preview")

    page.locator("#confirm-import").click()
    expect(page.locator(".alert-success")).to_contain_text("导入成功：已保存 1 个单位的 60 个数值")
    expect(page.locator("#report-status")).to_have_text("草稿")
    assert DataValue.objects.filter(report__org=tree.ent_a1).exclude(value="").count() == 60
    shot(page, "excel-", "4-imported")

    # A second file with mistakes: every problem is listed, nothing is written.
    filled = download(page, page.locator("#download-filled"))
    bad = fill_single(
        filled,
        {("WF_WORKERS", ""): "一千", ("WF_CERTIFIED", ""): "1.2万", ("WF_TECH_STAFF", ""): 12.5},
    )
    before = sorted(DataValue.objects.values_list("element__code", "option_combo__key", "value"))
    upload(page, tmp_path, "有错误的文件.xlsx", bad)
    expect(page.locator("h1")).to_have_text("文件未通过检查，没有导入任何数据")
    expect(page.locator("#problems-summary")).to_contain_text("共发现 3 处问题")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text(f"第 {rows[('WF_WORKERS', '')]} 行 F 列")
    expect(problems.nth(0)).to_contain_text("是中文数字，请改用阿拉伯数字填写")
    expect(page.locator("#problems")).to_contain_text("不是整数")
    expect(page.locator("#problems")).to_contain_text("请换算成完整的数字")
    assert sorted(DataValue.objects.values_list("element__code", "option_combo__key", "value")) == before
    shot(page, "excel-", "5-errors")

    report = load_workbook(io.BytesIO(download(page, page.locator("#download-errors"))))
    assert report.sheetnames[0] == "错误清单"
    listed = list(report["错误清单"].iter_rows(min_row=3, values_only=True))
    assert len(listed) == 3
    wrong = report["填报数据"][f"F{rows[('WF_WORKERS', '')]}"]
    assert wrong.value == "一千"
    assert wrong.fill.fgColor.rgb.endswith("FF7C80")
    assert "中文数字" in wrong.comment.text
    assert not errors, errors
