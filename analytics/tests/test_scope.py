"""The engine answers for a scope, not a request: a system job asks for the province, a user's scope ends at
their subtree (OutOfScope, a LookupError, never an HTTP error), and pages and the API still answer 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from analytics import engine
from analytics.engine import OutOfScope, Query, Scope
from analytics.engine.batch import subtree_values
from analytics.tests.helpers import accepted_report
from orgs.choices import Role

pytestmark = pytest.mark.django_db

# The speech's totals (as in test_indicators), reported for 2020: 730.75万 workers, 13.71% certified.
SPLIT = [("ent_a1", 1_500_000, 3_000_000, 100_000, 300_000), ("ent_a2", 782_500, 25_000, 281_600, 150_000),
         ("ent_b1", 500_000, 1_500_000, 0, 250_000)]  # fmt: skip


@pytest.fixture
def speech_2020(tree, wf):
    wf_y, _wf_q = wf
    for name, nonmigrant, migrant, certified, college in SPLIT:
        accepted_report(
            tree, wf_y, "2020", getattr(tree, name), nonmigrant=nonmigrant, migrant=migrant, certified=certified,
            college=college,
        )  # fmt: skip
    return tree


def test_a_system_job_gets_the_provinces_figures_without_a_request_or_a_user(speech_2020):
    tree = speech_2020
    province = Scope.province()
    assert province.user is None and province.paths == (tree.province.path,)

    def total(code: str) -> str:
        return engine.answer(province, Query(f"indicator:{code}", periods=("2020",))).totals[0].display

    assert total("WORKERS_TOTAL") == "730.75万人"
    assert total("CERT_RATE") == "13.71%"
    assert total("COLLEGE_RATE") == "25.16%"
    answer = engine.answer(province, Query("indicator:CERT_RATE", periods=("2020",)))
    assert answer.root_id == tree.province.pk
    board = engine.dashboard_tiles(province, year="2020")
    assert next(t for t in board.tiles if t.indicator == "CERT_RATE").display == "13.71%"
    assert board.root_id == tree.province.pk
    drill = engine.drill_through(province, "indicator:CERT_RATE", None, "2020")
    assert sorted(r.org_code for r in drill.rows) == ["E-A1", "E-A2", "E-B1"]
    batch = subtree_values(province, "indicator:CERT_RATE", "2020", [tree.province.pk])
    assert batch[tree.province.pk] == Decimal("13.71")
    # The same figure a user of the whole province sees.
    leader = tree.user(Role.LEADER, tree.province)
    assert engine.answer(Scope.for_user(leader), Query("indicator:CERT_RATE", periods=("2020",))).totals == (
        answer.totals
    )


def test_a_user_scope_ends_at_its_subtree_with_a_domain_error(speech_2020):
    tree = speech_2020
    reporter = Scope.for_user(tree.user(Role.REPORTER, tree.ent_a1))
    own = engine.answer(reporter, Query("element:WF_WORKERS", periods=("2020",)))
    assert own.root_id == tree.ent_a1.pk and own.totals[0].value == Decimal(4_500_000)
    for call in (
        lambda: engine.answer(reporter, Query("element:WF_WORKERS", org=tree.ent_a2.pk, periods=("2020",))),
        lambda: engine.drill_through(reporter, "element:WF_WORKERS", tree.union_a.pk, "2020"),
        lambda: engine.dashboard_tiles(reporter, org=tree.ent_b1.pk, year="2020"),
        lambda: subtree_values(reporter, "element:WF_WORKERS", "2020", [tree.ent_a1.pk, tree.province.pk]),
    ):
        with pytest.raises(OutOfScope) as error:
            call()
        assert isinstance(error.value, LookupError) and not isinstance(error.value, Http404)
    nobody = Scope.for_user(tree.user(Role.SYS_ADMIN, tree.province))  # no data-view grant at all
    assert nobody.paths == ()
    with pytest.raises(OutOfScope):
        engine.answer(nobody, Query("element:WF_WORKERS", periods=("2020",)))
    with pytest.raises(TypeError):
        engine.answer(None, Query("element:WF_WORKERS", periods=("2020",)))  # a job names Scope.province()


def test_pages_and_the_api_still_answer_404_outside_the_scope(client, speech_2020):
    tree = speech_2020
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    outside = {"measure": "element:WF_WORKERS", "org": tree.ent_a2.pk, "period_from": "2020", "period_to": "2020"}
    assert client.get(reverse("analytics:pivot"), outside).status_code == 404
    assert client.get(reverse("analytics:charts"), outside).status_code == 404
    assert client.get(reverse("analytics:dashboard"), {"org": tree.ent_a2.pk}).status_code == 404
    drill = {"measure": "element:WF_WORKERS", "org": tree.ent_a2.pk, "period": "2020"}
    assert client.get(reverse("analytics:drill_through"), drill).status_code == 404
    assert client.get(reverse("analytics:pivot"), {**outside, "org": tree.ent_a1.pk}).status_code == 200
    api = "/api/v1/analytics/query/?measure=element:WF_WORKERS&periods=2020&root=E-A2"
    assert client.get(api).status_code == 404
    assert client.get(api.replace("E-A2", "E-A1")).status_code == 200


def test_the_engine_imports_nothing_of_http():
    """The engine serves jobs too: HTTP answers belong to analytics/web.py, pages and the API."""
    from pathlib import Path

    engine_dir = Path(engine.__file__).parent
    offenders = [p.name for p in engine_dir.glob("*.py") if "django.http" in p.read_text(encoding="utf-8")]
    assert engine_dir.name == "engine" and len(list(engine_dir.glob("*.py"))) >= 7
    assert offenders == []
