"""Analytics read from the replica when one is configured (core/replica.py), proved on a second connection to
the same database (DATABASES["replica"] with TEST MIRROR "default", as settings.py makes it): which queries
went to which connection. And a lagging replica (a copy of the database that has not caught up yet) never
leaves its answer cached under newer data."""

from __future__ import annotations

import copy
import re

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from analytics import aggregates
from analytics.models import AcceptedDataChange, Indicator, NodeAggregate
from analytics.tests.helpers import accept, accepted_report, office
from core.replica import REPLICA, read_alias, replica_reads
from core.tests.dbcopy import database_copy
from reporting.choices import ReportStatus

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """DATABASES["replica"] as settings.py makes it from CHANGAI_REPLICA_URL, pointed at the test database."""
    default = connections["default"].settings_dict
    mirror = copy.deepcopy(default)
    mirror["TEST"] = {**mirror["TEST"], "MIRROR": "default"}
    if connections["default"].vendor == "postgresql":
        mirror["OPTIONS"] = {**mirror.get("OPTIONS", {}), "options": "-c default_transaction_read_only=on"}
    connections.settings[REPLICA] = mirror
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def province(tree, wf):
    year, _quarter = wf
    accepted_report(tree, year, "2021", tree.ent_a1, nonmigrant=600, certified=300)  # 持证率 50.00%
    waiting = accepted_report(
        tree, year, "2021", tree.ent_b1, nonmigrant=600, certified=60, status=ReportStatus.APPROVED
    )
    return waiting


def _captured(client_call):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as rep:
        response = client_call()
    return response, [q["sql"] for q in primary.captured_queries], [q["sql"] for q in rep.captured_queries]


def _tables(queries: list[str]) -> set[str]:
    return {name for sql in queries for name in re.findall(r'"((?:analytics|reporting|orgs|core)_[a-z]+)"', sql)}


def _writes(queries: list[str]) -> list[str]:
    return [sql for sql in queries if re.match(r"\s*(INSERT|UPDATE|DELETE|SAVEPOINT)", sql, re.I)]


def _cert_rate(response) -> str:
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    return re.search(r'data-indicator="CERT_RATE".*?class="kpi-value" data-value>\s*([^<\s]+)', text, re.S).group(1)


def test_the_dashboard_answers_from_the_replica_and_writes_nothing_there(client, tree, province):
    client.force_login(office(tree))
    response, primary, replica = _captured(lambda: client.get("/analytics/"))

    assert _cert_rate(response) == "50.00%"
    assert {"analytics_nodeaggregate", "analytics_accepteddatachange", "analytics_indicator"} <= _tables(replica)
    assert not {t for t in _tables(primary) if t.startswith("analytics_")}  # nothing of the answer on the primary
    assert _writes(replica) == []
    assert primary  # the session and the sign-in checks, before and after the page, stay on the primary


def test_the_api_answers_from_the_replica(client, tree, province):
    client.force_login(office(tree))
    response, primary, replica = _captured(
        lambda: client.get("/api/v1/analytics/query/", {"measure": "indicator:CERT_RATE", "periods": "2021"})
    )

    assert response.status_code == 200, response.content[:500]
    assert response.json()["totals"][0]["display"] == "50.00%"
    assert "analytics_nodeaggregate" in _tables(replica)
    assert not {t for t in _tables(primary) if t.startswith("analytics_")}, [q for q in primary if "analytics_" in q]
    assert _writes(replica) == []


def test_an_export_reads_the_replica_and_writes_its_audit_row_on_the_primary(client, tree, province):
    client.force_login(office(tree))
    response, primary, replica = _captured(lambda: client.get("/analytics/dashboard/export.xlsx"))

    assert response.status_code == 200
    assert "analytics_nodeaggregate" in _tables(replica) and _writes(replica) == []
    assert any("core_auditentry" in sql for sql in _writes(primary))
    assert "core_auditentry" not in _tables(replica)  # the chain's head is read where the row is written


def test_other_pages_and_anything_inside_a_transaction_stay_on_the_primary(client, tree, province):
    client.force_login(office(tree))
    _response, _primary, replica = _captured(lambda: client.get("/reporting/"))
    assert replica == []  # only the analytics read paths ask for the replica

    with replica_reads():
        assert read_alias() == REPLICA
        indicator = Indicator.objects.first()
        assert indicator._state.db == REPLICA
        assert router.db_for_write(Indicator, instance=indicator) == "default"  # a write never goes there
        with transaction.atomic():
            assert read_alias() == "default"  # a block that may write reads what it writes
            assert Indicator.objects.all()._db is None and router.db_for_read(Indicator) == "default"
    assert read_alias() == "default"
    assert router.db_for_read(Indicator, instance=indicator) == "default"  # not where the row came from


def _point_replica_at(name: str) -> None:
    replica = connections[REPLICA]
    # Closed before and after naming the other database: Django's SQLite backend ignores closing a connection
    # to an in-memory database, so one of the two closes is the real one.
    replica.close()
    replica.settings_dict["NAME"] = name
    replica.close()


def test_a_lagging_replica_never_leaves_its_answer_cached_under_newer_data(client, tree, province, tmp_path):
    client.force_login(office(tree))
    with database_copy(tmp_path) as lagging:  # the replica as of now; it replays nothing until refreshed
        _point_replica_at(lagging.name)
        try:
            assert _cert_rate(client.get("/analytics/")) == "50.00%"
            with replica_reads():
                seen = aggregates.data_version()
            generation = aggregates.generation()

            accept(province)  # on the primary: the generation is bumped once it commits
            assert aggregates.generation() != generation
            with replica_reads():
                assert aggregates.data_version() == seen  # the replica has not replayed it
            assert _cert_rate(client.get("/analytics/")) == "50.00%"  # a moment old, as a lagging replica is

            lagging.refresh()  # the replica catches up
            with replica_reads():
                assert aggregates.data_version() != seen
            assert _cert_rate(client.get("/analytics/")) == "30.00%"  # (300 + 60) ÷ (600 + 600), not the old answer
        finally:
            _point_replica_at(connections["default"].settings_dict["NAME"])
    assert AcceptedDataChange.objects.count() == 2  # one row per change of the accepted data
    assert NodeAggregate.objects.exists()
