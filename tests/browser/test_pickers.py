"""The organisation and period pickers in Chromium, on the office screen (1366×768) and on a phone (390×844):
a union administrator creates users by typing the organisation's Chinese name (chosen with the keyboard) and its
pinyin initials (chosen with a tap), and opens the Excel page of another unit the same two ways with the period
chosen from a list; without JavaScript the same field still takes a name.

Screenshots go to build/screenshots/picker-<size>-*.png.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.tests.factories import at, load_workforce
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, shot, sign_in, watch_errors

SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def province(transactional_db, monkeypatch):
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 1, 10)))  # the 2021 yearly round is open
    tree = make_tree()
    load_workforce()
    make_user("ua_picker", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王管理")
    return tree


def pick(page: Page, field, typed: str, name: str, *, keyboard: bool, width: int, open_shot: str = "") -> None:
    """Type into an organisation picker, check the list (name, kind, parent; ARIA state), and choose `name`;
    `open_shot` names a screenshot taken while the list is open."""
    field.fill("")
    field.press_sequentially(typed, delay=40)
    listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
    option = listbox.get_by_role("option").filter(has_text=name)
    expect(option).to_have_count(1)
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(option).to_contain_text("企业")
    expect(option).to_contain_text("上级：云南电网")
    box = listbox.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box  # fits the screen
    if keyboard:
        for _ in range(listbox.get_by_role("option").all_inner_texts().index(option.inner_text()) + 1):
            field.press("ArrowDown")
        expect(option).to_have_attribute("aria-selected", "true")
        expect(field).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
        if open_shot:
            shot(page, "picker-", open_shot)
        field.press("Enter")  # chooses; does not submit the form
    else:
        if open_shot:
            shot(page, "picker-", open_shot)
        option.click()
    expect(field).to_have_value(name)
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", SIZES)
def test_choose_an_organisation_by_name_or_pinyin_initials(province, live_server, page: Page, size):
    base = live_server.url
    width = SIZES[size]["width"]
    errors = watch_errors(page)
    page.set_viewport_size(SIZES[size])
    sign_in(page, base, "ua_picker")

    # New user: the organisation by its Chinese name, chosen with the keyboard.
    page.goto(f"{base}/accounts/users/new/")
    org = page.get_by_role("combobox", name="所属机构")
    page.get_by_label("用户名").fill(f"qj_{size}")
    page.get_by_label("姓名").fill("曲靖新人")
    org.press_sequentially("曲靖", delay=40)
    expect(page.get_by_role("listbox").get_by_role("option").filter(has_text="曲靖供电局")).to_be_visible()
    org.press("Escape")  # closes the list, keeps the text
    expect(org).to_have_attribute("aria-expanded", "false")
    expect(org).to_have_value("曲靖")
    pick(page, org, "曲靖供电", "曲靖供电局", keyboard=True, width=width, open_shot=f"{size}-1-new-user-by-name")
    page.get_by_label("角色").select_option(label="企业填报员")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("h1")).to_have_text("账号已创建")
    assert list(User.objects.get(username=f"qj_{size}").memberships.values_list("org__code", flat=True)) == ["E-A2"]

    # Another by pinyin initials, chosen with a tap or click.
    page.goto(f"{base}/accounts/users/new/")
    page.get_by_label("用户名").fill(f"km_{size}")
    page.get_by_label("姓名").fill("昆明新人")
    field = page.get_by_role("combobox", name="所属机构")
    pick(page, field, "kmgdj", "昆明供电局", keyboard=False, width=width, open_shot=f"{size}-2-new-user-by-initials")
    page.get_by_label("角色").select_option(label="企业填报员")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("h1")).to_have_text("账号已创建")
    assert list(User.objects.get(username=f"km_{size}").memberships.values_list("org__code", flat=True)) == ["E-A1"]

    # Outside the scope: nothing is offered.
    page.goto(f"{base}/accounts/users/new/")
    outside = page.get_by_role("combobox", name="所属机构")
    outside.press_sequentially("云南铜业", delay=40)
    expect(page.locator(".org-picker-empty")).to_have_text("没有找到您有权限的机构")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(0)

    # The Excel page's "其他报告期或单位": the period from a list, the unit by name, then by initials.
    for typed, name, code, keyboard in (
        ("曲靖供电局", "曲靖供电局", "E-A2", True),
        ("kmgdj", "昆明供电局", "E-A1", False),
    ):
        page.goto(f"{base}/reporting/excel/")
        form = page.locator("#excel-go")
        form.get_by_label("报表").select_option("WF_Y")
        form.get_by_label("报告期").select_option(label="2021年度")
        field = form.get_by_role("combobox", name="填报单位")
        field.scroll_into_view_if_needed()
        pick(page, field, typed, name, keyboard=keyboard, width=width, open_shot=f"{size}-3-excel-{code}")
        form.get_by_role("button", name="打开").click()
        expect(page).to_have_url(f"{base}/reporting/excel/WF_Y/2021/{code}/")
        expect(page.locator("h1")).to_contain_text("2021年度")
    shot(page, f"picker-{size}-", "4-excel-page")
    assert errors == []  # no CSP violation or script error


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_field_still_takes_a_name(province, live_server, browser: Browser):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "ua_picker")
    page.goto(f"{base}/accounts/users/new/")
    field = page.get_by_label("所属机构")
    expect(field).not_to_have_attribute("role", "combobox")  # a plain text input
    page.get_by_label("用户名").fill("plain_name")
    page.get_by_label("姓名").fill("无脚本")
    field.fill("曲靖供电局")
    page.get_by_label("角色").select_option(label="企业填报员")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("h1")).to_have_text("账号已创建")
    assert list(User.objects.get(username="plain_name").memberships.values_list("org__code", flat=True)) == ["E-A2"]
    shot(page, "picker-", "5-no-javascript")
    context.close()
