"""What the competitions' services share: text checks and the door for writes."""

from __future__ import annotations

from competitions.models import Competition
from core.actor import Actor
from core.cleaning import clean_text  # noqa: F401 - the app's services import it from here
from orgs.choices import Action
from orgs.scoping import ensure_allowed


def ensure_organiser(by: Actor, competition: Competition) -> None:
    """Only those who may edit for the organiser run its competition (PermissionDenied otherwise)."""
    ensure_allowed(by, Action.EDIT, competition.organiser)
