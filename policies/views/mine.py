"""我可以享受的政策: for an organisation the user answers for, the published, valid measures it is eligible for and
has not used (how to apply, the deadline), those it uses, and the notices sent to it; opening a notice."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core import deadlines
from core.actor import Actor
from orgs.choices import Action
from orgs.scoping import can
from policies import eligibility, queries, services
from policies.views.common import reader_or_404


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    reader_or_404(request.user)
    orgs = eligibility.policy_orgs(request.user)
    code = (request.GET.get("org") or "").strip()
    org = next((o for o in orgs if o.code == code), None) if code else (orgs[0] if orgs else None)
    if code and org is None:
        raise Http404
    found = eligibility.for_org(org) if org else None
    notices = list(queries.recipients_visible(request.user).filter(org=org)[:50]) if org else []
    reports = list(queries.reports_visible(request.user).filter(org=org).order_by("-round__year")[:5]) if org else []
    return render(request, "policies/mine.html", {
        "orgs": orgs, "org": org, "found": found, "notices": notices, "reports": reports, "today": deadlines.today(),
        "figures_year": eligibility.figures_year() if org else None,
        "may_open": bool(org) and services.notices.may_open_for(request.user, org),
    })  # fmt: skip


@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = queries.recipient_or_404(request.user, pk)
    return render(request, "policies/notice_detail.html", {
        "recipient": recipient, "notice": recipient.notice, "measure": recipient.notice.measure,
        "may_open": services.notices.may_open_for(request.user, recipient.org),
        "may_edit": can(request.user, Action.EDIT, recipient.org),
    })  # fmt: skip


@require_POST
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """查看: the first opening by someone of the organisation is recorded, then the notice is shown."""
    recipient = queries.recipient_or_404(request.user, pk)
    if services.notices.may_open_for(request.user, recipient.org):
        services.notice_open(by=Actor.from_request(request), recipient=recipient)
    return redirect(recipient)
