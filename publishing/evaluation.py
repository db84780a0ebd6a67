"""The evaluation report (评估报告) drafted from the platform's data: a list of sections other apps add to.

A section is registered with `section(key, title, order=…)` on a function `build(ctx) -> Content | None` that reads
its app's figures for the report's year and scope (the province: the report is the office's); None leaves the
section out (its app has nothing yet). The publishing app registers the built-in ones:

    overview    (10)  the leaders' dashboard figures for the year, each with its 口径 (analytics, province scope)
    records     (45)  each figure both reported and kept as records, side by side (analytics/reconcile.py)
    assessment  (50)  the latest published assessment round of the year: participants, average, grades, dimensions
    alerts      (60)  the reform ledger's alerts: open now by kind, raised and cleared in the year
    publishing  (70)  information submitted and used, newsletter issues issued
    analysis    (90)  a placeholder for the office's own analysis (achievements, problems, next steps)

    # sites/declarations.py (or its AppConfig.ready()), later:
    from publishing import evaluation

    @evaluation.section("sites", _("示范点建设"), order=30)
    def sites_section(ctx):
        return evaluation.Content(paragraphs=[…], tables=[evaluation.Table(…)])

`build_snapshot(kind, year, as_of)` runs every section once into plain JSON (the report's inputs); the .docx and
the PDF are drawn from that alone (evaluation_files.py), so a kept file can be drawn again identically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Content:
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    placeholder: bool = False  # the office writes this section itself
    charts: list[dict] = field(default_factory=list)  # core.charts.Chart.as_dict(): data, drawn by the files


@dataclass(frozen=True)
class Context:
    kind: str  # "annual" or "four_year"
    year: int
    as_of: dt.date

    @property
    def first_year(self) -> int:
        """The first year the report covers: the year itself, or the four reform years ending with it."""
        return self.year - 3 if self.kind == "four_year" else self.year


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    order: int
    build: Callable[[Context], Content | None]


SECTIONS: dict[str, Section] = {}
KINDS = {"annual": gettext_lazy("年度评估报告"), "four_year": gettext_lazy("产改四年评估报告")}
NO_DATA = "无数据"


def section(key: str, title, *, order: int = 50):
    """Register `build(ctx)` as the report's section `key` (decorator; registering the key again replaces it)."""

    def wrap(build: Callable[[Context], Content | None]):
        SECTIONS[key] = Section(key, title, order, build)
        return build

    return wrap


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def title_for(kind: str, year: int) -> str:
    if kind == "four_year":
        return _("云南省产业工人队伍建设改革四年评估报告（%(first)d—%(year)d年）") % {"first": year - 3, "year": year}
    return _("云南省产业工人队伍建设改革%(year)d年度评估报告") % {"year": year}


def build_snapshot(*, kind: str, year: int, as_of: dt.date, progress: Callable[[int, int], None] | None = None) -> dict:
    """Every section's content for the report, as plain JSON (the inputs kept with its files)."""
    ctx = Context(kind=kind, year=year, as_of=as_of)
    found = []
    registered = sections()
    for index, entry in enumerate(registered, start=1):
        content = entry.build(ctx)
        if content is not None:
            found.append({"key": entry.key, "title": str(entry.title), **asdict(content)})
        if progress is not None:
            progress(index, len(registered))
    return {
        "kind": kind,
        "year": year,
        "as_of": as_of.isoformat(),
        "title": title_for(kind, year),
        "scope": _("全省（云南省）"),
        "subtitle": _("（征求意见稿 · 由产改通根据 %(day)s 的平台数据生成）") % {"day": f"{as_of:%Y年%m月%d日}"},
        "sections": found,
    }


# --- The built-in sections -----------------------------------------------------------------------------------


@section("overview", gettext_lazy("总体情况"), order=10)
def overview(ctx: Context) -> Content:
    from analytics.engine.dashboard import dashboard_tiles
    from analytics.engine.scope import Scope

    board = dashboard_tiles(Scope.province(), year=str(ctx.year))
    rows = [
        [
            tile.label,
            NO_DATA if tile.value is None else tile.display,
            tile.target_display or "—",
            tile.scope or "—",
        ]
        for tile in board.tiles
    ]
    paragraphs = [
        _("以下为%(year)d年度全省范围（%(root)s）的主要指标，数据来自已审核通过的统计报表和平台记录，口径见表。")
        % {"year": ctx.year, "root": board.root_name or _("云南省")}
    ]
    if board.completeness is not None:
        c = board.completeness
        paragraphs.append(
            _("%(period)s统计报表应报 %(expected)d 家，已审核通过 %(accepted)d 家。")
            % {"period": c.period_label, "expected": c.expected, "accepted": c.accepted}
        )
    note = _("“无数据”表示该指标本年度尚无已审核的数据，不是 0。")
    tables = [Table(_("主要指标"), [_("指标"), _("数值"), _("目标"), _("口径")], rows, note)] if rows else []
    weakest = _weakest_rows(board.tiles)
    if weakest:
        tables.append(
            Table(
                _("比率偏低的企业（每项最低的 3 家）"),
                [_("指标"), _("企业"), _("数值"), _("全省")],
                weakest,
                _("按企业（含下属单位）汇总；低于全省水平较多的企业是督促和指导的重点。"),
            )  # fmt: skip
        )
    return Content(paragraphs=paragraphs, tables=tables, charts=_trend_charts(board.tiles))


