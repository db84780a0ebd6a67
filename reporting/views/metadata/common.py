"""What the metadata pages share: who may read or change metadata, the form page, breadcrumbs,
the conflict table, and the one shape of a POST action (call a service, say how it went, redirect)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import has_action, is_office, office_or_404
from reporting.models import DataSetVersion

# --- Access ---------------------------------------------------------------------------------------------


def may_read_metadata(user) -> bool:
    """Office staff read metadata; its administrators also change it."""
    return is_office(user)


def check_reader(request: HttpRequest) -> bool:
    """Whether the user may change metadata; Http404 unless they are in the office (who read it)."""
    office_or_404(request.user)
    return has_action(request.user, Action.METADATA_MANAGE)


def check_manager(request: HttpRequest) -> None:
    """PermissionDenied (403) unless the user may change metadata."""
    if not check_reader(request):
        raise PermissionDenied(_("只有产改办管理员可以修改报表定义。"))


def make_read_only(form) -> None:
    for field in form.fields.values():
        field.disabled = True


def form_page(request, form, *, title: str, crumbs: list[tuple[str, str]], cancel: str, **extra) -> HttpResponse:
    context = {"form": form, "title": title, "crumbs": crumbs, "cancel": cancel, "may_manage": True, **extra}
    return render(request, "reporting/metadata_form.html", context)


def breadcrumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("报表定义"), reverse("reporting:metadata_home")), *items]


def changed_fields(form, obj, names, stale_values: dict) -> list[tuple[str, str, str]]:
    """Fields someone else changed: (label, what the user sent, what is stored now)."""
    rows = []
    for name in names:
        current = getattr(obj, name)
        mine = stale_values.get(name)
        if name in form.fields and str(mine if mine is not None else "") != str(current if current is not None else ""):
            rows.append((str(form.fields[name].label), _shown(mine), _shown(current)))
    return rows


def _shown(value) -> str:
    if value in (None, ""):
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(map(str, value)) or _("（空）")
    return str(value)


# --- POST actions ---------------------------------------------------------------------------------------


def post_action(
    request: HttpRequest,
    call: Callable[[Actor], Any],
    *,
    success: str | Callable[[Any], str] | None = None,
    redirect_to: str,
) -> HttpResponse:
    """Run one write as the requesting user, say how it went, and go back to `redirect_to`.

    `call` receives the Actor and calls one service, which checks the right and writes the audit row.
    Its UserError (ConflictError included) becomes the error message; otherwise `success`, a text or a
    function of the service's result, becomes the success message (none when it is None).
    """
    try:
        result = call(Actor.from_request(request))
    except UserError as error:
        messages.error(request, error.message)
    else:
        if success is not None:
            messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to)


# --- Versions -------------------------------------------------------------------------------------------


def get_version(pk: int) -> DataSetVersion:
    return get_object_or_404(DataSetVersion.objects.select_related("dataset", "created_by", "published_by"), pk=pk)


def draft_or_message(request, version: DataSetVersion) -> bool:
    if version.is_published:
        messages.error(request, _("报表版本 v%(n)d 已发布，不能修改；请先创建新的草稿版本。") % {"n": version.number})
        return False
    return True


def version_url(pk: int) -> str:
    """The version page, where every change to a version's form returns."""
    return reverse("reporting:version_detail", args=[pk])


def version_crumbs(version: DataSetVersion) -> list[tuple[str, str]]:
    return breadcrumbs(
        (version.dataset.name, reverse("reporting:dataset_detail", args=[version.dataset_id])),
        (f"v{version.number}", version_url(version.pk)),
    )
