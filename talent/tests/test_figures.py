"""The pool's figures: indicators shipped by the migration and computed by the analytics engine from the
sources on a hand-counted fixture (rolled up to the union and the province); removed people stop counting;
the assessment facts and the timeline events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analytics import engine
from analytics import sources as registry
from analytics.engine import Query, Scope
from analytics.models import Indicator
from assessment.facts import gather
from core import deadlines
from orgs.tests.factories import SYSTEM
from talent import services
from talent.choices import HonourKind, HonourLevel, SkillLevel
from talent.migrations._indicators import INDICATORS
from talent.tests.factories import make_honour, make_person

pytestmark = pytest.mark.django_db


def value(org, period, code) -> Decimal | None:
    totals = engine.answer(Scope.province(), Query(f"indicator:{code}", org=org.pk, periods=(period,))).totals
    return totals[0].value if totals else None


@pytest.fixture
def pool(tree):
    a = make_person(tree.ent_a1, "李工", is_speaker=True, skill_level=SkillLevel.TECHNICIAN)
    b = make_person(tree.unit_a1, "王管", is_industrial_worker=False)
    c = make_person(tree.ent_a2, "张工", skill_level=SkillLevel.CHIEF_TECHNICIAN)
    d = make_person(tree.ent_b1, "赵工", is_speaker=True)
    make_honour(a, on=dt.date(2025, 4, 28))
    make_honour(a, kind=HonourKind.CRAFTSMAN, level=HonourLevel.PREFECTURE, title="昆明工匠", on=dt.date(2025, 9, 1))
    make_honour(b, on=dt.date(2025, 4, 28))
    make_honour(c, on=dt.date(2025, 4, 28))
    make_honour(c, on=dt.date(2024, 4, 28))  # another year
    make_honour(d, on=dt.date(2025, 4, 28))
    services.person_remove(by=SYSTEM, person=d, version=d.version, on=dt.date(2025, 3, 1), reason="调离")
    return a, b, c, d


def test_the_indicators_are_shipped(db):
    codes = [row[0] for row in INDICATORS]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    assert set(found) == set(codes)
    share = found["AWARDEES_WORKER_SHARE_REC"]
    assert share.numerator == "#{SRC.TALENT_AWARDEES_INDUSTRIAL}" and share.denominator == "#{SRC.TALENT_AWARDEES}"
    assert share.task == "status" and share.name.startswith("劳模、工匠等先进中产业工人占比")


def test_sources_name_their_reported_pairs():
    assert registry.get("TALENT_AWARDEES").reported == "WF_AWARDEES"
    assert registry.get("TALENT_SPEAKERS").reported == "WF_TALK_SPEAKERS"


def test_counts_hand_counted(tree, pool):
    # 2025: a (2 honours, industrial), b (1, not industrial), c (1, industrial); d removed before his award.
    assert value(tree.union_a, "2025", "TALENT_HONOURS_COUNT") == 4
    assert value(tree.province, "2025", "TALENT_HONOURS_COUNT") == 4
    assert value(tree.union_b, "2025", "TALENT_HONOURS_COUNT") is None  # no figure: 暂无数据, not 0
    assert value(tree.union_a, "2025", "AWARDEES_WORKER_SHARE_REC") == Decimal("66.67")  # 2 of 3 people
    assert value(tree.ent_a1, "2025", "AWARDEES_WORKER_SHARE_REC") == Decimal("50.00")  # a and b (unit_a1)
    assert value(tree.union_a, "2024", "AWARDEES_WORKER_SHARE_REC") == Decimal("100.00")
    this_year = str(deadlines.today().year)
    assert value(tree.province, this_year, "TALK_SPEAKERS_REC") == 1  # d removed
    assert value(tree.province, this_year, "HIGH_SKILL_COUNT_REC") == 2


def test_facts_for_assessment(tree, pool):
    facts = gather({"talent_honours", "talent_industrial_awardees"}, 2025,
                   [(tree.union_a.pk, tree.union_a.path), (tree.union_b.pk, tree.union_b.path)])  # fmt: skip
    mine, other = facts[tree.union_a.pk], facts[tree.union_b.pk]
    assert mine["talent_honours"].count == 4 and "李工" in mine["talent_honours"].text
    assert mine["talent_industrial_awardees"].share == Decimal("0.6667")
    assert other["talent_honours"].count == 0 and other["talent_industrial_awardees"].share is None


def test_timeline_events(tree, pool):
    from talent.timeline import talent_events

    events = list(talent_events([tree.ent_a1.pk], deadlines.today()))
    assert len(events) == 2 and all("李工" in e.title for e in events)
