"""The studios' figures: indicators shipped by the migration with unique codes, computed by the analytics engine
from the registered sources on a hand-counted fixture (a stock by naming date, revoked excluded, a raise counted
at the level held at the period's end); the assessment facts and the timeline events."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from analytics import engine
from analytics.engine import Query, Scope
from analytics.models import Indicator
from studios.choices import Grade, ReviewStatus, StudioStatus
from studios.facts import provincial_up, rated_excellent
from studios.migrations._indicators import INDICATORS
from studios.models import Studio
from studios.sources import SOURCES
from studios.tests.factories import make_result, make_review, make_studio, raise_to

pytestmark = pytest.mark.django_db


def value(org, period, code) -> Decimal | None:
    totals = engine.answer(Scope.province(), Query(f"indicator:{code}", org=org.pk, periods=(period,))).totals
    return totals[0].value if totals else None


def test_the_indicators_are_shipped_under_contribution(db):
    codes = [row[0] for row in INDICATORS]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    assert set(found) == set(codes) and {i.task for i in found.values()} == {"contribution"}
    assert found["STUDIOS_REC"].numerator == "#{SRC.STUDIO_STOCK}"


def test_codes_are_unique_across_the_project(db):
    root = Path(settings.BASE_DIR)
    ours = {row[0] for row in INDICATORS}
    others = set()
    for path in root.glob("*/migrations/_indicators.py"):
        if path.parts[-3] != "studios":
            others |= set(re.findall(r'^\s*\("([A-Z0-9_]+)",', path.read_text(encoding="utf-8"), re.M))
    assert not ours & others
    # Every record-derived name says so; where a reported indicator has the same name, the code carries _REC.
    reported = {i.name for i in Indicator.objects.exclude(code__in=ours)}
    for code, name, *_rest in INDICATORS:
        assert name.endswith("（平台记录）"), code
        assert (name.removesuffix("（平台记录）") in reported) == code.endswith("_REC"), code
    other_keys = set()
    for path in root.glob("*/sources.py"):
        if path.parts[-2] != "studios":
            other_keys |= set(re.findall(r'key="([A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert not {s.key for s in SOURCES} & other_keys
    assert {s.reported for s in SOURCES if s.reported} == {
        "WF_STUDIOS", "WF_STUDIO_RESULTS", "WF_STUDIO_PATENTS", "WF_STUDIO_VALUE"
    }  # fmt: skip


@pytest.fixture
def fixture(tree):
    """昆明供电局: one studio named 2019 (enterprise), raised to provincial 2022; 修试所: one named 2021, revoked
    2021-12-01; 曲靖: one named 2021 (prefecture). Results: two in 2021 (a patent of 10万 and a method of 5,000.50),
    one in 2022 without value."""
    a1 = make_studio(tree.ent_a1, named_on=dt.date(2019, 3, 1))
    raise_to(a1, "provincial", dt.date(2022, 4, 28))
    unit = make_studio(tree.unit_a1, named_on=dt.date(2021, 2, 1))
    Studio.objects.filter(pk=unit.pk).update(status=StudioStatus.REVOKED, revoked_on=dt.date(2021, 12, 1))
    a2 = make_studio(tree.ent_a2, level="prefecture", named_on=dt.date(2021, 5, 1))
    make_result(a1, kind="patent", value="100000", achieved_on=dt.date(2021, 6, 1))
    make_result(a2, kind="method", value="5000.50", achieved_on=dt.date(2021, 8, 1))
    make_result(a1, kind="wuxiao", value=None, achieved_on=dt.date(2022, 3, 1))
    return a1, unit, a2


def test_counts_hand_counted(tree, fixture):
    assert value(tree.union_a, "2020", "STUDIOS_REC") == 1  # the 2019 studio only
    assert value(tree.union_a, "2021", "STUDIOS_REC") == 2  # the revoked one no longer counts at the year's end
    assert value(tree.province, "2022", "STUDIOS_REC") == 2
    assert value(tree.union_a, "2021", "STUDIOS_PROVINCIAL_UP") is None  # enterprise and prefecture: no figure
    assert value(tree.union_a, "2022", "STUDIOS_PROVINCIAL_UP") == 1  # raised in 2022
    assert value(tree.union_a, "2021", "STUDIO_RESULTS_REC") == 2
    assert value(tree.union_a, "2021", "STUDIO_PATENTS_COUNT") == 1
    assert value(tree.union_a, "2021", "STUDIO_VALUE_REC") == Decimal("105000.50")
    assert value(tree.ent_a1, "2022", "STUDIO_RESULTS_REC") == 1
    assert value(tree.union_b, "2021", "STUDIOS_REC") is None


def test_facts_for_assessment(tree, fixture):
    a1, _unit, a2 = fixture
    orgs = [(tree.union_a.pk, tree.union_a.path), (tree.union_b.pk, tree.union_b.path)]
    facts = provincial_up(2022, orgs)
    assert facts[tree.union_a.pk].count == 1 and facts[tree.union_b.pk].count == 0
    assert provincial_up(2021, orgs)[tree.union_a.pk].count == 0
    make_review(a1, year=2022, status=ReviewStatus.RATED)
    from studios.models import StudioReview

    StudioReview.objects.filter(studio=a1).update(grade=Grade.EXCELLENT)
    make_review(a2, year=2022, status=ReviewStatus.SUBMITTED)
    excellent = rated_excellent(2022, orgs)
    assert excellent[tree.union_a.pk].count == 1 and a1.name in excellent[tree.union_a.pk].text


def test_timeline_events(tree, fixture):
    from studios.timeline import studio_events

    a1, _unit, _a2 = fixture
    events = list(studio_events([tree.ent_a1.pk], dt.date(2023, 1, 1)))
    titles = [e.title for e in events]
    assert f"{a1.name}命名为企业级劳模创新工作室" in titles and f"{a1.name}命名为省级劳模创新工作室" in titles
    assert sum(1 for t in titles if t.startswith("工作室成果")) == 2
