"""Who must report a data set, who reviews it, whom to contact, and what an organisation leaves behind."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from core.batch import shared
from orgs.choices import OrgKind, Role
from orgs.models import Organisation
from orgs.scoping import in_subtree, within
from reporting.models import DataSet, Period, Report

# --- Who reports, and who reviews ---------------------------------------------------------------


def reviewing_union(org: Organisation) -> Organisation | None:
    """The nearest industry/system/company union above `org` (today's tree), or None: then the office reviews."""
    ancestors = [org.path[:i] for i in range(Organisation.steplen, len(org.path), Organisation.steplen)]
    return Organisation.objects.filter(path__in=ancestors, kind=OrgKind.UNION).order_by("-depth").first()


def _assigned_filter(dataset: DataSet) -> Q:
    condition = Q()
    if dataset.assigned_kinds:
        condition &= Q(kind__in=dataset.assigned_kinds)
    assignments = shared(  # once per set write (core.batch)
        f"reporting.assignments.{dataset.pk}", lambda: list(dataset.assignments.select_related("org"))
    )
    if assignments:
        where = Q()
        for a in assignments:
            where |= within("path", [a.org]) if a.include_descendants else Q(pk=a.org_id)
        condition &= where
    return condition


def orgs_due(dataset: DataSet, period: Period) -> QuerySet[Organisation]:
    """The organisations that must report `dataset` for `period`: assigned, and open on its last day."""
    return (
        Organisation.objects.filter(_assigned_filter(dataset))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .order_by("path")
    )


def must_report(dataset: DataSet, org: Organisation, period: Period) -> bool:
    return orgs_due(dataset, period).filter(pk=org.pk).exists()


# --- Contacts and the unions above -------------------------------------------------------------------------


CONTACT_ROLES = (Role.REPORTER, Role.LIAISON)


def org_contacts(org_ids: Iterable[int], roles: Iterable[str] = CONTACT_ROLES) -> dict[int, list]:
    """The active people holding `roles` (default: reporters, then liaisons) at each organisation, in one query."""
    from orgs.models import Membership

    roles = list(roles)
    contacts: dict[int, list] = defaultdict(list)
    memberships = (
        Membership.objects.filter(org_id__in=list(org_ids), role__in=roles, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("org_id", "user__full_name", "user__username")
    )
    for membership in sorted(memberships, key=lambda m: (m.org_id, roles.index(m.role))):
        contacts[membership.org_id].append(membership)
    return contacts


def unions_above(orgs: Iterable[Organisation]) -> dict[int, Organisation | None]:
    """The nearest union above each organisation in today's tree (as `reviewing_union`), in one query."""
    orgs = list(orgs)
    prefixes = {org.path[:i] for org in orgs for i in range(Organisation.steplen, len(org.path), Organisation.steplen)}
    unions = {u.path: u for u in Organisation.objects.filter(path__in=prefixes, kind=OrgKind.UNION)}
    result: dict[int, Organisation | None] = {}
    for org in orgs:
        result[org.pk] = next(
            (
                unions[org.path[:i]]
                for i in range(len(org.path) - Organisation.steplen, 0, -Organisation.steplen)
                if org.path[:i] in unions
            ),
            None,
        )
    return result


def _union_paths() -> list[str]:
    return list(Organisation.objects.filter(kind=OrgKind.UNION).values_list("path", flat=True))


def has_union_above(org: Organisation, union_paths: Iterable[str]) -> bool:
    """Whether an industry/system/company union lies above `org` (given every union's path)."""
    return any(in_subtree(org, p, strict=True) for p in union_paths)


# --- Records an organisation leaves behind ------------------------------------------------------------------


def reports_after(org: Organisation, on: dt.date) -> list[tuple[str, dt.date]]:
    """Reports with values of `org`'s subtree for periods starting on or after `on`, as (label, latest
    period end): what closing `org` from `on` would leave behind (orgs.services.records_after)."""
    found = Report.objects.filter(
        within("org__path", [org.path]), period__start__gte=on, values__isnull=False
    ).aggregate(reports=Count("id", distinct=True), latest=Max("period__end"))
    if not found["reports"]:
        return []
    return [(_("%(n)d 份统计报表") % {"n": found["reports"]}, found["latest"])]
