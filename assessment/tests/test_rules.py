"""The scoring rules: worked values and properties (monotone, bounded, caps and floors hold)."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment import rules
from assessment.choices import GRADE_ORDER, Grade
from assessment.rules import Event, Level, Rated

values = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
points = st.decimals(min_value=0, max_value=50, places=1, allow_nan=False, allow_infinity=False)
shares = st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False)

LINEAR = {"curve": "linear", "floor": D("0.6"), "cap": D(1), "bands": ()}
BANDS = {
    "curve": "bands",
    "floor": D(0),
    "cap": D(1),
    "bands": ((D("0.5"), D("0.4")), (D("0.8"), D("0.7")), (D(1), D(1))),
}


def target_points(value, target=D(20), higher=True, pts=D(10), curve=LINEAR):
    return rules.score_target(points=pts, value=value, target=target, higher_is_better=higher, **curve).points


def test_target_linear_between_floor_and_cap():
    # 16 of 20 is 80% attainment: halfway from the 60% floor to the 100% cap → 5 of 10 points.
    scored = rules.score_target(points=D(10), value=D(16), target=D(20), higher_is_better=True, **LINEAR)
    assert scored.points == D("5.00")
    assert "80.00%" in scored.detail["text"]
    assert target_points(D(12)) == D("0.00")  # at the floor
    assert target_points(D(25)) == D("10.00")  # above the cap: capped


def test_target_lower_is_better_divides_the_other_way():
    # Target 5, actual 6.25: attainment 5 ÷ 6.25 = 80% → 5 of 10.
    assert target_points(D("6.25"), target=D(5), higher=False) == D("5.00")
    assert target_points(D(0), target=D(5), higher=False) == D("10.00")


def test_target_bands_take_the_highest_band_reached():
    assert target_points(D(9), curve=BANDS) == D("0.00")  # 45%
    assert target_points(D(10), curve=BANDS) == D("4.00")  # 50%
    assert target_points(D(17), curve=BANDS) == D("7.00")  # 85%
    assert target_points(D(20), curve=BANDS) == D("10.00")


def test_missing_target_is_unresolved_and_missing_value_scores_zero():
    no_target = rules.score_target(points=D(10), value=D(5), target=None, higher_is_better=True, **LINEAR)
    assert no_target.unresolved and no_target.points == 0
    assert no_target.detail["text"] == "未设置目标值，需产改办补充后重新计算。"
    no_value = rules.score_target(points=D(10), value=None, target=D(5), higher_is_better=True, **LINEAR)
    assert not no_value.unresolved and no_value.points == 0
    assert no_value.detail["text"] == "本年度没有已验收的数据，不得分。"


@settings(max_examples=200)
@given(a=values, b=values, target=st.decimals(min_value="0.01", max_value=500, places=2), pts=points,
       higher=st.booleans(), banded=st.booleans())  # fmt: skip
def test_target_is_monotone_and_bounded(a, b, target, pts, higher, banded):
    worse, better = (min(a, b), max(a, b)) if higher else (max(a, b), min(a, b))
    curve = BANDS if banded else LINEAR
    low = target_points(worse, target, higher, pts, curve)
    high = target_points(better, target, higher, pts, curve)
    assert D(0) <= low <= high <= pts


def test_percentile_counts_ties_as_half():
    peers = [D(1), D(2), D(2), D(3)]
    assert rules.percentile(D(3), peers, higher_is_better=True) == D(1)
    assert rules.percentile(D(1), peers, higher_is_better=True) == D(0)
    # 2 beats 1 and ties the other 2: (1 + 0.5) / 3
    assert rules.percentile(D(2), peers, higher_is_better=True) == D("1.5") / 3
    assert rules.percentile(D(5), [D(5)], higher_is_better=True) == D(1)


@settings(max_examples=200)
@given(others=st.lists(values, min_size=0, max_size=12), a=values, b=values, pts=points, higher=st.booleans())
def test_rank_is_monotone_and_bounded(others, a, b, pts, higher):
    worse, better = (min(a, b), max(a, b)) if higher else (max(a, b), min(a, b))

    def got(v):
        return rules.score_rank(
            points=pts, value=v, peers=[*others, v], higher_is_better=higher, curve="linear", floor=D(0), cap=D(1),
            bands=(),
        ).points  # fmt: skip

    assert D(0) <= got(worse) <= got(better) <= pts


def test_improvement_in_points_for_rates_and_percent_for_amounts():
    rate = rules.score_improvement(points=D(6), value=D("15.5"), last=D("14.0"), full_at=D(2), is_rate=True,
                                   higher_is_better=True)  # fmt: skip
    assert rate.points == D("4.50")  # 1.5 of 2 percentage points
    amount = rules.score_improvement(points=D(6), value=D(110), last=D(100), full_at=D(20), is_rate=False,
                                     higher_is_better=True)  # fmt: skip
    assert amount.points == D("3.00")  # 10% of the 20% for full points
    decline = rules.score_improvement(points=D(6), value=D(90), last=D(100), full_at=D(20), is_rate=False,
                                      higher_is_better=True)  # fmt: skip
    assert decline.points == D("0.00")
    first_year = rules.score_improvement(points=D(6), value=D(90), last=None, full_at=D(20), is_rate=False,
                                         higher_is_better=True)  # fmt: skip
    assert not first_year.applicable
    assert first_year.detail["text"] == "上年没有已验收的数据，本项不适用。"


@settings(max_examples=200)
@given(a=values, b=values, last=values, pts=points, rate=st.booleans(), higher=st.booleans())
def test_improvement_is_monotone_and_bounded(a, b, last, pts, rate, higher):
    worse, better = (min(a, b), max(a, b)) if higher else (max(a, b), min(a, b))

    def got(v):
        return rules.score_improvement(points=pts, value=v, last=last, full_at=D(5), is_rate=rate,
                                       higher_is_better=higher).points  # fmt: skip

    assert D(0) <= got(worse) <= got(better) <= pts


RUBRIC = [Level("A", "好", D(1)), Level("B", "较好", D("0.8")), Level("C", "一般", D("0.6")), Level("D", "差", D(0))]


def test_combine_rules():
    assert rules.combine([D(1), D("0.8")], "mean") == D("0.9")
    # trimmed mean drops one highest and one lowest: (0.8 + 0.6) / 2
    assert rules.combine([D(1), D("0.8"), D("0.6"), D(0)], "trimmed_mean") == D("0.7")
    assert rules.combine([D(1), D("0.8")], "trimmed_mean") == D("0.9")  # fewer than three: plain mean
    assert rules.combine([D("0.8"), D("0.8")], "consensus") == D("0.8")
    assert rules.combine([D("0.8"), D(1)], "consensus") is None
    assert rules.combine([], "mean") is None


def test_qualitative_disagreement_under_consensus_waits_for_calibration():
    ratings = [Rated("张三", "A"), Rated("李四", "B")]
    open_ = rules.score_qualitative(points=D(5), levels=RUBRIC, ratings=ratings, rule="consensus")
    assert open_.unresolved and open_.points == 0
    assert open_.detail["text"] == "评分人意见不一致，待产改办校准。"
    calibrated = rules.score_qualitative(points=D(5), levels=RUBRIC, ratings=ratings, rule="consensus",
                                         calibrated=("B", "以现场检查为准"))  # fmt: skip
    assert calibrated.points == D("4.00") and not calibrated.unresolved
    assert [r["rater"] for r in calibrated.detail["raters"]] == ["张三", "李四"]


@settings(max_examples=200)
@given(levels=st.lists(st.sampled_from("ABCD"), min_size=1, max_size=5), which=st.integers(0, 4),
       rule=st.sampled_from(["mean", "trimmed_mean"]))  # fmt: skip
def test_a_better_level_never_lowers_the_score(levels, which, rule):
    which %= len(levels)
    better = list(levels)
    better[which] = "ABCD"[max(0, "ABCD".index(levels[which]) - 1)]

    def got(codes):
        ratings = [Rated(str(i), c) for i, c in enumerate(codes)]
        return rules.score_qualitative(points=D(8), levels=RUBRIC, ratings=ratings,
                                       rule=rule).points  # fmt: skip

    assert D(0) <= got(levels) <= got(better) <= D(8)


@settings(max_examples=200)
@given(pts=st.lists(st.decimals(min_value="0.5", max_value=10, places=1), max_size=8), cap=points)
def test_bonus_and_deduction_never_pass_their_cap(pts, cap):
    events = [Event(f"E{i}", "事项", p) for i, p in enumerate(pts)]
    scored = rules.score_capped_sum(cap=cap, events=events, deduction=False)
    assert scored.points == rules.q2(min(cap, sum(pts, D(0))))
    assert D(0) <= scored.points <= cap


def test_grades_by_thresholds_and_veto_cap():
    thresholds = {Grade.EXCELLENT: D(90), Grade.GOOD: D(80), Grade.PASS: D(60)}
    assert rules.grade_by_thresholds(D(90), thresholds, GRADE_ORDER) == Grade.EXCELLENT
    assert rules.grade_by_thresholds(D("89.99"), thresholds, GRADE_ORDER) == Grade.GOOD
    assert rules.grade_by_thresholds(D("59.99"), thresholds, GRADE_ORDER) == Grade.FAIL
    assert rules.cap_grade(Grade.EXCELLENT, Grade.PASS, GRADE_ORDER) == Grade.PASS
    assert rules.cap_grade(Grade.FAIL, Grade.PASS, GRADE_ORDER) == Grade.FAIL


def test_quotas_share_a_grade_on_ties():
    totals = [("a", D(95)), ("b", D(90)), ("c", D(90)), ("d", D(70)), ("e", D(50))]
    # 20% of 5 = 1 excellent, but nobody ties with a; 40% = 2 good: b and c; d passes; e is under 60.
    grades = rules.grades_by_quotas(totals, {Grade.EXCELLENT: D(20), Grade.GOOD: D(40)}, D(60), GRADE_ORDER)
    assert grades == {"a": Grade.EXCELLENT, "b": Grade.GOOD, "c": Grade.GOOD, "d": Grade.PASS, "e": Grade.FAIL}
    # 40% excellent = 2 places, and c ties with b: three excellent.
    grades = rules.grades_by_quotas(totals, {Grade.EXCELLENT: D(40), Grade.GOOD: D(0)}, D(60), GRADE_ORDER)
    assert [grades[k] for k in "abc"] == [Grade.EXCELLENT] * 3


def test_competition_ranks():
    assert rules.competition_ranks([("a", D(9)), ("b", D(8)), ("c", D(8)), ("d", D(7))]) == {
        "a": 1, "b": 2, "c": 2, "d": 4
    }  # fmt: skip


@pytest.mark.parametrize(("x", "expected"), [(D("0.6"), D(0)), (D("0.8"), D("0.5")), (D(1), D(1)), (D(2), D(1))])
def test_linear(x, expected):
    assert rules.linear(x, D("0.6"), D(1)) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=20, places=0), min_size=1, max_size=30), st.booleans())
def test_percentile_over_sorted_peers_equals_counting(peers, higher):
    # Scoring hands over its peers sorted once (rules.SortedPeers) and percentile bisects them (bench/assessment.py).
    for value in set(peers):
        counted = rules.percentile(value, peers, higher_is_better=higher)
        assert rules.percentile(value, rules.SortedPeers(sorted(peers)), higher_is_better=higher) == counted


def test_every_step_of_the_arithmetic_is_written_out():
    target = rules.score_target(points=D(10), value=D(16), target=D(20), higher_is_better=True, **LINEAR)
    assert target.detail["text"] == (
        "达标率 = 实际值 16.00 ÷ 目标值 20.00 = 80.00%；得分比例 = (80.00% − 60%) ÷ (100% − 60%) = 50.00%；"
        "得分 = 10.00 × 50.00% = 5.00"
    )
    banded = rules.score_target(points=D(10), value=D(17), target=D(20), higher_is_better=True, **BANDS)
    assert "达到“≥80%”一档，得分比例 70%" in banded.detail["text"]
    grown = rules.score_improvement(points=D(4), value=D(2935), last=D(2740), full_at=D(20), is_rate=False,
                                    higher_is_better=True)  # fmt: skip
    assert grown.detail["text"] == (
        "本年 2935.00，上年 2740.00，提升 7.12%；得分比例 = 7.12% ÷ 20% = 35.60%；得分 = 4.00 × 35.60% = 1.42"
    )


# --- The printed arithmetic is the arithmetic done (ROUNDING_TEXT) ----------------------------------------------

NUMBER = r"(-?\d+(?:\.\d+)?)"


def _card_numbers(text: str) -> dict[str, D]:
    """The numbers of a target criterion's explanation, as printed."""
    import re

    found = re.search(
        rf"实际值 {NUMBER}%? ÷ 目标值 {NUMBER}%? = {NUMBER}%；得分比例 = \({NUMBER}% − {NUMBER}%\) ÷ "
        rf"\({NUMBER}% − {NUMBER}%\) = {NUMBER}%；得分 = {NUMBER} × {NUMBER}% = {NUMBER}$",
        text,
    )
    assert found, text
    keys = ("value", "target", "att", "x", "floor", "cap", "floor2", "share", "points", "share2", "got")
    return {k: D(v) for k, v in zip(keys, found.groups(), strict=True)}


