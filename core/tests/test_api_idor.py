"""Row 9 of docs SECURITY: nobody reaches another organisation's objects through /api/v1 (IDOR).

Every URL pattern under /api/v1 is found with `get_resolver()`. A pattern that takes an object
argument (`code`, `pk`, `id`) must be listed in DETAIL_ROUTES, saying which kind of object it
takes; every other pattern must be in LIST_ROUTES or NO_DATA_ROUTES. A new route without an
entry fails `test_every_api_route_is_mapped`, so it cannot ship untested.

Routes whose object belongs to no organisation (the reporting metadata: data sets, their versions,
periods) are listed in SHARED_ROUTES with the reason; they must be read-only, and every signed-in
user reads the same object.

For each mapped route, the reporter of ent_a1 (and the administrator of union A) GET — and
send every write method the route accepts to — the object of a sibling and of another branch:
always 404 (the audit log, which no organisation owns, is 403 for anyone but its reader), and
nothing changes. The same users' lists, searched and filtered towards the other branch, never
contain it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.activation import activation_issue, latest_of
from accounts.tests.factories import api_client
from analytics.models import SavedView as SavedViewModel
from cases.models import Case, Replication
from core.actor import Actor
from core.models import AuditEntry, Job
from ledger.models import GroupMember, Ledger, Officer, TaskUpdate, WrittenReport, WrittenRound, WrittenSection
from ledger.tests.factories import make_task
from orgs import services
from orgs.choices import Role
from orgs.models import Assignment, Membership, Organisation
from orgs.tests.factories import SYSTEM
from policies.models import Measure, NoticeRecipient, UptakeLine, UptakeReport
from reporting import services as reporting_services
from reporting.models import DataSet, DataValue, Report
from reporting.tests.factories import at, load_workforce, open_report
from training.models import Enrolment, TrainingClass

OBJECT_ARGS = {"code", "pk", "id"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Route:
    kind: str  # which object the argument names: org, membership, user, assignment, audit, report
    foreign_status: int = 404
    body: dict | None = None  # a write body for this route (default: WRITE_BODIES[kind])


DETAIL_ROUTES = {
    # Studios: a studio is its organisation's; results and reviews hang from it; an alliance is seen through its
    # studios.
    **{f"studios-studio-{name}": Route("studio") for name in ("detail", "name", "revoke", "members")},
    "studios-result-detail": Route("studio_result"),
    **{f"studios-alliance-{name}": Route("studio_alliance") for name in ("detail", "activities")},
    **{f"studios-review-{name}": Route("studio_review") for name in ("detail", "submit", "return", "rate")},
    # Suggestions: a suggestion is its organisation's; a campaign its organiser's.
    "suggestions-suggestion-detail": Route("suggestion"),
    "suggestions-suggestion-step": Route("suggestion", body={"step": "review", "version": 1}),
    "suggestions-campaign-detail": Route("suggestion_campaign"),
    # Competitions: an event is its organiser's; an entry its entrant's (and the organiser's); an outcome its entry's.
    "competitions-event-detail": Route("competition"),
    "competitions-event-step": Route("competition"),
    "competitions-entry-detail": Route("competition_entry"),
    "competitions-entry-result": Route("competition_entry"),
    "competitions-outcome-detail": Route("competition_outcome"),
    # Talent: a person is his organisation's; honours and nominations hang from him.
    "talent-person-detail": Route("talent_person"),
    "talent-person-remove": Route("talent_person"),
    "talent-person-reveal": Route("talent_person", body={"field": "id_number", "reason": "越权查看"}),
    "talent-honour-detail": Route("talent_honour"),
    "talent-nomination-detail": Route("talent_nomination"),
    "talent-nomination-step": Route("talent_nomination", body={"step": "submit"}),
    "organisation-detail": Route("org"),
    "organisation-children": Route("org"),
    "organisation-history": Route("org"),
    "organisation-move": Route("org"),
    "organisation-close": Route("org"),
    "membership-detail": Route("membership"),
    "membership-revoke": Route("membership"),
    "user-detail": Route("user"),
    # An activation is its account's: seen and re-issued by whoever manages that account.
    "activation-reissue": Route("activation"),
    "assignment-detail": Route("assignment"),
    "assignment-end": Route("assignment"),
    # Not owned by any organisation: closed to everyone but the audit administrator.
    "audit-detail": Route("audit", foreign_status=403),
    # Reporting: a report belongs to its organisation; every step is a write on it.
    "report-detail": Route("report"),
    "report-values": Route("report", body={"version": 1, "values": [{"element": "WF_WORKERS", "value": "5"}]}),
    "report-import": Route("report", body={"values": [{"element": "WF_WORKERS", "value": "5"}], "dry_run": False}),
    "report-submit": Route("report"),
    "report-approve": Route("report"),
    "report-accept": Route("report"),
    "report-lock": Route("report"),
    "report-return": Route("report", body={"version": 1, "reason": "越权退回"}),
    "report-reopen": Route("report", body={"version": 1, "reason": "越权重开"}),
    # Analytics: a saved view belongs to its owner (shared ones are readable by everyone, never writable).
    "saved-view-detail": Route("savedview", body={"version": 1, "name": "越权修改"}),
    # Assessment: a round is seen through its published participants; a score card is its participant's.
    "assessment-round-detail": Route("round"),
    "assessment-round-results": Route("round"),
    "assessment-round-tasks": Route("round"),
    "assessment-score-card-detail": Route("participant"),
    # Ledger: an organisation's ledger (by its code) and its group members and officers.
    "ledger-ledger-detail": Route("ledger"),
    "ledger-member-end": Route("member"),
    "ledger-officer-end": Route("officer"),
    "ledger-officer-reveal": Route("officer"),
    # Ledger, written reports: a report is its organisation's; every step and section write is a write on it.
    "ledger-written-report-detail": Route("written"),
    "ledger-written-report-section": Route("written", body={"version": 1, "aspect": 1, "body": "<p>越权</p>"}),
    "ledger-written-report-comment": Route("written", body={"version": 1, "aspect": 1, "comment": "越权"}),
    "ledger-written-report-submit": Route("written"),
    "ledger-written-report-return": Route("written", body={"version": 1, "reason": "越权退回"}),
    "ledger-written-report-accept": Route("written"),
    "ledger-written-report-reopen": Route("written", body={"version": 1, "reason": "越权重开"}),
    # Ledger (alerts and timeline): an organisation's timeline is seen through the organisation.
    "ledger-timeline-detail": Route("org"),
    # Policies: a notice as its organisation received it; an organisation's uptake form.
    "policy-notice-detail": Route("policy_notice"),
    "policy-notice-open": Route("policy_notice"),
    "policy-uptake-detail": Route("policy_uptake"),
    "policy-uptake-save": Route("policy_uptake", body={"version": 1, "submit": False, "answers": []}),
    # Training: a class is its organiser's (and its audience's below it); an enrolment its organisation's.
    "training-class-detail": Route("training_class"),
    "training-class-step": Route("training_class", body={"step": "finish"}),
    "training-class-completion": Route("training_class", body={"completed": {"1": True}}),
    "training-enrolment-detail": Route("enrolment"),
    "training-enrolment-withdraw": Route("enrolment"),
    "training-enrolment-reveal": Route("enrolment"),
    # Sites: a site, a nomination and what hangs from a site are their organisation's (and its guidance group's).
    "sites-site-detail": Route("site"),
    "sites-site-assign": Route("site", body={"version": 1, "group": 1}),
    "sites-site-accept": Route("site"),
    "sites-site-withdraw": Route("site"),
    "sites-site-reveal": Route("site"),
    "sites-nomination-detail": Route("nomination", body={"version": 1, "plans": "越权修改"}),
    "sites-nomination-submit": Route("nomination"),
    "sites-nomination-return": Route("nomination"),
    "sites-nomination-select": Route("nomination"),
    "sites-nomination-reject": Route("nomination"),
    "sites-nomination-reveal": Route("nomination"),
    "sites-group-detail": Route("group"),
    "sites-visit-detail": Route("visit"),
    "sites-followup-detail": Route("followup"),
    "sites-followup-close": Route("followup", body={"version": 1, "note": "越权办结"}),
    "sites-rating-detail": Route("rating"),
    # Cases: a draft is its organisation's; every step is a write on it. An adoption record is the adopter's.
    "case-detail": Route("case"),
    "case-submit": Route("case"),
    "case-return": Route("case", body={"version": 1, "reason": "越权退回"}),
    "case-publish": Route("case"),
    "case-withdraw": Route("case", body={"version": 1, "reason": "越权撤回"}),
    "case-replication-detail": Route("replication"),
    # Publishing: a submission is its organisation's; an issue is read by the organisations on its distribution.
    **{
        f"publishing-submission-{name}": Route("psub")
        for name in ("detail", "submit", "take", "return", "accept", "decline")
    },
    "publishing-issue-detail": Route("pissue"),
    "publishing-issue-documents": Route("pissue"),
}
# Objects that belong to no organisation: the same for every signed-in user, and read-only.
SHARED_ROUTES = {
    "talent-round-detail": "a selection round is the office's calendar for the whole province",
    "dataset-detail": "a data set (form definition) is metadata of the whole province",
    "dataset-version-detail": "a data set version is metadata of the whole province",
    "period-detail": "a reporting period is a calendar span",
    "indicator-detail": "an indicator definition is metadata of the whole province",
    "ledger-written-round-detail": "a written-report round is the office's calendar for the whole province",
    "policy-measure-detail": "a published policy measure is the province's library, the same for every reader",
    "sites-batch-detail": "a batch of demonstration sites is the office's calendar for the whole province",
}
# The reform office's own documents, which belong to no organisation: for everyone else the list is empty, an object
# 404 and a new one 403.
OFFICE_ROUTES = {
    "publishing-report-list": "evaluation reports are drafted by the office for the whole province",
    "publishing-report-detail": "an evaluation report",
    "publishing-report-generate": "drawing an evaluation report again",
    "publishing-report-file-detail": "a kept file of an evaluation report",
    "export-list": "the province export holds every organisation's data: the office's administrators only",
    "export-detail": "a kept province export",
    "export-download": "downloading a kept province export",
}
LIST_ROUTES = {
    "studios-studio-list",
    "studios-result-list",
    "studios-alliance-list",
    "studios-review-list",
    "suggestions-suggestion-list",
    "suggestions-campaign-list",
    "suggestions-statistics-list",
    "competitions-event-list",
    "competitions-entry-list",
    "competitions-outcome-list",
    "talent-person-list",
    "talent-honour-list",
    "talent-round-list",
    "talent-nomination-list",
    "api-root",
    "organisation-list",
    "membership-list",
    "user-list",
    "user-me",
    "assignment-list",
    "audit-list",
    "dataset-list",
    "dataset-version-list",
    "period-list",
    "report-list",
    "completeness-list",
    "indicator-list",
    "analytics-query-list",
    "analytics-drill-list",
    "saved-view-list",
    "assessment-round-list",
    "assessment-rating-list",
    "assessment-appeal-list",
    "ledger-ledger-list",
    "ledger-member-list",
    "ledger-officer-list",
    "ledger-task-update-list",
    "ledger-written-round-list",
    "ledger-written-report-list",
    "ledger-written-submission-list",
    # ledger (roadmap part): the tasks in scope with their progress, and the summaries.
    "ledger-task-list",
    "ledger-summary-list",
    # Ledger (alerts and timeline).
    "ledger-alert-list",
    # Policies: measures (the library), the caller's eligibility, notices and uptake forms in scope.
    "policy-measure-list",
    "policy-eligibility-list",
    "policy-notice-list",
    "policy-uptake-list",
    # Training.
    "training-class-list",
    "training-enrolment-list",
    "training-attendance-list",
    "training-coverage-list",
    # Sites.
    "sites-batch-list",
    "sites-nomination-list",
    "sites-site-list",
    "sites-group-list",
    "sites-visit-list",
    "sites-followup-list",
    "sites-rating-list",
    # The organisation tree as a file (CSV here, for the leak check): the caller's own subtree.
    "org-transfer-export",
    # Activations of the accounts the caller manages.
    "activation-list",
    # Cases: published ones province-wide, the others in scope; adoption records of the adopter or the source.
    "case-list",
    "case-replication-list",
    # Publishing.
    "publishing-submission-list",
    "publishing-issue-list",
}
# Lists that need parameters to answer at all: added to every query of the list test.
LIST_REQUIRED = {
    "org-transfer-export": "type=csv",
    "completeness-list": "dataset=WF_Y&period=2021",
    "analytics-query-list": "measure=element:WF_WORKERS&periods=2021&level=children",
    "analytics-drill-list": "measure=element:WF_WORKERS&period=2021",
}
NO_DATA_ROUTES = {
    "api_schema": "the OpenAPI document describes routes, not data",
    "api_docs": "Swagger UI page",
    "api_not_found": "answers 404 for any unknown address",
    "people-import-preview": "an upload; its organisations are resolved inside the caller's scope (accounts tests)",
    "people-import-confirm": "an upload; its organisations are resolved inside the caller's scope (accounts tests)",
    "history-import-list": "an upload (POST only); its organisation is read through the door, 404 outside the scope "
    "(reporting/tests/test_history_views.py)",
    "org-transfer-import": "an upload, scoped inside its plan: codes outside the caller's subtree are refused with the "
    "uniform message (orgs/tests/test_transfer.py::test_a_union_cannot_import_outside_its_subtree_and_learns_nothing)",
}

# Bodies plausible enough to pass validation, so a refusal cannot come from a malformed request.
WRITE_BODIES = {
    "studio": {"version": 1, "name": "越权修改", "reason": "越权撤销"},
    "studio_result": {"version": 1, "title": "越权修改"},
    "studio_alliance": {"version": 1, "name": "越权修改"},
    "studio_review": {"version": 1, "reason": "越权退回"},
    "suggestion": {"version": 1, "title": "越权修改"},
    "suggestion_campaign": {"version": 1, "name": "越权修改"},
    "competition": {"version": 1, "name": "越权修改", "step": "finished"},
    "competition_entry": {"version": 1, "rank": 1, "award": "first"},
    "competition_outcome": {},
    "talent_person": {"version": 1, "name": "越权修改", "reason": "越权移出"},
    "talent_honour": {},
    "talent_nomination": {"step": "submit"},
    "org": {"name": "越权修改", "parent": "E-A1", "on": "2025-01-01", "version": 1},
    "membership": {},
    "user": {"is_active": False},
    "activation": {},
    "assignment": {"on": "2025-01-01"},
    "audit": {"event": "forged"},
    "report": {"version": 1},
    "savedview": {"version": 1, "name": "越权修改"},
    "ledger": {"version": 1, "notes": "越权修改"},
    "member": {"left_on": "2025-01-01"},
    "officer": {"left_on": "2025-01-01"},
    "written": {"version": 1},
    "policy_notice": {},
    "training_class": {"version": 1, "title": "越权修改"},
    "enrolment": {},
    "site": {"version": 1, "reason": "越权撤销"},
    "nomination": {"version": 1, "reason": "越权退回"},
    "case": {"version": 1, "title": "越权修改"},
    "replication": {},
    "psub": {"version": 1, "reason": "越权", "title": "越权修改"},
    "pissue": {},
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def api_patterns() -> list[tuple[str, URLPattern]]:
    return [(route, p) for route, p in _walk(get_resolver().url_patterns) if route.lstrip("^").startswith("api/v1/")]


def arguments(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex)


def methods(pattern: URLPattern) -> set[str]:
    # HEAD and OPTIONS carry no object data (HEAD is GET without a body).
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return set(actions) - {"options", "head"}
    view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    return {m for m in view.http_method_names if hasattr(view, m)} - {"options", "head"}


def detail_patterns():
    return [(p.name, p) for _, p in api_patterns() if arguments(p) & OBJECT_ARGS and p.name not in OFFICE_ROUTES]


def test_every_api_route_is_mapped():
    seen = set()
    for route, pattern in api_patterns():
        seen.add(pattern.name)
        args = arguments(pattern)
        assert args <= OBJECT_ARGS, f"{route}: unexpected URL arguments {args - OBJECT_ARGS}"
        if pattern.name in OFFICE_ROUTES:
            continue
        if args:
            assert pattern.name in DETAIL_ROUTES or pattern.name in SHARED_ROUTES, (
                f"{route} ({pattern.name}) takes {args}: add it to DETAIL_ROUTES"
            )
        else:
            assert pattern.name in LIST_ROUTES | set(NO_DATA_ROUTES), (
                f"{route} ({pattern.name}): add it to LIST_ROUTES (checked for leaks) or NO_DATA_ROUTES"
            )
    stale = (set(DETAIL_ROUTES) | set(SHARED_ROUTES) | LIST_ROUTES | set(NO_DATA_ROUTES) | set(OFFICE_ROUTES)) - seen
    assert not stale, f"mapped routes that no longer exist: {stale}"


@pytest.fixture
def world(tree):
    """One object of each kind in the reporter's own enterprise, a sibling and another branch."""
    places = {"own": tree.ent_a1, "sibling": tree.ent_a2, "other_branch": tree.ent_b1}
    reporters = {where: tree.user(Role.REPORTER, org) for where, org in places.items()}
    assignments = {"own": Assignment.objects.get(enterprise=tree.ent_a1)}
    for where in ("sibling", "other_branch"):
        assignments[where] = services.assignment_create(
            by=SYSTEM, department=tree.dept, enterprise=places[where], valid_from=dt.date(2021, 1, 1)
        )
    yearly, _quarterly = load_workforce()
    with pytest.MonkeyPatch.context() as patch:  # while the 2021 round is open for entry
        patch.setattr(timezone, "now", lambda: at(2022, 1, 10))
        reports = {where: open_report(tree, yearly, "2021", org) for where, org in places.items()}
        for where in ("sibling", "other_branch"):  # something a foreign write could change
            reporting_services.values_save(
                by=SYSTEM, report=reports[where], version=1, values={("WF_WORKERS", ""): "1000"}
            )
    from analytics.models import SavedView

    views = {
        where: SavedView.objects.create(owner=reporters[where], name=f"视图 {org.code}", shared=where == "own",
                                        query={"measure": "element:WF_WORKERS", "org": org.code})
        for where, org in places.items()
    }  # fmt: skip
    from assessment.tests.rounds import quick_round

    office = tree.user(Role.OFFICE_ADMIN)
    rounds = {where: quick_round(office, f"考核轮次{i}", [org]) for i, (where, org) in enumerate(places.items())}
    ledgers = {where: Ledger.objects.create(org=org, listed_on=dt.date(2018, 1, 1)) for where, org in places.items()}
    members = {
        where: GroupMember.objects.create(ledger=ledger, name="组长", role="leader", joined_on=dt.date(2019, 1, 1))
        for where, ledger in ledgers.items()
    }
    officers = {
        where: Officer.objects.create(ledger=ledger, kind="info", name="信息员", started_on=dt.date(2019, 1, 1))
        for where, ledger in ledgers.items()
    }
    for ledger in ledgers.values():
        TaskUpdate.objects.create(task=make_task(ledger), on=dt.date(2021, 3, 1), note="进展", value=1)
    from ledger.tests.written_factories import idor_objects

    written = idor_objects(places)["written"]  # a written report per place
    from policies.tests.factories import idor_objects as policy_objects

    policy = policy_objects(places)
    from training.tests.factories import idor_objects as training_objects

    training = training_objects(places)
    from sites.tests.factories import api_objects

    sites = api_objects(places, tree.user(Role.DEPT_VIEWER))  # a site with its group, nomination, visit … per place
    from cases.tests.factories import idor_objects as case_objects

    case_rows = case_objects(places, tree.user(Role.OFFICE_ADMIN))
    from publishing.tests.factories import idor_objects as publishing_objects

    published = publishing_objects(places)  # a submission and an issued issue per place
    from talent.tests.factories import idor_objects as talent_objects

    talent = talent_objects(places)
    from competitions.tests.factories import idor_objects as competition_objects

    contests = competition_objects(places)
    from studios.tests.factories import idor_objects as studio_objects

    studio_rows = studio_objects(places)
    from suggestions.tests.factories import idor_objects as suggestion_objects

    suggestion_rows = suggestion_objects(places)
    return {
        **{
            kind: {where: {"pk": pk} for where, pk in studio_rows[kind].items()}
            for kind in ("studio", "studio_result", "studio_alliance", "studio_review")
        },
        **{
            kind: {where: {"pk": pk} for where, pk in suggestion_rows[kind].items()}
            for kind in ("suggestion", "suggestion_campaign")
        },
        **{kind: {where: {"pk": pk} for where, pk in rows.items()} for kind, rows in contests.items()},
        **{
            kind: {where: {"pk": pk} for where, pk in talent[kind].items()}
            for kind in ("talent_person", "talent_honour", "talent_nomination")
        },
        "training_class": {where: {"pk": pk} for where, pk in training["training_class"].items()},
        "enrolment": {where: {"pk": pk} for where, pk in training["enrolment"].items()},
        **{kind: {where: {"pk": pk} for where, pk in rows.items()} for kind, rows in sites.items()},
        "case": {where: {"pk": pk} for where, pk in case_rows["case"].items()},
        "replication": {where: {"pk": pk} for where, pk in case_rows["replication"].items()},
        "ledger": {where: {"code": ledger.org.code} for where, ledger in ledgers.items()},
        "member": {where: {"pk": m.pk} for where, m in members.items()},
        "officer": {where: {"pk": o.pk} for where, o in officers.items()},
        "written": {where: {"pk": pk} for where, pk in written.items()},
        "policy_notice": {where: {"pk": pk} for where, pk in policy["policy_notice"].items()},
        "policy_uptake": {where: {"pk": pk} for where, pk in policy["policy_uptake"].items()},
        "psub": {where: {"pk": pk} for where, pk in published["psub"].items()},
        "pissue": {where: {"pk": pk} for where, pk in published["pissue"].items()},
        "round": {where: {"pk": r.pk} for where, r in rounds.items()},
        "participant": {where: {"pk": r.participants.get().pk} for where, r in rounds.items()},
        "savedview": {where: {"pk": v.pk} for where, v in views.items()},
        "org": {where: {"code": org.code} for where, org in places.items()},
        "membership": {where: {"pk": Membership.objects.get(user=u).pk} for where, u in reporters.items()},
        "user": {where: {"pk": u.pk} for where, u in reporters.items()},
        "activation": {
            where: {"pk": (activation_issue(by=SYSTEM, user=u), latest_of(u))[1].pk} for where, u in reporters.items()
        },
        "assignment": {where: {"pk": a.pk} for where, a in assignments.items()},
        "audit": {where: {"pk": AuditEntry.objects.order_by("id").first().pk} for where in places},
        "report": {where: {"pk": r.pk} for where, r in reports.items()},
    }


