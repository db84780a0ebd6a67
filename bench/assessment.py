"""Assessment benchmark: recomputing a round of 5,000 organisations × 40 criteria, against a plain Python loop.

Builds, in a throwaway database (SQLite under var/bench/, or a new PostgreSQL database on the server of
DATABASE_URL, dropped afterwards):

- a province with 35 unions and `--orgs` enterprises under them (ownership and industry vary, so criteria
  that apply to some organisations only do apply to some);
- each enterprise's 2020 and 2021 yearly workforce figures (reporting/demo's generator), written straight
  into the aggregate table the scoring reads (analytics_nodeaggregate), as accepted reports would leave it;
  no reports are written, so the reporting facts see every report as missing;
- a framework of 6 dimensions and 40 criteria made through the services: 10 indicator targets (linear or
  banded; explicit targets or the province's), 6 ranks among peers, 6 improvements on last year, 2
  platform facts, 10 rubrics rated by two raters each (mean, trimmed mean, consensus), 2 bonuses, 2
  deductions (one also counting late reports) and 2 vetoes; some criteria apply only to some ownerships
  or industries;
- a round over every enterprise, in its calibration stage, with ~100,000 ratings and a few hundred
  bonus, deduction and veto entries (bulk-inserted).

Then it times, round-robin in the same run:

Rows (ours / baseline):

- recompute a round: `services.round_compute` (inputs, scoring, storing every result and its explanation,
  audit) / a plain Python loop computing the same points from data preloaded in memory;
- scoring only: `scoring.score_round` over gathered inputs (points, explanations, grades, ranks) / the same loop;
- reading the inputs: `inputs.round_inputs` (framework, indicator values, targets, facts, ratings, entries) /
  the loop's preload (a few hand-written queries);
- storing the results: `services._store` (Computation, Result and CriterionResult rows with their JSON) /
  none (a server time).

Writes run in a transaction rolled back afterwards, so every repetition starts from the same database.
Both sides must give the same total for every organisation (`same answer`).

    .venv/bin/python -m bench.assessment [--orgs 5000] [--reps 3] [--seed 1] [--keep]
    DATABASE_URL=postgres://user@host:port/db .venv/bin/python -m bench.assessment
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import platform
import random
import re
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.orgtree import prepare_database, profile_markdown, profiled, server_version, timed  # noqa: E402

RESULTS = ROOT / "bench" / "results"
YEARS = (2020, 2021)
ZERO, ONE, CENT, BASIS_POINT = Decimal(0), Decimal(1), Decimal("0.01"), Decimal("0.0001")
INF = Decimal("Infinity")
RUBRIC = [
    {"code": "A", "label": "好", "share": "1", "description": ""},
    {"code": "B", "label": "较好", "share": "0.8", "description": ""},
    {"code": "C", "label": "一般", "share": "0.6", "description": ""},
    {"code": "D", "label": "差", "share": "0", "description": ""},
]
BANDS = [["0.6", "0.4"], ["0.8", "0.7"], ["1", "1"]]
# Indicators the criteria read: every one is a sum of cells (over a sum of cells) of the yearly data set.
TARGETS = [  # (indicator, explicit target or None for the province's, banded)
    ("CERT_RATE", None, False), ("COLLEGE_RATE", "30", True), ("HIGH_SKILL_SHARE", None, False),
    ("TRAINING_PERSON_TIMES", "500", True), ("TALK_SESSIONS", None, False), ("COMP_HELD", "3", False),
    ("NEW_PARTY_MEMBERS", None, True), ("EDU_FUND_RATE", "1.5", False), ("CONTRACT_COVERAGE", None, False),
    ("SUGGEST_ADOPTION_RATE", "40", True),
]  # fmt: skip
RANKS = ["CERT_RATE", "COLLEGE_RATE", "TALK_AUDIENCE", "COMP_PARTICIPANTS", "WUXIAO_RESULTS", "REPS_FRONTLINE_SHARE"]
IMPROVEMENTS = ["CERT_RATE", "COLLEGE_RATE", "TRAINING_PERSON_TIMES", "NEW_PARTY_MEMBERS", "STUDIOS", "SUGGEST_VALUE"]
PROVINCE_TARGETS = {"CERT_RATE": "15", "HIGH_SKILL_SHARE": "35", "TALK_SESSIONS": "6", "NEW_PARTY_MEMBERS": "5",
                    "CONTRACT_COVERAGE": "85"}  # fmt: skip


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- Building ------------------------------------------------------------------------------------------


def build_tree(n: int, seed: int):
    """35 unions and `n` enterprises under them, inserted in bulk; returns (enterprise rows, office user)."""
    from accounts.models import User
    from bench.synthetic import TRADES, _insert_tree, _Tree
    from orgs.choices import OrgKind, Role
    from orgs.models import Membership, Organisation

    rng = random.Random(seed)
    tree = _Tree()
    province = tree.add(None, "530000", "云南省", OrgKind.PROVINCE, region="530000")
    cat_union = tree.add(province, "CAT-UNION", "省级产业系统公司", OrgKind.CATEGORY, region="530000")
    tree.add(province, "OFFICE", "省总工会产改办", OrgKind.OFFICE, region="530000")
    ownerships = ("central", "provincial", "prefectural", "private")
    unions = [
        tree.add(cat_union, f"U{i:02d}", f"产业系统公司工会{i:02d}", OrgKind.UNION, region="530100",
                 ownership=ownerships[i % 2])
        for i in range(1, 36)
    ]  # fmt: skip
    trades = list(TRADES)
    enterprises = []
    for i in range(1, n + 1):
        union = unions[rng.randrange(len(unions))]
        trade = rng.choice(trades)
        enterprises.append(
            tree.add(union, f"E{i:05d}", f"{trade}企业{i:05d}有限公司", OrgKind.ENTERPRISE, region="530100",
                     industry=TRADES[trade], ownership=rng.choice(ownerships))
        )  # fmt: skip
    _insert_tree(tree)
    office = User.objects.create_user(username="bench_office", password=None, must_change_password=False)
    Membership.objects.create(user=office, org=Organisation.objects.get(code="OFFICE"), role=Role.OFFICE_ADMIN)
    return enterprises, office


def write_aggregates(enterprises, seed: int) -> int:
    """Each enterprise's yearly figures for 2020 and 2021 as aggregate rows (its subtree is itself)."""
    from bench.synthetic import _Cells, _headcounts, _timestamps, _Writer
    from reporting import periods
    from reporting.demo import DEFAULT_SECTOR, SECTORS, Enterprise, yearly_values
    from reporting.models import DataSet

    dataset = DataSet.objects.get(code="WF_Y")
    cells = _Cells(dataset.current_version())
    period_rows = {year: periods.period_from_code(str(year)) for year in YEARS}
    writer = _Writer("analytics_nodeaggregate", ("org_id", "parent_id", "period_id", "element_id", "option_combo_id",
                                                 "total", "count", "updated_at"))  # fmt: skip
    from django.db import connection

    vendor = connection.vendor
    for org in enterprises:
        rng = random.Random(f"{seed}:{org.code}")
        counts = _headcounts(rng, org)
        enterprise = Enterprise(org, None, SECTORS.get(org.industry, DEFAULT_SECTOR), weak=rng.random() < 0.05)
        for year in YEARS:
            stamp = _timestamps(period_rows[year], vendor)[3]
            values = yearly_values(enterprise, counts, year, salt=seed)
            for key, raw in values.items():
                element_id, combo_id, value_type = cells.ids[key]
                if value_type in ("text",):
                    continue
                number = (1 if raw == "是" else 0) if value_type == "boolean" else int(raw)
                total = Decimal(number) if vendor == "postgresql" else number
                writer.write((org.pk, org.parent.pk, period_rows[year].pk, element_id, combo_id, total, 1, stamp))
            counts = type(counts)(*(round(x * rng.uniform(1.0, 1.06)) for x in vars(counts).values()))
        if len(writer.pending) >= 100_000:
            writer.flush()
    writer.flush()
    return writer.count


