"""The demo province: what `manage.py load_demo` loads, and that loading it again changes nothing."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEntry
from orgs import services
from orgs.choices import Action, OrgKind, Ownership, Role
from orgs.demo import (
    CLOSED_CODE,
    CLOSED_ON,
    DEMO_PASSWORD,
    EPOCH,
    MOVED_CODE,
    MOVED_FROM,
    MOVED_ON,
    MOVED_TO,
    SYSTEM,
)
from orgs.models import Assignment, Membership, Organisation, OrgLink
from orgs.pinyin import initials
from orgs.queries import ancestors_at, parent_map_at, rollup_target_at
from orgs.scoping import roles_of
from orgs.validators import validate_credit_code

# DOMAIN.md §1: the 16 prefectures and their GB/T 2260 codes.
PREFECTURES = {
    "530100": "昆明市",
    "530300": "曲靖市",
    "530400": "玉溪市",
    "530500": "保山市",
    "530600": "昭通市",
    "530700": "丽江市",
    "530800": "普洱市",
    "530900": "临沧市",
    "532300": "楚雄彝族自治州",
    "532500": "红河哈尼族彝族自治州",
    "532600": "文山壮族苗族自治州",
    "532800": "西双版纳傣族自治州",
    "532900": "大理白族自治州",
    "533100": "德宏傣族景颇族自治州",
    "533300": "怒江傈僳族自治州",
    "533400": "迪庆藏族自治州",
}
# The reference speech's names, with the ownership the speech's grouping implies.
REAL_UNIONS = {
    "云南电网": Ownership.CENTRAL,
    "中国铜业": Ownership.CENTRAL,
    "云天化集团": Ownership.PROVINCIAL,
    "云南农垦集团": Ownership.PROVINCIAL,
    "云南建投集团": Ownership.PROVINCIAL,
    "昆明铁路局": Ownership.CENTRAL,
    "云南交投": Ownership.PROVINCIAL,
}
REAL_DEPARTMENTS = {"省工业和信息化厅", "省教育厅", "省人力资源社会保障厅", "省国资委"}
# Where each role's demo account holds its role (by organisation short name or name).
ACCOUNT_HOMES = {
    Role.OFFICE_ADMIN: "产改办",
    Role.OFFICE_REVIEWER: "产改办",
    Role.UNION_ADMIN: "云南电网",
    Role.REPORTER: "昆明供电局",
    Role.INFO_OFFICER: "昆明供电局",
    Role.LIAISON: "昆明供电局",
    Role.GUIDANCE: "昆明供电局",
    Role.DEPT_VIEWER: "省国资委",
    Role.LEADER: "云南省",
    Role.SYS_ADMIN: "云南省",
    Role.SEC_ADMIN: "云南省",
    Role.AUDIT_ADMIN: "云南省",
}


def run_load_demo(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo(db):
    """The demo province, loaded once through the management command; its output."""
    return run_load_demo()[0]


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def children(code: str) -> list[Organisation]:
    return list(Organisation.objects.get_children(org(code)))


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "links": OrgLink.objects.count(),
        "assignments": Assignment.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
    }


def test_province_has_four_categories(demo):
    (root,) = Organisation.objects.filter(depth=1)
    assert (root.code, root.name, root.kind, root.region_id) == ("530000", "云南省", OrgKind.PROVINCE, "530000")
    assert [(c.code, c.name, c.kind) for c in Organisation.objects.get_children(root)] == [
        ("CAT-PREF", "州市", OrgKind.CATEGORY),
        ("CAT-UNION", "省级产业系统公司", OrgKind.CATEGORY),
        ("CAT-DEPT", "领导小组成员单位", OrgKind.CATEGORY),
        ("OFFICE", "云南省总工会产业工人队伍建设改革协调领导小组办公室", OrgKind.OFFICE),
    ]
    assert org("OFFICE").short_name == "产改办"


def test_sixteen_prefecture_federations_with_their_codes(demo):
    prefectures = children("CAT-PREF")
    assert {(p.code, p.name, p.region_id, p.kind) for p in prefectures} == {
        (code, f"{name}总工会", code, OrgKind.PREFECTURE) for code, name in PREFECTURES.items()
    }
    assert not any(p.is_sample for p in prefectures)


def test_thirty_five_unions_of_which_the_seven_in_the_speech_are_real(demo):
    unions = children("CAT-UNION")
    assert len(unions) == 35
    assert {u.kind for u in unions} == {OrgKind.UNION}
    real = [u for u in unions if not u.is_sample]
    assert {u.short_name: u.ownership for u in real} == REAL_UNIONS
    assert all(u.industry for u in real)
    sample = [u for u in unions if u.is_sample]
    assert len(sample) == 28
    assert all(u.name.endswith("（示例）") for u in sample)
    assert len({u.name for u in unions}) == 35


def test_member_departments_four_real_and_the_rest_sample(demo):
    departments = children("CAT-DEPT")
    assert {d.kind for d in departments} == {OrgKind.DEPARTMENT}
    assert {d.short_name for d in departments if not d.is_sample} == REAL_DEPARTMENTS
    assert {d.short_name for d in departments if d.is_sample} == {"省发展改革委", "省财政厅"}


def test_each_union_has_two_to_five_enterprises_and_only_speech_names_are_real(demo):
    for union in children("CAT-UNION"):
        enterprises = [c for c in Organisation.objects.get_children(union) if c.kind == OrgKind.ENTERPRISE]
        assert 2 <= len(enterprises) <= 5, union.name
    below_unions = Organisation.objects.filter(depth__gte=4)
    assert {o.name for o in below_unions if not o.is_sample} == {
        "昆明供电局",
        "昆明供电局修试所",
        "云南电网公司昆明培训基地",
    }
    grid = org("U01")
    real_below_grid = {o.short_name for o in Organisation.objects.get_descendants(grid) if not o.is_sample}
    assert real_below_grid == {"昆明供电局", "修试所", "昆明培训基地"}
    assert Organisation.objects.filter(kind=OrgKind.UNIT).count() >= 20


def test_enterprises_spread_over_all_prefectures_with_valid_credit_codes(demo):
    enterprises = Organisation.objects.filter(kind=OrgKind.ENTERPRISE)
    assert {e.region_id for e in enterprises} == set(PREFECTURES)
    assert all(e.ownership and e.industry for e in enterprises)
    with_codes = [e for e in enterprises if e.credit_code]
    assert len(with_codes) >= 5
    for enterprise in with_codes:
        validate_credit_code(enterprise.credit_code)  # raises on a wrong check character


def test_bulk_loaded_tree_is_consistent(demo):
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    current = dict(OrgLink.objects.filter(valid_to__isnull=True).values_list("org_id", "parent_id"))
    for node in Organisation.objects.all():
        parent = Organisation.objects.get_parent(node)
        if node.is_closed:
            assert node.pk not in current
        else:
            assert current[node.pk] == (parent.pk if parent else None), node.name
        assert node.pinyin_initials == initials(node.name)
    assert initials("昆明供电局") == "kmgdj"
    assert org("E001").pinyin_initials == "kmgdj"


def test_one_demo_account_per_role_holding_exactly_that_role(demo):
    User = get_user_model()
    for role in Role:
        user = User.objects.get(username=role.value)
        assert roles_of(user) == {role.value}
        (membership,) = user.memberships.all()
        assert ACCOUNT_HOMES[role] in (membership.org.short_name, membership.org.name)
        assert user.is_demo and not user.must_change_password and user.full_name
        assert user.check_password(DEMO_PASSWORD)
        # Raises if the password broke a rule (checked as for a new account: it is the current one).
        validate_password(DEMO_PASSWORD, get_user_model()(username=user.username, full_name=user.full_name))


def test_some_enterprises_lack_officers_so_home_pages_show_gaps(demo):
    def holders(role: str) -> set[str]:
        return set(Membership.objects.filter(role=role, is_active=True).values_list("org__short_name", flat=True))

    assert holders(Role.INFO_OFFICER) == {"昆明供电局", "曲靖供电局", "云天化股份", "建投一建"}
    assert holders(Role.LIAISON) == {"昆明供电局", "云铜股份", "昆明机务段", "交投公路建设"}
    grid_enterprises = Organisation.objects.filter(path__startswith=org("U01").path, kind=OrgKind.ENTERPRISE)
    without_officer = grid_enterprises.exclude(memberships__role=Role.INFO_OFFICER)
    assert set(without_officer.values_list("short_name", flat=True)) == {"大理供电局", "红河供电局"}


def test_office_accounts_sit_at_the_office_and_see_the_whole_province(demo):
    office_admin = get_user_model().objects.get(username="office_admin")
    assert office_admin.memberships.get().org.code == "OFFICE"
    assert Organisation.objects.visible_to(office_admin, Action.VIEW).count() == Organisation.objects.count()


def test_department_viewer_sees_the_provincial_enterprises_assigned_to_it(demo):
    viewer = get_user_model().objects.get(username="dept_viewer")
    visible = set(Organisation.objects.visible_to(viewer, Action.VIEW).values_list("code", flat=True))
    assert {"U03", "U04", "U05", "U07", "E015"} <= visible
    assert not visible & {"U01", "E001", "U02", "U06", "D04"}
    for department in children("CAT-DEPT"):
        if not department.is_sample:
            assert Assignment.objects.filter(department=department).count() >= 3, department.name


def test_moved_enterprise_keeps_its_history(demo):
    moved, old, new = org(MOVED_CODE), org(MOVED_FROM), org(MOVED_TO)
    links = list(OrgLink.objects.filter(org=moved).order_by("valid_from"))
    assert [(link.parent_id, link.valid_from, link.valid_to) for link in links] == [
        (old.pk, EPOCH, MOVED_ON),
        (new.pk, MOVED_ON, None),
    ]
    assert Organisation.objects.get_parent(moved) == new  # today's tree
    day_before = MOVED_ON - dt.timedelta(days=1)
    assert parent_map_at(day_before)[moved.pk] == old.pk
    assert parent_map_at(MOVED_ON)[moved.pk] == new.pk
    unions = set(Organisation.objects.filter(kind=OrgKind.UNION).values_list("pk", flat=True))
    assert rollup_target_at(moved.pk, unions, dt.date(2019, 12, 31)) == old.pk
    assert rollup_target_at(moved.pk, unions, dt.date(2020, 12, 31)) == new.pk
    chain = ancestors_at(moved.pk, day_before)
    assert [Organisation.objects.get(pk=pk).code for pk in chain] == [MOVED_FROM, "CAT-UNION", "530000"]


def test_closed_enterprise_keeps_its_row_and_history(demo):
    closed = org(CLOSED_CODE)
    assert closed.closed_on == CLOSED_ON
    (link,) = OrgLink.objects.filter(org=closed)
    assert (link.valid_to, link.parent.code) == (CLOSED_ON, "U09")
    assert parent_map_at(CLOSED_ON - dt.timedelta(days=1))[closed.pk] == org("U09").pk
    assert closed.pk not in parent_map_at(CLOSED_ON)
    assert Organisation.objects.get_parent(closed).code == "U09"  # still in today's tree, marked closed


def test_loading_twice_changes_nothing_but_adds_its_summary_row(demo):
    counts = row_counts()
    paths = dict(Organisation.objects.values_list("code", "path"))
    versions = dict(Organisation.objects.values_list("code", "version"))
    last_audit = AuditEntry.objects.order_by("-id").first().pk

    out, err = run_load_demo()

    assert row_counts() == counts
    assert dict(Organisation.objects.values_list("code", "path")) == paths
    assert dict(Organisation.objects.values_list("code", "version")) == versions
    (summary,) = AuditEntry.objects.filter(pk__gt=last_audit)
    assert summary.event == "demo.load"
    assert not any(summary.detail["created"].values())
    assert summary.detail["kept"]["organisations"] == counts["organisations"]
    assert "机构：新建 0 个" in out
    assert err == ""


def test_first_load_audits_every_row_it_writes(demo):
    (summary,) = AuditEntry.objects.filter(event="demo.load")
    counts = row_counts()
    created = summary.detail["created"]
    assert created["organisations"] == counts["organisations"]
    assert created["links"] == counts["links"] == counts["organisations"] + 1  # the moved one has two
    assert created["users"] == counts["users"]
    # Roles and assignments went through their services, each with its own audit row.
    assert (
        created["memberships"]
        == counts["memberships"]
        == AuditEntry.objects.filter(event="orgs.membership.grant").count()
    )
    assert (
        created["assignments"]
        == counts["assignments"]
        == AuditEntry.objects.filter(event="orgs.assignment.create").count()
    )
    assert AuditEntry.objects.count() == 1 + counts["memberships"] + counts["assignments"]
    assert f"机构：新建 {counts['organisations']} 个，已存在 0 个" in demo


def test_reload_keeps_edits_made_in_the_ui_and_restores_what_is_missing(demo):
    power = org("E001")
    services.org_update(by=SYSTEM, org=power, version=power.version, name="昆明供电局（已改名）")
    get_user_model().objects.get(username="liaison_4").delete()
    counts = row_counts()

    run_load_demo()

    assert org("E001").name == "昆明供电局（已改名）"
    assert row_counts() == counts | {"users": counts["users"] + 1, "memberships": counts["memberships"] + 1}
    restored = get_user_model().objects.get(username="liaison_4")
    assert roles_of(restored) == {Role.LIAISON.value}


def test_loading_into_a_partly_filled_tree_adds_beside_what_is_there(tree):
    kept = {code: (name, path) for code, name, path in Organisation.objects.values_list("code", "name", "path")}

    run_load_demo()

    after = {code: (name, path) for code, name, path in Organisation.objects.values_list("code", "name", "path")}
    assert {code: after[code] for code in kept} == kept  # e.g. OFFICE keeps its name 省总工会产改办
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    assert Organisation.objects.filter(depth=1).count() == 1
    prefectures = Organisation.objects.get_children(org("CAT-PREF"))
    assert sorted(p.code for p in prefectures) == sorted(PREFECTURES)
    assert len(Organisation.objects.get_children(org("CAT-UNION"))) == 35 + 2  # the fixture's U-A and U-B


def test_existing_real_account_with_a_demo_name_is_left_alone(db):
    real = get_user_model().objects.create_user(username="Leader", password="Real-Passw0rd-2026")

    _, err = run_load_demo()

    real.refresh_from_db()
    assert not real.is_demo and real.check_password("Real-Passw0rd-2026")
    assert not real.memberships.exists()
    assert "已有同名的正式账号“leader”，未作改动。" in err


def test_reset_passwords_restores_the_demo_password(demo):
    reporter = get_user_model().objects.get(username="reporter")
    reporter.set_password("Another-Passw0rd-2026")
    reporter.must_change_password = True
    reporter.save()

    out, _ = run_load_demo("--reset-passwords")

    reporter.refresh_from_db()
    assert reporter.check_password(DEMO_PASSWORD) and not reporter.must_change_password
    summary = AuditEntry.objects.filter(event="demo.load").order_by("-id").first()
    assert summary.detail["passwords_reset"] == get_user_model().objects.filter(is_demo=True).count()
    assert "已重置" in out


@pytest.mark.parametrize("demo_mode", [False, True])
def test_demo_accounts_log_in_only_in_demo_mode(demo, client, settings, demo_mode):
    settings.DEMO_MODE = demo_mode

    response = client.post(reverse("accounts:login"), {"username": "reporter", "password": DEMO_PASSWORD})

    assert ("_auth_user_id" in client.session) is demo_mode
    if demo_mode:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert "用户名或密码错误。" in response.content.decode()
