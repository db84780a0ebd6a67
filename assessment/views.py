"""Round pages: the office runs a round (stages, raters, computing and rankings, calibration, bonus and
deduction entries, publication, appeals, lock and reopen); raters rate what they were assigned;
assessed organisations submit their self-assessment and evidence, read their score cards and appeal.

Who gets in:
- a round exists for a user when `queries.rounds_visible` lists it, otherwise 404; the office's pages
  and actions answer 403 to anyone else who can see the round (a rater, a leader);
- a participant is read through the scope (`Participant.objects.visible_to`), and its score card only
  when `queries.card_visible` allows (the office, or the organisation's people after publication);
- a rater reaches only the (participant, criterion) pairs they were assigned (others are 404), and
  their own organisation is shown as not ratable.
Every write goes through assessment.services, which checks all of it again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import forms as f
from assessment import queries, services
from assessment.choices import CriterionKind, RoundStatus
from assessment.models import (
    Appeal,
    Calibration,
    Computation,
    Criterion,
    CriterionResult,
    Entry,
    Evidence,
    Participant,
    RaterAssignment,
    Rating,
    Result,
    Round,
)
from assessment.scoring import NORMALISATION_TEXT
from assessment.tasks import round_compute_task
from core import audit, formatting
from core.actor import Actor
from core.errors import UserError
from core.jobs import job_create
from orgs.choices import Action
from orgs.scoping import can, get_visible_or_404

PER_PAGE = 100
CALIBRATION_PER_PAGE = 40
STAGES = [RoundStatus.SELF_ASSESSMENT, RoundStatus.RATING, RoundStatus.CALIBRATION, RoundStatus.PUBLISHED,
          RoundStatus.LOCKED]  # fmt: skip
STAGE_HELP = {
    RoundStatus.SELF_ASSESSMENT: gettext_lazy("被考核单位填写自评说明、上传佐证材料；产改办指派评分人。"),
    RoundStatus.RATING: gettext_lazy("评分人对定性评价指标评分；被考核单位仍可补充材料。"),
    RoundStatus.CALIBRATION: gettext_lazy(
        "产改办计算得分，校准评分不一致的定性指标，登记加分、扣分和否决事项，确认后公布。"
    ),
    RoundStatus.PUBLISHED: gettext_lazy("结果已公布，被考核单位可在申诉期内对单项得分提出申诉，产改办逐件答复。"),
    RoundStatus.LOCKED: gettext_lazy("申诉期结束，结果锁定。已验收数据如有更正，需重新开启本轮并重新计算。"),
}
OFFICE_TABS = [
    ("round_detail", gettext_lazy("概况")),
    ("round_raters", gettext_lazy("评分人")),
    ("round_ranking", gettext_lazy("计算与排名")),
    ("round_calibration", gettext_lazy("校准")),
    ("round_entries", gettext_lazy("加扣分与否决")),
    ("round_appeals", gettext_lazy("申诉")),
]


# --- Access ---------------------------------------------------------------------------------------------


def _ensure_office(request: HttpRequest) -> None:
    if not queries.is_office(request.user):
        raise PermissionDenied(_("只有产改办可以管理考核轮次。"))


def _visible_round(request: HttpRequest, pk: int) -> Round:
    """The round if the user runs it, rates in it or has a published result in it; 404 otherwise."""
    return get_object_or_404(queries.rounds_visible(request.user).select_related("framework", "published"), pk=pk)


def _office_round(request: HttpRequest, pk: int) -> Round:
    round_ = _visible_round(request, pk)
    _ensure_office(request)
    return round_


def _visible_participant(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Participant:
    return get_visible_or_404(
        Participant.objects.select_related("round__framework", "round__published", "org"), request.user, action, pk=pk
    )


def _url(name: str, *args) -> str:
    """A page that another module provides (exports, frameworks), or "" while it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _put_error(form, error: UserError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _stages(round_: Round) -> list[dict]:
    current = STAGES.index(round_.status)
    return [
        {"status": s, "label": RoundStatus(s).label, "state": "done" if i < current else "current" if i == current
         else "todo", "help": STAGE_HELP[s]}
        for i, s in enumerate(STAGES)
    ]  # fmt: skip


def _summary_links(request: HttpRequest, round_: Round) -> dict:
    """The provincial summary's page and downloads (views_exports), for those allowed to have them."""
    try:
        from assessment.views_exports import may_export_summary
    except ImportError:  # the exports are written separately; the pages work without them
        return {}
    if not may_export_summary(request.user, round_):
        return {}
    return {
        "summary_url": _url("assessment:summary", round_.pk),
        "summary_xlsx_url": _url("assessment:summary_xlsx", round_.pk),
        "summary_pdf_url": _url("assessment:summary_pdf", round_.pk),
    }


def _round_context(request: HttpRequest, round_: Round, tab: str) -> dict:
    """What every office tab of a round shows: the stage, the tabs, the links to exports."""
    return {
        "round": round_,
        "tab": tab,
        "tabs": OFFICE_TABS,
        "stages": _stages(round_),
        "stage_help": STAGE_HELP[round_.status],
        "framework_url": _url("assessment:framework_detail", round_.framework_id),
        **(_summary_links(request, round_) if round_.computations.exists() else {}),
        "normalisation": _(NORMALISATION_TEXT),
        "pending_appeals": queries.pending_appeals(round_).count(),
        "version_form": f.VersionForm(initial={"version": round_.version}),
        "reopen_form": f.ReopenForm(initial={"version": round_.version}),
        "compute_form": f.ComputeForm(),
    }


def _back(request: HttpRequest, round_: Round, default: str = "assessment:round_detail") -> HttpResponse:
    """Back to the tab the form was posted from (only our own round pages), else `default`."""
    names = {name for name, _label in OFFICE_TABS}
    target = request.POST.get("next_tab", "")
    return redirect(f"assessment:{target}" if target in names else default, pk=round_.pk)


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
            "is_office": queries.is_office(user),
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
    if not queries.is_office(request.user):
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
        return self.result is None or self.result.applicable

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


# --- The assessed organisation's pages --------------------------------------------------------------------


def _self_participant(request: HttpRequest, pk: int) -> Participant:
    participant = _visible_participant(request, pk)
    if not can(request.user, Action.EDIT, participant.org):
        raise PermissionDenied(_("只有被考核单位（或其上级工会）有填报权限的人员可以提交自评。"))
    return participant


def _self_context(request: HttpRequest, participant: Participant, **forms) -> dict:
    round_ = participant.round
    criteria = list(
        Criterion.objects.filter(dimension__framework_id=round_.framework_id)
        .select_related("dimension")
        .order_by("dimension__sort_order", "dimension_id", "sort_order", "id")
    )
    evidence = defaultdict(list)
    for e in participant.evidence.select_related("report__period", "report__dataset", "uploaded_by").order_by("pk"):
        evidence[e.criterion_id].append(e)
    dimensions: list[dict] = []
    for c in criteria:
        if not dimensions or dimensions[-1]["dimension"].pk != c.dimension_id:
            dimensions.append({"dimension": c.dimension, "criteria": []})
        dimensions[-1]["criteria"].append({"criterion": c, "evidence": evidence.get(c.pk, [])})
    return {
        "participant": participant,
        "round": round_,
        "editable": round_.status in (RoundStatus.SELF_ASSESSMENT, RoundStatus.RATING),
        "dimensions": dimensions,
        "general_evidence": evidence.get(None, []),
        "note_form": forms.get("note_form")
        or f.SelfAssessmentForm(initial={"note": participant.self_note, "version": participant.version}),
        "evidence_form": forms.get("evidence_form") or f.EvidenceForm(participant=participant, user=request.user),
        "card_url": participant.get_absolute_url() if queries.card_visible(request.user, participant) else "",
    }


@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """自评: the organisation's statement and its evidence per criterion, during self-assessment and rating."""
    participant = _self_participant(request, pk)
    note_form = None
    if request.method == "POST":
        note_form = f.SelfAssessmentForm(request.POST)
        if note_form.is_valid():
            try:
                services.self_assessment_submit(
                    by=Actor.from_request(request), participant=participant, note=note_form.cleaned_data["note"],
                    version=note_form.cleaned_data["version"],
                )  # fmt: skip
            except UserError as error:
                _put_error(note_form, error)
            else:
                messages.success(request, _("已提交自评说明。"))
                return redirect("assessment:self_assessment", pk=participant.pk)
    context = _self_context(request, participant, note_form=note_form)
    return render(request, "assessment/self_assessment.html", context, status=400 if note_form else 200)


@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _self_participant(request, pk)
    form = f.EvidenceForm(request.POST, request.FILES, participant=participant, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            evidence = services.evidence_add(
                by=Actor.from_request(request), participant=participant, criterion=data["criterion"],
                title=data["title"], url=data["url"], upload=data["file"], report=data["report"],
            )  # fmt: skip
        except UserError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("已添加佐证材料“%(title)s”。") % {"title": evidence.title})
            return redirect(reverse("assessment:self_assessment", args=[participant.pk]) + "#evidence")
    context = _self_context(request, participant, evidence_form=form)
    return render(request, "assessment/self_assessment.html", context, status=400)


def _may_see_evidence(user, evidence: Evidence) -> bool:
    """The organisation's people and the office (scope), and the raters assigned to this organisation."""
    participant = evidence.participant
    if can(user, Action.VIEW, participant.org):
        return True
    assignments = RaterAssignment.objects.filter(round_id=participant.round_id, user=user).select_related("org")
    return any(
        (evidence.criterion_id is None or a.criterion_id in (None, evidence.criterion_id))
        and (a.org is None or participant.org.path.startswith(a.org.path))
        for a in assignments
    )


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, always as a download; 404 for anyone who may not see it."""
    evidence = Evidence.objects.select_related("participant__org", "participant__round").filter(pk=pk).first()
    if evidence is None or not evidence.file or not _may_see_evidence(request.user, evidence):
        raise Http404
    name = evidence.file.name.rsplit("/", 1)[-1]
    extension = name[name.rfind(".") :] if "." in name else ""
    filename = evidence.title if evidence.title.lower().endswith(extension.lower()) else evidence.title + extension
    audit.record(
        Actor.from_request(request), "assessment.evidence.download", evidence, after=None,
        detail={"participant": evidence.participant_id, "sha256": evidence.sha256},
    )  # fmt: skip
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def score_card(request: HttpRequest, pk: int) -> HttpResponse:
    """评分表: every dimension and criterion with the data, target, rule, points, raters and evidence."""
    participant = _visible_participant(request, pk)
    user = request.user
    if not queries.card_visible(user, participant):
        raise PermissionDenied(_("考核结果尚未公布。"))
    round_ = participant.round
    computation = queries.visible_computation(user, round_)
    card = queries.score_card(participant, computation)
    may_appeal = (
        round_.status == RoundStatus.PUBLISHED
        and services.may_appeal(user, participant)
        and not (round_.appeal_deadline and timezone.localdate() > round_.appeal_deadline)
    )
    result = card.result
    change = None
    if result is not None and card.previous is not None:
        change = result.total - card.previous.total
    return render(
        request,
        "assessment/score_card.html",
        {
            "card": card,
            "participant": participant,
            "round": round_,
            "result": result,
            "count": computation.results.count() if computation else 0,
            "normalisation": _(NORMALISATION_TEXT),
            "may_appeal": may_appeal,
            "appeal_form": f.AppealForm(),
            "is_office": queries.is_office(user),
            "change": change,
            "unpublished": computation is not None and computation.published_at is None,
            "xlsx_url": _url("assessment:score_card_xlsx", participant.pk),
            "pdf_url": _url("assessment:score_card_pdf", participant.pk),
            "may_self": round_.status in (RoundStatus.SELF_ASSESSMENT, RoundStatus.RATING)
            and can(user, Action.EDIT, participant.org),
        },
    )


@require_POST
def appeal_file(request: HttpRequest, pk: int) -> HttpResponse:
    """申诉: contest one criterion of a published score card (only the assessed organisation's own people)."""
    participant = _visible_participant(request, pk)
    if not queries.card_visible(request.user, participant):
        raise PermissionDenied(_("考核结果尚未公布。"))
    form = f.AppealForm(request.POST)
    anchor = ""
    if form.is_valid():
        round_ = participant.round
        criterion = get_object_or_404(
            Criterion.objects.select_related("dimension"),
            pk=form.cleaned_data["criterion"],
            dimension__framework_id=round_.framework_id,
        )
        anchor = f"#criterion-{criterion.pk}"
        try:
            services.appeal_file(
                by=Actor.from_request(request), participant=participant, criterion=criterion,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("已就“%(criterion)s”提出申诉，产改办答复后将显示在本页。") % {"criterion": criterion.name}
            )
    else:
        messages.error(request, _form_errors(form))
    return redirect(reverse("assessment:score_card", args=[participant.pk]) + anchor)


@require_GET
def my_results(request: HttpRequest) -> HttpResponse:
    """我的考核结果: published score cards of the user's organisations, and self-assessments to do."""
    user = request.user
    participants = queries.participants_for_user(user)
    page = Paginator(participants, PER_PAGE).get_page(request.GET.get("page"))
    ids = [p.pk for p in page.object_list]
    results = {
        r.participant_id: r
        for r in Result.objects.filter(
            participant_id__in=ids, computation_id=F("participant__round__published_id")
        ).select_related("weakest")
    }
    todo = []
    if not queries.is_office(user):
        todo = list(
            Participant.objects.visible_to(user, Action.EDIT)
            .filter(round__status__in=(RoundStatus.SELF_ASSESSMENT, RoundStatus.RATING))
            .select_related("round__framework", "org")
            .order_by("round__self_deadline", "org__path")[:PER_PAGE]
        )
    return render(
        request,
        "assessment/my_results.html",
        {
            "page_obj": page,
            "rows": [{"p": p, "result": results.get(p.pk)} for p in page.object_list],
            "todo": todo,
            "is_office": queries.is_office(user),
        },
    )


urlpatterns = [
    path("rounds/", round_list, name="round_list"),
    path("rounds/open/", round_open, name="round_open"),
    path("rounds/<int:pk>/", round_detail, name="round_detail"),
    path("rounds/<int:pk>/advance/", round_advance, name="round_advance"),
    path("rounds/<int:pk>/publish/", round_publish, name="round_publish"),
    path("rounds/<int:pk>/lock/", round_lock, name="round_lock"),
    path("rounds/<int:pk>/reopen/", round_reopen, name="round_reopen"),
    path("rounds/<int:pk>/compute/", round_compute, name="round_compute"),
    path("rounds/<int:pk>/ranking/", round_ranking, name="round_ranking"),
    path("rounds/<int:pk>/raters/", round_raters, name="round_raters"),
    path("rounds/<int:pk>/calibration/", round_calibration, name="round_calibration"),
    path("rounds/<int:pk>/calibration/save/", calibrate, name="calibrate"),
    path("rounds/<int:pk>/entries/", round_entries, name="round_entries"),
    path("rounds/<int:pk>/entries/<int:entry_id>/delete/", entry_delete, name="entry_delete"),
    path("rounds/<int:pk>/appeals/", round_appeals, name="round_appeals"),
    path("rounds/<int:pk>/appeals/<int:appeal_id>/answer/", appeal_answer, name="appeal_answer"),
    path("rating/", rating_home, name="rating_home"),
    path("rounds/<int:pk>/rating/", rating_tasks, name="rating_tasks"),
    path("rounds/<int:pk>/rating/<int:participant_id>/<int:criterion_id>/", rate, name="rate"),
    path("cards/<int:pk>/", score_card, name="score_card"),
    path("cards/<int:pk>/appeal/", appeal_file, name="appeal_file"),
    path("cards/<int:pk>/self-assessment/", self_assessment, name="self_assessment"),
    path("cards/<int:pk>/evidence/", evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", evidence_download, name="evidence_download"),
    path("mine/", my_results, name="my_results"),
]
