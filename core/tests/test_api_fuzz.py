"""A bounded schemathesis run over the OpenAPI document (issue 11; docs/security.md rows 21 and 21a).

The platform's own document (/api/v1/schema/) is loaded as a client fetches it. For every operation and
two roles (the reporter of enterprise A1 and the administrator of union A), schemathesis generates a few
requests of three kinds:

- valid ones aimed at objects that exist (the ids of a small world built first; a valid body for the
  writes listed in VALID_BODIES), so the success answers are checked too;
- valid ones with everything generated (made-up ids and codes, odd filter values);
- invalid ones (numbers out of range, wrong types, missing or unknown fields), where the operation takes
  query parameters or a body.

Every answer must not be a server error, must carry a status code the document declares for that
operation, and its content type, headers and JSON must be those declared for that status. Every read
must also have succeeded at least once (unless REFUSED_READS says why not), so the success answers were
checked and not only the refusals.

Generation is deterministic (derandomized, no example database) and bounded (EXAMPLES per kind), with
no shrinking: a failing request is reported as generated, together with every other failure of the run,
and the traceback of any server error. Each request runs in a savepoint that is rolled back, so one
request's write never changes what the next one finds. The clock stands in January 2022, while the 2021
round is open for entry, so report writes can succeed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.activation import activation_issue, latest_of
from accounts.tests.factories import api_client
from analytics.models import SavedView
from assessment.tests.rounds import quick_round
from core.models import AuditEntry
from ledger.models import GroupMember, Ledger, Officer, TaskUpdate, WrittenRound
from ledger.tests.factories import make_task
from ledger.tests.written_factories import idor_objects
from orgs.choices import Role
from orgs.models import Assignment, Membership
from orgs.tests.factories import SYSTEM
from reporting import services as reporting_services
from reporting.tests.factories import open_report

EXAMPLES = {"valid": 2, "generated": 2, "invalid": 2}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]
ROLES = [(Role.REPORTER, "ent_a1"), (Role.UNION_ADMIN, "union_a")]

# Operations that answer nothing but a 400 without these; the generated requests try everything else.
REQUIRED_QUERIES = {
    "/api/v1/analytics/query/": {"measure": "element:WF_WORKERS", "periods": "2021", "level": "children"},
    "/api/v1/analytics/drill-through/": {"measure": "element:WF_WORKERS", "period": "2021"},
    "/api/v1/completeness/": {"dataset": "WF_Y", "period": "2021"},
}
# Writes whose generated bodies would (almost) never be accepted: one valid body, from the world.
VALID_BODIES: dict[tuple[str, str], Callable[[dict], dict]] = {
    ("POST", "/api/v1/analytics/views/"): lambda w: {"name": "新视图", "query": {"measure": "element:WF_WORKERS"}},
    ("PATCH", "/api/v1/analytics/views/{id}/"): lambda w: {"version": 1, "name": "改名的视图"},
    ("PATCH", "/api/v1/organisations/{code}/"): lambda w: {"version": w["org_version"], "notes": "备注"},
    ("POST", "/api/v1/assignments/{id}/end/"): lambda w: {"on": "2021-12-31"},
    ("PATCH", "/api/v1/reports/{id}/values/"): lambda w: {
        "version": w["report_version"],
        "values": [{"element": "WF_WORKERS", "value": "900"}],
    },
    ("POST", "/api/v1/reports/{id}/import/"): lambda w: {"values": [{"element": "WF_WORKERS", "value": 900}]},
    ("PATCH", "/api/v1/ledger/ledgers/{code}/"): lambda w: {"version": 1, "notes": "备注"},
    ("POST", "/api/v1/policies/uptake/{id}/save/"): lambda w: {"version": 1, "submit": False, "answers": []},
    ("POST", "/api/v1/ledger/members/"): lambda w: {
        "org": "E-A1",
        "name": "组员",
        "role": "member",
        "joined_on": "2020-01-01",
    },
    ("POST", "/api/v1/ledger/members/{id}/end/"): lambda w: {"left_on": "2021-12-31"},
    ("POST", "/api/v1/ledger/officers/{id}/end/"): lambda w: {"left_on": "2021-12-31"},
    ("POST", "/api/v1/ledger/task-updates/"): lambda w: {
        "task": w["task"],
        "on": "2021-06-01",
        "note": "进展",
        "value": "3",
    },
    ("PATCH", "/api/v1/ledger/written-reports/{id}/section/"): lambda w: {
        "version": 1,
        "aspect": 1,
        "body": "<p>已开展。</p>",
    },
}


# Reads that answer a role no 2xx at all, and why; every other read must succeed at least once.
AUDIT_ONLY = "only the audit administrator reads the audit log"
TRAINING_ATTENDANCE = "needs ?class= naming a class the caller organises; generated ids never name one"
OFFICE_REPORTS = {
    "GET /api/v1/publishing/reports/{id}/": "evaluation reports are the reform office's own",
    "GET /api/v1/publishing/report-files/{id}/": "evaluation reports are the reform office's own",
    "GET /api/v1/dataexport/exports/{id}/": "the province export is the office administrators' own",
    "GET /api/v1/dataexport/exports/{id}/download/": "the province export is the office administrators' own",
}
REFUSED_READS = {
    Role.REPORTER: {
        "GET /api/v1/audit/": AUDIT_ONLY,
        "GET /api/v1/audit/{id}/": AUDIT_ONLY,
        "GET /api/v1/memberships/{id}/": "a reporter does not manage roles, not even their own",
        "GET /api/v1/users/{id}/": "a reporter does not manage accounts (GET /users/me/ is theirs)",
        "GET /api/v1/activations/": "a reporter does not manage accounts, so has no activations to follow",
        "GET /api/v1/training/attendance/": TRAINING_ATTENDANCE,
        **OFFICE_REPORTS,
    },
    Role.UNION_ADMIN: {
        "GET /api/v1/audit/": AUDIT_ONLY,
        "GET /api/v1/audit/{id}/": AUDIT_ONLY,
        "GET /api/v1/analytics/views/{id}/": "the saved view is the reporter's own and not shared",
        "GET /api/v1/training/attendance/": TRAINING_ATTENDANCE,
        **OFFICE_REPORTS,
    },
}


@dataclass
class Run:
    """What one role's run saw: requests and statuses per operation, distinct failures, server tracebacks."""

    sent: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, set[int]] = field(default_factory=dict)
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)
    tracebacks: list[str] = field(default_factory=list)


