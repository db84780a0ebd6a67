"""Enrolling people in a class, withdrawing them, and the audited full view of a phone number."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import pii
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import can, get_visible_or_404
from training import forms as f
from training import services
from training.models import Enrolment, TrainingClass
from training.views.classes import _detail_context, put_error


@require_POST
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """An audience organisation enrols one person (the form on the class page)."""
    klass = get_visible_or_404(TrainingClass.objects.select_related("organiser"), request.user, pk=pk)
    form = f.EnrolForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enrolment_add(
                by=Actor.from_request(request),
                klass=klass,
                org=data["org"],
                name=data["name"],
                position=data["position"],
                phone=data["phone"],
                user=services.user_by_username(data["username"]),
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已为“%(name)s”报名。") % {"name": data["name"]})
            return redirect(f"{klass.get_absolute_url()}#enrolments")
    context = _detail_context(request, klass, enrol_form=form)
    return render(request, "training/class_detail.html", context, status=400)


@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_visible_or_404(Enrolment.objects.select_related("klass", "org"), request.user, pk=pk)
    if not can(request.user, Action.EDIT, enrolment.org):
        raise PermissionDenied(_("只有报名单位可以退出报名。"))
    try:
        services.enrolment_withdraw(by=Actor.from_request(request), enrolment=enrolment)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(name)s”已退出报名。") % {"name": enrolment.name})
    return redirect(f"{enrolment.klass.get_absolute_url()}#enrolments")


@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full phone number of an enrolled person, for a role that may see personal data; audited."""
    enrolment = get_visible_or_404(Enrolment.objects.select_related("klass", "org"), request.user, pk=pk)
    if not can(request.user, Action.PII_VIEW, enrolment.org):
        raise PermissionDenied(_("您无权查看完整联系方式。"))
    phone = pii.reveal(request, enrolment, "phone", reason=request.POST.get("reason", ""))
    response = render(request, "training/enrolment_reveal.html", {"enrolment": enrolment, "phone": phone})
    response["Cache-Control"] = "no-store"
    return response
