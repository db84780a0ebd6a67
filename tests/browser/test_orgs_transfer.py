"""The office imports organisations in Chromium: from the user menu to the import page, downloads the export,
uploads it with a new organisation and a move, reads the preview, confirms; on a phone the page fits.

Screenshots (1366×768 and 390 px) go to build/screenshots/orgs-transfer-*.png.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.models import Organisation, OrgLink
from orgs.tests.factories import make_tree, make_user
from orgs.transfer.columns import SHEET
from tests.browser.helpers import DESKTOP, PHONE, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, settings, tmp_path):
    settings.ORG_IMPORT_DIR = tmp_path / "org-imports"
    tree = make_tree()
    make_user("office_transfer", role=Role.OFFICE_ADMIN, org=tree.office, full_name="王管理")
    return tree


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_uploads_previews_and_confirms(province, live_server, page: Page, tmp_path):
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "office_transfer")

    page.locator("#user-menu").click()
    page.get_by_role("link", name="组织机构导入导出").click()
    expect(page.locator("h1")).to_have_text("组织机构导入导出")
    shot(page, "orgs-transfer-", "1-page")

    with page.expect_download() as info:
        page.locator("#export-xlsx").click()
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    sheet = book[SHEET]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "E-A2":
            row[4].value = "U-B"  # move 曲靖供电局 to the other union
    sheet.append(["E-B9", "新建铜业分公司", "", "企业", "U-B", "", "B", "", "", "2021-01-01", None, ""])
    path = tmp_path / "机构.xlsx"
    book.save(path)

    page.locator("#id_file").set_input_files(str(path))
    page.locator("#id_on").fill("2021-07-01")
    page.locator("#upload-submit").click()
    expect(page.locator("h1")).to_have_text("导入预览：请核对后确认")
    expect(page.locator("#count-create")).to_have_text("1")
    expect(page.locator("#count-move")).to_have_text("1")
    expect(page.locator("#plan-moves")).to_contain_text("曲靖供电局")
    expect(page.locator("#plan-creates")).to_contain_text("新建铜业分公司")
    shot(page, "orgs-transfer-", "2-preview")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "orgs-transfer-", "3-preview-phone")
    page.set_viewport_size(DESKTOP)

    page.locator("#confirm-import").click()
    expect(page.locator(".alert-success")).to_contain_text("导入完成：新增 1 个、修改 0 个、迁移 1 个")
    assert Organisation.objects.get(code="E-B9").get_parent().code == "U-B"
    assert OrgLink.objects.filter(org__code="E-A2").count() == 2
    shot(page, "orgs-transfer-", "4-done")
    assert errors == []
