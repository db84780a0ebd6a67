"""Downloads of the assessment app: a score card and the provincial summary, as .xlsx and as PDF.

Who may download what follows queries.py, as the pages do:
- a score card when `queries.card_visible` says so, read through the scope (404 otherwise, so ids
  outside it leak nothing); the office gets the latest computation, everyone else the published one;
- the provincial summary for the office, and for whoever holds the export right with every participant
  of the round in their scope (the leading group's 领导); others who can see the round get 403, since
  the summary names organisations they may not see.

Every download is rate-limited per address (core.exports) and audited with its format and row count.
"""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assessment import exports, queries
from assessment.models import Computation, Participant, Round
from core import audit
from core.actor import Actor
from core.exports import XLSX_CONTENT_TYPE, rate_limited
from orgs.choices import Action
from orgs.scoping import has_action


def _too_many(request: HttpRequest) -> HttpResponse | None:
    wait = rate_limited(request, "assessment")
    if not wait:
        return None
    response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _download(content, *, filename: str, content_type: str) -> FileResponse:
    """An attachment (never shown inline), not kept in any cache: it carries assessment results."""
    fileobj = io.BytesIO(content) if isinstance(content, bytes) else content
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store, private"
    return response


def _participant(request: HttpRequest, pk: int) -> tuple[Participant, Computation]:
    """The participant whose card the user may read, and the computation they see; Http404 otherwise."""
    user = request.user
    participants = Participant.objects.select_related("round__framework", "round__published", "org")
    if not queries.runs_assessment(user):
        participants = participants.visible_to(user).filter(round__published__isnull=False)
    participant = participants.filter(pk=pk).first()
    if participant is None or not queries.card_visible(user, participant):
        raise Http404
    computation = queries.visible_computation(user, participant.round)
    if computation is None:
        raise Http404
    return participant, computation


def _score_card(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    participant, computation = _participant(request, pk)
    refused = _too_many(request)
    if refused:
        return refused
    card = queries.score_card(participant, computation)
    if fmt == "xlsx":
        content, count = exports.score_card_xlsx(card)
        content_type = XLSX_CONTENT_TYPE
    else:
        content, count = exports.score_card_pdf(card), len(exports.card_rows(card))
        content_type = exports.PDF_CONTENT_TYPE
    audit.record(
        Actor.from_request(request), "assessment.score_card.export", participant, after=None,
        detail={"format": fmt, "round": participant.round_id, "computation": computation.number, "rows": count},
    )  # fmt: skip
    stem = _("考核评分表-%(round)s-%(org)s") % {"round": participant.round.name, "org": participant.org.name}
    return _download(content, filename=f"{stem}.{fmt}", content_type=content_type)


@require_GET
def score_card_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation's score card as a formatted workbook."""
    return _score_card(request, pk, "xlsx")


@require_GET
def score_card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation's score card as an A4 PDF."""
    return _score_card(request, pk, "pdf")


def may_export_summary(user, round_: Round) -> bool:
    """The office, or the export right over every participant of the round (see the module docstring)."""
    if queries.runs_assessment(user):
        return True
    if not has_action(user, Action.EXPORT):
        return False
    everyone = Participant.objects.filter(round=round_).count()
    return Participant.objects.visible_to(user).filter(round=round_).count() == everyone


def _summary(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    round_ = queries.rounds_visible(request.user).filter(pk=pk).first()
    if round_ is None:
        raise Http404
    computation = queries.visible_computation(request.user, round_)
    if computation is None:
        raise Http404
    if not may_export_summary(request.user, round_):
        raise PermissionDenied(_("省级汇总表仅供产改办和全省范围的领导小组成员导出。"))
    refused = _too_many(request)
    if refused:
        return refused
    results = queries.ranking(computation, user=request.user)
    tables = exports.summary_tables(round_, computation, queries.summary(computation), results)
    if fmt == "xlsx":
        content, count = exports.summary_xlsx(tables)
        content_type = XLSX_CONTENT_TYPE
    else:
        content, count = exports.summary_pdf(tables), len(tables.ranking)
        content_type = exports.PDF_CONTENT_TYPE
    audit.record(
        Actor.from_request(request), "assessment.summary.export", round_, after=None,
        detail={"format": fmt, "computation": computation.number, "rows": count},
    )  # fmt: skip
    stem = _("考核结果汇总表-%(round)s") % {"round": round_.name}
    return _download(content, filename=f"{stem}.{fmt}", content_type=content_type)


@require_GET
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial summary for the leading group as a page: grades, dimensions, peer groups, the ranking."""
    round_ = queries.rounds_visible(request.user).filter(pk=pk).first()
    computation = queries.visible_computation(request.user, round_) if round_ is not None else None
    if computation is None:
        raise Http404
    if not may_export_summary(request.user, round_):
        raise PermissionDenied(_("省级汇总表仅供产改办和全省范围的领导小组成员查看。"))
    results = queries.ranking(computation, user=request.user)
    tables = exports.summary_tables(round_, computation, queries.summary(computation), results)
    return render(
        request,
        "assessment/summary.html",
        {
            "round": round_,
            "t": tables,
            "rank_headers": exports.rank_headers(tables),
            "rank_rows": exports.rank_values(tables),
        },
    )


@require_GET
def summary_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial summary (grades, dimensions, peer groups) and the ranking as a workbook."""
    return _summary(request, pk, "xlsx")


@require_GET
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial summary and the ranking as an A4 (landscape) PDF."""
    return _summary(request, pk, "pdf")
