"""Test data for the policy library: measures and rules written directly, the small province's figures, an uptake
round, and the objects the IDOR probes need."""

from __future__ import annotations

import datetime as dt

from core.actor import Actor
from orgs.choices import Role
from policies import services
from policies.choices import Category, MeasureStatus
from policies.models import Measure, Rule


def make_measure(title: str = "职业技能培训补贴", *, rules=(), status=MeasureStatus.PUBLISHED, **fields) -> Measure:
    defaults = {
        "issuer": "云南省人力资源和社会保障厅", "doc_number": f"云人社发〔2021〕{Measure.objects.count() + 1}号",
        "issued_on": dt.date(2021, 1, 5), "category": Category.SKILLS, "valid_from": dt.date(2021, 1, 5),
        "benefits": "按培训合格人数给予补贴。", "apply_steps": "向人社部门申报。", "body": "<p>正文</p>",
        "body_text": "正文",
    }  # fmt: skip
    defaults.update(fields)
    measure = Measure.objects.create(title=title, status=status, **defaults)
    for position, (field, operator, value) in enumerate(rules):
        Rule.objects.create(measure=measure, field=field, operator=operator, value=value, position=position)
    return measure


def office_actor(tree) -> Actor:
    return Actor(user=tree.user(Role.OFFICE_ADMIN, tree.office))


def figures(tree) -> None:
    """Accepted 2021 reports: 昆明供电局 1000 workers, 300 certified; 曲靖供电局 200 workers, 20 certified;
    云南铜业股份 none (its figures are 无数据)."""
    from analytics.tests.helpers import accepted_report
    from reporting.tests.factories import load_workforce

    yearly, _quarterly = load_workforce()
    accepted_report(
        tree, yearly, "2021", tree.ent_a1, nonmigrant=600, migrant=400, certified=300, edu_fund_spent=140000
    )
    accepted_report(tree, yearly, "2021", tree.ent_a2, nonmigrant=150, migrant=50, certified=20, edu_fund_spent=0)


def open_round(tree, year: int = 2021, due_on=dt.date(2022, 3, 31)):
    return services.round_open(by=office_actor(tree), year=year, opens_on=dt.date(2022, 1, 5), due_on=due_on)


def fuzz_paths(tree) -> dict[str, dict[str, int]]:
    """A published measure, a notice received by 昆明供电局 and its uptake form, for the API fuzz run's paths."""
    objects = idor_objects({"own": tree.ent_a1})
    from policies.models import Measure

    return {
        "/api/v1/policies/measures/": {"id": Measure.objects.get(title="越权探测政策").pk},
        "/api/v1/policies/notices/": {"id": objects["policy_notice"]["own"]},
        "/api/v1/policies/uptake/": {"id": objects["policy_uptake"]["own"]},
    }


def idor_objects(orgs: dict) -> dict[str, dict[str, int]]:
    """A notice recipient and an uptake form per place (own, sibling, other branch), for the IDOR probes."""
    from django.utils import timezone

    from policies.models import Notice, NoticeRecipient, UptakeLine, UptakeReport, UptakeRound

    measure = make_measure("越权探测政策")
    notice = Notice.objects.create(measure=measure, title="推送", message="内容", sent_at=timezone.now())
    round_ = UptakeRound.objects.create(year=2021, title="2021年度政策落实情况", opens_on=dt.date(2022, 1, 5),
                                        due_on=dt.date(2022, 3, 31))  # fmt: skip
    notices, forms = {}, {}
    for where, org in orgs.items():
        notices[where] = NoticeRecipient.objects.create(notice=notice, org=org).pk
        report = UptakeReport.objects.create(round=round_, org=org)
        UptakeLine.objects.create(report=report, measure=measure)
        forms[where] = report.pk
    return {"policy_notice": notices, "policy_uptake": forms}
