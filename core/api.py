"""Shared pieces of the JSON API: the exception handler, throttles, version preconditions.

Every error leaves the API as {"detail": "…"} in the user's language; validation errors also
carry the field errors under "errors". Refused and not-found requests are audited, because
probing for other organisations' objects is a security event (row 15 of docs SECURITY).

This module must not import `rest_framework.views` at import time: the throttle classes
below are named in REST_FRAMEWORK settings, which DRF resolves while importing its views.
"""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, pagination, serializers, status, throttling
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core import audit
from core.errors import ConflictError, UserError
from core.net import client_ip

# --- errors ---------------------------------------------------------------------------


class PreconditionFailed(exceptions.APIException):
    """If-Match named a version that is no longer current."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("该对象已被他人修改（版本号不符），请刷新后重试。")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """A change that needs a version was sent with neither `version` nor If-Match."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy("缺少版本号：请在请求中提供 version 字段或 If-Match 请求头。")
    default_code = "precondition_required"


def _audit_refusal(context, event: str, detail_message: str) -> None:
    request = context.get("request")
    if request is not None:
        audit.record_refusal(request, event, detail_message)


def exception_handler(exc, context):
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UserError):
        body: dict = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
            body["errors"] = {exc.field: [exc.message]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404 | exceptions.NotFound):
        exc = exceptions.NotFound(_("未找到该对象，或您无权访问。"))
        _audit_refusal(context, "access.not_found", str(exc.detail))
    elif isinstance(exc, PermissionDenied | exceptions.PermissionDenied):
        if isinstance(exc, exceptions.PermissionDenied):
            message = str(exc.detail)  # DRF's own (translated) or a permission class's message
        else:
            # The scoping layer and services name the organisation or role that was refused.
            message = str(exc.args[0]) if exc.args and exc.args[0] else _("您没有执行此操作的权限。")
        exc = exceptions.PermissionDenied(message)
        _audit_refusal(context, "access.denied", message)
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        original = exc
        failed = isinstance(exc, exceptions.AuthenticationFailed)
        if failed:
            exc = exceptions.AuthenticationFailed(_("身份验证失败：令牌无效或账号已停用。"))
        else:
            exc = exceptions.NotAuthenticated(_("请先登录或提供有效的令牌。"))
        # DRF set WWW-Authenticate (401), or 403 when no authenticator offers a challenge.
        exc.status_code = original.status_code
        if getattr(original, "auth_header", None):
            exc.auth_header = original.auth_header
        if failed:
            # The token itself is never written down, only that a wrong one was offered.
            _audit_refusal(context, "api.auth_failed", str(exc.detail))
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed(
            context["request"].method,
            _("不允许使用 %(method)s 请求方法。") % {"method": context["request"].method},
        )
    elif isinstance(exc, exceptions.Throttled):
        wait = exc.wait
        exc = exceptions.Throttled(wait)
        seconds = max(1, math.ceil(wait)) if wait is not None else 60
        exc.detail = exceptions.ErrorDetail(_("请求过于频繁，请在%(s)d秒后重试。") % {"s": seconds}, code="throttled")
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("请求内容格式错误，无法解析。"))
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc = exceptions.UnsupportedMediaType(context["request"].content_type, _("不支持的请求内容类型。"))
    elif isinstance(exc, exceptions.NotAcceptable):
        exc = exceptions.NotAcceptable(_("无法按请求的格式返回内容。"))
    elif isinstance(exc, OverflowError | DataError):
        # A number too large for the database (SQLite's 64-bit integers, PostgreSQL's bigint or
        # numeric) in a filter: the client's mistake, never a server error (issue 11).
        exc = exceptions.ValidationError({"query": [_("查询参数中的数字超出了允许的范围，请检查后重试。")]})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("提交的数据有误，请检查后重试。"), "errors": response.data}
    return response


# --- pagination -----------------------------------------------------------------------


