"""The replica router (core/replica.py) without a replica changes nothing, and CHANGAI_REPLICA_URL makes the
replica alias the way docs/deploy.md says (analytics/tests/test_replica.py runs the analytics on one)."""

import json

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from accounts.tests.test_deploy import production_env, run
from analytics import aggregates
from analytics.models import Indicator
from core.replica import REPLICA, ReplicaRouter, configured, read_alias, replica_reads


@pytest.mark.django_db
def test_without_a_replica_every_query_goes_where_it_went_before(client, tree):
    assert not configured() and REPLICA not in connections.settings
    with replica_reads():
        assert read_alias() == "default"
        assert aggregates.data_version() == str(aggregates.generation())  # the dashboard's key as before
        indicator = Indicator.objects.first()
    assert indicator._state.db == "default"
    rules = ReplicaRouter()
    assert rules.db_for_read(Indicator) is None and rules.db_for_write(Indicator) is None
    assert rules.allow_relation(indicator, indicator) is None
    assert router.db_for_read(Indicator) == "default"

    from analytics.tests.helpers import office

    client.force_login(office(tree))
    with CaptureQueriesContext(connections["default"]) as primary:
        assert client.get("/analytics/").status_code == 200
    assert any("analytics_indicator" in q["sql"] for q in primary.captured_queries)


def test_the_replica_is_never_migrated():
    assert ReplicaRouter().allow_migrate(REPLICA, "analytics") is False
    assert ReplicaRouter().allow_migrate("default", "analytics") is None


PROBE = (
    "import json; from django.conf import settings; r = settings.DATABASES.get('replica');"
    "print(json.dumps(r and {k: r[k] for k in ('ENGINE', 'NAME', 'HOST', 'OPTIONS', 'TEST')}))"
)


def test_the_replica_comes_from_the_environment_read_only_and_mirrored_in_tests():
    env = production_env(
        CHANGAI_MANIFEST_STATIC="0",
        DATABASE_URL="postgres://changai@db1.intranet:5432/changai",
        CHANGAI_REPLICA_URL="postgres://changai_ro@db2.intranet:5432/changai",
    )
    done = run(["manage.py", "shell", "-c", PROBE], env)
    assert done.returncode == 0, done.stderr[-2000:]
    replica = json.loads(done.stdout.strip().splitlines()[-1])
    assert (replica["ENGINE"], replica["NAME"], replica["HOST"]) == (
        "django.db.backends.postgresql",
        "changai",
        "db2.intranet",
    )
    assert replica["OPTIONS"]["options"] == "-c default_transaction_read_only=on"
    assert replica["TEST"]["MIRROR"] == "default"

    without = run(["manage.py", "shell", "-c", PROBE], production_env(CHANGAI_MANIFEST_STATIC="0"))
    assert without.stdout.strip().splitlines()[-1] == "null"


def test_a_replica_next_to_sqlite_is_refused_at_start_saying_why():
    env = production_env(CHANGAI_MANIFEST_STATIC="0", CHANGAI_REPLICA_URL="postgres://changai_ro@db2.intranet/changai")
    done = run(["manage.py", "check"], env)
    assert done.returncode != 0
    assert "CHANGAI_REPLICA_URL needs PostgreSQL: set DATABASE_URL to the primary as well." in done.stderr
