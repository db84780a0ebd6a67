"""The pool's pages: scope (404 outside, 403 without the right), search and filters, masking, the audited
reveal, adding a person with a wrong and a right ID number, removal, honours and the exports."""

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from core import deadlines
from core.models import AuditEntry
from orgs.choices import Role
from talent.choices import HonourKind, HonourLevel, SkillLevel
from talent.models import Person
from talent.tests.factories import id_number, make_honour, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    a = make_person(tree.ent_a1, "李建华", id_number=id_number(), phone="13812345678", is_speaker=True,
                    skill_level=SkillLevel.TECHNICIAN)  # fmt: skip
    make_honour(a, kind=HonourKind.CRAFTSMAN, level=HonourLevel.PROVINCIAL, title="云岭工匠")
    b = make_person(tree.ent_a2, "王秀英", is_industrial_worker=False)
    c = make_person(tree.ent_b1, "赵铜生", id_number=id_number())
    return a, b, c


def test_anonymous_visitors_are_sent_to_log_in(client, people):
    for url in (reverse("talent:home"), people[0].get_absolute_url(), reverse("talent:rounds")):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_shows_the_scope_and_masks(client, tree, people):
    a, b, c = people
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    body = client.get(reverse("talent:home")).content.decode()
    assert a.name in body and b.name in body and c.name not in body
    assert a.id_number not in body and a.id_number[:4] + "**********" in body
    assert client.get(c.get_absolute_url()).status_code == 404
    page = client.get(a.get_absolute_url()).content.decode()
    assert "云岭工匠" in page and a.id_number not in page and "138****5678" in page
    assert "查看完整" not in page  # a union admin has no PII_VIEW


def test_search_and_filters(client, tree, people):
    a, b, c = people
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    url = reverse("talent:home")

    def names(**query):
        body = client.get(url, query).content.decode()
        return {p.name for p in people if f'data-person="{p.pk}"' in body}

    assert names() == {a.name, b.name, c.name}
    assert names(q="建华") == {a.name}
    assert names(org="U-A") == {a.name, b.name}
    assert names(honour_kind=HonourKind.CRAFTSMAN) == {a.name}
    assert names(honour_kind=HonourKind.CRAFTSMAN, honour_level=HonourLevel.NATIONAL) == set()
    assert names(skill_level="high") == {a.name}
    assert names(industrial="0") == {b.name}
    assert names(speaker="1") == {a.name}
    client.post(reverse("talent:person_remove", args=[b.pk]), {"version": b.version, "reason": "退休"})
    assert names() == {a.name, c.name}
    assert names(state="removed") == {b.name}
    assert client.get(url, {"org": "没有这个单位", "page": "x"}).status_code == 200


def test_reveal_is_a_post_for_pii_holders_and_audited(client, tree, people):
    a = people[0]
    url = reverse("talent:person_reveal_id", args=[a.pk])
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert client.post(url, {"reason": "核实"}).status_code == 404
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    assert client.get(url).status_code == 405
    assert "查看完整" in client.get(a.get_absolute_url()).content.decode()
    response = client.post(url, {"reason": "核实身份"})
    assert response.status_code == 200 and a.id_number in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    row = AuditEntry.objects.get(event="core.pii.reveal")
    assert row.object_id == str(a.pk) and row.detail["field"] == "id_number" and row.detail["reason"] == "核实身份"
    assert a.id_number not in str(row.detail)
    phone = client.post(reverse("talent:person_reveal_phone", args=[a.pk]), {"reason": "联系"})
    assert "13812345678" in phone.content.decode()


