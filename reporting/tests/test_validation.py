"""The validation engine on plain data: outcomes, messages with both numbers, missing values, generated rules."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from reporting.choices import Importance, MissingValueStrategy
from reporting.validation import (
    evaluate_rule,
    evaluate_rules,
    expression_problems,
    find_outliers,
    peer_medians,
    sum_rule_code,
    sum_rule_spec,
)


@dataclass
class Rule:
    left: str
    operator: str
    right: str
    importance: str = Importance.ERROR
    message: str = "持证人数不能大于非农民工人数"
    missing_value_strategy: str = MissingValueStrategy.SKIP_IF_ALL_MISSING
    code: str = "R"
    is_active: bool = True


NAMES = {"CERT": "持证人数", "GROUP": "产业工人构成"}


def describe(ref):
    return "·".join([NAMES[ref.element], *ref.options])


def test_failing_error_rule_shows_both_numbers_with_their_names():
    rule = Rule("#{CERT}", "<=", "#{GROUP.NON}")
    outcome = evaluate_rule(rule, {("CERT", ""): Decimal(120), ("GROUP", "NON"): Decimal(100)}, describe)

    assert outcome.passed is False and outcome.is_error and not outcome.is_warning
    assert outcome.message == "持证人数不能大于非农民工人数（持证人数：120；产业工人构成·NON：100）"


def test_compound_sides_are_called_left_and_right():
    rule = Rule("#{CERT}", ">=", "#{GROUP} * 0.5", importance=Importance.WARNING, message="持证比例偏低")
    outcome = evaluate_rule(rule, {("CERT", ""): Decimal(10), ("GROUP", "NON"): Decimal(100)}, describe)

    assert outcome.is_warning
    assert outcome.message == "持证比例偏低（持证人数：10；右侧：50）"


def test_passing_rule_has_no_message():
    outcome = evaluate_rule(Rule("#{CERT}", "<=", "#{GROUP}"), {("CERT", ""): Decimal(1), ("GROUP", "NON"): Decimal(2)})

    assert outcome.passed is True and outcome.message == ""


@pytest.mark.parametrize(
    ("strategy", "values", "passed"),
    [
        (MissingValueStrategy.SKIP_IF_ALL_MISSING, {}, None),
        (MissingValueStrategy.SKIP_IF_ALL_MISSING, {("CERT", ""): Decimal(5)}, False),  # 5 <= 0 fails
        (MissingValueStrategy.SKIP_IF_ANY_MISSING, {("CERT", ""): Decimal(5)}, None),
        (MissingValueStrategy.NEVER_SKIP, {}, True),  # 0 <= 0
    ],
)
def test_missing_value_strategies(strategy, values, passed):
    outcome = evaluate_rule(Rule("#{CERT}", "<=", "#{GROUP}", missing_value_strategy=strategy), values)

    assert outcome.passed is passed


@pytest.mark.parametrize(
    ("operator", "left", "right", "passed"),
    [
        ("==", 1, 1, True),
        ("!=", 1, 1, False),
        ("<", 1, 2, True),
        ("<=", 2, 2, True),
        (">", 1, 2, False),
        (">=", 3, 2, True),
    ],
)
def test_operators(operator, left, right, passed):
    values = {("CERT", ""): Decimal(left), ("GROUP", "X"): Decimal(right)}

    assert evaluate_rule(Rule("#{CERT}", operator, "#{GROUP}"), values).passed is passed


def test_equality_ignores_digits_beyond_storage_precision():
    values = {("CERT", ""): Decimal(1), ("GROUP", "X"): Decimal(3)}

    assert evaluate_rule(Rule("#{CERT}", "==", "#{GROUP} / 9 * 3"), values).passed is True  # 0.99999… rounds to 1
    assert evaluate_rule(Rule("#{CERT}", "==", "#{GROUP} / 3 + 0.0001"), values).passed is False


def test_division_by_zero_skips_the_rule():
    outcome = evaluate_rule(Rule("#{CERT}", "<=", "#{GROUP} / 0"), {("CERT", ""): Decimal(1)})

    assert outcome.passed is None


def test_inactive_rules_are_not_evaluated():
    assert evaluate_rules([Rule("#{CERT}", "<", "0", is_active=False)], {("CERT", ""): Decimal(1)}) == []


def test_expression_problems_name_unknown_elements_and_options():
    known = {"CERT": set(), "GROUP": {"MIG", "NON"}}

    assert expression_problems("#{CERT} + #{GROUP.NON}", known) == []
    assert expression_problems("#{NOPE} + #{GROUP.FOO}", known) == [
        "引用的数据元 NOPE 不在本报表版本中。",
        "数据元 GROUP 没有分类选项 FOO。",
    ]
    assert expression_problems("#{CERT} +", known) == ["表达式不完整：结尾缺少数值或引用。"]


def test_sum_rule_spec():
    spec = sum_rule_spec(
        total_code="WF_WORKERS_GROUP",
        total_key="NONMIGRANT",
        total_label="产业工人构成·非农民工",
        parts_code="WF_EDU_BY_LEVEL",
        parts_label="学历构成",
    )

    assert spec["code"] == "SUM_WF_WORKERS_GROUP_NONMIGRANT_EQ_WF_EDU_BY_LEVEL"
    assert (spec["left"], spec["operator"], spec["right"]) == (
        "#{WF_WORKERS_GROUP.NONMIGRANT}",
        "==",
        "#{WF_EDU_BY_LEVEL}",
    )
    assert spec["message"] == "学历构成各项之和应等于产业工人构成·非农民工"
    assert spec["importance"] == Importance.ERROR and spec["is_generated"]


def test_long_sum_rule_codes_stay_within_100_characters_and_distinct():
    a = sum_rule_code("A" * 60, "", "B" * 60)
    b = sum_rule_code("A" * 60, "", "C" * 60)

    assert len(a) <= 100 and len(b) <= 100 and a != b


# --- Outliers (walk-through finding: 1 → 9000 was saved and submitted with "警告 0 条") -------------------------

CELL = ("WF_WORKERS", "")


def test_a_jump_against_the_previous_period_is_flagged_with_both_values_and_the_change():
    [outlier] = find_outliers(
        {CELL: Decimal(9000)}, labels={CELL: "产业工人总数"}, previous={CELL: Decimal(1)}, ratio=Decimal("0.5")
    )
    assert (outlier.kind, outlier.reference, outlier.current) == ("previous", 1, 9000)
    assert outlier.message == "产业工人总数：上期 1，本期 9000，是上期的 9000 倍，请核对。"
    assert outlier.code == "OUTLIER_PREVIOUS:WF_WORKERS[]"


@pytest.mark.parametrize(
    ("previous", "current", "flagged"),
    [(1000, 1500, False), (1000, 1501, True), (1000, 499, True), (1000, 500, False), (0, 9000, False)],
)
def test_the_change_allowed_is_the_data_sets_ratio(previous, current, flagged):
    found = find_outliers({CELL: Decimal(current)}, labels={}, previous={CELL: Decimal(previous)}, ratio=Decimal("0.5"))
    assert bool(found) is flagged


def test_a_value_far_from_the_peers_median_is_flagged_with_the_median(settings):
    medians = peer_medians([{CELL: Decimal(100)}, {CELL: Decimal(120)}, {CELL: Decimal(90)}])
    assert medians == {CELL: (Decimal(100), 3)}
    [outlier] = find_outliers(
        {CELL: Decimal(9000)}, labels={CELL: "产业工人总数"}, previous={}, ratio=Decimal("0.5"), medians=medians
    )
    assert outlier.message == (
        "产业工人总数：本期 9000，同类单位（同一上级下的 3 家）中位数 100，是中位数的 90 倍，请核对。"
    )
    assert not find_outliers({CELL: Decimal(900)}, labels={}, previous={}, ratio=Decimal("0.5"), medians=medians)
    assert find_outliers({CELL: Decimal(9)}, labels={}, previous={}, ratio=Decimal("0.5"), medians=medians)
    settings.REPORTING_OUTLIER_PEER_FACTOR = 5
    assert find_outliers({CELL: Decimal(900)}, labels={}, previous={}, ratio=Decimal("0.5"), medians=medians)
    settings.REPORTING_OUTLIER_MIN_PEERS = 4
    assert not find_outliers({CELL: Decimal(9000)}, labels={}, previous={}, ratio=Decimal("0.5"), medians=medians)
