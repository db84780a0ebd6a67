"""People pages: the import (template, upload and preview, confirm), the activation links shown once, the
activation report with re-issue and its .xlsx, and the public activation page where a new account's owner
sets his password.

The import and the report are for those who manage accounts (403 for anyone else); a user outside the
requester's reach answers 404 on re-issue, as on the other user pages. The activation page needs no
sign-in; it is limited per address like the login (accounts.lockout): every refused link or code counts.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import activation, importing, services
from accounts.forms import ActivationCodeForm, ActivationFilterForm, ActivationPasswordForm, PeopleImportForm
from accounts.lockout import address_blocked, address_window_minutes
from accounts.views import _after_login_url, _target_user
from core import audit, exports
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import ensure_action
from orgs.services import manages_accounts_somewhere

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_PER_PAGE = 50
SESSION_TOKEN = "changai_activation_token"  # noqa: S105 - the session key's name, not a secret


def importer_or_403(user) -> None:
    """Only those who create accounts import them (not the security or audit administrator)."""
    ensure_action(user, Action.USER_MANAGE)
    if not manages_accounts_somewhere(user):
        raise PermissionDenied(services.SECURITY_ADMIN_MANAGES_NO_ACCOUNT)


# ---------------------------------------------------------------- the import


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    importer_or_403(request.user)
    response = HttpResponse(importing.template_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = exports.attachment_disposition(
        _("人员导入模板.xlsx"), fallback="people-import-template.xlsx"
    )
    return response


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a filled template: every problem located, or the preview of what a confirmation would write."""
    importer_or_403(request.user)
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "examined": None, "plan": ""}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        actor = Actor.from_request(request)
        try:
            book = importing.read_workbook(upload)
        except UserError as error:
            form.add_error("file", error.message)
            importing.audit_check(actor, None, name=upload.name or "", examined=None, refused=error.message)
            status = getattr(error, "status_code", 400)
        else:
            examined = importing.examine(by=actor, book=book)
            importing.audit_check(actor, book, name=book.name, examined=examined)
            context["examined"] = examined
            if not examined.problems:
                context["plan"] = importing.seal_rows(book, request.user)
            else:
                status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/people_import.html", context, status=status)


@never_cache
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Write the previewed rows (checked again) and show each new account's activation link, this once."""
    importer_or_403(request.user)
    try:
        book = importing.unseal_rows(request.POST.get("plan", ""), request.user)
        applied = importing.apply(by=Actor.from_request(request), book=book)
    except importing.ImportRefused as refused:
        examined = importing.Examined([], refused.problems)
        context = {"form": PeopleImportForm(), "examined": examined, "plan": ""}
        return render(request, "accounts/people_import.html", context, status=400)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("accounts:people_import")
    summary = applied.examined.summary
    return render(
        request,
        "accounts/activation_issued.html",
        {"issued": _shown(request, applied.issued), "summary": summary, "imported": True},
    )


def _shown(request: HttpRequest, issued: list[activation.Issued]) -> list[dict]:
    return [
        {"user": i.user, "link": i.link(request), "code": i.code, "expires_at": i.expires_at, "reissued": i.reissued}
        for i in issued
    ]


# ---------------------------------------------------------------- the report


def _report_queryset(request: HttpRequest, form: ActivationFilterForm):
    queryset = activation.latest_activations(request.user)
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        if text:
            queryset = queryset.filter(Q(user__username__icontains=text) | Q(user__full_name__icontains=text))
        queryset = activation.filter_state(queryset, form.cleaned_data["state"])
    return queryset


@require_GET
def activation_report(request: HttpRequest) -> HttpResponse:
    """Who has activated, who has not, whose link expired; re-issue where allowed."""
    ensure_action(request.user, Action.USER_MANAGE)
    form = ActivationFilterForm(request.GET)
    now = timezone.now()
    counts = activation.state_counts(activation.latest_activations(request.user), now)
    page = Paginator(_report_queryset(request, form), REPORT_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.state = activation.state_of(row, now)
        row.state_label = activation.STATE_LABELS[row.state]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "counts": [(key, label, counts[key]) for key, label in activation.STATE_LABELS.items()],
        "page_extra": f"&{query.urlencode()}" if query else "",
        "query": query.urlencode(),
    }
    return render(request, "accounts/activation_report.html", context)