def build_framework(office):
    """6 dimensions, 40 criteria (see the module docstring), issued."""
    from analytics.models import Indicator, IndicatorTarget
    from assessment import services
    from assessment.choices import Area, CriterionKind, Grade
    from core.actor import Actor

    by = Actor(user=office)
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, value in PROVINCE_TARGETS.items():
        IndicatorTarget.objects.create(indicator=indicators[code], year=2021, value=Decimal(value))
    framework = services.framework_create(by=by, year=2021, name="2021年度量化考核办法（基准测试）")
    areas = [Area.THOUGHT, Area.CONTRIBUTION, Area.SKILLS, Area.STATUS, Area.GROWTH, Area.ORGANISATION]
    specs = []
    for i, (code, target, banded) in enumerate(TARGETS):
        specs.append({"kind": CriterionKind.INDICATOR_TARGET, "indicator": indicators[code],
                          "target": Decimal(target) if target else None, "curve": "bands" if banded else "linear",
                          "bands": BANDS if banded else [], "floor": Decimal("0.6"), "cap": Decimal(1),
                          "ownerships": ["central", "provincial"] if i == 3 else []})  # fmt: skip
    for i, code in enumerate(RANKS):
        specs.append({"kind": CriterionKind.INDICATOR_RANK, "indicator": indicators[code], "floor": Decimal("0.1"),
                          "cap": Decimal("0.9"), "industries": ["C", "D", "B"] if i == 2 else []})  # fmt: skip
    for code in IMPROVEMENTS:
        specs.append(
            {"kind": CriterionKind.INDICATOR_IMPROVEMENT, "indicator": indicators[code], "full_at": Decimal(5)}
        )
    specs += [{"kind": CriterionKind.FACT, "fact": "reports_on_time"} for _ in range(2)]
    combines = ["mean", "trimmed_mean", "consensus"]
    specs += [{"kind": CriterionKind.QUALITATIVE, "levels": RUBRIC, "combine": combines[i % 3]} for i in range(10)]
    dimensions = []
    for d, area in enumerate(areas):
        dimensions.append(services.dimension_save(by=by, framework=framework, code=f"D{d + 1}", name=str(area.label),
                                                  area=area, points=Decimal(0), sort_order=d))  # fmt: skip
    per_dim: dict[int, list] = defaultdict(list)
    for i, spec in enumerate(specs):
        per_dim[i % len(dimensions)].append(spec)
    for d, dimension in enumerate(dimensions):
        common = 0
        for j, spec in enumerate(per_dim[d]):
            points = 3 + (j % 3)
            restricted = spec.get("ownerships") or spec.get("industries")
            if not restricted:
                common += points
            services.criterion_save(
                by=by,
                dimension=dimension,
                code=f"C{d + 1}{j + 1:02d}",
                name=f"考核指标{d + 1}-{j + 1}",
                points=Decimal(points),
                sort_order=j,
                **spec,
            )
        # The dimension's points: its common criteria's (the framework's total is what they add up to).
        services.dimension_save(
            by=by,
            framework=framework,
            dimension=dimension,
            code=dimension.code,
            name=dimension.name,
            area=dimension.area,
            points=Decimal(common),
            sort_order=d,
        )
    adjust = dimensions[-1]
    items = [{"code": "HONOUR", "label": "获得荣誉", "points": 2}, {"code": "CASE", "label": "案例被采用", "points": 1}]
    late = [{"code": "LATE", "label": "逾期报送", "points": 1, "fact": "reports_late"}, {"code": "ALERT",
             "label": "预警", "points": 2}]  # fmt: skip
    extra = [
        {"kind": CriterionKind.BONUS, "points": Decimal(3), "items": items},
        {"kind": CriterionKind.BONUS, "points": Decimal(2), "items": items[:1]},
        {"kind": CriterionKind.DEDUCTION, "points": Decimal(5), "items": late},
        {"kind": CriterionKind.DEDUCTION, "points": Decimal(3), "items": [late[1]]},
        {"kind": CriterionKind.VETO, "points": Decimal(0), "grade_cap": Grade.PASS},
        {"kind": CriterionKind.VETO, "points": Decimal(0), "grade_cap": Grade.FAIL},
    ]
    for j, spec in enumerate(extra):
        services.criterion_save(by=by, dimension=adjust, code=f"X{j + 1:02d}", name=f"加扣分项{j + 1}",
                                sort_order=100 + j, **spec)  # fmt: skip
    framework.refresh_from_db()
    total = sum((d.points for d in framework.dimensions.all()), Decimal(0))
    services.framework_update(by=by, framework=framework, version=framework.version, total_points=total)
    framework.refresh_from_db()
    services.framework_issue(by=by, framework=framework, version=framework.version)
    framework.refresh_from_db()
    return framework


