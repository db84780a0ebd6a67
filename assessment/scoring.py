"""Scoring a round: the framework (as plain specs) and the gathered inputs in, every participant's points,
totals, grade and ranks out. Pure: no database, so the same specs and inputs always give the same
scores, and tests build both by hand.

How totals are formed (also printed on the round and score-card pages, `NORMALISATION_TEXT`):
1. each criterion's points come from its rule (assessment.rules);
2. each dimension is scaled to its own points: applicable criteria's points ÷ their full points ×
   the dimension's points — so an organisation to which a criterion does not apply is neither helped
   nor harmed by its absence, and peers with different applicable sets stay comparable;
3. the dimensions add up to the base score; when a whole dimension has no applicable criterion, the
   base score is scaled to the framework's full points over the dimensions that apply;
4. bonus points are added and deductions subtracted after scaling (never below 0);
5. the grade comes from thresholds or quotas; a veto caps it; ranks are 1, 2, 2, 4 ….
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop

from assessment import rules
from assessment.choices import GRADE_ORDER, CriterionKind, GradeMethod
from assessment.rules import ZERO, Event, Level, Rated, Scored, q2
from core.i18n import gettext as _  # translated once per scoring run (core/i18n.py)
from core.i18n import one_language

NORMALISATION_TEXT = gettext_noop(
    "各单位适用的考核指标不尽相同（有的只适用于某类企业、某个行业或某种所有制）。为使同类单位可比，"
    "每个维度按“适用指标得分 ÷ 适用指标满分 × 维度分值”折算；某个维度对该单位没有适用指标时，"
    "基本得分按其余维度折算为满分制。加分、扣分在折算后计入，总分不低于 0 分。"
)


@dataclass(frozen=True)
class DimensionSpec:
    id: int
    code: str
    name: str
    points: Decimal
    sort_order: int = 0


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion with everything its rule reads; `indicator` is an indicator code."""

    id: int
    code: str
    name: str
    dimension_id: int
    kind: str
    points: Decimal
    indicator: str = ""
    indicator_label: str = ""
    higher_is_better: bool = True
    is_rate: bool = False
    unit: str = ""
    decimals: int = 2
    target: Decimal | None = None
    floor: Decimal = Decimal("0.6")
    cap: Decimal = Decimal(1)
    curve: str = "linear"
    bands: tuple = ()
    full_at: Decimal | None = None
    fact: str = ""
    levels: tuple[Level, ...] = ()
    combine: str = "mean"
    items: tuple[dict, ...] = ()
    grade_cap: str = ""
    kinds: frozenset = frozenset()
    ownerships: frozenset = frozenset()
    industries: frozenset = frozenset()

    def applies_to(self, org: OrgInputs) -> bool:
        return (
            (not self.kinds or org.kind in self.kinds)
            and (not self.ownerships or org.ownership in self.ownerships)
            and (not self.industries or org.industry in self.industries)
        )


@dataclass(frozen=True)
class FrameworkSpec:
    id: int
    year: int
    number: int
    total_points: Decimal
    grade_method: str
    thresholds: dict[str, Decimal]
    quotas: dict[str, Decimal]
    dimensions: tuple[DimensionSpec, ...]
    criteria: tuple[CriterionSpec, ...]


@dataclass(frozen=True)
class FactValue:
    """What a fact provider says of one organisation: a share of the points (None: does not apply), how many
    events (for deductions and bonuses counted per event), and a sentence for the score card."""

    share: Decimal | None
    text: str
    count: int = 0


@dataclass
class OrgInputs:
    """Everything scoring reads about one participant."""

    participant_id: int
    org_id: int
    code: str
    name: str
    kind: str = ""
    ownership: str = ""
    industry: str = ""
    peer_key: str = ""
    values: dict[str, Decimal | None] = field(default_factory=dict)  # indicator code → this year's value
    last: dict[str, Decimal | None] = field(default_factory=dict)  # … → last year's
    targets: dict[str, Decimal | None] = field(default_factory=dict)  # … → the target that applies
    facts: dict[str, FactValue] = field(default_factory=dict)
    ratings: dict[int, list[Rated]] = field(default_factory=dict)  # criterion id → ratings
    calibrations: dict[int, tuple[str, str]] = field(default_factory=dict)  # criterion id → (level, reason)
    entries: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # criterion id → [(item, note)]
    # indicator code → the organisation's own yearly reports it reads: (data set, period, status or "", report
    # id or None); said on the card when a figure is missing. Not an input of the score (not fingerprinted).
    reports: dict[str, tuple[tuple[str, str, str, int | None], ...]] = field(default_factory=dict)


@dataclass
class CriterionScore:
    criterion_id: int
    dimension_id: int
    kind: str
    applicable: bool
    points: Decimal
    max_points: Decimal
    detail: dict
    unresolved: bool = False


