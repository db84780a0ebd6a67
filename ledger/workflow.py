"""The nine-aspect written report's workflow, on the kernel's shared workflow (core/workflow.py).

    draft ──submit──▶ submitted ──accept──▶ accepted
      ▲                 │                      │
      └── returned ◀──return (reason; sections)┘◀──reopen (reason)

The organisation writes and submits (EDIT on its own organisation); whoever reviews it holds REVIEW
above it (its union, or the reform office for the province): `may_review` says which, and the
services, pages and API read it from here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.workflow import State, Step, Workflow
from ledger.choices import WrittenStatus as S
from orgs.choices import Action

WRITTEN_WORKFLOW = Workflow(
    name="ledger.written",
    item_label=pgettext_lazy("a nine-aspect written report", "书面报告"),
    states=(
        State(S.DRAFT, S.DRAFT.label, editable=True),
        State(S.SUBMITTED, S.SUBMITTED.label),
        State(S.RETURNED, S.RETURNED.label, editable=True),
        State(S.ACCEPTED, S.ACCEPTED.label),
    ),
    steps=(
        Step("submit", _("提交"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Action.EDIT),
        Step(
            "return",
            _("退回"),
            frozenset({S.SUBMITTED}),
            S.RETURNED,
            Action.REVIEW,
            reason_required=True,
            reason_missing=_("请填写退回原因（可按方面分别填写）。"),
        ),
        Step("accept", _("审核通过"), frozenset({S.SUBMITTED}), S.ACCEPTED, Action.REVIEW),
        Step(
            "reopen",
            _("重新打开"),
            frozenset({S.ACCEPTED}),
            S.RETURNED,
            Action.REVIEW,
            reason_required=True,
            reason_missing=_("请填写重新打开的原因。"),
        ),
    ),
)


def may_review(user, org) -> bool:
    """Whether `user` reviews `org`'s written report: REVIEW over the organisation's parent.

    Its union reviews its subtree and the office the province (an office role covers the province),
    but never an organisation itself: a union's own report goes to whoever holds REVIEW above it.
    """
    from orgs.models import Organisation
    from orgs.scoping import granted_paths, in_subtree

    if org.depth <= 1:
        return False
    parent_path = org.path[: -Organisation.steplen]
    return any(in_subtree(parent_path, top) for top in granted_paths(user, Action.REVIEW))


def permission_for(user, org):
    """The workflow's permission check (core.workflow.Permission) for `user` on `org`'s report:
    EDIT on the organisation itself for submitting, `may_review` for the reviewer's steps."""
    from orgs.scoping import can

    def may(action: str) -> bool:
        if action == Action.REVIEW:
            return may_review(user, org)
        return can(user, action, org)

    return may
