"""Query budgets of the pages a deadline-day rush is made of (the production issue's load mix): the report page,
the entry grid, a save, a submission and the union's review queue. Each does a fixed number of statements,
whatever the size of the report, of the union or of its queue: a page that starts reading per row fails here
before it slows the rush down."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.choices import Role
from orgs.tests.factories import make_org
from reporting.tests.factories import filled_report, open_report, submitted_report, valid_values_y
from reporting.tests.test_views_entry import entry_post

# Statements per request, measured when the budgets were set (sessions, the user's roles and scope, the page's
# reads, the audit row of a write) with a small margin; raise one only with the reason in the commit.
BUDGET = {"report page": 38, "entry grid": 34, "save": 30, "submit": 38, "review queue": 25}


def _statements(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code in (200, 302), response.status_code
    return len(queries.captured_queries)


def _url(name: str, *args) -> str:
    return reverse(f"reporting:{name}", args=args)


@pytest.fixture
def reporter(tree):
    return tree.user(Role.REPORTER, tree.ent_a1)


def test_the_report_page_and_the_grid_read_the_same_whatever_the_report_holds(client, tree, wf, reporter):
    client.force_login(reporter)
    empty = open_report(tree, wf[0], "2021")
    counts = {
        "report page": _statements(lambda: client.get(_url("report_detail", empty.pk))),
        "entry grid": _statements(lambda: client.get(_url("report_entry", empty.pk))),
    }
    filled = filled_report(tree, wf[0], "2021", org=tree.ent_a1)  # the same report, every cell now filled
    assert filled.pk == empty.pk
    assert _statements(lambda: client.get(_url("report_detail", filled.pk))) == counts["report page"]
    assert _statements(lambda: client.get(_url("report_entry", filled.pk))) == counts["entry grid"]
    assert counts["report page"] <= BUDGET["report page"]
    assert counts["entry grid"] <= BUDGET["entry grid"]


def test_a_save_and_a_submission_keep_their_budget_whatever_they_change(client, tree, wf, reporter):
    client.force_login(reporter)
    report = open_report(tree, wf[0], "2021")
    one = _statements(
        lambda: client.post(_url("report_entry", report.pk), entry_post(report, {("WF_WORKERS", ""): "7"}))
    )
    values = valid_values_y()
    every = _statements(lambda: client.post(_url("report_entry", report.pk), entry_post(report, values)))
    # 84 cells, one of them stored before: one insert and one update, not a statement a cell.
    assert every == one + 1
    assert every <= BUDGET["save"]
    report.refresh_from_db()
    page = client.get(_url("report_detail", report.pk))
    key = page.context["idempotency_key"]
    submit = _statements(
        lambda: client.post(_url("report_submit", report.pk), {"version": report.version, "idempotency_key": key})
    )
    assert submit <= BUDGET["submit"]


def test_the_review_queue_does_not_grow_with_the_reports_in_it(client, tree, wf):
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    client.force_login(union_admin)
    submitted_report(tree, wf[0], "2021", org=tree.ent_a1)
    few = _statements(lambda: client.get(_url("my_reports")))
    for n in range(5):
        submitted_report(tree, wf[0], "2021", org=make_org(tree.union_a, f"下属企业{n}"))
    response = client.get(_url("my_reports"))
    assert len(response.context["queue"]) == 6
    assert _statements(lambda: client.get(_url("my_reports"))) == few
    assert few <= BUDGET["review queue"]