@dataclass
class ParticipantScore:
    participant_id: int
    criteria: list[CriterionScore]
    dimensions: dict[int, tuple[Decimal, Decimal, Decimal]]  # id → (raw, applicable full points, scaled)
    raw: Decimal
    max_points: Decimal
    normalised: Decimal
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    vetoed: bool
    veto_cap: str
    unresolved: int
    weakest_id: int | None
    grade: str = ""
    grade_before_cap: str = ""
    rank: int = 0
    group_rank: int = 0
    group_size: int = 0


def _rounded(value: Decimal | None, spec: CriterionSpec) -> Decimal | None:
    """An indicator value as the score card shows it (its indicator's decimals, half-up): the value scored,
    so the printed arithmetic is the arithmetic done (rules.ROUNDING_TEXT)."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-spec.decimals), rounding=ROUND_HALF_UP)


def _display(value: Decimal | None, spec: CriterionSpec) -> str:
    if value is None:
        return "—"
    return rules.plain(value, spec.decimals) + (spec.unit or "")


def _display_target(value: Decimal | None, spec: CriterionSpec) -> str:
    """A target as set: the indicator's decimals, more when the office typed more (it is not rounded)."""
    if value is None:
        return "—"
    places = max(spec.decimals, -value.normalize().as_tuple().exponent)
    return rules.plain(value, places) + (spec.unit or "")


def _events(spec: CriterionSpec, org: OrgInputs) -> list[Event]:
    """Bonus or deduction events: the office's entries (by item) and the counted facts of items that name one."""
    items = {item["code"]: item for item in spec.items}
    events = []
    for item_code, note in org.entries.get(spec.id, []):
        item = items.get(item_code)
        if item is not None:
            events.append(Event(item_code, item["label"], Decimal(str(item["points"])), note))
    for item in spec.items:
        fact = item.get("fact")
        if fact and fact in org.facts:
            found = org.facts[fact]
            events.extend(
                Event(item["code"], item["label"], Decimal(str(item["points"])), found.text)
                for _i in range(found.count)
            )
    return events


def _missing(spec: CriterionSpec, org: OrgInputs) -> tuple[str, dict | None]:
    """Why an indicator has no figure for the organisation, in words: its reports' state for the year (not
    started, draft, submitted, returned, accepted …), and the report to link to (the first not accepted)."""
    from reporting.choices import ReportStatus

    reports = org.reports.get(spec.indicator, ())
    if not reports:
        return "", None
    parts, links = [], []
    for dataset, period, status, report_id in reports:
        state = str(ReportStatus(status).label) if status in _choice_values(ReportStatus) else _("尚未开始填报")
        parts.append(_("%(period)s“%(dataset)s”：%(state)s") % {"period": period, "dataset": dataset, "state": state})
        if report_id is not None:
            links.append({"id": report_id, "status": status, "label": state})
    # The report to open: the first still in the enterprise's hands or the reviewers', else the first there is.
    link = next((x for x in links if x["status"] not in ("accepted", "locked")), links[0] if links else None)
    text = _("本年度没有已验收的数据，不得分（本单位%(reports)s）。") % {"reports": "；".join(parts)}
    return text, link


def _with_missing(scored: Scored, spec: CriterionSpec, org: OrgInputs, value) -> Scored:
    """A missing figure's explanation with the report's state (and which report), when there is one."""
    if value is not None or scored.unresolved or not scored.applicable:
        return scored
    text, link = _missing(spec, org)
    if not text:
        return scored
    detail = {**scored.detail, "text": text}
    if link is not None:
        detail["report"] = link
    return Scored(scored.points, detail, scored.applicable, scored.unresolved)


def _change_unit(spec: CriterionSpec) -> str:
    """The unit a ratio's change is measured in: percentage points for a percentage, else the ratio's own unit
    (training hours per worker improve by 学时, not by percentage points)."""
    return _("个百分点") if spec.unit == "%" else spec.unit


