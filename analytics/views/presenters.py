"""An engine answer laid out for the pages: the pivot table (rows × periods × options, with the links to
go down a level or through to the reports, and the same layout as an .xlsx table) and the chart spec
charts.js draws. Both are used by more than one page (the pivot, its export, the charts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from analytics import engine
from analytics.choices import Level
from analytics.exports import Column, Table
from analytics.views.common import as_float, page_url

CHART_TOP = 20
LINE_SERIES = 8


# --- The pivot table --------------------------------------------------------------------------------------------


def _column_kind(answer) -> str:
    if answer.unit == "%":
        return "percent" if answer.decimals == 2 else f"percent:{answer.decimals}"
    return "count" if answer.decimals == 0 else f"decimal:{answer.decimals}"


@dataclass
class PivotColumn:
    period: str
    period_label: str
    option: str
    option_label: str

    @property
    def label(self) -> str:
        return f"{self.period_label} {self.option_label}".strip()


@dataclass
class PivotCell:
    figure: engine.Figure | None
    drill_url: str = ""
    change: engine.Change | None = None


@dataclass
class PivotRow:
    group: str
    name: str
    org_id: int | None
    down_url: str = ""
    cells: list[PivotCell] = field(default_factory=list)


class Pivot:
    """An answer laid out as rows (groups) × columns (periods × options), with the links behind it."""

    def __init__(
        self,
        answer: engine.Answer,
        params: dict,
        layout: str = "period",
        *,
        comparison: engine.Comparison | None = None,
        targets: dict[str, engine.Target] | None = None,
    ):
        self.answer = answer
        self.params = params
        self.comparison = comparison
        changes = comparison.by_figure() if comparison else {}
        options = answer.options or [("", "")]
        if layout == "option" and answer.options:
            pairs = [(p, o) for o in options for p in answer.periods]
        else:
            pairs = [(p, o) for p in answer.periods for o in options]
        self.columns = [PivotColumn(p[0], p[1], o[0], o[1]) for p, o in pairs]
        self.has_options = bool(answer.options)
        index = {(c.period, c.option): i for i, c in enumerate(self.columns)}

        rows: dict[str, PivotRow] = {}
        for figure in answer.rows:
            row = rows.get(figure.group)
            if row is None:
                row = rows[figure.group] = PivotRow(
                    figure.group, figure.org_name, figure.org_id, self._down_url(figure)
                )
                row.cells = [PivotCell(None) for _c in self.columns]
            position = index.get((figure.period, figure.option))
            if position is not None:
                change = changes.get((figure.group, figure.option, figure.period))
                row.cells[position] = PivotCell(figure, self._drill_url(figure), change)
        self.rows = list(rows.values())
        self.total = PivotRow("total", _("合计"), answer.root_id)
        self.total.cells = [PivotCell(None) for _c in self.columns]
        for figure in answer.totals:
            position = index.get((figure.period, figure.option))
            if position is not None:
                change = changes.get((figure.group, figure.option, figure.period))
                self.total.cells[position] = PivotCell(figure, self._drill_url(figure), change)
        # The year's target of the organisation (its own, else the province's), under the total of each
        # year's column; a disaggregated column has none.
        targets = targets or {}
        self.targets = [targets.get(c.period) if not c.option else None for c in self.columns]
        self.has_targets = any(self.targets)
        self.has_coverage = any(f.has_coverage for f in answer.totals)

    def _down_url(self, figure: engine.Figure) -> str:
        kind, _sep, key = figure.group.partition(":")
        if kind == "org" and figure.has_children:
            # Within a prefecture (from the map) the level below stays in that prefecture, so it adds up
            # to the row clicked.
            region = self.answer.query.region or ""
            return page_url(
                "analytics:pivot", {**self.params, "org": figure.org_id, "level": Level.CHILDREN, "region": region}
            )
        if kind == "region" and key:
            return page_url("analytics:pivot", {**self.params, "region": key, "level": Level.ENTERPRISE})
        return ""

    def _drill_url(self, figure: engine.Figure) -> str:
        kind, _sep, key = figure.group.partition(":")
        params = {"measure": self.answer.measure, "period": figure.period, "option": figure.option}
        if kind in ("org", "own"):
            params["org"] = figure.org_id
            params["own"] = "1" if kind == "own" else ""
            # In a prefecture's view (from the map) only the reports located in that prefecture make up the
            # figure, not the organisation's whole subtree.
            params["region"] = self.answer.query.region or ""
        elif kind == "region":
            params.update(org=self.answer.root_id, region=key or "-")
        elif kind == "total":
            params.update(org=self.answer.root_id, region=self.answer.query.region or "")
        else:
            return ""
        if self.answer.query.include_submitted:
            return ""  # drill-through lists accepted reports only; submitted ones would not add up
        return page_url("analytics:drill_through", params)

    def table(self, *, title: str, notes: list[str]) -> Table:
        """The same layout for the .xlsx export: values, each one's change beside it when comparing, for
        rates each cell's numerator and denominator, and the year's target under the total."""
        kind = _column_kind(self.answer)
        unit = f"（{self.answer.unit}）" if self.answer.unit else ""
        comparison = self.comparison
        covered = any(f.has_coverage for f in (*self.answer.rows, *self.answer.totals))
        columns = [Column(_("单位 / 分组"))]
        for column in self.columns:
            columns.append(Column(f"{column.label}{unit}", kind))
            if comparison:
                change_kind = "points" if self.answer.is_rate else "growth"
                columns.append(Column(f"{column.label} {comparison.label}（{comparison.unit}）", change_kind))
            if self.answer.is_rate:
                columns += [
                    Column(f"{column.label} {_('分子')}", "decimal:0"),
                    Column(f"{column.label} {_('分母')}", "decimal:0"),
                ]
            if covered:
                columns.append(Column(f"{column.label} {_('已验收/应报（家）')}"))

        def values(row: PivotRow) -> list:
            line: list = [row.name]
            for cell in row.cells:
                figure = cell.figure
                line.append(figure.value if figure else None)
                if comparison:
                    line.append(cell.change.change if cell.change else None)
                if self.answer.is_rate:
                    line += [figure.numerator if figure else None, figure.denominator if figure else None]
                if covered:
                    line.append(f"{figure.accepted}/{figure.due}" if figure and figure.has_coverage else None)
            return line

        rows = [values(r) for r in self.rows] + [values(self.total)]
        if self.has_targets:
            line: list = [_("年度目标")]
            for target in self.targets:
                line.append(target.value if target else None)
                line += [None] * ((1 if comparison else 0) + (2 if self.answer.is_rate else 0) + (1 if covered else 0))
            rows.append(line)
            described = [
                _("%(year)s年 %(value)s（%(owner)s）") % {"year": t.year, "value": t.display, "owner": t.owner}
                for t in dict.fromkeys(t for t in self.targets if t)
            ]
            notes = [*notes, _("目标：%(list)s") % {"list": "；".join(described)}]
        if covered:
            notes = [
                *notes,
                _("已验收/应报：该单位或分组该报告期已验收报表的单位数 / 应报单位数；未报齐时数字只含已验收部分。"),
            ]
        if comparison:
            notes = [*notes, *comparison.notes]
        return Table(title=title, columns=columns, rows=rows, notes=notes, sheet_title=self.answer.label)


# --- Charts ---------------------------------------------------------------------------------------------------


def coverage_notes(answer: engine.Answer) -> list[str]:
    """One line per period (and option) of the total's coverage: 2026年第二季度 已验收 12/60 家."""
    return [
        f"{f.period_label}{(' ' + f.option_label) if f.option_label else ''} {f.coverage_label}"
        for f in answer.totals
        if f.has_coverage and not f.option
    ]


