"""The competitions API: the same scope and services as the pages; 404 outside, 400 in Chinese, 409/412 on
stale versions."""

from __future__ import annotations

import pytest

from accounts.tests.factories import api_client
from competitions.choices import CompetitionStatus
from competitions.models import Competition, CompetitionEntry
from competitions.tests.factories import make_competition, make_entry, make_person
from orgs.choices import Role
from talent.models import Honour

pytestmark = pytest.mark.django_db
BASE = "/api/v1/competitions"


def api(user):
    return api_client(user, ip="10.62.0.1")


@pytest.fixture
def world(tree):
    competition = make_competition(tree.union_a, name="接口竞赛")
    make_entry(competition, tree.ent_a1, name="甲")
    make_entry(competition, tree.ent_b1, name="乙")
    return competition


def test_scope_of_events_and_entries(tree, world):
    organiser = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    entrant = api(tree.user(Role.REPORTER, tree.ent_b1))
    stranger = api(tree.user(Role.REPORTER, tree.ent_a2))
    assert organiser.get(f"{BASE}/events/{world.pk}/").json()["trades"] == ["变电检修工", "配电线路工"]
    assert {r["name"] for r in organiser.get(f"{BASE}/entries/?competition={world.pk}").json()["results"]} == {
        "甲",
        "乙",
    }
    assert entrant.get(f"{BASE}/events/{world.pk}/").status_code == 200
    assert {r["name"] for r in entrant.get(f"{BASE}/entries/").json()["results"]} == {"乙"}
    assert stranger.get(f"{BASE}/events/{world.pk}/").status_code == 404
    assert stranger.get(f"{BASE}/events/").json()["results"] == []
    own = CompetitionEntry.objects.get(name="乙")
    refused = entrant.post(f"{BASE}/entries/{own.pk}/result/", {"version": own.version, "rank": 1}, format="json")
    assert refused.status_code == 404


def test_create_and_bad_input_in_chinese(tree):
    client = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    body = {"name": "接口新建", "kind": "skill", "level": "industry", "organiser": "U-A", "starts_on": "2021-05-02",
            "ends_on": "2021-05-01", "trades": ["钳工"]}  # fmt: skip
    bad = client.post(f"{BASE}/events/", body, format="json")
    assert bad.status_code == 400 and bad.json()["detail"] == "结束日期不能早于开始日期。"
    assert client.post(f"{BASE}/events/", {**body, "organiser": "NOPE"}, format="json").status_code == 400
    assert client.post(f"{BASE}/events/", {**body, "path": "x"}, format="json").status_code == 400
    created = client.post(f"{BASE}/events/", {**body, "ends_on": "2021-05-03"}, format="json")
    assert created.status_code == 201
    assert Competition.objects.get(name="接口新建").trades.count() == 1
    assert client.get(f"{BASE}/events/?year=abc").status_code == 400


def test_stale_versions(tree, world):
    client = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    url = f"{BASE}/events/{world.pk}/"
    assert client.patch(url, {"name": "改名"}, format="json").status_code == 428
    assert client.patch(url, {"name": "改名"}, format="json", HTTP_IF_MATCH='"99"').status_code == 412
    assert client.patch(url, {"name": "改名", "version": 99}, format="json").status_code == 409
    ok = client.patch(url, {"name": "改名"}, format="json", HTTP_IF_MATCH=f'"{world.version}"')
    assert ok.status_code == 200 and ok.json()["name"] == "改名"


def test_results_publish_and_outcome(tree, world):
    client = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    person = make_person(tree.ent_a1, "丙")
    entry = client.post(f"{BASE}/entries/", {"competition": world.pk, "trade": "配电线路工", "org": "E-A1",
                                             "person": person.pk}, format="json")  # fmt: skip
    assert entry.status_code == 201
    pk = entry.json()["id"]
    bad = client.post(f"{BASE}/entries/{pk}/result/", {"version": 1, "award": "金奖"}, format="json")
    assert bad.status_code == 400
    client.post(f"{BASE}/entries/{pk}/result/", {"version": 1, "rank": 1, "award": "first"}, format="json")
    client.post(f"{BASE}/events/{world.pk}/step/", {"step": "finished", "version": world.version}, format="json")
    published = client.post(f"{BASE}/events/{world.pk}/step/", {"step": "publish", "version": world.version + 1},
                            format="json")  # fmt: skip
    assert published.json()["status"] == CompetitionStatus.PUBLISHED
    outcome = client.post(f"{BASE}/outcomes/", {"entry": pk, "kind": "honour", "effective_on": "2021-10-01"},
                          format="json")  # fmt: skip
    assert outcome.status_code == 201 and Honour.objects.filter(person=person).exists()
    assert len(client.get(f"{BASE}/outcomes/?competition={world.pk}").json()["results"]) == 1
    outsider = api(tree.user(Role.UNION_ADMIN, tree.union_b))
    refused = outsider.post(f"{BASE}/outcomes/", {"entry": pk, "kind": "title", "title": "能手",
                                                   "effective_on": "2021-10-01"}, format="json")  # fmt: skip
    assert refused.status_code == 404
