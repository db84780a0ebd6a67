"""The scoring rules, as pure functions over Decimals: no database, no clock, no randomness.

Every rule returns the points and the facts that explain them (`Scored.detail`, stored with the result
and printed on the score card). Every number printed is the number used in the next step, so a reader can
redo the card with a calculator (ROUNDING_TEXT, docs/adr/0004): indicator values come rounded to their
displayed decimals (assessment.scoring), attainments, percentiles, improvements and shares of the points
are rounded half-up to 0.01% (`q4`) before they are used, and points half-up to 0.01 (`q2`), once, at the
criterion; totals add the rounded points, so a score card's column adds up to its total exactly.
No ratio is unbounded: a zero target cannot be scored (the office must set one above 0), an actual 0 of
a "lower is better" indicator meets any target, and growth from last year's 0 is full growth.

Guarantees, tested as properties (assessment/tests/test_rules.py):
- monotone: better data never lowers the points (a higher value for a "higher is better" indicator,
  a lower one otherwise; a better rubric level; a larger improvement);
- bounded: 0 ≤ points ≤ the criterion's points; bonus and deduction never pass their cap.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop

from core.i18n import gettext as _  # translated once per scoring run (core/i18n.py)

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
BASIS_POINT = Decimal("0.0001")  # 0.01% of a share

ROUNDING_TEXT = gettext_noop(
    "评分表上印出的每个数都是计算实际使用的数，可以用计算器逐步复核：指标数值先按其显示的小数位四舍五入，"
    "达标率、百分位、提升幅度和得分比例保留到 0.01%（提升幅度保留两位小数）后再用于下一步，各项得分四舍五入到 0.01 分。"
)


def q2(value: Decimal) -> Decimal:
    """Round half-up to 0.01, the precision of every stored point."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q4(share: Decimal) -> Decimal:
    """Round a share half-up to 0.01% (0.0001), the precision it is printed with and used at."""
    return share.quantize(BASIS_POINT, rounding=ROUND_HALF_UP)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(9)}  # 1, 0.1, 0.01 … (made once)


def plain(value: Decimal | None, places: int = 2) -> str:
    """A number for a score card: fixed decimals, no exponent."""
    if value is None or not value.is_finite():
        return "—"
    quantum = _QUANTA.get(places) or Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):f}"


def exact(value: Decimal) -> str:
    """A setting (a floor, a cap, a full-marks improvement) as typed: every decimal it has, no trailing zeros."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class Scored:
    points: Decimal
    detail: dict = field(default_factory=dict)
    applicable: bool = True
    unresolved: bool = False


# --- Curves: a measure of performance (attainment, percentile, improvement share) to a share of the points


def linear(x: Decimal, floor: Decimal, cap: Decimal) -> Decimal:
    """0 at or below `floor`, 1 at or above `cap`, a straight line between."""
    if x >= cap:
        return ONE
    if x <= floor:
        return ZERO
    return (x - floor) / (cap - floor)


def banded(x: Decimal, bands: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The share of the highest band whose lower bound `x` reaches; 0 below every band.

    Bands are (lower bound, share); a higher band with a smaller share would break monotonicity, so the
    share taken is the largest among the bands reached.
    """
    reached = [share for lower, share in bands if x >= lower]
    return max(reached) if reached else ZERO


def share_of(x: Decimal, *, curve: str, floor: Decimal, cap: Decimal, bands) -> Decimal:
    """The share of the points for the measure `x`, rounded to 0.01% as it is printed."""
    if curve == "bands":
        return q4(banded(x, [(Decimal(str(lo)), Decimal(str(sh))) for lo, sh in bands]))
    return q4(linear(x, floor, cap))


def curve_text(*, curve: str, floor: Decimal, cap: Decimal, bands, unit: str) -> str:
    if curve == "bands":
        parts = [
            _("≥%(lower)s%(unit)s得%(share)s%%")
            % {"lower": _scaled(Decimal(str(lo)), unit), "unit": unit, "share": exact(Decimal(str(sh)) * 100)}
            for lo, sh in bands
        ]
        return _("分档计分：%(bands)s") % {"bands": "；".join(parts)}
    return _("线性计分：%(floor)s%(unit)s及以下得0分，%(cap)s%(unit)s及以上得满分，之间按比例") % {
        "floor": _scaled(floor, unit),
        "cap": _scaled(cap, unit),
        "unit": unit,
    }


