"""Request ids for the audit log, no-store caching for signed-in pages, and a full disk said plainly."""

import errno
import logging
import re
import uuid

logger = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (a well-formed X-Request-ID is kept) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user may carry personal data: never cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
        return response


from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired  # noqa: E402


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Pages require a signed-in user; the JSON API authenticates on its own (tokens) and answers 401."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RefusalAuditMiddleware:
    """Audit every page request refused as out of scope (404 from a view) or not permitted (403).

    The JSON API audits its refusals in its exception handler (core/api.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from core import audit

        if request.path.startswith("/api/"):
            return
        if isinstance(exception, Http404):
            audit.record_refusal(request, "access.not_found", "")
        elif isinstance(exception, PermissionDenied):
            audit.record_refusal(request, "access.denied", str(exception))
        return


from django.middleware.locale import LocaleMiddleware as _DjangoLocaleMiddleware  # noqa: E402


class LanguageMiddleware(_DjangoLocaleMiddleware):
    """Simplified Chinese unless the user chose another language (the language switcher's cookie).

    The browser's Accept-Language is ignored on purpose: office machines are often set up in
    English, and the platform's working language is Chinese.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


# No space left, quota exceeded, or a file larger than the process may write (RLIMIT_FSIZE).
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_storage_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in STORAGE_FULL_ERRNOS


class StorageFullMiddleware:
    """A write that finds the server's disk full answers 507 with a plain Chinese message, not 500.

    Whatever was being saved is not kept: uploads write their file before anything refers to it and
    remove what they wrote when it fails (reporting/excel/storage.py, core/attachments.py), and the
    database transaction of the request is rolled back with the exception. The server stays up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_storage_full(exception):
            return None
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        logger.error("storage full while serving %s %s: %s", request.method, request.path, exception)
        message = _("服务器存储空间不足，本次上传或保存的内容没有保存。请稍后再试，或联系系统管理员清理磁盘空间。")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "code": "storage_full"}, status=507, json_dumps_params={"ensure_ascii": False}
            )
        return render(request, "507.html", {"message": message}, status=507)


class DatabaseUnavailableMiddleware:
    """The database unreachable (restarting, shutting down, a dropped connection) answers 503 with a plain
    Chinese message and Retry-After, not 500: the request's transaction did not commit, so trying again is
    safe, and the next request opens a fresh connection (CONN_HEALTH_CHECKS) once the database is back."""

    RETRY_AFTER_SECONDS = 10

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        from django.http import HttpResponse, JsonResponse
        from django.template.loader import render_to_string
        from django.utils.translation import gettext as _

        logger.error("database unavailable while serving %s %s: %s", request.method, request.path, exception)
        message = _("数据库暂时无法访问，您的操作没有完成，也没有保存任何内容。请稍后再试一次。")
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": message, "code": "database_unavailable"},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            # Without the request: the context processors would read the database that is not there.
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