def open_round(office, framework, seed: int):
    """The round over every enterprise, with ratings and entries bulk-inserted, in its calibration stage."""
    from django.utils import timezone

    from accounts.models import User
    from assessment import services
    from assessment.choices import CriterionKind, EntryKind, RoundStatus
    from assessment.models import Criterion, Entry, Rating, Round
    from core.actor import Actor
    from orgs.choices import OrgKind
    from orgs.models import Organisation

    by = Actor(user=office)
    orgs = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE).order_by("path"))
    round_ = services.round_open(by=by, framework=framework, name="2021年度考核（基准测试）", orgs=orgs)
    raters = [User.objects.create_user(username=f"bench_rater{i}", password=None, full_name=f"评分人{i}")
              for i in range(3)]  # fmt: skip
    criteria = list(Criterion.objects.filter(dimension__framework=framework).order_by("pk"))
    rng = random.Random(seed)
    ratings, entries = [], []
    now = timezone.now()
    for participant in round_.participants.order_by("pk"):
        for criterion in criteria:
            if criterion.kind == CriterionKind.QUALITATIVE:
                base = rng.choice("ABCD")
                for rater in rng.sample(raters, 2):
                    level = base if rng.random() < 0.8 else rng.choice("ABCD")
                    ratings.append(Rating(participant=participant, criterion=criterion, rater=rater, level=level,
                                          comment="按评分细则评定", created_at=now, updated_at=now))  # fmt: skip
            elif criterion.kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION) and rng.random() < 0.08:
                item = rng.choice(criterion.items)["code"]
                kind = EntryKind.BONUS if criterion.kind == CriterionKind.BONUS else EntryKind.DEDUCTION
                entries.append(Entry(participant=participant, criterion=criterion, kind=kind, item=item,
                                     note="依据通报", by=office))  # fmt: skip
            elif criterion.kind == CriterionKind.VETO and rng.random() < 0.01:
                entries.append(Entry(participant=participant, criterion=criterion, kind=EntryKind.VETO, item="",
                                     note="发生否决事项", by=office))  # fmt: skip
    Rating.objects.bulk_create(ratings, batch_size=5000)
    Entry.objects.bulk_create(entries, batch_size=5000)
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CALIBRATION)
    round_.refresh_from_db()
    return round_, len(ratings), len(entries)


