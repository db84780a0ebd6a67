"""What a person should do next in the case library (core.registry.todos), read through the door in two queries:

- the office (ACCEPT): the cases submitted and waiting for review;
- a source organisation's editors (EDIT on the organisation itself, where they hold their role): its returned
  cases, with the reason (a union's administrator is not reminded of every enterprise's below it).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.choices import CaseStatus
from cases.models import Case
from core.registry import Todo
from orgs.choices import Action
from orgs.queries import active_memberships
from orgs.scoping import can, has_action, is_office


def case_todos(user) -> list[Todo]:
    found: list[Todo] = []
    if is_office(user) and has_action(user, Action.ACCEPT):
        waiting = Case.objects.visible_to(user, Action.ACCEPT).filter(status=CaseStatus.SUBMITTED).count()
        if waiting:
            found.append(
                Todo(
                    ngettext("%(n)d 个改革案例等待审核发布。", "%(n)d 个改革案例等待审核发布。", waiting)
                    % {"n": waiting},
                    reverse("cases:review"),
                    1,
                )
            )
    own = [m.org_id for m in active_memberships(user) if can(user, Action.EDIT, m.org)]
    if own and not is_office(user):
        returned = (
            Case.objects.visible_to(user, Action.EDIT)
            .filter(status=CaseStatus.RETURNED, org_id__in=own)
            .select_related("org")
            .order_by("updated_at")[:20]
        )
        for case in returned:
            found.append(
                Todo(
                    _("案例《%(title)s》被退回修改：%(reason)s") % {"title": case.title, "reason": case.reason},
                    reverse("cases:detail", args=[case.pk]),
                    0,
                )
            )
    return found
