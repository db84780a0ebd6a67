"""The annual review's life cycle (年度评估), on the kernel's shared workflow (core/workflow.py):

    draft ──submit──▶ submitted ──rate (rubric, grade)──▶ rated
      ▲                  │
      └── returned ◀──return (reason)

The studio's union (or the studio's own organisation) writes and submits the summary (EDIT over the studio's
organisation); the office rates or returns it (ACCEPT, office roles only).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import State, Step, Workflow
from orgs.choices import Action
from studios.choices import ReviewStatus as R

REVIEW_WORKFLOW = Workflow(
    name="studios.review",
    item_label=_("年度评估"),
    states=(
        State(R.DRAFT, R.DRAFT.label, editable=True),
        State(R.SUBMITTED, R.SUBMITTED.label),
        State(R.RETURNED, R.RETURNED.label, editable=True),
        State(R.RATED, R.RATED.label),
    ),
    steps=(
        Step("submit", _("提交"), frozenset({R.DRAFT, R.RETURNED}), R.SUBMITTED, Action.EDIT),
        Step(
            "return", _("退回修改"), frozenset({R.SUBMITTED}), R.RETURNED, Action.ACCEPT,
            reason_required=True, reason_missing=_("请填写退回原因，说明需要修改或补充的内容。"),
        ),
        Step("rate", _("评定"), frozenset({R.SUBMITTED}), R.RATED, Action.ACCEPT),
    ),
)  # fmt: skip


def review_permission(user, org):
    """The review workflow's permission check for `user` on a review of a studio of `org`: the office takes the
    office's steps (ACCEPT), the studio's side the EDIT steps."""
    from orgs.scoping import can, is_office

    def may(action: str) -> bool:
        if action == Action.ACCEPT:
            return is_office(user) and can(user, action, org)
        return can(user, action, org)

    return may