def api(user) -> APIClient:
    return api_client(user, ip="10.60.0.1")


def state() -> dict:
    return {
        "orgs": list(Organisation.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "reports": list(Report.objects.order_by("pk").values()),
        "values": list(DataValue.objects.order_by("pk").values()),
        "views": list(SavedViewModel.objects.order_by("pk").values()),
        "ledgers": list(Ledger.objects.order_by("pk").values()),
        "members": list(GroupMember.objects.order_by("pk").values()),
        "officers": list(Officer.objects.order_by("pk").values()),
        "written": list(WrittenReport.objects.order_by("pk").values()),
        "sections": list(WrittenSection.objects.order_by("pk").values()),
        "policy_notices": list(NoticeRecipient.objects.order_by("pk").values()),
        "policy_uptake": list(UptakeReport.objects.order_by("pk").values()),
        "policy_lines": list(UptakeLine.objects.order_by("pk").values()),
        "classes": list(TrainingClass.objects.order_by("pk").values()),
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "cases": list(Case.objects.order_by("pk").values()),
        "replications": list(Replication.objects.order_by("pk").values()),
        **publishing_state(),
    }


def publishing_state() -> dict:
    from publishing.models import Article, Issue, Recipient, Submission

    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in (Submission, Issue, Article, Recipient)
    }


