"""The ledger pages: the list of ledgers in scope, one organisation's ledger and its parts, the office's settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, deadlines, pii
from core.actor import Actor
from core.errors import UserError
from ledger import forms as f
from ledger import queries, services
from ledger.choices import DocumentKind, OfficerKind
from ledger.models import Document, GroupMember, Officer, ReformSettings
from ledger.queries.alerts import org_alerts
from ledger.queries.roadmap import task_lines
from orgs.choices import Action
from orgs.scoping import can, get_visible_or_404, is_office, office_or_404

PER_PAGE = 50


def put_error(form, error: UserError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _filters(request: HttpRequest) -> f.ListFilterForm:
    return f.ListFilterForm(
        request.GET or None, unions=queries.union_choices(request.user), prefectures=queries.prefecture_choices()
    )


@require_GET
def ledger_home(request: HttpRequest) -> HttpResponse:
    """改革台账: an organisation's own ledger, or the list of ledgers in the user's scope."""
    ledgers = queries.ledgers_visible(request.user)
    own = queries.own_ledger(request.user)
    if own is not None and not request.GET and ledgers.count() == 1:
        return redirect("ledger:detail", code=own.org.code)
    form = _filters(request)
    data = form.cleaned_data if form.is_valid() else {}
    filtered = queries.filter_ledgers(
        ledgers, union=data.get("union", ""), prefecture=data.get("prefecture", ""), text=data.get("q", "")
    )
    page = Paginator(filtered.order_by("org__path"), PER_PAGE).get_page(request.GET.get("page"))
    rows = queries.ledger_rows(page.object_list)
    extra = "".join(f"&{k}={v}" for k, v in request.GET.items() if k != "page" and v)
    return render(
        request,
        "ledger/ledger_list.html",
        {
            "rows": rows,
            "page_obj": page,
            "page_extra": extra,
            "form": form,
            "totals": queries.ledger_totals(filtered),
            "settings": ReformSettings.current(),
            "may_add": _manages(request),
            "add_choices": queries.addable_orgs(request.user) if _manages(request) else [],
        },
    )


def _manages(request: HttpRequest) -> bool:
    from orgs.scoping import has_action

    return is_office(request.user) and has_action(request.user, Action.ASSESS_MANAGE)


@require_POST
def ledger_add(request: HttpRequest) -> HttpResponse:
    """The office puts an organisation on the ledger (from the list page's picker)."""
    from orgs.models import Organisation

    office_or_404(request.user)
    org = get_visible_or_404(Organisation.objects, request.user, code=request.POST.get("org", ""))
    try:
        ledger = services.ledger_create(by=Actor.from_request(request), org=org)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("ledger:home")
    messages.success(request, _("“%(org)s”已列入产改台账。") % {"org": org.name})
    return redirect("ledger:detail", code=ledger.org.code)


def _detail_context(request: HttpRequest, ledger, **forms_given) -> dict:
    org = ledger.org
    today = deadlines.today()
    settings = ReformSettings.current()
    may_edit = can(request.user, Action.EDIT, org)
    users = queries.people_of(ledger) if may_edit else None
    tasks = task_lines(list(queries.tasks_of(ledger)), today=today, unions=False)
    members = queries.members_of(ledger)
    officers = queries.officers_of(ledger)
    may_reveal = can(request.user, Action.PII_VIEW, org)
    context = {
        "ledger": ledger,
        "org": org,
        "tab": "ledger",
        "today": today,
        "settings": settings,
        "plan_year": settings.reform_year(ledger.plan_issued_on),
        "group_year": settings.reform_year(ledger.group_established_on),
        "method_year": settings.reform_year(ledger.method_issued_on),
        "plan_late": bool(ledger.plan_issued_on and ledger.plan_issued_on > settings.plan_deadline),
        "members": [m for m in members if m.left_on is None or m.left_on > today],
        "former_members": [m for m in members if m.left_on is not None and m.left_on <= today],
        "officers": [_officer_row(o, today) for o in officers],
        "current_info": sum(1 for o in officers if o.kind == OfficerKind.INFO and _current(o, today)),
        "current_liaisons": sum(1 for o in officers if o.kind == OfficerKind.LIAISON and _current(o, today)),
        "may_reveal": may_reveal,
        "tasks": tasks,
        "may_edit": may_edit,
        "documents": queries.documents_of(ledger),
        "officer_kinds": OfficerKind,
    }
    if may_edit:
        context.update(
            plan_form=forms_given.get("plan_form") or f.PlanForm(initial=_plan_initial(ledger)),
            member_form=forms_given.get("member_form") or f.MemberForm(users=users, prefix="member"),
            officer_form=forms_given.get("officer_form") or f.OfficerForm(users=users, prefix="officer"),
            end_form=f.EndForm(initial={"left_on": today}),
        )
    context["org_alerts"] = org_alerts(org, request.user)
    return context


def _plan_initial(ledger) -> dict:
    names = [n for _title, fields in f.PlanForm.SECTIONS for n in fields if not n.endswith("_file")]
    return {"version": ledger.version, **{name: getattr(ledger, name) for name in names}}


def _current(officer: Officer, today) -> bool:
    return officer.started_on <= today and (officer.left_on is None or officer.left_on > today)


def _officer_row(officer: Officer, today) -> dict:
    return {
        "officer": officer,
        "current": _current(officer, today),
        "phone": pii.shown(officer, "phone"),
        "email": pii.shown(officer, "email"),
    }


@require_GET
def ledger_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One organisation's ledger: plan, group, method, officers, tasks with where each stands, alerts, files."""
    ledger = queries.ledger_or_404(request.user, code)
    return render(request, "ledger/ledger_detail.html", _detail_context(request, ledger))


def ensure_may(request: HttpRequest, action: str, org) -> None:
    """403 for someone who sees the organisation's ledger but may not do `action` there."""
    if action != Action.VIEW and not can(request.user, action, org):
        raise PermissionDenied(_("您可以查看但不能修改该单位的台账。"))


def _editable(request: HttpRequest, code: str):
    ledger = queries.ledger_or_404(request.user, code)
    ensure_may(request, Action.EDIT, ledger.org)
    return ledger


@require_POST
def plan_save(request: HttpRequest, code: str) -> HttpResponse:
    """Save the plan, group and method (with their files) in one step; nothing is kept if anything is refused."""
    ledger = _editable(request, code)
    form = f.PlanForm(request.POST, request.FILES)
    if form.is_valid():
        by = Actor.from_request(request)
        data = dict(form.cleaned_data)
        version = data.pop("version")
        uploads = {key: data.pop(f"{key}_file") for key in ("plan", "group", "method")}
        kinds = {"plan": DocumentKind.PLAN, "group": DocumentKind.GROUP, "method": DocumentKind.METHOD}
        try:
            with transaction.atomic():
                for key, upload in uploads.items():
                    if upload is not None:
                        data[f"{key}_document"] = services.document_add(
                            by=by, org=ledger.org, kind=kinds[key], upload=upload
                        )
                services.ledger_update(by=by, ledger=ledger, version=version, **data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("台账已保存。"))
            return redirect("ledger:detail", code=code)
    return render(request, "ledger/ledger_detail.html", _detail_context(request, ledger, plan_form=form), status=400)


@require_POST
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    ledger = _editable(request, code)
    form = f.MemberForm(request.POST, users=queries.people_of(ledger), prefix="member")
    if form.is_valid():
        try:
            services.member_add(by=Actor.from_request(request), ledger=ledger, **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已增加领导小组成员“%(name)s”。") % {"name": form.cleaned_data["name"]})
            return redirect(f"{ledger.get_absolute_url()}#group")
    return render(request, "ledger/ledger_detail.html", _detail_context(request, ledger, member_form=form), status=400)


@require_POST
def officer_add(request: HttpRequest, code: str) -> HttpResponse:
    ledger = _editable(request, code)
    form = f.OfficerForm(request.POST, users=queries.people_of(ledger), prefix="officer")
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["started_on"] = data.pop("joined_on")
        try:
            services.officer_add(by=Actor.from_request(request), ledger=ledger, **data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已配备%(kind)s“%(name)s”。") % {
                "kind": OfficerKind(data["kind"]).label, "name": data["name"]})  # fmt: skip
            return redirect(f"{ledger.get_absolute_url()}#officers")
    return render(request, "ledger/ledger_detail.html", _detail_context(request, ledger, officer_form=form), status=400)


@require_POST
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(GroupMember.objects.select_related("ledger__org"), request.user, pk=pk)
    ensure_may(request, Action.EDIT, member.ledger.org)
    return _end(request, member, services.member_end, "member", "#group")


@require_POST
def officer_end(request: HttpRequest, pk: int) -> HttpResponse:
    officer = get_visible_or_404(Officer.objects.select_related("ledger__org"), request.user, pk=pk)
    ensure_may(request, Action.EDIT, officer.ledger.org)
    return _end(request, officer, services.officer_end, "officer", "#officers")


def _end(request: HttpRequest, row, service, name: str, anchor: str) -> HttpResponse:
    form = f.EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的离任日期。"))
    else:
        try:
            service(by=Actor.from_request(request), **{name: row}, left_on=form.cleaned_data["left_on"])
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“%(name)s”已记为离任，历史记录保留。") % {"name": row.name})
    return redirect(f"{row.ledger.get_absolute_url()}{anchor}")


@require_POST
def officer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full phone and e-mail of an officer, for a role that may see personal data; audited."""
    officer = get_visible_or_404(Officer.objects.select_related("ledger__org"), request.user, pk=pk)
    if not can(request.user, Action.PII_VIEW, officer.ledger.org):
        raise PermissionDenied(_("您无权查看完整联系方式。"))
    contact = {name: pii.reveal(request, officer, name) for name in ("phone", "email") if getattr(officer, name)}
    if request.headers.get("Accept", "").startswith("application/json"):
        response = JsonResponse({"phone": contact.get("phone", ""), "email": contact.get("email", "")})
    else:  # without the page's script: a page showing the full contact, with the way back
        response = render(request, "ledger/officer_reveal.html", {"officer": officer, "org": officer.ledger.org})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A ledger file, always as a download; audited."""
    document = get_visible_or_404(Document.objects.select_related("org"), request.user, pk=pk)
    audit.record(Actor.from_request(request), "ledger.document.download", document, after=None)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """台账设置: the reform's start and the deadlines and thresholds the alerts use (the office)."""
    office_or_404(request.user)
    current = ReformSettings.current()
    form = f.SettingsForm(request.POST or None, instance=current, initial={"version": current.version})
    if request.method == "POST":
        if not _manages(request):
            raise PermissionDenied(_("只有产改办管理员可以修改台账设置。"))
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.settings_update(by=Actor.from_request(request), version=form.cleaned_data["version"], **data)
            except UserError as error:
                put_error(form, error)
            else:
                messages.success(request, _("台账设置已保存，预警将在下次计算时按新设置判断。"))
                return redirect("ledger:settings")
    return render(request, "ledger/settings.html", {"form": form, "settings": current, "may_manage": _manages(request)})
