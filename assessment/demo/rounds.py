"""The demo's rounds played by their people: self-assessments, ratings and calibration, bonus, deduction
and veto events, computing, publication, the appeal and the lock."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from analytics.engine.batch import subtree_values
from analytics.engine.scope import Scope
from assessment import queries, services
from assessment.choices import Combine
from assessment.demo.common import (
    NAMED_UNIONS,
    NEXT_YEAR,
    PREVIOUS_ROUND_NAME,
    PREVIOUS_YEAR,
    ROUND_NAME,
    SAMPLE,
    YEAR,
    _at,
    _rng,
)
from assessment.demo.frameworks import LEVEL_LABELS
from assessment.models import Criterion, Framework, Participant, Round
from core.actor import Actor
from core.formatting import percent, wan
from orgs.choices import OrgKind, Role
from orgs.demo import KUNMING_POWER
from orgs.models import Membership, Organisation
from reporting.demo import demo_enterprises
from reporting.models import Report
from reporting.queries import REPORTING_TZ

DISAGREE_ON_PLAN = {  # the consensus criterion: (office reviewer's level, guidance group's, calibrated, reason)
    "E003": (
        "fair",
        "average",
        "fair",
        "经复核方案文本和年度台账：主要目标已量化，个别任务缺少完成时限，按“较好”认定。",
    ),
    "E006": ("fair", "average", "average", "经复核：方案已印发，但量化目标只有 2 项，且没有时间表，按“一般”认定。"),
}
BONUS_EVENTS = (  # (organisation code, item, note)
    ("E005", "HONOUR", "2021年荣获全国五一劳动奖状"),
    ("E005", "SITE", "列为全省第二批产改示范点"),
    ("E005", "CASE", "“技能等级认定与岗位晋升挂钩”做法被省总工会转发推广"),
    (KUNMING_POWER, "SITE", "列为全省第二批产改示范点"),
    ("E008", "SITE", "列为全省第二批产改示范点"),
    ("E018", "HONOUR", "机车检修车间获“全国工人先锋号”"),
    ("E022", "CASE", "“路地共建技能实训基地”做法被省委、省政府办公厅信息刊发推广"),
)
APPEAL_BONUS = (KUNMING_POWER, "CASE", "“工匠工作室带徒传技”经验被全国总工会产改工作简报刊发推广")
OVERDUE_NOTE = "2021年第三季度产改督办事项（配齐信息员、联络员）未按期整改"
VETO_CODE = "E061"  # a mine whose points alone would make it 良好
VETO_NOTE = "2021年8月井下发生一起较大生产安全事故，经应急管理部门调查认定企业负有责任"

COMMENTS = {
    "good": ("材料齐全，做法实、成效明显。", "工作扎实，可作为同类企业参考。"),
    "fair": ("工作有成效，个别方面还需加强。", "总体较好，资料还可更完整。"),
    "average": ("工作已开展，但举措和成效一般。", "有布置、少落实，需加大推进力度。"),
    "poor": ("工作基本未开展。", "缺少相应材料，建议尽快补齐。"),
}
EVIDENCE = {
    "T_SPIRIT": "查阅宣讲计划、宣讲记录和先进典型材料",
    "O_PLAN": "查阅实施方案和目标任务清单",
    "O_LEADING": "查阅领导小组文件和会议纪要",
    "O_OFFICERS": "查阅人员名单和信息报送记录",
    "O_POLICY": "查阅补贴申请和使用凭证",
    "O_SOE": "查阅企业负责人经营业绩考核办法",
}
LEVEL_ORDER = [code for code, _label, _share in LEVEL_LABELS]


def _diligence(code: str, weak: bool) -> float:
    r = _rng("diligence", code)
    return r.uniform(0.0, 0.4) if weak else r.uniform(0.3, 1.0)


def _level(code: str, criterion: str, diligence: float, year: int = YEAR) -> str:
    # The same enterprise is as diligent every year; what a rater finds varies from year to year.
    seed = ("level", code, criterion) if year == YEAR else ("level", code, criterion, year)
    x = diligence + _rng(*seed).uniform(-0.15, 0.15)
    return "good" if x > 0.72 else "fair" if x > 0.48 else "average" if x > 0.24 else "poor"


def _shifted(level: str, step: int) -> str:
    return LEVEL_ORDER[min(len(LEVEL_ORDER) - 1, max(0, LEVEL_ORDER.index(level) + step))]


def _comment(org: Organisation, criterion: Criterion, level: str, salt: str) -> str:
    """What the rater found (the level's description) and what they think of it."""
    found = next(lv["description"] for lv in criterion.levels if lv["code"] == level)
    return f"{found}。{_rng('comment', org.code, criterion.code, salt).choice(COMMENTS[level])}"


def _demo_user(username: str):
    return get_user_model().objects.filter(username=username, is_demo=True, is_active=True).first()


def _reporter(org: Organisation):
    membership = (
        Membership.objects.filter(org=org, role=Role.REPORTER, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def _self_assess(participants: list[Participant], cited: Criterion, clock) -> None:
    """The enterprises of the seven groups the speech names write a self-assessment citing their 2021 report
    (as evidence of `cited`: a score card shows evidence under its criterion)."""
    ids = [p.org_id for p in participants]
    cert, cert_before, talks, contests = (
        subtree_values(Scope.province(), f"indicator:{code}", str(year), ids)
        for code, year in (("CERT_RATE", YEAR), ("CERT_RATE", YEAR - 1), ("TALK_AUDIENCE", YEAR),
                           ("COMP_PARTICIPANTS", YEAR))
    )  # fmt: skip
    reports = {
        r.org_id: r
        for r in Report.objects.filter(dataset__code="WF_Y", period__code=str(YEAR), org_id__in=ids).select_related(
            "org", "period", "dataset"
        )
    }
    for index, participant in enumerate(participants):
        org = participant.org
        reporter = _reporter(org)
        if reporter is None:
            continue
        clock.set(_at(3, 2 + index % 12, 9 + index % 8, 15))
        by = Actor(user=reporter)
        note = (
            f"{YEAR}年，本单位持证率 {percent(cert.get(org.pk))}（上年 {percent(cert_before.get(org.pk))}），"
            f"宣讲覆盖职工 {wan(talks.get(org.pk))} 人次，劳动和技能竞赛参赛 {wan(contests.get(org.pk))} 人次。"
            "产改实施方案已印发，成立了产改领导小组，配备了信息员、联络员。年度数据详见所附年报。"
        )
        participant = services.self_assessment_submit(
            by=by, participant=participant, note=note, version=participant.version
        )
        report = reports.get(org.pk)
        if report is not None:
            services.evidence_add(
                by=by, participant=participant, criterion=cited, title=f"{YEAR}年度产业工人队伍基本情况年报",
                report=report,
            )  # fmt: skip


RATING_DAYS = [dt.date(NEXT_YEAR, 3, d) for d in (16, 17, 18, 21, 22, 23, 24, 25, 28, 29, 30)]  # workdays
PREVIOUS_RATING_DAYS = [dt.date(YEAR, 3, d) for d in (8, 9, 10, 11, 12)]  # the 2020 round: one week


def _rating_time(step: int, count: int, days: list[dt.date] = RATING_DAYS) -> dt.datetime:
    """The `step`-th of `count` ratings by one rater, spread over the rating days' office hours."""
    share = step / max(count, 1) * len(days)
    day = days[min(int(share), len(days) - 1)]
    start = dt.datetime.combine(day, dt.time(8, 45), tzinfo=REPORTING_TZ)
    return start + dt.timedelta(hours=8.5 * (share - int(share)))


def _rate(round_: Round, weak: set[str], clock) -> None:
    """The office's reviewer rates everyone; the guidance group and the 国资委 rate what they were assigned.

    Levels follow each enterprise's diligence (weak enterprises rate low); a second rater mostly agrees,
    except on the consensus criterion for DISAGREE_ON_PLAN, which the office then calibrates.
    """
    office_reviewer = _demo_user("office_reviewer")
    for rater in (office_reviewer, _demo_user("guidance"), _demo_user("dept_viewer")):
        if rater is None:
            continue
        tasks = [
            t
            for t in queries.rater_tasks(rater, round_)
            if not t.own and (not t.criterion.ownerships or t.participant.org.ownership in t.criterion.ownerships)
        ]
        second = rater != office_reviewer
        for step, task in enumerate(tasks):
            participant, criterion, org = task.participant, task.criterion, task.participant.org
            participant.round = round_
            truth = _level(org.code, criterion.code, _diligence(org.code, org.code in weak))
            if criterion.code == "O_PLAN" and org.code in DISAGREE_ON_PLAN:
                level = DISAGREE_ON_PLAN[org.code][1 if second else 0]
            elif (
                second
                and criterion.combine != Combine.CONSENSUS
                and _rng("2nd", org.code, criterion.code).random() < 0.25
            ):
                level = _shifted(truth, _rng("dir", org.code, criterion.code).choice((-1, 1)))
            else:
                level = truth
            clock.set(_rating_time(step, len(tasks)))
            services.rating_save(
                by=Actor(user=rater), participant=participant, criterion=criterion, level=level,
                comment=_comment(org, criterion, level, rater.username), evidence=EVIDENCE.get(criterion.code, ""),
            )  # fmt: skip


def _play_previous_round(framework: Framework, office: Actor, clock) -> Round:
    """The 2020 round, quickly: open over the same enterprises as 2021, the office's reviewer alone rates every
    qualitative criterion (levels from the same diligence as 2021's, found afresh), compute, publish, lock."""
    orgs = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True).order_by("path"))
    clock.set(_at(3, 1, 9, 30, year=YEAR))
    round_ = services.round_open(
        by=office, framework=framework, name=PREVIOUS_ROUND_NAME, orgs=orgs, self_deadline=dt.date(YEAR, 3, 5),
        appeal_deadline=dt.date(YEAR, 4, 9),
    )  # fmt: skip
    reviewer = _demo_user("office_reviewer")
    if reviewer is not None:
        services.rater_assign(by=office, round_=round_, user=reviewer)
    clock.set(_at(3, 8, 9, year=YEAR))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    weak = {e.org.code for e in demo_enterprises() if e.weak}
    if reviewer is not None:
        tasks = [
            t
            for t in queries.rater_tasks(reviewer, round_)
            if not t.own and (not t.criterion.ownerships or t.participant.org.ownership in t.criterion.ownerships)
        ]
        by = Actor(user=reviewer)
        for step, task in enumerate(tasks):
            participant, criterion, org = task.participant, task.criterion, task.participant.org
            participant.round = round_
            level = _level(org.code, criterion.code, _diligence(org.code, org.code in weak), PREVIOUS_YEAR)
            clock.set(_rating_time(step, len(tasks), PREVIOUS_RATING_DAYS))
            services.rating_save(
                by=by, participant=participant, criterion=criterion, level=level,
                comment=_comment(org, criterion, level, f"{reviewer.username}:{PREVIOUS_YEAR}"),
                evidence=EVIDENCE.get(criterion.code, ""),
            )  # fmt: skip
    clock.set(_at(3, 15, 17, year=YEAR))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    clock.set(_at(3, 16, 10, year=YEAR))
    services.round_compute(by=office, round_=round_, reason="评分结束，计算得分。")
    clock.set(_at(3, 19, 15, year=YEAR))
    round_ = services.round_publish(by=office, round_=round_, version=round_.version)
    clock.set(_at(4, 12, 9, year=YEAR))
    return services.round_lock(by=office, round_=round_, version=round_.version)


def _play_round(framework: Framework, office: Actor, clock) -> Round:
    """Open the round, self-assess, rate, record events, calibrate, compute, publish, appeal, republish, lock."""
    orgs = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True).order_by("path"))
    clock.set(_at(3, 1, 9, 30))
    round_ = services.round_open(
        by=office, framework=framework, name=ROUND_NAME, orgs=orgs, self_deadline=dt.date(NEXT_YEAR, 3, 15),
        appeal_deadline=dt.date(NEXT_YEAR, 4, 22),
    )  # fmt: skip
    by_code = {c.code: c for c in Criterion.objects.filter(dimension__framework=framework)}
    office_reviewer, guidance, dept_viewer = (_demo_user(n) for n in ("office_reviewer", "guidance", "dept_viewer"))
    unions = {o.code: o for o in Organisation.objects.filter(code__in=["U01", "U02", "U03", "U04", "U05", "U07"])}
    if office_reviewer is not None:
        services.rater_assign(by=office, round_=round_, user=office_reviewer)
    if guidance is not None:
        for code in ("U01", "U02"):
            services.rater_assign(by=office, round_=round_, user=guidance, org=unions[code])
    if dept_viewer is not None:
        for code in ("U03", "U04", "U05", "U07"):  # the provincial groups the 国资委 supervises
            services.rater_assign(
                by=office, round_=round_, user=dept_viewer, criterion=by_code["O_SOE"], org=unions[code]
            )

    enterprises = demo_enterprises()
    weak = {e.org.code for e in enterprises if e.weak}
    named = {e.org.code for e in enterprises if e.union is not None and e.union.code in NAMED_UNIONS}
    participants = list(round_.participants.select_related("org", "round").order_by("org__path"))
    _self_assess([p for p in participants if p.org.code in named], by_code["S_CERT_TARGET"], clock)

    clock.set(_at(3, 16, 9))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    participants = list(round_.participants.select_related("org").order_by("org__path"))
    for participant in participants:
        participant.round = round_  # one object: the services read the stage from it, and each step refreshes it
    _rate(round_, weak, clock)

    by_org = {p.org.code: p for p in participants}
    for index, (code, item, note) in enumerate(BONUS_EVENTS):
        if code in by_org:
            clock.set(_at(3, 24, 10) + dt.timedelta(minutes=20 * index))
            services.entry_add(by=office, participant=by_org[code], criterion=by_code["O_BONUS"], item=item,
                               note=note + SAMPLE)  # fmt: skip
    laggards = sorted(code for code in weak if code in by_org)
    if laggards:
        clock.set(_at(3, 25, 15))
        services.entry_add(by=office, participant=by_org[laggards[0]], criterion=by_code["O_DEDUCTION"],
                           item="OVERDUE", note=OVERDUE_NOTE + SAMPLE)  # fmt: skip
    if VETO_CODE in by_org:
        clock.set(_at(3, 25, 16))
        services.entry_add(by=office, participant=by_org[VETO_CODE], criterion=by_code["O_VETO"], item="",
                           note=VETO_NOTE + SAMPLE)  # fmt: skip

    clock.set(_at(3, 31, 17))
    round_ = services.round_advance(by=office, round_=round_, version=round_.version)
    services.round_compute(by=office, round_=round_, reason="评分结束，校准前试算。")
    clock.set(_at(4, 6, 10))
    for code, (_office, _guidance, level, reason) in DISAGREE_ON_PLAN.items():
        if code in by_org:
            services.calibrate(by=office, participant=by_org[code], criterion=by_code["O_PLAN"], level=level,
                               reason=reason)  # fmt: skip
    clock.set(_at(4, 7, 11))
    services.round_compute(by=office, round_=round_, reason="校准后计算。")
    clock.set(_at(4, 8, 15))
    round_ = services.round_publish(by=office, round_=round_, version=round_.version)

    kunming = by_org.get(KUNMING_POWER)
    reporter = _reporter(kunming.org) if kunming else None
    if kunming is not None and reporter is not None:
        clock.set(_at(4, 12, 16, 20))
        appeal = services.appeal_file(
            by=Actor(user=reporter), participant=kunming, criterion=by_code["O_BONUS"],
            reason="本局“工匠工作室带徒传技”经验于2021年11月被全国总工会产改工作简报刊发推广（附简报），"
                   "按考核办法应加 1 分，公布结果未计入，请核实。" + SAMPLE,
        )  # fmt: skip
        clock.set(_at(4, 19, 10))
        services.appeal_answer(
            by=office, appeal=appeal, version=appeal.version, upheld=True,
            answer="经核实，该经验确被全国总工会产改工作简报刊发推广，申诉成立。已补录加分并重新计算、公布。",
        )  # fmt: skip
        round_ = services.round_reopen(
            by=office, round_=round_, version=round_.version, reason="昆明供电局申诉成立，补录加分事项。"
        )
        _code, item, note = APPEAL_BONUS
        services.entry_add(by=office, participant=kunming, criterion=by_code["O_BONUS"], item=item, note=note + SAMPLE)
        clock.set(_at(4, 19, 11))
        services.round_compute(by=office, round_=round_, reason="申诉成立，补录加分后重新计算。")
        clock.set(_at(4, 20, 9, 30))
        round_ = services.round_publish(by=office, round_=round_, version=round_.version)

    clock.set(_at(4, 25, 9))
    return services.round_lock(by=office, round_=round_, version=round_.version)
