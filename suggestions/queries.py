"""Reads of 五小 and suggestions, all through the door (orgs.scoping): lists, years, to-dos, campaigns."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.registry import Todo
from orgs.choices import Action
from orgs.models import Organisation
from orgs.queries import active_memberships
from orgs.scoping import can, granted_paths, has_action, is_office, within
from suggestions.choices import ADOPTED_STATES, SuggestionStatus
from suggestions.models import Campaign, Proposer, Suggestion

S = SuggestionStatus


def suggestions_visible(
    user, *, kind: str = "", status: str = "", year: int | None = None, org: Organisation | None = None,
    campaign: Campaign | None = None, action: str = Action.VIEW,
) -> QuerySet[Suggestion]:  # fmt: skip
    """The suggestions `user` sees, filtered, newest first, with organisation, campaign and proposers loaded."""
    rows = Suggestion.objects.visible_to(user, action).select_related("org", "campaign")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(submitted_on__year=year)
    if org is not None:
        rows = rows.filter(within("org__path", [org]))
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    return rows.prefetch_related(Prefetch("proposers", queryset=Proposer.objects.select_related("person")))


def suggestion_years(user) -> list[int]:
    """The years in which the user's visible suggestions were submitted, latest first."""
    dates = Suggestion.objects.visible_to(user).dates("submitted_on", "year", order="DESC")
    return [d.year for d in dates]


def campaigns_visible(user, action: str = Action.VIEW) -> QuerySet[Campaign]:
    """The campaigns `user` sees (run in the scope, or for it), with the suggestions in his scope counted."""
    mine = within("suggestions__org__path", granted_paths(user, Action.VIEW))
    return (
        Campaign.objects.visible_to(user, action)
        .select_related("organiser")
        .annotate(
            submitted=Count("suggestions", filter=mine, distinct=True),
            adopted=Count("suggestions", filter=mine & Q(suggestions__status__in=ADOPTED_STATES), distinct=True),
        )
        .order_by("-starts_on", "id")
    )


def campaigns_open_to(user) -> QuerySet[Campaign]:
    """Campaigns a suggestion the user enters may belong to (those he sees), latest first."""
    return Campaign.objects.visible_to(user).select_related("organiser").order_by("-starts_on", "id")


def may_enter(user) -> bool:
    """Whether the person enters suggestions somewhere (EDIT; from the cached roles)."""
    return has_action(user, Action.EDIT)


def may_run_campaigns(user) -> bool:
    return has_action(user, Action.REVIEW)


def people_choices(user, org: Organisation | None = None) -> list:
    """Talent-pool people the user may link as proposers (in his EDIT scope, or `org`'s subtree), by name."""
    from talent.models import Person

    rows = Person.objects.visible_to(user, Action.EDIT).active().select_related("org")
    if org is not None:
        rows = rows.filter(within("org__path", [org]))
    return list(rows.order_by("org__path", "name", "pk")[:500])


def campaign_counts(user, campaign: Campaign) -> dict[str, int]:
    """A campaign's visible suggestions by status, and the totals."""
    rows = Suggestion.objects.visible_to(user).filter(campaign=campaign)
    by_status = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    total = sum(by_status.values())
    adopted = sum(by_status.get(s, 0) for s in ADOPTED_STATES)
    decided = adopted + by_status.get(S.REJECTED, 0)
    return {"by_status": by_status, "total": total, "adopted": adopted, "decided": decided}


# To-dos -------------------------------------------------------------------------------------------------------


def suggestion_todos(user) -> list[Todo]:
    """Suggestions waiting for a step the person takes: the unions' reviewers (REVIEW) review, decide, assess
    and reward; whoever enters them (EDIT) records the implementation. The office follows, it is not asked."""
    if not getattr(user, "is_authenticated", False) or is_office(user):
        return []
    if not active_memberships(user):
        return []
    review_paths = granted_paths(user, Action.REVIEW)
    edit_paths = granted_paths(user, Action.EDIT)
    wanted = Q(pk__in=[])
    if review_paths:
        wanted |= Q(status__in=(S.SUBMITTED, S.REVIEWED, S.IMPLEMENTED, S.ASSESSED)) & within("org__path", review_paths)
    if edit_paths:
        wanted |= Q(status=S.ADOPTED) & within("org__path", edit_paths)
    counts = dict(
        Suggestion.objects.visible_to(user).filter(wanted).values_list("status").annotate(n=Count("id")).order_by()
    )
    texts = {
        S.SUBMITTED: _("%(n)d 条合理化建议（五小）等待审查。"),
        S.REVIEWED: _("%(n)d 条合理化建议（五小）已审查，等待决定是否采纳。"),
        S.ADOPTED: _("%(n)d 条已采纳的建议等待登记实施情况。"),
        S.IMPLEMENTED: _("%(n)d 条已实施的建议等待评估创效金额。"),
        S.ASSESSED: _("%(n)d 条已评估效益的建议等待登记奖励。"),
    }
    found = []
    for status, text in texts.items():
        if counts.get(status):
            url = reverse("suggestions:list") + "?" + urlencode({"status": status})
            found.append(Todo(text % {"n": counts[status]}, url, 1 if status != S.SUBMITTED else 0))
    return found


def may_take(user, action: str, suggestion: Suggestion) -> bool:
    return can(user, action, suggestion.org)


def records_after(org: Organisation, on) -> list[tuple[str, object]]:
    """Suggestions of `org`'s subtree submitted after `on` (closing an organisation asks for confirmation)."""
    from django.db.models import Max

    from suggestions.models import Suggestion

    latest = Suggestion.objects.filter(within("org__path", [org]), submitted_on__gt=on).aggregate(
        day=Max("submitted_on")
    )["day"]
    return [(_("合理化建议和五小"), latest)] if latest else []
