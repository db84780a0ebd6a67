"""The editorial flow of a submission and the states of an issue, on the kernel's workflow (core/workflow.py).

    draft ──submit──▶ submitted ──take──▶ editing ──accept (into an issue)──▶ used
      ▲                  │                  │
      └──── returned ◀───┴──return (reason)─┤
                                            └──decline (reason)──▶ declined   (also straight from submitted)

The organisation's information officers (and its union's administrators) write and submit: the step's
action is EDIT, answered by `queries.may_submit`. The office's editors take, return, accept and decline:
REVIEW, answered by `queries.is_editor`.

An issue: draft ──finalise (numbers assigned)──▶ final ──issue──▶ issued; a final issue may be reopened
(back to draft) only while it is the newest numbered one, which gives its numbers back.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import State, Step, Workflow
from orgs.choices import Action
from publishing.choices import IssueStatus as I
from publishing.choices import SubmissionStatus as S

SUBMISSION_WORKFLOW = Workflow(
    name="publishing.submission",
    item_label=_("报送信息"),
    states=(
        State(S.DRAFT, S.DRAFT.label, editable=True),
        State(S.SUBMITTED, S.SUBMITTED.label),
        State(S.EDITING, S.EDITING.label),
        State(S.RETURNED, S.RETURNED.label, editable=True),
        State(S.USED, S.USED.label),
        State(S.DECLINED, S.DECLINED.label),
    ),
    steps=(
        Step("submit", _("报送"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Action.EDIT),
        Step("take", _("接收编辑"), frozenset({S.SUBMITTED}), S.EDITING, Action.REVIEW),
        Step(
            "return",
            _("退回修改"),
            frozenset({S.SUBMITTED, S.EDITING}),
            S.RETURNED,
            Action.REVIEW,
            reason_required=True,
            reason_missing=_("请填写退回修改的原因。"),
        ),
        Step("accept", _("采用"), frozenset({S.EDITING}), S.USED, Action.REVIEW),
        Step(
            "decline",
            _("不采用"),
            frozenset({S.SUBMITTED, S.EDITING}),
            S.DECLINED,
            Action.REVIEW,
            reason_required=True,
            reason_missing=_("请填写不采用的原因。"),
        ),
    ),
)

ISSUE_WORKFLOW = Workflow(
    name="publishing.issue",
    item_label=_("快报"),
    states=(
        State(I.DRAFT, I.DRAFT.label, editable=True),
        State(I.FINAL, I.FINAL.label),
        State(I.ISSUED, I.ISSUED.label),
    ),
    steps=(
        Step("finalise", _("定稿"), frozenset({I.DRAFT}), I.FINAL, Action.REVIEW),
        Step("reopen", _("撤回定稿"), frozenset({I.FINAL}), I.DRAFT, Action.REVIEW),
        Step("issue", _("印发"), frozenset({I.FINAL}), I.ISSUED, Action.REVIEW),
    ),
)


def permission_for(user, org):
    """The submission workflow's permission check for `user` on an item of `org`."""
    from publishing.queries import is_editor, may_submit

    def may(action: str) -> bool:
        if action == Action.REVIEW:
            return is_editor(user)
        return may_submit(user, org)

    return may
