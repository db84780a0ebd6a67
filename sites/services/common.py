"""What the sites' services share: who manages, the text rule (core/cleaning.py), the union above an organisation."""

from __future__ import annotations

from core.actor import Actor
from core.cleaning import MAX_TEXT, clean_text  # noqa: F401 - the app's services import them from here
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ensure_action, ensure_office

MAX_REASON = 1_000


def ensure_manager(by: Actor) -> None:
    """The reform office's administrators (ASSESS_MANAGE): batches, groups, assigning, accepting, withdrawing."""
    ensure_office(by)
    ensure_action(by, Action.ASSESS_MANAGE)


def union_of(org: Organisation) -> Organisation | None:
    """The provincial industry/system/company union above `org` (or `org` itself when it is one); None if none."""
    steplen = Organisation.steplen
    paths = [org.path[:n] for n in range(steplen, len(org.path) + 1, steplen)]
    return Organisation.objects.filter(path__in=paths, kind=OrgKind.UNION).order_by("-depth").first()