def test_adding_a_person_wrong_check_digit_then_right(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    good = id_number()
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    data = {"org": "E-A1", "name": "陈晓梅", "gender": "female", "occupation": "电力调度员",
            "skill_level": SkillLevel.SENIOR, "is_industrial_worker": "on", "id_number": bad}  # fmt: skip
    response = client.post(reverse("talent:person_create"), data)
    assert response.status_code == 200 and "校验码不对" in response.content.decode()
    data["id_number"] = good
    response = client.post(reverse("talent:person_create"), data)
    person = Person.objects.get(name="陈晓梅")
    assert response.status_code == 302 and person.id_number == good and person.org == tree.ent_a1
    data["org"] = "E-B1"
    data["id_number"] = ""
    response = client.post(reverse("talent:person_create"), data)
    assert "E-B1" in response.content.decode() and Person.objects.filter(name="陈晓梅").count() == 1


def test_who_may_add_and_edit(client, tree, people):
    a = people[0]
    client.force_login(tree.user(Role.LEADER))
    assert client.get(reverse("talent:person_create")).status_code == 403
    assert client.get(reverse("talent:person_edit", args=[a.pk])).status_code == 403
    assert client.post(reverse("talent:person_remove", args=[a.pk]), {"version": 1, "reason": "x"}).status_code == 403
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    assert client.get(reverse("talent:person_edit", args=[a.pk])).status_code == 200
    assert client.get(reverse("talent:person_edit", args=[people[1].pk])).status_code == 404


def test_editing_keeps_the_numbers_when_left_blank(client, tree, people):
    a = people[0]
    number = a.id_number
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    data = {"org": "E-A1", "name": a.name, "gender": "male", "occupation": "带电作业工",
            "skill_level": SkillLevel.TECHNICIAN, "is_industrial_worker": "on", "version": a.version}  # fmt: skip
    assert client.post(reverse("talent:person_edit", args=[a.pk]), data).status_code == 302
    a.refresh_from_db()
    assert a.occupation == "带电作业工" and a.id_number == number and a.phone == "13812345678"
    data.update(version=a.version, phone="删除")
    client.post(reverse("talent:person_edit", args=[a.pk]), data)
    a.refresh_from_db()
    assert a.phone == "" and a.id_number == number


def test_honours_on_the_profile(client, tree, people):
    a = people[0]
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    url = reverse("talent:honour_add", args=[a.pk])
    data = {"kind": HonourKind.MAY_DAY_MEDAL, "level": HonourLevel.PROVINCIAL, "title": "云南省五一劳动奖章",
            "awarded_on": "2024-04-28"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 400
    honour = a.honours.get(kind=HonourKind.MAY_DAY_MEDAL)
    assert client.post(reverse("talent:honour_remove", args=[a.pk, honour.pk])).status_code == 302
    assert not a.honours.filter(kind=HonourKind.MAY_DAY_MEDAL).exists()


def _sheet(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_export_is_masked_by_default_and_audited(client, tree, people):
    cache.clear()
    a = people[0]
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.get(reverse("talent:people_xlsx"), {"org": "U-A"})
    rows = _sheet(response)
    text = str(rows)
    assert a.name in text and a.id_number not in text and "138****5678" in text and "赵铜生" not in text
    row = AuditEntry.objects.get(event="talent.person.export")
    assert row.detail["rows"] == 2 and row.detail["personal_data"] == "masked"


def test_full_export_needs_pii_view_and_a_reason(client, tree, people):
    cache.clear()
    a = people[0]
    url = reverse("talent:people_xlsx")
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert client.post(url, {"full": "1", "reason": "评选"}).status_code == 403
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.post(url, {"full": "1", "reason": ""})
    assert response.status_code == 302 and not AuditEntry.objects.filter(event="talent.person.export").exists()
    response = client.post(f"{url}?speaker=1", {"full": "1", "reason": "省劳模评选资格审查"})
    text = str(_sheet(response))
    assert a.id_number in text and "13812345678" in text
    row = AuditEntry.objects.get(event="talent.person.export")
    assert row.detail == {"format": "xlsx", "rows": 1, "personal_data": "full", "reason": "省劳模评选资格审查",
                          "filters": {"speaker": "1"}}  # fmt: skip
    assert row.role and "office_admin" in row.role
    assert a.id_number not in str(row.detail)


def test_export_needs_the_export_right(client, tree, people):
    client.force_login(tree.user(Role.INFO_OFFICER, tree.ent_a1))
    assert client.get(reverse("talent:people_xlsx")).status_code == 403


def test_removed_person_page_says_so(client, tree, people):
    b = people[1]
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    client.post(
        reverse("talent:person_remove", args=[b.pk]),
        {"version": b.version, "reason": "调离", "removed_on": deadlines.today()},
    )
    body = client.get(b.get_absolute_url()).content.decode()
    assert 'id="removed-note"' in body and "恢复到人才库" in body


def test_list_page_query_budget(client, tree, django_assert_max_num_queries):
    for n in range(12):
        make_honour(make_person(tree.ent_a1, f"人员{n}", id_number=id_number()))
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("talent:home"), {"honour_kind": HonourKind.MODEL_WORKER}).status_code == 200
