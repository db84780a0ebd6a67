"""The talent pool in Chromium: the reform office, at 1366×768, searches the pool, opens a person, reveals his ID
number (an audited POST: the audit row is checked) and exports the list; a union administrator, on a phone
(390 px), adds a person with a wrong check digit (the Chinese message), then the right one. The accessibility
check runs on every page.

Screenshots go to build/screenshots/talent_*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from core.idnumber import fake_id_number
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import SYSTEM, make_tree, make_user
from talent.choices import HonourKind, HonourLevel, SkillLevel
from talent.models import Person
from talent.services import rounds
from talent.tests.factories import make_honour, make_person, make_round
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors

NUMBER = fake_id_number("530102", dt.date(1978, 5, 6), 321)


@pytest.fixture
def province(transactional_db):
    tree = make_tree()
    people = {
        "union": make_user("dianwang_rencai", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王人才"),
        "office": make_user("changaiban_rencai", role=Role.OFFICE_ADMIN, org=tree.office, full_name="李人才"),
    }
    star = make_person(tree.ent_a1, "杨建华", id_number=NUMBER, phone="13987654321", is_speaker=True,
                       skill_level=SkillLevel.SENIOR_TECHNICIAN)  # fmt: skip
    make_honour(star, kind=HonourKind.CRAFTSMAN, level=HonourLevel.PROVINCIAL, title="云岭工匠")
    make_person(tree.ent_b1, "周丽萍")
    rnd = make_round(title="云岭工匠")
    rounds.nominate(by=SYSTEM, rnd=rnd, person=star, reason="带徒传技，技术革新成果突出。", submit=True)
    return tree, people, star


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_searches_reveals_and_exports_and_a_union_adds_a_person(province, live_server, page):
    tree, _people, star = province
    base = live_server.url
    errors = watch_errors(page)

    # The office at 1366×768: search, open, reveal (audited), export.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "changaiban_rencai")
    page.goto(f"{base}/talent/")
    expect(page.locator("#talent-total")).to_contain_text("共 2 人")
    page.get_by_label("姓名或工种").fill("建华")
    page.locator("#talent-search").click()
    expect(page.locator("#talent-total")).to_contain_text("共 1 人")
    listing = page.locator("#talent-list")
    expect(listing).to_contain_text("云岭工匠")
    expect(listing).to_contain_text("5301**********")
    expect(listing).not_to_contain_text(NUMBER)
    assert_accessible(page)
    shot(page, "talent_", "1_office_search")
    listing.get_by_role("link", name="杨建华").click()
    expect(page.locator("#person-name")).to_contain_text("杨建华")
    expect(page.locator("#person-id-number")).not_to_contain_text(NUMBER)
    expect(page.locator("#person-phone")).to_contain_text("139****4321")
    assert_accessible(page)
    page.locator("#reveal-id").click()
    expect(page.locator("#person-id-number")).to_contain_text(NUMBER)
    shot(page, "talent_", "2_office_revealed")
    row = AuditEntry.objects.get(event="core.pii.reveal", object_id=str(star.pk))
    assert row.username == "changaiban_rencai" and row.detail["field"] == "id_number"
    assert NUMBER not in str(row.detail)

    page.goto(f"{base}/talent/?q=建华")
    with page.expect_download() as caught:
        page.locator("#talent-export").click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    export = AuditEntry.objects.get(event="talent.person.export")
    assert export.detail["rows"] == 1 and export.detail["personal_data"] == "masked"

    # The selection round: the office shortlists the nomination.
    page.goto(f"{base}/talent/rounds/")
    assert_accessible(page)
    page.locator("#round-list").get_by_role("link").first.click()
    nominations = page.locator("#nomination-list")
    expect(nominations).to_contain_text("杨建华")
    assert_accessible(page)
    nominations.get_by_role("button", name="入围").click()
    expect(page.locator("#nomination-list")).to_contain_text("入围")
    shot(page, "talent_", "2b_office_round")

    # A union administrator on a phone: a wrong check digit, then the right one.
    page.set_viewport_size(PHONE)
    sign_in(page, base, "dianwang_rencai")
    page.goto(f"{base}/talent/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#person-add").click()
    form = page.locator("#person-form")
    good = fake_id_number("530102", dt.date(1990, 2, 3), 58)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    form.get_by_label("所在单位").fill("昆明供电局")
    form.get_by_label("姓名").fill("孙海燕")
    form.get_by_label("性别").select_option(label="女")
    form.get_by_label("职业（工种）").fill("电力调度员")
    form.get_by_label("身份证号").fill(bad)
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#person-form")).to_contain_text("身份证号校验码不对")
    assert_accessible(page)
    shot(page, "talent_", "3_phone_wrong_check_digit")
    page.locator("#person-form").get_by_label("身份证号").fill(good)
    page.locator("#person-form").get_by_role("button", name="保存").click()
    expect(page.locator("#person-name")).to_contain_text("孙海燕")
    expect(page.locator("#person-id-number")).to_contain_text(good[:4] + "**********" + good[-4:])
    expect(page.locator("#reveal-id")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "talent_", "4_phone_added")
    assert Person.objects.get(name="孙海燕").org == tree.ent_a1
    assert not errors, errors