def figure_label(figure: engine.Figure | None) -> str:
    return figure.display if figure is not None else "—"


def figure_note(figure: engine.Figure | None) -> str:
    """What a chart's tooltip adds after a figure: its coverage (已验收 x/y 家), where known."""
    return figure.coverage_label if figure is not None else ""


def _chart_url(fig: engine.Figure, pivot: Pivot) -> str:
    kind = fig.group.partition(":")[0]
    if kind in ("org", "region"):
        return pivot._down_url(fig) or pivot._drill_url(fig)
    return pivot._drill_url(fig)


def chart_spec(answer: engine.Answer, kind: str, pivot: Pivot, *, title: str = "") -> dict:
    """What charts.js draws: categories, series of values with their Chinese labels, and click targets."""
    spec: dict = {
        "kind": kind,
        "title": title or answer.label,
        "unit": answer.unit,
        "as_of": answer.as_of_label,
        "axis_format": "percent" if answer.unit == "%" else "wan",
        "series": [],
        "categories": [],
    }
    last_period = answer.periods[-1][0] if answer.periods else ""
    if kind == "line":
        spec["categories"] = [label for _code, label in answer.periods]
        totals = {f.period: f for f in answer.totals if not f.option}
        series = [
            {
                "name": answer.root_name,
                "values": [as_float(totals[p].value) if p in totals else None for p, _l in answer.periods],
                "labels": [figure_label(totals.get(p)) for p, _l in answer.periods],
                "notes": [figure_note(totals.get(p)) for p, _l in answer.periods],
            }
        ]
        for row in pivot.rows[:LINE_SERIES]:
            cells = {c.figure.period: c.figure for c in row.cells if c.figure and not c.figure.option}
            series.append(
                {
                    "name": row.name,
                    "values": [as_float(cells[p].value) if p in cells else None for p, _l in answer.periods],
                    "labels": [figure_label(cells.get(p)) for p, _l in answer.periods],
                    "notes": [figure_note(cells.get(p)) for p, _l in answer.periods],
                }
            )
        spec["series"] = series
        return spec
    figures = [f for f in answer.rows if f.period == last_period]
    if kind != "stacked" or answer.options:
        spec["title"] = f"{spec['title']}（{dict(answer.periods).get(last_period, '')}）"
    if kind == "stacked" and answer.options:
        groups: dict[str, str] = {}
        for f in figures:
            groups.setdefault(f.group, f.org_name)
        spec["categories"] = list(groups.values())
        for option, option_label in answer.options:
            by_group = {f.group: f for f in figures if f.option == option}
            spec["series"].append(
                {
                    "name": option_label,
                    "values": [as_float(by_group[g].value) if g in by_group else None for g in groups],
                    "labels": [figure_label(by_group.get(g)) for g in groups],
                    "notes": [figure_note(by_group.get(g)) for g in groups],
                    "urls": [_chart_url(by_group[g], pivot) if g in by_group else "" for g in groups],
                }
            )
        return spec
    if kind == "stacked":
        # Without a disaggregation there is nothing to stack: the periods side by side instead.
        spec["kind"] = "bar"
        groups = {}
        for f in answer.rows:
            if not f.option:
                groups.setdefault(f.group, f.org_name)
        spec["categories"] = list(groups.values())
        for code, label in answer.periods:
            by_group = {f.group: f for f in answer.rows if f.period == code and not f.option}
            spec["series"].append(
                {
                    "name": label,
                    "values": [as_float(by_group[g].value) if g in by_group else None for g in groups],
                    "labels": [figure_label(by_group.get(g)) for g in groups],
                    "notes": [figure_note(by_group.get(g)) for g in groups],
                    "urls": [_chart_url(by_group[g], pivot) if g in by_group else "" for g in groups],
                }
            )
        return spec
    figures = [f for f in figures if not f.option]
    if kind == "ranking":
        figures = sorted((f for f in figures if f.value is not None), key=lambda f: f.value, reverse=True)[:CHART_TOP]
    spec["categories"] = [f.org_name for f in figures]
    period_label = dict(answer.periods).get(last_period, "")
    spec["series"] = [
        {
            "name": f"{answer.label}（{period_label}）",
            "values": [as_float(f.value) for f in figures],
            "labels": [figure_label(f) for f in figures],
            "notes": [figure_note(f) for f in figures],
            "urls": [_chart_url(f, pivot) for f in figures],
        }
    ]
    return spec