class InTransactionWSGI:
    """Django's WSGI application as the test client runs it: the connection that holds the test's
    transaction stays open between requests, and the exception behind any 500 is kept for the report."""

    def __init__(self, run: Run) -> None:
        self.handler = WSGIHandler()
        self.run = run

    def __call__(self, environ, start_response):
        return self.handler(environ, start_response)

    def __enter__(self) -> InTransactionWSGI:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._keep, dispatch_uid="api-fuzz")
        return self

    def __exit__(self, *exc_info) -> None:
        got_request_exception.disconnect(dispatch_uid="api-fuzz")
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    def _keep(self, sender, request=None, **kwargs) -> None:
        self.run.tracebacks.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")


@pytest.fixture
def fuzz_world(tree, wf, clock):
    """One object of every kind the API names by id or code, all in enterprise A1 (union A's subtree)."""
    yearly, _quarterly = wf
    report = open_report(tree, yearly, "2021", tree.ent_a1)
    report = reporting_services.values_save(
        by=SYSTEM, report=report, version=report.version, values={("WF_WORKERS", ""): "1000"}
    ).report
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    view = SavedView.objects.create(owner=reporter, name="职工总数", query={"measure": "element:WF_WORKERS"})
    assessment_round = quick_round(tree.user(Role.OFFICE_ADMIN), "考核轮次", [tree.ent_a1])
    ledger = Ledger.objects.create(org=tree.ent_a1, listed_on=dt.date(2018, 1, 1))
    member = GroupMember.objects.create(ledger=ledger, name="组长", role="leader", joined_on=dt.date(2019, 1, 1))
    officer = Officer.objects.create(ledger=ledger, kind="info", name="信息员", started_on=dt.date(2019, 1, 1))
    task = make_task(ledger)
    TaskUpdate.objects.create(task=task, on=dt.date(2021, 3, 1), note="进展", value=1)
    written = idor_objects({"own": tree.ent_a1})["written"]["own"]
    training = _training_world(tree)
    from sites.tests.factories import api_objects

    sites = {kind: rows["own"] for kind, rows in api_objects({"own": tree.ent_a1}, tree.user(Role.DEPT_VIEWER)).items()}
    from cases.tests.factories import idor_objects as case_objects

    cases = case_objects({"own": tree.ent_a1}, tree.user(Role.OFFICE_ADMIN))  # a draft, an adoption of a published one
    from publishing.tests.factories import idor_objects as publishing_objects

    published = publishing_objects({"own": tree.ent_a1})  # a submission, and an issue read by E-A1 and union A
    tree.ent_a1.refresh_from_db()
    paths = {  # path prefix → the values of its path parameters
        "/api/v1/organisations/": {"code": tree.ent_a1.code},
        "/api/v1/memberships/": {"id": Membership.objects.get(user=reporter).pk},
        "/api/v1/users/": {"id": reporter.pk},
        "/api/v1/activations/": {"id": (activation_issue(by=SYSTEM, user=reporter), latest_of(reporter))[1].pk},
        "/api/v1/assignments/": {"id": Assignment.objects.get(enterprise=tree.ent_a1).pk},
        "/api/v1/audit/": {"id": AuditEntry.objects.order_by("id").first().pk},
        "/api/v1/datasets/": {"code": yearly.code},
        "/api/v1/dataset-versions/": {"id": yearly.current_version().pk},
        "/api/v1/periods/": {"code": "2021"},
        "/api/v1/reports/": {"id": report.pk},
        "/api/v1/analytics/indicators/": {"code": "CERT_RATE"},
        "/api/v1/analytics/views/": {"id": view.pk},
        "/api/v1/assessment/rounds/": {"id": assessment_round.pk},
        "/api/v1/assessment/score-cards/": {"id": assessment_round.participants.get().pk},
        "/api/v1/ledger/ledgers/": {"code": tree.ent_a1.code},
        "/api/v1/ledger/members/": {"id": member.pk},
        "/api/v1/ledger/officers/": {"id": officer.pk},
        "/api/v1/ledger/written-reports/": {"id": written},
        "/api/v1/ledger/written-rounds/": {"id": WrittenRound.objects.get(code="IDOR").pk},
        "/api/v1/ledger/timelines/": {"code": tree.ent_a1.code},
        "/api/v1/training/classes/": {"id": training["training_class"]},
        "/api/v1/training/enrolments/": {"id": training["enrolment"]},
        "/api/v1/sites/batches/": {"id": sites["batch"]},
        "/api/v1/sites/nominations/": {"id": sites["nomination"]},
        "/api/v1/sites/sites/": {"id": sites["site"]},
        "/api/v1/sites/groups/": {"id": sites["group"]},
        "/api/v1/sites/visits/": {"id": sites["visit"]},
        "/api/v1/sites/followups/": {"id": sites["followup"]},
        "/api/v1/sites/ratings/": {"id": sites["rating"]},
        "/api/v1/cases/": {"id": cases["case"]["own"]},
        "/api/v1/case-replications/": {"id": cases["replication"]["own"]},
        "/api/v1/publishing/submissions/": {"id": published["psub"]["own"]},
        "/api/v1/publishing/issues/": {"id": published["pissue"]["own"]},
        # The office's evaluation reports: 404 for the reporter and the union administrator, whatever the id.
        "/api/v1/publishing/reports/": {"id": 1},
        "/api/v1/publishing/report-files/": {"id": 1},
        "/api/v1/dataexport/exports/": {"id": 1},
    }
    from policies.tests.factories import fuzz_paths

    paths.update(fuzz_paths(tree))
    from competitions.tests.factories import api_objects as competition_objects

    contest = competition_objects(tree.ent_a1)
    paths.update(
        {
            "/api/v1/competitions/events/": {"id": contest["event"]},
            "/api/v1/competitions/entries/": {"id": contest["entry"]},
            "/api/v1/competitions/outcomes/": {"id": contest["outcome"]},
        }
    )
    from studios.tests.factories import fuzz_paths as studio_paths

    paths.update(studio_paths(tree))
    from suggestions.tests.factories import fuzz_paths as suggestion_paths

    paths.update(suggestion_paths(tree))
    from talent.tests.factories import fuzz_paths as talent_paths

    paths.update(talent_paths(tree))
    return {"paths": paths, "org_version": tree.ent_a1.version, "report_version": report.version, "task": task.pk}


