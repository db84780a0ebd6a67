"""The demo province's published 2021 assessment round (assessment/demo/): score cards that add up to the
ranking, a ranking in the order of the totals, reproducible scores, and score cards only for their own people.

The demo (organisations, reports, targets, assessment) is loaded once for the module, inside a transaction
rolled back at the end: the reports alone play about 2,500 workflow steps through the services.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from analytics.demo import load_demo_targets
from analytics.engine.batch import subtree_values
from analytics.engine.scope import Scope
from assessment import inputs, queries, scoring, services
from assessment.choices import AppealStatus, CriterionKind, FrameworkStatus, Grade, RoundStatus
from assessment.demo import (
    FRAMEWORK_NAME,
    NEXT_FRAMEWORK_NAME,
    PREVIOUS_FRAMEWORK_NAME,
    PREVIOUS_ROUND_NAME,
    ROUND_NAME,
    VETO_CODE,
    load_demo_assessment,
)
from assessment.exports import plain
from assessment.models import (
    Appeal,
    Calibration,
    Computation,
    Criterion,
    CriterionResult,
    Dimension,
    Entry,
    Evidence,
    Framework,
    Participant,
    Rating,
    Result,
    Round,
)
from core.actor import Actor
from core.audit import verify_chain
from core.formatting import percent
from core.models import AuditEntry
from orgs.choices import OrgKind, Ownership
from orgs.demo import KUNMING_POWER, load_demo
from orgs.models import Organisation
from reporting.choices import ReportStatus
from reporting.demo import load_demo_reports
from reporting.models import DataValue, Report

CENT = Decimal("0.01")
ACCEPTED = (ReportStatus.ACCEPTED, ReportStatus.LOCKED)
U01_ENTERPRISES = {"E001", "E002", "E003", "E004"}  # 云南电网's supply bureaus


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo province, as `manage.py load_demo` builds it in demo mode; what the assessment load said."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        load_demo_reports()
        office = get_user_model().objects.get(username="office_admin")
        load_demo_targets(by=Actor(user=office))
        result = load_demo_assessment(office)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def round_(demo):
    return Round.objects.select_related("framework", "published").get(name=ROUND_NAME)


def _user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.mark.django_db
def test_the_2021_round_is_published_final_and_covers_every_open_enterprise(demo, round_):
    assert demo.warnings == []
    assert demo.created == ["previous_framework", "previous_round", "framework", "round", "next_framework"]
    framework = round_.framework
    assert (framework.year, framework.number, framework.name, framework.status) == (
        2021, 1, FRAMEWORK_NAME, FrameworkStatus.ISSUED,
    )  # fmt: skip
    dimensions = list(framework.dimensions.order_by("sort_order"))
    assert [d.name for d in dimensions] == ["思想引领", "建功立业", "素质提升", "地位提高", "队伍壮大", "改革组织推进"]
    assert sum(d.points for d in dimensions) == Decimal(100)
    kinds = set(Criterion.objects.filter(dimension__framework=framework).values_list("kind", flat=True))
    assert kinds == set(CriterionKind.values)

    assert round_.status == RoundStatus.LOCKED
    computations = list(round_.computations.order_by("number"))
    assert [c.number for c in computations] == [1, 2, 3]
    assert round_.published == computations[-1]
    assert computations[0].published_at is None  # the trial run before calibration
    assert computations[0].results.filter(unresolved__gt=0).count() == 2
    assert computations[1].published_at is not None  # published, then superseded after the appeal: kept
    assert not computations[2].results.filter(unresolved__gt=0).exists()
    assert round_.published.published_at.year == 2022  # the story's time, not the load's

    open_enterprises = set(
        Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True).values_list("code", flat=True)
    )
    assert set(round_.participants.values_list("org__code", flat=True)) == open_enterprises
    assert not round_.participants.filter(org__closed_on__isnull=False).exists()
    assert Result.objects.filter(computation=round_.published).count() == len(open_enterprises)
    assert verify_chain() == []


@pytest.mark.django_db
def test_every_score_card_adds_up_to_the_total_in_the_ranking(round_):
    computation = round_.published
    office = _user("office_admin")
    ranking = queries.ranking(computation, user=office)
    dimensions = {d.pk: d for d in Dimension.objects.filter(framework=round_.framework)}
    rows = defaultdict(list)
    for cr in CriterionResult.objects.filter(computation=computation).select_related("criterion"):
        rows[cr.participant_id].append(cr)

    assert len(ranking) == round_.participants.count()
    for result in ranking:
        raw, full = defaultdict(Decimal), defaultdict(Decimal)
        bonus = deduction = Decimal(0)
        for cr in rows[result.participant_id]:
            assert Decimal(0) <= cr.points <= cr.criterion.points
            kind = cr.criterion.kind
            if kind == CriterionKind.BONUS:
                bonus += cr.points
            elif kind == CriterionKind.DEDUCTION:
                deduction += cr.points
            elif kind != CriterionKind.VETO and cr.applicable:
                raw[cr.criterion.dimension_id] += cr.points
                full[cr.criterion.dimension_id] += cr.max_points
        scaled = {d: q2(raw[d] / full[d] * dimensions[d].points) for d in full if full[d]}
        assert set(scaled) == set(dimensions)  # every dimension applies to every enterprise
        base = sum(scaled.values(), Decimal(0))
        assert result.normalised == base
        assert (result.bonus, result.deduction) == (bonus, deduction)
        assert result.total == max(Decimal(0), base + bonus - deduction)

        card = queries.score_card(result.participant, computation)
        assert card.result.total == result.total
        assert {d.dimension.pk: d.scaled for d in card.dimensions} == scaled
        assert sum(c.result.points for c in card.bonus) == result.bonus
        assert sum(c.result.points for c in card.deductions) == result.deduction


@pytest.mark.django_db
def test_the_ranking_follows_the_totals_and_the_grades_follow_the_thresholds(round_):
    results = queries.ranking(round_.published, user=_user("office_admin"))
    totals = [r.total for r in results]
    assert totals == sorted(totals, reverse=True)
    for r in results:
        assert r.rank == 1 + sum(1 for t in totals if t > r.total)
        peers = [p.total for p in results if p.participant.peer_key == r.participant.peer_key]
        assert (r.group_rank, r.group_size) == (1 + sum(1 for t in peers if t > r.total), len(peers))
        expected = (
            Grade.EXCELLENT if r.total >= 85 else Grade.GOOD if r.total >= 75 else Grade.PASS if r.total >= 60
            else Grade.FAIL
        )  # fmt: skip
        assert r.grade_before_cap == expected
        assert r.grade == (Grade.PASS if r.vetoed else expected)
    assert all(count > 0 for _grade, _label, count in queries.summary(round_.published).grades)

    vetoed = [r for r in results if r.vetoed]
    assert [r.participant.org.code for r in vetoed] == [VETO_CODE]
    assert (vetoed[0].grade_before_cap, vetoed[0].grade) == (Grade.GOOD, Grade.PASS)
    veto = CriterionResult.objects.get(
        computation=round_.published, participant=vetoed[0].participant, criterion__kind=CriterionKind.VETO
    )
    assert veto.detail["text"] == (
        "发生否决事项：2021年8月井下发生一起较大生产安全事故，经应急管理部门调查认定企业负有责任（示例）"
    )
    assert veto.detail["rule"] == "发生即最高评为“合格”"


@pytest.mark.django_db
def test_recomputing_gives_the_same_fingerprint_and_totals(round_):
    published = round_.published
    stored = dict(Result.objects.filter(computation=published).values_list("participant_id", "total"))

    spec, orgs = inputs.round_inputs(round_)
    assert inputs.fingerprint(spec, orgs) == published.fingerprint
    assert {s.participant_id: s.total for s in scoring.score_round(spec, orgs)} == stored

    office = Actor(user=_user("office_admin"))
    services.round_reopen(by=office, round_=round_, version=round_.version, reason="复核演示数据")
    again = services.round_compute(by=office, round_=round_, reason="复核")
    assert again.number == published.number + 1
    assert again.fingerprint == published.fingerprint
    assert dict(Result.objects.filter(computation=again).values_list("participant_id", "total")) == stored

    def points(computation):
        return set(
            CriterionResult.objects.filter(computation=computation).values_list(
                "participant_id", "criterion_id", "points"
            )
        )

    assert points(again) == points(published)


@pytest.mark.django_db
def test_the_union_officer_reads_its_enterprises_score_cards_and_no_others(round_):
    officer = _user("union_admin")  # 云南电网's union
    mine = Participant.objects.filter(round=round_, org__code__in=U01_ENTERPRISES)
    others = Participant.objects.filter(round=round_).exclude(org__code__in=U01_ENTERPRISES)

    assert {p.org.code for p in queries.participants_for_user(officer).filter(round=round_)} == U01_ENTERPRISES
    assert all(queries.card_visible(officer, p) for p in mine)
    assert not any(queries.card_visible(officer, p) for p in others.select_related("org", "round"))
    assert {r.participant.org.code for r in queries.ranking(round_.published, user=officer)} == U01_ENTERPRISES
    assert queries.visible_computation(officer, round_) == round_.published
    assert round_ in queries.rounds_visible(officer)

    reporter = _user("reporter")  # 昆明供电局 only
    assert {p.org.code for p in queries.participants_for_user(reporter).filter(round=round_)} == {KUNMING_POWER}
    assert not queries.card_visible(reporter, mine.get(org__code="E002"))


@pytest.mark.django_db
def test_raters_rate_what_they_were_given_and_never_their_own_organisation(round_):
    ratings = Rating.objects.filter(participant__round=round_).select_related("rater", "participant__org", "criterion")
    assert ratings.count() > 600
    for rating in ratings:
        assert not services.rates_own(rating.rater, rating.participant.org)
        assert services.assigned(rating.rater, rating.participant, rating.criterion)
        assert rating.comment
    guidance = ratings.filter(rater__username="guidance")
    assert {r.participant.org.code for r in guidance} == {"E002", "E003", "E004", "E005", "E006", "E007"}
    assert not ratings.filter(rater__username="guidance", participant__org__code=KUNMING_POWER).exists()
    assert set(ratings.filter(rater__username="dept_viewer").values_list("criterion__code", flat=True)) == {"O_SOE"}
    assert set(ratings.filter(rater__username="dept_viewer").values_list("participant__org__ownership", flat=True)) == {
        Ownership.PROVINCIAL
    }


@pytest.mark.django_db
def test_the_score_cards_tell_the_story(round_):
    published = round_.published
    kunming = Participant.objects.get(round=round_, org__code=KUNMING_POWER)

    # Normalisation: the state-owned criterion does not apply to a private enterprise, which is scaled instead.
    private = Participant.objects.filter(round=round_, org__ownership=Ownership.PRIVATE).first()
    soe = CriterionResult.objects.get(computation=published, participant=private, criterion__code="O_SOE")
    assert (soe.applicable, soe.points, soe.detail["text"]) == (False, Decimal(0), "本项不适用于该单位。")
    organisation = {
        p.org.code: next(d for d in queries.score_card(p, published).dimensions if d.dimension.code == "ORGANISATION")
        for p in (private, kunming)
    }
    assert (organisation[private.org.code].full, organisation[KUNMING_POWER].full) == (Decimal(21), Decimal(25))

    # Consensus: the two raters disagreed on two enterprises, and the office calibrated them.
    calibrated = Calibration.objects.filter(participant__round=round_).select_related("participant__org", "criterion")
    assert {(c.participant.org.code, c.criterion.code, c.level) for c in calibrated} == {
        ("E003", "O_PLAN", "fair"), ("E006", "O_PLAN", "average"),
    }  # fmt: skip
    plan = CriterionResult.objects.get(computation=published, participant__org__code="E006", criterion__code="O_PLAN")
    assert plan.detail["text"].startswith("产改办校准为“一般”（经复核：方案已印发")
    assert plan.points == Decimal("3.00")
    assert {r["level"] for r in plan.detail["raters"]} == {"较好", "一般"}

    # The appeal: filed by 昆明供电局's reporter, upheld, the bonus added; the first publication is kept.
    appeal = Appeal.objects.get(participant=kunming)
    assert (appeal.filed_by.username, appeal.status, appeal.criterion.code) == (
        "reporter", AppealStatus.UPHELD, "O_BONUS",
    )  # fmt: skip
    assert appeal.answer.startswith("经核实")
    before = Result.objects.get(computation__round=round_, computation__number=2, participant=kunming)
    after = Result.objects.get(computation=published, participant=kunming)
    assert (before.bonus, after.bonus) == (Decimal("1.50"), Decimal("2.50"))
    assert after.total - before.total == Decimal("1.00")

    # A bonus above its cap counts as the cap.
    bonus = CriterionResult.objects.get(computation=published, participant__org__code="E005", criterion__code="O_BONUS")
    assert bonus.points == Decimal("3.00")
    assert bonus.detail["text"] == "合计 4.50 分，超过上限 3.00 分，按上限计。"

    # Deductions come from the platform: reports submitted late are counted per report.
    late = CriterionResult.objects.filter(computation=published, criterion__code="O_DEDUCTION", points__gt=0)
    assert late.exists()
    assert any(e["item"] == "报表逾期或未报送" for cr in late for e in cr.detail["events"])
    assert Entry.objects.filter(participant__round=round_, criterion__code="O_DEDUCTION", item="OVERDUE").count() == 1

    # Self-assessments cite the enterprise's own 2021 report.
    assert kunming.self_note.startswith("2021年，本单位持证率 ")
    evidence = Evidence.objects.get(participant=kunming)
    assert (evidence.report.org.code, evidence.report.period.code) == (KUNMING_POWER, "2021")
    card = queries.score_card(kunming, published)
    cert = next(c for d in card.dimensions for c in d.criteria if c.criterion.code == "S_CERT_TARGET")
    assert cert.evidence == [evidence]


@pytest.mark.django_db
def test_a_new_year_starts_as_a_draft_copy(round_):
    draft = Framework.objects.get(year=2022)
    assert (draft.number, draft.name, draft.status, draft.copied_from) == (
        1, NEXT_FRAMEWORK_NAME, FrameworkStatus.DRAFT, round_.framework,
    )  # fmt: skip
    criteria = Criterion.objects.filter
    assert sorted(criteria(dimension__framework=draft).values_list("dimension__code", "code", "points")) == sorted(
        criteria(dimension__framework=round_.framework).values_list("dimension__code", "code", "points")
    )
    assert not draft.rounds.exists()


@pytest.mark.django_db
def test_the_2021_reports_are_accepted_a_plausible_year_on(demo):
    due = Report.objects.filter(dataset__code="WF_Y", period__code="2021")
    assert due.count() == Participant.objects.filter(round__name=ROUND_NAME).count()
    assert set(due.values_list("status", flat=True)) <= set(ACCEPTED)

    def total(year: int, element: str, **option) -> Decimal:
        values = DataValue.objects.filter(
            report__dataset__code="WF_Y", report__period__code=str(year), element__code=element, **option
        )
        return values.aggregate(total=Sum("number"))["total"]

    workers = {y: total(y, "WF_WORKERS") for y in (2020, 2021)}
    nonmigrant = {y: total(y, "WF_WORKERS_GROUP", option_combo__key__startswith="NONMIGRANT.") for y in (2020, 2021)}
    certified = {y: total(y, "WF_CERTIFIED") for y in (2020, 2021)}
    assert workers[2020] == 7_307_500  # the speech's year is untouched
    assert Decimal("1.0") < workers[2021] / workers[2020] < Decimal("1.05")
    rate = {y: certified[y] / nonmigrant[y] * 100 for y in (2020, 2021)}
    assert Decimal(0) < rate[2021] - rate[2020] < Decimal(2)


@pytest.mark.django_db
def test_every_published_computation_is_sealed_and_its_seal_holds(demo):
    from core import integrity

    report = integrity.check()
    published = Computation.objects.filter(published_at__isnull=False).count()
    assert report.checked["assessment.computation"] == published >= 2
    assert [p for p in report.problems if p.kind == "assessment.computation"] == []


@pytest.mark.django_db
def test_loading_again_changes_nothing(demo, settings):
    def state():
        audited = AuditEntry.objects.filter(event__startswith="assessment.").count()
        return (
            Framework.objects.count(), Round.objects.count(), Computation.objects.count(), Rating.objects.count(),
            Entry.objects.count(), Appeal.objects.count(), audited,
        )  # fmt: skip

    before = state()
    again = load_demo_assessment(_user("office_admin"))
    assert (again.created, again.warnings) == ([], [])
    assert again.kept == ["previous_framework", "previous_round", "framework", "round", "next_framework"]
    assert state() == before

    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    assert "示例考核：已存在“2021年度产改量化考核”（已锁定，" in out.getvalue()
    assert "上年考核：已存在“2020年度产改量化考核”（已锁定，123 家单位）" in out.getvalue()
    assert state() == before


@pytest.mark.django_db
def test_the_union_officer_opens_its_score_cards(client, settings, round_):
    settings.DEMO_MODE = True  # demo accounts are refused otherwise
    client.force_login(_user("union_admin"))
    kunming = Participant.objects.get(round=round_, org__code=KUNMING_POWER)
    result = Result.objects.get(computation=round_.published, participant=kunming)

    page = client.get(reverse("assessment:score_card", args=[kunming.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("昆明供电局", f"{result.total}", "持证率达到年度目标", "达标率 = 实际值 ", "李文静", "申诉成立"):
        assert shown in text, shown
    other = Participant.objects.get(round=round_, org__code="E005")
    assert client.get(reverse("assessment:score_card", args=[other.pk])).status_code == 404

    mine = client.get(reverse("assessment:my_results"))  # 我的考核结果: its bureaus, with totals and ranks
    assert mine.status_code == 200
    text = mine.content.decode()
    for code in sorted(U01_ENTERPRISES):
        shown = Result.objects.get(computation=round_.published, participant__org__code=code)
        assert shown.participant.org.name in text
        assert f"{shown.total}" in text
    assert "云南铜业股份有限公司" not in text
    # The office's page: outside the office it does not exist (issue 10: one answer for "not yours").
    assert client.get(reverse("assessment:round_ranking", args=[round_.pk])).status_code == 404


# --- The 2020 round: what the 2021 score cards compare with ------------------------------------------------


@pytest.fixture
def previous_round(demo):
    return Round.objects.select_related("framework", "published").get(name=PREVIOUS_ROUND_NAME)


@pytest.mark.django_db
def test_the_2020_round_is_published_locked_and_rated_by_the_office_alone(round_, previous_round):
    framework = previous_round.framework
    assert (framework.year, framework.number, framework.name, framework.status, framework.copied_from) == (
        2020, 1, PREVIOUS_FRAMEWORK_NAME, FrameworkStatus.ISSUED, None,
    )  # fmt: skip
    assert round_.framework.copied_from == framework  # 2021 started as a copy of 2020

    def rules(f):
        return sorted(
            Criterion.objects.filter(dimension__framework=f).values_list(
                "dimension__code", "code", "kind", "points", "indicator__code", "target", "floor", "cap", "full_at",
                "fact", "combine", "ownerships", "industries",
            )
        )  # fmt: skip

    assert rules(framework) == rules(round_.framework)
    reports = {
        f.year: Criterion.objects.get(dimension__framework=f, code="O_REPORTS").description
        for f in (framework, round_.framework)
    }
    assert reports == {
        2020: "以平台记录为准：2020 年度《产业工人队伍基本情况》年报在截止日前提交并通过产改办验收得满分。",
        2021: "以平台记录为准：2021 年度《产业工人队伍基本情况》年报在截止日前提交并通过产改办验收得满分。",
    }

    assert previous_round.status == RoundStatus.LOCKED
    computations = list(previous_round.computations.all())
    assert computations == [previous_round.published]
    published_at = previous_round.published.published_at
    assert (published_at.year, published_at.month) == (2021, 3)  # the story's time, before the 2021 framework
    orgs = set(previous_round.participants.values_list("org__code", flat=True))
    assert orgs == set(round_.participants.values_list("org__code", flat=True))
    results = Result.objects.filter(computation=previous_round.published)
    assert results.count() == len(orgs) == 123
    assert not results.filter(unresolved__gt=0).exists()
    assert sorted(results.values_list("rank", flat=True))[0] == 1

    ratings = Rating.objects.filter(participant__round=previous_round)
    assert set(ratings.values_list("rater__username", flat=True)) == {"office_reviewer"}
    state_owned = previous_round.participants.filter(
        org__ownership__in=(Ownership.CENTRAL, Ownership.PROVINCIAL, Ownership.PREFECTURAL)
    ).count()
    assert ratings.count() == 5 * len(orgs) + state_owned  # every qualitative criterion, O_SOE where it applies
    assert not Appeal.objects.filter(participant__round=previous_round).exists()
    assert not Entry.objects.filter(participant__round=previous_round).exists()
    assert not Calibration.objects.filter(participant__round=previous_round).exists()
    assert not Evidence.objects.filter(participant__round=previous_round).exists()


@pytest.mark.django_db
def test_improvement_in_2020_is_measured_against_the_2019_reports(previous_round):
    kunming = Participant.objects.select_related("org").get(round=previous_round, org__code=KUNMING_POWER)
    growth = CriterionResult.objects.get(
        computation=previous_round.published, participant=kunming, criterion__code="S_CERT_GROWTH"
    )
    province = Scope.province()
    rates = {
        y: subtree_values(province, "indicator:CERT_RATE", str(y), [kunming.org_id])[kunming.org_id]
        for y in (2019, 2020)
    }
    assert growth.applicable
    assert (growth.detail["value"], growth.detail["last"]) == (percent(rates[2020]), percent(rates[2019]))
    assert growth.detail["text"].startswith(f"本年 {percent(rates[2020])}，上年 {percent(rates[2019])}，")
    improvement = CriterionResult.objects.filter(
        computation=previous_round.published, criterion__kind=CriterionKind.INDICATOR_IMPROVEMENT
    )
    assert improvement.count() == 5 * 123
    assert not improvement.filter(applicable=False).exists()  # every enterprise reported in 2019
    reports = CriterionResult.objects.get(
        computation=previous_round.published, participant=kunming, criterion__code="O_REPORTS"
    )
    assert reports.detail["text"] == "2020年度应报年报 1 份，按时报送并通过验收 1 份。"


@pytest.mark.django_db
def test_every_2021_score_card_compares_with_the_same_organisations_2020_result(round_, previous_round):
    before = {
        r.participant.org_id: r
        for r in Result.objects.filter(computation=previous_round.published).select_related("participant")
    }
    for participant in round_.participants.select_related("org", "round__framework"):
        card = queries.score_card(participant, round_.published)
        assert card.previous == before[participant.org_id], participant.org.code
    for participant in previous_round.participants.select_related("org", "round__framework")[:3]:
        assert queries.score_card(participant, previous_round.published).previous is None  # no 2019 round


@pytest.mark.django_db
def test_the_score_card_page_and_workbook_show_last_year_to_this_year(client, settings, round_, previous_round):
    settings.DEMO_MODE = True
    client.force_login(_user("reporter"))  # 昆明供电局's own reporter
    kunming = Participant.objects.get(round=round_, org__code=KUNMING_POWER)
    now = Result.objects.get(computation=round_.published, participant=kunming)
    then = Result.objects.get(computation=previous_round.published, participant__org__code=KUNMING_POWER)
    change = now.total - then.total
    assert change != 0

    page = client.get(reverse("assessment:score_card", args=[kunming.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    previous = re.search(r'id="card-previous">(.*?)</div></div></div>', text, re.S).group(1)
    sign = "+" if change > 0 else ""
    assert f"{then.total} → {now.total}" in previous
    assert f"（{sign}{change}）" in previous
    assert f"较 2020 年度（{then.get_grade_display()}）" in previous
    assert "上年无已公布结果" not in text

    workbook = client.get(reverse("assessment:score_card_xlsx", args=[kunming.pk]))
    assert workbook.status_code == 200
    content = b"".join(workbook.streaming_content) if workbook.streaming else workbook.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [[c for c in row if c not in (None, "")] for row in sheet.iter_rows(values_only=True)]
    assert ["上年度", f"{plain(then.total)} 分，{then.get_grade_display()}"] in rows


@pytest.mark.django_db
def test_my_results_and_the_rankings_show_both_years_alike(client, settings, round_, previous_round):
    settings.DEMO_MODE = True
    client.force_login(_user("union_admin"))  # 云南电网's union: its four supply bureaus, both years
    page = client.get(reverse("assessment:my_results"))
    assert page.status_code == 200
    text = page.content.decode()
    rows = dict(re.findall(r'<tr data-participant="(\d+)">(.*?)</tr>', text, re.S))
    shown = Participant.objects.filter(org__code__in=U01_ENTERPRISES).select_related("round", "org")
    assert {p.round.name for p in shown} == {PREVIOUS_ROUND_NAME, ROUND_NAME}
    assert {str(p.pk) for p in shown} == set(rows)
    for p in shown:
        result = Result.objects.get(computation=p.round.published, participant=p)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[str(p.pk)], re.S)
        assert cells[:4] == [str(p.round.framework.year), p.round.name, p.org.name, str(result.total)]
        assert cells[5] == str(result.rank)
    assert text.index(ROUND_NAME) < text.index(PREVIOUS_ROUND_NAME)  # the latest year first

    # The office's ranking of 2020 holds the same total as the 2021 card's "上年".
    client.force_login(_user("office_admin"))
    ranking = client.get(reverse("assessment:round_ranking", args=[previous_round.pk]))
    assert ranking.status_code == 200
    then = Result.objects.get(computation=previous_round.published, participant__org__code=KUNMING_POWER)
    row = re.search(rf'<tr data-org="{KUNMING_POWER}">(.*?)</tr>', ranking.content.decode(), re.S).group(1)
    assert then.participant.org.name in row
    assert re.search(r"<td[^>]*data-total>(.*?)</td>", row).group(1) == str(then.total)
    kunming = Participant.objects.get(round=round_, org__code=KUNMING_POWER)
    assert queries.score_card(kunming, round_.published).previous.total == then.total
