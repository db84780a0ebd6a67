"""A class's course, on the kernel's shared workflow (core/workflow.py).

    planning ──open──▶ open ──start──▶ running ──finish──▶ finished
        └────────────────┴───────────────┴──cancel (reason)──▶ cancelled

Every step is the organiser's: EDIT on the organising organisation.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import State, Step, Workflow
from orgs.choices import Action
from training.choices import ClassStatus as S

CLASS_WORKFLOW = Workflow(
    name="training.class",
    item_label=_("培训班"),
    states=(
        State(S.PLANNING, S.PLANNING.label, editable=True),
        State(S.OPEN, S.OPEN.label, editable=True),
        State(S.RUNNING, S.RUNNING.label, editable=True),
        State(S.FINISHED, S.FINISHED.label),
        State(S.CANCELLED, S.CANCELLED.label),
    ),
    steps=(
        Step("open", _("开始报名"), frozenset({S.PLANNING}), S.OPEN, Action.EDIT),
        Step("start", _("开班"), frozenset({S.OPEN}), S.RUNNING, Action.EDIT),
        Step("finish", _("结束培训"), frozenset({S.RUNNING}), S.FINISHED, Action.EDIT),
        Step(
            "cancel",
            _("取消培训班"),
            frozenset({S.PLANNING, S.OPEN, S.RUNNING}),
            S.CANCELLED,
            Action.EDIT,
            reason_required=True,
            reason_missing=_("请填写取消培训班的原因。"),
        ),
    ),
)


def permission_for(user, klass):
    """The workflow's permission check for `user` on `klass`: the action on the organiser."""
    from orgs.scoping import can

    return lambda action: can(user, action, klass.organiser)