# --- The baseline: a plain loop over preloaded data ----------------------------------------------------------

_REF = re.compile(r"#\{([A-Z0-9_]+)((?:\.[A-Z0-9_]+)*)\}")


def _terms(expression: str) -> list[tuple[str, frozenset]]:
    """`#{A.X} + #{B}` → [("A", {"X"}), ("B", {})]; only sums are used by the benchmark's indicators."""
    if expression.replace(" ", "").replace("+", "") != "".join(m.group(0) for m in _REF.finditer(expression)):
        raise ValueError(f"not a sum of cells: {expression}")
    return [(m.group(1), frozenset(filter(None, m.group(2).split(".")))) for m in _REF.finditer(expression)]


def preload(round_) -> dict:
    """Everything the loop reads, with hand-written queries (and the reporting facts as the platform states them)."""
    from analytics.models import Indicator, IndicatorTarget
    from assessment import facts
    from assessment.models import Criterion, Entry, Participant, Rating
    from bench.orgtree import sql_rows
    from reporting.models import Period

    framework = round_.framework
    criteria = list(Criterion.objects.filter(dimension__framework=framework).select_related("dimension").order_by(
        "dimension__sort_order", "dimension_id", "sort_order", "id"))  # fmt: skip
    codes = {c.indicator.code for c in criteria if c.indicator_id}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    participants = list(Participant.objects.filter(round=round_).select_related("org").order_by("pk"))
    periods = dict(Period.objects.filter(code__in=[str(y) for y in YEARS]).values_list("pk", "code"))
    combos = {}
    for pk, element, key in sql_rows(
        "SELECT c.id, e.code, c.key FROM reporting_categoryoptioncombo c "
        "JOIN reporting_dataelement e ON e.category_combo_id = c.combo_id"
    ):
        combos[(pk, element)] = frozenset(key.split(".")) if key else frozenset()
    element_codes = dict(sql_rows("SELECT id, code FROM reporting_dataelement"))
    cells: dict[tuple[int, str], list] = defaultdict(list)  # (org, period) -> [(element, options, total)]
    for org_id, period_id, element_id, combo_id, total in sql_rows(
        "SELECT org_id, period_id, element_id, option_combo_id, total FROM analytics_nodeaggregate "
        f"WHERE period_id IN ({', '.join(str(p) for p in periods)})"
    ):
        element = element_codes[element_id]
        cells[(org_id, periods[period_id])].append((element, combos[(combo_id, element)], Decimal(total)))
    targets = {t.indicator.code: t.value for t in IndicatorTarget.objects.filter(year=framework.year, org=None)
               .select_related("indicator")}  # fmt: skip
    ratings: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pid, cid, level in (
        Rating.objects.filter(participant__round=round_)
        .order_by("pk")
        .values_list("participant_id", "criterion_id", "level")
    ):
        ratings[(pid, cid)].append(level)
    entries: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pid, cid, item in (
        Entry.objects.filter(participant__round=round_)
        .order_by("pk")
        .values_list("participant_id", "criterion_id", "item")
    ):
        entries[(pid, cid)].append(item)
    keys = {c.fact for c in criteria if c.fact} | {i["fact"] for c in criteria for i in c.items if i.get("fact")}
    found_facts = facts.gather(keys, framework.year, [(p.org_id, p.org.path) for p in participants])
    return {
        "framework": framework, "criteria": criteria, "indicators": indicators, "participants": participants,
        "cells": cells, "targets": targets, "ratings": ratings, "entries": entries, "facts": found_facts,
    }  # fmt: skip