def _weakest_rows(tiles) -> list[list[str]]:
    """The three enterprises lowest on each key rate that has a province value (the dashboard's weakest)."""
    rows = []
    for tile in tiles:
        if not tile.is_rate or tile.value is None:
            continue
        for _org_id, name, _value, display in tile.weakest[:3]:
            rows.append([tile.label, name, display, tile.display])
    return rows


def _trend_charts(tiles) -> list[dict]:
    """The key rates' five-year trend as one line chart (rates share a unit; counts and sizes do not)."""
    from core.charts import LINE, Chart

    rates = [tile for tile in tiles if tile.is_rate and any(value is not None for _year, value in tile.trend)]
    if not rates:
        return []
    years = [year for year, _value in rates[0].trend]
    chart = Chart(
        kind=LINE,
        title=_("主要比率指标近五年走势"),
        categories=[_("%(year)s年") % {"year": year} for year in years],
        series=[(tile.label, [None if v is None else float(v) for _y, v in tile.trend]) for tile in rates],
        unit="%",
        note=_("空缺的年份尚无已审核的数据。"),
    )
    return [chart.as_dict()]


@section("records", gettext_lazy("建功立业和先进人物：填报与平台记录"), order=45)
def records(ctx: Context) -> Content | None:
    """Each figure the statistics report asks and the platform also keeps as records (studios, suggestions,
    competitions, the talent pool …), province-wide for the year, side by side under the one rule of
    analytics/reconcile.py; grows with every source that names its reported data element."""
    from analytics import reconcile
    from analytics.engine.scope import Scope
    from core.formatting import wan

    lines = reconcile.overview(Scope.province(), year=str(ctx.year))
    if not lines:
        return None
    rows = [
        [
            pair.label,
            NO_DATA if total.reported is None else wan(total.reported),
            wan(total.recorded),
            total.verdict_label,
        ]
        for pair, total in lines
    ]
    paragraphs = [
        _(
            "下表对照%(year)d年全省统计报表的填报数和平台上逐条登记的记录数（创新工作室、合理化建议和五小、"
            "劳动和技能竞赛、人才库等）。%(rule)s"
        )
        % {"year": ctx.year, "rule": reconcile.RULE}
    ]
    disagreeing = sum(1 for _pair, total in lines if total.verdict in (reconcile.UNDER, reconcile.OVER))
    if disagreeing:
        paragraphs.append(
            _("%(n)d 项填报数与记录数不一致，逐单位的差额见平台“统计分析 › 填报与记录对照”。") % {"n": disagreeing}
        )
    table = Table(_("填报数与平台记录数"), [_("项目"), _("报表填报数"), _("平台记录数"), _("结论")], rows)
    return Content(paragraphs=paragraphs, tables=[table])


@section("assessment", gettext_lazy("量化考核结果"), order=50)
def assessment(ctx: Context) -> Content | None:
    from assessment import queries
    from assessment.models import Round

    found = (
        Round.objects.filter(framework__year=ctx.year, published__isnull=False)
        .select_related("framework", "published")
        .order_by("-id")
        .first()
    )
    if found is None:
        return Content(paragraphs=[_("%(year)d年度尚无已公布的量化考核结果。") % {"year": ctx.year}])
    summary = queries.summary(found.published)
    average = "—" if summary.average is None else f"{summary.average:.2f}"
    paragraphs = [
        _("%(round)s共考核 %(count)d 家单位，平均得分 %(average)s 分；否决 %(vetoed)d 家，申诉 %(appeals)d 件。")
        % {
            "round": found.name,
            "count": summary.count,
            "average": average,
            "vetoed": summary.vetoed,
            "appeals": summary.appeals,
        }  # fmt: skip
    ]
    grades = Table(_("等次分布"), [_("等次"), _("单位数")], [[label, str(n)] for _g, label, n in summary.grades])
    dimensions = Table(
        _("各维度平均得分"),
        [_("维度"), _("满分"), _("平均得分")],
        [[d.name, f"{d.points}", "—" if v is None else f"{v:.2f}"] for d, v in summary.dimensions],
    )
    return Content(paragraphs=paragraphs, tables=[grades, dimensions])


