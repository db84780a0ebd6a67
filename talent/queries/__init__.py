"""Reads of the talent pool, through the door (`Person.objects.visible_to`): the filtered list, a profile,
who may edit or see personal data in full."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from core import deadlines
from core.search import search
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, has_action, is_office, within
from talent.choices import HIGH_SKILL_LEVELS
from talent.models import Honour, Nomination, Person, SelectionRound

ACTIVE = "active"
REMOVED = "removed"
ALL = "all"


@dataclass
class PersonFilter:
    """What a list of people is narrowed by (the page's form and the API's query both fill it)."""

    q: str = ""
    org: Organisation | None = None
    honour_kind: str = ""
    honour_level: str = ""
    skill_level: str = ""
    high_skill: bool = False
    education: str = ""
    industrial: bool | None = None
    speaker: bool | None = None
    state: str = ACTIVE
    chosen: dict = field(default_factory=dict)


def people_visible(user, action: str = Action.VIEW) -> QuerySet[Person]:
    return Person.objects.visible_to(user, action).select_related("org")


def filter_people(people: QuerySet[Person], f: PersonFilter) -> QuerySet[Person]:
    """People narrowed by name, organisation (its subtree), honour kind and level, skill, education,
    industrial worker, speaker and whether still in the pool."""
    if f.q:
        people = search(people, ["name", "occupation"], f.q)
    if f.org is not None:
        people = people.filter(within("org__path", [f.org], people.db))
    if f.honour_kind or f.honour_level:
        honours = Honour.objects.filter(person=OuterRef("pk"))
        if f.honour_kind:
            honours = honours.filter(kind=f.honour_kind)
        if f.honour_level:
            honours = honours.filter(level=f.honour_level)
        people = people.filter(Exists(honours))
    if f.skill_level:
        people = people.filter(skill_level=f.skill_level)
    if f.high_skill:
        people = people.filter(skill_level__in=list(HIGH_SKILL_LEVELS))
    if f.education:
        people = people.filter(education=f.education)
    if f.industrial is not None:
        people = people.filter(is_industrial_worker=f.industrial)
    if f.speaker is not None:
        people = people.filter(is_speaker=f.speaker)
    if f.state == ACTIVE:
        people = people.filter(removed_on__isnull=True)
    elif f.state == REMOVED:
        people = people.filter(removed_on__isnull=False)
    return people


def with_honours(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.prefetch_related(Prefetch("honours", queryset=Honour.objects.order_by("-awarded_on", "pk")))


def may_edit(user, person: Person) -> bool:
    return can(user, Action.EDIT, person.org)


def may_reveal(user, person: Person) -> bool:
    return can(user, Action.PII_VIEW, person.org)


def may_add(user) -> bool:
    return has_action(user, Action.EDIT)


def may_export_full(user) -> bool:
    return has_action(user, Action.PII_VIEW)


# --- selection rounds ---


def rounds_visible(user) -> QuerySet[SelectionRound]:
    """Rounds are province-wide notices: everyone with a business role sees them."""
    if not has_action(user, Action.VIEW):
        return SelectionRound.objects.none()
    return SelectionRound.objects.all()


def nominations_visible(user, rnd: SelectionRound | None = None) -> QuerySet[Nomination]:
    rows = Nomination.objects.visible_to(user).select_related("person", "person__org", "org", "round")
    if rnd is not None:
        rows = rows.filter(round=rnd)
    return rows


def may_run_rounds(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_office(user) and has_action(user, Action.REVIEW)


def round_open_now(rnd: SelectionRound) -> bool:
    from talent.choices import RoundStatus

    today = deadlines.today()
    return rnd.status == RoundStatus.OPEN and rnd.opens_on <= today <= rnd.closes_on
