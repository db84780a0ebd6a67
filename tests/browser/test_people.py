"""The people import in Chromium: a union administrator downloads nothing but uploads a filled template, sees the
preview, confirms and sees each new account's activation link once; the new user opens his link, sets his
password and is signed in. The report and the activation page at 1366×768 and at phone width (390 px), with the
accessibility check on every page.

Screenshots go to build/screenshots/people_*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.people import xlsx_bytes
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors

NEW_PASSWORD = "Jihuo-2026-Mima!"


@pytest.fixture
def province(transactional_db, tmp_path):
    tree = make_tree()
    make_user("dianwang_gonghui", role=Role.UNION_ADMIN, org=tree.union_a, full_name="刘管理")
    filled = tmp_path / "人员导入.xlsx"
    filled.write_bytes(
        xlsx_bytes(
            [
                ["kmgd_zhangsan", "张三", "E-A1", "企业填报员", "138 1234 5678", "zs@example.com"],
                ["kmgd_zhangsan", "", "E-A2", "信息员", "", ""],
                ["qjgd_lisi", "李四", "曲靖供电局", "联络员", "", ""],
            ]
        )
    )
    wrong = tmp_path / "人员导入-有误.xlsx"
    wrong.write_bytes(xlsx_bytes([["kmgd_zhangsan", "张三", "E-B1", "企业填报员", "12345", ""]]))
    return tree, filled, wrong


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_import_see_links_once_then_the_new_user_activates(province, live_server, page):
    tree, filled, wrong = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "dianwang_gonghui")
    page.goto(f"{base}/accounts/users/")
    page.locator("#people-import-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("从 Excel 批量导入人员")

    # A file with problems: each located, nothing imported.
    page.get_by_label("填好的人员导入表（.xlsx）").set_input_files(str(wrong))
    page.get_by_role("button", name="上传并预览").click()
    problems = page.locator("#people-problems")
    expect(problems).to_contain_text("工作表“人员”第 2 行 C 列（机构）")
    expect(problems).to_contain_text("工作表“人员”第 2 行 E 列（手机）")
    assert_accessible(page)
    shot(page, "people_", "1_desktop_problems")

    # The right file: the preview, then the links, once.
    page.get_by_label("填好的人员导入表（.xlsx）").set_input_files(str(filled))
    page.get_by_role("button", name="上传并预览").click()
    preview = page.locator("#people-preview")
    expect(preview).to_contain_text("将新建 2 个账号")
    assert User.objects.filter(username="kmgd_zhangsan").count() == 0
    assert_accessible(page)
    shot(page, "people_", "2_desktop_preview")
    page.locator("#people-confirm").click()
    links = page.locator("#activation-links .activation-link")
    expect(links).to_have_count(2)
    expect(page.locator("#activation-links")).to_contain_text("kmgd_zhangsan")
    assert_accessible(page)
    shot(page, "people_", "3_desktop_links")
    texts = links.all_inner_texts()
    row_of = {
        page.locator("#activation-links tbody tr").nth(i).locator("td").first.inner_text(): texts[i] for i in range(2)
    }
    zhang_link = row_of["kmgd_zhangsan"]
    token = re.search(r"/accounts/activate/([A-Z2-9]{20})/", zhang_link)[1]

    # The report: pending, and no link on it.
    page.goto(f"{base}/accounts/users/activations/")
    expect(page.locator("#activation-table")).to_contain_text("待激活")
    assert token not in page.content()
    assert_accessible(page)
    shot(page, "people_", "4_desktop_report")

    # The new user, in a fresh browser state at phone width: link → password → signed in.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(zhang_link.replace("http://testserver", base))
    expect(page.locator("#activation-username")).to_have_text("kmgd_zhangsan")
    assert token not in page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "people_", "5_phone_activate")
    page.get_by_label("设置密码").fill(NEW_PASSWORD)
    page.get_by_label("确认密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="设置密码并登录").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("#user-menu")).to_contain_text("张三")
    shot(page, "people_", "6_phone_signed_in")

    # The same link a second time: refused.
    page.context.clear_cookies()
    page.goto(zhang_link.replace("http://testserver", base))
    expect(page.locator("#activation-refused")).to_contain_text("已经使用过")
    assert User.objects.get(username="kmgd_zhangsan").check_password(NEW_PASSWORD)

    # The report at phone width: one activated.
    sign_in(page, base, "dianwang_gonghui")
    page.goto(f"{base}/accounts/users/activations/")
    expect(page.locator("#activation-table")).to_contain_text("已激活")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "people_", "7_phone_report")
    # The refused file and the used link answer 400 on purpose (the browser logs those); nothing else failed.
    unexpected = [e for e in errors if "status of 400" not in e]
    assert not unexpected and len(errors) == 2, errors
