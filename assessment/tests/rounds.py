"""Published rounds for the export and API tests, played through the services from opening to publication.

`published_round()` is the full story (accepted reports, evidence, two raters, a bonus and a veto);
`quick_round()` is the least that publishes (the office calibrates the rated criterion), for tests that
only need a published round per organisation (core/tests/test_api_idor.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.tests.helpers import accepted_report
from assessment import services
from assessment.choices import RoundStatus
from assessment.models import Computation, Criterion, Participant, Round
from assessment.tests.factories import make_framework
from core.actor import Actor
from orgs.choices import Role
from orgs.tests.factories import make_user
from reporting.models import Report
from reporting.tests.factories import at


def advance(by: Actor, round_: Round, to: str) -> Round:
    """Move the round on (self-assessment → rating → calibration) until it reaches `to`."""
    round_.refresh_from_db()
    while round_.status != to:
        services.round_advance(by=by, round_=round_, version=round_.version)
        round_.refresh_from_db()
    return round_


def compute_and_publish(by: Actor, round_: Round) -> Computation:
    computation = services.round_compute(by=by, round_=round_)
    round_.refresh_from_db()
    services.round_publish(by=by, round_=round_, version=round_.version)
    round_.refresh_from_db()
    return computation


@dataclass
class Published:
    round: Round
    computation: Computation
    office: object
    rater: object  # a department viewer, assigned every participant
    own_rater: object  # a guidance-group member of 云南铜业股份, assigned every participant
    participants: dict[str, Participant]  # by organisation code
    criteria: dict[str, Criterion]  # by criterion code


def published_round(tree, wf, clock) -> Published:
    """2021, over 昆明供电局, 曲靖供电局 and 云南铜业股份 (make_framework's criteria), published on 2022-03-01.

    昆明供电局 offers a link as evidence and gets a bonus; 曲靖供电局 reports late and is vetoed; the
    department viewer rates everyone, the guidance-group member everyone but their own 云南铜业股份.
    """
    clock.set(at(2022, 3, 1))
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    for org, certified, college, submitted in [
        (tree.ent_a1, 300, 240, at(2022, 1, 20)),
        (tree.ent_a2, 60, 120, at(2022, 2, 5)),
        (tree.ent_b1, 90, 180, at(2022, 1, 25)),
    ]:
        report = accepted_report(tree, wf[0], "2021", org, certified=certified, college=college)
        Report.objects.filter(pk=report.pk).update(first_submitted_at=submitted)
    framework = make_framework(office)
    round_ = services.round_open(
        by=by, framework=framework, name="2021年度产改工作考核", orgs=[tree.ent_a1, tree.ent_a2, tree.ent_b1],
        appeal_deadline=at(2022, 4, 1).date(),
    )  # fmt: skip
    criteria = {c.code: c for c in Criterion.objects.filter(dimension__framework=framework)}
    participants = {p.org.code: p for p in round_.participants.select_related("org")}
    rater = make_user("rater_sasac", role=Role.DEPT_VIEWER, org=tree.dept, full_name="审核人甲")
    own_rater = make_user("rater_copper", role=Role.GUIDANCE, org=tree.ent_b1)
    for user in (rater, own_rater):
        services.rater_assign(by=by, round_=round_, user=user)

    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    services.evidence_add(
        by=Actor(user=reporter), participant=participants["E-A1"], criterion=criteria["GROUP"],
        title="领导小组成立文件", url="https://example.org/lingdao.pdf",
    )  # fmt: skip
    advance(by, round_, RoundStatus.RATING)
    group = criteria["GROUP"]
    for code, level in (("E-A1", "A"), ("E-A2", "B"), ("E-B1", "B")):
        services.rating_save(by=Actor(user=rater), participant=participants[code], criterion=group, level=level,
                             comment="材料齐全", evidence="现场查看")  # fmt: skip
    for code, level in (("E-A1", "B"), ("E-A2", "C")):
        services.rating_save(by=Actor(user=own_rater), participant=participants[code], criterion=group, level=level,
                             comment="机制基本健全")  # fmt: skip
    advance(by, round_, RoundStatus.CALIBRATION)
    services.entry_add(by=by, participant=participants["E-A1"], criterion=criteria["BONUS"], item="HONOUR",
                       note="获全国五一劳动奖状")  # fmt: skip
    services.entry_add(by=by, participant=participants["E-A2"], criterion=criteria["VETO"], item="",
                       note="发生较大生产安全事故")  # fmt: skip
    computation = compute_and_publish(by, round_)
    return Published(round_, computation, office, rater, own_rater, participants, criteria)


def quick_round(office, name: str, orgs: list) -> Round:
    """A published round over `orgs` on a new framework version: the office calibrates the rated criterion."""
    by = Actor(user=office)
    framework = make_framework(office)
    round_ = services.round_open(by=by, framework=framework, name=name, orgs=orgs)
    advance(by, round_, RoundStatus.CALIBRATION)
    group = Criterion.objects.get(dimension__framework=framework, code="GROUP")
    for participant in round_.participants.all():
        services.calibrate(by=by, participant=participant, criterion=group, level="B", reason="按评审意见")
    compute_and_publish(by, round_)
    return round_
