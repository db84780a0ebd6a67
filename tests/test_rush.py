"""bench/rush.py in small: the people it builds can fill and submit their open report, and its
reconciliation finds a lost value, a missing submission and a missing audit row (the heavy run is
`make bench-rush`; these are the parts whose mistakes would make its verdict a lie)."""

from __future__ import annotations

import pytest
from django.test import Client

from bench import rush
from core.actor import Actor
from reporting import services
from reporting.models import DataValue, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tmp_path):
    from reporting.tests.factories import load_workforce

    load_workforce()
    return rush.build_people({"rush": (3, 1)}, 1, tmp_path)["rush"]


def _fill_and_submit(person: dict) -> list[dict]:
    """What the simulated person does, through the services; the ledger the client would keep."""
    from accounts.models import User

    report = Report.objects.get(pk=person["report"])
    actor = Actor(user=User.objects.get(username=person["username"]))
    cells = {tuple(name.split(":", 2)[1:]): text for name, text in person["values"].items()}
    saved = services.values_save(by=actor, report=report, version=report.version, values=cells)
    services.report_submit(by=actor, report=saved.report, version=saved.report.version)
    return [
        {"kind": "save", "report": report.pk, "version": saved.report.version, "cells": person["values"],
         "changed": len(saved.changed)},
        {"kind": "submit", "report": report.pk},
    ]  # fmt: skip


def test_the_people_sign_in_and_find_their_open_report(people):
    assert [len(people[k]) for k in ("reporter", "uploader", "leader")] == [3, 1, 1]
    person = people["reporter"][0]
    client = Client()
    signed_in = client.post("/accounts/login/", {"username": person["username"], "password": rush.PASSWORD})
    assert signed_in.status_code == 302
    page = client.get(f"/reporting/reports/{person['report']}/entry/")
    assert page.status_code == 200
    assert 'name="version"' in page.content.decode()
    assert len(person["values"]) == 60


def test_reconciliation_passes_only_when_everything_acknowledged_is_there(people):
    ledger = _fill_and_submit(people["reporter"][0]) + _fill_and_submit(people["reporter"][1])
    result = rush.reconcile(people, ledger)
    assert result["ok"], result
    assert (result["values_acknowledged"], result["values_lost"], result["submissions_present_once"]) == (120, 0, 2)

    # A value gone, a submission the server acknowledged but does not have, a save without its audit row:
    # each is named.
    DataValue.objects.filter(report_id=people["reporter"][0]["report"]).first().delete()
    ledger.append({"kind": "submit", "report": people["reporter"][2]["report"]})
    ledger.append(dict(ledger[0], version=99))
    result = rush.reconcile(people, ledger)
    assert not result["ok"]
    assert result["values_lost"] == 1
    assert result["submissions_missing_or_doubled"] == 1
    assert result["save_audit_rows_missing"] == 1


def test_summary_counts_server_errors_and_unanswered_requests_apart():
    samples = [
        {"t": 10.0, "name": "save", "ms": 100.0, "status": 200},
        {"t": 10.5, "name": "save", "ms": 300.0, "status": 503},
        {"t": 11.0, "name": "submit", "ms": 120000.0, "status": 0},
    ]
    summary = rush.summarise(samples)
    assert (summary["server_errors"], summary["no_answer"], summary["errors"]) == (1, 1, 2)
    assert summary["kinds"]["save"]["p95_ms"] == 300.0
