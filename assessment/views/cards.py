"""The assessed organisation's pages: self-assessment and evidence, score cards and appeals, my results."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import forms as f
from assessment import queries, services
from assessment.choices import RoundStatus
from assessment.models import Criterion, Evidence, Participant, Result
from assessment.rules import ROUNDING_TEXT
from assessment.scoring import NORMALISATION_TEXT
from assessment.views.common import PER_PAGE, _form_errors, _put_error, _url, _visible_participant
from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import can

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
    """Whoever may read the score card, the people who write the self-assessment, and the raters
    assigned to this organisation: a file never reaches someone refused its card (issue 11)."""
    participant = evidence.participant
    if queries.card_visible(user, participant) or can(user, Action.EDIT, participant.org):
        return True
    return services.assigned(user, participant, evidence.criterion_id)


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


def _report_links(user, card) -> dict[int, str]:
    """The reports a missing figure names that the viewer may open (through the door): {report id: url}."""
    from reporting.models import Report

    items = [i for d in card.dimensions for i in d.criteria]
    ids = {i.detail["report"]["id"] for i in items if isinstance(i.detail.get("report"), dict)}
    if not ids:
        return {}
    visible = Report.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    return {pk: reverse("reporting:report_detail", kwargs={"pk": pk}) for pk in visible}


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
        and not (round_.appeal_deadline and deadlines.today() > round_.appeal_deadline)
    )
    result = card.result
    report_links = _report_links(user, card)
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
            "rounding": _(ROUNDING_TEXT),
            "report_links": report_links,
            "may_appeal": may_appeal,
            "appeal_form": f.AppealForm(),
            "runs_assessment": queries.runs_assessment(user),
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
    if not queries.runs_assessment(user):
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
            "runs_assessment": queries.runs_assessment(user),
        },
    )
