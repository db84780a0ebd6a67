"""One measure for many organisations at once, each over its own subtree: what assessment scores read.

Assessment computes as the system (a round's participants were chosen by the office) and passes
`Scope.province()`; callers decide who may see the result. The figures equal
`answer(scope, Query(measure, org=<id>, level="self", periods=(period,)))` for each organisation —
the same aggregate rows (accepted data, the tree as it stood in the period), the same registered
sources rolled up the same way, and the same evaluation — read with one query per measure and period
instead of one per organisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from analytics import sources
from analytics.aggregates import TreeHistory
from analytics.engine.answers import _add, _Plan, _value_of
from analytics.engine.measures import _plan, _refs, element_meta, measure_for
from analytics.engine.scope import OutOfScope, Scope
from analytics.models import NodeAggregate
from reporting import periods

_CHUNK = 2000


def subtree_values(
    scope: Scope, measure_ref: str, period_code: str, org_ids: Iterable[int]
) -> dict[int, Decimal | None]:
    """{organisation id: the measure's value over its subtree for the period}, None where there is no data.

    Raises UserError for an unknown measure or period code, OutOfScope for an organisation outside `scope`.
    """
    scope = Scope.of(scope)
    measure = measure_for(measure_ref)
    refs = _refs(measure)
    meta = element_meta(r.element for r in refs)
    spec = periods.parse_code(period_code)
    subs = {(ref.element, spec.code): _plan(meta[ref.element], spec) for ref in refs if ref.element in meta}
    from reporting.models import Period

    codes = {s.code for v in subs.values() for s in v}
    period_ids = dict(Period.objects.filter(code__in=codes).values_list("code", "pk"))
    code_of = {pk: code for code, pk in period_ids.items()}
    plan = _Plan(
        query=None, measure=measure, root=None, history=None, meta=meta, specs=[spec], options=[("", "")],
        subs=subs, period_ids=period_ids, scope_paths=(),
    )  # fmt: skip
    ids = sorted(set(org_ids))
    if not scope.whole_province and ids:
        from orgs.models import Organisation

        paths = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "path"))
        outside = [pk for pk in ids if pk not in paths or not scope.covers(paths[pk])]
        if outside:
            raise OutOfScope(outside[0])
    sums: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    element_ids = [m.id for m in meta.values()]
    for start in range(0, len(ids), _CHUNK):
        rows = NodeAggregate.objects.filter(
            org_id__in=ids[start : start + _CHUNK], period_id__in=list(period_ids.values()), element_id__in=element_ids
        ).values_list("org_id", "period_id", "element_id", "option_combo_id", "total", "count")
        for org_id, period_id, element_id, combo_id, total, count in rows.order_by().iterator(chunk_size=5000):
            _add(sums[org_id][code_of[period_id]], (element_id, combo_id), total, count)
    _add_sources(meta, spec, set(ids), sums)
    found: dict[int, Decimal | None] = {}
    for org_id in ids:
        result = _value_of(plan, sums[org_id], spec, "") if org_id in sums else None
        found[org_id] = result[2] if result is not None else None
    return found


def _add_sources(meta: dict, spec: periods.PeriodSpec, ids: set[int], sums: dict) -> None:
    """The registered sources among `meta`, each organisation's figure added to every one of `ids` in its
    lineage as the tree stood at the end of the period."""
    history = None
    for item in meta.values():
        source = sources.get(item.code.partition(".")[2]) if item.id < 0 else None
        if source is None:
            continue
        for org_id, value in sources.values(source, spec).items():
            if history is None:
                history = TreeHistory(preload=True)
            if history.find(org_id) is None:
                continue
            for node in history.lineage(org_id, spec.end):
                if node in ids:
                    _add(sums[node][spec.code], (item.id, 0), value, 1)
