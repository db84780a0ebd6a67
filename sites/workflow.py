"""The workflows of demonstration sites, on the kernel's shared workflow (core/workflow.py).

Nomination (推荐申报):

    draft ──submit──▶ submitted ──select──▶ selected ──(announce)──▶ a Site
      ▲                 │  └──reject (reason)──▶ rejected
      └── returned ◀──return (reason)

A group union nominates within its subtree (`may_nominate`: REVIEW over the organisation, outside the office);
the office selects, returns or rejects (ACCEPT, office roles only).

Site (示范点档案):

    selected ──assign (a guidance group)──▶ guiding ──accept──▶ accepted
       └──────────────withdraw (reason)───────┴──▶ withdrawn

Assigning, accepting and withdrawing are the office administrators' (sites.services.ensure_manager).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import State, Step, Workflow
from orgs.choices import Action
from sites.choices import NominationStatus as N
from sites.choices import SiteStatus as S

# The action the office's steps require; the services check the office role as well.
OFFICE_STEP = Action.ACCEPT

NOMINATION_WORKFLOW = Workflow(
    name="sites.nomination",
    item_label=_("示范点推荐"),
    states=(
        State(N.DRAFT, N.DRAFT.label, editable=True),
        State(N.SUBMITTED, N.SUBMITTED.label),
        State(N.RETURNED, N.RETURNED.label, editable=True),
        State(N.SELECTED, N.SELECTED.label),
        State(N.REJECTED, N.REJECTED.label),
    ),
    steps=(
        Step("submit", _("推荐"), frozenset({N.DRAFT, N.RETURNED}), N.SUBMITTED, Action.REVIEW),
        Step(
            "return", _("退回修改"), frozenset({N.SUBMITTED}), N.RETURNED, OFFICE_STEP,
            reason_required=True, reason_missing=_("请填写退回原因，说明需要修改或补充的内容。"),
        ),
        Step("select", _("入选"), frozenset({N.SUBMITTED}), N.SELECTED, OFFICE_STEP),
        Step(
            "reject", _("未入选"), frozenset({N.SUBMITTED}), N.REJECTED, OFFICE_STEP,
            reason_required=True, reason_missing=_("请填写未入选的原因。"),
        ),
    ),
)  # fmt: skip

SITE_WORKFLOW = Workflow(
    name="sites.site",
    item_label=_("示范点"),
    states=(
        State(S.NOMINATED, S.NOMINATED.label),
        State(S.SELECTED, S.SELECTED.label),
        State(S.GUIDING, S.GUIDING.label),
        State(S.ACCEPTED, S.ACCEPTED.label),
        State(S.WITHDRAWN, S.WITHDRAWN.label),
    ),
    steps=(
        Step("assign", _("派驻指导组"), frozenset({S.SELECTED}), S.GUIDING, Action.ASSESS_MANAGE),
        Step("accept", _("验收"), frozenset({S.GUIDING}), S.ACCEPTED, Action.ASSESS_MANAGE),
        Step(
            "withdraw", _("撤销"), frozenset({S.SELECTED, S.GUIDING}), S.WITHDRAWN, Action.ASSESS_MANAGE,
            reason_required=True, reason_missing=_("请填写撤销原因。"),
        ),
    ),
)  # fmt: skip


def may_nominate(user, org) -> bool:
    """Whether `user` nominates `org`: a group union's administrator over it (REVIEW there), never the office."""
    from orgs.scoping import can, is_office

    return not is_office(user) and can(user, Action.REVIEW, org)


def nomination_permission(user, org):
    """The nomination workflow's permission check for `user` on a nomination of `org`."""
    from orgs.scoping import can, is_office

    def may(action: str) -> bool:
        if action == Action.REVIEW:
            return may_nominate(user, org)
        return is_office(user) and can(user, action, org)

    return may


def site_permission(user, org):
    """The site workflow's permission check: the office's administrators (ASSESS_MANAGE)."""
    from orgs.scoping import has_action, is_office

    def may(action: str) -> bool:
        return is_office(user) and has_action(user, action)

    return may
