"""Eligibility rules as data (policies/rules.py): every operator against hand-made facts, missing figures as
无数据, and the checks a rule passes before it is saved."""

from decimal import Decimal

import pytest

from core.errors import UserError
from policies.choices import Eligibility
from policies.rules import check, describe, evaluate

ENTERPRISE = {"kind": "enterprise", "ownership": "provincial", "industry": "D", "region": "530102",
              "workers": Decimal(1000), "certified": Decimal(300), "edu_spent": Decimal(0),
              "self_eval": Decimal(1)}  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "outcome"),
    [
        (("workers", "gte", "1000"), Eligibility.ELIGIBLE),
        (("workers", "gte", "1001"), Eligibility.NOT_ELIGIBLE),
        (("workers", "gt", "999"), Eligibility.ELIGIBLE),
        (("workers", "gt", "1000"), Eligibility.NOT_ELIGIBLE),
        (("workers", "lte", "1000"), Eligibility.ELIGIBLE),
        (("workers", "lte", "999"), Eligibility.NOT_ELIGIBLE),
        (("workers", "lt", "1000"), Eligibility.NOT_ELIGIBLE),
        (("workers", "lt", "1001"), Eligibility.ELIGIBLE),
        (("certified", "eq", "300"), Eligibility.ELIGIBLE),
        (("certified", "eq", "301"), Eligibility.NOT_ELIGIBLE),
        (("certified", "ne", "300"), Eligibility.NOT_ELIGIBLE),
        (("certified", "ne", "0"), Eligibility.ELIGIBLE),
        (("edu_spent", "gt", "0"), Eligibility.NOT_ELIGIBLE),
        (("ownership", "in", "central,provincial"), Eligibility.ELIGIBLE),
        (("ownership", "in", "private"), Eligibility.NOT_ELIGIBLE),
        (("ownership", "not_in", "provincial"), Eligibility.NOT_ELIGIBLE),
        (("industry", "not_in", "B,C"), Eligibility.ELIGIBLE),
        (("region", "in", "530100"), Eligibility.ELIGIBLE),  # a county of Kunming counts for Kunming
        (("region", "in", "530300,530400"), Eligibility.NOT_ELIGIBLE),
        (("self_eval", "eq", "1"), Eligibility.ELIGIBLE),
        (("self_eval", "eq", "0"), Eligibility.NOT_ELIGIBLE),
        (("kind", "in", "unit"), Eligibility.NOT_ELIGIBLE),
    ],
)
def test_each_operator(db, rule, outcome):  # a region is described by its name (read from the database)
    assert evaluate([rule], ENTERPRISE).outcome == outcome


def test_all_rules_must_hold():
    assert evaluate([("workers", "gte", "500"), ("certified", "gte", "100")], ENTERPRISE).eligible
    verdict = evaluate([("workers", "gte", "500"), ("certified", "gte", "400")], ENTERPRISE)
    assert verdict.outcome == Eligibility.NOT_ELIGIBLE
    assert verdict.reasons == ("持有技能等级证书人数 不少于 400 人",)


def test_a_missing_figure_is_no_data_never_eligible():
    facts = {**ENTERPRISE, "workers": None}
    verdict = evaluate([("workers", "gte", "100")], facts)
    assert verdict.outcome == Eligibility.NO_DATA and not verdict.eligible
    assert verdict.reasons == ("职工人数无数据",)
    # A rule that fails outright decides, whatever else is unknown.
    assert (
        evaluate([("workers", "gte", "100"), ("ownership", "in", "private")], facts).outcome == Eligibility.NOT_ELIGIBLE
    )


def test_without_a_kind_rule_a_measure_is_for_enterprises():
    assert evaluate([], ENTERPRISE).eligible
    assert evaluate([], {**ENTERPRISE, "kind": "unit"}).outcome == Eligibility.NOT_ELIGIBLE
    assert evaluate([("kind", "in", "enterprise,unit")], {**ENTERPRISE, "kind": "unit"}).eligible


@pytest.mark.parametrize(
    ("field", "operator", "value", "message"),
    [
        ("payroll", "gte", "1", "条件项“payroll”无效。"),
        ("workers", "in", "1", "“职工人数”不能用“属于”比较；可用：不少于、大于、不超过、小于、等于、不等于。"),
        ("workers", "gte", "一百", "“职工人数”的取值应为不小于 0 的数字，“一百”不是。"),
        ("workers", "gte", "-5", "“职工人数”的取值应为不小于 0 的数字，“-5”不是。"),
        ("workers", "gte", "1e3", "“职工人数”的取值应为不小于 0 的数字，“1e3”不是。"),
        ("ownership", "in", "state", "“所有制”没有这些选项：state。"),
        ("ownership", "in", "", "请为“所有制”选择至少一项。"),
        ("self_eval", "eq", "yes", "“已完成企业自主评价备案”只能选“是”或“否”。"),
    ],
)
def test_bad_rules_are_refused_naming_what_is_wrong(field, operator, value, message):
    with pytest.raises(UserError) as caught:
        check(field, operator, value)
    assert caught.value.message == message


def test_values_are_normalised_and_described():
    assert check("workers", "gte", " 1,000 ") == "1000"
    assert check("ownership", "in", "central，provincial,central") == "central,provincial"
    assert describe("workers", "gte", "300") == "职工人数 不少于 300 人"
    assert describe("ownership", "in", "central,provincial") == "所有制 属于 中央驻滇企业、省属企业"
