"""The report state machine, in one table: which step moves a report from which states to which.

    draft ──submit──▶ submitted ──approve (union above)──▶ approved ──accept (office)──▶ accepted ──lock──▶ locked
      ▲                 │  └────────accept (office, when no union is above)──────────────▲
      │                 └──return──▶ returned ◀──return── approved      accepted/locked ──reopen (office)──▶ returned
      └──────────────── returned ──submit──▶ submitted

Who may take each step is checked in services.py against orgs/roles.py (EDIT, REVIEW, ACCEPT).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from orgs.choices import Action
from reporting.choices import ReportStatus as S


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    action: str


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("submit", _("提交"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Action.EDIT),
        Step("approve", _("审核通过"), frozenset({S.SUBMITTED}), S.APPROVED, Action.REVIEW),
        Step("return", _("退回"), frozenset({S.SUBMITTED, S.APPROVED}), S.RETURNED, Action.REVIEW),
        # From SUBMITTED only when no union is above the organisation (checked in the service).
        Step("accept", _("验收"), frozenset({S.APPROVED, S.SUBMITTED}), S.ACCEPTED, Action.ACCEPT),
        Step("lock", _("锁定"), frozenset({S.ACCEPTED}), S.LOCKED, Action.ACCEPT),
        Step("reopen", _("重新打开"), frozenset({S.ACCEPTED, S.LOCKED}), S.RETURNED, Action.ACCEPT),
    )
}

EDITABLE = frozenset({S.DRAFT, S.RETURNED})


def allowed_steps(status: str) -> list[str]:
    """The names of the steps that can start from `status` (before any permission check)."""
    return [name for name, step in STEPS.items() if status in step.sources]
