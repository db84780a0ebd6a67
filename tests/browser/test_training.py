"""Capacity building in Chromium: a union administrator, on a phone (390 px), opens a class open for enrolment
and enrols two of his people; the reform office, at 1366×768, sees them on the class page and the union on the
coverage page (still never trained this year), with the accessibility check on every page.

Screenshots go to build/screenshots/training_*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from core import deadlines
from orgs.choices import OrgKind, Role
from orgs.tests.factories import make_tree, make_user
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors
from training.choices import ClassStatus
from training.models import Enrolment
from training.tests.factories import enrol, make_class


@pytest.fixture
def province(transactional_db):
    """The small province with a class open for enrolment and one that ended this year (昆明 completed it)."""
    tree = make_tree()
    people = {
        "union": make_user("dianwang_peixun", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王培训"),
        "office": make_user("changaiban_peixun", role=Role.OFFICE_ADMIN, org=tree.office, full_name="李覆盖"),
    }
    today = deadlines.today()
    ended = None
    open_class = make_class(
        tree.office, title="产改业务培训班（第二期）", capacity=30, audience_kinds=[OrgKind.UNION, OrgKind.ENTERPRISE]
    )
    if today.month > 1:  # a class earlier this year, so the coverage has someone trained
        first = today.replace(day=1)
        ended = make_class(
            tree.office, title="年初专题学习班", status=ClassStatus.FINISHED, starts_on=first - dt.timedelta(days=20),
            ends_on=first - dt.timedelta(days=19), enrol_deadline=first - dt.timedelta(days=25),
        )  # fmt: skip
        person = enrol(ended, tree.kunming, "赵结业")
        Enrolment.objects.filter(pk=person.pk).update(completed=True)
    return tree, people, open_class, ended


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_union_enrols_two_people_on_a_phone_and_the_office_sees_them(province, live_server, page):
    tree, people, klass, ended = province
    base = live_server.url
    errors = watch_errors(page)

    # The union administrator, on a phone: the list, then the class.
    page.set_viewport_size(PHONE)
    sign_in(page, base, "dianwang_peixun")
    page.goto(f"{base}/training/")
    card = page.locator(f"[data-class='{klass.pk}']")
    expect(card).to_contain_text("报名中")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "training_", "1_phone_list")
    card.get_by_role("link", name=klass.title).click()
    expect(page.locator("#class-title")).to_contain_text(klass.title)
    expect(page.locator("#no-enrolments")).to_contain_text("还没有人报名")
    assert_accessible(page)

    for name, position, phone in (("张明", "工会主席", "13911112222"), ("李芳", "产改办干事", "")):
        form = page.locator("#enrol-form")
        expect(form.get_by_label("报名单位")).to_have_value("云南电网")
        form.get_by_label("姓名").fill(name)
        form.get_by_label("职务").fill(position)
        form.get_by_label("联系电话").fill(phone)
        form.get_by_role("button", name="报名").click()
        expect(page.locator(".alert").first).to_contain_text(f"已为“{name}”报名")
    listing = page.locator("#enrolment-list")
    expect(listing).to_contain_text("张明")
    expect(listing).to_contain_text("李芳")
    expect(listing).to_contain_text("139****2222")
    expect(page.locator("#seats")).to_contain_text("已报名 2 人")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "training_", "2_phone_enrolled")
    assert Enrolment.objects.filter(klass=klass, org=tree.union_a).count() == 2

    # The office, at 1366×768: the class page lists both, masked; the coverage page names the union.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "changaiban_peixun")
    page.goto(f"{base}/training/{klass.pk}/")
    listing = page.locator("#enrolment-list")
    expect(listing).to_contain_text("张明")
    expect(listing).to_contain_text("李芳")
    expect(listing).to_contain_text("云南电网")
    expect(listing).not_to_contain_text("13911112222")
    assert_accessible(page)
    shot(page, "training_", "3_office_class")

    page.goto(f"{base}/training/coverage/")
    expect(page.locator("#coverage-total")).to_contain_text("应培训 3 家")
    expect(page.locator("#never-trained")).to_contain_text("云南电网")
    page.get_by_label("应培训单位").select_option(label=f"培训班：{klass.title}")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#coverage-total")).to_contain_text(klass.title)
    expect(page.locator("#never-trained")).to_contain_text("云南电网")
    assert_accessible(page)
    shot(page, "training_", "4_office_coverage")

    # The organiser's other pages pass the same check: a new class, and the attendance of the one that ended.
    page.goto(f"{base}/training/new/")
    expect(page.get_by_label("主办单位")).to_be_visible()
    assert_accessible(page)
    shot(page, "training_", "5_office_new_class")
    if ended is not None:
        page.goto(f"{base}/training/{ended.pk}/attendance/")
        expect(page.locator("#attendance-form")).to_contain_text("赵结业")
        page.get_by_label("赵结业的考勤").select_option(label="出勤")
        page.get_by_role("button", name="保存考勤").click()
        expect(page.locator(".alert").first).to_contain_text("考勤已保存")
        assert_accessible(page)
        shot(page, "training_", "6_office_attendance")
    assert not errors, errors
