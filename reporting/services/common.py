"""Helpers the reporting services share: who counts as the office, model validation as UserError."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import ensure_action, ensure_office

# --- Permission helpers ---------------------------------------------------------------------------------


def _ensure_office(by: Actor) -> None:
    """Period locks, deadlines and reminders belong to the reform office (orgs.scoping.is_office)."""
    ensure_office(by)


def _ensure_metadata_manager(by: Actor) -> None:
    """Data elements, data sets, their versions and rules are defined by the office's administrators."""
    ensure_action(by, Action.METADATA_MANAGE)


def _clean_model(obj, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field_name, messages = next(iter(error.message_dict.items()))
        label = obj._meta.get_field(field_name).verbose_name if field_name != "__all__" else ""
        text = "；".join(messages)
        raise UserError(f"{label}：{text}" if label else text, field=field_name) from error
