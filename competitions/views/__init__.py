"""Pages of the competitions: the list and an event, its entries (by hand and imported), results, outcomes,
the export of results and the province-wide summary of what results brought."""

from __future__ import annotations

import os
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competitions import exports, queries
from competitions import forms as f
from competitions.choices import CompetitionStatus, OutcomeKind
from competitions.excel import template_workbook
from competitions.models import Competition, CompetitionEntry
from competitions.services import competitions as svc
from competitions.services import entries as entry_svc
from competitions.services import imports, outcomes
from core import audit
from core.actor import Actor
from core.errors import UserError
from core.exports import XLSX_CONTENT_TYPE, attachment_disposition, export_response
from core.rendering import temporary_xlsx
from orgs.choices import Action
from orgs.pickers import bind_user
from orgs.scoping import get_visible_or_404, has_action
from reporting.excel.problems import ImportRefused

PER_PAGE = 100


def _put_error(form, error: UserError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _editable(request: HttpRequest, pk: int) -> Competition:
    """The event if the user may run it; 404 outside the scope (as for any other id)."""
    return get_visible_or_404(Competition.objects.select_related("organiser"), request.user, Action.EDIT, pk=pk)


@require_GET
def competition_list(request: HttpRequest) -> HttpResponse:
    """劳动和技能竞赛: every event the user sees, by kind, level, year, status and organiser."""
    form = f.FilterForm(request.GET or None, years=queries.years(request.user))
    bind_user(form, request.user)
    data = form.cleaned_data if form.is_valid() else {}
    rows = queries.competitions_for(
        request.user, kind=data.get("kind", ""), level=data.get("level", ""), year=data.get("year"),
        organiser=data.get("organiser"), status=data.get("status", ""),
    )  # fmt: skip
    return render(
        request, "competitions/competition_list.html",
        {"form": form, "competitions": rows[:PER_PAGE], "may_create": bool(request.user and _may_create(request))},
    )  # fmt: skip


def _may_create(request: HttpRequest) -> bool:
    return has_action(request.user, Action.EDIT)


@require_http_methods(["GET", "POST"])
def competition_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New competition, or the organiser's change of one (with its trades)."""
    competition = _editable(request, pk) if pk else None
    initial = {"version": 0}
    if competition is not None:
        initial = {
            "version": competition.version, "name": competition.name, "kind": competition.kind,
            "level": competition.level, "organiser": competition.organiser.code, "starts_on": competition.starts_on,
            "ends_on": competition.ends_on, "notes": competition.notes,
            "trades": "\n".join(competition.trades.values_list("name", flat=True)),
        }  # fmt: skip
    form = f.CompetitionForm(request.POST or None, initial=initial)
    bind_user(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            if competition is None:
                competition = svc.competition_create(by=Actor.from_request(request), **data)
                messages.success(request, _("竞赛已创建。"))
            else:
                svc.competition_update(by=Actor.from_request(request), competition=competition, version=version, **data)
                messages.success(request, _("竞赛已保存。"))
        except UserError as error:
            _put_error(form, error)
        except PermissionDenied as error:
            form.add_error("organiser", str(error))
        else:
            return redirect(competition)
    status = 400 if request.method == "POST" else 200
    return render(request, "competitions/competition_form.html", {"form": form, "competition": competition},
                  status=status)  # fmt: skip


@require_GET
def competition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One event: details, trades, entries with results (the organiser's side sees all, others their own)."""
    competition = get_visible_or_404(Competition.objects.select_related("organiser"), request.user, pk=pk)
    may_edit = queries.may_edit(request.user, competition)
    entries = list(queries.entries_of(request.user, competition).prefetch_related("outcomes"))
    rows = [(e, f.ResultForm(initial={"version": e.version, "score": e.score, "rank": e.rank, "award": e.award},
                             prefix=f"r{e.pk}")) for e in entries]  # fmt: skip
    return render(
        request, "competitions/competition_detail.html",
        {
            "competition": competition, "trades": list(competition.trades.all()), "rows": rows,
            "may_edit": may_edit, "status": CompetitionStatus,
            "may_enter": may_edit and competition.status in entry_svc.OPEN_FOR_ENTRIES,
            "may_record": may_edit and competition.status in entry_svc.OPEN_FOR_RESULTS,
            "reopen_form": f.ReopenForm(initial={"version": competition.version}),
            "winners": sum(1 for e in entries if e.award),
            "may_export": has_action(request.user, Action.EXPORT),
        },
    )  # fmt: skip


@require_POST
def competition_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Start, finish, publish or reopen (the organiser's buttons on the event page)."""
    competition = _editable(request, pk)
    step = request.POST.get("step", "")
    form = f.ReopenForm(request.POST) if step == "reopen" else f.VersionForm(request.POST)
    by = Actor.from_request(request)
    if not form.is_valid():
        messages.error(request, _("请填写重新开放的原因。") if step == "reopen" else _("请求无效，请刷新后重试。"))
        return redirect(competition)
    version = form.cleaned_data["version"]
    try:
        if step == "publish":
            svc.results_publish(by=by, competition=competition, version=version)
            messages.success(request, _("结果已公布并锁定。"))
        elif step == "reopen":
            svc.results_reopen(by=by, competition=competition, version=version, reason=form.cleaned_data["reason"])
            messages.success(request, _("结果已重新开放，可以更正。"))
        elif step in (CompetitionStatus.UNDER_WAY, CompetitionStatus.FINISHED, CompetitionStatus.PLANNED):
            svc.competition_step(by=by, competition=competition, version=version, status=step)
            messages.success(request, _("竞赛状态已更新。"))
        else:
            messages.error(request, _("未知的操作。"))
    except UserError as error:
        messages.error(request, error.message)
    return redirect(competition)


def _people(request: HttpRequest, form_data) -> list:
    org_form = f.EntryForm(form_data, trades=())
    bind_user(org_form, request.user)
    org_form.is_valid()
    org = org_form.cleaned_data.get("org") if hasattr(org_form, "cleaned_data") else None
    if org is None:
        return []
    return list(queries.people_for(request.user, org, (form_data or {}).get("q", "")))


@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter a participant by hand: a trade, the entrant organisation, a person of its pool or a name.

    "查找" (or the htmx search) reloads the form with the matching people in the select; "报名" saves."""
    competition = _editable(request, pk)
    data = request.POST or request.GET or None
    people = _people(request, data) if data else []
    form = f.EntryForm(data, trades=competition.trades.all(), people=people)
    bind_user(form, request.user)
    saving = request.method == "POST" and "save" in request.POST
    if saving and form.is_valid():
        d = form.cleaned_data
        trade = competition.trades.filter(pk=d["trade"]).first()
        person = next((p for p in people if p.pk == d["person"]), None)
        try:
            if trade is None:
                raise UserError(_("请选择工种。"), field="trade")
            if d["person"] and person is None:
                raise UserError(_("请从列表中选择人员。"), field="person")
            entry_svc.entry_create(by=Actor.from_request(request), competition=competition, trade=trade,
                                   org=d["org"], person=person, name=d["name"])  # fmt: skip
        except UserError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("已报名。"))
            if request.POST.get("save") == "again":
                return redirect("competitions:entry_create", pk=competition.pk)
            return redirect(competition)
    template = "competitions/entry_form.html" + ("#people" if request.htmx and not saving else "")
    return render(request, template, {"form": form, "competition": competition, "people": people},
                  status=400 if saving else 200)  # fmt: skip


@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(CompetitionEntry.objects.select_related("competition"), request.user, Action.EDIT, pk=pk)
    form = f.VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise UserError(_("请求无效，请刷新后重试。"))
        entry_svc.entry_delete(by=Actor.from_request(request), entry=entry, version=form.cleaned_data["version"])
        messages.success(request, _("已删除报名。"))
    except UserError as error:
        messages.error(request, error.message)
    return redirect(entry.competition)


@require_GET
def entries_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The entries workbook to fill in, with the event's trades as a list."""
    competition = _editable(request, pk)
    response = HttpResponse(template_workbook(competition), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(
        _("%(name)s-报名表.xlsx") % {"name": competition.name}, fallback="entries.xlsx"
    )
    return response


@require_http_methods(["GET", "POST"])
def entries_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a filled entries workbook: all rows entered, or none and every problem listed."""
    competition = _editable(request, pk)
    form = f.ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            created = imports.entries_import(by=Actor.from_request(request), competition=competition, path=path)
        except ImportRefused as refused:
            problems = refused.problems
        except UserError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已导入 %(n)d 名参赛人员。") % {"n": len(created)})
            return redirect(competition)
        finally:
            os.unlink(path)  # nothing of the upload is kept (SECURITY.md row 39)
    status = 400 if request.method == "POST" else 200
    return render(request, "competitions/entries_import.html",
                  {"form": form, "competition": competition, "problems": problems}, status=status)  # fmt: skip


@require_POST
def result_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one entry's score, rank and award (a row of the event page)."""
    entry = get_visible_or_404(CompetitionEntry.objects.select_related("competition"), request.user, Action.EDIT, pk=pk)
    form = f.ResultForm(request.POST, prefix=f"r{entry.pk}")
    try:
        if not form.is_valid():
            raise UserError("；".join(str(e) for errors in form.errors.values() for e in errors))
        d = form.cleaned_data
        entry_svc.result_record(by=Actor.from_request(request), entry=entry, version=d["version"],
                                score=d["score"], rank=d["rank"], award=d["award"])  # fmt: skip
        messages.success(request, _("%(name)s的成绩已保存。") % {"name": entry.name})
    except UserError as error:
        messages.error(request, _("%(name)s：%(error)s") % {"name": entry.name, "error": error.message})
    return redirect(f"{entry.competition.get_absolute_url()}#entry-{entry.pk}")


@require_GET
def competition_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """What each result of one event brought, and the organiser's forms to record it."""
    competition = get_visible_or_404(Competition.objects.select_related("organiser"), request.user, pk=pk)
    may_edit = queries.may_edit(request.user, competition) and competition.status == CompetitionStatus.PUBLISHED
    entries = [e for e in queries.entries_of(request.user, competition).prefetch_related("outcomes")
               if e.award or e.rank is not None]  # fmt: skip
    default = competition.published_on or competition.ends_on
    rows = [(e, f.OutcomeForm(initial={"effective_on": default}, prefix=f"o{e.pk}"),
             f.PoolForm(initial={"version": e.version}, prefix=f"p{e.pk}")) for e in entries]  # fmt: skip
    return render(
        request, "competitions/competition_outcomes.html",
        {"competition": competition, "rows": rows, "may_edit": may_edit,
         "summary": queries.outcome_summary(request.user, [competition.pk])},
    )  # fmt: skip


@require_POST
def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one outcome of one result."""
    entry = get_visible_or_404(
        CompetitionEntry.objects.select_related("competition", "person"), request.user, Action.EDIT, pk=pk
    )
    form = f.OutcomeForm(request.POST, prefix=f"o{entry.pk}")
    try:
        if not form.is_valid():
            raise UserError("；".join(str(e) for errors in form.errors.values() for e in errors))
        outcomes.outcome_record(by=Actor.from_request(request), entry=entry, **form.cleaned_data)
        messages.success(request, _("已记录%(name)s的“%(kind)s”。")
                         % {"name": entry.name, "kind": OutcomeKind(form.cleaned_data["kind"]).label})  # fmt: skip
    except UserError as error:
        messages.error(request, _("%(name)s：%(error)s") % {"name": entry.name, "error": error.message})
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect(f"{reverse_outcomes(entry.competition_id)}#entry-{entry.pk}")


def reverse_outcomes(pk: int) -> str:
    from django.urls import reverse

    return reverse("competitions:outcomes", args=[pk])


@require_POST
def entry_add_to_pool(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a participant who is not in the talent pool to it, from the entry."""
    entry = get_visible_or_404(CompetitionEntry.objects.select_related("competition", "trade", "org"), request.user,
                               Action.EDIT, pk=pk)  # fmt: skip
    form = f.PoolForm(request.POST, prefix=f"p{entry.pk}")
    try:
        if not form.is_valid():
            raise UserError(_("请选择性别。"))
        outcomes.entry_add_to_pool(by=Actor.from_request(request), entry=entry, **form.cleaned_data)
        messages.success(request, _("%(name)s已加入人才库。") % {"name": entry.name})
    except UserError as error:
        messages.error(request, _("%(name)s：%(error)s") % {"name": entry.name, "error": error.message})
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect(f"{reverse_outcomes(entry.competition_id)}#entry-{entry.pk}")


@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The results of one event as .xlsx (the entries the user sees); audited."""
    competition = get_visible_or_404(Competition.objects.select_related("organiser"), request.user, pk=pk)
    from orgs.scoping import ensure_action

    ensure_action(request.user, Action.EXPORT)
    entries = list(queries.entries_of(request.user, competition).prefetch_related("outcomes"))
    fileobj, count = temporary_xlsx(lambda out: exports.results_xlsx(competition, entries, fileobj=out))
    audit.record(Actor.from_request(request), "competitions.results.export", competition, after=None,
                 detail={"format": "xlsx", "rows": count})  # fmt: skip
    return export_response(
        fileobj, fmt="xlsx", filename_stem=_("%(name)s-竞赛结果-%(day)s")
        % {"name": competition.name, "day": f"{timezone.localdate():%Y%m%d}"}, fallback_stem="competition-results",
    )  # fmt: skip


@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    """竞赛成果汇总: across the events the user sees, how many winners got a level, a title, an honour, a pay rise."""
    return render(
        request, "competitions/summary.html",
        {"total": queries.outcome_summary(request.user), "rows": queries.summary_by_competition(request.user)},
    )  # fmt: skip
