"""The assessment services over real accepted reports: a round from opening to lock, reproducibility,
permissions, and what is refused (with the exact message) while nothing changes."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from analytics.tests.helpers import accepted_report
from assessment import inputs, queries, services
from assessment.choices import AppealStatus, Grade, RoundStatus
from assessment.models import Computation, Criterion, CriterionResult, Result
from assessment.tests.factories import make_framework
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_user
from reporting.models import Report
from reporting.tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, wf, clock):
    clock.set(at(2022, 3, 1))  # the 2021 yearly reports were due on 2022-01-31
    office = tree.user(Role.OFFICE_ADMIN)
    # Certification rates over non-migrant workers: 50%, 10%, 15% (targets 20%).
    for org, certified, college, submitted in [
        (tree.ent_a1, 300, 240, at(2022, 1, 20)),
        (tree.ent_a2, 60, 120, at(2022, 2, 5)),  # late
        (tree.ent_b1, 90, 180, at(2022, 1, 25)),
    ]:
        report = accepted_report(tree, wf[0], "2021", org, certified=certified, college=college)
        Report.objects.filter(pk=report.pk).update(first_submitted_at=submitted)
    framework = make_framework(office)
    by = Actor(user=office)
    round_ = services.round_open(
        by=by, framework=framework, name="2021年度考核", orgs=[tree.ent_a1, tree.ent_a2, tree.ent_b1],
        appeal_deadline=at(2022, 4, 1).date(),
    )  # fmt: skip
    rater = make_user("rater_guidance", role=Role.GUIDANCE, org=tree.ent_b1)  # belongs to 云南铜业股份
    services.rater_assign(by=by, round_=round_, user=rater)
    return {"office": office, "by": by, "round": round_, "framework": framework, "rater": rater, "tree": tree}


def _advance(world, to):
    round_ = world["round"]
    while round_.status != to:
        round_.refresh_from_db()
        services.round_advance(by=world["by"], round_=round_, version=round_.version)
        round_.refresh_from_db()


def _rate_all(world, level="A"):
    group = Criterion.objects.get(code="GROUP", dimension__framework=world["framework"])
    for participant in world["round"].participants.exclude(org=world["tree"].ent_b1):
        services.rating_save(by=Actor(user=world["rater"]), participant=participant, criterion=group, level=level,
                             comment="材料齐全，机制健全")  # fmt: skip
    return group


def test_a_round_from_opening_to_lock(world):
    tree, by = world["tree"], world["by"]
    round_ = world["round"]
    _advance(world, RoundStatus.RATING)
    group = _rate_all(world)
    # The rater belongs to 云南铜业股份 and may not rate it: the office rates it instead.
    office_rater = make_user("office_rater", role=Role.OFFICE_REVIEWER, org=tree.office)
    services.rater_assign(by=by, round_=round_, user=office_rater, org=tree.ent_b1)
    b1 = round_.participants.get(org=tree.ent_b1)
    services.rating_save(by=Actor(user=office_rater), participant=b1, criterion=group, level="B", comment="较好")
    _advance(world, RoundStatus.CALIBRATION)
    computation = services.round_compute(by=by, round_=round_)

    results = {r.participant.org.code: r for r in computation.results.select_related("participant__org")}
    # No 2021 quarterly round was run on the platform, so only the yearly report can be late.
    # 昆明供电局: cert 50% ≥ 20% → 20; college 40% best of three → 20; on time → 20; 好 → 40: 100.
    # 曲靖供电局: cert 10% → 50% attainment → 0; college 20% worst → 0; late → 0; 好 → 40: 40 − 1.
    # 云南铜业股份: cert 15% → 75% → 7.50; college 30% middle → 10; on time → 20; 较好 → 32: 69.50.
    assert {k: (str(r.total), r.grade, r.rank) for k, r in results.items()} == {
        "E-A1": ("100.00", Grade.EXCELLENT, 1),
        "E-A2": ("39.00", Grade.FAIL, 3),
        "E-B1": ("69.50", Grade.PASS, 2),
    }
    late = CriterionResult.objects.get(computation=computation, participant__org=tree.ent_a2, criterion__code="LATE")
    assert late.points == D("1.00") and late.detail["text"] == "合计 1.00 分（上限 5.00 分）。"

    round_.refresh_from_db()
    services.round_publish(by=by, round_=round_, version=round_.version)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED and round_.published == computation

    # The enterprise's reporter appeals one criterion; its union cannot appeal for it.
    reporter = tree.user(Role.REPORTER, tree.ent_a2)
    a2 = round_.participants.get(org=tree.ent_a2)
    with pytest.raises(PermissionDenied):
        services.appeal_file(by=Actor(user=tree.user(Role.UNION_ADMIN)), participant=a2, criterion=group, reason="x")
    appeal = services.appeal_file(by=Actor(user=reporter), participant=a2, criterion=group, reason="逾期系系统故障")
    with pytest.raises(UserError) as refused:
        services.round_lock(by=by, round_=round_, version=round_.version)
    assert refused.value.message == "还有 1 件申诉未答复，答复后才能锁定。"
    services.appeal_answer(by=by, appeal=appeal, version=appeal.version, upheld=False, answer="经核实，逾期属实。")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED
    services.round_lock(by=by, round_=round_, version=round_.version)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.LOCKED
    events = set(AuditEntry.objects.filter(event__startswith="assessment.").values_list("event", flat=True))
    assert {"assessment.round.open", "assessment.rating.create", "assessment.round.compute", "assessment.round.publish",
            "assessment.appeal.file", "assessment.appeal.answer", "assessment.round.lock"} <= events  # fmt: skip


def test_recomputing_with_the_same_inputs_gives_identical_scores(world):
    _advance(world, RoundStatus.RATING)
    _rate_all(world)
    _advance(world, RoundStatus.CALIBRATION)
    first = services.round_compute(by=world["by"], round_=world["round"])
    second = services.round_compute(by=world["by"], round_=world["round"])
    assert first.fingerprint == second.fingerprint

    def table(c):
        return sorted(
            CriterionResult.objects.filter(computation=c).values_list("participant_id", "criterion_id", "points")
        )

    assert table(first) == table(second)
    assert sorted(
        Result.objects.filter(computation=first).values_list("participant_id", "total", "grade", "rank")
    ) == sorted(Result.objects.filter(computation=second).values_list("participant_id", "total", "grade", "rank"))


def test_changed_data_after_publication_needs_reopening_and_keeps_the_old_scores(world, wf):
    tree, by, round_ = world["tree"], world["by"], world["round"]
    _advance(world, RoundStatus.RATING)
    _rate_all(world, "B")
    b1 = round_.participants.get(org=tree.ent_b1)
    office_rater = make_user("office_rater2", role=Role.OFFICE_REVIEWER, org=tree.office)
    services.rater_assign(by=by, round_=round_, user=office_rater, org=tree.ent_b1)
    group = Criterion.objects.get(code="GROUP", dimension__framework=world["framework"])
    services.rating_save(by=Actor(user=office_rater), participant=b1, criterion=group, level="B", comment="较好")
    _advance(world, RoundStatus.CALIBRATION)
    old = services.round_compute(by=by, round_=round_)
    round_.refresh_from_db()
    services.round_publish(by=by, round_=round_, version=round_.version)
    round_.refresh_from_db()

    # 曲靖供电局's 2021 report is corrected (more certified workers) and accepted again.
    Report.objects.filter(org=tree.ent_a2, period__code="2021").delete()
    from analytics import aggregates

    aggregates.rebuild()
    accepted_report(tree, wf[0], "2021", tree.ent_a2, certified=120, college=120)
    with pytest.raises(UserError) as refused:
        services.round_compute(by=by, round_=round_)
    assert refused.value.message == "考核结果已公布；数据变化后需先重新开启本轮，再重新计算。"

    services.round_reopen(by=by, round_=round_, version=round_.version, reason="曲靖供电局年报更正后重新验收")
    new = services.round_compute(by=by, round_=round_, reason="数据更正")
    assert new.fingerprint != old.fingerprint
    old_a2 = Result.objects.get(computation=old, participant__org=tree.ent_a2)
    new_a2 = Result.objects.get(computation=new, participant__org=tree.ent_a2)
    assert new_a2.total > old_a2.total  # 20% certification now meets the target
    assert Computation.objects.filter(round=round_).count() == 2
    reopen = AuditEntry.objects.get(event="assessment.round.reopen")
    assert reopen.detail == {"reason": "曲靖供电局年报更正后重新验收"}


def test_publication_waits_for_calibration_when_raters_disagree(tree, wf, clock):
    clock.set(at(2022, 3, 1))
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    framework = make_framework(office, combine="consensus")
    round_ = services.round_open(by=by, framework=framework, name="考核", orgs=[tree.ent_a1])
    raters = [make_user(f"r{i}", role=Role.DEPT_VIEWER, org=tree.dept) for i in range(2)]
    for rater in raters:
        services.rater_assign(by=by, round_=round_, user=rater)
    services.round_advance(by=by, round_=round_, version=round_.version)
    participant = round_.participants.get()
    group = Criterion.objects.get(code="GROUP", dimension__framework=framework)
    for rater, level in zip(raters, "AB", strict=True):
        services.rating_save(
            by=Actor(user=rater), participant=participant, criterion=group, level=level, comment="意见"
        )
    round_.refresh_from_db()
    services.round_advance(by=by, round_=round_, version=round_.version)
    services.round_compute(by=by, round_=round_)
    round_.refresh_from_db()
    with pytest.raises(UserError) as refused:
        services.round_publish(by=by, round_=round_, version=round_.version)
    assert refused.value.message == "还有 1 家单位存在待校准或缺少设置的考核项，请处理并重新计算后再公布。"

    services.calibrate(by=by, participant=participant, criterion=group, level="B", reason="以现场检查为准")
    # Calibrated after the computation: publishing the old numbers is refused too.
    with pytest.raises(UserError) as stale:
        services.round_publish(by=by, round_=round_, version=round_.version)
    assert stale.value.message == "还有 1 家单位存在待校准或缺少设置的考核项，请处理并重新计算后再公布。"
    computation = services.round_compute(by=by, round_=round_)
    services.round_publish(by=by, round_=round_, version=round_.version)
    detail = CriterionResult.objects.get(computation=computation, criterion=group).detail
    assert detail["text"].startswith("产改办校准为“较好”（以现场检查为准）")
    assert [r["level"] for r in detail["raters"]] == ["好", "较好"]


def test_publish_refuses_numbers_older_than_the_inputs(world):
    by, round_ = world["by"], world["round"]
    _advance(world, RoundStatus.RATING)
    group = _rate_all(world)
    _advance(world, RoundStatus.CALIBRATION)
    services.round_compute(by=by, round_=round_)
    a1 = round_.participants.get(org=world["tree"].ent_a1)
    services.calibrate(by=by, participant=a1, criterion=group, level="C", reason="复核后下调")
    round_.refresh_from_db()
    with pytest.raises(UserError) as refused:
        services.round_publish(by=by, round_=round_, version=round_.version)
    # 云南铜业股份 was never rated (its own rater may not): still unresolved.
    assert "待校准" in refused.value.message


def test_raters_rate_only_what_they_were_assigned_and_never_their_own_organisation(world):
    tree, round_ = world["tree"], world["round"]
    _advance(world, RoundStatus.RATING)
    group = Criterion.objects.get(code="GROUP", dimension__framework=world["framework"])
    own = round_.participants.get(org=tree.ent_b1)
    with pytest.raises(PermissionDenied) as refused:
        services.rating_save(by=Actor(user=world["rater"]), participant=own, criterion=group, level="A", comment="好")
    assert str(refused.value) == "不能为本人所在单位评分。"
    stranger = make_user("stranger", role=Role.DEPT_VIEWER, org=tree.dept)
    other = round_.participants.get(org=tree.ent_a1)
    with pytest.raises(PermissionDenied) as refused:
        services.rating_save(by=Actor(user=stranger), participant=other, criterion=group, level="A", comment="好")
    assert str(refused.value) == "您不是该单位此项的评分人。"
    assert not own.ratings.exists() and not other.ratings.exists()
    tasks = queries.rater_tasks(world["rater"], round_)
    assert [(t.participant.org.code, t.own) for t in tasks] == [("E-A1", False), ("E-A2", False), ("E-B1", True)]
    assert queries.rater_tasks(stranger, round_) == []


def test_a_second_rating_needs_the_version_loaded(world):
    _advance(world, RoundStatus.RATING)
    group = _rate_all(world)
    participant = world["round"].participants.get(org=world["tree"].ent_a1)
    rating = participant.ratings.get()
    with pytest.raises(ConflictError):
        services.rating_save(by=Actor(user=world["rater"]), participant=participant, criterion=group, level="B",
                             comment="改", version=rating.version + 5)  # fmt: skip
    rating.refresh_from_db()
    assert rating.level == "A"


def test_only_the_office_runs_rounds_and_frameworks_are_frozen_once_used(world):
    tree, framework = world["tree"], world["framework"]
    with pytest.raises(PermissionDenied):
        services.round_compute(by=Actor(user=tree.user(Role.UNION_ADMIN)), round_=world["round"])
    dimension = framework.dimensions.first()
    with pytest.raises(UserError) as refused:
        services.dimension_save(by=world["by"], framework=framework, dimension=dimension, code=dimension.code,
                                name="改名", area=dimension.area, points=dimension.points)  # fmt: skip
    assert refused.value.message == f"“{framework}”已用于考核轮次，不能再修改；如需调整，请复制为新版本。"
    copy = services.framework_create(by=world["by"], year=2022, name="2022年度量化考核办法", copy_from=framework)
    assert copy.number == 1 and copy.dimensions.count() == 2
    assert Criterion.objects.filter(dimension__framework=copy).count() == 7


def test_framework_problems_say_what_does_not_add_up(tree, wf):
    office = tree.user(Role.OFFICE_ADMIN)
    framework = make_framework(office, issue=False)
    dimension = framework.dimensions.get(code="SKILLS")
    services.dimension_save(by=Actor(user=office), framework=framework, dimension=dimension, code="SKILLS",
                            name="素质提升", area=dimension.area, points=D(50))  # fmt: skip
    assert services.framework_problems(framework) == [
        "各维度分值之和为 110.00 分，与满分 100.00 分不符。",
        "维度“素质提升”的指标分值合计 40.00 分，与维度分值 50.00 分不符。",
    ]
    with pytest.raises(UserError):
        services.framework_issue(by=Actor(user=office), framework=framework, version=framework.version)


def test_fingerprint_ignores_the_readers_language(world):
    from django.utils import translation

    spec, orgs = inputs.round_inputs(world["round"])
    with translation.override("en"):
        spec_en, orgs_en = inputs.round_inputs(world["round"])
    assert inputs.fingerprint(spec, orgs) == inputs.fingerprint(spec_en, orgs_en)


def test_a_score_card_compares_with_the_same_organisations_published_result_of_the_year_before(tree, wf, clock):
    clock.set(at(2022, 3, 1))
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    for year, certified in (("2020", 84), ("2021", 300)):
        accepted_report(tree, wf[0], year, tree.ent_a1, certified=certified)
        accepted_report(tree, wf[0], year, tree.ent_a2, certified=60)
    cards = {}
    for year in (2020, 2021):
        framework = make_framework(office, year=year)
        round_ = services.round_open(
            by=by, framework=framework, name=f"{year}年度考核", orgs=[tree.ent_a1, tree.ent_a2]
        )
        rater = make_user(f"rater{year}", role=Role.DEPT_VIEWER, org=tree.dept)
        services.rater_assign(by=by, round_=round_, user=rater)
        services.round_advance(by=by, round_=round_, version=round_.version)
        group = Criterion.objects.get(code="GROUP", dimension__framework=framework)
        for participant in round_.participants.all():
            services.rating_save(
                by=Actor(user=rater), participant=participant, criterion=group, level="B", comment="较好"
            )
        round_.refresh_from_db()
        services.round_advance(by=by, round_=round_, version=round_.version)
        services.round_compute(by=by, round_=round_)
        round_.refresh_from_db()
        services.round_publish(by=by, round_=round_, version=round_.version)
        participant = round_.participants.get(org=tree.ent_a1)
        cards[year] = queries.score_card(participant, round_.published)
    assert cards[2020].previous is None
    assert cards[2021].previous == cards[2020].result
    assert cards[2021].result.total > cards[2020].result.total  # 50% certified against 14% a year before


def test_editing_an_issued_framework_returns_it_to_draft_until_issued_again(tree, wf):
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    framework = make_framework(office)
    criterion = Criterion.objects.get(dimension__framework=framework, code="CERT")
    services.criterion_save(by=by, dimension=criterion.dimension, criterion=criterion, points=D(10))
    framework.refresh_from_db()
    assert framework.status == "draft"
    assert AuditEntry.objects.filter(event="assessment.framework.unissue", object_id=str(framework.pk)).exists()
    with pytest.raises(UserError) as refused:
        services.round_open(by=by, framework=framework, name="考核", orgs=[tree.ent_a1])
    assert refused.value.message == "只能在已发布的考核方案上开启考核轮次。"
    with pytest.raises(UserError) as problems:  # the points no longer add up
        services.framework_issue(by=by, framework=framework, version=framework.version)
    assert "素质提升" in problems.value.message


def test_the_assessed_organisation_is_told_of_publication_answers_and_republication(
    tree, wf, clock, django_capture_on_commit_callbacks, mailoutbox
):
    from django.urls import reverse

    from assessment.tests.rounds import compute_and_publish, published_round
    from reporting.models import Notification

    world = published_round(tree, wf, clock)
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    card = reverse("assessment:score_card", args=[world.participants["E-A1"].pk])
    result = Result.objects.get(computation=world.computation, participant=world.participants["E-A1"])

    [published] = Notification.objects.filter(user=reporter)
    assert published.title == "考核结果已公布：2021年度产改工作考核" and published.url == card
    assert published.body == (
        f"“2021年度产改工作考核”的考核结果已公布：昆明供电局 总分 {result.total}，等次“{result.get_grade_display()}”。"
        "对单项得分有异议的，可在 2022-04-01（含）前在评分表上提出申诉。"
    )
    # Each organisation hears of its own result only; the union above reads the cards but is not the assessed one.
    assert not Notification.objects.filter(user=union_admin).exists()
    assert not Notification.objects.filter(user=world.office).exists()
    # (Of the three, only 昆明供电局 has someone who acts for it; 云南铜业股份's guidance member only rates.)
    assert not Notification.objects.filter(user=world.own_rater).exists()
    assert set(Notification.objects.values_list("url", flat=True)) == {card}

    reporter.email = "kmgd@example.org"
    reporter.save(update_fields=["email"])
    appeal = services.appeal_file(by=Actor(user=reporter), participant=world.participants["E-A1"],
                                  criterion=world.criteria["CERT"], reason="持证人数漏报 20 人")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(by=Actor(user=world.office), appeal=appeal, version=appeal.version, upheld=True,
                               answer="经核实，补报后重新计算")  # fmt: skip
    answered = Notification.objects.filter(user=reporter).order_by("-pk").first()
    assert answered.title == "申诉已答复：持证率达标" and answered.url == card
    assert answered.body == (
        "产改办已答复昆明供电局对“2021年度产改工作考核”中“持证率达标”的申诉：申诉成立。答复意见：经核实，补报后重新计算"
    )
    assert [(m.subject, m.to) for m in mailoutbox] == [("申诉已答复：持证率达标", ["kmgd@example.org"])]

    round_ = world.round
    round_.refresh_from_db()
    services.round_reopen(by=Actor(user=world.office), round_=round_, version=round_.version, reason="申诉成立")
    round_.refresh_from_db()
    compute_and_publish(Actor(user=world.office), round_)
    again = Notification.objects.filter(user=reporter).order_by("-pk").first()
    assert again.title == "考核结果已重新公布：2021年度产改工作考核" and again.url == card
    assert "第 2 次计算" in again.body and "原公布的结果仍保留可查" in again.body


def test_raters_are_asked_only_where_the_criterion_applies(tree, wf, clock, client):
    """The leading-group criterion is limited to the power industry (D): 云南铜业股份 (B) is no rating task, and
    nothing about it waits for calibration."""
    from django.urls import reverse

    from assessment.tests.rounds import advance

    clock.set(at(2022, 3, 1))
    office = tree.user(Role.OFFICE_ADMIN)
    by = Actor(user=office)
    framework = make_framework(office, issue=False)
    group = Criterion.objects.get(dimension__framework=framework, code="GROUP")
    services.criterion_save(by=by, dimension=group.dimension, criterion=group, version=group.version,
                            industries=["D"])  # fmt: skip
    framework.refresh_from_db()
    services.framework_issue(by=by, framework=framework, version=framework.version)
    round_ = services.round_open(by=by, framework=framework, name="考核", orgs=[tree.ent_a1, tree.ent_a2, tree.ent_b1])
    rater = make_user("rater_power", role=Role.DEPT_VIEWER, org=tree.dept)
    services.rater_assign(by=by, round_=round_, user=rater)
    advance(by, round_, RoundStatus.RATING)
    group.refresh_from_db()

    tasks = queries.rater_tasks(rater, round_)
    assert [(t.participant.org.code, t.criterion.code) for t in tasks] == [("E-A1", "GROUP"), ("E-A2", "GROUP")]
    copper = round_.participants.get(org=tree.ent_b1)
    with pytest.raises(UserError) as refused:
        services.rating_save(by=Actor(user=rater), participant=copper, criterion=group, level="A", comment="好")
    assert refused.value.message == "“领导小组和工作机制”不适用于云南铜业股份，无需评分。"
    client.force_login(rater)
    page = client.get(reverse("assessment:rate", args=[round_.pk, copper.pk, group.pk]))
    assert page.status_code == 404

    advance(by, round_, RoundStatus.CALIBRATION)
    client.force_login(office)
    body = client.get(reverse("assessment:round_calibration", args=[round_.pk])).content.decode()
    assert 'data-item="E-A1:GROUP"' in body and 'data-item="E-A2:GROUP"' in body
    assert 'data-item="E-B1:GROUP"' not in body


def test_my_ratings_is_offered_only_to_people_named_raters(tree, wf, clock, client, django_capture_on_commit_callbacks):
    """我的评分 is for raters: an office administrator or a leader who was never named one has nothing there."""
    from django.urls import reverse

    home = reverse("assessment:rating_home")
    office = tree.user(Role.OFFICE_ADMIN)
    leader = tree.user(Role.LEADER, tree.province)
    reporter = tree.user(Role.REPORTER, tree.ent_a1)

    def offered(user) -> bool:
        client.force_login(user)
        return f'href="{home}"' in client.get(reverse("assessment:round_list")).content.decode()

    assert [offered(u) for u in (office, leader, reporter)] == [False, False, False]

    framework = make_framework(office)
    round_ = services.round_open(by=Actor(user=office), framework=framework, name="考核", orgs=[tree.ent_a1])
    with django_capture_on_commit_callbacks(execute=True):  # the menu's cached answer is dropped on commit
        services.rater_assign(by=Actor(user=office), round_=round_, user=leader)
    assert [offered(u) for u in (office, leader, reporter)] == [False, True, False]
