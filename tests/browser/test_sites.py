"""Demonstration sites in Chromium: the `guidance` member records a visit on a phone (390 px) with a photo, and
the office reads the site list at 1366×768; both pages pass the accessibility check.

Screenshots go to build/screenshots/sites_*.png.
"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from sites.models import Visit
from sites.tests.factories import make_group, make_site
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db):
    tree = make_tree()
    guidance = make_user("zhidao_yang", role=Role.GUIDANCE, org=tree.ent_a1, full_name="杨国平")
    office = make_user("changaiban_site", role=Role.OFFICE_ADMIN, org=tree.office, full_name="张建华")
    dept = make_user("guoziwei_zhou", role=Role.DEPT_VIEWER, org=tree.dept, full_name="周海涛")
    site = make_site(tree.ent_b1, group=make_group(dept, guidance, name="第一指导组"))
    make_site(tree.ent_a2, group=make_group(office, name="第二指导组"))
    return tree, site


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "现场.jpg"
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 120, 60)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_guidance_records_a_visit_on_a_phone_and_the_office_reads_the_list(province, live_server, page, tmp_path):
    _tree, site = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(PHONE)
    sign_in(page, base, "zhidao_yang")
    page.goto(f"{base}/sites/mine/")
    expect(page.locator("#my-sites")).to_contain_text("云南铜业股份")
    page.get_by_role("link", name="记录走访").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("记录走访")
    page.get_by_label("发现的问题").fill("一线职工代表比例不足一半。")
    page.get_by_label("意见建议").fill("修订职代会代表选举办法。")
    page.locator("input[name=photos]").set_input_files(str(_photo(tmp_path)))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    box = page.locator("#visit-save").bounding_box()
    assert box and box["height"] >= 44
    assert_accessible(page)
    shot(page, "sites_", "1_visit_form_phone")
    page.locator("#visit-save").click()
    expect(page.locator("#visit-record")).to_contain_text("一线职工代表比例不足一半")
    expect(page.locator("#visit-photos img")).to_have_count(1)
    assert Visit.objects.get(site=site).files.get().is_photo
    shot(page, "sites_", "2_visit_recorded_phone")
    page.get_by_label("跟进事项").fill("修订职代会代表选举办法并报送")
    page.get_by_label("完成期限").fill("2031-12-31")
    page.get_by_role("button", name="提出").click()
    expect(page.locator("#followups")).to_contain_text("修订职代会代表选举办法并报送")
    page.get_by_role("link", name="云南铜业股份").first.click()
    expect(page.locator("#site-status")).to_have_text("指导中")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    shot(page, "sites_", "3_site_profile_phone")

    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "changaiban_site")
    page.goto(f"{base}/sites/")
    expect(page.locator("#site-list")).to_contain_text("云南铜业股份")
    expect(page.locator("#site-list")).to_contain_text("曲靖供电局")
    assert_accessible(page)
    shot(page, "sites_", "4_office_site_list")
    page.locator("#site-list").get_by_role("link", name="云南铜业股份").click()
    expect(page.locator("#office-steps")).to_be_visible()
    expect(page.locator("#site-phone")).to_have_text("138****5678")
    page.locator("#site-profile").get_by_role("button", name="查看完整").click()
    expect(page.locator("#site-phone")).to_contain_text("13812345678")
    assert_accessible(page)
    shot(page, "sites_", "5_office_site_profile")
    assert not errors, errors