def score_criterion(spec: CriterionSpec, org: OrgInputs, peers: dict[int, list[Decimal]]) -> Scored:
    """The points of one criterion for one organisation (`peers`: criterion id → values of its peers)."""
    kind = spec.kind
    if kind == CriterionKind.INDICATOR_TARGET:
        # The criterion's own target, else the indicator's target for the organisation (own, above, province).
        target = spec.target if spec.target is not None else org.targets.get(spec.indicator)
        value = _rounded(org.values.get(spec.indicator), spec)
        scored = rules.score_target(
            points=spec.points, value=value, target=target, higher_is_better=spec.higher_is_better,
            curve=spec.curve, floor=spec.floor, cap=spec.cap, bands=spec.bands,
            value_display=_display(value, spec), target_display=_display_target(target, spec),
        )  # fmt: skip
        return _with_missing(scored, spec, org, value)
    if kind == CriterionKind.INDICATOR_RANK:
        value = _rounded(org.values.get(spec.indicator), spec)
        scored = rules.score_rank(
            points=spec.points, value=value, peers=peers.get(spec.id, []), higher_is_better=spec.higher_is_better,
            curve=spec.curve, floor=spec.floor, cap=spec.cap, bands=spec.bands,
            value_display=_display(value, spec), group_label=_("本轮适用该指标的单位"),
        )  # fmt: skip
        return _with_missing(scored, spec, org, value)
    if kind == CriterionKind.INDICATOR_IMPROVEMENT:
        value, last = _rounded(org.values.get(spec.indicator), spec), _rounded(org.last.get(spec.indicator), spec)
        scored = rules.score_improvement(
            points=spec.points, value=value, last=last, full_at=spec.full_at, is_rate=spec.is_rate,
            higher_is_better=spec.higher_is_better, value_display=_display(value, spec),
            last_display=_display(last, spec), change_unit=_change_unit(spec),
        )  # fmt: skip
        return _with_missing(scored, spec, org, value)
    if kind == CriterionKind.FACT:
        found = org.facts.get(spec.fact)
        if found is None:
            return Scored(ZERO, {"text": _("该事实的数据来源尚未接入。")}, applicable=False)
        return rules.score_fact(
            points=spec.points, share=found.share, text=found.text, rule=_("达到得满分，未达到不得分")
        )
    if kind == CriterionKind.QUALITATIVE:
        calibrated = org.calibrations.get(spec.id)
        if calibrated is not None and calibrated[0] not in {lv.code for lv in spec.levels}:
            calibrated = None
        return rules.score_qualitative(
            points=spec.points, levels=list(spec.levels), ratings=org.ratings.get(spec.id, []), rule=spec.combine,
            calibrated=calibrated,
        )  # fmt: skip
    if kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION):
        return rules.score_capped_sum(
            cap=spec.points, events=_events(spec, org), deduction=kind == CriterionKind.DEDUCTION
        )
    if kind == CriterionKind.VETO:
        # Each veto event as its own row (the office's entries, then the platform fact), for the API and exports.
        events = [{"source": "entry", "note": note} for _item, note in org.entries.get(spec.id, [])]
        fact = org.facts.get(spec.fact) if spec.fact else None
        if fact is not None and fact.share:
            events.append({"source": "fact", "note": fact.text})
        vetoed = bool(events)
        notes = "；".join(e["note"] for e in events)
        text = (_("发生否决事项：%(events)s") % {"events": notes}) if vetoed else _("未发生否决事项。")
        return Scored(
            ZERO,
            {
                "vetoed": vetoed,
                "veto_events": events,
                "grade_cap": spec.grade_cap,
                "text": text,
                "rule": _("发生即最高评为“%(grade)s”") % {"grade": _grade_label(spec.grade_cap)},
            },
        )
    raise ValueError(kind)


@functools.cache
def _choice_values(choices) -> frozenset[str]:
    """A choices class's values as a set, made once (`.values` builds a new list on every use)."""
    return frozenset(choices.values)


def _grade_label(grade: str) -> str:
    from assessment.choices import Grade

    return str(Grade(grade).label) if grade in _choice_values(Grade) else grade


def _peer_values(framework: FrameworkSpec, orgs: list[OrgInputs]) -> dict[int, list[Decimal]]:
    peers: dict[int, list[Decimal]] = {}
    for spec in framework.criteria:
        if spec.kind == CriterionKind.INDICATOR_RANK:
            peers[spec.id] = rules.SortedPeers(
                sorted(
                    _rounded(o.values[spec.indicator], spec)
                    for o in orgs
                    if spec.applies_to(o) and o.values.get(spec.indicator) is not None
                )
            )
    return peers


def scale_dimension(raw: Decimal, full: Decimal, points: Decimal) -> Decimal:
    """A dimension's points: its applicable criteria's points ÷ their full points × the dimension's points."""
    return q2(raw / full * points) if full > 0 else ZERO