def share_reason(x: Decimal, *, curve: str, floor: Decimal, cap: Decimal, bands, unit: str = "%") -> str:
    """How the measure `x` became the share of the points, in words a reader can check by hand."""
    if curve == "bands":
        reached = [(Decimal(str(lo)), Decimal(str(sh))) for lo, sh in bands if x >= Decimal(str(lo))]
        if not reached:
            return _("未达到最低一档，得分比例 0%")
        lower, share = max(reached, key=lambda band: band[1])
        return _("达到“≥%(lower)s%(unit)s”一档，得分比例 %(share)s%%") % {
            "lower": _scaled(lower, unit), "unit": unit, "share": exact(share * 100)
        }  # fmt: skip
    if x >= cap:
        return _("达到满分线，得分比例 100%")
    if x <= floor:
        return _("未超过起评线，得分比例 0%")
    share = q4((x - floor) / (cap - floor))
    return _("得分比例 = (%(x)s − %(floor)s) ÷ (%(cap)s − %(floor)s) = %(share)s%%") % {
        "x": plain(x * 100) + unit, "floor": _scaled(floor, unit) + unit, "cap": _scaled(cap, unit) + unit,
        "share": plain(share * 100),
    }  # fmt: skip


def _scaled(share: Decimal, unit: str) -> str:
    """A floor, cap or band bound as set, with every decimal it has (so the printed formula is the one used)."""
    return exact(share * 100) if unit == "%" else exact(share)


# --- Criterion kinds ---------------------------------------------------------------------------------------


def attainment(value: Decimal, target: Decimal, *, higher_is_better: bool) -> Decimal:
    """How far a target above 0 is met, to 0.01%: value ÷ target (or target ÷ value when lower is better).

    ValueError for a target of 0 or less (no attainment means anything then); a "lower is better" actual
    of 0 or less is not divided by: callers treat it as meeting the target in full."""
    if target <= 0:
        raise ValueError("attainment needs a target above 0")
    if higher_is_better:
        return q4(value / target)
    if value <= 0:
        raise ValueError("a lower-is-better actual of 0 meets any target")
    return q4(target / value)


def score_target(
    *, points: Decimal, value: Decimal | None, target: Decimal | None, higher_is_better: bool,
    curve: str, floor: Decimal, cap: Decimal, bands, value_display: str = "", target_display: str = "",
) -> Scored:  # fmt: skip
    """Attainment of an indicator against its target, with a floor and a cap (linear) or in bands."""
    rule = curve_text(curve=curve, floor=floor, cap=cap, bands=bands, unit="%")
    if target is None:
        return Scored(ZERO, {"rule": rule, "text": _("未设置目标值，需产改办补充后重新计算。")}, unresolved=True)
    if target <= 0:
        return Scored(
            ZERO,
            {"rule": rule, "target": target_display or plain(target),
             "text": _("目标值为 %(target)s，达标率（实际值 ÷ 目标值）无法计算；"
                       "需产改办设置大于 0 的目标值后重新计算。")
             % {"target": target_display or plain(target)}},
            unresolved=True,
        )  # fmt: skip
    if value is None:
        return Scored(
            ZERO,
            {"rule": rule, "target": target_display or plain(target), "text": _("本年度没有已验收的数据，不得分。")},
        )
    if not higher_is_better and value <= 0:
        # Nothing is better than none (accidents, complaints): the target is met in full, nothing divided by 0.
        got = q2(points)
        return Scored(
            got,
            {"value": value_display or plain(value), "target": target_display or plain(target), "measure": "100.00%",
             "rule": rule,
             "text": _("实际值 %(value)s，不高于目标值 %(target)s（越小越好，实际值为 0 即完全达标）；"
                       "得分比例 100%%；得分 = %(points)s × 100%% = %(got)s")
             % {"value": value_display or plain(value), "target": target_display or plain(target),
                "points": plain(points), "got": plain(got)}},
        )  # fmt: skip
    reached = attainment(value, target, higher_is_better=higher_is_better)
    share = share_of(reached, curve=curve, floor=floor, cap=cap, bands=bands)
    got = q2(points * share)
    formula = (
        _("达标率 = 实际值 %(value)s ÷ 目标值 %(target)s = %(att)s%%")
        if higher_is_better
        else _("达标率 = 目标值 %(target)s ÷ 实际值 %(value)s = %(att)s%%")
    ) % {
        "value": value_display or plain(value),
        "target": target_display or plain(target),
        "att": plain(reached * 100),
    }
    return Scored(
        got,
        {
            "value": value_display or plain(value),
            "target": target_display or plain(target),
            "measure": plain(reached * 100) + "%",
            "rule": rule,
            "text": formula
            + "；"
            + share_reason(reached, curve=curve, floor=floor, cap=cap, bands=bands)
            + _("；得分 = %(points)s × %(share)s%% = %(got)s")
            % {"points": plain(points), "share": plain(share * 100), "got": plain(got)},
        },
    )


