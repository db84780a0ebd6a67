"""The competitions' figures: indicators shipped by the migration (unique codes, `_REC` where a reported one has
the name), computed from the sources on a hand-counted fixture; facts for assessment; timeline events."""

from __future__ import annotations

import datetime as dt
import glob
import re
from decimal import Decimal

import pytest

from analytics import engine, sources
from analytics.engine import Query, Scope
from analytics.models import Indicator
from competitions.choices import CompetitionStatus, OutcomeKind
from competitions.facts import held, participants
from competitions.migrations._indicators import INDICATORS
from competitions.models import Outcome
from competitions.tests.factories import make_competition, make_entry

pytestmark = pytest.mark.django_db


def value(org, period, code) -> Decimal | None:
    totals = engine.answer(Scope.province(), Query(f"indicator:{code}", org=org.pk, periods=(period,))).totals
    return totals[0].value if totals else None


def test_indicators_shipped_with_unique_codes(db):
    codes = [row[0] for row in INDICATORS]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    assert set(found) == set(codes) and {i.task for i in found.values()} == {"contribution"}
    others = set()
    for path in glob.glob("*/migrations/_indicators.py"):
        if not path.startswith("competitions/"):
            others |= set(re.findall(r'\(\s*"([A-Z0-9_]+)"', open(path, encoding="utf-8").read()))  # noqa: SIM115
    assert not set(codes) & others
    assert {"COMP_HELD", "COMP_PARTICIPANTS", "COMP_TRADES"} <= others  # the reported ones, hence _REC here
    assert sources.get("COMP_HELD").reported == "WF_COMP_HELD"


@pytest.fixture
def fixture(tree):
    a = make_competition(tree.union_a, trades=("甲", "乙", "丙"))  # 2021-09-01, under way
    make_entry(a, tree.ent_a1, trade="甲")
    make_entry(a, tree.ent_a1, trade="乙")
    winner = make_entry(a, tree.ent_b1, trade="甲", award="first", rank=1)
    make_competition(tree.union_a, status=CompetitionStatus.PLANNED, trades=("丁",))  # not held: not counted
    b = make_competition(tree.ent_b1, trades=("戊",), starts_on=dt.date(2022, 4, 1), ends_on=dt.date(2022, 4, 2))
    make_entry(b, tree.ent_b1)
    Outcome.objects.create(entry=winner, kind=OutcomeKind.SKILL_LEVEL, skill_level="technician",
                           effective_on=dt.date(2021, 10, 1))  # fmt: skip
    return a, b


def test_counts_hand_counted(tree, fixture):
    assert value(tree.union_a, "2021", "COMP_HELD_REC") == 1
    assert value(tree.union_a, "2021", "COMP_TRADES_REC") == 3
    assert value(tree.union_a, "2021", "COMP_PARTICIPANTS_REC") == 2  # entries count for the entrant
    assert value(tree.union_b, "2021", "COMP_PARTICIPANTS_REC") == 1
    assert value(tree.province, "2021", "COMP_PARTICIPANTS_REC") == 3
    assert value(tree.union_b, "2021", "COMP_WINNERS_RAISED") == 1
    assert value(tree.union_b, "2022", "COMP_HELD_REC") == 1
    assert value(tree.union_b, "2021", "COMP_HELD_REC") is None  # no figure: shown as 暂无数据, not 0


def test_facts(tree, fixture):
    orgs = [(tree.union_a.pk, tree.union_a.path), (tree.union_b.pk, tree.union_b.path)]
    found = held(2021, orgs)
    assert found[tree.union_a.pk].count == 1 and found[tree.union_b.pk].count == 0
    people = participants(2021, orgs)
    assert people[tree.union_b.pk].count == 1 and "获奖 1 人次" in people[tree.union_b.pk].text


def test_timeline_events(tree, fixture):
    from competitions.timeline import competition_events

    a, _b = fixture
    a.status, a.published_on = CompetitionStatus.PUBLISHED, dt.date(2021, 9, 10)
    a.save()
    titles = {(e.org_id, e.title) for e in competition_events([tree.union_a.pk, tree.ent_b1.pk], dt.date(2022, 1, 1))}
    assert (tree.union_a.pk, f"举办竞赛：{a.name}") in titles
    assert (tree.union_a.pk, f"公布竞赛结果：{a.name}") in titles
    assert (tree.ent_b1.pk, f"竞赛获奖：{a.name}") in titles
