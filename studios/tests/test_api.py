"""The studios API: the same scope and services as the pages, 404 outside, 400 in Chinese, If-Match versions,
alliances across the tree and the review's steps."""

from __future__ import annotations

import pytest

from accounts.tests.factories import api_client
from orgs.choices import Role
from studios.choices import ReviewStatus
from studios.models import Studio
from studios.tests.factories import make_alliance, make_person, make_review, make_studio

pytestmark = pytest.mark.django_db
BASE = "/api/v1/studios"


def api(user):
    return api_client(user, ip="10.61.0.2")


@pytest.fixture
def world(tree):
    return make_studio(tree.ent_a1, name="张明劳模创新工作室"), make_studio(tree.ent_b1, name="铜业技师工作站")


def test_lists_and_reads_only_the_scope(tree, world):
    own, foreign = world
    client = api(tree.user(Role.UNION_ADMIN))
    ids = {row["id"] for row in client.get(f"{BASE}/studios/").json()["results"]}
    assert own.pk in ids and foreign.pk not in ids
    assert client.get(f"{BASE}/studios/{foreign.pk}/").status_code == 404
    assert client.get(f"{BASE}/studios/{own.pk}/").json()["leader"]["name"] == own.leader.name


def test_bad_filters_are_400_in_chinese(tree, world):
    client = api(tree.user(Role.UNION_ADMIN))
    response = client.get(f"{BASE}/studios/", {"level": "galactic"})
    assert response.status_code == 400 and response.json()["errors"]["level"] == ["level 的取值不正确。"]
    assert client.get(f"{BASE}/results/", {"studio": "x"}).status_code == 400


def test_create_edit_with_if_match_and_conflicts(tree, world):
    client = api(tree.user(Role.UNION_ADMIN))
    leader = make_person(tree.unit_a1, "王强")
    body = {"org": "E-A1", "name": "王强职工创新工作室", "kind": "worker", "level": "enterprise",
            "named_on": "2020-05-01", "leader": leader.pk}  # fmt: skip
    response = client.post(f"{BASE}/studios/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    refused = client.post(f"{BASE}/studios/", {**body, "org": "E-B1"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["org"] == ["未找到该机构，或不在您的管理范围内。"]
    outsider = make_person(tree.ent_b1)
    refused = client.post(f"{BASE}/studios/", {**body, "name": "另一个", "leader": outsider.pk}, format="json")
    assert refused.status_code == 400 and "leader" in refused.json()["errors"]
    edit = {"name": "王强创新工作室", "kind": "worker", "leader": leader.pk}
    assert client.patch(f"{BASE}/studios/{pk}/", edit, format="json").status_code == 428
    stale = client.patch(f"{BASE}/studios/{pk}/", edit, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    done = client.patch(f"{BASE}/studios/{pk}/", edit, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200 and done.json()["name"] == "王强创新工作室"
    conflict = client.patch(f"{BASE}/studios/{pk}/", {**edit, "version": 1}, format="json")
    assert conflict.status_code == 409
    raised = client.post(f"{BASE}/studios/{pk}/name/", {"version": 2, "level": "provincial",
                                                         "named_on": "2022-04-28"}, format="json")  # fmt: skip
    assert raised.status_code == 200 and [n["level"] for n in raised.json()["namings"]] == ["enterprise", "provincial"]
    assert Studio.objects.get(pk=pk).level == "provincial"


def test_results_post_and_unknown_fields(tree, world):
    own, foreign = world
    client = api(tree.user(Role.UNION_ADMIN))
    body = {"studio": own.pk, "kind": "patent", "title": "绝缘杆", "achieved_on": "2021-06-01",
            "reference": "ZL1", "value": "1000.50", "credited": [own.leader.pk]}  # fmt: skip
    response = client.post(f"{BASE}/results/", body, format="json")
    assert response.status_code == 201 and response.json()["value"] == "1000.50"
    assert client.post(f"{BASE}/results/", {**body, "studio": foreign.pk}, format="json").status_code == 400
    unknown = client.post(f"{BASE}/results/", {**body, "path": "0001"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"]["path"] == ["不允许提交此字段。"]
    patent = client.post(f"{BASE}/results/", {**body, "reference": ""}, format="json")
    assert patent.status_code == 400 and patent.json()["detail"] == "专利成果请填写专利号。"


def test_alliance_visible_through_one_member(tree, world):
    own, foreign = world
    alliance = make_alliance(foreign, own)
    hidden = make_alliance(foreign, make_studio(tree.ent_b1))
    client = api(tree.user(Role.REPORTER))
    ids = {row["id"] for row in client.get(f"{BASE}/alliances/").json()["results"]}
    assert ids == {alliance.pk}
    assert client.get(f"{BASE}/alliances/{hidden.pk}/").status_code == 404
    refused = client.post(f"{BASE}/alliances/{alliance.pk}/activities/", {"held_on": "2021-05-01", "title": "交流"},
                          format="json")  # fmt: skip
    assert refused.status_code == 403


def test_review_steps(tree, world):
    own, _foreign = world
    review = make_review(own)
    union = api(tree.user(Role.UNION_ADMIN))
    office = api(tree.user(Role.OFFICE_ADMIN))
    assert union.post(f"{BASE}/reviews/{review.pk}/submit/", {"version": 1}, format="json").status_code == 200
    bad = office.post(f"{BASE}/reviews/{review.pk}/rate/", {"version": 2, "scores": {"organisation": "30",
                      "topics": "1", "results": "1", "training": "1"}}, format="json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["detail"] == "“组织运行”的得分应在 0 到 20 之间。"
    done = office.post(f"{BASE}/reviews/{review.pk}/rate/", {"version": 2, "scores": {"organisation": "20",
                       "topics": "30", "results": "30", "training": "15"}}, format="json")  # fmt: skip
    assert done.status_code == 200 and done.json()["grade_label"] == "优秀"
    assert done.json()["status"] == ReviewStatus.RATED