@section("alerts", gettext_lazy("存在的问题：产改预警"), order=60)
def alerts(ctx: Context) -> Content:
    from django.db.models import Q

    from ledger.choices import AlertKind
    from ledger.models import Alert

    start, end = dt.date(ctx.first_year, 1, 1), dt.date(ctx.year, 12, 31)
    in_period = Alert.objects.filter(since__lte=end).filter(Q(cleared_on__isnull=True) | Q(cleared_on__gte=start))
    open_now = Alert.objects.filter(cleared_on__isnull=True)
    rows = []
    for kind, label in AlertKind.choices:
        rows.append([str(label), str(in_period.filter(kind=kind).count()), str(open_now.filter(kind=kind).count())])
    total, still = in_period.count(), open_now.count()
    paragraphs = [
        _("评估期内（%(first)d—%(year)d年）共出现产改预警 %(total)d 条，截至 %(day)s 仍未解除 %(open)d 条。")
        % {
            "first": ctx.first_year,
            "year": ctx.year,
            "total": total,
            "day": f"{ctx.as_of:%Y年%m月%d日}",
            "open": still,
        }  # fmt: skip
        if ctx.kind == "four_year"
        else _("%(year)d年度共出现产改预警 %(total)d 条，截至 %(day)s 仍未解除 %(open)d 条。")
        % {"year": ctx.year, "total": total, "day": f"{ctx.as_of:%Y年%m月%d日}", "open": still}
    ]
    tables = [Table(_("预警分类统计"), [_("预警类型"), _("评估期内出现"), _("目前未解除")], rows)]
    lagging = _lagging_rows(open_now)
    if lagging:
        tables.append(
            Table(
                _("未解除预警最多的单位（前 10 家）"),
                [_("单位"), _("未解除预警"), _("预警类型")],
                lagging,
                _("督促和指导的重点；各单位的预警原因和依据见平台“产改台账 › 预警”。"),
            )  # fmt: skip
        )
    return Content(paragraphs=paragraphs, tables=tables)


def _lagging_rows(open_now) -> list[list[str]]:
    """The ten organisations with the most open alerts, with the kinds they have (one grouped query, one lookup)."""
    from django.db.models import Count

    from ledger.choices import AlertKind
    from orgs.models import Organisation

    top = list(open_now.values("org_id").annotate(n=Count("id")).order_by("-n", "org_id")[:10])
    if not top:
        return []
    ids = [row["org_id"] for row in top]
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    kinds: dict[int, set[str]] = {}
    for org_id, kind in open_now.filter(org_id__in=ids).values_list("org_id", "kind"):
        kinds.setdefault(org_id, set()).add(kind)
    labels = dict(AlertKind.choices)
    return [
        [names.get(row["org_id"], "—"), str(row["n"]), "、".join(str(labels[k]) for k in sorted(kinds[row["org_id"]]))]
        for row in top
    ]


@section("publishing", gettext_lazy("信息报送和宣传"), order=70)
def publishing(ctx: Context) -> Content:
    from core import deadlines
    from publishing.choices import IssueStatus, SubmissionStatus
    from publishing.models import Issue, Submission

    start = deadlines.start_of_day(dt.date(ctx.first_year, 1, 1))
    end = deadlines.start_of_day(dt.date(ctx.year + 1, 1, 1))
    submitted = Submission.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end)
    used = submitted.filter(status=SubmissionStatus.USED).count()
    orgs = submitted.values("org").distinct().count()
    issued = Issue.objects.filter(
        status=IssueStatus.ISSUED, date__gte=dt.date(ctx.first_year, 1, 1), date__lte=dt.date(ctx.year, 12, 31)
    ).count()
    return Content(
        paragraphs=[
            _(
                "评估期内 %(orgs)d 家单位报送信息 %(n)d 条，被快报采用 %(used)d 条；"
                "印发《云南工会通讯（快报）》%(issues)d 期。"
            )
            % {"orgs": orgs, "n": submitted.count(), "used": used, "issues": issued}
        ]
    )


@section("analysis", gettext_lazy("成效、问题和下一步工作（由产改办撰写）"), order=90)
def analysis(ctx: Context) -> Content:
    return Content(
        paragraphs=[
            _(
                "【此处由产改办撰写：主要成效和经验做法；存在的问题和不足（可参考上文预警和考核结果）；下一步工作安排。】"
            )
        ],
        placeholder=True,
    )