def test_the_reported_formula_recomputes_by_hand():
    """A user's walk-through: 19.4646% of a 20% target printed as "(97% − 80%) ÷ (100% − 80%) = 87.32%",
    which no calculator gives. The value is scored as shown (19.46%) and every step uses the printed numbers."""
    from assessment.choices import CriterionKind
    from assessment.scoring import CriterionSpec, OrgInputs, score_criterion

    spec = CriterionSpec(1, "CERT", "持证率达标", 1, CriterionKind.INDICATOR_TARGET, D(10), indicator="CERT",
                         is_rate=True, unit="%", decimals=2, target=D(20), floor=D("0.8"), cap=D(1))  # fmt: skip
    org = OrgInputs(participant_id=1, org_id=1, code="O", name="单位", values={"CERT": D("19.4646")})
    scored = score_criterion(spec, org, {})
    assert scored.detail["text"] == (
        "达标率 = 实际值 19.46% ÷ 目标值 20.00% = 97.30%；得分比例 = (97.30% − 80%) ÷ (100% − 80%) = 86.50%；"
        "得分 = 10.00 × 86.50% = 8.65"
    )
    assert scored.points == D("8.65")


@settings(max_examples=300, deadline=None)
@given(
    value=st.decimals(min_value="0.0001", max_value=100, places=4),
    target=st.decimals(min_value=1, max_value=60, places=3),
    floor=st.decimals(min_value=0, max_value="0.95", places=3),
    pts=points,
    decimals=st.integers(0, 3),
)
def test_every_printed_step_recomputes_with_a_calculator(value, target, floor, pts, decimals):
    from assessment.choices import CriterionKind
    from assessment.scoring import CriterionSpec, OrgInputs, score_criterion

    spec = CriterionSpec(1, "C", "达标", 1, CriterionKind.INDICATOR_TARGET, pts, indicator="I", is_rate=True,
                         unit="%", decimals=decimals, target=target, floor=floor, cap=D(1))  # fmt: skip
    org = OrgInputs(participant_id=1, org_id=1, code="O", name="单位", values={"I": value})
    scored = score_criterion(spec, org, {})
    if "得分比例 = (" not in scored.detail["text"]:
        return  # at or beyond a line: no division printed
    n = _card_numbers(scored.detail["text"])
    assert rules.q2(n["value"] / n["target"] * 100) == n["att"] == n["x"]
    assert rules.q2((n["x"] - n["floor"]) / (n["cap"] - n["floor"]) * 100) == n["share"] == n["share2"]
    assert rules.q2(n["points"] * n["share"] / 100) == n["got"] == scored.points


