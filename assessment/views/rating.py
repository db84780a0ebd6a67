"""The raters' pages: the rounds they rate in, their tasks in one round, the rating form."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessment import forms as f
from assessment import queries, services
from assessment.choices import CriterionKind, RoundStatus
from assessment.models import Criterion, RaterAssignment, Rating, Round
from assessment.views.common import _put_error, _visible_round
from core import formatting
from core.actor import Actor
from core.errors import UserError

# --- Raters' pages --------------------------------------------------------------------------------------


@require_GET
def rating_home(request: HttpRequest) -> HttpResponse:
    """我的评分: the rounds the user was named a rater in, with how much is done."""
    user = request.user
    round_ids = RaterAssignment.objects.filter(user=user).values_list("round_id", flat=True)
    rounds = list(Round.objects.filter(pk__in=round_ids).select_related("framework"))
    rows = []
    for round_ in rounds:
        tasks = queries.rater_tasks(user, round_)
        ratable = [t for t in tasks if not t.own]
        rows.append(
            {"round": round_, "total": len(ratable), "done": sum(1 for t in ratable if t.rating is not None),
             "own": len(tasks) - len(ratable)}
        )  # fmt: skip
    return render(request, "assessment/rating_home.html", {"rows": rows})


@require_GET
def rating_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """One round's rating tasks of the user: each organisation and criterion, rated or not, own ones marked."""
    round_ = _visible_round(request, pk)
    tasks = queries.rater_tasks(request.user, round_)
    ratable = [t for t in tasks if not t.own]
    return render(
        request,
        "assessment/rating_tasks.html",
        {
            "round": round_,
            "tasks": tasks,
            "total": len(ratable),
            "done": sum(1 for t in ratable if t.rating is not None),
            "open": round_.status == RoundStatus.RATING,
        },
    )


def _rating_target(request: HttpRequest, pk: int, participant_id: int, criterion_id: int):
    """The round, participant and criterion of a rating page: 404 unless the user was assigned to rate it."""
    round_ = _visible_round(request, pk)
    # Raters usually hold no role over the organisations they rate: the assignment is their scope.
    participant = get_object_or_404(round_.participants.select_related("org"), pk=participant_id)
    criterion = get_object_or_404(
        Criterion.objects.select_related("dimension"),
        pk=criterion_id,
        dimension__framework_id=round_.framework_id,
        kind=CriterionKind.QUALITATIVE,
    )
    if not services.assigned(request.user, participant, criterion):
        raise Http404
    return round_, participant, criterion


def _next_task(user, round_: Round, after: tuple[int, int]):
    tasks = queries.rater_tasks(user, round_)
    keys = [(t.participant.pk, t.criterion.pk) for t in tasks]
    start = keys.index(after) + 1 if after in keys else 0
    for task in tasks[start:] + tasks[:start]:
        if not task.own and task.rating is None and (task.participant.pk, task.criterion.pk) != after:
            return task
    return None


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, pk: int, participant_id: int, criterion_id: int) -> HttpResponse:
    """The rating form of one criterion of one organisation: the rubric, its self-assessment and evidence."""
    round_, participant, criterion = _rating_target(request, pk, participant_id, criterion_id)
    user = request.user
    own = services.rates_own(user, participant.org)
    rating = Rating.objects.filter(participant=participant, criterion=criterion, rater=user).first()
    initial = {"level": rating.level, "comment": rating.comment, "evidence": rating.evidence,
               "version": rating.version} if rating else {}  # fmt: skip
    form = f.RatingForm(request.POST or None, initial=initial, criterion=criterion)
    if request.method == "POST":
        if own:
            raise PermissionDenied(_("不能为本人所在单位评分。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rating_save(
                    by=Actor.from_request(request), participant=participant, criterion=criterion, level=data["level"],
                    comment=data["comment"], evidence=data["evidence"], version=data["version"],
                )  # fmt: skip
            except UserError as error:
                _put_error(form, error)
            else:
                messages.success(
                    request,
                    _("已保存对“%(org)s”“%(criterion)s”的评分。")
                    % {"org": participant.org.name, "criterion": criterion},
                )
                following = _next_task(user, round_, (participant.pk, criterion.pk))
                if following is not None and request.POST.get("then") == "next":
                    return redirect("assessment:rate", pk=round_.pk, participant_id=following.participant.pk,
                                    criterion_id=following.criterion.pk)  # fmt: skip
                return redirect("assessment:rating_tasks", pk=round_.pk)
    evidence = list(
        participant.evidence.filter(Q(criterion=criterion) | Q(criterion__isnull=True))
        .select_related("report__period", "report__dataset")
        .order_by("criterion_id", "pk")
    )
    return render(
        request,
        "assessment/rate.html",
        {
            "round": round_,
            "participant": participant,
            "criterion": criterion,
            "levels": [
                {**lv, "percent": formatting.percent(Decimal(str(lv["share"])) * 100, 0)} for lv in criterion.levels
            ],
            "form": form,
            "rating": rating,
            "own": own,
            "open": round_.status == RoundStatus.RATING,
            "evidence": evidence,
            "combine": criterion.get_combine_display(),
        },
    )
