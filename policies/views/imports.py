"""导入 (the office's): download the template, upload a filled one, see what would be created and updated and
every problem located, confirm to import all of it (or nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from core.actor import Actor
from core.errors import UserError
from core.exports import attachment_disposition
from policies.forms import ImportForm
from policies.services import imports
from policies.views.common import manager_or_403

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    manager_or_403(request.user)
    response = HttpResponse(imports.template_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment_disposition(
        _("政策措施导入模板.xlsx"), fallback="policy-import-template.xlsx"
    )
    return response


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    manager_or_403(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "examined": None, "token": ""}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            examined = imports.examine(upload)
        except UserError as error:
            form.add_error("file", error.message)
            audit.record(Actor.from_request(request), "policies.import.check", object_type="policies.measure",
                         object_repr=upload.name[:200], after=None, success=False,
                         detail={"refused": error.message})  # fmt: skip
        else:
            audit.record(
                Actor.from_request(request), "policies.import.check", object_type="policies.measure",
                object_repr=upload.name[:200], after=None, success=not examined.problems,
                detail={"problems": len(examined.problems), "creates": examined.creates, "updates": examined.updates},
            )  # fmt: skip
            context["examined"] = examined
            if not examined.problems:
                context["token"] = imports.sign_plan(examined, request.user)
    return render(request, "policies/import.html", context)


@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    manager_or_403(request.user)
    try:
        rows = imports.load_plan(request.POST.get("plan", ""), request.user)
        created, updated = imports.apply(by=Actor.from_request(request), rows=rows)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("policies:import")
    messages.success(request, _("导入完成：新建 %(c)d 项，更新 %(u)d 项。") % {"c": created, "u": updated})
    return redirect("policies:library")
