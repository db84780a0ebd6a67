"""Coverage: how many of the reports due for a figure's group and period are accepted (已验收 x/y 家).

A figure over a round still being accepted (20.17万 workers in a quarter where a fifth of the reports are
in) must say so next to the number. For each period of an answer the data sets that ask the measure's
elements at that period's length are found; the organisations due (reporting.queries.orgs_due: assigned
and open on the period's last day) and those with an accepted report are each placed in the group their
figures roll up to (the tree as it stood in the period, or today's when restated; the prefecture of the
reporting organisation), exactly as `_raw_group` files their values. A period rolled up from shorter ones
(a year of quarterly elements) and a measure made only of registered sources have no coverage (None).

The organisations due and placed are kept on the answer's TreeHistory, so the dashboard's many measures
over the same periods ask the database once per period.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import TYPE_CHECKING

from analytics.aggregates import ACCEPTED_STATUSES, prefecture_of
from analytics.choices import Level

if TYPE_CHECKING:
    from analytics.engine.answers import _Plan

Coverage = dict[tuple[str, str], tuple[int, int]]  # (group, period code) -> (accepted, due)


def _datasets(plan: _Plan) -> dict[str, tuple]:
    """{period type: the published data sets of that type asking any of the measure's elements}, from the
    per-process metadata cache where the answer has one (the data sets are among its fingerprinted tables)."""
    # The dashboard's plans share one metadata map over every tile's elements (one lookup for them all); a
    # measure made only of sources (platform records) depends on no report at all.
    from analytics.engine.measures import _refs

    if all(plan.meta[ref.element].id < 0 for ref in _refs(plan.measure) if ref.element in plan.meta):
        return {}
    element_ids = tuple(sorted(m.id for m in plan.meta.values() if m.id > 0))
    if not element_ids:
        return {}
    if plan.metadata is not None:
        return plan.metadata.remember(("coverage-datasets", element_ids), lambda: _load_datasets(element_ids))
    memo = plan.history.coverage_memo
    if ("datasets", element_ids) not in memo:
        memo[("datasets", element_ids)] = _load_datasets(element_ids)
    return memo[("datasets", element_ids)]


def _load_datasets(element_ids: tuple[int, ...]) -> dict[str, tuple]:
    from reporting.models import DataSet

    found: dict[str, list] = defaultdict(list)
    asking = DataSet.objects.filter(
        versions__published_at__isnull=False, versions__section_elements__element_id__in=element_ids
    ).distinct()
    for dataset in asking.order_by("pk"):
        found[dataset.period_type].append(dataset)
    return {kind: tuple(datasets) for kind, datasets in found.items()}


def _members(plan: _Plan, datasets: tuple, spec) -> list[tuple[int, str, str, bool]]:
    """(organisation id, region code, path, accepted?) of every organisation due for `spec` (or with an
    accepted report anyway): one query for the assignments of each data set and one for the organisations."""
    memo = plan.history.coverage_memo
    key = (tuple(d.pk for d in datasets), spec.code)
    if key in memo:
        return memo[key]
    from django.db.models import Exists, OuterRef

    from orgs.models import Organisation
    from reporting import queries
    from reporting.models import Report

    accepted = Report.objects.filter(
        dataset__in=[d.pk for d in datasets], period__code=spec.code, status__in=ACCEPTED_STATUSES
    )
    stand_in = SimpleNamespace(end=spec.end)  # orgs_due reads the period's last day only
    members = Organisation.objects.filter(pk__in=accepted.values("org_id"))
    for dataset in datasets:
        members = members | queries.orgs_due(dataset, stand_in)
    rows = (
        members.order_by()
        .annotate(accepted=Exists(accepted.filter(org_id=OuterRef("pk"))))
        .values_list("pk", "region_id", "path", "accepted")
    )
    found = [(pk, region or "", path, bool(is_accepted)) for pk, region, path, is_accepted in rows]
    memo[key] = found
    return found


def _by_path(plan: _Plan) -> bool:
    """Whether groups follow from a member's path and region alone (no lineage): the province's top answered
    as one row or by prefecture, whose subtree is the same in every period's tree."""
    return not plan.roots and plan.root.depth == 1 and plan.query.level in (Level.SELF, Level.PREFECTURE)


def coverage(plan: _Plan) -> Coverage:
    """(accepted, due) for each group of the answer of `plan` and its total, per period; periods without a
    data set asking the measure at their length are left out."""
    from analytics.engine.answers import _raw_group

    types = _datasets(plan)
    q = plan.query
    result: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for spec in plan.specs:
        datasets = types.get(spec.period_type)
        if not datasets:
            continue
        members = _members(plan, datasets, spec)
        if not members:
            continue
        result[("total", spec.code)]  # a period with nothing due still has its total: 0/0
        by_path = _by_path(plan)
        if not by_path:
            plan.history.load_all()
        for org_id, region, path, accepted in members:
            if q.region is not None and prefecture_of(region) != q.region:
                continue
            if by_path:
                if not path.startswith(plan.root.path):
                    continue
                group = f"region:{prefecture_of(region)}" if q.level == Level.PREFECTURE else f"org:{plan.root.id}"
            else:
                info = plan.history.find(org_id)
                if info is None:
                    continue
                lineage = plan.history.today_lineage(org_id) if q.restate else plan.history.lineage(org_id, spec.end)
                group = _raw_group(plan, lineage, info)
                if group is None:
                    continue
                if group.startswith("org:") and not plan.visible(int(group[4:])):
                    group = "other"
            for key in {(group, spec.code), ("total", spec.code)}:
                result[key][1] += 1
                result[key][0] += 1 if accepted else 0
    return {key: (accepted, due) for key, (accepted, due) in result.items()}
