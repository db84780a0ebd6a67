"""Capacity building's section of the evaluation report (training/evaluation.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import deadlines
from publishing import evaluation
from training.choices import ClassKind, ClassStatus
from training.evaluation import training_section
from training.models import Enrolment
from training.tests.factories import enrol, make_class

pytestmark = pytest.mark.django_db


def test_classes_of_the_period_by_kind_with_people_enrolled_and_trained(tree):
    year = deadlines.today().year  # four years to this one: the classes of the last month are in, even in January
    ctx = evaluation.Context(kind="four_year", year=year, as_of=dt.date(year, 12, 31))
    assert training_section(ctx) is None
    seminar = make_class(tree.office, kind=ClassKind.SEMINAR, status=ClassStatus.FINISHED, days_ahead=-30)
    first, second = enrol(seminar, tree.kunming, "赵一"), enrol(seminar, tree.union_a, "钱二")
    Enrolment.objects.filter(pk=first.pk).update(completed=True)
    business = make_class(tree.office, status=ClassStatus.FINISHED, days_ahead=-20, title="业务班")
    enrol(business, tree.union_b, "孙三")
    make_class(tree.office, status=ClassStatus.CANCELLED, days_ahead=-10, title="取消的班")
    content = training_section(ctx)
    rows = {row[0]: row[1:] for row in content.tables[0].rows}
    assert rows == {"专题学习班": ["1", "2", "1"], "业务培训": ["1", "1", "0"], "合计": ["2", "3", "1"]}
    assert content.paragraphs[0].startswith("评估期内举办产改能力建设培训班 2 期，报名 3 人次，结业 1 人次")
    assert second.completed is False
