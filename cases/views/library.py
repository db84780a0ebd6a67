"""The library (案例库: search, filters, export), my cases, the office's review queue, spread and topics."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import exports, queries, services
from cases.choices import CaseStatus, SortOrder
from cases.forms import TopicForm
from cases.models import Topic
from cases.views.common import case_nav
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response, rate_limited
from core.rendering import temporary_xlsx
from orgs.choices import Action
from orgs.scoping import has_action, is_office, office_or_404

PAGE_SIZE = 20


def _viewer_or_404(request: HttpRequest) -> None:
    """The library is for business users: the three separated administrators hold no VIEW and get 404."""
    from django.http import Http404

    if not has_action(request.user, Action.VIEW):
        raise Http404


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """案例库: published cases, searched in Chinese, filtered, ranked, with the words marked."""
    _viewer_or_404(request)
    filters = queries.Filters.from_params(request.GET)
    hits, words = queries.library(request.user, filters)
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/library.html",
        {
            "filters": filters,
            "page": page,
            "hits": page.object_list,
            "total": len(hits),
            "words": words,
            "choices": queries.filter_choices(),
            "sorts": SortOrder.choices,
            "sort": filters.effective_sort,
            "query": filters.query_string(),
            "page_extra": "&" + filters.query_string() if filters.query_string() else "",
            "may_write": has_action(request.user, Action.EDIT) and not is_office(request.user),
            "may_export": has_action(request.user, Action.EXPORT),
            "case_nav": case_nav(request.user),
            "tab": "library",
        },
    )


@require_GET
def library_xlsx(request: HttpRequest) -> HttpResponse:
    """The library's current search result as .xlsx (whoever may export)."""
    _viewer_or_404(request)
    if not has_action(request.user, Action.EXPORT):
        raise PermissionDenied(_("您没有导出的权限。"))
    wait = rate_limited(request, "cases")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    filters = queries.Filters.from_params(request.GET)
    hits, _words = queries.library(request.user, filters)
    note = _("检索条件：%(q)s；共 %(n)d 个案例。") % {"q": filters.q or _("全部"), "n": len(hits)}
    base = request.build_absolute_uri("/").rstrip("/")
    fileobj, count = temporary_xlsx(lambda f: exports.library_xlsx(hits, base_url=base, note=note, fileobj=f))
    services.export_audit(Actor.from_request(request), count=count, fmt="xlsx", query=filters.q)
    return export_response(fileobj, fmt="xlsx", filename_stem=_("案例库检索结果"), fallback_stem="cases")


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的案例: the cases of the organisations the person writes for, in every state."""
    rows = list(queries.my_cases(request.user)[:200])
    groups = [(status, label, [c for c in rows if c.status == status]) for status, label in CaseStatus.choices]
    return render(
        request,
        "cases/mine.html",
        {
            "groups": groups,
            "total": len(rows),
            "may_write": has_action(request.user, Action.EDIT),
            "case_nav": case_nav(request.user),
            "tab": "mine",
        },
    )


@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """案例审核: the office's queue of submitted cases, and what it decided lately."""
    office_or_404(request.user)
    return render(
        request,
        "cases/review.html",
        {
            "waiting": list(queries.review_queue(request.user)),
            "recent": list(queries.recently_reviewed(request.user)),
            "case_nav": case_nav(request.user),
            "tab": "review",
        },
    )


@require_GET
def spread(request: HttpRequest) -> HttpResponse:
    """复制推广: which cases spread most, whose cases, and which organisations adopt (the office)."""
    office_or_404(request.user)
    context = {**queries.spread(request.user), "case_nav": case_nav(request.user), "tab": "spread"}
    return render(request, "cases/spread.html", context)


@require_http_methods(["GET", "POST"])
def topics(request: HttpRequest) -> HttpResponse:
    """案例专题: the office adds, renames, reorders or switches off the topics cases are tagged with."""
    office_or_404(request.user)
    rows = list(Topic.objects.all())
    form = TopicForm(request.POST or None)
    status = 200
    if request.method == "POST":
        topic = None
        pk = request.POST.get("topic", "")
        if pk:
            topic = next((t for t in rows if str(t.pk) == pk), None)
            if topic is None:
                from django.http import Http404

                raise Http404
        if form.is_valid():
            try:
                services.topic_save(by=Actor.from_request(request), topic=topic, **form.cleaned_data)
            except UserError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("已保存专题“%(name)s”。") % {"name": form.cleaned_data["name"]})
                return redirect("cases:topics")
        status = 400
    return render(
        request,
        "cases/topics.html",
        {"topics": rows, "form": form, "case_nav": case_nav(request.user), "tab": "topics"},
        status=status,
    )
