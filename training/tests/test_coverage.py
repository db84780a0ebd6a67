"""培训覆盖率 against a hand-made fixture: numerator, denominator, the never-trained list, 无数据; and the same
figures through the facts (assessment) and the sources (analytics)."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics import sources as analytics_sources
from assessment.facts import FACTS
from core.actor import Actor
from orgs.choices import OrgKind, Role
from orgs.tests.factories import make_org
from training import services
from training.choices import ClassStatus
from training.queries.coverage import coverage
from training.templatetags.training_tags import rate
from training.tests.factories import enrol, make_class

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2021(tree):
    """Expected (default): 昆明 (prefecture), 云南电网 and 中国铜业 (unions), plus 曲靖 added here = 4.

    Completions in 2021: 云南电网 (two people, two classes), 昆明 (one). 中国铜业 enrolled but was absent;
    曲靖 never enrolled. A 2020 completion of 中国铜业 does not count for 2021; a cancelled class does not count.
    """
    qujing = make_org(tree.prefectures, "曲靖市总工会", OrgKind.PREFECTURE, code="530300")
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    seminar = make_class(
        tree.office, status=ClassStatus.FINISHED, starts_on=dt.date(2021, 5, 10), ends_on=dt.date(2021, 5, 12),
        enrol_deadline=dt.date(2021, 5, 1), title="2021年专题学习班",
    )  # fmt: skip
    business = make_class(
        tree.office, status=ClassStatus.FINISHED, starts_on=dt.date(2021, 9, 1), ends_on=dt.date(2021, 9, 2),
        enrol_deadline=dt.date(2021, 8, 20), title="2021年业务培训",
    )  # fmt: skip
    old = make_class(
        tree.office, status=ClassStatus.FINISHED, starts_on=dt.date(2020, 6, 1), ends_on=dt.date(2020, 6, 2),
        enrol_deadline=dt.date(2020, 5, 20), title="2020年学习班",
    )  # fmt: skip
    a1 = enrol(seminar, tree.union_a, "甲")
    a2 = enrol(business, tree.union_a, "乙")
    k1 = enrol(seminar, tree.kunming, "丙")
    b1 = enrol(seminar, tree.union_b, "丁")
    b_old = enrol(old, tree.union_b, "戊")
    e1 = enrol(business, tree.ent_a1, "己")  # an enterprise: not in the default denominator
    services.attendance_record(by=office, klass=seminar, marks={b1.pk: "absent"})
    services.completion_record(by=office, klass=seminar, completed={a1.pk: True, k1.pk: True, b1.pk: False})
    services.completion_record(by=office, klass=business, completed={a2.pk: True, e1.pk: True})
    services.completion_record(by=office, klass=old, completed={b_old.pk: True})
    cancelled = make_class(
        tree.office, status=ClassStatus.FINISHED, starts_on=dt.date(2021, 10, 1), ends_on=dt.date(2021, 10, 1),
        enrol_deadline=dt.date(2021, 9, 20), title="取消的班",
    )  # fmt: skip
    q1 = enrol(cancelled, qujing, "庚")
    services.completion_record(by=office, klass=cancelled, completed={q1.pk: True})
    cancelled.status = ClassStatus.CANCELLED
    cancelled.save(update_fields=["status"])
    return {"seminar": seminar, "business": business, "qujing": qujing, "office": office.user}


def test_default_coverage_counts_prefectures_and_unions(tree, year_2021):
    result = coverage(year_2021["office"], year=2021)
    assert (result.total.trained, result.total.expected) == (2, 4)
    assert result.total.rate == Decimal("0.5")
    by_kind = {line.code: (line.trained, line.expected) for line in result.by_kind}
    assert by_kind == {OrgKind.PREFECTURE: (1, 2), OrgKind.UNION: (1, 2)}
    assert [line.org.name for line in result.never_trained] == ["曲靖市总工会", "中国铜业"]
    people = {line.org.name: line.people for line in result.orgs}
    assert people == {"昆明市总工会": 1, "曲靖市总工会": 0, "云南电网": 2, "中国铜业": 0}


def test_coverage_of_one_class_audience_and_2020(tree, year_2021):
    office = year_2021["office"]
    seminar = year_2021["seminar"]
    result = coverage(office, year=2021, audience=f"class:{seminar.pk}")
    # The seminar's audience: unions, enterprises and prefectures (the factory's default kinds).
    assert result.total.expected == 2 + 2 + 3  # 2 prefectures, 2 unions, 3 enterprises (E-A1, E-A2, E-B1)
    assert result.total.trained == 2  # 云南电网 and 昆明 completed the seminar; 昆明供电局 completed another class
    earlier = coverage(office, year=2020)
    assert (earlier.total.trained, earlier.total.expected) == (1, 4)
    assert [line.org.name for line in earlier.orgs if line.trained] == ["中国铜业"]


def test_no_audience_is_no_data_never_zero(tree, year_2021):
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    result = coverage(union_admin, year=2021, audience="prefecture")  # no prefecture in his scope
    assert result.total.expected == 0 and result.total.rate is None
    assert rate(result.total.rate) == "无数据"
    assert rate(Decimal(0)) == "0.0%"
    own = coverage(union_admin, year=2021)
    assert (own.total.trained, own.total.expected) == (1, 1)  # only his union is in his scope


def test_an_unknown_audience_falls_back_to_the_default(tree, year_2021):
    result = coverage(year_2021["office"], year=2021, audience="class:abc")
    assert result.audience == "default" and result.total.expected == 4


def test_facts_say_who_trained_in_the_year(tree, year_2021):
    orgs = [(o.pk, o.path) for o in (tree.union_a, tree.union_b, tree.kunming, tree.province)]
    trained = FACTS["training_trained"].provider(2021, orgs)
    assert trained[tree.union_a.pk].share == 1 and "3 人次" in trained[tree.union_a.pk].text  # its enterprise too
    assert trained[tree.union_b.pk].share == 0
    people = FACTS["training_people"].provider(2021, orgs)
    assert people[tree.province.pk].count == 4 and people[tree.kunming.pk].count == 1
    assert FACTS["training_people"].counted


def test_sources_give_the_indicator_its_figures(tree, year_2021):
    start, end = dt.date(2021, 1, 1), dt.date(2021, 12, 31)
    src = {key: analytics_sources.get(key) for key in (
        "TRAINED_EXPECTED", "TRAINING_EXPECTED", "TRAINED_ORGS", "TRAINED_PEOPLE",
    )}  # fmt: skip
    expected = {org for org, _day, _n in src["TRAINING_EXPECTED"].fn(start, end)}
    assert expected == {tree.kunming.pk, tree.union_a.pk, tree.union_b.pk, year_2021["qujing"].pk}
    trained = {org: n for org, _day, n in src["TRAINED_EXPECTED"].fn(start, end)}
    assert trained == {tree.union_a.pk: 1, tree.kunming.pk: 1}  # 云南电网 once, though two people
    assert {org for org, _d, _n in src["TRAINED_ORGS"].fn(start, end)} == {
        tree.union_a.pk,
        tree.kunming.pk,
        tree.ent_a1.pk,
    }
    people = {}
    for org, _day, n in src["TRAINED_PEOPLE"].fn(start, end):
        people[org] = people.get(org, 0) + n
    assert people == {tree.union_a.pk: 2, tree.kunming.pk: 1, tree.ent_a1.pk: 1}


def test_the_coverage_indicator_is_defined_by_the_migration():
    from analytics.models import Indicator

    indicator = Indicator.objects.get(code="TRAINING_COVERAGE")
    assert indicator.numerator == "#{SRC.TRAINED_EXPECTED}" and indicator.denominator == "#{SRC.TRAINING_EXPECTED}"
    assert indicator.name == "培训覆盖率"


def test_the_indicator_through_the_analytics_engine(tree, year_2021):
    from analytics import engine
    from analytics.engine import Query, Scope

    def value(org, period):
        totals = engine.answer(Scope.province(), Query("indicator:TRAINING_COVERAGE", org=org.pk, periods=(period,)))
        return totals.totals[0].value if totals.totals else None

    # 2 of the 4 prefectures and unions trained in 2021 (as the coverage page counts them), 1 of 4 in 2020.
    assert value(tree.province, "2021") == Decimal("50")
    assert value(tree.province, "2020") == Decimal("25")
    assert value(tree.union_a, "2021") == Decimal("100")
    assert value(tree.union_b, "2021") == Decimal("0")


def test_the_flush_hook_puts_the_indicator_back(db):
    from analytics.models import Indicator
    from training.apps import _ensure_indicators

    Indicator.objects.filter(code="TRAINING_COVERAGE").delete()
    _ensure_indicators(sender=None)
    assert Indicator.objects.filter(code="TRAINING_COVERAGE").count() == 1
