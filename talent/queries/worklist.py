"""The talent pool's to-dos on the home page: rounds open for nomination (for those who nominate) and
nominations waiting for the office."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import deadlines
from core.registry import Todo
from orgs.choices import Action
from orgs.scoping import has_action, is_office
from talent.choices import NominationStatus, RoundStatus
from talent.models import Nomination, SelectionRound


def talent_todos(user) -> list[Todo]:
    today = deadlines.today()
    found: list[Todo] = []
    if is_office(user):
        waiting = Nomination.objects.filter(
            status=NominationStatus.SUBMITTED, round__status__in=[RoundStatus.OPEN, RoundStatus.REVIEWING]
        )
        count = waiting.count()
        if count:
            found.append(Todo(text=_("%(n)d 份评选推荐待审核") % {"n": count}, url=reverse("talent:rounds"), urgency=1))
        return found
    if not has_action(user, Action.EDIT):
        return found
    rounds = SelectionRound.objects.filter(status=RoundStatus.OPEN, opens_on__lte=today, closes_on__gte=today)
    for rnd in rounds[:5]:
        found.append(
            Todo(
                text=_("“%(round)s”正在推荐，名额 %(n)d 名") % {"round": str(rnd), "n": rnd.quota},
                url=reverse("talent:round", args=[rnd.pk]),
                urgency=1,
                due=rnd.closes_on,
            )
        )
    returned = Nomination.objects.visible_to(user, Action.EDIT).filter(status=NominationStatus.RETURNED).count()
    if returned:
        found.append(
            Todo(
                text=_("%(n)d 份评选推荐被退回，待修改后重新提交") % {"n": returned},
                url=reverse("talent:rounds"),
                urgency=0,
            )
        )
    return found
