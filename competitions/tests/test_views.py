"""Pages: who sees an event (organiser's scope, entrants' own entries, 404 for others), the organiser's forms and
steps, the import page listing every problem, outcomes, the export opened again, to-dos and the summary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from competitions.choices import CompetitionStatus
from competitions.models import Competition, CompetitionEntry, Outcome
from competitions.tests.factories import entries_workbook, make_competition, make_entry, make_person
from core.models import AuditEntry
from core.registry import todos_for
from orgs.choices import Role
from talent.models import Honour

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    competition = make_competition(tree.union_a, name="云南电网变电检修技能竞赛")
    make_entry(competition, tree.ent_a1, name="昆明选手", rank=1, award="first", score=98)
    make_entry(competition, tree.ent_b1, name="铜业选手", rank=2, award="second", score=90)
    return competition


@pytest.mark.parametrize(
    ("role", "org", "status", "sees"),
    [
        (Role.UNION_ADMIN, "union_a", 200, {"昆明选手", "铜业选手"}),  # the organiser: every entry
        (Role.OFFICE_ADMIN, "office", 200, {"昆明选手", "铜业选手"}),  # the office sees the province
        (Role.REPORTER, "ent_b1", 200, {"铜业选手"}),  # an entrant: its own entries only
        (Role.REPORTER, "ent_a2", 404, set()),  # neither organiser nor entrant
        (Role.UNION_ADMIN, "union_b", 200, {"铜业选手"}),  # the entrant's union
    ],
)
def test_who_sees_the_event(client, tree, world, role, org, status, sees):
    client.force_login(tree.user(role, getattr(tree, org)))
    response = client.get(world.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert {n for n in ("昆明选手", "铜业选手") if n in page} == sees
        listed = client.get(reverse("competitions:home")).content.decode()
        assert world.name in listed


def test_entrant_cannot_edit_or_record(client, tree, world):
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    entry = CompetitionEntry.objects.get(name="铜业选手")
    assert client.get(reverse("competitions:competition_edit", args=[world.pk])).status_code == 404
    assert client.get(reverse("competitions:entries_import", args=[world.pk])).status_code == 404
    response = client.post(reverse("competitions:result_record", args=[entry.pk]), {f"r{entry.pk}-version": 1})
    assert response.status_code == 404
    assert "<form" not in client.get(world.get_absolute_url()).content.decode().split('id="entries"')[1]


def test_anonymous_goes_to_login(client, world):
    response = client.get(reverse("competitions:home"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_filters(client, tree, world):
    make_competition(tree.union_a, name="劳动竞赛甲", kind="labour", starts_on=dt.date(2022, 3, 1),
                     ends_on=dt.date(2022, 12, 31))  # fmt: skip
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    page = client.get(reverse("competitions:home"), {"kind": "labour"}).content.decode()
    assert "劳动竞赛甲" in page and world.name not in page
    page = client.get(reverse("competitions:home"), {"year": "2021"}).content.decode()
    assert "劳动竞赛甲" not in page and world.name in page
    page = client.get(reverse("competitions:home"), {"organiser": "E-A1"}).content.decode()
    assert "暂无数据" in page


def test_create_through_the_form(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    data = {"version": 0, "name": "配网技能比武", "kind": "skill", "level": "industry", "organiser": "U-A",
            "starts_on": "2021-05-01", "ends_on": "2021-04-30", "trades": "配电线路工\n电缆工"}  # fmt: skip
    bad = client.post(reverse("competitions:competition_create"), data)
    assert bad.status_code == 400 and "结束日期不能早于开始日期。" in bad.content.decode()
    good = client.post(reverse("competitions:competition_create"), {**data, "ends_on": "2021-05-02"})
    competition = Competition.objects.get(name="配网技能比武")
    assert good.status_code == 302 and good["Location"] == competition.get_absolute_url()
    assert competition.trades.count() == 2


def test_import_page_lists_problems(client, tree):
    competition = make_competition(tree.union_a)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    template = client.get(reverse("competitions:entries_template", args=[competition.pk]))
    assert load_workbook(io.BytesIO(template.content))["参赛人员"]["A1"].value == "工种"
    data = entries_workbook([("变电检修工", "E-A1", "甲", None), ("焊工", "E-A1", "乙", None)])
    upload = SimpleUploadedFile("报名表.xlsx", data, content_type="application/octet-stream")
    response = client.post(reverse("competitions:entries_import", args=[competition.pk]), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "本竞赛没有这个工种" in page and "整份文件未导入" in page
    assert not CompetitionEntry.objects.exists()
    upload = SimpleUploadedFile("报名表.xlsx", entries_workbook([("变电检修工", "E-A1", "甲", None)]))
    response = client.post(reverse("competitions:entries_import", args=[competition.pk]), {"file": upload})
    assert response.status_code == 302 and CompetitionEntry.objects.get().name == "甲"


def test_entry_form_finds_people_and_enters(client, tree):
    competition = make_competition(tree.union_a)
    person = make_person(tree.unit_a1, "赵工")
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    url = reverse("competitions:entry_create", args=[competition.pk])
    trade = competition.trades.first().pk
    found = client.post(url, {"trade": trade, "org": "E-A1", "q": "赵", "find": "1"}, HTTP_HX_REQUEST="true")
    assert f'value="{person.pk}"' in found.content.decode()
    response = client.post(url, {"trade": trade, "org": "E-A1", "q": "赵", "person": person.pk, "save": "1"})
    assert response.status_code == 302 and CompetitionEntry.objects.get().person == person


def test_results_publish_and_outcomes(client, tree, world):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    entry = CompetitionEntry.objects.get(name="昆明选手")
    url = reverse("competitions:result_record", args=[entry.pk])
    client.post(url, {f"r{entry.pk}-version": entry.version, f"r{entry.pk}-score": "99.5",
                      f"r{entry.pk}-rank": "1", f"r{entry.pk}-award": "first"})  # fmt: skip
    entry.refresh_from_db()
    assert str(entry.score) == "99.50"
    step = reverse("competitions:competition_step", args=[world.pk])
    client.post(step, {"step": "finished", "version": world.version})
    world.refresh_from_db()
    client.post(step, {"step": "publish", "version": world.version})
    world.refresh_from_db()
    assert world.status == CompetitionStatus.PUBLISHED
    # not in the pool: add, then an honour
    client.post(reverse("competitions:entry_add_to_pool", args=[entry.pk]),
                {f"p{entry.pk}-version": entry.version, f"p{entry.pk}-gender": "male"})  # fmt: skip
    entry.refresh_from_db()
    assert entry.person is not None
    response = client.post(reverse("competitions:outcome_create", args=[entry.pk]),
                           {f"o{entry.pk}-kind": "honour", f"o{entry.pk}-effective_on": "2021-09-30"})  # fmt: skip
    assert response.status_code == 302
    assert Honour.objects.get(person=entry.person).kind == "competition_winner"
    page = client.get(reverse("competitions:outcomes", args=[world.pk])).content.decode()
    assert "记入荣誉" in page
    summary = client.get(reverse("competitions:summary")).content.decode()
    assert world.name in summary


def test_export_opened_again(client, tree, world):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = client.get(reverse("competitions:results_xlsx", args=[world.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("工种", "姓名", "参赛单位")
    assert {r[1] for r in rows[1:]} == {"昆明选手", "铜业选手"}
    assert AuditEntry.objects.get(event="competitions.results.export").detail["rows"] == 2


def test_entrant_export_holds_only_own_entries(client, tree, world):
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    response = client.get(reverse("competitions:results_xlsx", args=[world.pk]))
    if response.status_code == 200:  # reporters may or may not hold EXPORT; if they do, only their rows
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["铜业选手"]
    else:
        assert response.status_code == 403


def test_todo_for_finished_event_without_results(tree, world):
    Competition.objects.filter(pk=world.pk).update(status=CompetitionStatus.FINISHED)
    texts = [t.text for t in todos_for(tree.user(Role.UNION_ADMIN, tree.union_a))]
    assert f"“{world.name}”已结束，结果尚未公布。" in texts
    assert not [t for t in todos_for(tree.user(Role.REPORTER, tree.ent_b1)) if world.name in t.text]


def test_outcome_refused_outside_scope_is_404(client, tree, world):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_b))
    entry = CompetitionEntry.objects.get(name="铜业选手")
    response = client.post(reverse("competitions:outcome_create", args=[entry.pk]), {})
    assert response.status_code == 404
    assert not Outcome.objects.exists()


def test_list_and_event_pages_have_a_query_budget(client, tree, world, django_assert_max_num_queries):
    for n in range(5):
        other = make_competition(tree.union_a, name=f"预算{n}")
        for k in range(3):
            make_entry(other, tree.ent_a1, name=f"选手{n}{k}")
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    client.get(reverse("competitions:home"))  # warm the session and the scope cache
    with django_assert_max_num_queries(12):
        assert client.get(reverse("competitions:home")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(world.get_absolute_url()).status_code == 200


def test_reopen_from_the_page_needs_a_reason(client, tree, world):
    CompetitionEntry.objects.filter(competition=world).update(award="first")
    Competition.objects.filter(pk=world.pk).update(status=CompetitionStatus.PUBLISHED)
    world.refresh_from_db()
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    step = reverse("competitions:competition_step", args=[world.pk])
    client.post(step, {"step": "reopen", "version": world.version, "reason": ""})
    world.refresh_from_db()
    assert world.status == CompetitionStatus.PUBLISHED
    client.post(step, {"step": "reopen", "version": world.version, "reason": "第二名成绩录错"})
    world.refresh_from_db()
    assert world.status == CompetitionStatus.FINISHED
    assert AuditEntry.objects.get(event="competitions.results.reopen").detail["reason"] == "第二名成绩录错"
