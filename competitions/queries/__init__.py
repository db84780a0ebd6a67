"""Reads of the competitions, through the door: lists with filters, one event's entries, to-dos, summaries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from competitions.choices import CompetitionStatus, OutcomeKind
from competitions.models import Competition, CompetitionEntry, Outcome
from core import deadlines
from core.registry import Todo
from orgs.choices import Action
from orgs.scoping import can, granted_paths, within
from talent.models import Person


def competitions_for(
    user, *, kind: str = "", level: str = "", year: int | None = None, organiser=None, status: str = ""
) -> QuerySet[Competition]:
    """The events `user` sees, filtered; each with its number of trades and of entries the user sees."""  # fmt: skip
    rows = Competition.objects.visible_to(user).select_related("organiser")
    if kind:
        rows = rows.filter(kind=kind)
    if level:
        rows = rows.filter(level=level)
    if year:
        rows = rows.filter(starts_on__year=year)
    if status:
        rows = rows.filter(status=status)
    if organiser is not None:
        rows = rows.filter(within("organiser__path", [organiser], rows.db))
    return rows.annotate(trade_count=Count("trades", distinct=True))


def years(user) -> list[int]:
    """The years in which the events the user sees started, latest first."""
    days = Competition.objects.visible_to(user).dates("starts_on", "year", order="DESC")
    return [d.year for d in days]


def may_edit(user, competition: Competition) -> bool:
    return can(user, Action.EDIT, competition.organiser)


def entries_of(user, competition: Competition) -> QuerySet[CompetitionEntry]:
    """The entries of `competition` the user sees: all of them for the organiser's side, else his own orgs'."""
    return (
        CompetitionEntry.objects.visible_to(user)
        .filter(competition=competition)
        .select_related("trade", "org", "person")
        .order_by("trade__name", "rank", "name", "pk")
    )


def people_for(user, org, text: str = "", limit: int = 50) -> QuerySet[Person]:
    """People in the pool the user sees, working in `org`'s subtree, whose name contains `text`."""
    rows = Person.objects.visible_to(user).active().filter(within("org__path", [org], Person.objects.db))
    if text:
        rows = rows.filter(name__contains=text.strip()[:50])
    return rows.select_related("org").order_by("name", "pk")[:limit]


def competition_todos(user) -> list[Todo]:
    """Events the user runs that have finished (or passed their end date) without published results."""
    if not granted_paths(user, Action.EDIT):
        return []
    today = deadlines.today()
    rows = Competition.objects.visible_to(user, Action.EDIT).filter(
        Q(status=CompetitionStatus.FINISHED) | Q(status=CompetitionStatus.UNDER_WAY, ends_on__lt=today)
    )
    todos = []
    for event in rows.order_by("ends_on")[:20]:
        if event.status == CompetitionStatus.FINISHED:
            text = _("“%(name)s”已结束，结果尚未公布。") % {"name": event.name}
        else:
            text = _("“%(name)s”已过结束日期，请录入成绩并结束竞赛。") % {"name": event.name}
        todos.append(Todo(text=text, url=reverse("competitions:competition", args=[event.pk]), urgency=1,
                          due=event.ends_on))  # fmt: skip
    return todos


@dataclass(frozen=True)
class OutcomeSummary:
    """How many winners a set of events had and what their results brought."""

    winners: int
    raised: int
    titled: int
    honoured: int
    paid: int


def outcome_summary(user, competitions: list[int] | None = None) -> OutcomeSummary:
    """Winners of published events the user sees (of the events `competitions`, ids, when given) and how many got
    a level, a title, an honour, a pay rise."""
    entries = (
        CompetitionEntry.objects.visible_to(user)
        .filter(competition__status=CompetitionStatus.PUBLISHED)
        .exclude(award="")
    )
    outcomes = Outcome.objects.visible_to(user)
    if competitions is not None:
        entries = entries.filter(competition_id__in=competitions)
        outcomes = outcomes.filter(entry__competition_id__in=competitions)
    counts = dict(outcomes.order_by().values_list("kind").annotate(n=Count("entry", distinct=True)))
    return OutcomeSummary(
        winners=entries.count(),
        raised=counts.get(OutcomeKind.SKILL_LEVEL, 0),
        titled=counts.get(OutcomeKind.TITLE, 0),
        honoured=counts.get(OutcomeKind.HONOUR, 0),
        paid=counts.get(OutcomeKind.PAY_RISE, 0),
    )


def summary_by_competition(user) -> list[tuple[Competition, OutcomeSummary]]:
    """Each published event the user sees with its outcome summary, in three grouped queries."""
    events = list(
        Competition.objects.visible_to(user)
        .filter(status=CompetitionStatus.PUBLISHED)
        .select_related("organiser")[:200]
    )
    ids = [c.pk for c in events]
    winners = dict(
        CompetitionEntry.objects.visible_to(user).filter(competition_id__in=ids).exclude(award="").order_by()
        .values_list("competition_id").annotate(n=Count("pk"))
    )  # fmt: skip
    counts: dict[tuple[int, str], int] = {
        (pk, kind): n
        for pk, kind, n in Outcome.objects.visible_to(user).filter(entry__competition_id__in=ids).order_by()
        .values_list("entry__competition_id", "kind").annotate(n=Count("entry", distinct=True))
    }  # fmt: skip
    return [
        (c, OutcomeSummary(
            winners=winners.get(c.pk, 0), raised=counts.get((c.pk, OutcomeKind.SKILL_LEVEL), 0),
            titled=counts.get((c.pk, OutcomeKind.TITLE), 0), honoured=counts.get((c.pk, OutcomeKind.HONOUR), 0),
            paid=counts.get((c.pk, OutcomeKind.PAY_RISE), 0),
        ))
        for c in events
    ]  # fmt: skip
