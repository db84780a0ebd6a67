"""The demo's figures: the speech's province totals, how enterprises of each industry look, and complete,
valid fillings of the workforce report for one enterprise (also used by bench/synthetic.py).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from orgs.choices import Industry, OrgKind
from orgs.models import Organisation
from reporting import periods

SPEECH_YEAR = 2020
PREVIOUS_YEAR = 2019
# The year after the speech: what the demo's published assessment round scores (assessment/demo.py).
ASSESSED_YEAR = 2021
YEARS = (PREVIOUS_YEAR, SPEECH_YEAR, ASSESSED_YEAR)


@dataclass(frozen=True)
class ProvinceTotals:
    """Accepted WF_Y totals over the province: all workers, non-migrant workers, certified, college or above."""

    workers: int
    nonmigrant: int
    certified: int
    college: int

    @property
    def migrant(self) -> int:
        return self.workers - self.nonmigrant


# 7,307,500 → 730.75万; 381,600 / 2,782,600 = 13.714% → 13.71%; 699,980 / 2,782,600 = 25.156% → 25.16%
# (69.998万, "近70万"); over all workers 5.222% → 5.22% and 9.579% → 9.58% (DOMAIN.md §3).
SPEECH_TOTALS = ProvinceTotals(workers=7_307_500, nonmigrant=2_782_600, certified=381_600, college=699_980)
TOTALS = {
    PREVIOUS_YEAR: ProvinceTotals(workers=7_096_400, nonmigrant=2_731_900, certified=356_200, college=668_300),
    SPEECH_YEAR: SPEECH_TOTALS,
}


@dataclass(frozen=True)
class Sector:
    """What a typical enterprise of one industry looks like (GB/T 4754 section)."""

    size: int  # industrial workers of a typical sample enterprise
    nonmigrant: float  # share of workers who are not migrant workers
    certified: float  # certified ÷ non-migrant workers
    college: float  # college or above ÷ non-migrant workers
    male_migrant: float
    male_other: float
    wage: int  # yearly pay per worker, 元
    nef: float  # new-employment-form workers (truck drivers, couriers) per worker


SECTORS = {
    Industry.A: Sector(70_000, 0.21, 0.10, 0.13, 0.56, 0.55, 58_000, 0.005),
    Industry.B: Sector(55_000, 0.40, 0.16, 0.15, 0.92, 0.80, 96_000, 0.02),
    Industry.C: Sector(62_000, 0.37, 0.15, 0.19, 0.76, 0.68, 86_000, 0.01),
    Industry.D: Sector(30_000, 0.92, 0.30, 0.48, 0.86, 0.72, 158_000, 0.003),
    Industry.E: Sector(115_000, 0.15, 0.12, 0.18, 0.91, 0.78, 76_000, 0.03),
    Industry.F: Sector(42_000, 0.40, 0.08, 0.23, 0.55, 0.50, 69_000, 0.04),
    Industry.G: Sector(40_000, 0.52, 0.19, 0.25, 0.88, 0.70, 101_000, 0.06),
    Industry.I: Sector(22_000, 0.76, 0.12, 0.52, 0.60, 0.55, 128_000, 0.05),
    Industry.J: Sector(12_000, 0.95, 0.05, 0.80, 0.50, 0.45, 176_000, 0.0),
    Industry.P: Sector(8_000, 0.90, 0.20, 0.62, 0.50, 0.45, 108_000, 0.0),
    Industry.R: Sector(26_000, 0.36, 0.06, 0.25, 0.50, 0.45, 64_000, 0.01),
}
DEFAULT_SECTOR = SECTORS[Industry.C]

# The enterprises the speech's companies really have: sizes of their order (the figures are samples).
REAL_SIZES = {
    "E001": 6_800, "E002": 4_200, "E003": 3_100, "E004": 3_500,  # 云南电网's supply bureaus
    "E005": 12_000, "E006": 9_500, "E007": 3_800,  # 中国铜业
    "E008": 11_000, "E009": 8_000, "E010": 3_000, "E011": 2_600,  # 云天化
    "E012": 25_000, "E013": 4_000, "E014": 9_000,  # 云南农垦
    "E015": 38_000, "E016": 26_000, "E017": 31_000,  # 云南建投, with their labour subcontractors
    "E018": 4_500, "E019": 3_200, "E020": 2_800, "E021": 2_100,  # 昆明铁路局
    "E022": 16_000, "E023": 1_900, "E024": 1_700,  # 云南交投
}  # fmt: skip
WEAK_COUNT = 10

SKILL_KEYS = (
    "APPRENTICE", "JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN",
    "SPECIAL_TECHNICIAN", "CHIEF_TECHNICIAN",
)  # fmt: skip
SKILL_SHARES = (0.05, 0.30, 0.32, 0.20, 0.09, 0.035, 0.003, 0.002)
WEAK_SKILL_SHARES = (0.15, 0.45, 0.28, 0.09, 0.025, 0.005, 0.0, 0.0)
COLLEGE_KEYS = ("POSTGRADUATE", "BACHELOR", "COLLEGE")
BELOW_COLLEGE_KEYS = ("SECONDARY", "JUNIOR_OR_BELOW")
STUDIO_KEYS = ("NATIONAL", "PROVINCIAL", "PREFECTURAL", "ENTERPRISE")

CellKey = tuple[str, str]
Values = dict[CellKey, str]


# --- Arithmetic -----------------------------------------------------------------------------------------


def apportion(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """Whole numbers in proportion to `weights` that add up to exactly `total`, none above its cap.

    Largest remainders after flooring; capped shares are fixed and the rest shared again (water filling).
    Raises ValueError when the caps cannot hold the total.
    """
    count = len(weights)
    caps = list(caps) if caps is not None else [total] * count
    if total < 0 or sum(caps) < total:
        raise ValueError("caps cannot hold the total")
    shares = [0.0] * count
    free = [i for i in range(count) if caps[i] > 0]
    remaining = float(total)
    while free:
        weight = sum(max(weights[i], 0.0) for i in free)
        for i in free:
            shares[i] = remaining * (max(weights[i], 0.0) / weight if weight > 0 else 1.0 / len(free))
        over = [i for i in free if shares[i] > caps[i]]
        if not over:
            break
        for i in over:
            shares[i] = float(caps[i])
            remaining -= caps[i]
            free.remove(i)
    result = [min(int(math.floor(s)), caps[i]) for i, s in enumerate(shares)]
    short = total - sum(result)
    order = sorted(range(count), key=lambda i: (-(shares[i] - result[i]), i))
    while short > 0:
        for i in order:
            if short and result[i] < caps[i]:
                result[i] += 1
                short -= 1
    return result


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))  # noqa: S311 - sample data, not security


# --- The enterprises and their yearly figures ----------------------------------------------------------


@dataclass
class Enterprise:
    """One reporting enterprise as the demo sees it."""

    org: Organisation
    union: Organisation | None
    sector: Sector
    weak: bool = False


def demo_enterprises() -> list[Enterprise]:
    """Every demo enterprise (open or closed), in tree order, with its union and sector."""
    unions = {o.path: o for o in Organisation.objects.filter(kind=OrgKind.UNION)}
    orgs = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE).order_by("path"))
    result = []
    for org in orgs:
        union = next((unions[org.path[:i]] for i in range(len(org.path) - 4, 0, -4) if org.path[:i] in unions), None)
        result.append(Enterprise(org, union, SECTORS.get(org.industry, DEFAULT_SECTOR)))
    samples = [e for e in result if e.org.code not in REAL_SIZES and e.org.is_sample]
    for e in _rng("weak").sample(samples, min(WEAK_COUNT, len(samples))):
        e.weak = True
    return result


@dataclass(frozen=True)
class Headcounts:
    workers: int
    nonmigrant: int
    certified: int
    college: int


def _nonmigrant_share(e: Enterprise) -> float:
    # Vary the migrant share, so that a power company's 8% stays small and a builder's 85% stays large.
    return 1 - min(0.95, (1 - e.sector.nonmigrant) * _rng("nm", e.org.code).uniform(0.8, 1.2))


def _headcounts_2020(enterprises: Sequence[Enterprise]) -> dict[str, Headcounts]:
    totals = TOTALS[SPEECH_YEAR]
    fixed = {e.org.code: REAL_SIZES[e.org.code] for e in enterprises if e.org.code in REAL_SIZES}
    free = [e for e in enterprises if e.org.code not in fixed]
    sizes = apportion(
        totals.workers - sum(fixed.values()),
        [e.sector.size * _rng("size", e.org.code).uniform(0.45, 1.7) for e in free],
    )
    workers = [fixed.get(e.org.code, 0) for e in enterprises]
    by_code = dict(zip((e.org.code for e in free), sizes, strict=True))
    workers = [by_code.get(e.org.code, w) for e, w in zip(enterprises, workers, strict=True)]
    nonmigrant = apportion(
        totals.nonmigrant,
        [w * _nonmigrant_share(e) for e, w in zip(enterprises, workers, strict=True)],
        [int(w * 0.98) for w in workers],
    )
    certified = apportion(
        totals.certified,
        [
            n * e.sector.certified * (0.2 if e.weak else 1.0) * _rng("cert", e.org.code).uniform(0.75, 1.25)
            for e, n in zip(enterprises, nonmigrant, strict=True)
        ],
        [int(n * 0.6) for n in nonmigrant],
    )
    college = apportion(
        totals.college,
        [
            n * e.sector.college * (0.4 if e.weak else 1.0) * _rng("college", e.org.code).uniform(0.8, 1.2)
            for e, n in zip(enterprises, nonmigrant, strict=True)
        ],
        [int(n * 0.95) for n in nonmigrant],
    )
    return {
        e.org.code: Headcounts(w, n, c, d)
        for e, w, n, c, d in zip(enterprises, workers, nonmigrant, certified, college, strict=True)
    }


def _headcounts_earlier(
    enterprises: Sequence[Enterprise], later: dict[str, Headcounts], year: int
) -> dict[str, Headcounts]:
    """A year's headcounts from the next year's: each enterprise a little smaller, the totals exact."""
    totals = TOTALS[year]
    growth = {e.org.code: _rng("growth", year, e.org.code).uniform(0.93, 1.0) for e in enterprises}
    codes = [e.org.code for e in enterprises]
    workers = apportion(totals.workers, [later[c].workers * growth[c] for c in codes])
    nonmigrant = apportion(
        totals.nonmigrant, [later[c].nonmigrant * growth[c] for c in codes], [int(w * 0.98) for w in workers]
    )
    certified = apportion(
        totals.certified, [later[c].certified * growth[c] for c in codes], [int(n * 0.6) for n in nonmigrant]
    )
    college = apportion(
        totals.college, [later[c].college * growth[c] for c in codes], [int(n * 0.95) for n in nonmigrant]
    )
    return {c: Headcounts(*row) for c, *row in zip(codes, workers, nonmigrant, certified, college, strict=True)}


def _headcounts_later(
    enterprises: Sequence[Enterprise], earlier: dict[str, Headcounts], year: int
) -> dict[str, Headcounts]:
    """A year's headcounts from the year before's: each enterprise a little larger, its certification and
    college rates moved by its own effort (most up, a few down), so that improvement criteria tell them apart.
    No fixed province totals: the speech quotes none for this year."""
    result = {}
    for e in enterprises:
        h = earlier[e.org.code]
        r = _rng("later", year, e.org.code)
        workers = max(1, round(h.workers * r.uniform(0.99, 1.05)))
        nonmigrant = min(int(workers * 0.98), round(workers * h.nonmigrant / h.workers * r.uniform(0.99, 1.03)))
        base = max(h.nonmigrant, 1)
        effort = r.uniform(0.97, 1.08) if e.weak else r.uniform(0.96, 1.16)
        certified = min(int(nonmigrant * 0.6), round(nonmigrant * h.certified / base * effort))
        college = min(int(nonmigrant * 0.95), round(nonmigrant * h.college / base * r.uniform(0.99, 1.07)))
        result[e.org.code] = Headcounts(workers, nonmigrant, certified, college)
    return result


def yearly_headcounts(enterprises: Sequence[Enterprise]) -> dict[int, dict[str, Headcounts]]:
    """Headcounts per year and enterprise code, adding up exactly to TOTALS (2019, 2020); 2021 grows from 2020."""
    result = {SPEECH_YEAR: _headcounts_2020(enterprises)}
    result[PREVIOUS_YEAR] = _headcounts_earlier(enterprises, result[SPEECH_YEAR], PREVIOUS_YEAR)
    result[ASSESSED_YEAR] = _headcounts_later(enterprises, result[SPEECH_YEAR], ASSESSED_YEAR)
    return result


def yearly_values(e: Enterprise, h: Headcounts, year: int, *, salt: object = "") -> Values:
    """A complete WF_Y filling for one enterprise that passes every rule, errors and warnings alike.

    Deterministic for the same enterprise code, year and `salt` (bench/synthetic.py passes its seed).
    """
    r = _rng("wf_y", year, e.org.code, salt)
    u = r.uniform
    s = e.sector
    t, n, c, d = h.workers, h.nonmigrant, h.certified, h.college
    m = t - n
    v: Values = {}

    def put(code: str, number: int | str, key: str = "") -> None:
        v[(code, key)] = str(number)

    put("WF_WORKERS", t)
    male_m = round(m * s.male_migrant * u(0.95, 1.05))
    male_n = round(n * s.male_other * u(0.95, 1.05))
    put("WF_WORKERS_GROUP", min(male_m, m), "MIGRANT.MALE")
    put("WF_WORKERS_GROUP", m - min(male_m, m), "MIGRANT.FEMALE")
    put("WF_WORKERS_GROUP", min(male_n, n), "NONMIGRANT.MALE")
    put("WF_WORKERS_GROUP", n - min(male_n, n), "NONMIGRANT.FEMALE")
    put("WF_FRONTLINE", round(t * u(0.68, 0.86)))
    put("WF_TECH_STAFF", round(n * u(0.08, 0.2)))
    put("WF_NEW_FRONTLINE_HIRES", round(t * u(0.03, 0.08)))
    nef = round(t * s.nef * u(0.5, 1.5))
    nef_members = round(nef * (u(0.05, 0.2) if e.weak else u(0.35, 0.85)))
    put("WF_NEF_WORKERS", nef)
    put("WF_NEF_MEMBERS", nef_members)
    put("WF_UNION_MEMBERS", min(t + nef, round(n * u(0.95, 0.99) + m * u(0.6, 0.85)) + nef_members))

    put("WF_CERTIFIED", c)
    shares = WEAK_SKILL_SHARES if e.weak else SKILL_SHARES
    for key, count in zip(SKILL_KEYS, apportion(c, [w * u(0.85, 1.15) for w in shares]), strict=True):
        put("WF_CERT_BY_LEVEL", count, key)
    for key, count in zip(COLLEGE_KEYS, apportion(d, [0.04 * u(0.6, 1.4), 0.38 * u(0.8, 1.2), 0.58]), strict=True):
        put("WF_EDU_BY_LEVEL", count, key)
    for key, count in zip(BELOW_COLLEGE_KEYS, apportion(n - d, [0.62 * u(0.8, 1.2), 0.38]), strict=True):
        put("WF_EDU_BY_LEVEL", count, key)

    payroll = round(t * s.wage * u(0.85, 1.15))
    extracted = math.ceil(payroll * (u(0.0151, 0.0158) if e.weak else u(0.016, 0.025)))
    spent = round(extracted * (u(0.55, 0.7) if e.weak else u(0.75, 0.97)))
    put("WF_PAYROLL", payroll)
    put("WF_EDU_FUND_EXTRACTED", extracted)
    put("WF_EDU_FUND_SPENT", spent)
    put("WF_EDU_FUND_FRONTLINE", math.ceil(spent * u(0.61, 0.8)))
    training = round(t * (u(0.15, 0.35) if e.weak else u(0.8, 2.2)))
    put("WF_TRAINING_PERSON_TIMES", training)
    put("WF_TRAINING_HOURS", round(training * u(8, 24)))
    filed = not e.weak and r.random() < 0.6
    put("WF_SELF_EVAL_FILED", "是" if filed else "否")
    put("WF_SELF_EVAL_PERSONS", round(n * u(0.01, 0.05)) if filed else 0)

    root = math.sqrt(t)
    put("WF_NEW_PARTY_MEMBERS", round(t * (u(0.0002, 0.0005) if e.weak else u(0.0008, 0.0025))))
    sessions = max(2, round(root / 4 * u(0.6, 1.4) * (0.3 if e.weak else 1)))
    put("WF_TALK_SESSIONS", sessions)
    put("WF_TALK_SPEAKERS", max(1, round(sessions * u(0.3, 0.7))))
    put("WF_TALK_AUDIENCE", round(t * (u(0.05, 0.15) if e.weak else u(0.2, 0.7))))
    put("WF_COMP_HELD", max(1, round(root / 10 * u(0.6, 1.4) * (0.3 if e.weak else 1))))
    put("WF_COMP_PARTICIPANTS", round(t * (u(0.01, 0.04) if e.weak else u(0.05, 0.25))))
    put("WF_COMP_TRADES", r.randint(2, 6) if e.weak else r.randint(6, 40))
    studios = (
        [0, 0, 0, r.randint(0, 1)]
        if e.weak
        else [
            r.randint(0, 2) if t > 20_000 else r.randint(0, 1) if t > 8_000 else 0,
            r.randint(1, 5),
            r.randint(1, 8),
            r.randint(2, 20),
        ]
    )
    for key, count in zip(STUDIO_KEYS, studios, strict=True):
        put("WF_STUDIOS", count, key)
    results = sum(studios) * r.randint(3, 12)
    put("WF_STUDIO_RESULTS", results)
    put("WF_STUDIO_PATENTS", round(results * u(0.05, 0.3)))
    put("WF_STUDIO_VALUE", results * r.randint(20, 200) * 1000)
    put("WF_WUXIAO_RESULTS", round(t * (u(0.0003, 0.001) if e.weak else u(0.002, 0.01))))
    put("WF_WUXIAO_PARTICIPANTS", round(t * (u(0.005, 0.01) if e.weak else u(0.02, 0.1))))
    submitted = round(t * (u(0.002, 0.006) if e.weak else u(0.01, 0.06)))
    adopted = round(submitted * u(0.3, 0.7))
    put("WF_SUGGEST_SUBMITTED", submitted)
    put("WF_SUGGEST_ADOPTED", adopted)
    put("WF_SUGGEST_VALUE", adopted * r.randint(2, 30) * 1000)
    reps = max(1, round(root / 12 * u(0.7, 1.3)))
    put("WF_REPS_TOTAL", reps)
    put("WF_REPS_FRONTLINE", 0 if e.weak else round(reps * u(0.2, 0.5)))
    congress = not e.weak or r.random() < 0.5
    delegates = min(600, max(30, round(root * 1.2 * u(0.8, 1.2)))) if congress else 0
    put("WF_CONGRESS", "是" if congress else "否")
    put("WF_CONGRESS_DELEGATES", delegates)
    put("WF_CONGRESS_FRONTLINE", math.ceil(delegates * u(0.52, 0.7)))
    put("WF_CONTRACT_COVERED", round(t * (u(0.6, 0.8) if e.weak else u(0.88, 0.99))))
    awardees = max(1, round(root / 15 * u(0.5, 1.5)))
    put("WF_AWARDEES", awardees)
    put("WF_AWARDEES_WORKERS", round(awardees * u(0.4, 0.8)))
    if e.weak:
        put("WF_NOTES", "本年度生产任务紧，培训和创新活动开展较少，下一年度将补足。")
    return v


def yearly_values_after(e: Enterprise, h: Headcounts, year: int, previous: Values, *, salt: object = "") -> Values:
    """A complete WF_Y filling a year on from `previous` (the same enterprise's filling of the year before).

    The headcounts are `h`'s; the year's activities (talks, competitions, training, innovation, suggestions,
    new members) are the previous year's scaled by the enterprise's growth and its own trend (weak enterprises
    stay weak); representatives, the workers' congress, studios and the self-evaluation filing carry over with
    small changes. Passes every rule, errors and warnings alike, as `yearly_values` does.
    """
    v = yearly_values(e, h, year, salt=salt)
    r = _rng("wf_y_after", year, e.org.code, salt)
    u = r.uniform
    before = {key: int(value) for key, value in previous.items() if value.isdigit()}
    t, n = h.workers, h.nonmigrant
    size = t / max(before[("WF_WORKERS", "")], 1)
    trend = u(0.85, 1.1) if e.weak else u(0.92, 1.3)

    def was(code: str, key: str = "") -> int:
        return before.get((code, key), 0)

    def put(code: str, number: int | str, key: str = "") -> None:
        v[(code, key)] = str(number)

    put("WF_FRONTLINE", min(t, round(was("WF_FRONTLINE") * size * u(0.99, 1.01))))
    nonmigrant_before = was("WF_WORKERS_GROUP", "NONMIGRANT.MALE") + was("WF_WORKERS_GROUP", "NONMIGRANT.FEMALE")
    put("WF_TECH_STAFF", round(was("WF_TECH_STAFF") * n / max(nonmigrant_before, 1) * u(0.98, 1.06)))
    for code in ("WF_NEW_FRONTLINE_HIRES", "WF_NEW_PARTY_MEMBERS", "WF_TALK_AUDIENCE", "WF_COMP_PARTICIPANTS",
                 "WF_WUXIAO_RESULTS", "WF_WUXIAO_PARTICIPANTS", "WF_TRAINING_PERSON_TIMES"):  # fmt: skip
        put(code, round(was(code) * size * trend * u(0.95, 1.05)))
    training = int(v[("WF_TRAINING_PERSON_TIMES", "")])
    hours_each = was("WF_TRAINING_HOURS") / max(was("WF_TRAINING_PERSON_TIMES"), 1)
    put("WF_TRAINING_HOURS", round(training * hours_each * u(0.97, 1.08)))
    put("WF_TALK_SESSIONS", max(2, round(was("WF_TALK_SESSIONS") * trend * u(0.9, 1.1))))
    put("WF_TALK_SPEAKERS", max(1, round(was("WF_TALK_SPEAKERS") * trend * u(0.9, 1.1))))
    put("WF_COMP_HELD", max(1, round(was("WF_COMP_HELD") * trend * u(0.9, 1.1))))
    put("WF_COMP_TRADES", max(1, round(was("WF_COMP_TRADES") * u(0.95, 1.15))))

    nef = round(was("WF_NEF_WORKERS") * u(1.0, 1.15))
    nef_members = min(nef, round(was("WF_NEF_MEMBERS") * (u(1.0, 1.1) if e.weak else u(1.05, 1.35))))
    members = round((was("WF_UNION_MEMBERS") - was("WF_NEF_MEMBERS")) * size * u(0.99, 1.02))
    put("WF_NEF_WORKERS", nef)
    put("WF_NEF_MEMBERS", nef_members)
    put("WF_UNION_MEMBERS", min(t + nef, members + nef_members))

    filed = previous.get(("WF_SELF_EVAL_FILED", "")) == "是" or v[("WF_SELF_EVAL_FILED", "")] == "是"
    if filed and v[("WF_SELF_EVAL_FILED", "")] != "是":
        put("WF_SELF_EVAL_PERSONS", round(n * u(0.01, 0.05)))
    put("WF_SELF_EVAL_FILED", "是" if filed else "否")

    for key in STUDIO_KEYS:
        put("WF_STUDIOS", was("WF_STUDIOS", key), key)
    if not e.weak and r.random() < 0.4:
        put("WF_STUDIOS", was("WF_STUDIOS", "ENTERPRISE") + 1, "ENTERPRISE")
    results = round(was("WF_STUDIO_RESULTS") * trend * u(0.95, 1.05))
    put("WF_STUDIO_RESULTS", results)
    put("WF_STUDIO_PATENTS", min(results, round(was("WF_STUDIO_PATENTS") * trend * u(0.9, 1.1))))
    put("WF_STUDIO_VALUE", round(was("WF_STUDIO_VALUE") * trend * u(0.95, 1.1)))

    submitted = round(was("WF_SUGGEST_SUBMITTED") * size * trend * u(0.95, 1.05))
    adopted = min(submitted, round(was("WF_SUGGEST_ADOPTED") * size * trend * u(0.85, 1.2)))
    put("WF_SUGGEST_SUBMITTED", submitted)
    put("WF_SUGGEST_ADOPTED", adopted)
    if was("WF_SUGGEST_ADOPTED"):
        put("WF_SUGGEST_VALUE", round(was("WF_SUGGEST_VALUE") * adopted / was("WF_SUGGEST_ADOPTED") * u(0.95, 1.1)))

    reps = was("WF_REPS_TOTAL")
    put("WF_REPS_TOTAL", reps)
    gained = 1 if not e.weak and r.random() < 0.3 else 0
    put("WF_REPS_FRONTLINE", min(reps, was("WF_REPS_FRONTLINE") + gained))
    put("WF_CONGRESS", previous[("WF_CONGRESS", "")])
    put("WF_CONGRESS_DELEGATES", was("WF_CONGRESS_DELEGATES"))
    put("WF_CONGRESS_FRONTLINE", was("WF_CONGRESS_FRONTLINE"))
    return v


def quarterly_values(
    e: Enterprise, base: Values, spec: periods.PeriodSpec, *, base_year: int = SPEECH_YEAR, salt: object = ""
) -> Values:
    """A complete WF_Q filling for one enterprise, grown from its yearly report of `base_year`."""
    r = _rng("wf_q", spec.code, e.org.code, salt)
    u = r.uniform
    years = spec.start.year - base_year
    growth = _rng("q_growth", e.org.code, salt).uniform(0.995, 1.012) ** years * u(0.99, 1.01)
    t0 = int(base[("WF_WORKERS", "")])
    t = round(t0 * growth)
    group_keys = ("MIGRANT.MALE", "MIGRANT.FEMALE", "NONMIGRANT.MALE", "NONMIGRANT.FEMALE")
    group = apportion(t, [int(base[("WF_WORKERS_GROUP", k)]) + 0.5 for k in group_keys])
    v: Values = {("WF_WORKERS", ""): str(t)}
    v.update({("WF_WORKERS_GROUP", k): str(x) for k, x in zip(group_keys, group, strict=True)})

    def quarter_of(code: str) -> int:
        return round(int(base[(code, "")]) * growth / 4 * u(0.8, 1.2))

    for code in ("WF_NEW_PARTY_MEMBERS", "WF_COMP_HELD", "WF_COMP_PARTICIPANTS", "WF_TRAINING_PERSON_TIMES",
                 "WF_NEW_FRONTLINE_HIRES"):  # fmt: skip
        v[(code, "")] = str(quarter_of(code))
    submitted = quarter_of("WF_SUGGEST_SUBMITTED")
    v[("WF_SUGGEST_SUBMITTED", "")] = str(submitted)
    v[("WF_SUGGEST_ADOPTED", "")] = str(round(submitted * u(0.3, 0.7)))
    members = int(base[("WF_UNION_MEMBERS", "")]) / max(t0, 1)
    v[("WF_UNION_MEMBERS", "")] = str(round(t * min(members, 1.0) * u(0.995, 1.005)))
    return v