def _training_world(tree) -> dict[str, int]:
    """A class of union A (the union administrator organises it, the reporter is its audience) with an enrolment
    of enterprise A1."""
    from training.tests.factories import enrol, make_class

    klass = make_class(tree.union_a, audience_kinds=["enterprise"])
    return {"training_class": klass.pk, "enrolment": enrol(klass, tree.ent_a1, "学员").pk}


def _path_parameters(world: dict, path: str) -> dict:
    if "{" not in path:
        return {}
    return next(values for prefix, values in world["paths"].items() if path.startswith(prefix))


def _takes_input(declared: dict) -> bool:
    return "requestBody" in declared or any(p["in"] == "query" for p in declared.get("parameters", []))


def _explore(operation, strategy, examples: int, headers: dict, run: Run) -> None:
    """Send `examples` requests drawn from `strategy` and check each answer; failures are collected."""

    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # no shrinking: the request is reported as it was sent
        suppress_health_check=list(HealthCheck),
    )
    def explore(case):
        run.sent[operation.label] = run.sent.get(operation.label, 0) + 1
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                run.statuses.setdefault(operation.label, set()).add(response.status_code)
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    summary = failure.message.splitlines()[0] if failure.message else ""
                    run.failures.setdefault((operation.label, failure.title, summary), str(group))
            transaction.set_rollback(True)

    # Unsatisfiable: nothing left to make invalid once the path is fixed (the other kinds still ran).
    with contextlib.suppress(Unsatisfiable):
        explore()


