"""The OpenAPI document declares the API's error answers once (core/openapi.py): the `Error` shape, and on
each operation the error statuses it can answer, read from what the operation takes (issue 11)."""

from __future__ import annotations

import json

import pytest

from core.openapi import error_statuses

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def document():
    """The document /api/v1/schema/ serves (it describes routes, not data: made once for this module)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _schema(answer: dict) -> dict:
    return answer["content"]["application/json"]["schema"]


def test_every_operation_declares_its_error_answers_in_the_one_shape(document):
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
    operations = list(_operations(document))
    assert len(operations) >= 85
    for path, method, operation in operations:
        responses = operation["responses"]
        for status in ("401", "403", "429"):
            assert _schema(responses[status]) == ERROR, (method, path, status)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method != "get":
            assert "409" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "415"} <= set(responses), (method, path)
        if any(p["name"] == "If-Match" for p in operation.get("parameters", [])):
            assert {"412", "428"} <= set(responses), (method, path)
    assert "Retry-After" in document["paths"]["/api/v1/reports/"]["get"]["responses"]["429"]["headers"]


def test_statuses_follow_what_the_operation_takes():
    plain_read = {"parameters": [{"in": "path", "name": "id"}]}
    paged_list = {"parameters": [{"in": "query", "name": "limit"}, {"in": "query", "name": "offset"}]}
    filtered_list = {"parameters": [{"in": "query", "name": "org"}]}
    versioned_write = {"parameters": [{"in": "header", "name": "If-Match"}], "requestBody": {}}

    assert error_statuses("get", plain_read) == {"401", "403", "404", "429"}
    assert error_statuses("get", paged_list) == {"400", "401", "403", "429"}
    assert error_statuses("get", filtered_list) == {"400", "401", "403", "404", "429"}
    assert error_statuses("get", {}) == {"401", "403", "429"}
    assert error_statuses("patch", versioned_write) == {
        "400", "401", "403", "404", "409", "412", "415", "428", "429"
    }  # fmt: skip


def test_an_answer_a_view_declares_itself_is_kept(document):
    # The import answers its refusals with every problem found, not the usual shape.
    responses = document["paths"]["/api/v1/reports/{id}/import/"]["post"]["responses"]
    for status in ("400", "409", "413"):
        assert _schema(responses[status]) == {"$ref": "#/components/schemas/ImportRefusal"}, status
    assert _schema(responses["404"]) == ERROR


@pytest.mark.parametrize(
    ("path", "component"),
    [
        ("/api/v1/analytics/query/", "QueryAnswer"),
        ("/api/v1/analytics/drill-through/", "DrillThrough"),
        ("/api/v1/completeness/", "Completeness"),
        ("/api/v1/ledger/summary/", "Summary"),
        ("/api/v1/ledger/written-submissions/", "Submissions"),
    ],
)
def test_collections_that_answer_one_object_are_documented_as_one(document, path, component):
    # drf-spectacular takes a `list` action for an array unless told otherwise.
    assert _schema(document["paths"][path]["get"]["responses"]["200"]) == {"$ref": f"#/components/schemas/{component}"}
