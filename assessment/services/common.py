"""What the assessment services share: who counts as the office, the versioned update, the editable field lists."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import ConflictError
from orgs.choices import Action
from orgs.scoping import ensure_action

FRAMEWORK_FIELDS = ("name", "total_points", "grade_method", "thresholds", "quotas", "peer_group", "notes")
CRITERION_FIELDS = (
    "code", "name", "description", "kind", "points", "sort_order", "indicator", "target", "floor", "cap", "curve",
    "bands", "full_at", "fact", "levels", "combine", "items", "grade_cap", "kinds", "ownerships", "industries",
)  # fmt: skip


def _office(by: Actor) -> None:
    ensure_action(by, Action.ASSESS_MANAGE)


def _bump(model, obj, version: int, **changes) -> None:
    """Write `changes` only if the row still has `version`; ConflictError otherwise."""
    changed = model.objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1, **changes)
    if not changed:
        raise ConflictError(_("该记录已被他人修改，请刷新后重试。"))
    obj.refresh_from_db()