class SortedPeers(tuple):
    """Peer values sorted ascending, as scoring passes them (sorted once per criterion), so that
    `percentile` bisects them instead of counting through all of them for every organisation:
    linear counting made a round of 5,000 organisations quadratic (bench/assessment.py)."""


def percentile(value: Decimal, peers: list[Decimal], *, higher_is_better: bool) -> Decimal:
    """The share of the other peers this value beats, ties counting half: 0 for the worst, 1 for the best.

    `peers` includes the value itself once. A peer group of one gives 1.
    """
    others = len(peers) - 1
    if others <= 0:
        return ONE
    if isinstance(peers, SortedPeers):
        below, upto = bisect.bisect_left(peers, value), bisect.bisect_right(peers, value)
        worse, ties = (below if higher_is_better else len(peers) - upto), upto - below - 1
    else:
        worse = sum(1 for p in peers if (p < value if higher_is_better else p > value))
        ties = sum(1 for p in peers if p == value) - 1
    return (Decimal(worse) + Decimal(ties) / 2) / Decimal(others)


def score_rank(
    *, points: Decimal, value: Decimal | None, peers: list[Decimal], higher_is_better: bool,
    curve: str, floor: Decimal, cap: Decimal, bands, value_display: str = "", group_label: str = "",
) -> Scored:  # fmt: skip
    """Rank among peers with data, as a percentile, turned into points by the curve."""
    rule = curve_text(curve=curve, floor=floor, cap=cap, bands=bands, unit="%")
    if value is None:
        return Scored(ZERO, {"rule": rule, "text": _("本年度没有已验收的数据，不得分。")})
    p = q4(percentile(value, peers, higher_is_better=higher_is_better))
    share = share_of(p, curve=curve, floor=floor, cap=cap, bands=bands)
    got = q2(points * share)
    return Scored(
        got,
        {
            "value": value_display or plain(value),
            "measure": _("百分位 %(p)s%%") % {"p": plain(p * 100)},
            "rule": rule,
            "text": _(
                "在%(group)s有数据的 %(n)d 家单位中位于第 %(p)s 百分位（优于其他单位的比例，并列按一半计）；"
                "%(reason)s；得分 = %(points)s × %(share)s%% = %(got)s"
            )
            % {
                "group": group_label or _("同类单位"),
                "n": len(peers),
                "p": plain(p * 100),
                "reason": share_reason(p, curve=curve, floor=floor, cap=cap, bands=bands),
                "points": plain(points),
                "share": plain(share * 100),
                "got": plain(got),
            },
        },
    )


def improvement(value: Decimal, last: Decimal, *, is_rate: bool, higher_is_better: bool) -> Decimal | None:
    """The improvement on last year, to 0.01: the difference for ratios (`is_rate`: percentage points for a
    percentage, the ratio's own unit otherwise), percent growth for amounts; positive is better. None when
    last year was 0 for a growth: no percentage of nothing exists (score_improvement says what it scores)."""
    if is_rate:
        change = value - last
    elif last == 0:
        return None
    else:
        change = (value - last) / abs(last) * 100
    return q2(change if higher_is_better else -change)