# Who probes, and which places are foreign to them.
PROBES = [
    (Role.REPORTER, "ent_a1", ("sibling", "other_branch")),
    (Role.UNION_ADMIN, "union_a", ("other_branch",)),
]


@pytest.mark.parametrize(("role", "home", "foreign"), PROBES)
def test_foreign_objects_are_not_found_on_every_detail_route(tree, world, role, home, foreign):
    client = api(tree.user(role, getattr(tree, home)))
    before = state()
    tried = writes = 0
    for name, pattern in detail_patterns():
        if name in SHARED_ROUTES:
            continue
        cache.clear()  # each route gets the whole rate allowance (the limit itself is tested in test_api)
        route = DETAIL_ROUTES[name]
        arg = (arguments(pattern) & OBJECT_ARGS).pop()
        for where in foreign:
            url = reverse(name, kwargs={arg: next(iter(world[route.kind][where].values()))})
            for method in sorted(methods(pattern)):
                if method in WRITE_METHODS:
                    body = WRITE_BODIES[route.kind] if route.body is None else route.body
                    response = getattr(client, method)(url, body, format="json")
                    writes += 1
                else:
                    response = getattr(client, method)(url)
                assert response.status_code == route.foreign_status, (method.upper(), url, response.content)
                assert set(response.json()) == {"detail"}, (method.upper(), url)
                tried += 1
    assert tried >= len(DETAIL_ROUTES) * len(foreign)
    assert writes >= 13 * len(foreign)  # update, move, close, revoke, end, and the report's steps at least
    assert state() == before  # nothing was changed by any of the refused writes