def _value(indicator, org_cells: list) -> Decimal | None:
    """The indicator over one organisation's cells: Σ numerator ÷ Σ denominator × factor, rounded as shown."""
    if not org_cells:
        return None

    def total(expression: str) -> Decimal | None:
        found = [t for element, options in _terms(expression) for e, o, t in org_cells
                 if e == element and options <= o]  # fmt: skip
        return sum(found, ZERO) if found else None

    numerator = total(indicator.numerator)
    if indicator.denominator:
        denominator = total(indicator.denominator)
        if numerator is None or not denominator:
            return None
        value = numerator / denominator * indicator.factor
    else:
        if numerator is None:
            return None
        value = numerator * indicator.factor
    return value.quantize(Decimal(1).scaleb(-indicator.decimals), rounding=ROUND_HALF_UP)


def values_of(data: dict) -> dict[tuple[int, str, int], Decimal | None]:
    """(org id, indicator code, year) → value, for every participant (part of the preload)."""
    found = {}
    for p in data["participants"]:
        for code, indicator in data["indicators"].items():
            for year in YEARS:
                found[(p.org_id, code, year)] = _value(indicator, data["cells"].get((p.org_id, str(year)), []))
    return found


def _linear(x: Decimal, floor: Decimal, cap: Decimal) -> Decimal:
    if x >= cap:
        return ONE
    if x <= floor:
        return ZERO
    return (x - floor) / (cap - floor)


def q4(share: Decimal) -> Decimal:
    """Shares, attainments and percentiles are used at 0.01% (0.0001), as the score card prints them."""
    return share if share == INF else share.quantize(BASIS_POINT, rounding=ROUND_HALF_UP)


def _share(x: Decimal, c) -> Decimal:
    if c.curve == "bands":
        reached = [Decimal(str(share)) for lower, share in c.bands if x >= Decimal(str(lower))]
        return q4(max(reached) if reached else ZERO)
    return q4(_linear(x, c.floor, c.cap))


