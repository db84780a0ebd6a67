"""The organisation, membership and assignment endpoints of /api/v1, for every role of the tree."""

import datetime as dt

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs import services
from orgs.choices import Role
from orgs.models import Assignment, Membership, Organisation, OrgLink
from orgs.tests.factories import SYSTEM, make_user

NOT_FOUND = "未找到该对象，或您无权访问。"
STALE = "该机构已被他人修改，请刷新后重试。"


def api(user=None, ip="10.20.0.1") -> APIClient:
    return api_client(user, ip=ip)


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def org(code: str) -> Organisation:
    return Organisation.objects.filter(code=code).first()


# --- organisations: reading ---------------------------------------------------------------

ALL = {
    "530000",
    "OFFICE",
    "CAT-PREF",
    "530100",
    "CAT-UNION",
    "U-A",
    "E-A1",
    "UNIT-A1",
    "E-A2",
    "U-B",
    "E-B1",
    "CAT-DEPT",
    "D-SASAC",
}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OFFICE_ADMIN, ALL),  # held at the office node, office roles cover the province
        (Role.UNION_ADMIN, {"U-A", "E-A1", "UNIT-A1", "E-A2"}),
        (Role.REPORTER, {"E-A1", "UNIT-A1"}),
        (Role.DEPT_VIEWER, {"D-SASAC", "E-A1", "UNIT-A1"}),
        (Role.LEADER, ALL),
        (Role.SYS_ADMIN, ALL),
        (Role.AUDIT_ADMIN, set()),
        (Role.SEC_ADMIN, set()),
    ],
)
def test_list_shows_exactly_the_scope_of_each_role(tree, role, expected):
    assert codes(api(tree.user(role)).get("/api/v1/organisations/?limit=100")) == expected


def test_list_query_count_does_not_grow_with_rows(tree, django_assert_max_num_queries):
    client = api(tree.user(Role.LEADER))
    client.get("/api/v1/organisations/")  # token row cached nowhere: warm nothing, just measure below
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/organisations/?limit=100")
    assert len(response.json()["results"]) == len(ALL)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=enterprise", {"E-A1", "E-A2", "E-B1"}),
        ("parent=U-A", {"E-A1", "E-A2"}),
        ("within=U-A", {"U-A", "E-A1", "UNIT-A1", "E-A2"}),
        ("q=供电", {"E-A1", "E-A2"}),
        ("q=kmgdj", {"E-A1"}),  # pinyin initials of 昆明供电局
        ("q=E-B", {"E-B1"}),  # code prefix
        ("q=zgty", {"U-B"}),
        ("parent=U-B&kind=enterprise", {"E-B1"}),
    ],
)
def test_filters(tree, query, expected):
    assert codes(api(tree.user(Role.LEADER)).get(f"/api/v1/organisations/?{query}")) == expected


@pytest.mark.parametrize("query", ["parent=U-B", "within=U-B", "q=铜业", "q=ztyg", "q=E-B1", "kind=union"])
def test_filters_never_reach_outside_the_scope(tree, query):
    found = codes(api(tree.user(Role.REPORTER)).get(f"/api/v1/organisations/?{query}&closed=true"))
    assert found <= {"E-A1", "UNIT-A1"}
    assert "E-B1" not in found and "U-B" not in found


def test_closed_organisations_are_listed_only_on_request(tree):
    services.org_close(by=SYSTEM, org=tree.unit_a1, on=dt.date(2025, 1, 1), version=tree.unit_a1.version)
    client = api(tree.user(Role.REPORTER))
    assert codes(client.get("/api/v1/organisations/")) == {"E-A1"}
    assert codes(client.get("/api/v1/organisations/?closed=true")) == {"E-A1", "UNIT-A1"}
    assert client.get("/api/v1/organisations/UNIT-A1/").json()["closed_on"] == "2025-01-01"
    assert codes(client.get("/api/v1/organisations/E-A1/children/")) == set()
    assert codes(client.get("/api/v1/organisations/E-A1/children/?closed=1")) == {"UNIT-A1"}


def test_retrieve_own_and_refuse_other_branch(tree):
    client = api(tree.user(Role.REPORTER))
    own = client.get("/api/v1/organisations/E-A1/")
    assert own.status_code == 200
    assert own["ETag"] == '"1"'
    assert own.json()["name"] == "昆明供电局"
    # The parent (union A) is outside the reporter's scope: it does not exist for them.
    assert own.json()["parent"] is None
    for code in ("E-B1", "E-A2", "U-A", "NO-SUCH"):
        response = client.get(f"/api/v1/organisations/{code}/")
        assert response.status_code == 404
        assert response.json() == {"detail": NOT_FOUND}


