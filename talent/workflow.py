"""A nomination's course in a selection round (评选), on the kernel's shared workflow (core/workflow.py).

    draft ──submit──▶ submitted ──shortlist──▶ shortlisted ──approve──▶ approved
      ▲                  │  └──────reject (reason)──────┴──reject──▶ not_selected
      └───return (reason)┘

Submitting and editing are the nominating union's (EDIT on its organisation); returning, shortlisting,
approving and not selecting are the office's (REVIEW, and the office only: talent/services/rounds.py).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import State, Step, Workflow
from orgs.choices import Action
from talent.choices import NominationStatus as S

NOMINATION_WORKFLOW = Workflow(
    name="talent.nomination",
    item_label=_("推荐"),
    states=(
        State(S.DRAFT, S.DRAFT.label, editable=True),
        State(S.SUBMITTED, S.SUBMITTED.label),
        State(S.RETURNED, S.RETURNED.label, editable=True),
        State(S.SHORTLISTED, S.SHORTLISTED.label),
        State(S.APPROVED, S.APPROVED.label),
        State(S.NOT_SELECTED, S.NOT_SELECTED.label),
    ),
    steps=(
        Step("submit", _("提交"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Action.EDIT),
        Step(
            "return",
            _("退回修改"),
            frozenset({S.SUBMITTED}),
            S.RETURNED,
            Action.REVIEW,
            reason_required=True,
            reason_missing=_("请填写退回的原因。"),
        ),
        Step("shortlist", _("入围"), frozenset({S.SUBMITTED}), S.SHORTLISTED, Action.REVIEW),
        Step("approve", _("评选通过"), frozenset({S.SHORTLISTED}), S.APPROVED, Action.REVIEW),
        Step(
            "reject",
            _("未入选"),
            frozenset({S.SUBMITTED, S.SHORTLISTED}),
            S.NOT_SELECTED,
            Action.REVIEW,
        ),
    ),
)

OFFICE_STEPS = frozenset({"return", "shortlist", "approve", "reject"})
