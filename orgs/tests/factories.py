"""Test data: organisations, users and a small province every app's tests can share."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from core.actor import Actor
from orgs import services
from orgs.choices import OrgKind, Ownership, Role
from orgs.models import Organisation, OrgLink
from orgs.pinyin import initials

SYSTEM = Actor.system("tests")
TEST_PASSWORD = "Test-Passw0rd-2026"
_seq = itertools.count(1)


def make_root(code: str = "530000", name: str = "云南省") -> Organisation:
    root = Organisation.objects.add_root(
        {"code": code, "name": name, "kind": OrgKind.PROVINCE, "pinyin_initials": initials(name), "region_id": "530000"}
    )
    OrgLink.objects.create(org=root, parent=None, valid_from=dt.date(2018, 1, 1))
    return root


def make_org(parent: Organisation, name: str | None = None, kind: str = OrgKind.ENTERPRISE, **fields) -> Organisation:
    n = next(_seq)
    fields.setdefault("opened_on", dt.date(2018, 1, 1))
    return services.org_create(
        by=SYSTEM, parent=parent, code=fields.pop("code", f"T{n:05d}"), name=name or f"测试机构{n}", kind=kind, **fields
    )


def make_user(username: str | None = None, *, role: str | None = None, org: Organisation | None = None, **fields):
    from accounts.models import User

    username = username or f"user{next(_seq)}"
    fields.setdefault("must_change_password", False)
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, **fields)
    if role is not None:
        services.membership_grant(by=SYSTEM, user=user, org=org, role=role)
    return user


@dataclass
class Tree:
    """A small province: two unions with enterprises and a unit, a prefecture, a department, the office."""

    province: Organisation
    office: Organisation
    prefectures: Organisation
    kunming: Organisation
    unions: Organisation
    union_a: Organisation
    ent_a1: Organisation
    unit_a1: Organisation
    ent_a2: Organisation
    union_b: Organisation
    ent_b1: Organisation
    departments: Organisation
    dept: Organisation
    users: dict = field(default_factory=dict)

    def user(self, role: str, org: Organisation | None = None):
        """A user holding `role` at `org` (default: the natural home of that role), made once."""
        org = org or self.home_of(role)
        key = (role, org.code)
        if key not in self.users:
            self.users[key] = make_user(f"{role}_{org.code}".lower(), role=role, org=org)
        return self.users[key]

    def home_of(self, role: str) -> Organisation:
        return {
            Role.OFFICE_ADMIN: self.office,
            Role.OFFICE_REVIEWER: self.office,
            Role.UNION_ADMIN: self.union_a,
            Role.REPORTER: self.ent_a1,
            Role.INFO_OFFICER: self.ent_a1,
            Role.LIAISON: self.ent_a1,
            Role.GUIDANCE: self.ent_a1,
            Role.DEPT_VIEWER: self.dept,
            Role.LEADER: self.province,
            Role.SYS_ADMIN: self.province,
            Role.SEC_ADMIN: self.province,
            Role.AUDIT_ADMIN: self.province,
        }[role]


def make_tree() -> Tree:
    province = make_root()
    office = make_org(province, "省总工会产改办", OrgKind.OFFICE, code="OFFICE")
    prefectures = make_org(province, "州市", OrgKind.CATEGORY, code="CAT-PREF")
    kunming = make_org(prefectures, "昆明市总工会", OrgKind.PREFECTURE, code="530100", region_id="530100")
    unions = make_org(province, "省级产业系统公司", OrgKind.CATEGORY, code="CAT-UNION")
    union_a = make_org(unions, "云南电网", OrgKind.UNION, code="U-A", ownership=Ownership.CENTRAL, industry="D")
    ent_a1 = make_org(union_a, "昆明供电局", OrgKind.ENTERPRISE, code="E-A1", region_id="530100", industry="D")
    unit_a1 = make_org(ent_a1, "修试所", OrgKind.UNIT, code="UNIT-A1")
    ent_a2 = make_org(union_a, "曲靖供电局", OrgKind.ENTERPRISE, code="E-A2", region_id="530300", industry="D")
    union_b = make_org(unions, "中国铜业", OrgKind.UNION, code="U-B", ownership=Ownership.CENTRAL, industry="B")
    ent_b1 = make_org(union_b, "云南铜业股份", OrgKind.ENTERPRISE, code="E-B1", industry="B")
    departments = make_org(province, "领导小组成员单位", OrgKind.CATEGORY, code="CAT-DEPT")
    dept = make_org(departments, "省国资委", OrgKind.DEPARTMENT, code="D-SASAC")
    services.assignment_create(by=SYSTEM, department=dept, enterprise=ent_a1, valid_from=dt.date(2020, 1, 1))
    return Tree(
        province, office, prefectures, kunming, unions, union_a, ent_a1, unit_a1, ent_a2, union_b, ent_b1, departments,
        dept,
    )  # fmt: skip
