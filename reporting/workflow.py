"""The report workflow, defined once as data on the kernel's shared workflow (core/workflow.py).

    draft ──submit──▶ submitted ──approve (union above)──▶ approved ──accept (office)──▶ accepted ──lock──▶ locked
      ▲                 │  └────────accept (office, when no union is above)──────────────▲
      │                 └──return──▶ returned ◀──return── approved      accepted/locked ──reopen (office)──▶ returned
      └──────────────── returned ──submit──▶ submitted

Who may take each step is the step's action (orgs/roles.py: EDIT, REVIEW, ACCEPT) checked with
orgs.scoping.can on the report's organisation (`may_on`). The rules the table cannot say (a union
above decides between approve and accept; four eyes; entry windows; period locks) are written once
in `report_steps`, which the services, the report page's buttons, the API and the review queue read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.workflow import State, Step, Workflow
from orgs.choices import Action
from reporting.choices import ReportStatus as S

REPORT_WORKFLOW = Workflow(
    name="reporting.report",
    item_label=pgettext_lazy("a filled-in report", "报表"),
    states=(
        State(S.DRAFT, S.DRAFT.label, editable=True),
        State(S.SUBMITTED, S.SUBMITTED.label),
        State(S.APPROVED, S.APPROVED.label),
        State(S.RETURNED, S.RETURNED.label, editable=True),
        State(S.ACCEPTED, S.ACCEPTED.label),
        State(S.LOCKED, S.LOCKED.label),
    ),
    steps=(
        Step("submit", _("提交"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Action.EDIT),
        Step("approve", _("审核通过"), frozenset({S.SUBMITTED}), S.APPROVED, Action.REVIEW),
        Step(
            "return",
            _("退回"),
            frozenset({S.SUBMITTED, S.APPROVED}),
            S.RETURNED,
            Action.REVIEW,
            reason_required=True,
            reason_missing=_("请填写退回原因。"),
        ),
        # From SUBMITTED only when no union is above the organisation (report_steps).
        Step("accept", _("验收"), frozenset({S.APPROVED, S.SUBMITTED}), S.ACCEPTED, Action.ACCEPT),
        Step("lock", _("锁定"), frozenset({S.ACCEPTED}), S.LOCKED, Action.ACCEPT),
        Step(
            "reopen",
            _("重新打开"),
            frozenset({S.ACCEPTED, S.LOCKED}),
            S.RETURNED,
            Action.ACCEPT,
            reason_required=True,
            reason_missing=_("请填写重新打开的原因。"),
        ),
    ),
)

# The names the reporting code has always used.
STEPS: dict[str, Step] = {step.name: step for step in REPORT_WORKFLOW.steps}
EDITABLE = REPORT_WORKFLOW.editable


def allowed_steps(status: str) -> list[str]:
    """The names of the steps that can start from `status` (before any permission check)."""
    return REPORT_WORKFLOW.steps_from(status)


def report_steps(
    *,
    status: str,
    may: Callable[[str], bool],
    union_above: bool,
    may_review_union: Callable[[], bool],
    own: bool,
    period_locked: bool,
    window_open: Callable[[], bool],
) -> list[str]:
    """The steps a person may take on a report now: the table plus the report's own rules.

    `may(action)` answers for the report's organisation; without a union above the organisation
    (`union_above`) the office accepts submitted reports directly, with one only a person who may
    review for that union (`may_review_union()`) approves; `own`: the person submitted the report (four
    eyes: no approving or accepting one's own); a locked period allows only locking accepted
    reports; a draft can only be submitted while entry is open (`window_open`, asked last).
    """
    steps = REPORT_WORKFLOW.available(status, may)
    if period_locked:
        return [s for s in steps if s == "lock"]
    result = []
    for name in steps:
        if name == "submit" and status == S.DRAFT and not window_open():
            continue
        if name == "approve" and (not union_above or own or not may_review_union()):
            continue
        if name == "accept" and (own or (status == S.SUBMITTED and union_above)):
            continue
        result.append(name)
    return result
