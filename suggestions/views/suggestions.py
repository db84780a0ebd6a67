"""The suggestion pages: the filtered list (and its .xlsx), entering one for a worker, the record with its
history and the step buttons for whoever may take them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response, rate_limited
from orgs.choices import Action
from orgs.scoping import can, ensure_action, get_visible_or_404
from suggestions import exports, queries, services
from suggestions.forms import PROPOSER_ROWS, StepForm, SuggestionFilterForm, SuggestionForm
from suggestions.models import Suggestion
from suggestions.workflow import SUGGESTION_WORKFLOW, permission_for

PER_PAGE = 30


def put_error(form, error: UserError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    field = error.field if error.field in form.fields else None
    if error.field == "proposers":
        field = "name_1"
    form.add_error(field, error.message)


def _filter_form(request: HttpRequest) -> SuggestionFilterForm:
    return SuggestionFilterForm(
        request.GET or None,
        user=request.user,
        years=queries.suggestion_years(request.user),
        campaigns=list(queries.campaigns_open_to(request.user)),
    )


@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    """五小和合理化建议: the suggestions the person sees, filtered by kind, status, year, organisation, campaign."""
    ensure_action(request.user, Action.VIEW)
    form = _filter_form(request)
    rows = queries.suggestions_visible(request.user, **form.filters())
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    extra = "".join(f"&{k}={v}" for k, v in request.GET.items() if k != "page" and v)
    query = request.GET.urlencode()
    return render(
        request,
        "suggestions/suggestion_list.html",
        {
            "page_obj": page,
            "page_extra": extra,
            "query": query,
            "form": form,
            "may_enter": queries.may_enter(request.user),
            "may_export": can_export(request.user),
        },
    )


def can_export(user) -> bool:
    from orgs.scoping import has_action

    return has_action(user, Action.EXPORT)


@require_GET
def suggestion_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx; audited with the row count."""
    ensure_action(request.user, Action.EXPORT)
    wait = rate_limited(request, "suggestions")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = _filter_form(request)
    filters = form.filters()
    rows = queries.suggestions_visible(request.user, action=Action.EXPORT, **filters)
    fileobj, count = exports.suggestions_file(rows)
    audit.record(
        Actor.from_request(request), "suggestions.export", after=None,
        detail={"rows": count, "filters": {k: str(v) for k, v in filters.items() if v}},
    )  # fmt: skip
    return export_response(fileobj, fmt="xlsx", filename_stem=_("合理化建议"), fallback_stem="suggestions")


def _form(request: HttpRequest, *, data=None, initial=None, editing=False, org=None) -> SuggestionForm:
    return SuggestionForm(
        data,
        initial=initial,
        user=request.user,
        campaigns=list(queries.campaigns_open_to(request.user)),
        people=queries.people_choices(request.user, org),
        editing=editing,
    )


@require_http_methods(["GET", "POST"])
def suggestion_create(request: HttpRequest) -> HttpResponse:
    """录入建议: a union's reporter or administrator enters a suggestion for one or more workers."""
    if not queries.may_enter(request.user):
        raise PermissionDenied(_("只有工会的填报员和管理员可以为职工录入建议。"))
    from orgs.queries import active_memberships

    own = [m.org for m in active_memberships(request.user) if can(request.user, Action.EDIT, m.org)]
    initial = {"submitted_on": deadlines.today(), "org": own[0].name if own else ""}
    campaign = request.GET.get("campaign", "")
    if campaign.isdigit():
        initial["campaign"] = int(campaign)
    form = _form(request, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = services.suggestion_submit(
                by=Actor.from_request(request), org=form.cleaned_data["org"], **form.service_fields()
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("建议已录入，等待工会审查。"))
            return redirect(suggestion)
    return render(
        request, "suggestions/suggestion_form.html", {"form": form, "suggestion": None, "rows": form.proposer_rows()}
    )


def _fetch(request: HttpRequest, pk: int) -> Suggestion:
    return get_visible_or_404(Suggestion.objects.select_related("org", "campaign"), request.user, pk=pk)


@require_http_methods(["GET", "POST"])
def suggestion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = _fetch(request, pk)
    if not can(request.user, Action.EDIT, suggestion.org):
        raise PermissionDenied(_("您不能修改该单位的建议。"))
    initial = {
        "kind": suggestion.kind, "title": suggestion.title, "content": suggestion.content,
        "campaign": suggestion.campaign_id, "submitted_on": suggestion.submitted_on, "version": suggestion.version,
    }  # fmt: skip
    for n, p in enumerate(suggestion.proposers.all()[:PROPOSER_ROWS], start=1):
        initial.update({f"name_{n}": p.name, f"occupation_{n}": p.occupation, f"person_{n}": p.person_id})
    form = _form(request, data=request.POST or None, initial=initial, editing=True, org=suggestion.org)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or suggestion.version
        try:
            services.suggestion_update(
                by=Actor.from_request(request), suggestion=suggestion, version=version, **form.service_fields()
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("建议已保存。"))
            return redirect(suggestion)
    return render(
        request,
        "suggestions/suggestion_form.html",
        {"form": form, "suggestion": suggestion, "rows": form.proposer_rows()},
    )


def history_rows(item) -> list[dict]:
    """The item's audit rows as the page shows them: when, who, what (its declared label) and why."""
    from core import registry
    from core.workflow import history

    return [
        {
            "at": entry.at,
            "who": entry.username or "—",
            "event": registry.event_label(entry.event),
            "reason": (entry.detail or {}).get("reason", "") if isinstance(entry.detail, dict) else "",
        }
        for entry in history(item)
    ]


@require_GET
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = _fetch(request, pk)
    return render(request, "suggestions/suggestion_detail.html", detail_context(request, suggestion))


def detail_context(request: HttpRequest, suggestion: Suggestion, *, step_form=None, failed_step: str = "") -> dict:
    user = request.user
    steps = [
        SUGGESTION_WORKFLOW.step(s)
        for s in SUGGESTION_WORKFLOW.available(suggestion.status, permission_for(user, suggestion))
    ]
    return {
        "suggestion": suggestion,
        "proposers": list(suggestion.proposers.select_related("person")),
        "steps": steps,
        "step_names": {s.name for s in steps},
        "history": history_rows(suggestion),
        "editable": suggestion.status in SUGGESTION_WORKFLOW.editable and can(user, Action.EDIT, suggestion.org),
        "today": deadlines.today(),
        "step_form": step_form,
        "failed_step": failed_step,
    }


@require_POST
def suggestion_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one step; a refusal is shown on the record with what was typed kept."""
    suggestion = _fetch(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请刷新后重试。"))
        return redirect(suggestion)
    data = dict(form.cleaned_data)
    step = data.pop("step")
    try:
        services.suggestion_step(by=Actor.from_request(request), suggestion=suggestion, step=step, **data)
    except UserError as error:
        messages.error(request, error.message)
        suggestion.refresh_from_db()
        context = detail_context(request, suggestion, step_form=form, failed_step=step)
        return render(request, "suggestions/suggestion_detail.html", context)
    suggestion.refresh_from_db()
    messages.success(request, _("建议状态已改为“%(status)s”。") % {"status": suggestion.get_status_display()})
    return redirect(suggestion)