# --- No unbounded ratio: a zero target, an actual 0, growth from 0 ---------------------------------------------


def test_a_zero_target_is_not_scored_and_nothing_is_infinite():
    zero = rules.score_target(points=D(10), value=D(0), target=D(0), higher_is_better=True, **LINEAR)
    assert zero.unresolved and zero.points == 0
    assert zero.detail["text"] == (
        "目标值为 0.00，达标率（实际值 ÷ 目标值）无法计算；需产改办设置大于 0 的目标值后重新计算。"
    )
    none_is_best = rules.score_target(points=D(10), value=D(0), target=D(2), higher_is_better=False, **LINEAR)
    assert none_is_best.points == D("10.00") and not none_is_best.unresolved
    assert none_is_best.detail["measure"] == "100.00%"
    from_nothing = rules.score_improvement(points=D(6), value=D(3), last=D(0), full_at=D(20), is_rate=False,
                                           higher_is_better=True)  # fmt: skip
    still_nothing = rules.score_improvement(points=D(6), value=D(0), last=D(0), full_at=D(20), is_rate=False,
                                            higher_is_better=True)  # fmt: skip
    assert (from_nothing.points, still_nothing.points) == (D("6.00"), D("0.00"))
    for scored in (zero, none_is_best, from_nothing, still_nothing):
        assert "∞" not in str(scored.detail) and "Infinity" not in str(scored.detail)