def plain_loop(data: dict, values: dict) -> dict[int, Decimal]:
    """Every participant's total, computed criterion by criterion with the rules written out inline."""
    criteria, framework = data["criteria"], data["framework"]
    year = framework.year
    shares = {c.pk: {lv["code"]: Decimal(str(lv["share"])) for lv in c.levels} for c in criteria if c.levels}
    participants = data["participants"]

    def applies(c, org) -> bool:
        return ((not c.kinds or org.kind in c.kinds) and (not c.ownerships or org.ownership in c.ownerships)
                and (not c.industries or org.industry in c.industries))  # fmt: skip

    peers = {}
    for c in criteria:
        if c.kind == "indicator_rank":
            code = c.indicator.code
            peers[c.pk] = sorted(
                v for p in participants if applies(c, p.org) and (v := values[(p.org_id, code, year)]) is not None
            )
    dim_points = {d.pk: d.points for d in framework.dimensions.all()}
    totals = {}
    for p in participants:
        org = p.org
        raw, full = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
        bonus = deduction = ZERO
        for c in criteria:
            if not applies(c, org):
                continue
            kind, points, applicable = c.kind, c.points, True
            got = ZERO
            if kind == "indicator_target":
                code = c.indicator.code
                value = values[(p.org_id, code, year)]
                target = c.target if c.target is not None else data["targets"].get(code)
                if value is not None and target is not None:
                    if c.indicator.higher_is_better:
                        reached = (INF if value >= target else ZERO) if target <= 0 else q4(value / target)
                    else:
                        reached = INF if value <= 0 else q4(target / value)
                    got = q2(points * _share(reached, c))
            elif kind == "indicator_rank":
                value = values[(p.org_id, c.indicator.code, year)]
                if value is not None:
                    ordered = peers[c.pk]
                    n = len(ordered)
                    if n <= 1:
                        pct = ONE
                    else:
                        below, upto = bisect.bisect_left(ordered, value), bisect.bisect_right(ordered, value)
                        worse = below if c.indicator.higher_is_better else n - upto
                        pct = q4((Decimal(worse) + Decimal(upto - below - 1) / 2) / Decimal(n - 1))
                    got = q2(points * _share(pct, c))
            elif kind == "indicator_improvement":
                code = c.indicator.code
                value, last = values[(p.org_id, code, year)], values[(p.org_id, code, year - 1)]
                if last is None:
                    applicable = False
                elif value is not None:
                    if c.indicator.denominator:
                        change = value - last
                    elif last == 0:
                        change = INF if value > 0 else ZERO
                    else:
                        change = (value - last) / abs(last) * 100
                    if change != INF:
                        change = q2(change)  # the change is printed and used at 0.01
                    if not c.indicator.higher_is_better:
                        change = -change
                    got = q2(points * q4(_linear(change, ZERO, c.full_at)))
            elif kind == "fact":
                found = data["facts"].get(org.pk, {}).get(c.fact)
                if found is None or found.share is None:
                    applicable = False
                else:
                    got = q2(points * min(ONE, max(ZERO, found.share)))
            elif kind == "qualitative":
                given = [
                    shares[c.pk][level] for level in data["ratings"].get((p.pk, c.pk), []) if level in shares[c.pk]
                ]
                if given:
                    if c.combine == "consensus":
                        share = given[0] if len(set(given)) == 1 else None
                    else:
                        if c.combine == "trimmed_mean" and len(given) >= 3:
                            given = sorted(given)[1:-1]
                        share = sum(given, ZERO) / len(given)
                    if share is not None:
                        got = q2(points * share)
            elif kind in ("bonus", "deduction"):
                by_code = {i["code"]: Decimal(str(i["points"])) for i in c.items}
                events = [by_code[item] for item in data["entries"].get((p.pk, c.pk), []) if item in by_code]
                for item in c.items:
                    fact = item.get("fact")
                    found = data["facts"].get(org.pk, {}).get(fact) if fact else None
                    if found is not None:
                        events += [Decimal(str(item["points"]))] * found.count
                got = q2(min(points, sum(events, ZERO)))
                if kind == "bonus":
                    bonus += got
                else:
                    deduction += got
                continue
            else:  # a veto caps the grade, never the points
                continue
            if applicable:
                raw[c.dimension_id] += got
                full[c.dimension_id] += points
        base = applicable_points = ZERO
        for dim_id, dim_full in full.items():
            if dim_full > 0:
                base += q2(raw[dim_id] / dim_full * dim_points[dim_id])
                applicable_points += dim_points[dim_id]
        if applicable_points and applicable_points != framework.total_points:
            normalised = q2(base / applicable_points * framework.total_points)
        else:
            normalised = base
        totals[p.pk] = max(ZERO, normalised + bonus - deduction)
    return totals


