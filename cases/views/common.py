"""What every case library page shares: the tabs a person is offered (read from cached roles, no query)."""

from __future__ import annotations

from orgs.choices import Action
from orgs.scoping import has_action, is_office


def case_nav(user) -> dict:
    return {"may_edit": has_action(user, Action.EDIT), "office": is_office(user)}
