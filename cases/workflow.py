"""The case's workflow, on the kernel's shared workflow (core/workflow.py).

    draft ──submit──▶ submitted ──publish──▶ published ──withdraw (reason)──▶ withdrawn
      ▲                 │
      └─ returned ◀─────┘ return (reason)

The source organisation's editors submit (EDIT on the organisation); the reform office returns, publishes and
withdraws: those steps need ACCEPT, which only the office's roles hold, over the whole province (orgs/roles.py).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.choices import CaseStatus as S
from core.workflow import State, Step, Workflow
from orgs.choices import Action

CASE_WORKFLOW = Workflow(
    name="cases.case",
    item_label=_("案例"),
    states=(
        State(S.DRAFT, S.DRAFT.label, editable=True),
        State(S.SUBMITTED, S.SUBMITTED.label),
        State(S.RETURNED, S.RETURNED.label, editable=True),
        State(S.PUBLISHED, S.PUBLISHED.label),
        State(S.WITHDRAWN, S.WITHDRAWN.label),
    ),
    steps=(
        Step("submit", _("提交"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Action.EDIT),
        Step(
            "return",
            _("退回修改"),
            frozenset({S.SUBMITTED}),
            S.RETURNED,
            Action.ACCEPT,
            reason_required=True,
            reason_missing=_("请填写退回原因，说明需要修改什么。"),
        ),
        Step("publish", _("发布"), frozenset({S.SUBMITTED}), S.PUBLISHED, Action.ACCEPT),
        Step(
            "withdraw",
            _("撤回"),
            frozenset({S.PUBLISHED}),
            S.WITHDRAWN,
            Action.ACCEPT,
            reason_required=True,
            reason_missing=_("请填写撤回原因。"),
        ),
    ),
)


def permission_for(user, org):
    """The workflow's permission check for `user` on a case of `org` (orgs.scoping.can for the step's action)."""
    from orgs.scoping import can

    return lambda action: can(user, action, org)