# --- Timing --------------------------------------------------------------------------------------------------


def scenario(name: str, description: str, ours: dict, baseline: dict | None, same: bool) -> dict:
    result = {"name": name, "description": description, "same_answer": same, "ours": ours,
              "baseline": baseline or {"p50_ms": None, "p95_ms": None}}  # fmt: skip
    for q in ("p50", "p95"):
        base = baseline[f"{q}_ms"] if baseline else None
        result[f"ratio_{q}"] = round(ours[f"{q}_ms"] / base, 2) if base else None
    print(f"  {name:<28} ours {ours['p50_ms']:>10.1f} ms  baseline "
          f"{(baseline or {}).get('p50_ms') or float('nan'):>10.1f} ms  ratio {result['ratio_p50']}")  # fmt: skip
    return result


def measure(round_, office, reps: int, warmup: int) -> tuple[list[dict], dict]:
    from django.db import transaction

    from assessment import inputs, scoring, services
    from assessment.models import Result
    from core.actor import Actor

    by = Actor(user=office)
    # Checked once: both sides give every participant the same total.
    with transaction.atomic():
        computation = services.round_compute(by=by, round_=round_)
        ours_totals = dict(Result.objects.filter(computation=computation).values_list("participant_id", "total"))
        transaction.set_rollback(True)
    data = preload(round_)
    values = values_of(data)
    loop_totals = plain_loop(data, values)
    same = ours_totals == loop_totals
    if not same:
        differ = [pid for pid in ours_totals if ours_totals[pid] != loop_totals.get(pid)]
        print(f"  ! totals differ for {len(differ)} participants, e.g. {differ[:3]}", file=sys.stderr)
    spec, orgs = inputs.round_inputs(round_)
    scores = scoring.score_round(spec, orgs)
    fingerprint = inputs.fingerprint(spec, orgs)

    def whole():
        with transaction.atomic():
            services.round_compute(by=by, round_=round_)
            transaction.set_rollback(True)

    def gather():
        inputs.round_inputs(round_)

    def score():
        scoring.score_round(spec, orgs)

    def store():
        with transaction.atomic():
            services._store(round_, 999, fingerprint, scores, by=by, reason="")
            transaction.set_rollback(True)

    def loop():
        plain_loop(data, values)

    def load():
        loaded = preload(round_)
        values_of(loaded)

    timings = timed({"whole": whole, "inputs": gather, "scoring": score, "store": store, "loop": loop,
                     "preload": load}, reps, warmup)  # fmt: skip
    criteria = len(spec.criteria)
    scenarios = [
        scenario(
            "recompute a round",
            f"services.round_compute over {len(orgs):,} organisations × {criteria} "
            "criteria (inputs, scoring, storing, audit; rolled back) / a plain Python loop computing the same "
            "points over preloaded data",
            timings["whole"],
            timings["loop"],
            same,
        ),  # fmt: skip
        scenario(
            "scoring only",
            "scoring.score_round over gathered inputs (points, explanations, grades, ranks) / the same plain loop",
            timings["scoring"],
            timings["loop"],
            same,
        ),  # fmt: skip
        scenario(
            "reading the inputs",
            "inputs.round_inputs (framework, indicator values, targets, facts, ratings, "
            "entries) / the loop's preload (hand-written queries + indicator values)",
            timings["inputs"],
            timings["preload"],
            True,
        ),  # fmt: skip
        scenario(
            "storing the results",
            f"services._store: 1 computation, {len(scores):,} results and "
            f"{sum(len(s.criteria) for s in scores):,} criterion results with their JSON (rolled back)",
            timings["store"],
            None,
            True,
        ),  # fmt: skip
    ]
    scenarios[1]["profile"] = profiled(score)
    return scenarios, {"participants": len(orgs), "criteria": criteria, "timings": timings}


