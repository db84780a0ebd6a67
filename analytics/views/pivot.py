"""The pivot table: rows × periods of one measure, drill-down by a row, and its .xlsx export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import engine
from analytics.choices import Level
from analytics.exports import table_file
from analytics.forms import QueryForm
from analytics.views.common import (
    PREFECTURE_NAMES,
    breadcrumbs,
    default_level,
    ensure_viewer,
    org_param,
    page_url,
    run_query,
    save_form_for,
    scope_picker,
    too_many_exports,
)
from analytics.views.presenters import Pivot
from analytics.web import outside_scope_is_404
from core import audit, exports
from core.actor import Actor
from core.errors import UserError
from core.replica import reads_from_replica
from orgs.choices import Action
from orgs.scoping import ensure_action, has_action


def _answer_notes(request, answer: engine.Answer) -> list[str]:
    """What is written under a table: scope, source, coverage, data time, and any caveat."""
    coverage = answer.root_name
    if answer.query.region:
        coverage += " · " + PREFECTURE_NAMES.get(answer.query.region, answer.query.region)
    notes = [
        _("指标：%(label)s") % {"label": answer.label},
        _("口径：%(scope)s") % {"scope": answer.scope or "—"},
        _("来源：%(source)s") % {"source": answer.source or "—"},
        _("范围：%(org)s") % {"org": coverage},
        answer.as_of_label,
    ]
    notes += list(answer.notes)
    local = timezone.localtime()
    notes.append(
        _("导出：%(user)s，%(time)s") % {"user": request.user.get_username(), "time": f"{local:%Y-%m-%d %H:%M}"}
    )
    return notes


def _compare(form: QueryForm, user, answer: engine.Answer) -> engine.Comparison | None:
    """The comparison the form asks for (None for none); a UserError becomes a form error."""
    asked = form.comparison()
    if asked is None:
        return None
    kind, baseline = asked
    try:
        return engine.comparison(engine.Scope.for_user(user), answer, kind=kind, baseline=baseline or None)
    except UserError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def _pivot_for(form: QueryForm, user, answer: engine.Answer) -> Pivot:
    """The answer laid out as the form asks: columns, the comparison, and the organisation's targets."""
    targets = engine.targets_for(answer.measure, answer.root_id, [code for code, _label in answer.periods])
    return Pivot(
        answer,
        form.params(),
        form.cleaned_data.get("columns") or "period",
        comparison=_compare(form, user, answer),
        targets=targets,
    )


@require_GET
@outside_scope_is_404
@reads_from_replica
def pivot(request: HttpRequest) -> HttpResponse:
    """Rows × periods of one measure; click a row to go down a level, a figure to see the reports behind it."""
    ensure_viewer(request)
    form = QueryForm(
        request.GET,
        current_year=engine.current_year(request.user),
        default_level=default_level(request.user, org_param(request)),
    )
    answer = run_query(form, request.user)
    context = {"form": form, "answer": answer, "title": _("数据透视")}
    if answer is not None:
        layout = _pivot_for(form, request.user, answer)
        params = form.params()
        context.update(
            pivot=layout,
            params=params,
            crumbs=breadcrumbs(request.user, answer.root_id, params),
            tops=scope_picker(
                request.user,
                answer.root_id,
                lambda pk: page_url("analytics:pivot", {**params, "org": pk, "level": Level.CHILDREN, "region": ""}),
            ),
            region_name=PREFECTURE_NAMES.get(answer.query.region or "", ""),
            export_url=page_url("analytics:pivot_export", params),
            chart_url=page_url("analytics:charts", params),
            save_form=save_form_for("pivot", params),
            may_export=has_action(request.user, Action.EXPORT),
        )
    return render(request, "analytics/pivot.html", context)


@require_GET
@outside_scope_is_404
@reads_from_replica
def pivot_export(request: HttpRequest) -> HttpResponse:
    """The pivot table (same query as the page) as formatted .xlsx; audited with its row count, rate-limited."""
    ensure_viewer(request)
    ensure_action(request.user, Action.EXPORT)
    refused = too_many_exports(request)
    if refused:
        return refused
    form = QueryForm(
        request.GET,
        current_year=engine.current_year(request.user),
        default_level=default_level(request.user, org_param(request)),
    )
    answer = run_query(form, request.user)
    if answer is None:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors) or _("查询无效。"))
        return redirect(page_url("analytics:pivot", dict(request.GET.items())))
    layout = _pivot_for(form, request.user, answer)
    level = dict(Level.choices).get(answer.query.level, "")
    title = f"{answer.label} — {answer.root_name}（{level}）"
    fileobj, count = table_file(layout.table(title=title, notes=_answer_notes(request, answer)))
    audit.record(
        Actor.from_request(request),
        "analytics.pivot.export",
        after=None,
        object_type="analytics.query",
        object_id=answer.measure,
        object_repr=answer.label,
        detail={
            "format": "xlsx",
            "rows": count,
            "org": answer.root_id,
            "level": answer.query.level,
            "periods": list(answer.query.periods),
            "region": answer.query.region or "",
            "compare": layout.comparison.kind if layout.comparison else "",
            "baseline": layout.comparison.baseline if layout.comparison else "",
        },
    )
    stem = _("统计分析-%(label)s-%(period)s") % {
        "label": answer.label,
        "period": answer.periods[-1][0] if answer.periods else "",
    }
    return exports.export_response(fileobj, fmt="xlsx", filename_stem=stem)