# --- A ratio that is not a percentage improves in its own unit --------------------------------------------------


def test_training_hours_per_worker_improve_in_hours_not_percentage_points():
    from assessment.choices import CriterionKind
    from assessment.scoring import CriterionSpec, OrgInputs, score_criterion

    spec = CriterionSpec(1, "HOURS", "人均培训学时提升", 1, CriterionKind.INDICATOR_IMPROVEMENT, D(6),
                         indicator="TRAINING_HOURS_PER_WORKER", is_rate=True, unit="学时", decimals=1,
                         full_at=D(4))  # fmt: skip
    org = OrgInputs(
        participant_id=1,
        org_id=1,
        code="O",
        name="单位",
        values={"TRAINING_HOURS_PER_WORKER": D("34.04")},
        last={"TRAINING_HOURS_PER_WORKER": D("32.0")},
    )
    scored = score_criterion(spec, org, {})
    assert "个百分点" not in str(scored.detail)
    assert scored.detail["rule"] == "较上年提升 0 及以下得0分，提升 4学时及以上得满分，之间按比例"
    assert scored.detail["text"] == (
        "本年 34.0学时，上年 32.0学时，提升 2.00学时；得分比例 = 2.00学时 ÷ 4学时 = 50.00%；得分 = 6.00 × 50.00% = 3.00"
    )
    assert scored.detail["measure"] == "2.00学时"