def test_detail_routes_answer_for_objects_in_scope(tree, world):
    """The control: the same URLs with the union administrator's own objects are found."""
    union_admin = api(tree.user(Role.UNION_ADMIN))
    auditor = api(tree.user(Role.AUDIT_ADMIN))
    for name, pattern in detail_patterns():
        if name in SHARED_ROUTES:
            continue
        route = DETAIL_ROUTES[name]
        if "get" not in methods(pattern):
            continue
        arg = (arguments(pattern) & OBJECT_ARGS).pop()
        url = reverse(name, kwargs={arg: next(iter(world[route.kind]["own"].values()))})
        cache.clear()  # the rate allowance is not what this test is about
        client = auditor if route.kind == "audit" else union_admin
        assert client.get(url).status_code == 200, url


def test_office_routes_show_nothing_to_anyone_but_the_office(tree, settings, tmp_path):
    from django.core.files.base import ContentFile

    from core.jobs import job_run
    from dataexport.models import ProvinceExport
    from publishing import tasks
    from publishing.models import ReportDocument
    from publishing.services import reports

    settings.MEDIA_ROOT = tmp_path
    office = tree.user(Role.OFFICE_ADMIN)
    report = reports.report_create(by=Actor(user=office), kind="annual", year=2021)
    job = reports.documents_request(by=Actor(user=office), report=report)
    job_run(job_id=job.pk, work=lambda actor, job: tasks.run_report(actor, job.pk, report.pk))
    kwargs = {"pk": report.pk}
    export = ProvinceExport(original_name="全省数据导出.zip", size=2, content_type="application/zip", sha256="0" * 64)
    export.file.save("export.zip", ContentFile(b"PK"), save=True)
    objects = {
        "publishing-report-list": {},
        "publishing-report-detail": kwargs,
        "publishing-report-generate": kwargs,
        "publishing-report-file-detail": {"pk": ReportDocument.objects.filter(report=report).first().pk},
        "export-list": {},
        "export-detail": {"pk": export.pk},
        "export-download": {"pk": export.pk},
    }
    assert set(objects) == set(OFFICE_ROUTES)
    patterns = {p.name: p for _, p in api_patterns() if p.name in OFFICE_ROUTES}
    roles = ((Role.REPORTER, tree.ent_a1), (Role.UNION_ADMIN, tree.union_a), (Role.LEADER, tree.office),
             (Role.SYS_ADMIN, tree.office))  # fmt: skip
    others = [tree.user(role, org) for role, org in roles]
    jobs_before = Job.objects.count()
    for name, pattern in patterns.items():
        url = reverse(name, kwargs=objects[name])
        for user in others:
            cache.clear()
            client = api(user)
            for method in sorted(methods(pattern)):
                response = getattr(client, method)(url, {"kind": "annual", "year": 2021}, format="json")
                expected = {"get": 200, "post": 403} if name.endswith("-list") else {}
                assert response.status_code == expected.get(method, 404), (user.username, method, url)
                if name.endswith("-list") and method == "get":
                    assert response.json()["results"] == []
        if "get" in methods(pattern):
            cache.clear()
            assert api(office).get(url).status_code == 200, url
    assert Job.objects.count() == jobs_before  # nobody else started a draft


