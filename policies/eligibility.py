"""Policies that find the enterprise (政策找企业): which organisations each measure is for, from what the platform
knows about them (policies.rules over the tree and the accepted reports), and which of them already use it.

    population()                      the organisations measures can be for (open enterprises and units)
    measures_in_force(day)            published measures valid on `day`
    facts_for(orgs, fields)           each organisation's facts the rules read (figures through the engine)
    verdicts(measures, orgs)          {(measure id, org id): Verdict}
    used_by(org_ids)                  {org id: {measure id: latest year reported as used}}
    policy_orgs(user)                 the organisations a user answers for on "我可以享受的政策"
    for_org(org)                      that organisation's eligible-and-unused, eligible-and-used measures
    measure_orgs(measure)             the office's view of one measure: every organisation's verdict

Figures (employees, training spend, certified workers …) are read with analytics.engine.batch.subtree_values
from the latest year with accepted yearly reports (analytics.engine.dashboard.current_year), for the whole
province (the caller decides who may see what): no SQL over the reported values here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from core import deadlines
from orgs.choices import Role
from orgs.models import Membership, Organisation
from orgs.scoping import in_subtree
from policies.choices import Eligibility, MeasureStatus, UptakeStatus
from policies.models import Measure, UptakeLine
from policies.rules import FIELDS, FIGURE_FIELDS, POPULATION_KINDS, Verdict, evaluate

ENTERPRISE_ROLES = (Role.REPORTER, Role.UNION_ADMIN, Role.INFO_OFFICER)


def population() -> list[Organisation]:
    """Open enterprises and units, in tree order."""
    return list(Organisation.objects.filter(kind__in=POPULATION_KINDS, closed_on__isnull=True).order_by("path"))


def measures_in_force(day: dt.date | None = None):
    """Published measures valid on `day` (today, Beijing time, by default), with their rules."""
    day = day or deadlines.today()
    return (
        Measure.objects.filter(status=MeasureStatus.PUBLISHED, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .prefetch_related("rules")
    )


def figures_year() -> str:
    """The year whose accepted yearly reports the figure rules read."""
    from analytics.engine.dashboard import current_year

    return current_year()


def facts_for(orgs: Iterable[Organisation], fields: Iterable[str] | None = None, *, year: str | None = None) -> dict:
    """{org id: {field: value}} for `fields` (all by default); a figure not reported is None."""
    orgs = list(orgs)
    wanted = set(fields if fields is not None else FIELDS)
    facts: dict[int, dict] = {
        o.pk: {"kind": o.kind, "ownership": o.ownership, "industry": o.industry, "region": o.region_id or ""}
        for o in orgs
    }
    figures = [f for f in FIGURE_FIELDS if f in wanted]
    if figures and orgs:
        from analytics.engine.batch import subtree_values
        from analytics.engine.scope import Scope

        year = year or figures_year()
        province = Scope.province()
        ids = [o.pk for o in orgs]
        for key in figures:
            values = subtree_values(province, f"element:{FIELDS[key].element}", year, ids)
            for org_id in ids:
                facts[org_id][key] = values.get(org_id)
    return facts


def _rules_of(measure: Measure) -> list[tuple[str, str, str]]:
    return [(r.field, r.operator, r.value) for r in measure.rules.all()]


def verdicts(measures: Iterable[Measure], orgs: Iterable[Organisation]) -> dict[tuple[int, int], Verdict]:
    """Every measure's verdict on every organisation (figures read once per field used by any rule)."""
    measures, orgs = list(measures), list(orgs)
    fields = {r.field for m in measures for r in m.rules.all()}
    facts = facts_for(orgs, fields)
    return {(m.pk, o.pk): evaluate(_rules_of(m), facts[o.pk]) for m in measures for o in orgs}


def used_by(org_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """{org id: {measure id: the latest year it reported using the measure}} from submitted uptake forms."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    rows = UptakeLine.objects.filter(
        report__org_id__in=list(org_ids), report__status=UptakeStatus.SUBMITTED, used=True
    ).values_list("report__org_id", "measure_id", "report__round__year")
    for org_id, measure_id, year in rows:
        found[org_id][measure_id] = max(year, found[org_id].get(measure_id, 0))
    return found


def policy_orgs(user) -> list[Organisation]:
    """The organisations `user` answers for: where they are reporter or information officer, and for a union
    administrator the enterprises and units of the union (or the organisation itself when it is one)."""
    mine: dict[int, Organisation] = {}
    unions = []
    if not getattr(user, "is_authenticated", False):
        return []
    memberships = Membership.objects.filter(
        user=user, is_active=True, role__in=ENTERPRISE_ROLES, org__closed_on__isnull=True
    ).select_related("org")
    for membership in memberships:
        if membership.org.kind in POPULATION_KINDS:
            mine[membership.org_id] = membership.org
        elif membership.role == Role.UNION_ADMIN:
            unions.append(membership.org)
    if unions:
        for org in population():
            if any(in_subtree(org, union) for union in unions):
                mine.setdefault(org.pk, org)
    return sorted(mine.values(), key=lambda o: o.path)


@dataclass
class OrgPolicies:
    """What one organisation may enjoy: eligible measures not yet used (with how to apply), and those used."""

    org: Organisation
    open: list[Measure] = field(default_factory=list)
    used: list[tuple[Measure, int]] = field(default_factory=list)
    no_data: list[tuple[Measure, Verdict]] = field(default_factory=list)


def for_org(org: Organisation, *, day: dt.date | None = None) -> OrgPolicies:
    """The published, valid measures `org` is eligible for, split into not used and used."""
    measures = list(measures_in_force(day))
    found = verdicts(measures, [org])
    used = used_by([org.pk]).get(org.pk, {})
    result = OrgPolicies(org=org)
    for measure in measures:
        verdict = found[(measure.pk, org.pk)]
        if verdict.eligible:
            if measure.pk in used:
                result.used.append((measure, used[measure.pk]))
            else:
                result.open.append(measure)
        elif verdict.outcome == Eligibility.NO_DATA:
            result.no_data.append((measure, verdict))
    result.open.sort(key=lambda m: (m.apply_deadline is None, m.apply_deadline or dt.date.max, m.title))
    return result


@dataclass
class MeasureOrgRow:
    org: Organisation
    verdict: Verdict
    used_year: int | None


@dataclass
class MeasureOrgs:
    """One measure against the whole population: eligible (and which of them use it), and 无数据."""

    eligible: list[MeasureOrgRow]
    no_data: list[MeasureOrgRow]
    not_eligible: int

    @property
    def eligible_unused(self) -> list[MeasureOrgRow]:
        return [row for row in self.eligible if row.used_year is None]


def measure_orgs(measure: Measure, orgs: list[Organisation] | None = None) -> MeasureOrgs:
    """Every organisation of the population (or of `orgs`) and its verdict on `measure`."""
    orgs = population() if orgs is None else orgs
    found = verdicts([measure], orgs)
    used = used_by([o.pk for o in orgs])
    eligible, no_data, not_eligible = [], [], 0
    for org in orgs:
        verdict = found[(measure.pk, org.pk)]
        row = MeasureOrgRow(org, verdict, used.get(org.pk, {}).get(measure.pk))
        if verdict.eligible:
            eligible.append(row)
        elif verdict.outcome == Eligibility.NO_DATA:
            no_data.append(row)
        else:
            not_eligible += 1
    return MeasureOrgs(eligible=eligible, no_data=no_data, not_eligible=not_eligible)
