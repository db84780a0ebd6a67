"""The workflow every app shares: states, steps, who may take each step, reasons, history, notices.

An app defines its workflow once, as data:

    ITEM_WORKFLOW = Workflow(
        name="ledger.writtenreport",
        item_label=_("书面报告"),
        states=(State("draft", _("草稿"), editable=True), State("submitted", _("已提交")), ...),
        steps=(Step("submit", _("提交"), sources={"draft", "returned"}, target="submitted", action=Action.EDIT), ...),
    )

and its services, views, API and templates read that one definition:

- `workflow.check(status=…, step=…, may=…)` says whether a step may be taken now (the state allows it
  and the person holds the step's action) and what state it leads to; `may(action)` is the app's
  permission check (orgs.scoping.can for the item's organisation: core knows no organisation);
- `workflow.available(status, may)` lists the steps to offer as buttons;
- `transition(...)` takes a step in a service: the item's row is locked first (core.db.lock_row),
  the versioned update moves it to the step's target, the audit row (the item's history) comes
  last, following the lock order documented in core/db.py;
- `clean_reason` refuses a return or reopen without a reason (Step.reason_required); what the
  reason points to (the whole item, a section, a field) is kept in the app's own rows, which know
  its sections and fields (reporting: ValueReturn), and resolved by its next submission;
- `history(item)` is the item's audit trail, oldest first: the audit log is the history, so a step
  and its history row can never disagree;
- `mail_after_commit` sends the e-mail copies of in-app notices once the step is committed;
- `changes_since(before, after)` is the difference between the values at the last submission and now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import models, transaction
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import versioned_update

logger = logging.getLogger(__name__)

# The permission check an app passes in: may the person take a step requiring `action` here?
Permission = Callable[[str], bool]


class IllegalTransition(ConflictError):
    """The item's state does not allow this step (409)."""


@dataclass(frozen=True)
class State:
    """One state an item can be in; `editable`: its content may be changed in this state."""

    value: str
    label: str
    editable: bool = False


@dataclass(frozen=True)
class Step:
    """One step: from which states to which, the action it requires, and whether it needs a reason."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    action: str
    reason_required: bool = False
    reason_missing: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(self.sources))


@dataclass(frozen=True)
class Outcome:
    """What taking a step would do: allowed or not, the state it leads to, and why not."""

    allowed: bool
    target: str = ""
    refusal: str = ""  # "state" (the state does not allow the step) or "permission"


@dataclass(frozen=True)
class Workflow:
    """A workflow as data: its states and steps, in the order they are shown."""

    name: str
    item_label: str
    states: tuple[State, ...]
    steps: tuple[Step, ...]
    _by_name: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        known = {s.value for s in self.states}
        for step in self.steps:
            unknown = (step.sources | {step.target}) - known
            if unknown:
                raise ValueError(f"{self.name}: step {step.name} names unknown states {sorted(unknown)}")
        object.__setattr__(self, "_by_name", {s.name: s for s in self.steps})

    def step(self, name: str) -> Step:
        """The step called `name` (KeyError for a name the workflow does not have)."""
        return self._by_name[name]

    @property
    def editable(self) -> frozenset[str]:
        """The states in which the item's content may be changed."""
        return frozenset(s.value for s in self.states if s.editable)

    def label(self, value: str) -> str:
        return next((s.label for s in self.states if s.value == value), value)

    def steps_from(self, status: str) -> list[str]:
        """The names of the steps that can start from `status` (before any permission check)."""
        return [s.name for s in self.steps if status in s.sources]

    def check(self, *, status: str, step: str, may: Permission) -> Outcome:
        """Whether `step` may be taken from `status` by someone for whom `may(action)` answers."""
        definition = self.step(step)
        if status not in definition.sources:
            return Outcome(False, refusal="state")
        if not may(definition.action):
            return Outcome(False, refusal="permission")
        return Outcome(True, target=definition.target)

    def available(self, status: str, may: Permission) -> list[str]:
        """The steps to offer on an item in `status` (the app may narrow them with its own rules)."""
        return [s.name for s in self.steps if self.check(status=status, step=s.name, may=may).allowed]

    def ensure_step(self, *, status: str, step: str, status_label: str | None = None) -> Step:
        """The step, or IllegalTransition when `status` does not allow it."""
        definition = self.step(step)
        if status not in definition.sources:
            raise IllegalTransition(
                _("当前状态为“%(status)s”的%(item)s不能%(step)s。")
                % {"status": status_label or self.label(status), "item": self.item_label, "step": definition.label}
            )
        return definition

    def clean_reason(self, step: str, reason: str | None) -> str:
        """The reason given for `step`, stripped; UserError (field "reason") when it needs one and has none."""
        definition = self.step(step)
        text = (reason or "").strip()
        if definition.reason_required and not text:
            raise UserError(definition.reason_missing or _("请填写原因。"), field="reason")
        return text


def transition(
    *,
    workflow: Workflow,
    item: models.Model,
    step: str,
    by: Actor,
    event: str,
    detail: dict[str, Any] | None = None,
    **fields: Any,
) -> models.Model:
    """Move a locked `item` (see core.db.lock_row) along `step`: state, version and time in one UPDATE,
    then the audit row `event` (the history). ConflictError if the row moved meanwhile."""
    definition = workflow.step(step)
    before = audit.snapshot(item)
    versioned_update(
        item,
        item.version,
        conflict_message=_("该%(item)s已被他人修改，请刷新后重试。") % {"item": workflow.item_label},
        only_if={"status__in": definition.sources},
        status=definition.target,
        **fields,
    )
    audit.record(by, event, item, before=before, detail=detail)
    return item


def history(item: models.Model) -> list:
    """The audit rows about `item` (its steps and edits), oldest first."""
    from core.models import AuditEntry

    return list(
        AuditEntry.objects.filter(object_type=item._meta.label_lower, object_id=str(item.pk)).order_by("at", "id")
    )


def mail_after_commit(addresses: Iterable[str], *, subject: str, body: str, url: str = "") -> None:
    """E-mail copies of a notice, sent one per address once the transaction commits.

    A step rolled back sends nothing; a mail server outage is logged and never fails or undoes
    the committed step (the in-app copy is there).
    """
    addresses = [a for a in addresses if a]
    if not addresses:
        return
    text = f"{body}\n{url}".strip()

    def send() -> None:
        for address in addresses:
            try:
                send_mail(subject, text, None, [address])
            except Exception:  # noqa: BLE001 - any mail failure is logged, never raised
                logger.exception("notification mail to %s failed", address)

    transaction.on_commit(send)


@dataclass(frozen=True)
class Change:
    """One value that differs between the last submission and now."""

    key: str
    old: Any
    new: Any


def changes_since(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """The keys whose value differs between `before` (the last submission) and `after` (now), sorted."""
    return [
        Change(key, before.get(key, ""), after.get(key, ""))
        for key in sorted(set(before) | set(after))
        if before.get(key, "") != after.get(key, "")
    ]
