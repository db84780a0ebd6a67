"""校准: the office sets the level of qualitative criteria the raters disagree on or left unrated."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import forms as f
from assessment import services
from assessment.choices import CriterionKind, RoundStatus
from assessment.models import Calibration, Criterion, CriterionResult, Participant, Rating, Round
from assessment.views.common import _form_errors, _office_round, _put_error, _round_context
from core.actor import Actor
from core.errors import UserError

CALIBRATION_PER_PAGE = 40


# --- Calibration ----------------------------------------------------------------------------------------


class CalibrationItem:
    """One qualitative criterion of one participant: the raters' levels, the computed state, the calibration."""

    def __init__(self, participant, criterion, ratings, calibration, result, form=None, saved=False):
        self.participant = participant
        self.criterion = criterion
        self.ratings = ratings
        self.calibration = calibration
        self.result = result
        self.saved = saved
        self.form = form or f.CalibrationForm(
            initial={
                "participant": participant.pk,
                "criterion": criterion.pk,
                "level": calibration.level if calibration else "",
                "reason": calibration.reason if calibration else "",
            },
            criterion=criterion,
        )
        self.labels = {lv["code"]: lv["label"] for lv in criterion.levels}

    @property
    def key(self) -> str:
        return f"{self.participant.pk}-{self.criterion.pk}"

    @property
    def applicable(self) -> bool:
        """Nothing to calibrate where the criterion does not apply to the organisation (whether computed or not)."""
        return self.criterion.applies_to(self.participant.org) and (self.result is None or self.result.applicable)

    @property
    def open(self) -> bool:
        """Waiting for the office: the last computation left it unresolved, or (not yet computed) nobody rated it."""
        if self.calibration is not None:
            return False
        if self.result is not None:
            return bool(self.result.detail.get("unresolved"))
        return not self.ratings

    @property
    def rated(self) -> list[tuple[Rating, str]]:
        return [(r, self.labels.get(r.level, r.level)) for r in self.ratings]

    @property
    def calibrated_label(self) -> str:
        return self.labels.get(self.calibration.level, self.calibration.level) if self.calibration else ""


def _calibration_items(round_: Round, participants: list[Participant], criteria: list[Criterion]) -> list:
    ids = [p.pk for p in participants]
    ratings = defaultdict(list)
    for r in (
        Rating.objects.filter(participant_id__in=ids, criterion__in=criteria).select_related("rater").order_by("pk")
    ):
        ratings[(r.participant_id, r.criterion_id)].append(r)
    calibrations = {
        (c.participant_id, c.criterion_id): c
        for c in Calibration.objects.filter(participant_id__in=ids, criterion__in=criteria).select_related("by")
    }
    latest = services.latest_computation(round_)
    results = {}
    if latest is not None:
        results = {
            (r.participant_id, r.criterion_id): r
            for r in CriterionResult.objects.filter(computation=latest, participant_id__in=ids, criterion__in=criteria)
        }
    return [
        CalibrationItem(p, c, ratings[(p.pk, c.pk)], calibrations.get((p.pk, c.pk)), results.get((p.pk, c.pk)))
        for p in participants
        for c in criteria
    ]


@require_GET
def round_calibration(request: HttpRequest, pk: int) -> HttpResponse:
    """校准: each qualitative criterion of each organisation with the raters' levels and comments."""
    round_ = _office_round(request, pk)
    criteria = list(
        Criterion.objects.filter(dimension__framework_id=round_.framework_id, kind=CriterionKind.QUALITATIVE)
        .select_related("dimension")
        .order_by("dimension__sort_order", "sort_order", "id")
    )
    filter_form = f.CalibrationFilterForm(request.GET or None, criteria=criteria)
    data = filter_form.cleaned_data if filter_form.is_valid() else {}
    chosen = [c for c in criteria if not data.get("criterion") or str(c.pk) == data["criterion"]]
    participants = round_.participants.select_related("org").order_by("org__path")
    if data.get("q"):
        participants = participants.filter(Q(org__name__icontains=data["q"]) | Q(org__code__icontains=data["q"]))
    items = [i for i in _calibration_items(round_, list(participants), chosen) if i.applicable]
    open_count = sum(1 for i in items if i.open)
    if data.get("state") == "open":
        items = [i for i in items if i.open]
    elif data.get("state") == "done":
        items = [i for i in items if i.calibration is not None]
    page = Paginator(items, CALIBRATION_PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in data.items() if v}
    context = _round_context(request, round_, "round_calibration")
    context.update(
        filter_form=filter_form,
        page_obj=page,
        items=page.object_list,
        open_count=open_count,
        page_extra=f"&{urlencode(query)}" if query else "",
        editable=round_.status == RoundStatus.CALIBRATION,
    )
    return render(request, "assessment/round_calibration.html", context)


@require_POST
def calibrate(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the office's level for one item (htmx swaps the item; a plain post returns to the list)."""
    round_ = _office_round(request, pk)
    participant_id, criterion_id = request.POST.get("participant", ""), request.POST.get("criterion", "")
    if not (participant_id.isdigit() and criterion_id.isdigit()):
        raise Http404
    participant = get_object_or_404(round_.participants.select_related("org"), pk=participant_id)
    criterion = get_object_or_404(
        Criterion.objects.select_related("dimension"),
        pk=criterion_id,
        dimension__framework_id=round_.framework_id,
        kind=CriterionKind.QUALITATIVE,
    )
    form = f.CalibrationForm(request.POST, criterion=criterion)
    saved = False
    if form.is_valid():
        try:
            services.calibrate(
                by=Actor.from_request(request), participant=participant, criterion=criterion,
                level=form.cleaned_data["level"], reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except UserError as error:
            _put_error(form, error)
        else:
            saved = True
    if not request.htmx:
        if saved:
            messages.success(
                request, _("已校准“%(org)s”的“%(criterion)s”。") % {"org": participant.org.name, "criterion": criterion}
            )
        else:
            messages.error(request, _form_errors(form))
        return redirect(
            reverse("assessment:round_calibration", args=[round_.pk]) + f"#item-{participant.pk}-{criterion.pk}"
        )
    item = _calibration_items(round_, [participant], [criterion])[0]
    if not saved:
        item.form = form
    item.saved = saved
    context = {"round": round_, "item": item, "editable": round_.status == RoundStatus.CALIBRATION}
    # 200 even with errors: htmx swaps only successful responses, and the item shows its own errors.
    return render(request, "assessment/round_calibration.html#item", context)
