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
