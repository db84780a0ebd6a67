"""The office's round pages: the list, opening a round, the overview (or, for anyone else, the published
ranking), stage changes, computing and the ranking, raters, bonus/deduction/veto entries and appeals."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import forms as f
from assessment import queries, services
from assessment.choices import CriterionKind, RoundStatus
from assessment.models import (
    Appeal,
    Computation,
    Criterion,
    Entry,
    Evidence,
    Participant,
    RaterAssignment,
    Rating,
    Round,
)
from assessment.scoring import NORMALISATION_TEXT
from assessment.tasks import round_compute_task
from assessment.views.common import (
    PER_PAGE,
    STAGE_HELP,
    _back,
    _ensure_office,
    _form_errors,
    _office_round,
    _put_error,
    _round_context,
    _stages,
    _summary_links,
    _url,
    _visible_round,
)
from core.actor import Actor
from core.errors import UserError
from core.jobs import job_create

# --- Round list and opening ---------------------------------------------------------------------------


@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    """考核轮次: the rounds the user runs, rates in or has published results in."""
    user = request.user
    rounds = list(queries.rounds_visible(user).select_related("framework", "published"))
    ids = [r.pk for r in rounds]
    counts = dict(
        Participant.objects.filter(round_id__in=ids).values_list("round_id").annotate(n=Count("id")).order_by()
    )
    rating = set(RaterAssignment.objects.filter(user=user, round_id__in=ids).values_list("round_id", flat=True))
    rows = [{"round": r, "participants": counts.get(r.pk, 0), "rater": r.pk in rating} for r in rounds]
    return render(
        request,
        "assessment/round_list.html",
        {
            "rows": rows,
            "runs_assessment": queries.runs_assessment(user),
            "frameworks_url": _url("assessment:framework_list"),
        },
    )


@require_http_methods(["GET", "POST"])
def round_open(request: HttpRequest) -> HttpResponse:
    """开启考核轮次: an issued framework, a name, the deadlines and the organisations assessed."""
    _ensure_office(request)
    form = f.RoundOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_open(
                by=Actor.from_request(request),
                framework=data["framework"],
                name=data["name"],
                orgs=form.selected(),
                self_deadline=data["self_deadline"],
                appeal_deadline=data["appeal_deadline"],
            )
        except UserError as error:
            form.add_error(error.field if error.field in ("framework", "name") else None, error.message)
        else:
            messages.success(
                request,
                _("已开启考核轮次“%(name)s”，共 %(n)d 家被考核单位。")
                % {"name": round_.name, "n": len(form.selected())},
            )
            return redirect("assessment:round_detail", pk=round_.pk)
    return render(
        request, "assessment/round_open.html", {"form": form, "frameworks_url": _url("assessment:framework_list")}
    )


# --- Round overview -------------------------------------------------------------------------------------


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's overview of a round; for everyone else the published ranking within their scope."""
    round_ = _visible_round(request, pk)
    if not queries.runs_assessment(request.user):
        return _round_public(request, round_)
    context = _round_context(request, round_, "round_detail")
    participants = round_.participants.select_related("org").order_by("org__path")
    text = (request.GET.get("q") or "").strip()
    if text:
        participants = participants.filter(Q(org__name__icontains=text) | Q(org__code__icontains=text))
    page = Paginator(participants, PER_PAGE).get_page(request.GET.get("page"))
    ids = [p.pk for p in page.object_list]
    evidence = dict(
        Evidence.objects.filter(participant_id__in=ids).values_list("participant_id").annotate(n=Count("id")).order_by()
    )
    appeals = dict(
        Appeal.objects.filter(participant_id__in=ids).values_list("participant_id").annotate(n=Count("id")).order_by()
    )
    submitted = round_.participants.filter(self_submitted_at__isnull=False).count()
    total = round_.participants.count()
    latest = services.latest_computation(round_)
    context.update(
        page_obj=page,
        page_extra=f"&{urlencode({'q': text})}" if text else "",
        q=text,
        rows=[{"p": p, "evidence": evidence.get(p.pk, 0), "appeals": appeals.get(p.pk, 0)} for p in page.object_list],
        total=total,
        submitted=submitted,
        latest=latest,
        unresolved=latest.results.filter(unresolved__gt=0).count() if latest else 0,
        raters=round_.raters.count(),
        ratings=Rating.objects.filter(participant__round=round_).count(),
    )
    return render(request, "assessment/round_detail.html", context)


def _ranking_context(request: HttpRequest, round_: Round, computation: Computation | None) -> dict:
    """The ranking table of a computation, overall or within one peer group, limited to the user's scope."""
    filter_form = f.RankingFilterForm(request.GET or None, round_=round_)
    peer = filter_form.cleaned_data.get("peer") if filter_form.is_valid() else ""
    results = queries.ranking(computation, user=request.user, peer_key=peer or None) if computation else []
    group_label = ""
    if peer:
        group_label = next((label for key, label in filter_form.fields["peer"].choices if key == peer), "")
    size = computation.results.count() if computation else 0
    return {
        "computation": computation,
        "results": results,
        "filter_form": filter_form,
        "peer": peer,
        "group_label": group_label,
        "result_count": size,
    }


