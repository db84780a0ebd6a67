"""Row 9 of docs SECURITY: nobody reaches another organisation's objects through /api/v1 (IDOR).

Every URL pattern under /api/v1 is found with `get_resolver()`. A pattern that takes an object
argument (`code`, `pk`, `id`) must be listed in DETAIL_ROUTES, saying which kind of object it
takes; every other pattern must be in LIST_ROUTES or NO_DATA_ROUTES. A new route without an
entry fails `test_every_api_route_is_mapped`, so it cannot ship untested.

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
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs import services
from orgs.choices import Role
from orgs.models import Assignment, Membership, Organisation
from orgs.tests.factories import SYSTEM

OBJECT_ARGS = {"code", "pk", "id"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Route:
    kind: str  # which object the argument names: org, membership, user, assignment, audit
    foreign_status: int = 404


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
}
LIST_ROUTES = {
    "api-root",
    "organisation-list",
    "membership-list",
    "user-list",
    "user-me",
    "assignment-list",
    "audit-list",
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
            assert pattern.name in DETAIL_ROUTES, f"{route} ({pattern.name}) takes {args}: add it to DETAIL_ROUTES"
        else:
            assert pattern.name in LIST_ROUTES | set(NO_DATA_ROUTES), (
                f"{route} ({pattern.name}): add it to LIST_ROUTES (checked for leaks) or NO_DATA_ROUTES"
            )
    stale = (set(DETAIL_ROUTES) | LIST_ROUTES | set(NO_DATA_ROUTES)) - seen
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
    return {
        "org": {where: {"code": org.code} for where, org in places.items()},
        "membership": {where: {"pk": Membership.objects.get(user=u).pk} for where, u in reporters.items()},
        "user": {where: {"pk": u.pk} for where, u in reporters.items()},
        "assignment": {where: {"pk": a.pk} for where, a in assignments.items()},
        "audit": {where: {"pk": AuditEntry.objects.order_by("id").first().pk} for where in places},
    }


def api(user) -> APIClient:
    return api_client(user, ip="10.60.0.1")


def state() -> dict:
    return {
        "orgs": list(Organisation.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
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
        route = DETAIL_ROUTES[name]
        arg = (arguments(pattern) & OBJECT_ARGS).pop()
        for where in foreign:
            url = reverse(name, kwargs={arg: next(iter(world[route.kind][where].values()))})
            for method in sorted(methods(pattern)):
                if method in WRITE_METHODS:
                    response = getattr(client, method)(url, WRITE_BODIES[route.kind], format="json")
                    writes += 1
                else:
                    response = getattr(client, method)(url)
                assert response.status_code == route.foreign_status, (method.upper(), url, response.content)
                assert set(response.json()) == {"detail"}, (method.upper(), url)
                tried += 1
    assert tried >= len(DETAIL_ROUTES) * len(foreign)
    assert writes >= 5 * len(foreign)  # update, move, close, revoke, end at least
    assert state() == before  # nothing was changed by any of the refused writes


def test_detail_routes_answer_for_objects_in_scope(tree, world):
    """The control: the same URLs with the union administrator's own objects are found."""
    union_admin = api(tree.user(Role.UNION_ADMIN))
    auditor = api(tree.user(Role.AUDIT_ADMIN))
    for name, pattern in detail_patterns():
        route = DETAIL_ROUTES[name]
        if "get" not in methods(pattern):
            continue
        arg = (arguments(pattern) & OBJECT_ARGS).pop()
        url = reverse(name, kwargs={arg: next(iter(world[route.kind]["own"].values()))})
        client = auditor if route.kind == "audit" else union_admin
        assert client.get(url).status_code == 200, url


MARKERS = {
    "sibling": ["E-A2", "曲靖供电局", "reporter_e-a2"],
    "other_branch": ["E-B1", "U-B", "中国铜业", "云南铜业股份", "reporter_e-b1"],
}
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
    list_urls = [reverse(p.name) for _, p in api_patterns() if p.name in LIST_ROUTES]
    assert len(list_urls) == len(LIST_ROUTES)
    for url in list_urls:
        for query in LIST_QUERIES:
            response = client.get(url + query)
            assert response.status_code in (200, 403), (url + query, response.status_code)
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
    body += api(tree.user(Role.OFFICE_ADMIN, tree.province)).get("/api/v1/assignments/").content.decode()
    for markers in MARKERS.values():
        for marker in markers:
            assert re.search(re.escape(marker), body), marker
