"""Reads of the demonstration sites that carry a rule: scope, filters, overdue follow-ups, who may do what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from core import deadlines
from core.search import search
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import can, has_action, is_office, within
from sites.choices import FollowUpStatus, NominationStatus, SiteStatus
from sites.models import Batch, FollowUp, GuidanceGroup, Nomination, Site


def sites_visible(user) -> QuerySet[Site]:
    """The sites `user` sees: in their organisational scope, or assigned to their guidance group."""
    return Site.objects.visible_to(user).select_related("org", "batch", "group")


def filter_sites(
    sites: QuerySet[Site],
    *,
    batch: str = "",
    level: str = "",
    status: str = "",
    prefecture: str = "",
    union: str = "",
    text: str = "",
) -> QuerySet[Site]:
    """Sites narrowed by batch, batch level, status, prefecture (region code), union (its code) and name."""
    if batch:
        sites = sites.filter(batch_id=batch)
    if level:
        sites = sites.filter(batch__level=level)
    if status:
        sites = sites.filter(status=status)
    if prefecture:
        sites = sites.filter(org__region__code__startswith=prefecture[:4])
    if union:
        top = Organisation.objects.filter(code=union, kind=OrgKind.UNION).first()
        sites = sites.filter(within("org__path", [top.path])) if top else sites.none()
    if text:
        sites = search(sites, ["org__name", "org__short_name"], text)
    return sites


def union_choices(user) -> list[tuple[str, str]]:
    """(code, name) of the unions the user may see, for the union filter."""
    unions = Organisation.objects.filter(kind=OrgKind.UNION, closed_on__isnull=True).visible_to(user, Action.ORG_VIEW)
    return list(unions.order_by("path").values_list("code", "name"))


def prefecture_choices() -> list[tuple[str, str]]:
    """(code, name) of the province's prefectures (GB/T 2260)."""
    from orgs.models import Region

    return list(Region.objects.filter(parent_id="530000").order_by("code").values_list("code", "name"))


@dataclass(frozen=True)
class SiteRow:
    site: Site
    union: str
    visits: int
    last_visit: dt.date | None
    open_followups: int
    overdue: int


def site_rows(sites, *, today: dt.date | None = None) -> list[SiteRow]:
    """The list page's rows: each site with its union, visit count, last visit and open/overdue follow-ups."""
    today = today or deadlines.today()
    sites = list(sites)
    ids = [s.pk for s in sites]
    visits = {
        row["site_id"]: row
        for row in Site.visits.rel.related_model.objects.filter(site_id__in=ids)
        .order_by()
        .values("site_id")
        .annotate(n=Count("pk"), last=Max("visited_on"))
    }
    followups = {
        row["site_id"]: row
        for row in FollowUp.objects.filter(site_id__in=ids, status=FollowUpStatus.OPEN)
        .order_by()
        .values("site_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=today)))
    }
    unions = union_names([s.org for s in sites])
    return [
        SiteRow(
            site=s,
            union=unions.get(s.org.path, ""),
            visits=visits.get(s.pk, {}).get("n", 0),
            last_visit=visits.get(s.pk, {}).get("last"),
            open_followups=followups.get(s.pk, {}).get("n", 0),
            overdue=followups.get(s.pk, {}).get("late", 0),
        )
        for s in sites
    ]


def union_names(orgs) -> dict[str, str]:
    """{organisation path: the name of the union above it} for many organisations in one query."""
    steplen = Organisation.steplen
    prefixes = {o.path[:n] for o in orgs for n in range(steplen, len(o.path) + 1, steplen)}
    unions = dict(Organisation.objects.filter(path__in=prefixes, kind=OrgKind.UNION).values_list("path", "name"))
    found = {}
    for o in orgs:
        names = [unions[o.path[:n]] for n in range(steplen, len(o.path) + 1, steplen) if o.path[:n] in unions]
        found[o.path] = names[-1] if names else ""
    return found


def nominations_visible(user) -> QuerySet[Nomination]:
    return Nomination.objects.visible_to(user).select_related("org", "batch")


def batch_counts(batch: Batch) -> dict[str, int]:
    """How many of a batch's nominations are in each state (all of them: for the office's page)."""
    counts = dict(batch.nominations.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in NominationStatus.values}


def groups_visible(user) -> QuerySet[GuidanceGroup]:
    return GuidanceGroup.objects.visible_to(user).select_related("leader").prefetch_related("members")


def my_sites(user) -> QuerySet[Site]:
    """The sites assigned to the guidance groups `user` belongs to."""
    return (
        Site.objects.filter(group__members=user)
        .exclude(status=SiteStatus.WITHDRAWN)
        .select_related("org", "batch", "group")
        .distinct()
    )


def may_manage(user) -> bool:
    """The office's administrators: batches, groups, assigning, accepting, withdrawing, locking ratings."""
    return is_office(user) and has_action(user, Action.ASSESS_MANAGE)


def may_decide(user) -> bool:
    """The office members who select, return or reject nominations."""
    return is_office(user) and has_action(user, Action.ACCEPT)


def may_reveal(user, site_or_nomination) -> bool:
    return can(user, Action.PII_VIEW, site_or_nomination.org)


def followups_overdue(queryset, today: dt.date | None = None):
    return queryset.filter(status=FollowUpStatus.OPEN, deadline__lt=today or deadlines.today())


def records_after(org, on: dt.date) -> list[tuple[str, dt.date]]:
    """The sites' records of `org`'s subtree dated on or after `on` (visits, open follow-ups due then): what
    closing `org` from `on` would leave behind (orgs.services.records_after)."""
    from django.utils.translation import gettext as _

    from sites.models import Visit

    found = []
    visits = Visit.objects.filter(within("site__org__path", [org.path]), visited_on__gte=on).aggregate(
        n=Count("id"), latest=Max("visited_on")
    )
    if visits["n"]:
        found.append((_("%(n)d 次示范点指导走访") % {"n": visits["n"]}, visits["latest"]))
    followups = FollowUp.objects.filter(
        within("owner__path", [org.path]), status=FollowUpStatus.OPEN, deadline__gte=on
    ).aggregate(n=Count("id"), latest=Max("deadline"))
    if followups["n"]:
        found.append((_("%(n)d 项未完成的示范点跟进事项") % {"n": followups["n"]}, followups["latest"]))
    return found
