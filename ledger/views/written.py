"""The nine-aspect written report pages: rounds, who has submitted, an organisation's reports, one report.

Every read goes through ledger.queries.written (the door), every write through ledger.services.written;
plain form posts redirect back (post/redirect/get) and show the service's message when it refuses.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import registry, richtext
from core.actor import Actor
from core.docx import DOCX_CONTENT_TYPE
from core.errors import UserError
from core.exports import rate_limited
from ledger import exports, queries, services
from ledger.choices import Aspect, WrittenStatus
from ledger.queries import written as written_queries
from ledger.workflow import WRITTEN_WORKFLOW
from ledger.written_figures import ASPECT_INDICATORS, LEDGER_ASPECTS, figures_for
from ledger.written_forms import AttachForm, CommentForm, RoundForm, SectionForm, StepForm
from orgs.choices import Action
from orgs.scoping import can, is_office


def _refuse(request: HttpRequest, error: UserError) -> None:
    messages.error(request, error.message)


def _is_manager(user) -> bool:
    from orgs.scoping import has_action

    return is_office(user) and has_action(user, Action.ASSESS_MANAGE)


# --- Rounds ------------------------------------------------------------------------------------------------------


@require_GET
def written_rounds(request: HttpRequest) -> HttpResponse:
    """书面报告: the rounds, with how many reports in the user's scope stand in each state."""
    rounds = list(written_queries.rounds_visible(request.user))
    counts: dict[int, dict[str, int]] = {}
    for row in (
        written_queries.reports_visible(request.user)
        .filter(round__in=rounds)
        .values("round_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(row["round_id"], {})[row["status"]] = row["n"]
    items = [
        {
            "round": r,
            "submitted": counts.get(r.pk, {}).get(WrittenStatus.SUBMITTED, 0),
            "accepted": counts.get(r.pk, {}).get(WrittenStatus.ACCEPTED, 0),
            "returned": counts.get(r.pk, {}).get(WrittenStatus.RETURNED, 0),
            "draft": counts.get(r.pk, {}).get(WrittenStatus.DRAFT, 0),
        }
        for r in rounds
    ]
    own = [x.org for x in queries.ledgers_visible(request.user, Action.EDIT).order_by("org__path")[:20]]
    return render(
        request,
        "ledger/written_rounds.html",
        {
            "items": items,
            "form": RoundForm() if _is_manager(request.user) else None,
            "own_orgs": own,
        },
    )


@require_POST
def written_round_open(request: HttpRequest) -> HttpResponse:
    if not is_office(request.user):
        raise Http404
    form = RoundForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            written_round = services.round_open(by=Actor.from_request(request), **data)
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已发起“%(title)s”。") % {"title": written_round.title})
            return redirect("ledger:written_round", pk=written_round.pk)
    rounds = [{"round": r} for r in written_queries.rounds_visible(request.user)]
    return render(request, "ledger/written_rounds.html", {"items": rounds, "form": form}, status=400)


def _round_filters(request: HttpRequest) -> dict[str, str]:
    status = request.GET.get("status", "")
    if status not in dict(written_queries.STATUS_CHOICES):
        status = ""
    return {
        "union": request.GET.get("union", "").strip()[:64],
        "prefecture": request.GET.get("prefecture", "").strip()[:12],
        "status": status,
    }


@require_GET
def written_round(request: HttpRequest, pk: int) -> HttpResponse:
    """One round: every ledger organisation in scope, with its report's state, on time or late."""
    found = written_queries.round_or_404(request.user, pk)
    filters = _round_filters(request)
    rows, counts = written_queries.submission_rows(request.user, found, **filters)
    form = None
    if _is_manager(request.user):
        form = RoundForm(
            initial={
                "code": found.code,
                "title": found.title,
                "period_start": found.period_start,
                "period_end": found.period_end,
                "due_on": found.due_on,
                "version": found.version,
            }
        )
    return render(
        request,
        "ledger/written_round.html",
        {
            "round": found,
            "rows": rows,
            "counts": counts,
            "filters": filters,
            "status_choices": written_queries.STATUS_CHOICES,
            "unions": queries.union_choices(request.user),
            "form": form,
            "may_export": bool(rows) or is_office(request.user),
        },
    )


@require_POST
def written_round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = written_queries.round_or_404(request.user, pk)
    if not is_office(request.user):
        raise Http404
    form = RoundForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            services.round_update(by=Actor.from_request(request), round=found, version=version, **data)
        except UserError as error:
            _refuse(request, error)
        else:
            messages.success(request, _("已保存报告期。"))
    else:
        messages.error(request, _("请检查填写的内容：%(errors)s") % {"errors": _errors_text(form)})
    return redirect("ledger:written_round", pk=found.pk)


def _errors_text(form) -> str:
    return "；".join(f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{e}"
                    for k, errors in form.errors.items() for e in errors)  # fmt: skip


# --- An organisation's reports -------------------------------------------------------------------------------------


@require_GET
def org_written(request: HttpRequest, code: str) -> HttpResponse:
    """书面报告 tab: the organisation's report for each round, or the button to start it."""
    ledger = queries.ledger_or_404(request.user, code)
    reports = {r.round_id: r for r in written_queries.org_reports(request.user, ledger)}
    rounds = list(written_queries.rounds_visible(request.user))
    items = [{"round": r, "report": reports.get(r.pk)} for r in rounds]
    return render(
        request,
        "ledger/written_org.html",
        {
            "ledger": ledger,
            "org": ledger.org,
            "tab": "written",
            "items": items,
            "may_start": can(request.user, Action.EDIT, ledger.org),
        },
    )


@require_POST
def written_start(request: HttpRequest, code: str) -> HttpResponse:
    ledger = queries.ledger_or_404(request.user, code)
    round_pk = request.POST.get("round", "")
    found = written_queries.round_or_404(request.user, round_pk)
    existing = written_queries.org_reports(request.user, ledger).filter(round=found).first()
    if existing is not None:
        return redirect(existing)
    try:
        report = services.written_start(by=Actor.from_request(request), round=found, org=ledger.org)
    except UserError as error:
        _refuse(request, error)
        return redirect("ledger:org_written", code=ledger.org.code)
    return redirect(report)


# --- One report ----------------------------------------------------------------------------------------------------


def _history(report) -> list[dict]:
    rows = []
    for entry in written_queries.history_of(report):
        if not entry.success:
            continue
        detail = entry.detail or {}
        notes = []
        if detail.get("reason"):
            notes.append(detail["reason"])
        for aspect, text in (detail.get("sections") or {}).items():
            notes.append(_("第%(n)s项：%(text)s") % {"n": aspect, "text": text})
        if detail.get("aspect"):
            notes.append(_("第%(n)s项") % {"n": detail["aspect"]})
        rows.append({"at": entry.at, "who": entry.username, "event": registry.event_label(entry.event), "notes": notes})
    return rows


def _report_context(request: HttpRequest, report, *, forms: dict | None = None) -> dict:
    user = request.user
    steps = written_queries.steps_for(user, report)
    may_edit = written_queries.may_edit(user, report)
    reviewer = written_queries.may_review_report(user, report)
    figures = figures_for([report]).get(report.pk)
    forms = forms or {}
    sections = []
    for section in report.sections.all():
        form = forms.get(section.aspect)
        html, text = section.body, richtext.as_paragraphs(section.body)
        if form is not None and form.is_bound:  # a refused save: show what was typed
            sent = form.data.get("body", "")
            html, text = (
                (richtext.clean(sent), richtext.as_paragraphs(sent))
                if form.data.get("format") == "html"
                else ("", sent)
            )
        sections.append(
            {
                "html": html,
                "text": text,
                "section": section,
                "title": exports.aspect_title(section.aspect),
                "figures": figures.of(section.aspect) if figures else [],
                "has_figures": section.aspect in ASPECT_INDICATORS or section.aspect in LEDGER_ASPECTS,
                "form": form or (SectionForm(initial={"version": report.version}) if may_edit else None),
                "comment_form": CommentForm(initial={"version": report.version, "comment": section.comment})
                if reviewer and report.status != WrittenStatus.DRAFT
                else None,
            }
        )
    return {
        "report": report,
        "org": report.org,
        "round": report.round,
        "sections": sections,
        "figures_year": figures.year if figures else None,
        "steps": steps,
        "step_labels": {s.name: s.label for s in WRITTEN_WORKFLOW.steps},
        "may_edit": may_edit,
        "reviewer": reviewer,
        "review_form": forms.get("review") or StepForm(initial={"version": report.version}),
        "attach_form": AttachForm() if may_edit else None,
        "history": _history(report),
        "aspects": Aspect.choices,
    }


@require_GET
def written_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = written_queries.report_or_404(request.user, pk)
    return render(request, "ledger/written_report.html", _report_context(request, report))


@require_POST
def written_section(request: HttpRequest, pk: int, aspect: int) -> HttpResponse:
    """Save one aspect's text."""
    report = written_queries.report_or_404(request.user, pk)
    section = written_queries.section_or_404(request.user, report, aspect)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_save(
                by=Actor.from_request(request),
                section=section,
                version=form.cleaned_data["version"],
                body=form.cleaned_data["body"],
            )
        except PermissionDenied:
            raise
        except UserError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存“%(title)s”。") % {"title": exports.aspect_title(section.aspect)})
            return redirect(f"{report.get_absolute_url()}#aspect-{section.aspect}")
    report = written_queries.report_or_404(request.user, pk)
    context = _report_context(request, report, forms={section.aspect: form})
    return render(request, "ledger/written_report.html", context, status=400)


@require_POST
def written_attach(request: HttpRequest, pk: int, aspect: int) -> HttpResponse:
    report = written_queries.report_or_404(request.user, pk)
    section = written_queries.section_or_404(request.user, report, aspect)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            document = services.section_attach(
                by=Actor.from_request(request), section=section, upload=form.cleaned_data["file"]
            )
        except UserError as error:
            _refuse(request, error)
        else:
            messages.success(request, _("已上传附件“%(name)s”。") % {"name": document.original_name})
    return redirect(f"{report.get_absolute_url()}#aspect-{section.aspect}")


@require_POST
def written_detach(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    report = written_queries.report_or_404(request.user, pk)
    found, section = written_queries.attachment_or_404(request.user, report, document)
    try:
        services.section_detach(by=Actor.from_request(request), section=section, document=found)
    except UserError as error:
        _refuse(request, error)
    else:
        messages.success(request, _("已移除附件“%(name)s”。") % {"name": found.original_name})
    return redirect(f"{report.get_absolute_url()}#aspect-{section.aspect}")


@require_GET
def written_attachment(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    """An attached file, always as a download under its original name."""
    report = written_queries.report_or_404(request.user, pk)
    found, _section = written_queries.attachment_or_404(request.user, report, document)
    try:
        handle = services.attachment_open(by=Actor.from_request(request), report=report, document=found)
    except UserError as error:
        _refuse(request, error)
        return redirect(report)
    response = FileResponse(handle, as_attachment=True, filename=found.original_name, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def written_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Submit, return (with reasons per aspect), accept or reopen."""
    report = written_queries.report_or_404(request.user, pk)
    if step not in {s.name for s in WRITTEN_WORKFLOW.steps}:
        raise Http404
    form = StepForm(request.POST)
    if form.is_valid():
        current = {s.aspect: s.comment for s in report.sections.all()}
        comments = {a: c for a, c in form.section_comments().items() if c.strip() != current.get(a, "")}
        try:
            services.written_step(
                by=Actor.from_request(request),
                report=report,
                step=step,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                section_reasons=form.section_reasons() if step == "return" else None,
                section_comments=comments if step != "submit" else None,
            )
        except PermissionDenied:
            raise
        except UserError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("书面报告已%(step)s。") % {"step": WRITTEN_WORKFLOW.step(step).label})
            return redirect(report)
    report = written_queries.report_or_404(request.user, pk)
    context = _report_context(request, report, forms={"review": form})
    context["step_error"] = step
    return render(request, "ledger/written_report.html", context, status=400)


@require_POST
def written_comment(request: HttpRequest, pk: int, aspect: int) -> HttpResponse:
    report = written_queries.report_or_404(request.user, pk)
    section = written_queries.section_or_404(request.user, report, aspect)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容：%(errors)s") % {"errors": _errors_text(form)})
    else:
        try:
            services.section_comment(
                by=Actor.from_request(request),
                section=section,
                version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except PermissionDenied:
            raise
        except UserError as error:
            _refuse(request, error)
        else:
            messages.success(request, _("已保存审核意见。"))
    return redirect(f"{report.get_absolute_url()}#aspect-{section.aspect}")


# --- Exports -------------------------------------------------------------------------------------------------------


def _too_many(request: HttpRequest) -> HttpResponse | None:
    wait = rate_limited(request, "ledger")
    if not wait:
        return None
    response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _docx_response(content: bytes, filename: str) -> FileResponse:
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=DOCX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def written_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """One report as .docx (whoever may see the report and holds the export right over it)."""
    report = written_queries.report_or_404(request.user, pk)
    if not can(request.user, Action.EXPORT, report.org):
        raise PermissionDenied(_("您没有导出该书面报告的权限。"))
    refused = _too_many(request)
    if refused:
        return refused
    content = exports.report_docx(report, figures_for([report]).get(report.pk))
    services.export_audit(Actor.from_request(request), report=report, count=1)
    return _docx_response(content, f"{report.org.name}-{report.round.code}-书面报告.docx")


@require_GET
def written_round_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's reports as one .docx: the exporter's subtree's (a union), or all (the office)."""
    found = written_queries.round_or_404(request.user, pk)
    filters = _round_filters(request)
    rows, _counts = written_queries.submission_rows(request.user, found, **filters)
    allowed = {row.org.pk for row in rows}
    reports = [r for r in written_queries.round_reports_for_export(request.user, found) if r.org_id in allowed]
    if not reports and not rows:
        raise PermissionDenied(_("您的范围内没有可导出的书面报告。"))
    refused = _too_many(request)
    if refused:
        return refused
    content, count = exports.round_docx(found, rows, reports, figures_for(reports))
    services.export_audit(Actor.from_request(request), round=found, count=count)
    return _docx_response(content, f"{found.code}-九个方面书面报告汇编.docx")
