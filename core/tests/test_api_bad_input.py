"""The API never answers 500 for bad input (issue 11): every collection under /api/v1, given
out-of-range paging and, for each of its filters, numbers too large for any database, control
characters and garbage, answers 200 or a 4xx with a Chinese {"detail": …}."""

from __future__ import annotations

import pytest
from django.db import DataError
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient, APIRequestFactory

from core.api import exception_handler
from orgs.choices import Role

HOSTILE = ["1e20", "99999999999999999999", "-1", "\x00", "abc"]


def _list_views():
    """(route, view class) of every collection under /api/v1 that pages or filters."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    seen = {}
    for raw, pattern in walk(get_resolver().url_patterns):
        route = raw.replace("^", "").replace("$", "")
        cls = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", {}) or {}
        if not route.startswith("api/v1/") or cls is None or "<" in route or "*" in route or "\\" in route:
            continue
        if actions and actions.get("get") != "list":
            continue
        seen[route] = cls
    return sorted(seen.items())


LIST_VIEWS = _list_views()


def _filter_names(cls) -> list[str]:
    filterset = getattr(cls, "filterset_class", None)
    names = list(filterset.base_filters) if filterset is not None else []
    names += list(getattr(cls, "filterset_fields", []) or [])
    # Parameters read by hand (the analytics query, completeness) under the names they commonly use.
    return sorted(set(names) or {"year", "org", "period", "id", "indicator", "round", "dataset"})


def test_the_collections_are_found():
    routes = [route for route, _cls in LIST_VIEWS]
    assert "api/v1/reports/" in routes
    assert "api/v1/periods/" in routes
    assert len(routes) >= 8


@pytest.fixture
def office(tree):
    client = APIClient(REMOTE_ADDR="10.80.0.7", raise_request_exception=False)
    client.force_authenticate(tree.user(Role.OFFICE_ADMIN))
    return client


def _check(response, url):
    assert response.status_code < 500, f"{url} → {response.status_code}"
    if response.status_code >= 400:
        body = response.json()
        assert body["detail"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), (url, body)


@pytest.mark.parametrize(("route", "cls"), LIST_VIEWS, ids=[r for r, _c in LIST_VIEWS])
def test_hostile_paging_and_filters_never_answer_500(office, settings, route, cls):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    url = "/" + route
    for query in ("limit=99999999999999999999", "offset=99999999999999999999", "limit=-1", "limit=abc"):
        _check(office.get(f"{url}?{query}"), f"{url}?{query}")
    for name in _filter_names(cls):
        for value in HOSTILE:
            _check(office.get(url, {name: value}), f"{url}?{name}={value!r}")


def test_out_of_range_numbers_get_a_400_naming_the_problem(office):
    # The two requests of the finding: an HTML 500 page before.
    response = office.get("/api/v1/periods/", {"year": "1e20"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"year": ["应为整数（只能包含数字）。"]}
    response = office.get("/api/v1/periods/", {"year": "99999999999999999999"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"year": ["确保该值小于或等于2200。"]}
    response = office.get("/api/v1/reports/", {"limit": "99999999999999999999"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"limit": ["应为 1 到 1000 之间的整数。"]}


@pytest.mark.parametrize(
    "error", [OverflowError("Python int too large to convert to SQLite INTEGER"), DataError("bigint")]
)
def test_a_number_the_database_cannot_hold_is_the_clients_error(tree, error):
    # The safety net under every filter: whatever reaches the database too large is a 400, not a 500.
    request = APIRequestFactory().get("/api/v1/reports/")
    response = exception_handler(error, {"request": request, "view": None})
    assert response.status_code == 400
    assert response.data["errors"] == {"query": ["查询参数中的数字超出了允许的范围，请检查后重试。"]}
