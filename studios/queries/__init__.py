"""Reads of the studios that carry a rule: the door, filters, people to pick, totals, the reviews' to-dos."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from core import deadlines, registry
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, is_office, within
from studios.choices import ResultKind, ReviewStatus, StudioStatus
from studios.models import Alliance, Studio, StudioReview
from talent.models import Person

PICK_LIMIT = 20


def filter_studios(qs, *, kind: str = "", level: str = "", status: str = "", org: Organisation | None = None,
                   year: int | None = None, text: str = ""):  # fmt: skip
    """Studios narrowed by kind, current level, status, an organisation's subtree, the year of a naming, text."""
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if org is not None:
        qs = qs.filter(within("org__path", (org.path,), qs.db))
    if year:
        qs = qs.filter(namings__named_on__year=year).distinct()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(leader__name__icontains=text) | Q(topics__icontains=text))
    return qs


def studio_rows(qs):
    """The studios with their results' count and value, in one query."""
    return qs.select_related("org", "leader").annotate(
        result_count=Count("results", distinct=True), result_value=Sum("results__value")
    )


def people_for(user, org: Organisation, text: str = ""):
    """People of the talent pool in `org`'s subtree the user sees, not removed, matching `text`, by name."""
    qs = Person.objects.visible_to(user).active().filter(within("org__path", (org.path,), Person.objects.db))
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(occupation__icontains=text))
    return qs.select_related("org").order_by("name", "pk")


def alliance_candidates():
    """Active studios anywhere in the province: alliances cross the tree, so their members are picked by name
    from every organisation (a studio's name and organisation are not restricted data)."""
    return Studio.objects.active().select_related("org").order_by("name", "pk")


def results_totals(results) -> dict:
    """Counts by kind and the value created over a results queryset; value None when none carries one."""
    by_kind = dict(results.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    value = results.aggregate(total=Sum("value"))["total"]
    return {
        "count": sum(by_kind.values()),
        "kinds": [(label, by_kind.get(key, 0)) for key, label in ResultKind.choices],
        "patents": by_kind.get(ResultKind.PATENT, 0),
        "value": value if value is not None else None,
    }


def may_edit(user, studio: Studio) -> bool:
    return can(user, Action.EDIT, studio.org)


def review_todos(user) -> list[registry.Todo]:
    """The office: reviews waiting for a rating; the studios' side: returned reviews and last year's reviews due."""
    todos: list[registry.Todo] = []
    url = reverse("studios:reviews")
    if is_office(user):
        waiting = StudioReview.objects.visible_to(user, Action.ACCEPT).filter(status=ReviewStatus.SUBMITTED).count()
        if waiting:
            todos.append(
                registry.Todo(_("%(n)d 份创新工作室年度评估待评定") % {"n": waiting}, f"{url}?status=submitted")
            )
        return todos
    mine = StudioReview.objects.visible_to(user, Action.EDIT)
    returned = mine.filter(status=ReviewStatus.RETURNED).count()
    if returned:
        todos.append(
            registry.Todo(_("%(n)d 份创新工作室年度评估被退回，请修改后重新提交") % {"n": returned},
                          f"{url}?status=returned", urgency=0)
        )  # fmt: skip
    last = deadlines.today().year - 1
    due = (
        Studio.objects.visible_to(user, Action.EDIT)
        .filter(status=StudioStatus.ACTIVE, named_on__lt=dt.date(last + 1, 1, 1))
        .exclude(reviews__year=last, reviews__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.RATED])
        .count()
    )
    if due:
        todos.append(
            registry.Todo(_("%(n)d 个创新工作室的%(year)d年度评估待提交") % {"n": due, "year": last},
                          f"{url}?year={last}")
        )  # fmt: skip
    return todos


def alliance_studios_seen(user, alliance: Alliance) -> set[int]:
    """The ids of the alliance's studios the user sees (those the page links to)."""
    return set(Studio.objects.visible_to(user).filter(alliances=alliance).values_list("pk", flat=True)) | (
        {alliance.lead_id} if Studio.objects.visible_to(user).filter(pk=alliance.lead_id).exists() else set()
    )
