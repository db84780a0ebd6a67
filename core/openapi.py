"""The OpenAPI document's error answers, declared once for the whole API (issue 11).

Every refusal leaves the API in one shape, {"detail": "…"} with "field" and "errors" for bad input
(core.api.exception_handler). Rather than repeat that on each view, a drf-spectacular postprocessing
hook adds the shape as the `Error` component and declares, on every operation, the error statuses
it can answer, read from what the operation itself declares:

- 401, 403 and 429 everywhere: no or a wrong credential, a role that does not allow it (or an account
  that must first change its password), too many requests;
- 400 where the request carries input (query or header parameters, a body);
- 404 where it names an object (a path parameter, a filter other than paging, a body);
- 409 on every write: the object changed meanwhile or its state does not allow the step;
- 415 where it takes a body: a body sent without a content type the operation reads;
- 412 and 428 where the operation takes an If-Match version.

A status a view declares itself (`@extend_schema(responses=…)`) is kept as the view says it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ERROR_COMPONENT = "Error"
PAGING = {"limit", "offset"}
WRITES = {"post", "put", "patch", "delete"}
METHODS = WRITES | {"get", "head", "options", "trace"}


def _error_schema() -> dict:
    return {
        "type": "object",
        "description": _("出错时的统一应答：detail 为中文说明；提交的数据有误时 errors 按字段列出问题。"),
        "properties": {
            "detail": {"type": "string", "description": _("给用户看的中文说明")},
            "field": {"type": "string", "description": _("出错的字段（只有一个字段出错时）")},
            "errors": {
                "description": _("按字段列出的问题：字段名 → 问题列表（嵌套数据时为嵌套结构）"),
                "anyOf": [{"type": "object", "additionalProperties": True}, {"type": "array", "items": {}}],
            },
        },
        "required": ["detail"],
    }


def _descriptions() -> dict[str, str]:
    return {
        "400": _("请求有误：参数或提交的数据不符合要求。"),
        "401": _("未登录，或令牌无效、账号已停用。"),
        "403": _("您没有执行此操作的权限，或须先完成账号要求的操作（如修改密码）。"),
        "404": _("未找到该对象，或您无权访问。"),
        "409": _("该对象已被他人修改，或当前状态不允许此操作。"),
        "412": _("If-Match 中的版本号已不是当前版本。"),
        "415": _("不支持的请求内容类型：请按文档给出 Content-Type。"),
        "428": _("缺少版本号：请提供 version 字段或 If-Match 请求头。"),
        "429": _("请求过于频繁，请稍后重试（Retry-After 给出秒数）。"),
    }


def error_statuses(method: str, operation: dict) -> set[str]:
    """The error statuses `operation` (the document's dict for one method of a path) can answer."""
    parameters = operation.get("parameters", [])
    located = {(p.get("in"), p.get("name")) for p in parameters}
    has_body = "requestBody" in operation
    filters = {name for where, name in located if where == "query"} - PAGING
    statuses = {"401", "403", "429"}
    if has_body or any(where in ("query", "header") for where, _name in located):
        statuses.add("400")
    if has_body or filters or any(where == "path" for where, _name in located):
        statuses.add("404")
    if method in WRITES:
        statuses.add("409")
    if has_body:
        statuses.add("415")
    if ("header", "If-Match") in located:
        statuses |= {"412", "428"}
    return statuses


def standard_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the `Error` component and each operation's error answers."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = _error_schema()
    reference = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    descriptions = _descriptions()
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, operation)):
                answer = responses.setdefault(status, {"description": descriptions[status], "content": reference})
                if status == "429":
                    answer.setdefault(
                        "headers",
                        {"Retry-After": {"schema": {"type": "integer"}, "description": _("需要等待的秒数")}},
                    )
    return result


def if_match_parameter():
    """The If-Match header of a change that takes the version it is based on (core.api.expected_version)."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description=gettext_lazy('当前版本号，例如 "3"；版本已变化时返回 412。'),
    )