def _round_public(request: HttpRequest, round_: Round) -> HttpResponse:
    """A rater's or an organisation's view of a round: its stage, their tasks, the published ranking."""
    user = request.user
    computation = queries.visible_computation(user, round_)
    context = {
        "round": round_,
        "stages": _stages(round_),
        "stage_help": STAGE_HELP[round_.status],
        "normalisation": _(NORMALISATION_TEXT),
        "is_rater": RaterAssignment.objects.filter(round=round_, user=user).exists(),
        "mine": list(
            Participant.objects.visible_to(user).filter(round=round_).select_related("org").order_by("org__path")[:50]
        ),
        **(_summary_links(request, round_) if computation else {}),
        **_ranking_context(request, round_, computation),
    }
    template = "assessment/round_public.html" + ("#ranking" if request.htmx else "")
    return render(request, template, context)


# --- Stage changes --------------------------------------------------------------------------------------


def _stage_change(request: HttpRequest, pk: int, action, done: str, **extra_form) -> HttpResponse:
    round_ = _office_round(request, pk)
    form_class = extra_form.pop("form_class", f.VersionForm)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, round_)
    try:
        action(by=Actor.from_request(request), round_=round_, **form.cleaned_data)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"name": round_.name, "stage": round_.get_status_display()})
    return _back(request, round_)


@require_POST
def round_advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_change(request, pk, services.round_advance, _("“%(name)s”已进入“%(stage)s”阶段。"))


@require_POST
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_change(request, pk, services.round_publish, _("已公布“%(name)s”的考核结果，申诉期开始。"))


@require_POST
def round_lock(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_change(request, pk, services.round_lock, _("“%(name)s”已锁定。"))


@require_POST
def round_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_change(
        request, pk, services.round_reopen, _("已重新开启“%(name)s”，回到“%(stage)s”阶段；原公布结果保留可查。"),
        form_class=f.ReopenForm,
    )  # fmt: skip


def _latest_number(round_: Round) -> int:
    latest = services.latest_computation(round_)
    return latest.number if latest is not None else 0


@require_POST
def round_compute(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _office_round(request, pk)
    form = f.ComputeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if round_.participants.count() > settings.ASSESSMENT_INLINE_LIMIT:
        # Too many participants to score within one request: the worker computes it.
        job = job_create(
            kind="assessment.round_compute", by=Actor.from_request(request), obj=round_,
            params={"reason": reason, "back_url": reverse("assessment:round_ranking", args=[round_.pk])},
            task=round_compute_task, task_kwargs={"round_id": round_.pk, "reason": reason},
            # Pressing twice before it ran finds the first job; after it, the next computation is a new one.
            dedupe_key=f"{round_.pk}:after-{_latest_number(round_)}:{request.user.pk}",
        )  # fmt: skip
        return redirect("core:job_detail", job.pk)
    try:
        computation = services.round_compute(by=Actor.from_request(request), round_=round_, reason=reason)
    except UserError as error:
        messages.error(request, error.message)
    else:
        results = computation.results.count()
        unresolved = computation.results.filter(unresolved__gt=0).count()
        text = _("已完成第 %(n)d 次计算，共 %(count)d 家单位。") % {"n": computation.number, "count": results}
        if unresolved:
            text += _("其中 %(u)d 家存在待校准或缺少设置的考核项，处理后请重新计算。") % {"u": unresolved}
            messages.warning(request, text)
        else:
            messages.success(request, text)
    return redirect("assessment:round_ranking", pk=round_.pk)


# --- Ranking --------------------------------------------------------------------------------------------


@require_GET
def round_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """计算与排名: compute, the latest (or a chosen earlier) computation's ranking, publish."""
    round_ = _office_round(request, pk)
    computations = list(round_.computations.order_by("-number"))
    chosen = computations[0] if computations else None
    number = request.GET.get("computation", "")
    if number.isdigit():
        chosen = next((c for c in computations if c.number == int(number)), None)
        if chosen is None:
            raise Http404
    context = _round_context(request, round_, "round_ranking")
    context.update(_ranking_context(request, round_, chosen))
    context.update(
        computations=computations,
        is_latest=bool(chosen and computations and chosen.pk == computations[0].pk),
        unresolved=chosen.results.filter(unresolved__gt=0).count() if chosen else 0,
    )
    template = "assessment/round_ranking.html" + ("#ranking" if request.htmx else "")
    return render(request, template, context)


# --- Raters ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def round_raters(request: HttpRequest, pk: int) -> HttpResponse:
    """评分人: who rates which qualitative criteria of which organisations, and how far they are."""
    round_ = _office_round(request, pk)
    form = f.RaterAssignForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rater_assign(
                by=Actor.from_request(request), round_=round_, user=data["user"], criterion=data["criterion"],
                org=data["org"],
            )  # fmt: skip
        except UserError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("已指派评分人“%(user)s”。") % {"user": data["user"]})
            return redirect("assessment:round_raters", pk=round_.pk)
    assignments = list(round_.raters.select_related("user", "criterion", "org").order_by("user__username", "id"))
    done = Counter(
        dict(
            Rating.objects.filter(participant__round=round_).values_list("rater_id").annotate(n=Count("id")).order_by()
        )
    )
    qualitative = list(
        Criterion.objects.filter(dimension__framework_id=round_.framework_id, kind=CriterionKind.QUALITATIVE)
        .select_related("dimension")
        .order_by("dimension__sort_order", "sort_order", "id")
    )
    rated = dict(
        Rating.objects.filter(participant__round=round_)
        .values_list("criterion_id")
        .annotate(n=Count("participant_id", distinct=True))
        .order_by()
    )
    total = round_.participants.count()
    context = _round_context(request, round_, "round_raters")
    context.update(
        form=form,
        assignments=[{"a": a, "ratings": done.get(a.user_id, 0)} for a in assignments],
        progress=[{"criterion": c, "rated": rated.get(c.pk, 0), "total": total} for c in qualitative],
        closed=round_.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED),
    )
    return render(request, "assessment/round_raters.html", context)