def test_parent_shown_when_in_scope(tree):
    body = api(tree.user(Role.UNION_ADMIN)).get("/api/v1/organisations/E-A1/").json()
    assert body["parent"] == "U-A"
    assert body["region"] == "530100"


def test_children_and_history(tree):
    services.org_move(
        by=SYSTEM, org=tree.ent_a2, new_parent=tree.union_b, on=dt.date(2024, 7, 1), version=tree.ent_a2.version
    )
    client = api(tree.user(Role.OFFICE_ADMIN, tree.province))
    assert codes(client.get("/api/v1/organisations/U-B/children/")) == {"E-B1", "E-A2"}
    history = client.get("/api/v1/organisations/E-A2/history/").json()["results"]
    assert history == [
        {"parent": {"code": "U-A", "name": "云南电网"}, "valid_from": "2018-01-01", "valid_to": "2024-07-01"},
        {"parent": {"code": "U-B", "name": "中国铜业"}, "valid_from": "2024-07-01", "valid_to": None},
    ]


def test_history_hides_parents_outside_the_scope(tree):
    history = api(tree.user(Role.REPORTER)).get("/api/v1/organisations/E-A1/history/").json()["results"]
    assert history == [{"parent": None, "valid_from": "2018-01-01", "valid_to": None}]


# --- organisations: writing ---------------------------------------------------------------


