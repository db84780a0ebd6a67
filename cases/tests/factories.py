"""Test data for the case library: actors by role, a case in any state, played through the services."""

from __future__ import annotations

import datetime as dt

from cases import services
from cases.models import Case, Topic
from core.actor import Actor
from orgs.choices import Role

BODY = (
    "<p>公司针对一线技能人才待遇偏低、晋升通道单一的问题，建立以技能为导向的薪酬分配制度，"
    "把技能等级与岗位工资挂钩。</p><p>三年来，高技能人才占比提高了8个百分点。</p>"
)


def actor(user) -> Actor:
    return Actor(user=user, ip="10.0.0.1")


def office(tree) -> Actor:
    return actor(tree.user(Role.OFFICE_REVIEWER))


def writer(tree, org=None) -> Actor:
    return actor(tree.user(Role.REPORTER, org or tree.ent_a1))


def topic(name: str = "技能导向薪酬") -> Topic:
    return Topic.objects.get(name=name)


def make_case(tree, org=None, *, title: str = "技能等级与薪酬挂钩", body: str = BODY, year: int = 2021,
              tasks=("skills", "status"), topics=("技能导向薪酬",), summary: str = "以技能定薪酬，激励一线职工学技术。",
              by: Actor | None = None) -> Case:  # fmt: skip
    """A draft case of `org` (default 昆明供电局, E-A1), written by its reporter."""
    org = org or tree.ent_a1
    return services.case_create(
        by=by or writer(tree, org), org=org, title=title, year=year, summary=summary, body=body, tasks=tasks,
        topics=[topic(n) for n in topics], author_name="张敏", author_position="工会主席",
    )  # fmt: skip


def step(case: Case, name: str, by: Actor, reason: str = "") -> Case:
    case.refresh_from_db()
    return services.case_step(by=by, case=case, step=name, version=case.version, reason=reason)


def published_case(tree, org=None, **kwargs) -> Case:
    org = org or tree.ent_a1
    case = make_case(tree, org, **kwargs)
    step(case, "submit", writer(tree, org))
    return step(case, "publish", office(tree))


def adopt(tree, case: Case, org, *, on: dt.date = dt.date(2022, 3, 1), by: Actor | None = None):
    return services.replication_record(
        by=by or writer(tree, org), case=case, org=org, adopted_on=on, adopted="照搬技能等级与薪酬挂钩的做法",
        result="一线职工参加技能鉴定的人数翻番",
    )  # fmt: skip


def idor_objects(orgs: dict, office_user) -> dict[str, dict[str, object]]:
    """For the IDOR probes (core/tests/test_idor_pages.py, test_api_idor.py): per place, a draft case with a file
    (invisible outside the place's scope), and the place's adoption of a case the office published."""
    from cases.models import CaseFile, Replication

    source = Case.objects.create(
        org=office_user.memberships.get().org, title="产改办发布的案例", year=2021, summary="摘要", body="<p>正文</p>",
        body_text="正文", status="published", published_on=dt.date(2021, 6, 1),
    )  # fmt: skip
    found: dict[str, dict[str, object]] = {"case": {}, "case_step": {}, "case_file": {}, "replication": {}}
    for where, org in orgs.items():
        case = Case.objects.create(org=org, title=f"草稿 {org.code}", year=2021, summary="摘要", body="<p>正文</p>",
                                   body_text="正文")  # fmt: skip
        found["case"][where] = case.pk
        found["case_step"][where] = "submit"
        found["case_file"][where] = CaseFile.objects.create(
            case=case, file=f"cases/casefile/{org.code}.pdf", original_name="材料.pdf", size=3,
            content_type="application/pdf", sha256="0" * 64,
        ).pk  # fmt: skip
        found["replication"][where] = Replication.objects.create(
            case=source, org=org, adopted_on=dt.date(2021, 7, 1), adopted="借鉴做法"
        ).pk
    return found