def score_participant(framework: FrameworkSpec, org: OrgInputs, peers: dict[int, list[Decimal]]) -> ParticipantScore:
    """One organisation's criteria, dimensions and totals (grade and ranks are set over the round)."""
    criteria: list[CriterionScore] = []
    raw_by_dim: dict[int, Decimal] = defaultdict(lambda: ZERO)
    max_by_dim: dict[int, Decimal] = defaultdict(lambda: ZERO)
    bonus = deduction = ZERO
    vetoed, veto_cap = False, ""
    for spec in framework.criteria:
        if not spec.applies_to(org):
            criteria.append(
                CriterionScore(
                    spec.id,
                    spec.dimension_id,
                    spec.kind,
                    False,
                    q2(ZERO),
                    q2(ZERO),
                    {"text": _("本项不适用于该单位。")},
                )
            )
            continue
        scored = score_criterion(spec, org, peers)
        scored = Scored(q2(scored.points), scored.detail, scored.applicable, scored.unresolved)
        scored_kind = spec.kind not in (CriterionKind.BONUS, CriterionKind.DEDUCTION, CriterionKind.VETO)
        max_points = q2(spec.points if (scored_kind and scored.applicable) else ZERO)
        criteria.append(
            CriterionScore(
                spec.id,
                spec.dimension_id,
                spec.kind,
                scored.applicable,
                scored.points,
                max_points,
                scored.detail,
                scored.unresolved,
            )  # fmt: skip
        )
        if spec.kind == CriterionKind.BONUS:
            bonus += scored.points
        elif spec.kind == CriterionKind.DEDUCTION:
            deduction += scored.points
        elif spec.kind == CriterionKind.VETO:
            if scored.detail.get("vetoed"):
                vetoed = True
                cap = spec.grade_cap or GRADE_ORDER[-1]
                veto_cap = cap if not veto_cap else rules.cap_grade(veto_cap, cap, GRADE_ORDER)
        elif scored.applicable:
            raw_by_dim[spec.dimension_id] += scored.points
            max_by_dim[spec.dimension_id] += spec.points
    dimensions: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    applicable_points = ZERO
    for dim in framework.dimensions:
        full = max_by_dim.get(dim.id, ZERO)
        scaled = scale_dimension(raw_by_dim.get(dim.id, ZERO), full, dim.points)
        if full > 0:
            applicable_points += dim.points
        dimensions[dim.id] = (raw_by_dim.get(dim.id, ZERO), full, scaled)
    base = sum((d[2] for d in dimensions.values()), ZERO)
    if applicable_points and applicable_points != framework.total_points:
        normalised = q2(base / applicable_points * framework.total_points)
    else:
        normalised = base
    total = max(ZERO, normalised + bonus - deduction)
    weakest = None
    scored_dims = [(dims[0] / dims[1], i, dim.id) for i, dim in enumerate(framework.dimensions)
                   if (dims := dimensions[dim.id])[1] > 0]  # fmt: skip
    if scored_dims and min(scored_dims)[0] < 1:  # full marks everywhere: no weakest dimension
        weakest = min(scored_dims)[2]
    return ParticipantScore(
        participant_id=org.participant_id,
        criteria=criteria,
        dimensions=dimensions,
        raw=sum(raw_by_dim.values(), ZERO),
        max_points=sum(max_by_dim.values(), ZERO),
        normalised=normalised,
        bonus=bonus,
        deduction=deduction,
        total=total,
        vetoed=vetoed,
        veto_cap=veto_cap,
        unresolved=sum(1 for c in criteria if c.unresolved),
        weakest_id=weakest,
    )


def score_round(framework: FrameworkSpec, orgs: list[OrgInputs]) -> list[ParticipantScore]:
    """Every participant's score, grade and ranks; deterministic for the same specs and inputs."""
    with one_language():  # the explanations' few dozen texts, translated once for the whole round
        return _score_round(framework, orgs)


def _score_round(framework: FrameworkSpec, orgs: list[OrgInputs]) -> list[ParticipantScore]:
    orgs = sorted(orgs, key=lambda o: o.participant_id)
    peers = _peer_values(framework, orgs)
    scores = [score_participant(framework, org, peers) for org in orgs]
    totals = [(s.participant_id, s.total) for s in scores]
    if framework.grade_method == GradeMethod.QUOTAS:
        pass_line = framework.thresholds.get("pass", ZERO)
        grades = rules.grades_by_quotas(totals, framework.quotas, pass_line, GRADE_ORDER)
    else:
        grades = {pid: rules.grade_by_thresholds(total, framework.thresholds, GRADE_ORDER) for pid, total in totals}
    ranks = rules.competition_ranks(totals)
    groups: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    peer_key = {o.participant_id: o.peer_key for o in orgs}
    for pid, total in totals:
        groups[peer_key[pid]].append((pid, total))
    group_ranks: dict[int, int] = {}
    for members in groups.values():
        group_ranks.update(rules.competition_ranks(members))
    for score in scores:
        score.grade_before_cap = grades[score.participant_id]
        score.grade = (
            rules.cap_grade(score.grade_before_cap, score.veto_cap, GRADE_ORDER)
            if score.vetoed
            else score.grade_before_cap
        )
        score.rank = ranks[score.participant_id]
        score.group_rank = group_ranks[score.participant_id]
        score.group_size = len(groups[peer_key[score.participant_id]])
    return scores