def markdown(report: dict) -> str:
    shape = report["shape"]
    lines = [
        f"# Assessment benchmark — {report['database']} {report['server_version']}",
        "",
        f"A round of {shape['participants']:,} organisations × {shape['criteria']} criteria "
        f"({shape['ratings']:,} ratings, {shape['entries']:,} entries, {shape['aggregate_rows']:,} aggregate rows "
        f"for 2020–2021). {report['reps']} timed runs, round-robin; {report['machine']['cpus']} CPUs, "
        f"Python {report['python']}, Django {report['django']}, {report['generated_at']}.",
        "",
        "| scenario | ours p50 | ours p95 | baseline p50 | baseline p95 | ratio p50 | ratio p95 | same answer |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]

    def ms(value) -> str:
        return "—" if value is None else f"{value:,.1f} ms"

    for s in report["scenarios"]:
        base = s["baseline"]
        lines.append(
            f"| {s['name']} | {ms(s['ours']['p50_ms'])} | {ms(s['ours']['p95_ms'])} "
            f"| {ms(base['p50_ms'])} | {ms(base['p95_ms'])} "
            f"| {s['ratio_p50'] if s['ratio_p50'] is not None else '—'} "
            f"| {s['ratio_p95'] if s['ratio_p95'] is not None else '—'} | {'yes' if s['same_answer'] else 'NO'} |"
        )
    lines += ["", "What each row measures (ours / baseline):", ""]
    lines += [f"- **{s['name']}**: {s['description']}." for s in report["scenarios"]]
    parts = report["parts_p50_ms"]
    lines += [
        "",
        "Where the time of one recomputation goes (p50): reading the inputs {inputs:,.0f} ms, scoring {scoring:,.0f} "
        "ms, storing {store:,.0f} ms (the rest of `round_compute` is the fingerprint, the lock and the audit row)."
        .format(**parts),
        "",
    ]  # fmt: skip
    for s in report["scenarios"]:
        if s.get("profile"):
            lines += profile_markdown(f"Where {s['name']} spends its time (one run under cProfile, own time)",
                                      s["profile"])  # fmt: skip
    lines += ["Build: " + ", ".join(f"{k} {v:.1f} s" for k, v in report["build_seconds"].items()), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cleanup = prepare_database(args.keep, "assessment")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        build: dict[str, float] = {}
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        build["migrate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction.atomic():
            enterprises, office = build_tree(args.orgs, args.seed)
            build["tree"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows = write_aggregates(enterprises, args.seed)
            build["aggregates"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        framework = build_framework(office)
        round_, ratings, entries = open_round(office, framework, args.seed)
        build["framework, round, ratings"] = time.perf_counter() - t0
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{connection.vendor}: {args.orgs:,} organisations, {rows:,} aggregate rows, {ratings:,} ratings "
              f"({sum(build.values()):.1f} s)")  # fmt: skip
        scenarios, shape = measure(round_, office, args.reps, args.warmup)
        import django as dj

        timings = shape.pop("timings")
        report = {
            "benchmark": "assessment",
            "database": connection.vendor,
            "server_version": server_version(),
            "seed": args.seed,
            "reps": args.reps,
            "shape": {**shape, "ratings": ratings, "entries": entries, "aggregate_rows": rows},
            "scenarios": scenarios,
            "parts_p50_ms": {k: timings[k]["p50_ms"] for k in ("inputs", "scoring", "store")},
            "build_seconds": {k: round(v, 1) for k, v in build.items()},
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "python": platform.python_version(),
            "django": dj.get_version(),
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = f"assessment-{connection.vendor}"
        (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
        (RESULTS / f"{name}.md").write_text(markdown(report), encoding="utf-8")
        print(f"wrote bench/results/{name}.json and .md ({report['total_seconds']:.0f} s in all)")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
