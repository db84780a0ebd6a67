"""Request ids for the audit log and no-store caching for signed-in pages."""

import re
import uuid

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