def score_improvement(
    *, points: Decimal, value: Decimal | None, last: Decimal | None, full_at: Decimal | None, is_rate: bool,
    higher_is_better: bool, value_display: str = "", last_display: str = "", change_unit: str | None = None,
) -> Scored:  # fmt: skip
    """Improvement on last year: 0 for none (or a decline), full points at `full_at`, linear between.

    A ratio (`is_rate`) improves by the difference, in its own unit (`change_unit`: 个百分点 for a
    percentage, the default; 学时 for training hours per worker); other figures by percent growth.
    Without last year's figure the criterion does not apply (the organisation cannot be judged on a
    change nobody measured); without this year's it scores 0.
    """
    unit = (_("个百分点") if change_unit is None else change_unit) if is_rate else "%"
    rule = _("较上年提升 0 及以下得0分，提升 %(full)s%(unit)s及以上得满分，之间按比例") % {
        "full": exact(full_at) if full_at is not None else "—",
        "unit": unit,
    }
    if full_at is None or full_at <= 0:
        return Scored(ZERO, {"rule": rule, "text": _("未设置满分提升幅度，需产改办补充后重新计算。")}, unresolved=True)
    if last is None:
        return Scored(ZERO, {"rule": rule, "text": _("上年没有已验收的数据，本项不适用。")}, applicable=False)
    if value is None:
        return Scored(ZERO, {"rule": rule, "text": _("本年度没有已验收的数据，不得分。")})
    change = improvement(value, last, is_rate=is_rate, higher_is_better=higher_is_better)
    if change is None:
        # Growth from last year's 0: any rise is full growth, none (or a rise of a "lower is better" figure) none.
        better = value > last if higher_is_better else value < last
        share = ONE if better else ZERO
        got = q2(points * share)
        return Scored(
            got,
            {"value": value_display or plain(value), "last": last_display or plain(last), "measure": "—",
             "rule": rule,
             "text": _("本年 %(value)s，上年 %(last)s；上年为 0，无法计算增长百分比，%(reason)s；"
                       "得分 = %(points)s × %(share)s%% = %(got)s")
             % {"value": value_display or plain(value), "last": last_display or plain(last),
                "reason": _("有改善按达到满分幅度计，得分比例 100%") if better else _("没有改善，得分比例 0%"),
                "points": plain(points), "share": plain(share * 100), "got": plain(got)}},
        )  # fmt: skip
    share = q4(linear(change, ZERO, full_at))
    got = q2(points * share)
    return Scored(
        got,
        {
            "value": value_display or plain(value),
            "last": last_display or plain(last),
            "measure": plain(change) + unit,
            "rule": rule,
            "text": _(
                "本年 %(value)s，上年 %(last)s，提升 %(change)s%(unit)s；%(reason)s；"
                "得分 = %(points)s × %(share)s%% = %(got)s"
            )
            % {
                "value": value_display or plain(value),
                "last": last_display or plain(last),
                "change": plain(change),
                "unit": unit,
                "reason": _improvement_reason(change, full_at, unit),
                "points": plain(points),
                "share": plain(share * 100),
                "got": plain(got),
            },
        },
    )


def _improvement_reason(change: Decimal, full_at: Decimal, unit: str) -> str:
    if change >= full_at:
        return _("达到满分幅度，得分比例 100%")
    if change <= 0:
        return _("没有提升，得分比例 0%")
    return _("得分比例 = %(change)s ÷ %(full)s = %(share)s%%") % {
        "change": plain(change) + unit, "full": exact(full_at) + unit, "share": plain(q4(change / full_at) * 100)
    }  # fmt: skip


def score_fact(*, points: Decimal, share: Decimal | None, text: str, rule: str) -> Scored:
    """A fact of the platform: `share` of the points (1 = met, 0 = not met, between for partly met)."""
    if share is None:
        return Scored(ZERO, {"rule": rule, "text": text}, applicable=False)
    share = q4(min(ONE, max(ZERO, share)))
    got = q2(points * share)
    return Scored(got, {"rule": rule, "text": text, "measure": plain(share * 100) + "%"})


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    share: Decimal
    description: str = ""


@dataclass(frozen=True)
class Rated:
    rater: str
    level: str
    comment: str = ""
    evidence: str = ""


def combine(shares: list[Decimal], rule: str) -> Decimal | None:
    """The raters' shares as one: mean; trimmed mean (drop one highest and one lowest when there are three
    or more); consensus (only when all agree, else None: the office must calibrate)."""
    if not shares:
        return None
    if rule == "consensus":
        return shares[0] if len(set(shares)) == 1 else None
    if rule == "trimmed_mean" and len(shares) >= 3:
        shares = sorted(shares)[1:-1]
    return sum(shares, ZERO) / len(shares)


COMBINE_TEXT = {
    "mean": gettext_noop("取各评分人平均"),
    "trimmed_mean": gettext_noop("去掉一个最高和一个最低后平均（不足三人时直接平均）"),
    "consensus": gettext_noop("各评分人意见一致时采用，不一致由产改办校准"),
}