@require_GET
def activation_export(request: HttpRequest) -> HttpResponse:
    """The report as .xlsx, audited; it holds no link, code or hash."""
    ensure_action(request.user, Action.USER_MANAGE)
    wait = exports.rate_limited(request, "activations")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = ActivationFilterForm(request.GET)
    rows = activation.report_rows(_report_queryset(request, form))
    fileobj, count = exports.export_file(
        "xlsx", sheet_title=_("账号激活情况"), headers=[str(h) for h in activation.REPORT_HEADERS], rows=rows
    )
    audit.record(
        Actor.from_request(request),
        "accounts.activation.export",
        object_type="accounts.activation",
        object_repr=_("账号激活情况"),
        after=None,
        detail={"format": "xlsx", "rows": count, "filter": request.GET.urlencode()[:200]},
    )
    return exports.export_response(fileobj, fmt="xlsx", filename_stem=_("账号激活情况"), fallback_stem="activations")


@never_cache
@require_POST
def activation_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    """A new activation link for an account that has not activated; the earlier link stops working."""
    user = _target_user(request, pk)
    try:
        issued = activation.activation_reissue(by=Actor.from_request(request), user=user)
    except UserError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        return render(request, "accounts/activation_issued.html", {"issued": _shown(request, [issued])})
    if request.POST.get("back") == "user":
        return redirect("accounts:user_detail", pk=user.pk)
    return redirect("accounts:activation_report")


# ---------------------------------------------------------------- activating (no sign-in)


def _throttled(request: HttpRequest) -> HttpResponse | None:
    if not address_blocked(request):
        return None
    message = _("本地址失败次数过多，请%(m)d分钟后再试。如有疑问，请联系管理员。") % {"m": address_window_minutes()}
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(address_window_minutes() * 60)
    return response


@login_not_required
@never_cache
@require_GET
@sensitive_variables("token")
def activate_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link the administrator handed over: checked, then kept in the session only, so the address bar,
    the history and any later Referer no longer carry it."""
    throttled = _throttled(request)
    if throttled:
        return throttled
    try:
        activation.activation_open(request, token)
    except activation.ActivationRefused as refused:
        context = {"code_form": ActivationCodeForm(), "refused": refused.message}
        return render(request, "accounts/activate.html", context, status=400)
    request.session[SESSION_TOKEN] = activation.normalise(token)
    return redirect("accounts:activate")


@login_not_required
@sensitive_post_parameters("code", "new_password1", "new_password2")
@sensitive_variables("token", "code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """Type the code (when no link was used), then set one's password; signed in after."""
    throttled = _throttled(request)
    if throttled:
        return throttled
    token = request.session.get(SESSION_TOKEN, "")
    if not token:
        return _code_step(request)
    try:
        opened = activation.activation_open(request, token)
    except activation.ActivationRefused as refused:
        request.session.pop(SESSION_TOKEN, None)
        context = {"code_form": ActivationCodeForm(), "refused": refused.message}
        return render(request, "accounts/activate.html", context, status=400)
    form = ActivationPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = activation.activation_use(request, token=token, new_password=form.cleaned_data["new_password1"])
            except services.PasswordRuleError as error:
                for message in error.messages:
                    form.add_error("new_password1", message)
            except activation.ActivationRefused as refused:
                request.session.pop(SESSION_TOKEN, None)
                return render(
                    request,
                    "accounts/activate.html",
                    {"code_form": ActivationCodeForm(), "refused": refused.message},
                    status=400,
                )
            else:
                request.session.pop(SESSION_TOKEN, None)
                messages.success(request, _("账号已激活，欢迎使用产改通。"))
                return redirect(_after_login_url(request, user))
        status = 400
    context = {"password_form": form, "target": opened.user, "expires_at": opened.expires_at}
    return render(request, "accounts/activate.html", context, status=status)


def _code_step(request: HttpRequest) -> HttpResponse:
    form = ActivationCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            activation.activation_open(request, code)
        except activation.ActivationRefused as refused:
            form.add_error("code", refused.message)
        else:
            request.session[SESSION_TOKEN] = activation.normalise(code)
            return redirect("accounts:activate")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/activate.html", {"code_form": form}, status=status)