def test_union_admin_creates_inside_its_subtree(tree):
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/organisations/",
        {"parent": "E-A1", "code": "UNIT-A1-2", "name": "变电运维所", "kind": "unit", "opened_on": "2024-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = org("UNIT-A1-2")
    assert created.path[: -Organisation.steplen] == tree.ent_a1.path
    assert response.json()["parent"] == "E-A1"
    assert AuditEntry.objects.filter(event="orgs.organisation.create", object_id=str(created.pk)).count() == 1


def test_create_under_another_branch_reads_as_not_found(tree):
    before = Organisation.objects.count()
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/organisations/",
        {"parent": "U-B", "code": "X-1", "name": "某企业", "kind": "enterprise"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"parent": ["未找到代码为“U-B”的机构，或您无权访问。"]}
    assert Organisation.objects.count() == before


@pytest.mark.parametrize("role", [Role.REPORTER, Role.LEADER, Role.DEPT_VIEWER, Role.INFO_OFFICER])
def test_create_without_org_manage_is_forbidden(tree, role):
    before = Organisation.objects.count()
    response = api(tree.user(role)).post(
        "/api/v1/organisations/", {"parent": "E-A1", "code": "X-2", "name": "某单位", "kind": "unit"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有对“昆明供电局”执行此操作的权限。"}
    assert Organisation.objects.count() == before


def test_create_refuses_tree_and_bookkeeping_fields(tree):
    before = Organisation.objects.count()
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/organisations/",
        {
            "parent": "E-A1",
            "code": "X-3",
            "name": "某单位",
            "kind": "unit",
            "path": "0001",
            "depth": 1,
            "version": 9,
            "is_sample": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {k: ["不允许提交此字段。"] for k in ("depth", "is_sample", "path", "version")}
    assert Organisation.objects.count() == before


def test_create_validation_errors_are_chinese_and_per_field(tree):
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/organisations/", {"parent": "E-A1", "code": "bad code!", "kind": "castle"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "提交的数据有误，请检查后重试。"
    assert body["errors"]["name"] == ["该字段是必填项。"]
    assert body["errors"]["code"] == ["代码只能包含字母、数字、下划线和短横线。"]
    assert body["errors"]["kind"] == ["“castle” 不是合法选项。"]


def test_duplicate_code_is_a_field_error(tree):
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/organisations/", {"parent": "E-A1", "code": "E-B1", "name": "重复", "kind": "unit"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "机构代码“E-B1”已被使用。",
        "field": "code",
        "errors": {"code": ["机构代码“E-B1”已被使用。"]},
    }


def test_update_with_current_version(tree):
    response = api(tree.user(Role.UNION_ADMIN)).patch(
        "/api/v1/organisations/E-A1/",
        {"short_name": "昆明局", "notes": "<script>alert(1)</script>", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    ent = org("E-A1")
    assert (ent.short_name, ent.notes, ent.version) == ("昆明局", "<script>alert(1)</script>", 2)
    entry = AuditEntry.objects.get(event="orgs.organisation.update", object_id=str(ent.pk))
    assert entry.before["short_name"] == "" and entry.after["short_name"] == "昆明局"


def test_update_with_stale_version_is_a_conflict(tree):
    Organisation.objects.filter(code="E-A1").update(version=F("version") + 1)  # someone saved first
    response = api(tree.user(Role.UNION_ADMIN)).patch(
        "/api/v1/organisations/E-A1/", {"name": "新名称", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": STALE}
    assert org("E-A1").name == "昆明供电局"
    assert not AuditEntry.objects.filter(event="orgs.organisation.update").exists()


def test_if_match_current_succeeds_and_stale_is_412(tree):
    client = api(tree.user(Role.UNION_ADMIN))
    stale = client.patch("/api/v1/organisations/E-A1/", {"name": "新名称"}, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    assert stale.json() == {"detail": "该对象已被他人修改（版本号不符），请刷新后重试。"}
    assert org("E-A1").name == "昆明供电局"
    current = client.patch("/api/v1/organisations/E-A1/", {"name": "新名称"}, format="json", HTTP_IF_MATCH='"1"')
    assert current.status_code == 200
    assert org("E-A1").name == "新名称"


def test_update_without_any_version_is_428(tree):
    response = api(tree.user(Role.UNION_ADMIN)).patch("/api/v1/organisations/E-A1/", {"name": "新名称"}, format="json")
    assert response.status_code == 428
    assert response.json() == {"detail": "缺少版本号：请在请求中提供 version 字段或 If-Match 请求头。"}
    assert org("E-A1").name == "昆明供电局"


def test_patch_cannot_move_or_recode(tree):
    """Row 10 of docs SECURITY: mass assignment of tree fields is refused and changes nothing."""
    before = org("E-A1")
    response = api(tree.user(Role.UNION_ADMIN)).patch(
        "/api/v1/organisations/E-A1/",
        {"path": tree.ent_b1.path + "0001", "code": "HIJACK", "kind": "department", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"path", "code"}
    after = Organisation.objects.filter(pk=before.pk).values("path", "code", "kind", "depth", "version").first()
    assert after == {"path": before.path, "code": "E-A1", "kind": "enterprise", "depth": before.depth, "version": 1}


def test_put_is_not_offered(tree):
    response = api(tree.user(Role.UNION_ADMIN)).put(
        "/api/v1/organisations/E-A1/", {"name": "x", "version": 1}, format="json"
    )
    assert response.status_code == 405
    assert response.json() == {"detail": "不允许使用 PUT 请求方法。"}


def test_empty_update_is_refused(tree):
    response = api(tree.user(Role.UNION_ADMIN)).patch("/api/v1/organisations/E-A1/", {"version": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请至少提交一个要修改的字段。"}


def test_move_within_the_scope_and_refuse_target_outside(tree):
    client = api(tree.user(Role.UNION_ADMIN))
    outside = client.post(
        "/api/v1/organisations/E-A2/move/", {"parent": "U-B", "on": "2025-01-01", "version": 1}, format="json"
    )
    assert outside.status_code == 400
    assert outside.json()["errors"] == {"parent": ["未找到代码为“U-B”的机构，或您无权访问。"]}
    moved = client.post(
        "/api/v1/organisations/E-A2/move/", {"parent": "E-A1", "on": "2025-01-01", "version": 1}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert org("E-A2").path[: -Organisation.steplen] == tree.ent_a1.path
    assert OrgLink.objects.filter(org=tree.ent_a2).count() == 2
    assert AuditEntry.objects.filter(event="orgs.organisation.move").count() == 1


def test_move_with_stale_if_match_changes_nothing(tree):
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/organisations/E-A2/move/", {"parent": "E-A1", "on": "2025-01-01"}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert response.status_code == 412
    assert org("E-A2").path[: -Organisation.steplen] == tree.union_a.path


def test_close(tree):
    client = api(tree.user(Role.UNION_ADMIN))
    refused = client.post("/api/v1/organisations/E-A1/close/", {"on": "2025-06-30", "version": 1}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "请先撤销或迁移其下属机构，再撤销本机构。"}
    response = client.post("/api/v1/organisations/UNIT-A1/close/", {"on": "2025-06-30", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["closed_on"] == "2025-06-30"
    assert org("UNIT-A1").closed_on == dt.date(2025, 6, 30)
    assert list(
        AuditEntry.objects.filter(event__startswith="orgs.organisation.close").values_list("success", flat=True)
    ) == [True]


# --- read-only roles: every write is 403 (row 13) -------------------------------------------

WRITES = [
    ("post", "/api/v1/organisations/", {"parent": "E-A1", "code": "L-1", "name": "x", "kind": "unit"}),
    ("patch", "/api/v1/organisations/E-A1/", {"name": "x", "version": 1}),
    ("post", "/api/v1/organisations/E-A2/move/", {"parent": "E-A1", "on": "2025-01-01", "version": 1}),
    ("post", "/api/v1/organisations/UNIT-A1/close/", {"on": "2025-01-01", "version": 1}),
    ("post", "/api/v1/memberships/", {"user": "{target}", "org": "E-A1", "role": "reporter"}),
    ("post", "/api/v1/memberships/{membership}/revoke/", {}),
    ("post", "/api/v1/assignments/", {"department": "D-SASAC", "enterprise": "E-A2"}),
    ("post", "/api/v1/assignments/{assignment}/end/", {}),
]


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_leader_every_write_is_forbidden(tree, method, url, body):
    leader = tree.user(Role.LEADER)
    reporter = tree.user(Role.REPORTER)
    target = make_user("newcomer")
    membership = Membership.objects.filter(user=reporter).first()
    assignment = Assignment.objects.first()
    fill = {"target": target.pk, "membership": membership.pk, "assignment": assignment.pk}
    url = url.format(**fill)
    body = {k: (fill["target"] if v == "{target}" else v) for k, v in body.items()}
    audit_rows = AuditEntry.objects.count()
    response = getattr(api(leader), method)(url, body, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["detail"]
    # Nothing but the refusal itself was recorded.
    assert list(AuditEntry.objects.order_by("id").values_list("event", flat=True)[audit_rows:]) == ["access.denied"]


# --- memberships --------------------------------------------------------------------------


def test_memberships_list_is_the_user_manage_scope(tree):
    tree.user(Role.REPORTER)
    tree.user(Role.REPORTER, tree.ent_b1)
    rows = api(tree.user(Role.UNION_ADMIN)).get("/api/v1/memberships/").json()["results"]
    assert {(r["org"]["code"], r["role"]) for r in rows} == {("U-A", "union_admin"), ("E-A1", "reporter")}
    assert api(tree.user(Role.REPORTER)).get("/api/v1/memberships/").json()["count"] == 0


def test_grant_and_revoke(tree):
    admin = tree.user(Role.UNION_ADMIN)
    newcomer = make_user("newcomer")
    client = api(admin)
    granted = client.post(
        "/api/v1/memberships/", {"user": newcomer.pk, "org": "E-A2", "role": "reporter"}, format="json"
    )
    assert granted.status_code == 201, granted.content
    body = granted.json()
    assert (body["user"]["username"], body["org"]["code"], body["role"], body["granted_by"]) == (
        "newcomer",
        "E-A2",
        "reporter",
        admin.username,
    )
    revoked = client.post(f"/api/v1/memberships/{body['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    rows = AuditEntry.objects.filter(object_type="orgs.membership", username=admin.username).order_by("id")
    events = list(rows.values_list("event", flat=True))
    assert events == ["orgs.membership.grant", "orgs.membership.revoke"]


def test_grant_beyond_delegation_is_forbidden(tree):
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/memberships/", {"user": make_user("newcomer").pk, "org": "E-A1", "role": "office_admin"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "您不能授予“产改办管理员”角色。"}
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_grant_to_a_user_of_another_branch_reads_as_not_found(tree):
    other = tree.user(Role.REPORTER, tree.ent_b1)
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/memberships/", {"user": other.pk, "org": "E-A1", "role": "liaison"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"user": [f"未找到ID为 {other.pk} 的用户，或您无权管理该用户。"]}


def test_separated_admin_roles_cannot_be_combined(tree):
    reporter = tree.user(Role.REPORTER)
    response = api(tree.user(Role.SEC_ADMIN)).post(
        "/api/v1/memberships/", {"user": reporter.pk, "org": "530000", "role": "audit_admin"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "系统管理员、安全管理员、审计管理员必须由不同账号担任，且不得兼任其他角色。"


def test_membership_detail_404_outside_403_inside_without_user_manage(tree):
    own = Membership.objects.get(user=tree.user(Role.REPORTER))
    other = Membership.objects.get(user=tree.user(Role.REPORTER, tree.ent_b1))
    reporter_client = api(tree.user(Role.REPORTER))
    assert reporter_client.get(f"/api/v1/memberships/{other.pk}/").status_code == 404
    assert reporter_client.get(f"/api/v1/memberships/{own.pk}/").status_code == 403
    assert api(tree.user(Role.UNION_ADMIN)).get(f"/api/v1/memberships/{own.pk}/").status_code == 200
    assert api(tree.user(Role.UNION_ADMIN)).post(f"/api/v1/memberships/{other.pk}/revoke/").status_code == 404
    assert Membership.objects.get(pk=other.pk).is_active


# --- assignments --------------------------------------------------------------------------


def test_assignments_seen_from_either_side(tree):
    services.assignment_create(by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=dt.date(2021, 1, 1))
    pairs = lambda r: {(a["department"]["code"], a["enterprise"]["code"]) for a in r.json()["results"]}  # noqa: E731
    assert pairs(api(tree.user(Role.DEPT_VIEWER)).get("/api/v1/assignments/")) == {
        ("D-SASAC", "E-A1"),
        ("D-SASAC", "E-B1"),
    }
    assert pairs(api(tree.user(Role.UNION_ADMIN)).get("/api/v1/assignments/")) == {("D-SASAC", "E-A1")}
    assert pairs(api(tree.user(Role.REPORTER, tree.ent_b1)).get("/api/v1/assignments/")) == {("D-SASAC", "E-B1")}
    assert pairs(api(tree.user(Role.AUDIT_ADMIN)).get("/api/v1/assignments/")) == set()


def test_office_admin_creates_and_ends_an_assignment(tree):
    client = api(tree.user(Role.OFFICE_ADMIN, tree.province))
    created = client.post(
        "/api/v1/assignments/",
        {"department": "D-SASAC", "enterprise": "E-B1", "valid_from": "2024-01-01"},
        format="json",
    )
    assert created.status_code == 201, created.content
    ended = client.post(f"/api/v1/assignments/{created.json()['id']}/end/", {"on": "2025-01-01"}, format="json")
    assert ended.status_code == 200
    assert ended.json()["valid_to"] == "2025-01-01"
    assert ended.json()["is_current"] is False
    rows = AuditEntry.objects.filter(object_type="orgs.assignment", username="office_admin_530000").order_by("id")
    assert list(rows.values_list("event", flat=True)) == ["orgs.assignment.create", "orgs.assignment.end"]


def test_union_admin_cannot_reach_a_department_outside_its_branch(tree):
    response = api(tree.user(Role.UNION_ADMIN)).post(
        "/api/v1/assignments/", {"department": "D-SASAC", "enterprise": "E-A2"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"department": ["未找到代码为“D-SASAC”的机构，或您无权访问。"]}
    assert Assignment.objects.count() == 1


def test_filter_current_assignments(tree):
    ended = services.assignment_create(
        by=SYSTEM, department=tree.dept, enterprise=tree.ent_b1, valid_from=dt.date(2021, 1, 1)
    )
    services.assignment_end(by=SYSTEM, assignment=ended, on=dt.date(2022, 1, 1))
    client = api(tree.user(Role.OFFICE_ADMIN, tree.province))
    assert [a["enterprise"]["code"] for a in client.get("/api/v1/assignments/?current=true").json()["results"]] == [
        "E-A1"
    ]
    assert [a["enterprise"]["code"] for a in client.get("/api/v1/assignments/?current=false").json()["results"]] == [
        "E-B1"
    ]


@pytest.mark.parametrize(("flag", "shown"), [("1", True), ("true", True), ("0", False), ("false", False)])
def test_closed_filter_reads_api_booleans(tree, flag, shown):
    from orgs import services
    from orgs.tests.factories import SYSTEM

    services.org_close(
        by=SYSTEM, org=tree.ent_a2, on=tree.ent_a2.opened_on.replace(year=2021), version=tree.ent_a2.version
    )
    found = codes(api(tree.user(Role.UNION_ADMIN)).get(f"/api/v1/organisations/?closed={flag}&limit=100"))
    assert ("E-A2" in found) is shown
