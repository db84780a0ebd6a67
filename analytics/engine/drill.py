"""Drill-through: the accepted reports and values behind one figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from analytics.engine.answers import Query, _resolve, _value_of
from analytics.engine.measures import _refs, format_value
from analytics.engine.scope import Scope
from analytics.models import AcceptedReport, RollupEdge


@dataclass(frozen=True)
class DrillRow:
    report_id: int
    org_id: int
    org_code: str
    org_name: str
    period: str
    period_label: str
    status: str
    accepted_at: dt.datetime | None
    values: dict[str, Decimal | None]
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    display: str
    source: str = ""  # "历史数据导入" for a report loaded from the office's past spreadsheets


@dataclass
class DrillThrough:
    measure: str
    label: str
    unit: str
    scope: str
    period: str
    period_label: str
    references: list[str]
    rows: list[DrillRow]
    history_reports: int = 0  # how many of the rows came from 历史数据导入


# --- Drill-through ---------------------------------------------------------------------------------------


def drill_through(
    scope: Scope,
    measure: str,
    org: int | None,
    period: str,
    *,
    own: bool = False,
    region: str | None = None,
    option: str = "",
) -> DrillThrough:
    """The accepted reports behind one figure (an organisation's subtree, or its own report with `own`;
    org None: the whole scope) and each one's values for the measure's references. With `region` only the
    reports located in that prefecture ("" = none recorded) are counted, as in the prefecture's row of the
    map or in an enterprise's row of a prefecture's view. Only reports within the scope are listed; a
    registered source's figures have no reports and are not listed. OutOfScope for an organisation
    outside the scope."""
    from reporting.models import DataValue, Report, ReportSource
    from reporting.models.history import HISTORY_LABEL

    scope = Scope.of(scope)
    plan = _resolve(scope, Query(measure=measure, org=org, periods=(period,), by_category=None))
    spec = plan.specs[0]
    stored_ids = [
        plan.period_ids[s.code] for s in {s for v in plan.subs.values() for s in v} if s.code in plan.period_ids
    ]
    accepted = AcceptedReport.objects.filter(period_id__in=stored_ids)
    if region is not None:
        accepted = accepted.filter(region=region)
    if own:
        accepted = accepted.filter(org_id=plan.root.id)
    elif plan.roots or plan.root.depth > 1:
        # The subtree as it stood in the period (the province's root holds every report: no filter needed).
        nodes = [r.id for r in plan.roots] or [plan.root.id]
        accepted = accepted.filter(
            pk__in=RollupEdge.objects.filter(node_id__in=nodes, period_id__in=stored_ids).values("accepted_id")
        )
    reports = list(
        scope.visible(Report.objects.all())
        .filter(pk__in=accepted.values("report_id"))
        .select_related("org", "period")
        .order_by("org__path", "period__start")[:2000]
    )
    refs = sorted({str(r): r for r in _refs(plan.measure)}.items())
    values: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for report_id, element_id, combo_id, number in DataValue.objects.filter(
        report__in=reports, element_id__in=[m.id for m in plan.meta.values()], number__isnull=False
    ).values_list("report_id", "element_id", "option_combo_id", "number"):
        values[report_id][(element_id, combo_id)] = number
    loaded = set(ReportSource.objects.filter(report__in=reports).values_list("report_id", flat=True))
    history_label = str(HISTORY_LABEL)
    rows = []
    for report in reports:
        cells = {k: (v, 1) for k, v in values[report.pk].items()}
        own_plan = replace(
            plan,
            subs={key: [s for s in subs if s.code == report.period.code] or subs for key, subs in plan.subs.items()},
        )
        result = _value_of(own_plan, {report.period.code: cells}, spec, option)
        numerator, denominator, value = result if result else (None, None, None)
        ref_values = {}
        for text, ref in refs:
            found = [
                cells[(plan.meta[ref.element].id, c)][0]
                for c in plan.cells(ref, option)
                if (plan.meta[ref.element].id, c) in cells
            ]
            ref_values[text] = sum(found, Decimal(0)) if found else None
        rows.append(
            DrillRow(
                report_id=report.pk,
                org_id=report.org_id,
                org_code=report.org.code,
                org_name=report.org.name,
                period=report.period.code,
                period_label=report.period.label,
                status=report.status,
                accepted_at=report.accepted_at,
                values=ref_values,
                numerator=numerator,
                denominator=denominator,
                value=value,
                display=format_value(value, plan.measure.unit, plan.measure.decimals),
                source=history_label if report.pk in loaded else "",
            )  # fmt: skip
        )
    return DrillThrough(
        measure=measure, label=plan.measure.label, unit=plan.measure.unit, scope=plan.measure.scope,
        period=spec.code, period_label=spec.label, references=[t for t, _r in refs], rows=rows,
        history_reports=sum(1 for r in rows if r.source),
    )  # fmt: skip
