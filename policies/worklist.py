"""The home page's to-dos and rounds of the policy library (registry.todos / registry.rounds), read through the door
in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core import deadlines
from core.registry import RoundProgress, Todo
from orgs.choices import Action, Role
from orgs.models import Membership
from orgs.scoping import is_office, roles_of
from policies.choices import MeasureStatus, UptakeStatus
from policies.models import Measure, NoticeRecipient, UptakeReport, UptakeRound
from policies.queries import may_manage, round_progress
from policies.rules import POPULATION_KINDS

EXPIRY_WARNING_DAYS = 30
OWN_ROLES = {Role.REPORTER, Role.INFO_OFFICER}


def policy_todos(user) -> list[Todo]:
    """An enterprise's reporter or information officer: unread notices and the uptake form due (of the organisations
    where they hold that role; a union administrator follows them on the pages). The office's administrators:
    measures about to expire."""
    todos: list[Todo] = []
    today = deadlines.today()
    if roles_of(user) & OWN_ROLES:  # cached roles: no query for anyone else
        orgs = Membership.objects.filter(
            user=user, is_active=True, role__in=OWN_ROLES, org__kind__in=POPULATION_KINDS
        ).values("org_id")
        unread = (
            NoticeRecipient.objects.visible_to(user)
            .filter(org__in=orgs, opened_at__isnull=True)
            .select_related("notice", "org")
            .order_by("-notice__sent_at")[:20]
        )
        for recipient in unread:
            todos.append(
                Todo(
                    text=_("新的政策推送：%(title)s（%(org)s）")
                    % {"title": recipient.notice.title, "org": recipient.org.name},
                    url=reverse("policies:mine") + f"?org={recipient.org.code}#notices",
                    urgency=1,
                )
            )
        due = (
            UptakeReport.objects.visible_to(user, Action.EDIT)
            .filter(org__in=orgs, status=UptakeStatus.DRAFT, round__opens_on__lte=today)
            .select_related("round", "org")
        )
        for report in due:
            todos.append(
                Todo(
                    text=_("填报%(round)s（%(org)s）") % {"round": report.round.title, "org": report.org.name},
                    url=report.get_absolute_url(),
                    urgency=0 if report.round.due_on <= today + dt.timedelta(days=7) else 1,
                    due=report.round.due_on,
                )
            )
    if may_manage(user):
        soon = Measure.objects.filter(
            status=MeasureStatus.PUBLISHED,
            valid_to__gte=today,
            valid_to__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
        ).order_by("valid_to")
        for measure in soon:
            todos.append(
                Todo(
                    text=_("政策即将到期：%(title)s，请确认是否延续或废止") % {"title": measure.title},
                    url=measure.get_absolute_url(),
                    urgency=1,
                    due=measure.valid_to,
                )
            )
    return todos


def policy_rounds(user) -> list[RoundProgress]:
    """The office follows the uptake rounds until a month after their deadline."""
    if not is_office(user):
        return []
    today = deadlines.today()
    found = []
    for round_ in UptakeRound.objects.filter(due_on__gte=today - dt.timedelta(days=30)).order_by("due_on"):
        progress = round_progress(round_)
        found.append(
            RoundProgress(
                title=round_.title,
                stage=_("填报中") if round_.due_on >= today else _("已截止"),
                url=reverse("policies:round", kwargs={"pk": round_.pk}),
                done=progress.submitted,
                expected=progress.expected,
                done_label=_("已提交"),
                due=round_.due_on,
                late=progress.late_missing,
            )
        )
    return found
