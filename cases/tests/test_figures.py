"""The case library's figures for analytics, facts for assessment and events on the ledger's timeline, against a
hand-made fixture: published cases and adoptions with known dates."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import sources
from assessment.facts import FACTS
from cases.models import Case
from cases.tests.factories import adopt, make_case, office, published_case, step
from ledger import timeline
from reporting import periods


@pytest.fixture
def fixture(tree):
    """昆明供电局 publishes two cases in 2021 (one withdrawn later) and one in 2022; 云南铜业 one in 2021.
    Adoptions: 曲靖供电局 and 云南铜业 adopt 昆明's first case in 2021, 曲靖 adopts 云南铜业's in 2022."""
    first = published_case(tree, title="技能定薪")
    second = published_case(tree, title="师带徒")
    third = published_case(tree, title="职工之家")
    copper = published_case(tree, tree.ent_b1, title="矿山创新工作室")
    Case.objects.filter(pk__in=[first.pk, second.pk, copper.pk]).update(published_on=dt.date(2021, 5, 1))
    Case.objects.filter(pk=third.pk).update(published_on=dt.date(2022, 2, 1))
    withdrawn = published_case(tree, title="后来撤回的")
    Case.objects.filter(pk=withdrawn.pk).update(published_on=dt.date(2021, 6, 1))
    step(withdrawn, "withdraw", office(tree), reason="数据有误")
    adopt(tree, first, tree.ent_a2, on=dt.date(2021, 8, 1))
    adopt(tree, first, tree.ent_b1, on=dt.date(2021, 9, 1))
    adopt(tree, copper, tree.ent_a2, on=dt.date(2022, 3, 1))
    make_case(tree, title="草稿不计")
    return first, copper


def _values(key: str, code: str) -> dict[int, int]:
    return {org: int(v) for org, v in sources.values(sources.get(key), periods.parse_code(code)).items()}


def test_sources(tree, fixture):
    a1, a2, b1 = tree.ent_a1.pk, tree.ent_a2.pk, tree.ent_b1.pk
    assert _values("CASES_PUBLISHED", "2021") == {a1: 2, b1: 1}  # the withdrawn case no longer counts
    assert _values("CASES_PUBLISHED", "2022") == {a1: 1}
    assert _values("CASE_REPLICATIONS", "2021") == {a1: 2}
    assert _values("CASE_REPLICATIONS", "2022") == {b1: 1}
    assert _values("CASE_ADOPTIONS", "2021") == {a2: 1, b1: 1}
    assert _values("CASE_ADOPTIONS", "2022") == {a2: 1}


def test_facts(tree, fixture):
    orgs = [(o.pk, o.path) for o in (tree.ent_a1, tree.union_a, tree.ent_b1, tree.ent_a2)]
    published = FACTS["cases_published"].provider(2021, orgs)
    assert published[tree.ent_a1.pk].count == 2 and published[tree.union_a.pk].count == 2  # the union's subtree
    assert published[tree.ent_b1.pk].count == 1 and published[tree.ent_a2.pk].count == 0
    assert published[tree.ent_a1.pk].text == "2021年度发布改革案例 2 个（师带徒、技能定薪）。"
    replicated = FACTS["cases_replicated"].provider(2021, orgs)
    assert replicated[tree.ent_a1.pk].count == 2 and replicated[tree.ent_b1.pk].count == 0
    assert (
        replicated[tree.ent_a1.pk].text == "2021年度本单位案例被复制推广 2 次（借鉴单位：云南铜业股份、曲靖供电局）。"
    )
    assert FACTS["cases_replicated"].provider(2022, orgs)[tree.ent_b1.pk].count == 1
    assert FACTS["cases_published"].counted and FACTS["cases_replicated"].counted


def test_timeline_events(tree, fixture):
    first, _copper = fixture
    events = timeline.events_of([tree.ent_a1.pk, tree.ent_a2.pk], kinds=["case", "case_adoption"])
    titles = {(e.org_id, e.kind, e.title) for e in events}
    assert (tree.ent_a1.pk, "case", "提交改革案例《技能定薪》") in titles
    assert (tree.ent_a1.pk, "case", "改革案例《技能定薪》在案例库发布") in titles
    assert (tree.ent_a2.pk, "case_adoption", "复制推广案例《技能定薪》") in titles
    assert not any("草稿不计" in e.title for e in events)  # never submitted
    adoption = next(e for e in events if e.kind == "case_adoption" and e.on == dt.date(2021, 8, 1))
    assert adoption.activity and adoption.url == f"/cases/{first.pk}/"


def test_dated_records_warn_before_closing(tree, fixture):
    from orgs.services import records_after

    found = dict(records_after(tree.ent_a2, dt.date(2021, 12, 31)))
    assert found == {"1 条复制推广记录": dt.date(2022, 3, 1)}


def _indicator(org, period: str, code: str):
    from analytics import engine
    from analytics.engine import Query, Scope

    totals = engine.answer(Scope.province(), Query(f"indicator:{code}", org=org.pk, periods=(period,))).totals
    return totals[0].value if totals else None


def test_indicators_over_the_sources(tree, fixture):
    from decimal import Decimal

    from analytics.models import Indicator
    from cases.migrations._indicators import INDICATORS

    assert set(Indicator.objects.filter(code__in=[i[0] for i in INDICATORS]).values_list("code", flat=True)) == {
        "CASES_PUBLISHED", "CASE_REPLICATIONS", "CASE_REPLICATIONS_PER_CASE", "CASE_ADOPTIONS",
    }  # fmt: skip
    assert _indicator(tree.union_a, "2021", "CASES_PUBLISHED") == Decimal(2)  # rolled up from 昆明供电局
    assert _indicator(tree.province, "2021", "CASES_PUBLISHED") == Decimal(3)
    assert _indicator(tree.province, "2021", "CASE_REPLICATIONS") == Decimal(2)
    assert _indicator(tree.ent_a1, "2021", "CASE_REPLICATIONS_PER_CASE") == Decimal("1.00")