def test_shared_routes_are_read_only_and_the_same_for_everyone(tree, world):
    """Metadata has no owner: the reporters of two branches read the same object, and nobody writes it here."""
    from talent.models import SelectionRound

    own = api(tree.user(Role.REPORTER, tree.ent_a1))
    other = api(tree.user(Role.REPORTER, tree.ent_b1))
    yearly = DataSet.objects.get(code="WF_Y")
    objects = {
        "dataset-detail": {"code": yearly.code},
        "dataset-version-detail": {"pk": yearly.current_version().pk},
        "period-detail": {"code": "2021"},
        "indicator-detail": {"code": "CERT_RATE"},
        "ledger-written-round-detail": {"pk": WrittenRound.objects.get(code="IDOR").pk},
        "policy-measure-detail": {"pk": Measure.objects.get(title="越权探测政策").pk},
        "sites-batch-detail": {"pk": world["batch"]["own"]["pk"]},
        "talent-round-detail": {"pk": SelectionRound.objects.get(title="越权探测评选").pk},
    }
    assert set(objects) == set(SHARED_ROUTES)
    for name, pattern in detail_patterns():
        if name not in SHARED_ROUTES:
            continue
        assert methods(pattern) == {"get"}, (name, methods(pattern))
        url = reverse(name, kwargs=objects[name])
        first, second = own.get(url), other.get(url)
        assert first.status_code == second.status_code == 200, url
        assert first.json() == second.json()
        assert own.post(url, {}, format="json").status_code == 405


