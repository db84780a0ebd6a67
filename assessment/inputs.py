"""Gathering what a round is scored on: the framework as specs, and each participant's inputs from the
platform (accepted indicator values and targets, reporting facts, ratings, calibrations, recorded events).

`fingerprint()` hashes the framework version and every input in a canonical order: two computations
with the same fingerprint must give the same scores (assessment/tests/test_reproducibility.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from analytics.engine.batch import subtree_values
from analytics.engine.scope import Scope
from analytics.models import Indicator, IndicatorTarget
from assessment import facts
from assessment.choices import INDICATOR_KINDS, CriterionKind
from assessment.models import Calibration, Criterion, Entry, Framework, Participant, Rating, Round
from assessment.rules import Level, Rated
from assessment.scoring import CriterionSpec, DimensionSpec, FactValue, FrameworkSpec, OrgInputs
from orgs.scoping import in_subtree


def _decimal(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def framework_spec(framework: Framework) -> FrameworkSpec:
    """The framework's dimensions and criteria as plain, immutable specs."""
    dimensions = tuple(
        DimensionSpec(d.pk, d.code, d.name, d.points, d.sort_order)
        for d in framework.dimensions.order_by("sort_order", "id")
    )
    criteria = []
    ordered = Criterion.objects.filter(dimension__framework=framework).order_by(
        "dimension__sort_order", "dimension_id", "sort_order", "id"
    )
    for c in ordered.select_related("indicator"):
        indicator = c.indicator
        criteria.append(
            CriterionSpec(
                id=c.pk,
                code=c.code,
                name=c.name,
                dimension_id=c.dimension_id,
                kind=c.kind,
                points=c.points,
                indicator=indicator.code if indicator else "",
                indicator_label=indicator.name if indicator else "",
                higher_is_better=indicator.higher_is_better if indicator else True,
                is_rate=bool(indicator and indicator.denominator),
                unit=(
                    "%"
                    if indicator and indicator.denominator and indicator.factor == 100
                    else (indicator.unit if indicator else "")
                ),
                decimals=indicator.decimals if indicator else 2,
                target=c.target,
                floor=c.floor,
                cap=c.cap,
                curve=c.curve,
                bands=tuple(tuple(b) for b in c.bands),
                full_at=c.full_at,
                fact=c.fact,
                levels=tuple(
                    Level(lv["code"], lv["label"], Decimal(str(lv["share"])), lv.get("description", ""))
                    for lv in c.levels
                ),
                combine=c.combine,
                items=tuple(c.items),
                grade_cap=c.grade_cap,
                kinds=frozenset(c.kinds),
                ownerships=frozenset(c.ownerships),
                industries=frozenset(c.industries),
            )  # fmt: skip
        )
    return FrameworkSpec(
        id=framework.pk, year=framework.year, number=framework.number, total_points=framework.total_points,
        grade_method=framework.grade_method,
        thresholds={k: Decimal(str(v)) for k, v in framework.thresholds.items()},
        quotas={k: Decimal(str(v)) for k, v in framework.quotas.items()},
        dimensions=dimensions, criteria=tuple(criteria),
    )  # fmt: skip


def _targets(codes: set[str], year: int, participants: list[Participant]) -> dict[tuple[int, str], Decimal | None]:
    """The target each participant is held to: its own, else the nearest ancestor's, else the province's."""
    rows = list(
        IndicatorTarget.objects.filter(indicator__code__in=codes, year=year).values_list(
            "indicator__code", "org__path", "value"
        )
    )
    found: dict[tuple[int, str], Decimal | None] = {}
    for p in participants:
        for code in codes:
            best, depth = None, -1
            for indicator, path, value in rows:
                if indicator != code:
                    continue
                if path is None and depth < 0:
                    best, depth = value, 0
                elif path is not None and in_subtree(p.org, path) and len(path) > depth:
                    best, depth = value, len(path)
            found[(p.pk, code)] = best
    return found


def _own_reports(spec: FrameworkSpec, year: int, participants: list[Participant]) -> dict[int, dict[str, tuple]]:
    """For each participant and indicator criterion: the organisation's own reports of the year in the yearly
    data sets the indicator reads, as (data set, period, status, report id), or status "" and no id when not
    started. What the score card says when a figure is missing; a fixed number of queries."""
    from reporting import expressions
    from reporting.choices import PeriodType
    from reporting.models import Report, SectionElement

    codes = {c.indicator for c in spec.criteria if c.kind in INDICATOR_KINDS and c.indicator}
    if not codes or not participants:
        return {}
    elements: dict[str, set[str]] = {}
    for indicator in Indicator.objects.filter(code__in=codes):
        refs = []
        for text in (indicator.numerator, indicator.denominator):
            try:
                refs += expressions.references(expressions.parse(text)) if text else []
            except expressions.ExpressionError:
                continue
        elements[indicator.code] = {r.element for r in refs}
    datasets: dict[str, dict[int, str]] = defaultdict(dict)  # element code → {data set id: name}
    for code, dataset_id, name in (
        SectionElement.objects.filter(
            element__code__in=set().union(*elements.values()),
            dataset_version__published_at__isnull=False,
            dataset_version__dataset__period_type=PeriodType.YEAR,
        )
        .values_list("element__code", "dataset_version__dataset_id", "dataset_version__dataset__name")
        .distinct()
    ):
        datasets[code][dataset_id] = name
    read: dict[str, dict[int, str]] = {
        indicator: {k: v for code in codes_ for k, v in datasets[code].items()}
        for indicator, codes_ in elements.items()
    }
    dataset_ids = {k for names in read.values() for k in names}
    found = {
        (r["org_id"], r["dataset_id"]): (r["status"], r["id"])
        for r in Report.objects.filter(
            dataset_id__in=dataset_ids, period__code=str(year), org_id__in=[p.org_id for p in participants]
        ).values("id", "org_id", "dataset_id", "status")
    }
    period = _("%(year)d年度") % {"year": year}
    result: dict[int, dict[str, tuple]] = {}
    for p in participants:
        result[p.pk] = {
            indicator: tuple(
                (name, period, *found.get((p.org_id, dataset_id), ("", None)))
                for dataset_id, name in sorted(names.items())
            )
            for indicator, names in read.items()
            if names
        }
    return result


