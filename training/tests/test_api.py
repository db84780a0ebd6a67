"""/api/v1/training: classes, enrolments, attendance and coverage through the pages' services and door:
404 outside the scope, 403 inside it without the right, 400 in Chinese for bad input, 409 for a stale version."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import api_client
from core import deadlines
from core.models import AuditEntry
from orgs.choices import OrgKind, Role
from training.choices import ClassStatus
from training.models import DayAttendance, Enrolment, TrainingClass
from training.tests.factories import enrol, make_class

pytestmark = pytest.mark.django_db

BASE = "/api/v1/training"
TODAY = deadlines.today()


def api(user):
    return api_client(user, ip="10.50.0.3")


def test_the_office_creates_and_runs_a_class(tree):
    client = api(tree.user(Role.OFFICE_ADMIN))
    body = {
        "organiser": "OFFICE", "kind": "officer", "title": "信息员培训班",
        "starts_on": f"{TODAY + dt.timedelta(days=9)}",
        "ends_on": f"{TODAY + dt.timedelta(days=10)}", "enrol_deadline": f"{TODAY + dt.timedelta(days=5)}",
        "place": "昆明", "audience_kinds": ["union", "enterprise"], "audience_orgs": ["D-SASAC"], "capacity": 30,
    }  # fmt: skip
    created = client.post(f"{BASE}/classes/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "planning" and data["audience_orgs"] == ["D-SASAC"] and data["organiser_code"] == "OFFICE"
    pk = data["id"]
    opened = client.post(f"{BASE}/classes/{pk}/step/", {"step": "open"}, format="json")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    again = client.post(f"{BASE}/classes/{pk}/step/", {"step": "open"}, format="json")
    assert again.status_code == 409 and "报名中" in again.json()["detail"]
    edited = client.patch(f"{BASE}/classes/{pk}/", {"version": 2, "title": "改名"}, format="json")
    assert edited.status_code == 200 and edited.json()["title"] == "改名"
    stale = client.patch(f"{BASE}/classes/{pk}/", {"version": 2, "title": "再改"}, format="json")
    assert stale.status_code == 409 and set(stale.json()) == {"detail"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_on": "2021-13-01"}, "starts_on"),
        ({"kind": "party"}, "kind"),
        ({"organiser": "E-B1"}, "organiser"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"path": "0001"}, "path"),
        ({"capacity": -1}, "capacity"),
    ],
)
def test_bad_class_input_is_400_naming_the_field(tree, change, field):
    client = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    body = {
        "organiser": "U-A", "kind": "business", "title": "业务培训", "starts_on": "2030-05-01", "ends_on": "2030-05-02",
        "enrol_deadline": "2030-04-20", "place": "昆明", "audience_kinds": ["enterprise"],
    }  # fmt: skip
    answer = client.post(f"{BASE}/classes/", {**body, **change}, format="json")
    assert answer.status_code == 400, answer.content
    payload = answer.json()
    assert field in payload.get("errors", {}) and payload["detail"], payload
    assert not TrainingClass.objects.exists()


def test_enrolment_through_the_api_with_the_phone_masked(tree):
    klass = make_class(tree.office, capacity=1)
    admin = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    body = {"class": klass.pk, "org": "E-A1", "name": "张三", "phone": "13912345678", "position": "班组长"}
    created = admin.post(f"{BASE}/enrolments/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "139****5678" and created.json()["org_code"] == "E-A1"
    full = admin.post(f"{BASE}/enrolments/", {**body, "name": "李四", "org": "U-A"}, format="json")
    assert full.status_code == 400 and full.json()["detail"] == "本班名额（1 人）已满，不能再报名。"
    foreign = admin.post(f"{BASE}/enrolments/", {**body, "org": "E-B1"}, format="json")
    assert foreign.status_code == 400 and "org" in foreign.json()["errors"]
    listed = admin.get(f"{BASE}/enrolments/?class={klass.pk}").json()["results"]
    assert [row["name"] for row in listed] == ["张三"] and "13912345678" not in str(listed)
    pk = created.json()["id"]
    assert admin.post(f"{BASE}/enrolments/{pk}/reveal/").status_code == 403
    office = api(tree.user(Role.OFFICE_ADMIN))
    revealed = office.post(f"{BASE}/enrolments/{pk}/reveal/")
    assert revealed.json() == {"phone": "13912345678"} and "no-store" in revealed["Cache-Control"]
    assert AuditEntry.objects.filter(event="core.pii.reveal", object_id=str(pk)).count() == 1
    withdrawn = admin.post(f"{BASE}/enrolments/{pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    other = api(tree.user(Role.UNION_ADMIN, tree.union_b))
    assert other.post(f"{BASE}/enrolments/{pk}/withdraw/").status_code == 404
    assert other.post(f"{BASE}/enrolments/", {**body, "class": 999999}, format="json").status_code == 404


def test_attendance_and_completion_through_the_api(tree):
    klass = make_class(tree.office, days_ahead=-2, status=ClassStatus.FINISHED, ends_on=TODAY - dt.timedelta(days=1))
    a = enrol(klass, tree.union_a, "张三")
    b = enrol(klass, tree.union_b, "李四")
    office = api(tree.user(Role.OFFICE_ADMIN))
    day = f"{klass.starts_on}"
    marked = office.post(
        f"{BASE}/attendance/",
        {
            "class": klass.pk,
            "day": day,
            "marks": [{"enrolment": a.pk, "mark": "present"}, {"enrolment": b.pk, "mark": "leave"}],
        },
        format="json",
    )
    assert marked.status_code == 200, marked.content
    rows = {row["name"]: row for row in marked.json()}
    assert rows["张三"]["days"] == {day: "present"} and rows["李四"]["days"] == {day: "leave"}
    bad = office.post(
        f"{BASE}/attendance/", {"class": klass.pk, "marks": [{"enrolment": a.pk, "mark": "late"}]}, format="json"
    )
    assert bad.status_code == 400
    done = office.post(f"{BASE}/classes/{klass.pk}/completion/", {"completed": {str(a.pk): True}}, format="json")
    assert done.status_code == 200 and {r["name"]: r["completed"] for r in done.json()} == {"张三": True, "李四": False}
    bad_key = office.post(f"{BASE}/classes/{klass.pk}/completion/", {"completed": {"x": True}}, format="json")
    assert bad_key.status_code == 400
    admin = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert admin.get(f"{BASE}/attendance/?class={klass.pk}").status_code == 403
    assert (
        admin.post(
            f"{BASE}/classes/{klass.pk}/completion/", {"completed": {str(a.pk): False}}, format="json"
        ).status_code
        == 403
    )
    assert admin.get(f"{BASE}/attendance/").status_code == 400
    assert Enrolment.objects.get(pk=a.pk).completed and DayAttendance.objects.count() == 2


def test_class_lists_follow_the_scope(tree):
    make_class(tree.office, title="全省班")
    make_class(tree.union_b, title="铜业班", audience_kinds=[OrgKind.ENTERPRISE])
    reporter = api(tree.user(Role.REPORTER))
    titles = [row["title"] for row in reporter.get(f"{BASE}/classes/").json()["results"]]
    assert titles == ["全省班"]
    office = api(tree.user(Role.OFFICE_ADMIN))
    assert {row["title"] for row in office.get(f"{BASE}/classes/?year={TODAY.year}").json()["results"]} == {
        "全省班",
        "铜业班",
    }
    assert office.get(f"{BASE}/classes/?year=abc").status_code == 400


def test_coverage_through_the_api(tree):
    klass = make_class(tree.office, days_ahead=-3, status=ClassStatus.FINISHED, ends_on=TODAY - dt.timedelta(days=1))
    person = enrol(klass, tree.kunming, "王五")
    Enrolment.objects.filter(pk=person.pk).update(completed=True)
    office = api(tree.user(Role.OFFICE_ADMIN))
    data = office.get(f"{BASE}/coverage/?year={klass.year}").json()
    assert data["total"]["expected"] == 3 and data["total"]["trained"] == 1
    assert [row["code"] for row in data["never_trained"]] == ["U-A", "U-B"]
    admin = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    none = admin.get(f"{BASE}/coverage/?year={klass.year}&audience=prefecture").json()
    assert none["total"]["rate"] is None and none["total"]["expected"] == 0
    assert office.get(f"{BASE}/coverage/?year=1800").status_code == 400


def test_the_openapi_document_describes_the_routes(tree):
    schema = api(tree.user(Role.OFFICE_ADMIN)).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/training/classes/", "/api/v1/training/enrolments/{id}/reveal/", "/api/v1/training/coverage/",
                 "/api/v1/training/attendance/"):  # fmt: skip
        assert path in paths, path
