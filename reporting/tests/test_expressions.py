from decimal import Decimal

import pytest

from reporting.expressions import BinOp, ExpressionError, Ref, evaluate, parse, references, sum_matching

VALUES = {
    ("TOTAL", ""): Decimal(100),
    ("GROUP", "MIGRANT.MALE"): Decimal(30),
    ("GROUP", "MIGRANT.FEMALE"): Decimal(10),
    ("GROUP", "NONMIGRANT.MALE"): Decimal(40),
    ("GROUP", "NONMIGRANT.FEMALE"): Decimal(20),
}


def run(text):
    return evaluate(parse(text), lambda ref: sum_matching(VALUES, ref))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("#{TOTAL}", Decimal(100)),
        ("#{GROUP}", Decimal(100)),  # no option: the whole disaggregation
        ("#{GROUP.MIGRANT}", Decimal(40)),  # one option of two categories: summed over the other
        ("#{GROUP.FEMALE}", Decimal(30)),
        ("#{GROUP.NONMIGRANT.FEMALE}", Decimal(20)),
        ("#{GROUP.FEMALE.NONMIGRANT}", Decimal(20)),  # order of options does not matter
        ("#{TOTAL} * 0.015", Decimal("1.500")),
        ("#{TOTAL} - #{GROUP.MIGRANT} * 2", Decimal(20)),
        ("(#{TOTAL} - #{GROUP.MIGRANT}) * 2", Decimal(120)),
        ("-#{TOTAL} + 1", Decimal(-99)),
        ("#{TOTAL} / 3", Decimal(100) / Decimal(3)),
        ("#{MISSING} + 1", Decimal(1)),  # a missing value counts as 0 inside arithmetic
        ("  7  ", Decimal(7)),
    ],
)
def test_evaluate(text, value):
    assert run(text) == value


def test_division_by_zero_cannot_be_judged():
    assert run("#{TOTAL} / (#{GROUP.MIGRANT} - 40)") is None


def test_sum_matching_is_none_when_nothing_is_filled():
    assert sum_matching(VALUES, Ref("GROUP", ("UNKNOWN",))) is None
    assert sum_matching({}, Ref("TOTAL")) is None


def test_references_in_order():
    refs = references(parse("#{A} + #{B.X} * (#{C} - 1)"))

    assert [str(r) for r in refs] == ["#{A}", "#{B.X}", "#{C}"]
    assert refs[1].key == "X"


def test_precedence_builds_the_expected_tree():
    tree = parse("1 + 2 * 3")

    assert isinstance(tree, BinOp) and tree.op == "+"
    assert run("1 + 2 * 3") == Decimal(7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "表达式为空。"),
        ("#{A} +", "表达式不完整：结尾缺少数值或引用。"),
        ("(#{A} + 1", "表达式第 1 个字符处的括号没有闭合。"),
        ("#{A} 1", "表达式第 6 个字符处多余：“1”。"),
        ("* 2", "表达式第 1 个字符处应为数值或引用，而不是“*”。"),
        ("__import__('os').system('x')", "表达式第 1 个字符附近无法识别：“__import__('”。"),
        ("#{a}", "表达式第 1 个字符附近无法识别：“#{a}”。"),
        ("#{A} ** 2", "表达式第 7 个字符处应为数值或引用，而不是“*”。"),
        ("1e3", "表达式第 2 个字符附近无法识别：“e3”。"),
        ("#{A} % 2", "表达式第 6 个字符附近无法识别：“% 2”。"),
        ("x" * 1001, "表达式过长（最多 1000 个字符）。"),
    ],
)
def test_bad_expressions_are_refused_never_evaluated(text, message):
    with pytest.raises(ExpressionError) as error:
        parse(text)

    assert error.value.message == message


def test_value_sums_answer_as_sum_matching_for_every_reference_asked_again_and_again():
    from reporting.expressions import ValueSums

    sums = ValueSums(VALUES)
    refs = [
        Ref("TOTAL"),
        Ref("GROUP"),
        Ref("GROUP", ("MIGRANT",)),
        Ref("GROUP", ("FEMALE", "NONMIGRANT")),
        Ref("GROUP", ("UNKNOWN",)),
        Ref("MISSING"),
    ]
    expected = [Decimal(100), Decimal(100), Decimal(40), Decimal(20), None, None]
    for _ in range(2):  # the second round answers from what the first computed
        assert [sums(ref) for ref in refs] == expected
    assert ValueSums({})(Ref("TOTAL")) is None
