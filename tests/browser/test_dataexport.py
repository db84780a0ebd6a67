"""The province export in Chromium: the office's administrator finds it in his own menu, starts it, follows the
job, and downloads a .zip that holds the tree as CSV and the data dictionary (1366×768, then 390 px).

Screenshots go to build/screenshots/dataexport_*.png.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from core.jobs import job_run
from core.models import Job
from dataexport import tasks
from dataexport.services import JOB_KIND
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tree = make_tree()
    make_user("chanbgai_guanli", role=Role.OFFICE_ADMIN, org=tree.office, full_name="赵管理")
    return tree


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_administrator_exports_the_province_and_downloads_it(province, live_server, page: Page):
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "chanbgai_guanli")
    page.locator("#user-menu").click()
    page.get_by_role("link", name="全省数据导出").click()
    expect(page.locator("h1")).to_have_text("全省数据导出")
    expect(page.locator("#export-list")).to_contain_text("还没有导出过")
    assert_accessible(page)
    shot(page, "dataexport_", "1_empty")
    page.get_by_role("button", name="开始导出").click()
    expect(page.locator("main")).to_contain_text("全省数据导出")  # the job's page

    job = Job.objects.get(kind=JOB_KIND)
    job_run(job_id=job.pk, work=lambda actor, job: tasks.run(actor, job.pk))  # what the worker does
    page.goto(f"{base}/dataexport/")
    link = page.locator("#export-list a").first
    expect(link).to_contain_text("全省数据导出-")
    shot(page, "dataexport_", "2_done")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        assert "数据说明.xlsx" in names
        text = archive.read("orgs_organisation.csv").decode("utf-8-sig")
    codes = {row["code"] for row in csv.DictReader(io.StringIO(text))}
    assert province.ent_a1.code in codes and province.province.code in codes

    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "dataexport_", "3_phone")
    assert errors == []
