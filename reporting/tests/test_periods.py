import datetime as dt

import pytest

from core.errors import UserError
from reporting import periods
from reporting.choices import PeriodType
from reporting.models import Period


@pytest.mark.parametrize(
    ("code", "period_type", "start", "end", "label"),
    [
        ("2021", PeriodType.YEAR, dt.date(2021, 1, 1), dt.date(2021, 12, 31), "2021年度"),
        ("2021H1", PeriodType.HALF_YEAR, dt.date(2021, 1, 1), dt.date(2021, 6, 30), "2021年上半年"),
        ("2021H2", PeriodType.HALF_YEAR, dt.date(2021, 7, 1), dt.date(2021, 12, 31), "2021年下半年"),
        ("2021Q2", PeriodType.QUARTER, dt.date(2021, 4, 1), dt.date(2021, 6, 30), "2021年第二季度"),
        ("2021q4", PeriodType.QUARTER, dt.date(2021, 10, 1), dt.date(2021, 12, 31), "2021年第四季度"),
        ("202103", PeriodType.MONTH, dt.date(2021, 3, 1), dt.date(2021, 3, 31), "2021年3月"),
        ("202402", PeriodType.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024年2月"),
    ],
)
def test_codes(code, period_type, start, end, label):
    spec = periods.parse_code(code)

    assert (spec.period_type, spec.start, spec.end, spec.label) == (period_type, start, end, label)
    assert spec.code == code.upper()


@pytest.mark.parametrize("code", ["", "21", "2021Q5", "2021H3", "202113", "202100", "2021-03", "Q2 2021", "0999"])
def test_bad_codes(code):
    with pytest.raises(UserError) as error:
        periods.parse_code(code)

    assert error.value.message == f"“{code}”不是有效的报告期代码，应为 2021、2021H1、2021Q2 或 202103 这样的形式。"


def test_roll_up_a_year_into_quarters_and_months():
    year = periods.parse_code("2021")

    assert [q.code for q in periods.children_specs(year, PeriodType.QUARTER)] == [
        "2021Q1",
        "2021Q2",
        "2021Q3",
        "2021Q4",
    ]
    assert len(periods.children_specs(year, PeriodType.MONTH)) == 12
    assert [m.code for m in periods.children_specs(periods.parse_code("2021H2"), PeriodType.QUARTER)] == [
        "2021Q3",
        "2021Q4",
    ]


def test_cannot_split_into_longer_periods():
    with pytest.raises(UserError):
        periods.children_specs(periods.parse_code("2021Q1"), PeriodType.YEAR)


@pytest.mark.parametrize(
    ("code", "previous", "last_year"),
    [
        ("2021", "2020", "2020"),
        ("2021Q1", "2020Q4", "2020Q1"),
        ("2021H1", "2020H2", "2020H1"),
        ("202101", "202012", "202001"),
    ],
)
def test_previous_and_same_period_last_year(code, previous, last_year):
    spec = periods.parse_code(code)

    assert periods.previous_spec(spec).code == previous
    assert periods.same_period_last_year(spec).code == last_year


def test_containing():
    assert periods.spec_containing(PeriodType.QUARTER, dt.date(2021, 8, 15)).code == "2021Q3"


@pytest.mark.django_db
def test_period_from_code_creates_once():
    first = periods.period_from_code("2021Q2")
    again = periods.period_from_code("2021q2")

    assert first.pk == again.pk
    assert Period.objects.count() == 1
    assert str(first) == "2021年第二季度"
    assert periods.period_containing(PeriodType.YEAR, dt.date(2021, 5, 1)).code == "2021"


@pytest.mark.parametrize(
    ("code", "english"), [("2021", "2021"), ("2021H2", "H2 2021"), ("2021Q2", "Q2 2021"), ("202103", "2021-03")]
)
def test_period_labels_follow_the_language(code, english):
    from django.utils import translation

    from reporting.periods import parse_code

    with translation.override("en"):
        assert parse_code(code).label == english
    with translation.override("zh-hans"):
        assert parse_code(code).label in {"2021年度", "2021年下半年", "2021年第二季度", "2021年3月"}
