"""Labour and skill competitions in Chromium: 云南电网's union administrator, at 1366×768, imports the entries of
his skill competition from an .xlsx (a first file with a wrong trade is refused whole, every problem listed),
records results, finishes the event, publishes and locks the results and records what the winner's result
brought (a skill level and an honour in the talent pool); the reporter of 昆明供电局, on a phone (390 px), sees
his people's results and not the other enterprise's, with the accessibility check on every page.

Screenshots go to build/screenshots/competitions_*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from competitions.choices import CompetitionStatus
from competitions.models import CompetitionEntry
from competitions.tests.factories import entries_workbook, make_competition, make_person
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from talent.models import Honour
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, tmp_path):
    tree = make_tree()
    make_user("dianwang_jingsai", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王竞赛")
    make_user("kunming_tianbao", role=Role.REPORTER, org=tree.ent_a1, full_name="赵填报")
    competition = make_competition(tree.union_a, name="全省电力行业职业技能竞赛", level="provincial",
                                   status=CompetitionStatus.UNDER_WAY)  # fmt: skip
    person = make_person(tree.ent_a1, "李技能", skill_level="senior")
    wrong = tmp_path / "报名表-有误.xlsx"
    wrong.write_bytes(entries_workbook([("变电检修工", "E-A1", "李技能", person.pk), ("焊工", "E-A2", "钱曲靖", None)]))
    right = tmp_path / "报名表.xlsx"
    right.write_bytes(
        entries_workbook([("变电检修工", "E-A1", "李技能", person.pk), ("变电检修工", "E-A2", "钱曲靖", None)])
    )
    return tree, competition, person, wrong, right


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organiser_runs_results_and_the_entrant_sees_his_people(province, live_server, page):
    tree, competition, person, wrong, right = province
    base = live_server.url
    errors = watch_errors(page)

    # The union administrator, at 1366×768: the list, the event, the import.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "dianwang_jingsai")
    page.goto(f"{base}/competitions/")
    expect(page.locator("#competition-list")).to_contain_text(competition.name)
    assert_accessible(page)
    shot(page, "competitions_", "1_desktop_list")
    page.get_by_role("link", name=competition.name).click()
    expect(page.locator("#no-entries")).to_be_visible()
    page.locator("#import-entries").click()
    page.get_by_label("报名表（.xlsx）").set_input_files(str(wrong))
    page.get_by_role("button", name="上传并导入").click()
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text("本竞赛没有这个工种")
    expect(problems).to_contain_text("整份文件未导入")
    assert_accessible(page)
    shot(page, "competitions_", "2_desktop_import_refused")
    assert not CompetitionEntry.objects.exists()
    # The refusal answers 400 (the console notes the status); nothing else may have gone wrong so far.
    assert all("400 (Bad Request)" in e and "/entries/import/" in e for e in errors), errors
    errors.clear()
    page.get_by_label("报名表（.xlsx）").set_input_files(str(right))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator(".alert").first).to_contain_text("已导入 2 名参赛人员")

    # Results, one row at a time; finish; publish.
    for name, score, rank, award in (("李技能", "96.5", "1", "一等奖"), ("钱曲靖", "88", "2", "二等奖")):
        entry = CompetitionEntry.objects.get(name=name)
        page.locator(f"#id_r{entry.pk}-score").fill(score)
        page.locator(f"#id_r{entry.pk}-rank").fill(rank)
        page.locator(f"#id_r{entry.pk}-award").select_option(label=award)
        page.locator(f"#entry-{entry.pk}").get_by_role("button", name="保存").click()
        expect(page.locator(".alert").first).to_contain_text(f"{name}的成绩已保存")
    assert_accessible(page)
    shot(page, "competitions_", "3_desktop_results")
    page.get_by_role("button", name="结束竞赛").click()
    expect(page.locator("#competition-status")).to_contain_text("已结束")
    page.get_by_role("button", name="公布结果并锁定").click()
    expect(page.locator("#competition-status")).to_contain_text("已公布结果")
    expect(page.locator("#entries")).to_contain_text("一等奖")

    # What the winner's result brought.
    page.locator("#outcomes-link").click()
    winner = CompetitionEntry.objects.get(name="李技能")
    form = page.locator(f"#outcome-form-{winner.pk}")
    form.get_by_label("成果类别").select_option(label="晋升技能等级")
    form.get_by_label("晋升至").select_option(label="技师")
    form.get_by_role("button", name="记录成果").click()
    expect(page.locator(".alert").first).to_contain_text("已记录李技能的“晋升技能等级”")
    form = page.locator(f"#outcome-form-{winner.pk}")
    form.get_by_label("成果类别").select_option(label="记入荣誉")
    form.get_by_role("button", name="记录成果").click()
    expect(page.locator(f"#entry-{winner.pk}-outcomes")).to_contain_text("高级工 → 技师")
    expect(page.locator(f"#entry-{winner.pk}-outcomes")).to_contain_text("一等奖")
    assert_accessible(page)
    shot(page, "competitions_", "4_desktop_outcomes")
    person.refresh_from_db()
    assert person.skill_level == "technician"
    assert Honour.objects.filter(person=person, kind="competition_winner").count() == 1

    # The reporter of 昆明供电局, on a phone: his person's result, not 曲靖's.
    page.set_viewport_size(PHONE)
    sign_in(page, base, "kunming_tianbao")
    page.goto(f"{base}/competitions/")
    page.get_by_role("link", name=competition.name).click()
    entries = page.locator("#entries")
    expect(entries).to_contain_text("李技能")
    expect(entries).to_contain_text("一等奖")
    expect(entries).not_to_contain_text("钱曲靖")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "competitions_", "5_phone_results")
    page.locator("#outcomes-link").click()
    expect(page.locator(f"#entry-{winner.pk}-outcomes")).to_contain_text("技师")
    assert_accessible(page)
    shot(page, "competitions_", "6_phone_outcomes")
    assert not errors, errors