class BoundedLimitOffsetPagination(pagination.LimitOffsetPagination):
    """limit/offset paging that refuses what it cannot serve (400 naming the parameter), rather than
    ignoring a bad value or handing the database an offset beyond its integers."""

    max_limit = 1000
    max_offset = 10**9

    def _bounded(self, request, name: str, low: int, high: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            raise exceptions.ValidationError(
                {name: [_("应为 %(low)d 到 %(high)d 之间的整数。") % {"low": low, "high": high}]}
            )
        return int(raw)

    def get_limit(self, request):
        limit = self._bounded(request, self.limit_query_param, 1, self.max_limit)
        return self.default_limit if limit is None else limit

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, self.max_offset) or 0


# --- throttles ------------------------------------------------------------------------


class _LiveRate:
    """Read the rate when the throttle is made, not when the class is imported.

    DRF copies DEFAULT_THROTTLE_RATES into a class attribute at import, so a changed setting
    (tests, or a reload) would otherwise be ignored. The client is identified by the address
    `core.net.client_ip` trusts: DRF's own guess believes a client-sent X-Forwarded-For.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class UserRateThrottle(_LiveRate, throttling.UserRateThrottle):
    """Per signed-in user (or per address for anonymous requests): scope "user"."""


class AnonRateThrottle(_LiveRate, throttling.AnonRateThrottle):
    """Per client address, for requests without a valid login or token: scope "anon"."""


class ThrottleFirstMixin:
    """Count a request against the throttles before refusing it as unauthenticated.

    DRF checks throttles last, after authentication and permissions, so anonymous callers and
    wrong tokens would never be limited; here a wrong token and a missing login both count
    against the caller's address first.
    """

    def perform_authentication(self, request):
        try:
            request.user  # noqa: B018 - evaluating the property authenticates
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)
            raise

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_changai_throttles_checked", False):
            return
        request._changai_throttles_checked = True
        super().check_throttles(request)


# --- optimistic locking -------------------------------------------------------------------


def int_param(request, name: str) -> int | None:
    """A query parameter that names a row by its id: None when absent, a Chinese 400 when it is not one."""
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise exceptions.ValidationError({name: [_("%(name)s 应为编号（正整数）。") % {"name": name}]})
    return int(raw)


def choice_param(request, name: str, choices) -> str:
    """A query parameter that must be one of `choices` ("" when absent); a Chinese 400 otherwise."""
    raw = (request.query_params.get(name) or "").strip()
    if raw and raw not in choices:
        raise exceptions.ValidationError({name: [_("%(name)s 的取值不正确。") % {"name": name}]})
    return raw


def expected_version(request, body_version: int | None, current: int) -> int:
    """The version a change is based on: If-Match when sent (412 if stale), else the body's.

    Raises PreconditionRequired when neither is given. A stale body version is left to the
    service, which answers 409.
    """
    header = request.headers.get("If-Match", "").strip()
    if header:
        tag = header.removeprefix("W/").strip('"')
        if not tag.isdigit():
            raise PreconditionFailed(_('If-Match 请求头格式错误：应为带引号的版本号，例如 "3"。'))
        if int(tag) != current:
            raise PreconditionFailed()
        return int(tag)
    if body_version is None:
        raise PreconditionRequired()
    return body_version


def etag(version: int) -> str:
    return f'"{version}"'


# --- input ----------------------------------------------------------------------------


class StrictInput(serializers.Serializer):
    """Input that refuses every field it does not declare as writable.

    Unknown keys (`path`, `depth`, `is_sample`, another organisation's id…) are answered with a
    400 naming them, rather than silently dropped, so a client learns its request was wrong.
    Input serializers only validate: the view hands `validated_data` to a service.
    """

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            refused = sorted(k for k in data if k not in self.fields or self.fields[k].read_only)
            if refused:
                raise exceptions.ValidationError({k: [_("不允许提交此字段。")] for k in refused})
        return super().to_internal_value(data)
