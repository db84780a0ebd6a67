"""/api/v1/ledger: ledgers, members, officers and updates through the pages' services and door:
404 outside the scope, 403 inside it without the right, 400 in Chinese for bad input, 409 for a stale version."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import api_client
from core.models import AuditEntry
from ledger.choices import OfficerKind
from ledger.models import Ledger, Officer
from ledger.tests.factories import make_task
from orgs.choices import Role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ledger"


def api(user):
    return api_client(user, ip="10.50.0.2")


def names(answer, field: str) -> bool:
    """The 400 answer names `field`: a serializer's field errors or a service's located error."""
    body = answer.json()
    return field in body or body.get("field") == field or field in body.get("errors", {})


def test_the_list_is_the_callers_scope(tree, ledgers, clock):
    union = api(tree.user(Role.UNION_ADMIN)).get(f"{BASE}/ledgers/")
    assert union.status_code == 200
    assert {row["org_code"] for row in union.json()["results"]} == {"U-A", "E-A1", "E-A2"}
    reporter = api(tree.user(Role.REPORTER)).get(f"{BASE}/ledgers/")
    assert [row["org_code"] for row in reporter.json()["results"]] == ["E-A1"]
    assert api(tree.user(Role.REPORTER)).get(f"{BASE}/ledgers/E-B1/").status_code == 404


def test_patch_records_the_plan_and_a_stale_version_is_409(tree, ledgers, clock):
    client = api(tree.user(Role.REPORTER))
    answer = client.patch(
        f"{BASE}/ledgers/E-A1/", {"version": 1, "plan_issued_on": "2020-05-12", "plan_doc_number": "昆供〔2020〕3号"},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert answer.json()["plan_reform_year"] == 3 and answer.json()["version"] == 2
    stale = client.patch(f"{BASE}/ledgers/E-A1/", {"version": 1, "notes": "x"}, format="json")
    assert stale.status_code == 409
    assert Ledger.objects.get(org__code="E-A1").notes == ""


@pytest.mark.parametrize(
    "body, field",
    [
        ({"version": 1, "plan_issued_on": "2020-13-40"}, "plan_issued_on"),
        ({"version": "一"}, "version"),
        ({"version": 1, "plan_issued_on": "2031-01-01"}, "plan_issued_on"),
        ({}, "version"),
    ],
)
def test_bad_input_is_400_naming_the_field(tree, ledgers, clock, body, field):
    answer = api(tree.user(Role.REPORTER)).patch(f"{BASE}/ledgers/E-A1/", body, format="json")
    assert answer.status_code == 400 and names(answer, field)


def test_a_leader_reads_but_cannot_write(tree, ledgers, clock):
    client = api(tree.user(Role.LEADER))
    assert client.get(f"{BASE}/ledgers/E-A1/").status_code == 200
    assert client.patch(f"{BASE}/ledgers/E-A1/", {"version": 1, "notes": "x"}, format="json").status_code == 403


def test_officers_are_masked_and_reveal_is_audited_for_the_office_only(tree, ledgers, clock):
    reporter = api(tree.user(Role.REPORTER))
    created = reporter.post(
        f"{BASE}/officers/",
        {"org": "E-A1", "kind": OfficerKind.INFO, "name": "李四", "phone": "13812345678", "email": "lisi@example.com",
         "started_on": "2021-01-01"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "138****5678" and "lisi" not in created.json()["email"]
    pk = created.json()["id"]
    assert reporter.post(f"{BASE}/officers/{pk}/reveal/").status_code == 403
    office = api(tree.user(Role.OFFICE_ADMIN))
    revealed = office.post(f"{BASE}/officers/{pk}/reveal/")
    assert revealed.json() == {"phone": "13812345678", "email": "lisi@example.com"}
    rows = AuditEntry.objects.filter(event="core.pii.reveal", object_id=str(pk))
    assert sorted(r.detail["field"] for r in rows) == ["email", "phone"]
    assert not any("13812345678" in str(r.after) + str(r.detail) for r in rows)
    assert api(tree.user(Role.REPORTER, tree.ent_b1)).post(f"{BASE}/officers/{pk}/reveal/").status_code == 404


def test_an_officer_for_another_branch_is_404_and_nothing_is_written(tree, ledgers, clock):
    answer = api(tree.user(Role.REPORTER)).post(
        f"{BASE}/officers/", {"org": "E-B1", "kind": "info", "name": "x", "started_on": "2021-01-01"}, format="json"
    )
    assert answer.status_code == 404
    assert not Officer.objects.exists()


def test_updates_are_recorded_for_own_tasks_only(tree, ledgers, clock):
    task = make_task(ledgers["E-A1"])
    client = api(tree.user(Role.REPORTER))
    ok = client.post(f"{BASE}/task-updates/", {"task": task.pk, "on": "2021-06-30", "note": "建成 3 个", "value": "3"},
                     format="json")  # fmt: skip
    assert ok.status_code == 201, ok.content
    missing_value = client.post(f"{BASE}/task-updates/", {"task": task.pk, "on": "2021-06-30", "note": "x"},
                                format="json")  # fmt: skip
    assert missing_value.status_code == 400 and names(missing_value, "value")
    other = api(tree.user(Role.REPORTER, tree.ent_b1))
    assert other.post(f"{BASE}/task-updates/", {"task": task.pk, "on": "2021-06-30", "note": "x", "value": 1},
                      format="json").status_code == 404  # fmt: skip
    assert other.get(f"{BASE}/task-updates/?task={task.pk}").json()["results"] == []
    assert client.get(f"{BASE}/task-updates/?task=abc").status_code == 400


def test_members_are_added_and_ended(tree, ledgers, clock):
    client = api(tree.user(Role.UNION_ADMIN))
    created = client.post(f"{BASE}/members/", {"org": "E-A2", "name": "王五", "role": "leader",
                                               "joined_on": "2019-03-01"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    ended = client.post(f"{BASE}/members/{created.json()['id']}/end/", {"left_on": "2018-01-01"}, format="json")
    assert ended.status_code == 400 and names(ended, "left_on")
    ended = client.post(f"{BASE}/members/{created.json()['id']}/end/", {"left_on": "2021-01-01"}, format="json")
    assert ended.json()["left_on"] == "2021-01-01"
    assert dt.date(2021, 1, 1) == ledgers["E-A2"].members.get().left_on
