"""The selection-round pages: the list of rounds, opening one (the office), a round with its nominations
(each union sees its own, the office all), nominating, the office's steps and publishing the result."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.forms import DATE_WIDGET, BootstrapFormMixin
from orgs.scoping import get_visible_or_404, office_or_404
from talent import queries
from talent.choices import HonourKind, HonourLevel, NominationStatus, RoundStatus
from talent.models import Nomination, Person
from talent.services import rounds as services
from talent.views.people import put_error
from talent.workflow import NOMINATION_WORKFLOW, OFFICE_STEPS


class RoundForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_l("荣誉类别"), choices=HonourKind.choices)
    level = forms.ChoiceField(label=_l("级别"), choices=HonourLevel.choices)
    title = forms.CharField(label=_l("称号全称"), max_length=200)
    year = forms.IntegerField(label=_l("年度"), min_value=2000, max_value=2100)
    quota = forms.IntegerField(label=_l("名额"), min_value=1, max_value=10000)
    opens_on = forms.DateField(label=_l("推荐开始日期"), widget=DATE_WIDGET)
    closes_on = forms.DateField(label=_l("推荐截止日期"), widget=DATE_WIDGET)
    awarded_by = forms.CharField(label=_l("授予单位"), max_length=100, required=False)
    notes = forms.CharField(label=_l("评选说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NominateForm(BootstrapFormMixin, forms.Form):
    person = forms.IntegerField(label=_l("被推荐人"), widget=forms.Select)
    reason = forms.CharField(label=_l("推荐理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    submit = forms.BooleanField(label=_l("直接提交产改办"), required=False, initial=True)


def _round(request: HttpRequest, pk: int):
    return get_object_or_404(queries.rounds_visible(request.user), pk=pk)


@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    rows = list(queries.rounds_visible(request.user)[:200])
    return render(
        request,
        "talent/round_list.html",
        {"rounds": rows, "may_run": queries.may_run_rounds(request.user), "today": deadlines.today()},
    )


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    if not queries.may_run_rounds(request.user):
        raise PermissionDenied(_("只有产改办可以发布评选。"))
    form = RoundForm(request.POST or None, initial={"year": deadlines.today().year})
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.round_create(by=Actor.from_request(request), **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("评选已发布，各单位可在推荐时间内推荐人选。"))
            return redirect(rnd)
    return render(request, "talent/round_form.html", {"form": form})


def _nominate_form(request: HttpRequest, data=None) -> NominateForm:
    form = NominateForm(data)
    people = queries.people_visible(request.user, Action.EDIT).filter(removed_on__isnull=True)[:500]
    form.fields["person"].widget.choices = [("", _("请选择"))] + [(p.pk, f"{p.name}（{p.org.name}）") for p in people]
    return form


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    return render(request, "talent/round_detail.html", _round_context(request, rnd))


def _round_context(request: HttpRequest, rnd, **extra) -> dict:
    user = request.user
    office = queries.may_run_rounds(user)
    rows = []
    for n in queries.nominations_visible(user, rnd):
        steps = [
            NOMINATION_WORKFLOW.step(s)
            for s in NOMINATION_WORKFLOW.steps_from(n.status)
            if (s in OFFICE_STEPS and office) or (s not in OFFICE_STEPS and queries.may_edit(user, n.person))
        ]
        rows.append((n, steps))
    taken = rnd.nominations.filter(status__in=[NominationStatus.SHORTLISTED, NominationStatus.APPROVED]).count()
    context = {
        "round": rnd,
        "rows": rows,
        "office": office,
        "taken": taken,
        "open_now": queries.round_open_now(rnd),
        "nominate_form": _nominate_form(request) if queries.round_open_now(rnd) and queries.may_add(user) else None,
        "decided": rnd.status == RoundStatus.DECIDED,
    }
    context.update(extra)
    return context


@require_POST
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    form = _nominate_form(request, request.POST)
    if form.is_valid():
        person = get_visible_or_404(Person.objects.select_related("org"), request.user, pk=form.cleaned_data["person"])
        try:
            services.nominate(
                by=Actor.from_request(request), rnd=rnd, person=person,
                reason=form.cleaned_data["reason"], submit=form.cleaned_data["submit"],
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已推荐“%(name)s”。") % {"name": person.name})
            return redirect(rnd)
    return render(request, "talent/round_detail.html", _round_context(request, rnd, nominate_form=form), status=400)


@require_POST
def nomination_step(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_visible_or_404(Nomination.objects.select_related("round", "org"), request.user, pk=pk)
    step = request.POST.get("step", "")
    try:
        services.nomination_step(
            by=Actor.from_request(request), nomination=nomination, step=step, reason=request.POST.get("reason", "")
        )
    except UserError as error:
        messages.error(request, error.message)
    except KeyError:
        raise Http404 from None
    else:
        messages.success(request, _("已%(step)s。") % {"step": NOMINATION_WORKFLOW.step(step).label})
    return redirect(nomination.round)


@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    office_or_404(request.user)
    rnd = _round(request, pk)
    try:
        services.round_close(by=Actor.from_request(request), rnd=rnd)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已截止推荐。"))
    return redirect(rnd)


@require_POST
def round_decide(request: HttpRequest, pk: int) -> HttpResponse:
    office_or_404(request.user)
    rnd = _round(request, pk)
    try:
        honours = services.round_decide(by=Actor.from_request(request), rnd=rnd)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("评选结果已公布，%(n)d 人获得荣誉。") % {"n": len(honours)})
    return redirect(rnd)
