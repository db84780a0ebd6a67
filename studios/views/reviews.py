"""The annual review pages: the list (to rate, to submit), one review with its summary, steps and rating."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import get_visible_or_404
from studios import forms as f
from studios import services
from studios.choices import RUBRIC
from studios.models import Studio, StudioReview
from studios.views.common import history_rows, put_error
from studios.workflow import REVIEW_WORKFLOW, review_permission


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """工作室年度评估: the reviews the user sees, by status and year."""
    form = f.ReviewFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    reviews = StudioReview.objects.visible_to(request.user).select_related("studio__org")
    if data.get("status"):
        reviews = reviews.filter(status=data["status"])
    if data.get("year"):
        reviews = reviews.filter(year=data["year"])
    return render(request, "studios/review_list.html", {"form": form, "reviews": reviews[:500]})


@require_POST
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    """建立年度评估 of a studio for a year."""
    studio = get_visible_or_404(Studio.objects.select_related("org"), request.user, Action.EDIT, pk=pk)
    form = f.ReviewStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写年度。"))
        return redirect(studio)
    try:
        review = services.review_start(by=Actor.from_request(request), studio=studio, year=form.cleaned_data["year"])
    except UserError as error:
        messages.error(request, error.message)
        return redirect(studio)
    return redirect(review)


def _context(request, review: StudioReview, **given) -> dict:
    may = review_permission(request.user, review.studio.org)
    steps = REVIEW_WORKFLOW.available(review.status, may)
    return {
        "review": review,
        "studio": review.studio,
        "editable": review.status in REVIEW_WORKFLOW.editable and may(Action.EDIT),
        "may_submit": "submit" in steps,
        "may_return": "return" in steps,
        "may_rate": "rate" in steps,
        "scores": [(c.label, c.max_points, review.scores.get(c.key, "—")) for c in RUBRIC],
        "summary_form": given.get("summary_form")
        or f.ReviewSummaryForm(initial={"version": review.version, "summary": review.summary}),
        "step_form": given.get("step_form") or f.ReviewStepForm(initial={"version": review.version}),
        "rating_form": given.get("rating_form") or f.RatingForm(initial={"version": review.version}),
        "history": history_rows(review),
    }


@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A review: the summary (editable by the studio's side while a draft), the steps, the office's rating."""
    review = get_visible_or_404(StudioReview.objects.select_related("studio__org"), request.user, pk=pk)
    given = {}
    if request.method == "POST":
        form = f.ReviewSummaryForm(request.POST)
        given["summary_form"] = form
        if form.is_valid():
            try:
                services.review_save(by=Actor.from_request(request), review=review, **form.cleaned_data)
            except UserError as error:
                put_error(form, error)
            else:
                messages.success(request, _("已保存年度工作总结。"))
                return redirect(review)
    return render(request, "studios/review_detail.html", _context(request, review, **given))


@require_POST
def review_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """提交 or 退回修改."""
    review = get_visible_or_404(StudioReview.objects.select_related("studio__org"), request.user, pk=pk)
    if step not in ("submit", "return"):
        raise PermissionDenied
    form = f.ReviewStepForm(request.POST)
    if form.is_valid():
        try:
            services.review_step(by=Actor.from_request(request), review=review, step=step, **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            return redirect(review)
    return render(request, "studios/review_detail.html", _context(request, review, step_form=form), status=400)


@require_POST
def review_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """评定: the office's rubric scores and comment."""
    review = get_visible_or_404(StudioReview.objects.select_related("studio__org"), request.user, pk=pk)
    form = f.RatingForm(request.POST)
    if form.is_valid():
        try:
            services.review_rate(
                by=Actor.from_request(request), review=review, version=form.cleaned_data["version"],
                scores=form.scores(), comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已评定。"))
            return redirect(review)
    return render(request, "studios/review_detail.html", _context(request, review, rating_form=form), status=400)
