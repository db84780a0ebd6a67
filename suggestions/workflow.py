"""A suggestion's life, on the kernel's shared workflow (core/workflow.py).

    submitted ──review──▶ reviewed ──adopt──▶ adopted ──implement──▶ implemented
        └──────────────────┴──reject (reason)──▶ rejected         implemented ──assess──▶ assessed ──reward──▶ rewarded

The union enters a suggestion for the worker (EDIT on the organisation: reporters and union administrators of
its subtree) and records its implementation; reviewing, adopting, rejecting, assessing the benefit and rewarding
are the reviewers' (REVIEW on the organisation: the enterprise union's or the group union's administrators,
and the office).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import State, Step, Workflow
from orgs.choices import Action
from suggestions.choices import SuggestionStatus as S

SUGGESTION_WORKFLOW = Workflow(
    name="suggestions.suggestion",
    item_label=_("建议"),
    states=(
        State(S.SUBMITTED, S.SUBMITTED.label, editable=True),
        State(S.REVIEWED, S.REVIEWED.label),
        State(S.ADOPTED, S.ADOPTED.label),
        State(S.REJECTED, S.REJECTED.label),
        State(S.IMPLEMENTED, S.IMPLEMENTED.label),
        State(S.ASSESSED, S.ASSESSED.label),
        State(S.REWARDED, S.REWARDED.label),
    ),
    steps=(
        Step("review", _("审查"), frozenset({S.SUBMITTED}), S.REVIEWED, Action.REVIEW),
        Step("adopt", _("采纳"), frozenset({S.REVIEWED}), S.ADOPTED, Action.REVIEW),
        Step(
            "reject", _("不采纳"), frozenset({S.SUBMITTED, S.REVIEWED}), S.REJECTED, Action.REVIEW,
            reason_required=True, reason_missing=_("请填写不采纳的原因，提交单位会看到它。"),
        ),
        Step("implement", _("登记实施"), frozenset({S.ADOPTED}), S.IMPLEMENTED, Action.EDIT),
        Step("assess", _("评估效益"), frozenset({S.IMPLEMENTED}), S.ASSESSED, Action.REVIEW),
        Step("reward", _("登记奖励"), frozenset({S.ASSESSED}), S.REWARDED, Action.REVIEW),
    ),
)  # fmt: skip

STEP_NAMES = tuple(s.name for s in SUGGESTION_WORKFLOW.steps)


def permission_for(user, suggestion):
    """The workflow's permission check for `user` on `suggestion`: the step's action on its organisation."""
    from orgs.scoping import can

    return lambda action: can(user, action, suggestion.org)