def score_qualitative(
    *, points: Decimal, levels: list[Level], ratings: list[Rated], rule: str,
    calibrated: tuple[str, str] | None = None,
) -> Scored:  # fmt: skip
    """A rubric rated by named raters, combined by `rule`; a calibration by the office replaces the result."""
    by_code = {lv.code: lv for lv in levels}
    rubric = "；".join(f"{lv.label} {plain(lv.share * 100, 0)}%" for lv in levels)
    raters = [
        {"rater": r.rater, "level": by_code[r.level].label if r.level in by_code else r.level,
         "comment": r.comment, "evidence": r.evidence}
        for r in ratings
    ]  # fmt: skip
    base = {"rule": _("评分等级：%(rubric)s；%(combine)s") % {"rubric": rubric, "combine": _(COMBINE_TEXT[rule])},
            "raters": raters}  # fmt: skip
    if calibrated is not None:
        level, reason = calibrated
        lv = by_code[level]
        got = q2(points * lv.share)
        return Scored(
            got,
            {**base, "measure": lv.label,
             "text": _("产改办校准为“%(level)s”（%(reason)s）；得分 = %(points)s × %(share)s%% = %(got)s")
             % {"level": lv.label, "reason": reason, "points": plain(points), "share": plain(lv.share * 100),
                "got": plain(got)}},
        )  # fmt: skip
    shares = [by_code[r.level].share for r in ratings if r.level in by_code]
    if not shares:
        return Scored(ZERO, {**base, "text": _("尚无评分。")}, unresolved=True)
    share = combine(shares, rule)
    if share is None:
        return Scored(ZERO, {**base, "text": _("评分人意见不一致，待产改办校准。")}, unresolved=True)
    share = q4(share)
    got = q2(points * share)
    return Scored(
        got,
        {**base, "measure": plain(share * 100) + "%",
         "text": _("%(n)d 位评分人，合成得分比例 %(share)s%%；得分 = %(points)s × %(share)s%% = %(got)s")
         % {"n": len(shares), "share": plain(share * 100), "points": plain(points), "got": plain(got)}},
    )  # fmt: skip


@dataclass(frozen=True)
class Event:
    item: str
    label: str
    points: Decimal
    note: str = ""


def score_capped_sum(*, cap: Decimal, events: list[Event], deduction: bool) -> Scored:
    """Bonus or deduction: the sum of the events' points, never more than `cap`."""
    raw = sum((e.points for e in events), ZERO)
    got = q2(min(cap, raw))
    listed = [{"item": e.label, "points": plain(e.points), "note": e.note} for e in events]
    if not events:
        text = _("无扣分事项。") if deduction else _("无加分事项。")
    elif raw > cap:
        text = _("合计 %(raw)s 分，超过上限 %(cap)s 分，按上限计。") % {"raw": plain(raw), "cap": plain(cap)}
    else:
        text = _("合计 %(raw)s 分（上限 %(cap)s 分）。") % {"raw": plain(raw), "cap": plain(cap)}
    return Scored(got, {"events": listed, "rule": _("上限 %(cap)s 分") % {"cap": plain(cap)}, "text": text})


def grade_by_thresholds(total: Decimal, thresholds: dict[str, Decimal], order: list[str]) -> str:
    """The best grade whose threshold `total` reaches; the last grade of `order` otherwise."""
    for grade in order[:-1]:
        if grade in thresholds and total >= thresholds[grade]:
            return grade
    return order[-1]


def grades_by_quotas(
    totals: list[tuple[object, Decimal]], quotas: dict[str, Decimal], pass_line: Decimal, order: list[str]
) -> dict[object, str]:
    """Grades by share of the round, best totals first: the first grades take their quota (rounded half-up
    of the count; ties with the last one in a quota share its grade), the rest pass if they reach
    `pass_line`, else fail."""
    ranked = sorted(totals, key=lambda kv: -kv[1])
    n = len(ranked)
    result: dict[object, str] = {}
    i = 0
    for grade in order[:-2]:
        take = int(q2(Decimal(n) * quotas.get(grade, ZERO) / 100).to_integral_value(rounding=ROUND_HALF_UP))
        end = min(n, i + take)
        while end < n and end > i and ranked[end][1] == ranked[end - 1][1]:
            end += 1
        for key, _total in ranked[i:end]:
            result[key] = grade
        i = end
    for key, total in ranked[i:]:
        result[key] = order[-2] if total >= pass_line else order[-1]
    return result


def cap_grade(grade: str, cap: str, order: list[str]) -> str:
    """The worse of `grade` and `cap`."""
    return order[max(order.index(grade), order.index(cap))]


def competition_ranks(totals: list[tuple[object, Decimal]]) -> dict[object, int]:
    """1, 2, 2, 4 …: equal totals share a rank and the next rank skips."""
    ranked = sorted(totals, key=lambda kv: -kv[1])
    ranks: dict[object, int] = {}
    previous, rank = None, 0
    for position, (key, total) in enumerate(ranked, start=1):
        if total != previous:
            rank, previous = position, total
        ranks[key] = rank
    return ranks
