"""Showing personal data: masked by default, in full only on request, and every full view audited.

Who may see a value in full is the app's rule (core imports no app), checked before `reveal`:

    @require_POST
    def officer_phone_view(request, pk):
        officer = get_visible_or_404(Officer.objects, request.user, Action.PII_VIEW, pk=pk)
        return pii.reveal_response(request, officer, "phone")

`get_visible_or_404` answers 404 outside the viewer's PII_VIEW scope, so `reveal` never runs there.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from core import audit
from core.actor import Actor
from core.fields import EncryptedCharField

EVENT = "core.pii.reveal"
REASON_MAX = 200


def _field(obj: models.Model, field_name: str) -> EncryptedCharField:
    field = obj._meta.get_field(field_name)
    if not isinstance(field, EncryptedCharField):
        raise ValueError(f"{obj._meta.label}.{field_name} is not an EncryptedCharField")
    return field


def shown(obj: models.Model, field_name: str) -> str:
    """The value of an encrypted field, masked by its kind (138****5678), for pages, the API and exports."""
    field = _field(obj, field_name)
    return field.masked(getattr(obj, field.attname))


def reveal(request_or_user: Any, obj: models.Model, field_name: str, *, reason: str = "") -> str:
    """The full value of an encrypted field, after writing one `core.pii.reveal` audit row (which names the
    field and the reason, never the value). The caller has checked that the viewer may see it; raises
    PermissionDenied for a signed-out viewer."""
    field = _field(obj, field_name)
    if hasattr(request_or_user, "META"):
        actor = Actor.from_request(request_or_user)
    else:
        actor = Actor(user=request_or_user if getattr(request_or_user, "is_authenticated", False) else None)
    if actor.user is None:
        raise PermissionDenied
    audit.record(
        actor,
        EVENT,
        obj,
        after=None,
        detail={"field": field.name, "kind": field.kind, "reason": str(reason).strip()[:REASON_MAX]},
    )
    return getattr(obj, field.attname) or ""


def reveal_response(request, obj: models.Model, field_name: str) -> HttpResponse:
    """The "查看完整" answer: on POST, the full value as a small HTML fragment for htmx to swap in,
    never cached, audited with the form's `reason`; 405 for any other method (a GET must not reveal)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    value = reveal(request, obj, field_name, reason=request.POST.get("reason", ""))
    response = HttpResponse(format_html('<span class="pii-full">{}</span>', value))
    add_never_cache_headers(response)
    return response


def clean_phone(phone: str, *, field: str = "phone") -> str:
    """A telephone number as stored: spaces removed, digits with "-" or a leading "+", 7 to 15 digits; ""
    stays "". Raises UserError (naming `field`) with what is wrong and an example."""
    from django.utils.translation import gettext as _

    from core.errors import UserError

    phone = "".join(ch for ch in (phone or "") if not ch.isspace())
    if phone and not all(ch.isdigit() or ch in "-+" for ch in phone):
        raise UserError(_("联系电话只能包含数字和“-”，如 13812345678 或 0871-63123456。"), field=field)
    if phone and not 7 <= len(phone.replace("-", "").replace("+", "")) <= 15:
        raise UserError(_("联系电话位数不对（应为 7 到 15 位数字）。"), field=field)
    return phone


def clean_email(email: str, *, field: str = "email") -> str:
    """An e-mail address as stored: trimmed, checked; "" stays "". Raises UserError (naming `field`)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.utils.translation import gettext as _

    from core.errors import UserError

    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise UserError(_("电子邮箱格式不对，如 name@example.com。"), field=field) from None
    return email
