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

from accounts.tests.factories import api_client
from analytics.models import SavedView as SavedViewModel
from core.models import AuditEntry
from ledger.models import GroupMember, Ledger, Officer, TaskUpdate, WrittenReport, WrittenRound, WrittenSection
from ledger.tests.factories import make_task
from orgs import services
from orgs.choices import Role
from orgs.models import Assignment, Membership, Organisation
from orgs.tests.factories import SYSTEM
from reporting import services as reporting_services
from reporting.models import DataSet, DataValue, Report
from reporting.tests.factories import at, load_workforce, open_report

OBJECT_ARGS = {"code", "pk", "id"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Route:
    kind: str  # which object the argument names: org, membership, user, assignment, audit, report
    foreign_status: int = 404
    body: dict | None = None  # a write body for this route (default: WRITE_BODIES[kind])


DETAIL_ROUTES = {
    "organisation-detail": Route("org"),
    "organisation-children": Route("org"),
    "organisation-history": Route("org"),
    "organisation-move": Route("org"),
    "organisation-close": Route("org"),
    "membership-detail": Route("membership"),
    "membership-revoke": Route("membership"),
    "user-detail": Route("user"),
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
}
# Objects that belong to no organisation: the same for every signed-in user, and read-only.
SHARED_ROUTES = {
    "dataset-detail": "a data set (form definition) is metadata of the whole province",
    "dataset-version-detail": "a data set version is metadata of the whole province",
    "period-detail": "a reporting period is a calendar span",
    "indicator-detail": "an indicator definition is metadata of the whole province",
    "ledger-written-round-detail": "a written-report round is the office's calendar for the whole province",
}
LIST_ROUTES = {
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
}
# Lists that need parameters to answer at all: added to every query of the list test.
LIST_REQUIRED = {
    "completeness-list": "dataset=WF_Y&period=2021",
    "analytics-query-list": "measure=element:WF_WORKERS&periods=2021&level=children",
    "analytics-drill-list": "measure=element:WF_WORKERS&period=2021",
}
NO_DATA_ROUTES = {
    "api_schema": "the OpenAPI document describes routes, not data",
    "api_docs": "Swagger UI page",
    "api_not_found": "answers 404 for any unknown address",
}

# Bodies plausible enough to pass validation, so a refusal cannot come from a malformed request.
WRITE_BODIES = {
    "org": {"name": "越权修改", "parent": "E-A1", "on": "2025-01-01", "version": 1},
    "membership": {},
    "user": {"is_active": False},
    "assignment": {"on": "2025-01-01"},
    "audit": {"event": "forged"},
    "report": {"version": 1},
    "savedview": {"version": 1, "name": "越权修改"},
    "ledger": {"version": 1, "notes": "越权修改"},
    "member": {"left_on": "2025-01-01"},
    "officer": {"left_on": "2025-01-01"},
    "written": {"version": 1},
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
    return [(p.name, p) for _, p in api_patterns() if arguments(p) & OBJECT_ARGS]


def test_every_api_route_is_mapped():
    seen = set()
    for route, pattern in api_patterns():
        seen.add(pattern.name)
        args = arguments(pattern)
        assert args <= OBJECT_ARGS, f"{route}: unexpected URL arguments {args - OBJECT_ARGS}"
        if args:
            assert pattern.name in DETAIL_ROUTES or pattern.name in SHARED_ROUTES, (
                f"{route} ({pattern.name}) takes {args}: add it to DETAIL_ROUTES"
            )
        else:
            assert pattern.name in LIST_ROUTES | set(NO_DATA_ROUTES), (
                f"{route} ({pattern.name}): add it to LIST_ROUTES (checked for leaks) or NO_DATA_ROUTES"
            )
    stale = (set(DETAIL_ROUTES) | set(SHARED_ROUTES) | LIST_ROUTES | set(NO_DATA_ROUTES)) - seen
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
    return {
        "ledger": {where: {"code": ledger.org.code} for where, ledger in ledgers.items()},
        "member": {where: {"pk": m.pk} for where, m in members.items()},
        "officer": {where: {"pk": o.pk} for where, o in officers.items()},
        "written": {where: {"pk": pk} for where, pk in written.items()},
        "round": {where: {"pk": r.pk} for where, r in rounds.items()},
        "participant": {where: {"pk": r.participants.get().pk} for where, r in rounds.items()},
        "savedview": {where: {"pk": v.pk} for where, v in views.items()},
        "org": {where: {"code": org.code} for where, org in places.items()},
        "membership": {where: {"pk": Membership.objects.get(user=u).pk} for where, u in reporters.items()},
        "user": {where: {"pk": u.pk} for where, u in reporters.items()},
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
        client = auditor if route.kind == "audit" else union_admin
        assert client.get(url).status_code == 200, url


def test_shared_routes_are_read_only_and_the_same_for_everyone(tree, world):
    """Metadata has no owner: the reporters of two branches read the same object, and nobody writes it here."""
    own = api(tree.user(Role.REPORTER, tree.ent_a1))
    other = api(tree.user(Role.REPORTER, tree.ent_b1))
    yearly = DataSet.objects.get(code="WF_Y")
    objects = {
        "dataset-detail": {"code": yearly.code},
        "dataset-version-detail": {"pk": yearly.current_version().pk},
        "period-detail": {"code": "2021"},
        "indicator-detail": {"code": "CERT_RATE"},
        "ledger-written-round-detail": {"pk": WrittenRound.objects.get(code="IDOR").pk},
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
        cache.clear()  # each list gets the whole rate allowance (the limit itself is tested in test_api)
        for query in LIST_QUERIES:
            if required:
                query = (query + "&" if query else "?") + required
            response = client.get(url + query)
            # 400 only as a located refusal of a value the list does not know (the alert list's kind=enterprise).
            refused = response.status_code == 400 and set(response.json()) >= {"detail"}
            assert response.status_code in (200, 403) or refused, (url + query, response.status_code)
            body = response.content.decode()
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