def _report(run: Run) -> str:
    lines = [f"{len(run.failures)} distinct failures:"]
    lines += [f"  {label} | {title} | {summary}" for label, title, summary in sorted(run.failures)]
    lines += ["", *run.failures.values(), *run.tracebacks]
    return "\n".join(lines)


@pytest.mark.parametrize(("role", "home"), ROLES)
def test_every_operation_answers_as_the_document_says(tree, fuzz_world, settings, role, home):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    user = tree.user(role, getattr(tree, home))
    answer = api_client(user).get("/api/v1/schema/", {"format": "json"})
    assert answer.status_code == 200
    document = answer.json()
    headers = {"Authorization": f"Token {Token.objects.get(user=user).key}"}
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    run = Run()
    with InTransactionWSGI(run) as app:
        schema.app = app
        for result in schema.get_all_operations():
            operation = result.ok()
            declared = document["paths"][operation.path][operation.method.lower()]
            fixed = _path_parameters(fuzz_world, operation.path)
            body = VALID_BODIES.get((operation.method.upper(), operation.path))
            known = {"path_parameters": fixed, "query": REQUIRED_QUERIES.get(operation.path)}
            if body is not None:
                valid = operation.as_strategy(**known, body=body(fuzz_world), media_type="application/json")
                _explore(operation, valid, 1, headers, run)
            _explore(operation, operation.as_strategy(**known), EXAMPLES["valid"], headers, run)
            _explore(operation, operation.as_strategy(), EXAMPLES["generated"], headers, run)
            if _takes_input(declared):
                invalid = operation.as_strategy(schemathesis.GenerationMode.NEGATIVE, path_parameters=fixed)
                _explore(operation, invalid, EXAMPLES["invalid"], headers, run)

    assert not run.failures and not run.tracebacks, _report(run)
    operations = [f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods]
    assert sorted(run.sent) == sorted(operations) and len(operations) >= 85  # every operation was tried
    # The success answers were checked too: every read answered 2xx at least once, unless refused on purpose.
    unanswered = {
        label
        for label, codes in run.statuses.items()
        if label.startswith("GET ") and not any(200 <= code < 300 for code in codes)
    }
    assert unanswered == set(REFUSED_READS[role]), {label: sorted(run.statuses[label]) for label in unanswered}