# --- Bonus, deduction and veto entries -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def round_entries(request: HttpRequest, pk: int) -> HttpResponse:
    """加扣分与否决: the events the office recorded, and a form to record one."""
    round_ = _office_round(request, pk)
    form = f.EntryForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        criterion, item = form.cleaned_data["target"]
        participant = form.cleaned_data["participant"]
        try:
            services.entry_add(
                by=Actor.from_request(request), participant=participant, criterion=criterion, item=item,
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except UserError as error:
            form.add_error("target" if error.field in ("criterion", "item") else None, error.message)
        else:
            messages.success(
                request,
                _("已为“%(org)s”登记“%(criterion)s”，重新计算后计入得分。")
                % {"org": participant.org.name, "criterion": criterion.name},
            )
            return redirect("assessment:round_entries", pk=round_.pk)
    entries = list(
        Entry.objects.filter(participant__round=round_)
        .select_related("participant__org", "criterion", "by")
        .order_by("participant__org__path", "criterion_id", "id")
    )
    for entry in entries:
        items = {i["code"]: i for i in entry.criterion.items}
        entry.item_label = items.get(entry.item, {}).get("label", "")
        entry.item_points = items.get(entry.item, {}).get("points", "")
    context = _round_context(request, round_, "round_entries")
    context.update(form=form, entries=entries, closed=round_.status in (RoundStatus.PUBLISHED, RoundStatus.LOCKED))
    return render(request, "assessment/round_entries.html", context)


@require_POST
def entry_delete(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    round_ = _office_round(request, pk)
    entry = get_object_or_404(
        Entry.objects.select_related("participant__round", "participant__org", "criterion"),
        pk=entry_id,
        participant__round=round_,
    )
    try:
        services.entry_delete(by=Actor.from_request(request), entry=entry)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除“%(org)s”的一条登记。") % {"org": entry.participant.org.name})
    return redirect("assessment:round_entries", pk=round_.pk)


# --- Appeals (office) -----------------------------------------------------------------------------------


@require_GET
def round_appeals(request: HttpRequest, pk: int) -> HttpResponse:
    """申诉: every appeal of the round, those waiting for an answer first, each with an answer form."""
    round_ = _office_round(request, pk)
    appeals = list(
        Appeal.objects.filter(participant__round=round_)
        .select_related("participant__org", "criterion__dimension", "filed_by", "answered_by")
        .order_by(F("answered_at").desc(nulls_first=True), "created_at", "id")
    )
    context = _round_context(request, round_, "round_appeals")
    context.update(
        appeals=[
            {"appeal": a, "form": f.AppealAnswerForm(initial={"version": a.version}, prefix=f"a{a.pk}")}
            for a in appeals
        ],
    )
    return render(request, "assessment/round_appeals.html", context)


@require_POST
def appeal_answer(request: HttpRequest, pk: int, appeal_id: int) -> HttpResponse:
    round_ = _office_round(request, pk)
    appeal = get_object_or_404(
        Appeal.objects.select_related("participant__org", "criterion"), pk=appeal_id, participant__round=round_
    )
    form = f.AppealAnswerForm(request.POST, prefix=f"a{appeal.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(reverse("assessment:round_appeals", args=[round_.pk]) + f"#appeal-{appeal.pk}")
    try:
        services.appeal_answer(by=Actor.from_request(request), appeal=appeal, **form.cleaned_data)
    except UserError as error:
        messages.error(request, error.message)
    else:
        text = _("已答复“%(org)s”对“%(criterion)s”的申诉。") % {
            "org": appeal.participant.org.name, "criterion": appeal.criterion.name,
        }  # fmt: skip
        if form.cleaned_data["upheld"]:
            text += _("申诉成立：请重新开启本轮，改正后重新计算并公布。")
        messages.success(request, text)
    return redirect(reverse("assessment:round_appeals", args=[round_.pk]) + f"#appeal-{appeal.pk}")
