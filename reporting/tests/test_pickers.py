"""The period picker: existing periods newest first, grouped by type; a code not in the list is refused."""

from __future__ import annotations

import pytest
from django import forms

from reporting.choices import PeriodType
from reporting.periods import period_from_code
from reporting.pickers import PeriodField, period_choices

pytestmark = pytest.mark.django_db


class PeriodForm(forms.Form):
    period = PeriodField(period_types=(PeriodType.YEAR, PeriodType.QUARTER))

    def __init__(self, *args, include=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].offer(include)


def test_choices_are_grouped_by_type_newest_first_with_labels():
    for code in ("2020", "2026", "2026Q3", "2026Q1", "2026H1", "202603"):
        period_from_code(code)
    assert period_choices(period_types=(PeriodType.YEAR, PeriodType.QUARTER), include=["2027", "bad"]) == [
        ("年度", [("2027", "2027年度"), ("2026", "2026年度"), ("2020", "2020年度")]),
        ("季度", [("2026Q3", "2026年第三季度"), ("2026Q1", "2026年第一季度")]),
    ]
    assert [group for group, _options in period_choices(blank="全部")] == ["", "年度", "半年", "季度", "月度"]


@pytest.mark.parametrize(
    ("typed", "include", "result"),
    [
        ("2026q3", (), "2026Q3"),
        ("2025", ("2025",), "2025"),
        ("2025", (), "“2025”不是已有的报告期，请从列表中选择。"),
        ("2026H1", (), "“2026H1”不是已有的报告期，请从列表中选择。"),  # not a type this field offers
        ("2026Q5", (), "“2026Q5”不是有效的报告期代码，应为 2021、2021H1、2021Q2 或 202103 这样的形式。"),
    ],
)
def test_the_field_takes_only_a_listed_period(typed, include, result):
    for code in ("2026", "2026Q3", "2026H1"):
        period_from_code(code)
    form = PeriodForm({"period": typed}, include=include)
    assert (form.cleaned_data["period"] if form.is_valid() else form.errors["period"][0]) == result
