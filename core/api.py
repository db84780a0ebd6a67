"""One exception handler for the JSON API: every error is {"detail": "…"} in the user's language."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ConflictError, UserError


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, UserError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到该对象，或您无权访问。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("您没有执行此操作的权限。"))
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc = exceptions.NotAuthenticated(_("请先登录或提供有效的令牌。"))
    elif isinstance(exc, exceptions.AuthenticationFailed):
        exc = exceptions.AuthenticationFailed(_("身份验证失败：令牌无效或账号已停用。"))
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed(context["request"].method, _("不允许使用该请求方法。"))
    elif isinstance(exc, exceptions.Throttled):
        wait = exc.wait
        exc = exceptions.Throttled(wait, _("请求过于频繁，请稍后再试。"))
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("请求内容格式错误，无法解析。"))
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc = exceptions.UnsupportedMediaType(context["request"].content_type, _("不支持的请求内容类型。"))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("提交的数据有误，请检查后重试。"), "errors": response.data}
    return response
