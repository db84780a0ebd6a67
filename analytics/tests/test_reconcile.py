"""Reported and recorded side by side (analytics/reconcile.py): the pairs, the verdicts, the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics import engine, reconcile, sources
from analytics.choices import Level
from analytics.engine import Query, Scope
from analytics.tests.helpers import accepted_report, office
from core.errors import UserError
from orgs.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestions(tree):
    """An in-test app keeping suggestions as (organisation id, day) records, mirroring WF_SUGGEST_SUBMITTED."""
    records: list[tuple[int, dt.date]] = []

    def rows(start, end):
        return [(org_id, day, 1) for org_id, day in records if start <= day <= end]

    sources.register(
        sources.Source(key="TEST_SUGGESTIONS", label="合理化建议（记录）", unit="条", fn=rows,
                       reported="WF_SUGGEST_SUBMITTED")
    )  # fmt: skip
    yield records
    sources.unregister("TEST_SUGGESTIONS")


@pytest.fixture
def province(tree, wf, suggestions):
    """2021: 昆明供电局 reports 5 and has 5 on record; 曲靖供电局 reports 3 and has 4; 中国铜业's enterprise reports
    nothing and has 2 on record; one record of 2022 counts in no 2021 figure."""
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, suggest_submitted=5)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, suggest_submitted=3)
    day = dt.date(2021, 5, 1)
    suggestions.extend([(tree.ent_a1.pk, day)] * 5 + [(tree.ent_a2.pk, day)] * 4 + [(tree.ent_b1.pk, day)] * 2)
    suggestions.append((tree.ent_a1.pk, dt.date(2022, 1, 5)))
    return tree


def test_only_a_source_naming_an_existing_element_is_a_pair(suggestions):
    sources.register(
        sources.Source(key="TEST_ORPHAN", label="无对应", unit="个", fn=lambda s, e: [], reported="WF_NOPE")
    )
    try:
        keys = {pair.key for pair in reconcile.pairs()}
        assert "TEST_SUGGESTIONS" in keys and "TEST_ORPHAN" not in keys
    finally:
        sources.unregister("TEST_ORPHAN")
    with pytest.raises(ValueError, match="reported must be a data element code"):
        sources.register(sources.Source(key="TEST_BAD", label="坏", unit="个", fn=lambda s, e: [], reported="wf x"))


def test_each_enterprise_gets_a_verdict_by_the_rule(province):
    tree = province
    pair = reconcile.pair_for("TEST_SUGGESTIONS")
    assert pair is not None and pair.element == "WF_SUGGEST_SUBMITTED" and pair.label == "合理化建议提出数"
    comparison = reconcile.compare(Scope.province(), pair, year="2021", org=tree.union_a.pk)
    lines = {line.name: line for line in comparison.lines}
    assert lines["昆明供电局"].reported == Decimal(5) and lines["昆明供电局"].recorded == Decimal(5)
    assert lines["昆明供电局"].verdict == reconcile.AGREES
    assert (lines["曲靖供电局"].difference, lines["曲靖供电局"].verdict) == (Decimal(-1), reconcile.UNDER)
    assert comparison.total.reported == Decimal(8) and comparison.total.recorded == Decimal(9)
    assert comparison.lines[0].name == "曲靖供电局"  # the disagreements first
    assert [line.name for line in comparison.disagreeing] == ["曲靖供电局"]

    # Below 中国铜业: an enterprise with records and no accepted report is 未填报, not a difference.
    other = reconcile.compare(Scope.province(), pair, year="2021", org=tree.union_b.pk, level=Level.CHILDREN)
    b1 = next(line for line in other.lines if line.org_id == tree.ent_b1.pk)
    assert (b1.reported, b1.recorded, b1.verdict, b1.difference) == (None, Decimal(2), reconcile.NOT_REPORTED, None)


def test_a_source_is_a_measure_of_its_own(province):
    tree = province
    answer = engine.answer(Scope.province(), Query("source:TEST_SUGGESTIONS", org=tree.union_a.pk, periods=("2022",)))
    assert answer.totals[0].value == Decimal(1) and answer.label == "合理化建议（记录）"
    with pytest.raises(UserError, match="平台记录“NOPE”不存在"):
        engine.answer(Scope.province(), Query("source:NOPE", periods=("2021",)))


def test_the_page_lists_the_pair_in_the_users_scope_and_states_the_rule(province, client):
    tree = province
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    url = reverse("analytics:reconcile")
    response = client.get(url, {"pair": "TEST_SUGGESTIONS", "year": "2021"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "统计指标以验收的报表为准" in page
    assert "曲靖供电局" in page and "填报数少于记录" in page
    assert f'data-org="{tree.ent_b1.pk}"' not in page  # another union's enterprise
    assert client.get(url, {"pair": "TEST_SUGGESTIONS", "year": "2021", "org": tree.union_b.pk}).status_code == 404
    assert client.get(url, {"org": "x;drop"}).status_code == 404

    client.force_login(office(tree))
    page = client.get(url, {"pair": "TEST_SUGGESTIONS", "year": "2021", "org": tree.union_b.pk}).content.decode()
    assert f'data-org="{tree.ent_b1.pk}" data-verdict="not_reported"' in page
