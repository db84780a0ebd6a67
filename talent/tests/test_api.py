"""/api/v1/talent: people, honours, rounds and nominations through the pages' services and door: 404 outside
the scope, 403 inside it without the right, 400 in Chinese for bad input, 409/412 for a stale version;
ID numbers and phones masked, revealed by an audited POST for PII_VIEW holders only."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import api_client
from core import deadlines
from core.models import AuditEntry
from orgs.choices import Role
from talent.models import Honour, Person
from talent.tests.factories import id_number, make_honour, make_person

pytestmark = pytest.mark.django_db

BASE = "/api/v1/talent"
TODAY = deadlines.today()


def api(user):
    return api_client(user, ip="10.50.0.7")


@pytest.fixture
def people(tree):
    a = make_person(tree.ent_a1, "李建华", id_number=id_number(), phone="13812345678", is_speaker=True)
    make_honour(a)
    b = make_person(tree.ent_b1, "赵铜生", id_number=id_number())
    return a, b


def test_people_are_masked_scoped_and_filtered(tree, people):
    a, b = people
    client = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    data = client.get(f"{BASE}/people/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["name"] for r in rows] == ["李建华"]
    assert rows[0]["id_number"] == a.id_number[:4] + "*" * 10 + a.id_number[-4:] and rows[0]["phone"] == "138****5678"
    assert a.id_number not in str(data) and rows[0]["honours"][0]["title"] == "云南省劳动模范"
    assert client.get(f"{BASE}/people/{b.pk}/").status_code == 404
    office = api(tree.user(Role.OFFICE_ADMIN))
    assert len(_rows(office.get(f"{BASE}/people/", {"speaker": "true"}))) == 1
    assert len(_rows(office.get(f"{BASE}/people/", {"org": "U-B"}))) == 1
    bad = office.get(f"{BASE}/people/", {"skill_level": "guru"})
    assert bad.status_code == 400 and "skill_level" in bad.json()["errors"]
    assert office.get(f"{BASE}/people/", {"org": "NOPE"}).status_code == 400
    assert office.get(f"{BASE}/people/", {"industrial": "maybe"}).status_code == 400


def _rows(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


def test_create_with_a_bad_check_digit_then_edit_with_if_match(tree):
    client = api(tree.user(Role.REPORTER, tree.ent_a1))
    good = id_number()
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    body = {"org": "E-A1", "name": "陈晓梅", "gender": "female", "occupation": "调度员", "id_number": bad}
    refused = client.post(f"{BASE}/people/", body, format="json")
    assert refused.status_code == 400 and "校验码" in str(refused.json())
    body["id_number"] = good
    created = client.post(f"{BASE}/people/", body, format="json")
    assert created.status_code == 201 and good not in str(created.json())
    pk = created.json()["id"]
    assert client.post(f"{BASE}/people/", {**body, "org": "E-B1"}, format="json").status_code == 400
    missing = client.patch(f"{BASE}/people/{pk}/", {"name": "陈晓"}, format="json")
    assert missing.status_code == 428
    stale = client.patch(f"{BASE}/people/{pk}/", {"name": "陈晓"}, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    ok = client.patch(f"{BASE}/people/{pk}/", {"name": "陈晓"}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert client.patch(f"{BASE}/people/{pk}/", {"version": 1, "name": "x"}, format="json").status_code == 409
    assert client.patch(f"{BASE}/people/{pk}/", {"version": 2, "path": "x"}, format="json").status_code == 400


def test_reveal_is_for_pii_holders_and_audited(tree, people):
    a, _b = people
    url = f"{BASE}/people/{a.pk}/reveal/"
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert union.post(url, {"field": "id_number"}, format="json").status_code == 404
    office = api(tree.user(Role.OFFICE_ADMIN))
    assert office.get(url).status_code == 405
    assert office.post(url, {"field": "name"}, format="json").status_code == 400
    response = office.post(url, {"field": "id_number", "reason": "评选资格审查"}, format="json")
    assert response.status_code == 200 and response.json()["value"] == a.id_number
    assert "no-store" in response["Cache-Control"]
    row = AuditEntry.objects.get(event="core.pii.reveal")
    assert row.detail["reason"] == "评选资格审查" and a.id_number not in str(row.detail)


def test_viewers_read_but_do_not_write(tree, people):
    a, _b = people
    leader = api(tree.user(Role.LEADER))
    assert leader.get(f"{BASE}/people/{a.pk}/").status_code == 200
    assert leader.patch(f"{BASE}/people/{a.pk}/", {"version": 1, "name": "x"}, format="json").status_code == 403
    assert leader.post(f"{BASE}/people/{a.pk}/remove/", {"reason": "x"}, format="json").status_code == 403


def test_honours_and_removal(tree, people):
    a, b = people
    client = api(tree.user(Role.REPORTER, tree.ent_a1))
    body = {
        "person": a.pk,
        "honour_kind": "craftsman",
        "honour_level": "provincial",
        "title": "云岭工匠",
        "awarded_on": "2025-05-01",
    }
    assert client.post(f"{BASE}/honours/", body, format="json").status_code == 201
    assert client.post(f"{BASE}/honours/", {**body, "person": b.pk}, format="json").status_code == 400
    assert client.post(f"{BASE}/honours/", {**body, "awarded_on": "yesterday"}, format="json").status_code == 400
    listed = _rows(client.get(f"{BASE}/honours/", {"person": a.pk}))
    assert len(listed) == 2
    assert client.get(f"{BASE}/honours/", {"person": "x"}).status_code == 400
    honour = Honour.objects.get(title="云岭工匠")
    assert client.delete(f"{BASE}/honours/{honour.pk}/").status_code == 204
    other = Honour.objects.filter(person=b).first() or make_honour(b)
    assert client.delete(f"{BASE}/honours/{other.pk}/").status_code == 404
    removed = client.post(f"{BASE}/people/{a.pk}/remove/", {"reason": "调离", "version": a.version}, format="json")
    assert removed.status_code == 200 and removed.json()["removed_on"] == f"{TODAY}"
    assert _rows(client.get(f"{BASE}/people/")) == []
    assert len(_rows(client.get(f"{BASE}/people/", {"state": "removed"}))) == 1
    assert Person.objects.get(pk=a.pk).removed_reason == "调离"


def test_rounds_and_nominations(tree, people):
    a, b = people
    office = api(tree.user(Role.OFFICE_ADMIN))
    body = {
        "honour_kind": "model_worker", "honour_level": "provincial", "year": TODAY.year, "title": "云南省劳动模范",
        "quota": 2, "opens_on": f"{TODAY - dt.timedelta(days=1)}", "closes_on": f"{TODAY + dt.timedelta(days=5)}",
    }  # fmt: skip
    union = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert union.post(f"{BASE}/rounds/", body, format="json").status_code == 403
    created = office.post(f"{BASE}/rounds/", body, format="json")
    assert created.status_code == 201
    rnd = created.json()["id"]
    nominated = union.post(f"{BASE}/nominations/", {"round": rnd, "person": a.pk, "reason": "成绩突出", "submit": True},
                           format="json")  # fmt: skip
    assert nominated.status_code == 201 and nominated.json()["status"] == "submitted"
    assert (
        union.post(f"{BASE}/nominations/", {"round": rnd, "person": b.pk, "reason": "x"}, format="json").status_code
        == 400
    )
    pk = nominated.json()["id"]
    assert union.post(f"{BASE}/nominations/{pk}/step/", {"step": "shortlist"}, format="json").status_code == 403
    assert office.post(f"{BASE}/nominations/{pk}/step/", {"step": "fly"}, format="json").status_code == 400
    assert (
        office.post(f"{BASE}/nominations/{pk}/step/", {"step": "shortlist"}, format="json").json()["status"]
        == "shortlisted"
    )
    assert office.post(f"{BASE}/nominations/{pk}/step/", {"step": "shortlist"}, format="json").status_code == 409
    other = api(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert other.get(f"{BASE}/nominations/{pk}/").status_code == 404