MARKERS = {
    "sibling": ["E-A2", "曲靖供电局", "reporter_e-a2"],
    "other_branch": ["E-B1", "U-B", "中国铜业", "云南铜业股份", "reporter_e-b1"],
}
# The org codes are also checked in JSON form, e.g. in a report's or a completeness row's "org".
LIST_QUERIES = [
    "",
    "?limit=500",
    "?q=铜",
    "?q=ztyg",
    "?q=E-",
    "?parent=U-B",
    "?within=U-B",
    "?closed=true",
    "?kind=enterprise",
    "?org=E-B1",
    "?org=E-A2",
    "?enterprise=E-B1",
    "?enterprise=E-A2",
    "?username=e-b1",
    "?role=reporter",
]


@pytest.mark.parametrize(("role", "home", "foreign"), PROBES)
def test_lists_never_contain_foreign_objects(tree, world, role, home, foreign):
    client = api(tree.user(role, getattr(tree, home)))
    list_urls = [(reverse(p.name), LIST_REQUIRED.get(p.name)) for _, p in api_patterns() if p.name in LIST_ROUTES]
    assert len(list_urls) == len(LIST_ROUTES)
    for url, required in list_urls:
        for query in LIST_QUERIES:
            cache.clear()  # each query gets the whole rate allowance (the limits themselves are tested elsewhere)
            if required:
                query = (query + "&" if query else "?") + required
            response = client.get(url + query)
            # 400 only as a located refusal of a value the list does not know (the alert list's kind=enterprise).
            refused = response.status_code == 400 and set(response.json()) >= {"detail"}
            assert response.status_code in (200, 403) or refused, (url + query, response.status_code)
            body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
            for where in foreign:
                for marker in MARKERS[where]:
                    assert marker not in body, (url + query, marker)
    # The filters that name the probe's own objects do find them (the lists are not simply empty).
    assert "E-A1" in client.get("/api/v1/organisations/?q=E-A1").content.decode()


def test_markers_are_present_for_someone_who_may_see_them(tree, world):
    """Guard against markers that could never appear (which would make the list test pass vacuously)."""
    body = " ".join(
        api(tree.user(Role.SYS_ADMIN)).get(url).content.decode()
        for url in ("/api/v1/organisations/?limit=500", "/api/v1/users/?limit=500", "/api/v1/memberships/?limit=500")
    )
    office = api(tree.user(Role.OFFICE_ADMIN, tree.province))
    body += office.get("/api/v1/assignments/").content.decode()
    reporting = office.get("/api/v1/reports/?limit=500").content.decode()
    reporting += office.get("/api/v1/completeness/?dataset=WF_Y&period=2021").content.decode()
    for markers in MARKERS.values():
        for marker in markers:
            assert re.search(re.escape(marker), body), marker
    # The reporting lists do name the foreign organisations to someone who may see them.
    for marker in ("E-A2", "曲靖供电局", "E-B1", "云南铜业股份"):
        assert marker in reporting, marker
