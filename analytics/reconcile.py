"""Reported and recorded: a figure an enterprise reports in its statistics report beside the same figure
counted from the platform's own records (studios, suggestions, competitions, people), and the rule for
when they disagree.

A source of figures names the data element it mirrors (`Source.reported`, analytics/sources.py); each
such pair is compared here for one year, organisation by organisation, through the engine (the same
scope, tree history and roll-up as every other figure).

The rule (RULE, printed on the page; docs/adr/0003-analytics.md):
- The statistics stay what the accepted reports say. An indicator named after a reported data element
  (创新工作室数, 合理化建议提出数 …) reads the reports; no record overwrites a reported figure.
- Records are evidence and figures of their own: the "（平台记录）" indicators and the assessment facts
  count records, never reported numbers.
- Where both exist and differ, the difference is listed: fewer reported than recorded means the report
  left out what is on record (correct the report by reopening it, or explain in its note); more reported
  than recorded means records are missing (enter them). An organisation without an accepted report for
  the year is 未填报, not a difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics import engine, sources
from analytics.choices import Level
from analytics.engine import Query, Scope

RULE = gettext_lazy(
    "统计指标以验收的报表为准，平台记录不改写填报数；平台记录另成“平台记录”指标，考核中的平台事实一律按记录计。"
    "两者不一致时：填报数少于记录数，说明报表漏报了平台上已有的事项，应退回更正或在报表备注中说明；"
    "填报数多于记录数，说明有事项尚未录入平台，应补录记录。未报送年报的单位显示“未填报”。"
)

AGREES, UNDER, OVER, NOT_REPORTED = "agrees", "under", "over", "not_reported"
VERDICTS = {
    AGREES: gettext_lazy("一致"),
    UNDER: gettext_lazy("填报数少于记录"),
    OVER: gettext_lazy("记录少于填报数"),
    NOT_REPORTED: gettext_lazy("未填报"),
}


@dataclass(frozen=True)
class Pair:
    """A source of records and the data element reported for the same thing."""

    key: str  # the source's key
    element: str  # the data element's code
    label: str  # what both count (the element's name)
    unit: str


@dataclass(frozen=True)
class Line:
    group: str
    org_id: int | None
    name: str
    reported: Decimal | None  # None: no accepted report for the year
    recorded: Decimal
    has_children: bool = False
    # "已验收 3/5 家" when fewer reports were accepted than due: the reported figure covers part of the group,
    # the recorded one all of it.
    coverage: str = ""

    @property
    def difference(self) -> Decimal | None:
        return None if self.reported is None else self.reported - self.recorded

    @property
    def verdict(self) -> str:
        if self.reported is None:
            return NOT_REPORTED
        if self.reported == self.recorded:
            return AGREES
        return UNDER if self.reported < self.recorded else OVER

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS[self.verdict])


@dataclass(frozen=True)
class Comparison:
    pair: Pair
    year: str
    root_id: int | None
    root_name: str
    lines: list[Line]
    total: Line

    @property
    def disagreeing(self) -> list[Line]:
        return [line for line in self.lines if line.verdict in (UNDER, OVER)]


def pairs() -> list[Pair]:
    """Every registered source that mirrors a data element which exists, in the order of the elements' codes."""
    from reporting.models import DataElement

    wanted = {s.reported: s for s in sources.all_sources() if s.reported}
    if not wanted:
        return []
    names = dict(DataElement.objects.filter(code__in=wanted).values_list("code", "name"))
    return [
        Pair(key=wanted[code].key, element=code, label=names[code], unit=wanted[code].unit) for code in sorted(names)
    ]


def pair_for(key: str) -> Pair | None:
    return next((pair for pair in pairs() if pair.key == key), None)


def _plain(figures: list[engine.Figure]) -> engine.Figure | None:
    return next((figure for figure in figures if not figure.option), None)


def _lines(answer: engine.Answer) -> dict[str, engine.Figure]:
    return {figure.group: figure for figure in answer.rows if not figure.option}


def compare(scope: Scope, pair: Pair, *, year: str, org: int | None = None, level: str = Level.CHILDREN) -> Comparison:
    """The pair for `year` under `org` (the top of the scope when None), one line per group at `level`.

    Raises what the engine raises: OutOfScope for an organisation outside the scope, UserError for a bad
    year or level."""
    periods = (year,)
    reported = engine.answer(scope, Query(f"element:{pair.element}", org=org, level=level, periods=periods))
    recorded = engine.answer(scope, Query(f"source:{pair.key}", org=org, level=level, periods=periods))
    by_group = _lines(reported)
    lines = []
    for figure in recorded.rows:
        if figure.option:
            continue
        mine = by_group.pop(figure.group, None)
        lines.append(_line(mine, figure))
    for figure in by_group.values():  # reported, with nothing on record
        lines.append(_line(figure, None))
    lines.sort(key=lambda line: (line.verdict == AGREES, line.name))
    total = _line(_plain(reported.totals), _plain(recorded.totals))
    return Comparison(
        pair=pair, year=year, root_id=recorded.root_id, root_name=recorded.root_name, lines=lines, total=total
    )


def _line(reported: engine.Figure | None, recorded: engine.Figure | None) -> Line:
    figure = recorded or reported
    has_report = reported is not None and not reported.no_data and reported.value is not None
    return Line(
        group=figure.group if figure else "total",
        org_id=figure.org_id if figure else None,
        name=figure.org_name if figure else _("合计"),
        reported=reported.value if has_report else None,
        recorded=(recorded.value or Decimal(0)) if recorded is not None else Decimal(0),
        has_children=bool(figure and figure.has_children),
        coverage=reported.coverage_label if reported is not None and reported.partial else "",
    )


def overview(scope: Scope, *, year: str, org: int | None = None) -> list[tuple[Pair, Line]]:
    """Each pair's total for the whole subtree: where to look first."""
    return [(pair, compare(scope, pair, year=year, org=org, level=Level.SELF).total) for pair in pairs()]