def round_inputs(round_: Round, spec: FrameworkSpec | None = None) -> tuple[FrameworkSpec, list[OrgInputs]]:
    """The framework specs and every participant's inputs, read in a fixed number of queries per criterion."""
    spec = spec or framework_spec(round_.framework)
    year = spec.year
    participants = list(round_.participants.select_related("org").order_by("pk"))
    org_ids = [p.org_id for p in participants]
    indicator_codes = {c.indicator for c in spec.criteria if c.kind in INDICATOR_KINDS and c.indicator}
    everywhere = Scope.province()  # the office chose the participants; the round is computed as the system
    values: dict[str, dict[int, Decimal | None]] = {}
    last: dict[str, dict[int, Decimal | None]] = {}
    for code in sorted(indicator_codes):
        values[code] = subtree_values(everywhere, f"indicator:{code}", str(year), org_ids)
        if any(c.indicator == code and c.kind == CriterionKind.INDICATOR_IMPROVEMENT for c in spec.criteria):
            last[code] = subtree_values(everywhere, f"indicator:{code}", str(year - 1), org_ids)
    target_codes = {c.indicator for c in spec.criteria if c.kind == CriterionKind.INDICATOR_TARGET and c.target is None}
    targets = _targets(target_codes, year, participants)
    fact_keys = {c.fact for c in spec.criteria if c.fact}
    fact_keys |= {item["fact"] for c in spec.criteria for item in c.items if item.get("fact")}
    found_facts = facts.gather(fact_keys, year, [(p.org_id, p.org.path) for p in participants])

    ratings: dict[int, dict[int, list[Rated]]] = defaultdict(lambda: defaultdict(list))
    for r in Rating.objects.filter(participant__round=round_).select_related("rater").order_by("pk"):
        name = r.rater.full_name or r.rater.get_username()  # get_full_name() reads the unused first/last names
        ratings[r.participant_id][r.criterion_id].append(Rated(name, r.level, r.comment, r.evidence))
    calibrations: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    for c in Calibration.objects.filter(participant__round=round_):
        calibrations[c.participant_id][c.criterion_id] = (c.level, c.reason)
    entries: dict[int, dict[int, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for e in Entry.objects.filter(participant__round=round_).order_by("pk"):
        entries[e.participant_id][e.criterion_id].append((e.item, e.note))

    reports = _own_reports(spec, year, participants)

    result = []
    for p in participants:
        org = p.org
        result.append(
            OrgInputs(
                participant_id=p.pk,
                org_id=org.pk,
                code=org.code,
                name=org.name,
                kind=org.kind,
                ownership=org.ownership,
                industry=org.industry,
                peer_key=p.peer_key,
                values={code: values[code][org.pk] for code in values},
                last={code: last[code][org.pk] for code in last},
                targets={code: targets.get((p.pk, code)) for code in target_codes},
                facts=found_facts.get(org.pk, {}),
                ratings=dict(ratings[p.pk]),
                calibrations=calibrations[p.pk],
                entries=dict(entries[p.pk]),
                reports=reports.get(p.pk, {}),
            )  # fmt: skip
        )
    return spec, result


def _canonical(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | frozenset | set):
        items = [_canonical(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, frozenset | set) else items
    if hasattr(value, "__dataclass_fields__"):
        # A fact's sentence is in the reader's language; its share and count are what is scored.
        # The reports' states only explain a missing figure on the card.
        skip = {"text"} if isinstance(value, FactValue) else {"reports"} if isinstance(value, OrgInputs) else set()
        return {k: _canonical(getattr(value, k)) for k in value.__dataclass_fields__ if k not in skip}
    return value


def fingerprint(spec: FrameworkSpec, orgs: list[OrgInputs]) -> str:
    """SHA-256 of the framework specs and the inputs, in a canonical order (excluding display texts' language)."""
    payload = {
        "framework": _canonical(spec),
        "orgs": [_canonical(o) for o in sorted(orgs, key=lambda o: o.participant_id)],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
