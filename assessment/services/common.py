"""What the assessment services share: who counts as the office, the versioned update, the editable field lists."""

from __future__ import annotations

from core.actor import Actor
from orgs.choices import Action
from orgs.scoping import ensure_action

FRAMEWORK_FIELDS = ("name", "total_points", "grade_method", "thresholds", "quotas", "peer_group", "notes")
CRITERION_FIELDS = (
    "code", "name", "description", "kind", "points", "sort_order", "indicator", "target", "floor", "cap", "curve",
    "bands", "full_at", "fact", "levels", "combine", "items", "grade_cap", "kinds", "ownerships", "industries",
)  # fmt: skip


def _office(by: Actor) -> None:
    ensure_action(by, Action.ASSESS_MANAGE)
