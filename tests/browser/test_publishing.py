"""The newsletter in Chromium: an information officer submits an item on a phone (390 px); the office takes it,
puts it into a new issue, sets the distribution, finalises the issue (numbered 2021年第1期 总第39期), has the
Word and PDF files generated in the background and downloads both (1366×768).

Screenshots go to build/screenshots/publishing_*.png.
"""

from __future__ import annotations

import io

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from core.jobs import job_run
from core.models import Job
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from publishing import tasks
from publishing.models import Issue, Submission
from publishing.services.documents import JOB_KIND
from publishing.tests.factories import make_series
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tree = make_tree()
    make_user("kmgd_xinxi", role=Role.INFO_OFFICER, org=tree.ent_a1, full_name="刘信息")
    make_user("chanbgai_bianji", role=Role.OFFICE_ADMIN, org=tree.office, full_name="张编辑")
    make_series(tree)
    return tree


def _no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_takes_a_submission_into_an_issue_finalises_and_downloads_word_and_pdf(
    province, live_server, page: Page
):
    base = live_server.url
    errors = watch_errors(page)

    # The officer writes and submits on a phone.
    page.set_viewport_size(PHONE)
    sign_in(page, base, "kmgd_xinxi")
    page.goto(f"{base}/publishing/")
    expect(page.locator("#submission-list")).to_contain_text("还没有报送信息")
    page.get_by_role("link", name="新建报送信息").click()
    page.get_by_label("类别").select_option("news")
    page.get_by_label("标题").fill("昆明供电局举办配网带电作业技能比武")
    page.get_by_label("作者").fill("刘信息")
    page.get_by_label("正文").fill("5 月 10 日，昆明供电局举办技能比武。\n\n300 名职工参加。")
    _no_horizontal_scroll(page)
    assert_accessible(page)
    shot(page, "publishing_", "1_submission_form_390")
    page.get_by_role("button", name="保存并报送").click()
    expect(page.locator("#submission-status")).to_have_text("已报送")
    _no_horizontal_scroll(page)

    # The office opens a new issue, then takes the item on its desk and uses it in the issue.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "chanbgai_bianji")
    page.goto(f"{base}/publishing/issues/")
    page.get_by_label("日期").fill("2021-08-02")
    page.get_by_label("编者按").fill("现将昆明供电局技能比武情况印发给大家。")
    page.get_by_role("button", name="新建").click()
    expect(page.locator("#issue-status")).to_have_text("草稿")
    page.goto(f"{base}/publishing/office/")
    assert_accessible(page)
    shot(page, "publishing_", "2_office")
    page.get_by_role("link", name="昆明供电局举办配网带电作业技能比武").click()
    page.get_by_role("button", name="接收编辑").click()
    expect(page.locator("#submission-status")).to_have_text("编辑中")
    page.get_by_role("button", name="采用", exact=True).click()
    expect(page.locator("#submission-status")).to_have_text("已采用")
    item = Submission.objects.get()
    assert item.status == "used" and item.issue is not None

    # The distribution, finalising, and the files.
    page.get_by_role("link", name="云南工会通讯（快报）").click()
    page.locator("#id_line").select_option("report")
    page.get_by_label("或输入文字").fill("省总工会领导")
    page.get_by_role("button", name="添加").click()
    expect(page.locator("#line-report")).to_contain_text("省总工会领导")
    page.get_by_role("button", name="发：全部省级产业系统公司工会").click()
    expect(page.locator("#line-send")).to_contain_text("云南电网")
    page.locator("#step-finalise").click()
    expect(page.locator("#issue-number")).to_have_text("（2021年第1期 总第39期）")
    page.locator("#generate").click()
    expect(page.locator("#documents")).to_contain_text("正在后台生成")
    issue = Issue.objects.get()
    job = Job.objects.get(kind=JOB_KIND)
    job_run(job_id=job.pk, work=lambda actor, job: tasks.run(actor, job.pk, issue.pk))  # what the worker does
    page.reload()
    assert_accessible(page)
    shot(page, "publishing_", "3_issue")
    with page.expect_download() as docx_info:
        page.locator("#download-docx").click()
    docx = docx_info.value
    assert docx.suggested_filename == "云南工会通讯（快报）2021年第1期.docx"
    lines = [p.text for p in Document(io.BytesIO(open(docx.path(), "rb").read())).paragraphs if p.text.strip()]  # noqa: SIM115
    assert "（2021年第1期 总第39期）" in lines and "昆明供电局举办配网带电作业技能比武" in lines
    assert lines[-3].startswith("报：省总工会领导") and lines[-2].startswith("发：云南电网")
    with page.expect_download() as pdf_info:
        page.locator("#download-pdf").click()
    pdf = pdf_info.value
    assert pdf.suggested_filename.endswith(".pdf") and open(pdf.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115
    page.set_viewport_size(PHONE)
    _no_horizontal_scroll(page)
    shot(page, "publishing_", "4_issue_390")

    # The archive, and a draft four-year evaluation report.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/publishing/issues/?q=技能比武")
    expect(page.locator("#issue-list")).to_contain_text("2021年第1期 总第39期")
    assert_accessible(page)
    page.goto(f"{base}/publishing/reports/")
    page.get_by_label("类型").select_option("four_year")
    page.get_by_label("年度").fill("2021")
    page.get_by_role("button", name="生成草稿").click()
    report_job = Job.objects.get(kind="publishing.report_documents")
    job_run(job_id=report_job.pk, work=lambda actor, job: tasks.run_report(actor, job.pk, int(report_job.object_id)))
    page.reload()
    expect(page.locator("h1")).to_have_text("云南省产业工人队伍建设改革四年评估报告（2018—2021年）")
    assert_accessible(page)
    shot(page, "publishing_", "5_report")
    with page.expect_download() as report_info:
        page.locator("#download-docx").click()
    assert report_info.value.suggested_filename.endswith("评估报告（2018—2021年）.docx")
    assert not errors, errors
