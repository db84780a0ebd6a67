"""Organisation pages: scope (404) and rights (403), the tree and search, the detail page, and writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from orgs import services, views
from orgs.choices import OrgKind, Role
from orgs.models import Assignment, Organisation, OrgLink
from orgs.queries import parent_map_at
from orgs.tests.factories import SYSTEM, make_org, make_user

JUL_2021 = dt.date(2021, 7, 1)

# Where each role stands, and one organisation for each relation to it.
PLACES = {
    Role.REPORTER: {"own": "E-A1", "child": "UNIT-A1", "sibling": "E-A2", "other_branch": "E-B1"},
    Role.INFO_OFFICER: {"own": "E-A1", "child": "UNIT-A1", "sibling": "E-A2", "other_branch": "530100"},
    Role.UNION_ADMIN: {"own": "U-A", "child": "E-A1", "sibling": "U-B", "other_branch": "530100"},
    # A department viewer's "child" is the enterprise assigned to its department (挂钩帮带).
    Role.DEPT_VIEWER: {"own": "D-SASAC", "child": "E-A1", "sibling": "E-A2", "other_branch": "E-B1"},
}
READ_STATUS = {"own": 200, "child": 200, "sibling": 404, "other_branch": 404}
# ORG_MANAGE: the union administrator has it over its subtree; the others only read.
WRITE_STATUS = {
    Role.REPORTER: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
    Role.INFO_OFFICER: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
    Role.UNION_ADMIN: {"own": 200, "child": 200, "sibling": 404, "other_branch": 404},
    Role.DEPT_VIEWER: {"own": 403, "child": 403, "sibling": 404, "other_branch": 404},
}
WRITE_PAGES = ["orgs:org_edit", "orgs:org_create", "orgs:org_move", "orgs:org_close"]


@pytest.fixture
def demo_mode(settings):
    # The three administrators need a second factor outside demo mode; these tests are about scope.
    settings.DEMO_MODE = True


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def audit_count(event: str | None = None) -> int:
    qs = AuditEntry.objects.all()
    return qs.filter(event=event).count() if event else qs.count()


# --- the permission matrix ---------------------------------------------------------------------------


# Each test walks one role over the four relations; the dicts compared name the failing case.


@pytest.mark.parametrize("role", list(PLACES))
def test_read_pages_answer_by_scope(client, tree, role):
    login(client, tree.user(role))
    pages = ["orgs:org_detail", "orgs:org_children"]
    found = {
        (where, page): client.get(reverse(page, args=[code])).status_code
        for where, code in PLACES[role].items()
        for page in pages
    }
    assert found == {(where, page): READ_STATUS[where] for where in PLACES[role] for page in pages}


@pytest.mark.parametrize("role", list(PLACES))
def test_write_pages_answer_403_in_scope_without_the_right_and_404_outside(client, tree, role):
    login(client, tree.user(role))
    found = {
        (where, page): client.get(reverse(page, args=[code])).status_code
        for where, code in PLACES[role].items()
        for page in WRITE_PAGES
    }
    assert found == {(where, page): WRITE_STATUS[role][where] for where in PLACES[role] for page in WRITE_PAGES}


@pytest.mark.parametrize("role", list(PLACES))
def test_posts_change_the_database_only_where_allowed(client, tree, role):
    login(client, tree.user(role))
    for where, code in PLACES[role].items():
        target = org(code)
        before = audit_count()
        response = client.post(
            reverse("orgs:org_edit", args=[code]),
            {"name": f"改名{where}", "kind": target.kind, "version": target.version, "notes": ""},
        )
        if WRITE_STATUS[role][where] == 200:
            assert (where, response.status_code) == (where, 302)
            assert org(code).name == f"改名{where}"
            assert audit_count() == before + 1
        else:
            assert (where, response.status_code) == (where, WRITE_STATUS[role][where])
            assert org(code).name == target.name
            # Nothing written, and the refusal itself audited once (SECURITY row 15).
            refusal = "access.not_found" if WRITE_STATUS[role][where] == 404 else "access.denied"
            assert audit_count() == before + 1
            assert AuditEntry.objects.latest("id").event == refusal


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICE_REVIEWER])
def test_read_only_roles_get_403_on_writes(client, tree, role):
    login(client, tree.user(role, tree.province))
    assert client.get(reverse("orgs:org_detail", args=["E-B1"])).status_code == 200
    assert client.get(reverse("orgs:org_edit", args=["E-B1"])).status_code == 403
    response = client.post(reverse("orgs:org_close", args=["E-B1"]), {"on": "2021-07-01", "version": 1})
    assert response.status_code == 403
    assert org("E-B1").closed_on is None


@pytest.mark.parametrize("role", [Role.SEC_ADMIN, Role.AUDIT_ADMIN])
def test_security_and_audit_administrators_see_no_organisations(client, tree, demo_mode, role):
    login(client, tree.user(role))
    assert client.get(reverse("orgs:org_tree")).status_code == 403
    assert client.get(reverse("orgs:org_detail", args=["530000"])).status_code == 404
    assert client.get(reverse("orgs:org_edit", args=["530000"])).status_code == 404


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("orgs:org_detail", args=["E-A1"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- tree browser ------------------------------------------------------------------------------------


def test_tree_starts_at_the_visible_roots(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.get(reverse("orgs:org_tree"))
    assert response.status_code == 200
    assert [o.code for o in response.context["roots"]] == ["U-A"]
    html = response.content.decode()
    assert "云南电网" in html
    assert "中国铜业" not in html
    # A single root opens on arrival with its first level shown; deeper nodes load when opened.
    assert 'aria-expanded="true"' in html
    assert "昆明供电局" in html and "曲靖供电局" in html
    assert 'hx-get="/orgs/E-A1/children/"' in html
    assert 'hx-trigger="click once"' in html


def test_many_roots_stay_closed(client, tree, monkeypatch):
    monkeypatch.setattr(views, "ROOTS_OPENED", 0)
    login(client, tree.user(Role.UNION_ADMIN))
    html = client.get(reverse("orgs:org_tree")).content.decode()
    assert 'aria-expanded="true"' not in html
    assert 'hx-get="/orgs/U-A/children/"' in html
    assert "昆明供电局" not in html


def test_children_partial_hides_closed_unless_asked(client, tree):
    services.org_close(by=SYSTEM, org=tree.ent_a2, on=JUL_2021, version=tree.ent_a2.version)
    login(client, tree.user(Role.UNION_ADMIN))
    url = reverse("orgs:org_children", args=["U-A"])

    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "昆明供电局" in html
    assert "曲靖供电局" not in html
    assert "<html" not in html  # a fragment for htmx

    html = client.get(url + "?closed=1", headers={"HX-Request": "true"}).content.decode()
    assert "曲靖供电局" in html
    assert "2021-07-01 撤销" in html


def test_tree_hides_closed_roots_until_ticked(client, tree):
    services.org_close(by=SYSTEM, org=tree.unit_a1, on=JUL_2021, version=tree.unit_a1.version)
    reporter = make_user(role=Role.REPORTER, org=tree.ent_a2)
    services.membership_grant(by=SYSTEM, user=reporter, org=tree.ent_b1, role=Role.REPORTER)
    services.org_close(by=SYSTEM, org=tree.ent_b1, on=JUL_2021, version=tree.ent_b1.version)
    login(client, reporter)
    assert [o.code for o in client.get(reverse("orgs:org_tree")).context["roots"]] == ["E-A2"]


def test_children_load_in_batches(client, tree, monkeypatch):
    monkeypatch.setattr(views, "CHILDREN_BATCH", 2)
    make_org(tree.union_a, "第三家")
    login(client, tree.user(Role.UNION_ADMIN))
    url = reverse("orgs:org_children", args=["U-A"])
    first = client.get(url)
    assert [o.code for o in first.context["children"]] == ["E-A1", "E-A2"]
    assert first.context["next_offset"] == 2
    assert "/orgs/U-A/children/?offset=2" in first.content.decode()
    second = client.get(url + "?offset=2")
    assert [o.name for o in second.context["children"]] == ["第三家"]
    assert second.context["next_offset"] is None


def test_tree_query_budget_does_not_grow_with_the_tree(client, tree, django_assert_max_num_queries):
    leader = tree.user(Role.LEADER)
    login(client, leader)
    url = reverse("orgs:org_children", args=["U-A"])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(30):
        make_org(tree.union_a, f"子公司{n}")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["children"]) == 32
    assert len(large) == len(small)
    with django_assert_max_num_queries(8 + views.ROOTS_OPENED):  # one query per root opened on arrival
        client.get(reverse("orgs:org_tree"))
    with django_assert_max_num_queries(8):
        client.get(url)


# --- search ------------------------------------------------------------------------------------------


def test_search_by_pinyin_initials_shows_the_path(client, tree):
    login(client, tree.user(Role.LEADER))
    response = client.get(reverse("orgs:org_tree"), {"q": "yndw"})
    assert response.status_code == 200
    (hit, path), *rest = response.context["results"]
    assert hit.name == "云南电网"
    assert rest == []
    assert [a.code for a in path] == ["530000", "CAT-UNION"]
    assert "找到 1 个机构。" in response.content.decode()


def test_search_is_an_htmx_partial_and_finds_by_code_and_name(client, tree):
    login(client, tree.user(Role.LEADER))
    response = client.get(reverse("orgs:org_tree"), {"q": "E-A"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert [hit.code for hit, _ in response.context["results"]] == ["E-A1", "E-A2"]
    response = client.get(reverse("orgs:org_tree"), {"q": "铜业"})
    assert [hit.code for hit, _ in response.context["results"]] == ["U-B", "E-B1"]


def test_search_never_shows_another_branch(client, tree):
    login(client, tree.user(Role.REPORTER))
    response = client.get(reverse("orgs:org_tree"), {"q": "供电局"})
    assert [hit.code for hit, _ in response.context["results"]] == ["E-A1"]
    assert "曲靖供电局" not in response.content.decode()
    response = client.get(reverse("orgs:org_tree"), {"q": "yndw"})
    assert response.context["results"] == []
    assert "没有找到匹配的机构。" in response.content.decode()


def test_search_filters_by_kind_and_closed(client, tree):
    services.org_close(by=SYSTEM, org=tree.ent_a2, on=JUL_2021, version=tree.ent_a2.version)
    login(client, tree.user(Role.LEADER))
    response = client.get(reverse("orgs:org_tree"), {"kind": OrgKind.ENTERPRISE})
    assert [hit.code for hit, _ in response.context["results"]] == ["E-A1", "E-B1"]
    response = client.get(reverse("orgs:org_tree"), {"kind": OrgKind.ENTERPRISE, "closed": "1"})
    assert [hit.code for hit, _ in response.context["results"]] == ["E-A1", "E-A2", "E-B1"]


def test_search_query_budget_does_not_grow_with_hits(client, tree, django_assert_max_num_queries):
    login(client, tree.user(Role.LEADER))
    url = reverse("orgs:org_tree")
    client.get(url)  # the first page fills the menu's cached answers (who rates: 我的评分)
    with CaptureQueriesContext(connection) as one_hit:
        client.get(url, {"q": "yndw"})
    for n in range(25):
        make_org(tree.ent_a1 if n % 2 else tree.union_a, f"云南电网分公司{n}")
    with CaptureQueriesContext(connection) as many_hits:
        response = client.get(url, {"q": "yndw"})
    assert len(response.context["results"]) == 26
    assert len(many_hits) == len(one_hit)
    # session, user, memberships, grants, search, region names, the unread-notification badge …
    with django_assert_max_num_queries(9):
        client.get(url, {"q": "yndw"})


def test_search_is_limited(client, tree, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_LIMIT", 2)
    login(client, tree.user(Role.LEADER))
    response = client.get(reverse("orgs:org_tree"), {"q": "供电局"})
    assert len(response.context["results"]) == 2
    response = client.get(reverse("orgs:org_tree"), {"q": "T"})  # codes are not T…: the E-/U- ones stay out
    assert response.context["more"] is False
    response = client.get(reverse("orgs:org_tree"), {"kind": OrgKind.ENTERPRISE})
    assert response.context["more"] is True
    assert "只显示前 2 个" in response.content.decode()


# --- organisation page -------------------------------------------------------------------------------


def test_detail_shows_attributes_path_members_and_history(client, tree):
    reporter = tree.user(Role.REPORTER)
    reporter.full_name = "李四"
    reporter.save(update_fields=["full_name"])
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.get(reverse("orgs:org_detail", args=["UNIT-A1"]))
    assert response.status_code == 200
    assert [a.code for a in response.context["ancestors"]] == ["U-A", "E-A1"]  # nothing above its scope
    html = response.content.decode()
    assert 'href="/orgs/530000/"' not in html

    response = client.get(reverse("orgs:org_detail", args=["E-A1"]))
    html = response.content.decode()
    assert "李四" in html
    assert "企业填报员" in html
    assert "行政区划" in html and "昆明市（530100）" in html
    assert "隶属关系变更记录" in html
    assert "省国资委" in html  # the department it is assigned to
    assert response.context["may_manage"] is True


def test_detail_shows_notes_escaped(client, tree):
    services.org_update(by=SYSTEM, org=tree.ent_a1, version=tree.ent_a1.version, notes="<script>alert(1)</script>")
    login(client, tree.user(Role.REPORTER))
    html = client.get(reverse("orgs:org_detail", args=["E-A1"])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_detail_history_after_a_move(client, tree, demo_mode):
    services.org_move(by=SYSTEM, org=tree.ent_a1, new_parent=tree.union_b, on=JUL_2021, version=tree.ent_a1.version)
    login(client, tree.user(Role.SYS_ADMIN))
    response = client.get(reverse("orgs:org_detail", args=["E-A1"]))
    links = [(link.parent.code, link.valid_from, link.valid_to) for link in response.context["links"]]
    assert links == [("U-B", JUL_2021, None), ("U-A", dt.date(2018, 1, 1), JUL_2021)]


def test_detail_paginates_children(client, tree, monkeypatch):
    monkeypatch.setattr(views, "DETAIL_CHILDREN_PER_PAGE", 2)
    make_org(tree.union_a, "第三家")
    login(client, tree.user(Role.UNION_ADMIN))
    url = reverse("orgs:org_detail", args=["U-A"])
    first = client.get(url)
    assert [o.code for o in first.context["children"]] == ["E-A1", "E-A2"]
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [o.name for o in second.context["children"]] == ["第三家"]


def test_department_page_lists_its_enterprises(client, tree):
    login(client, tree.user(Role.DEPT_VIEWER))
    response = client.get(reverse("orgs:org_detail", args=["D-SASAC"]))
    assert [a.enterprise.code for a in response.context["assignments"]] == ["E-A1"]
    assert "挂钩帮带企业" in response.content.decode()


def test_detail_query_budget_does_not_grow_with_children_or_members(client, tree, django_assert_max_num_queries):
    login(client, tree.user(Role.LEADER))
    url = reverse("orgs:org_detail", args=["U-A"])
    client.get(url)  # the first page fills the menu's cached answers (who rates: 我的评分)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(4):
        child = make_org(tree.union_a, f"子公司{n}")
        make_user(role=Role.UNION_ADMIN if n % 2 else Role.REPORTER, org=tree.union_a)
        services.assignment_create(by=SYSTEM, department=tree.dept, enterprise=child)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
    # 13 with the unread-notification badge of the navigation bar
    with django_assert_max_num_queries(13):
        client.get(reverse("orgs:org_detail", args=["D-SASAC"]))


# --- writes --------------------------------------------------------------------------------------------


def edit_data(target: Organisation, **changes) -> dict:
    data = {
        "name": target.name,
        "short_name": target.short_name,
        "kind": target.kind,
        "ownership": target.ownership,
        "industry": target.industry,
        "region": target.region_id or "",
        "credit_code": target.credit_code,
        "opened_on": target.opened_on.isoformat() if target.opened_on else "",
        "notes": target.notes,
        "version": target.version,
    }
    data.update(changes)
    return data


def test_edit_form_carries_the_version(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    html = client.get(reverse("orgs:org_edit", args=["E-A2"])).content.decode()
    assert 'name="version" value="1"' in html
    assert 'type="hidden"' in html


def test_edit_saves_through_the_service_with_one_audit_row(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    target = org("E-A2")
    response = client.post(reverse("orgs:org_edit", args=["E-A2"]), edit_data(target, short_name="曲靖局"))
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:org_detail", args=["E-A2"])
    target.refresh_from_db()
    assert (target.short_name, target.version) == ("曲靖局", 2)
    assert audit_count("orgs.organisation.update") == 1
    assert AuditEntry.objects.get(event="orgs.organisation.update").username == "union_admin_u-a"
    page = client.get(response["Location"]).content.decode()
    assert "已保存“曲靖供电局”的修改。" in page


def test_edit_with_a_stale_version_shows_the_conflict_and_what_changed(client, tree):
    admin = tree.user(Role.UNION_ADMIN)
    target = org("E-A2")
    stale = edit_data(target, name="我的改名")
    services.org_update(by=SYSTEM, org=target, version=1, name="他人改名")  # someone saved first
    audit_before = audit_count()

    login(client, admin)
    response = client.post(reverse("orgs:org_edit", args=["E-A2"]), stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "该机构已被他人修改，请刷新后重试。" in html
    assert [fields for change in response.context["changes"] for fields in change["fields"]] == [
        ("名称", "曲靖供电局", "他人改名")
    ]
    assert "他人改名" in html
    assert 'name="version" value="2"' in html  # a deliberate second save may go ahead
    target.refresh_from_db()
    assert target.name == "他人改名"
    assert audit_count() == audit_before


def test_edit_shows_field_errors_next_to_fields_and_writes_nothing(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    target = org("E-A2")
    response = client.post(reverse("orgs:org_edit", args=["E-A2"]), edit_data(target, name="", credit_code="ABC"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "该字段是必填项。" in html
    assert "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。" in html
    assert 'class="form-control is-invalid"' in html
    assert org("E-A2").name == "曲靖供电局"
    assert audit_count("orgs.organisation.update") == 0


def test_create_child(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.post(
        reverse("orgs:org_create", args=["E-A1"]),
        {"code": "UNIT-A1-2", "name": "变电运维所", "kind": OrgKind.UNIT, "opened_on": "2020-03-01", "notes": ""},
    )
    assert response.status_code == 302
    child = org("UNIT-A1-2")
    assert response["Location"] == child.get_absolute_url()
    assert child.path.startswith(tree.ent_a1.path) and child.depth == tree.ent_a1.depth + 1
    assert OrgLink.objects.get(org=child).valid_from == dt.date(2020, 3, 1)
    assert AuditEntry.objects.filter(event="orgs.organisation.create", object_id=str(child.pk)).count() == 1


def test_create_child_with_a_used_code_shows_the_error_at_the_field(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    before = Organisation.objects.count()
    response = client.post(
        reverse("orgs:org_create", args=["E-A1"]), {"code": "E-A2", "name": "重复", "kind": OrgKind.UNIT}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["机构代码“E-A2”已被使用。"]
    assert Organisation.objects.count() == before


def test_move_keeps_history(client, tree, demo_mode):
    login(client, tree.user(Role.SYS_ADMIN))
    response = client.post(
        reverse("orgs:org_move", args=["E-A1"]), {"new_parent": "U-B", "on": "2021-07-01", "version": 1}
    )
    assert response.status_code == 302
    assert parent_map_at(dt.date(2021, 6, 30))[tree.ent_a1.pk] == tree.union_a.pk
    assert parent_map_at(JUL_2021)[tree.ent_a1.pk] == tree.union_b.pk
    assert audit_count("orgs.organisation.move") == 1


def test_move_to_a_parent_outside_the_managed_scope_is_a_field_error(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.post(
        reverse("orgs:org_move", args=["E-A2"]), {"new_parent": "U-B", "on": "2021-07-01", "version": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_parent"] == ["找不到机构代码为“U-B”的机构，或您无权在其下维护机构。"]
    assert org("E-A2").path.startswith(tree.union_a.path)
    assert audit_count("orgs.organisation.move") == 0


def test_move_within_the_subtree(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.post(
        reverse("orgs:org_move", args=["E-A2"]), {"new_parent": "E-A1", "on": "2021-07-01", "version": 1}
    )
    assert response.status_code == 302
    assert org("E-A2").path.startswith(org("E-A1").path)
    assert audit_count("orgs.organisation.move") == 1


def test_close_refused_while_children_are_open(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.post(reverse("orgs:org_close", args=["E-A1"]), {"on": "2021-07-01", "version": 1})
    assert response.status_code == 200
    assert "请先撤销或迁移其下属机构，再撤销本机构。" in response.content.decode()
    assert org("E-A1").closed_on is None
    assert audit_count("orgs.organisation.close") == 0


def test_close(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.post(reverse("orgs:org_close", args=["E-A2"]), {"on": "2021-07-01", "version": 1})
    assert response.status_code == 302
    assert org("E-A2").closed_on == JUL_2021
    assert audit_count("orgs.organisation.close") == 1


def test_close_with_a_stale_version(client, tree):
    Organisation.objects.filter(pk=tree.ent_a2.pk).update(version=F("version") + 1)
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.post(reverse("orgs:org_close", args=["E-A2"]), {"on": "2021-07-01", "version": 1})
    assert response.status_code == 200
    assert "该机构已被他人修改，请刷新后重试。" in response.content.decode()
    assert org("E-A2").closed_on is None


def test_add_and_end_an_assignment(client, tree, demo_mode):
    login(client, tree.user(Role.SYS_ADMIN))
    response = client.post(
        reverse("orgs:assignment_create", args=["D-SASAC"]), {"other": "E-B1", "valid_from": "2021-01-01"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(enterprise=tree.ent_b1)
    assert assignment.department == tree.dept
    assert audit_count("orgs.assignment.create") == 2  # the tree's own, and this one

    response = client.post(reverse("orgs:assignment_end", args=["D-SASAC", assignment.pk]), {"on": "2021-07-01"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == JUL_2021
    assert audit_count("orgs.assignment.end") == 1


def test_assignment_from_the_enterprise_side_needs_the_department_in_scope(client, tree):
    login(client, tree.user(Role.UNION_ADMIN))
    response = client.post(
        reverse("orgs:assignment_create", args=["E-A2"]), {"other": "D-SASAC", "valid_from": "2021-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["other"] == ["找不到机构代码为“D-SASAC”的机构，或您无权维护该机构。"]
    assert not Assignment.objects.filter(enterprise=tree.ent_a2).exists()


def test_ending_an_assignment_is_refused_without_the_department(client, tree):
    assignment = Assignment.objects.get(enterprise=tree.ent_a1)
    login(client, tree.user(Role.UNION_ADMIN))  # manages the enterprise, not the department
    response = client.post(reverse("orgs:assignment_end", args=["E-A1", assignment.pk]), {"on": "2021-07-01"})
    assert response.status_code == 403
    assert (
        client.post(reverse("orgs:assignment_end", args=["E-B1", assignment.pk]), {"on": "2021-07-01"}).status_code
        == 404
    )
    assignment.refresh_from_db()
    assert assignment.valid_to is None


def test_state_changing_urls_refuse_get_and_missing_csrf(tree):
    assignment = Assignment.objects.get(enterprise=tree.ent_a1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.get(reverse("orgs:assignment_end", args=["E-A1", assignment.pk])).status_code == 405
    response = client.post(reverse("orgs:org_edit", args=["E-A2"]), edit_data(org("E-A2"), name="无令牌"))
    assert response.status_code == 403
    assert org("E-A2").name == "曲靖供电局"
