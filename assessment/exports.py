"""Score cards and the provincial summary as files: .xlsx (openpyxl) and PDF (WeasyPrint over HTML).

Both formats are laid out from the same rows (`card_rows`, `summary_tables`), which come from the reads
the pages use (queries.score_card, queries.summary, queries.ranking) over the stored results: nothing is
recomputed, so a file always says what the page and the database say.

The .xlsx look follows analytics/exports.py: a title, a bold shaded header, numbers kept as numbers
with two decimals, text through `core.exports.safe_cell` (no formula injection), and notes under the
table (the normalisation rule, which computation the figures come from). PDFs are A4 in Noto Sans CJK
SC with "第 X 页 / 共 Y 页" at the foot of every page; WeasyPrint is given no way to fetch anything.

The summary holds organisations' figures only: no person's name, account or comment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from assessment.choices import SCORED_KINDS, CriterionKind, Grade
from assessment.models import Computation, CriterionResult, Dimension, Result, Round
from assessment.queries import CardCriterion, ScoreCard, Summary
from assessment.rules import ROUNDING_TEXT, plain
from assessment.scoring import NORMALISATION_TEXT, scale_dimension
from core import rendering

POINTS_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"
SHARE_FORMAT = '0.00"%"'  # values already ×100
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
PDF_CONTENT_TYPE = rendering.PDF_CONTENT_TYPE
page_counter_css = rendering.page_counter_css
render_pdf = rendering.render_pdf
_ID_CHUNK = 900  # ids per IN (…): under SQLite's oldest limit of 999 parameters


def _grade_label(grade: str) -> str:
    return str(Grade(grade).label) if grade in Grade.values else ""


def _points(value: Decimal | None) -> str:
    return "—" if value is None else plain(value)


# --- The score card as rows ---------------------------------------------------------------------------


@dataclass
class CardRow:
    """One line of a score card: a dimension, a criterion under it, or a bonus, deduction or veto.

    `points` is signed for deductions (a deduction of 2 shows as −2.00), so the 得分 column reads as the
    arithmetic that gives the total.
    """

    level: str  # "dimension", "criterion", "adjustment"
    name: str
    kind: str = ""
    data: str = ""
    target: str = ""
    measure: str = ""
    rule: str = ""
    text: str = ""
    full: Decimal | None = None
    points: Decimal | None = None
    raters: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    applicable: bool = True

    @property
    def full_display(self) -> str:
        if self.full is not None:
            return plain(self.full)
        return "" if self.level == "adjustment" else "—"

    @property
    def points_display(self) -> str:
        if self.points is not None:
            return plain(self.points)
        return "—" if self.applicable else _("不适用")


def _data(detail: dict) -> str:
    value = detail.get("value", "")
    if detail.get("last"):
        return _("%(value)s（上年 %(last)s）") % {"value": value or "—", "last": detail["last"]}
    return value


def _raters(detail: dict) -> list[str]:
    lines = []
    for r in detail.get("raters", []):
        line = _("%(rater)s：%(level)s") % {"rater": r.get("rater", ""), "level": r.get("level", "")}
        if r.get("comment"):
            line += _("（%(comment)s）") % {"comment": r["comment"]}
        lines.append(line)
    return lines


def _events(detail: dict) -> str:
    return "；".join(
        _("%(item)s %(points)s 分（%(note)s）") % {"item": e.get("item", ""), "points": e.get("points", ""),
                                                 "note": e.get("note", "")}
        for e in detail.get("events", [])
    )  # fmt: skip


def _signed(value: Decimal, sign: int) -> Decimal:
    return -value if sign < 0 and value else value  # never "-0.00"


def _criterion_row(item: CardCriterion, *, sign: int = 1) -> CardRow:
    criterion, result, detail = item.criterion, item.result, item.detail
    text = detail.get("text", "")
    events = _events(detail)
    if events:
        text = f"{text} {events}".strip()
    if detail.get("unresolved"):
        text += _("（待校准）")
    applicable = result is not None and result.applicable
    adjustment = criterion.kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION, CriterionKind.VETO)
    if adjustment:
        full = criterion.points if criterion.kind != CriterionKind.VETO else None
        points = None if result is None or criterion.kind == CriterionKind.VETO else _signed(result.points, sign)
    else:
        full = result.max_points if applicable else None
        points = result.points if applicable else None
    return CardRow(
        level="adjustment" if adjustment else "criterion",
        name=criterion.name,
        kind=criterion.get_kind_display(),
        data=_data(detail),
        target=detail.get("target", ""),
        measure=detail.get("measure", ""),
        rule=detail.get("rule", ""),
        text=text,
        full=full,
        points=points,
        raters=_raters(detail),
        evidence=[e.title for e in item.evidence],
        applicable=applicable or adjustment,
    )


def card_rows(card: ScoreCard) -> list[CardRow]:
    """Every dimension with its criteria, then the bonuses, deductions and vetoes, in the framework's order."""
    rows: list[CardRow] = []
    for dim in card.dimensions:
        if dim.full > 0:
            text = _("适用指标得分 %(raw)s ÷ 适用指标满分 %(full)s × 维度分值 %(points)s = %(scaled)s") % {
                "raw": plain(dim.raw), "full": plain(dim.full), "points": plain(dim.dimension.points),
                "scaled": plain(dim.scaled),
            }  # fmt: skip
        else:
            text = _("该维度没有适用于本单位的指标，不计入基本得分。")
        area = dim.dimension.get_area_display()
        rows.append(CardRow(level="dimension", name=dim.dimension.name, kind=area if area != dim.dimension.name else "",
                            text=text, full=dim.dimension.points, points=dim.scaled if dim.full > 0 else None,
                            applicable=dim.full > 0))  # fmt: skip
        rows.extend(_criterion_row(item) for item in dim.criteria)
    for item in card.bonus:
        rows.append(_criterion_row(item))
    for item in card.deductions:
        rows.append(_criterion_row(item, sign=-1))
    for item in card.vetoes:
        rows.append(_criterion_row(item))
    return rows


def card_facts(card: ScoreCard) -> list[tuple[str, str]]:
    """The lines above the table: who, which round, which computation, the total, grade and ranks."""
    participant, round_, result, computation = card.participant, card.round, card.result, card.computation
    facts = [
        (_("被考核单位"), f"{participant.org.name}（{participant.org.code}）"),
        (_("考核轮次"), f"{round_.name}（{round_.framework}）"),
    ]
    if computation is None:
        facts.append((_("计分结果"), _("尚未计算得分。")))
        return facts
    when = f"{timezone.localtime(computation.computed_at):%Y-%m-%d %H:%M}"
    state = (
        _("已于 %(day)s 公布") % {"day": f"{timezone.localtime(computation.published_at):%Y-%m-%d}"}
        if computation.published_at
        else _("未公布（产改办预览）")
    )
    facts.append((_("计分结果"), _("%(computation)s，计算于 %(when)s，%(state)s") % {
        "computation": computation, "when": when, "state": state}))  # fmt: skip
    if result is not None:
        grade = _grade_label(result.grade)
        if result.vetoed and result.grade != result.grade_before_cap:
            grade = _("%(grade)s（一票否决，原为%(before)s）") % {
                "grade": grade, "before": _grade_label(result.grade_before_cap)}  # fmt: skip
        facts += [
            (_("总分"), _("%(total)s 分") % {"total": plain(result.total)}),
            (_("等次"), grade),
            (_("总排名"), _("第 %(rank)d 名") % {"rank": result.rank}),
            (_("同类排名"), _("第 %(rank)d 名 / 共 %(size)d 家（%(group)s）") % {
                "rank": result.group_rank, "size": result.group_size, "group": participant.peer_label or "—"}),
            (_("最弱维度"), result.weakest.name if result.weakest else "—"),
        ]  # fmt: skip
    if card.previous is not None:
        facts.append((_("上年度"), _("%(total)s 分，%(grade)s") % {
            "total": plain(card.previous.total), "grade": _grade_label(card.previous.grade)}))  # fmt: skip
    return facts


def card_totals(card: ScoreCard) -> list[tuple[str, Decimal | str]]:
    """The arithmetic under the criteria: dimensions' sum, the normalised base, bonus, deduction, total, grade."""
    result = card.result
    if result is None:
        return []
    base = sum((d.scaled for d in card.dimensions if d.full > 0), Decimal(0))
    return [
        (_("各维度得分合计"), base),
        (_("折算基本得分（满分 %(full)s 分）") % {"full": plain(card.round.framework.total_points)}, result.normalised),
        (_("加分"), result.bonus),
        (_("扣分"), _signed(result.deduction, -1)),
        (_("总分"), result.total),
        (_("等次"), _grade_label(result.grade)),
    ]


def card_notes(card: ScoreCard) -> list[str]:
    notes = [_(NORMALISATION_TEXT), _(ROUNDING_TEXT)]
    if card.computation is not None:
        notes.append(
            _("分数由平台按考核方案和已验收数据计算，未经人工录入；输入指纹 %(fingerprint)s。")
            % {"fingerprint": card.computation.fingerprint[:16]}
        )
    own = [e.title for e in card.participant.evidence.filter(criterion__isnull=True).order_by("pk")]
    if own:
        notes.append(_("其他佐证材料：%(titles)s") % {"titles": "；".join(own)})
    return notes


def card_title(card: ScoreCard) -> str:
    return _("考核评分表：%(org)s（%(round)s）") % {"round": card.round.name, "org": card.participant.org.name}


# --- .xlsx -----------------------------------------------------------------------------------------------


_sheet_title = rendering.sheet_title


def _put(sheet, row: int, column: int, value: Any, *, fmt: str | None = None, bold: bool = False,
         border: bool = True, wrap: bool = False, fill: PatternFill | None = None, indent: int = 0):  # fmt: skip
    """Write one cell: text through safe_cell (always text), Decimals as numbers with `fmt`."""
    cell = rendering.write(sheet, row, column, value)
    value = cell.value
    if fmt and isinstance(value, int | float):
        cell.number_format = fmt
    if border:
        cell.border = rendering.BORDER
    if bold:
        cell.font = Font(bold=True)
    if fill is not None:
        cell.fill = fill
    horizontal = "right" if isinstance(value, int | float) else None
    cell.alignment = Alignment(wrap_text=wrap, vertical="top", horizontal=horizontal, indent=indent)
    return cell


def _header(sheet, row: int, headers: Sequence[str]) -> None:
    for column, text in enumerate(headers, start=1):
        rendering.header_cell(rendering.write(sheet, row, column, text))


_title = rendering.title


def _notes(sheet, row: int, notes: Sequence[str], width: int) -> None:
    rendering.note_lines(sheet, row, notes, width, wrap=True)


_widths = rendering.set_widths


CARD_HEADERS = (
    gettext_lazy("维度 / 考核指标"), gettext_lazy("类型"), gettext_lazy("数据"), gettext_lazy("目标"),
    gettext_lazy("达成情况"), gettext_lazy("计分规则"), gettext_lazy("计分说明"), gettext_lazy("分值"),
    gettext_lazy("得分"), gettext_lazy("评分人"), gettext_lazy("佐证材料"),
)  # fmt: skip
CARD_WIDTHS = (30, 16, 16, 12, 14, 36, 50, 9, 9, 30, 28)
FULL_COLUMN, POINTS_COLUMN = 8, 9  # 分值, 得分


def _card_headers() -> list[str]:
    return [str(h) for h in CARD_HEADERS]


def write_score_card(fileobj: IO[bytes], card: ScoreCard) -> int:
    """The score card as one formatted sheet; returns the number of table rows (dimensions and criteria)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("考核评分表"))
    width = len(CARD_HEADERS)
    _title(sheet, card_title(card), width)
    row = 3
    for label, value in card_facts(card):
        _put(sheet, row, 1, label, bold=True)
        _put(sheet, row, 2, value)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
        row += 1
    row += 1
    header_row = row
    _header(sheet, header_row, _card_headers())
    rows = card_rows(card)
    for line in rows:
        row += 1
        dimension = line.level == "dimension"
        fill = _GROUP_FILL if dimension else None
        values = [
            line.name, line.kind, line.data, line.target, line.measure, line.rule, line.text,
            line.full if line.full is not None else line.full_display,
            line.points if line.points is not None else line.points_display,
            "\n".join(line.raters), "；".join(line.evidence),
        ]  # fmt: skip
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value, fmt=POINTS_FORMAT, bold=dimension, fill=fill,
                 wrap=column in (1, 6, 7, 10, 11), indent=1 if column == 1 and not dimension else 0)  # fmt: skip
    totals = card_totals(card)
    if totals:
        row += 1
        for label, value in totals:
            row += 1
            _put(sheet, row, 1, label, bold=True)
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=POINTS_COLUMN - 1)
            _put(sheet, row, POINTS_COLUMN, value, fmt=POINTS_FORMAT, bold=True)
    _notes(sheet, row + 2, card_notes(card), width)
    _widths(sheet, CARD_WIDTHS)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    workbook.save(fileobj)
    return len(rows)


def score_card_xlsx(card: ScoreCard) -> tuple[IO[bytes], int]:
    """The score card in an anonymous temporary file (gone once closed), rewound; and its row count."""
    return rendering.temporary_xlsx(lambda fileobj: write_score_card(fileobj, card))


# --- The provincial summary ------------------------------------------------------------------------------


@dataclass
class RankRow:
    """One organisation's line of the ranking: its totals and each dimension's scaled points."""

    result: Result
    dimensions: list[Decimal | None]


def ranking_rows(computation: Computation, results: list[Result], dimensions: list[Dimension]) -> list[RankRow]:
    """Each ranked result with its dimensions' points as the score card shows them (one query for all)."""
    raw: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    wanted = [r.participant_id for r in results]
    for start in range(0, len(wanted), _ID_CHUNK):
        rows = CriterionResult.objects.filter(
            computation=computation, applicable=True, participant_id__in=wanted[start : start + _ID_CHUNK]
        )
        for pid, dim_id, kind, points, full in rows.values_list(
            "participant_id", "criterion__dimension_id", "criterion__kind", "points", "max_points"
        ).order_by():
            if kind in SCORED_KINDS:
                raw[(pid, dim_id)][0] += points
                raw[(pid, dim_id)][1] += full
    found = []
    for result in results:
        dims = []
        for d in dimensions:
            got, full = raw.get((result.participant_id, d.pk), (Decimal(0), Decimal(0)))
            dims.append(scale_dimension(got, full, d.points) if full > 0 else None)
        found.append(RankRow(result, dims))
    return found


@dataclass
class SummaryTables:
    """The summary laid out for both formats: figures, grades, dimensions, peer groups and the ranking."""

    title: str
    round: Round
    computation: Computation
    facts: list[tuple[str, str]]
    grades: list[tuple[str, int, Decimal]]  # label, count, share (×100)
    dimensions: list[tuple[str, Decimal, Decimal | None, Decimal | None, int]]  # name, points, avg, rate, weakest
    groups: list[tuple[str, int, Decimal | None, str]]
    dimension_names: list[str]
    ranking: list[RankRow]
    notes: list[str]


def summary_tables(round_: Round, computation: Computation, summary: Summary, results: list[Result]) -> SummaryTables:
    """Lay out `queries.summary` and the ranking (`results`, best first) for the files."""
    dimensions = [d for d, _avg in summary.dimensions]
    weakest = {d.pk: n for d, n in summary.weakest}
    count = summary.count
    state = (
        _("已于 %(day)s 公布") % {"day": f"{timezone.localtime(computation.published_at):%Y-%m-%d}"}
        if computation.published_at
        else _("未公布（产改办预览）")
    )
    facts = [
        (_("考核轮次"), f"{round_.name}（{round_.framework}）"),
        (_("计分结果"), _("%(computation)s，%(state)s") % {"computation": computation, "state": state}),
        (_("参评单位"), _("%(n)d 家") % {"n": count}),
        (_("平均总分"), _points(summary.average)),
        (_("一票否决"), _("%(n)d 家") % {"n": summary.vetoed}),
        (_("申诉"), _("%(n)d 件") % {"n": summary.appeals}),
    ]
    grades = [
        (label, n, (Decimal(n) * 100 / count).quantize(Decimal("0.01")) if count else Decimal(0))
        for _g, label, n in summary.grades
    ]
    dims = [
        (d.name, d.points, avg, (avg / d.points * 100).quantize(Decimal("0.01")) if avg is not None and d.points
         else None, weakest.get(d.pk, 0))
        for d, avg in summary.dimensions
    ]  # fmt: skip
    notes = [
        _(NORMALISATION_TEXT),
        _("平均得分为各单位按维度折算后得分的平均；得分率 = 平均得分 ÷ 维度分值。本表只含单位的得分，不含个人信息。"),
    ]
    return SummaryTables(
        title=_("考核结果汇总表（%(round)s）") % {"round": round_.name},
        round=round_, computation=computation, facts=facts, grades=grades, dimensions=dims, groups=summary.groups,
        dimension_names=[d.name for d in dimensions], ranking=ranking_rows(computation, results, dimensions),
        notes=notes,
    )  # fmt: skip


def _rank_headers(tables: SummaryTables) -> list[str]:
    return [
        _("总排名"), _("单位代码"), _("单位名称"), _("同类分组"), _("同类排名"), *tables.dimension_names,
        _("折算基本得分"), _("加分"), _("扣分"), _("总分"), _("等次"), _("一票否决"), _("最弱维度"),
    ]  # fmt: skip


def _rank_values(tables: SummaryTables, line: RankRow) -> list:
    r = line.result
    return [
        r.rank, r.participant.org.code, r.participant.org.name, r.participant.peer_label,
        f"{r.group_rank} / {r.group_size}",
        *[d if d is not None else "—" for d in line.dimensions],
        r.normalised, r.bonus, r.deduction, r.total, _grade_label(r.grade), _("是") if r.vetoed else "",
        r.weakest.name if r.weakest else "—",
    ]  # fmt: skip


def write_summary(fileobj: IO[bytes], tables: SummaryTables) -> int:
    """Two sheets: 汇总 (figures, grades, dimensions, peer groups) and 排名; returns the ranking's rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("汇总"))
    width = 5
    _title(sheet, tables.title, width)
    row = 3
    for label, value in tables.facts:
        _put(sheet, row, 1, label, bold=True)
        _put(sheet, row, 2, value)
        row += 1

    row += 1
    _put(sheet, row, 1, _("等次分布"), bold=True, border=False)
    row += 1
    _header(sheet, row, [_("等次"), _("单位数"), _("占比")])
    for label, n, share in tables.grades:
        row += 1
        for column, (value, fmt) in enumerate(((label, None), (n, COUNT_FORMAT), (share, SHARE_FORMAT)), start=1):
            _put(sheet, row, column, value, fmt=fmt)

    row += 2
    _put(sheet, row, 1, _("各维度平均得分"), bold=True, border=False)
    row += 1
    _header(sheet, row, [_("维度"), _("分值"), _("平均得分"), _("得分率"), _("作为最弱维度的单位数")])
    for name, points, avg, rate, weakest in tables.dimensions:
        row += 1
        values = ((name, None), (points, POINTS_FORMAT), (avg if avg is not None else "—", POINTS_FORMAT),
                  (rate if rate is not None else "—", SHARE_FORMAT), (weakest, COUNT_FORMAT))  # fmt: skip
        for column, (value, fmt) in enumerate(values, start=1):
            _put(sheet, row, column, value, fmt=fmt)

    row += 2
    _put(sheet, row, 1, _("按同类分组"), bold=True, border=False)
    row += 1
    _header(sheet, row, [_("同类分组"), _("单位数"), _("平均总分"), _("最高分单位")])
    for label, n, avg, best in tables.groups:
        row += 1
        values = ((label, None), (n, COUNT_FORMAT), (avg if avg is not None else "—", POINTS_FORMAT), (best, None))
        for column, (value, fmt) in enumerate(values, start=1):
            _put(sheet, row, column, value, fmt=fmt)
    _notes(sheet, row + 2, tables.notes, width)
    _widths(sheet, (26, 14, 14, 14, 30))

    ranking = workbook.create_sheet(_sheet_title(_("排名")))
    headers = _rank_headers(tables)
    _title(ranking, _("%(title)s — 排名") % {"title": tables.title}, len(headers))
    _header(ranking, 3, headers)
    first_dim = 6
    for offset, line in enumerate(tables.ranking, start=4):
        for column, value in enumerate(_rank_values(tables, line), start=1):
            fmt = COUNT_FORMAT if column == 1 else POINTS_FORMAT if column >= first_dim else None
            _put(ranking, offset, column, value, fmt=fmt)
    _widths(ranking, [8, 12, 28, 18, 10] + [12] * (len(headers) - 5))
    ranking.freeze_panes = ranking.cell(row=4, column=4)
    for ws in (sheet, ranking):
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
    workbook.save(fileobj)
    return len(tables.ranking)


def summary_xlsx(tables: SummaryTables) -> tuple[IO[bytes], int]:
    return rendering.temporary_xlsx(lambda fileobj: write_summary(fileobj, tables))


# --- PDF ---------------------------------------------------------------------------------------------------


def score_card_pdf(card: ScoreCard) -> bytes:
    return render_pdf(
        "assessment/pdf/score_card.html",
        {
            "title": card_title(card),
            "facts": card_facts(card),
            "rows": card_rows(card),
            "totals": card_totals(card),
            "notes": card_notes(card),
        },
    )


def rank_headers(tables: SummaryTables) -> list[str]:
    return _rank_headers(tables)


def rank_values(tables: SummaryTables) -> list[list]:
    """Every ranking line's cells as printed, in the order of `rank_headers` (the page and the PDF agree)."""
    return [[plain(v) if isinstance(v, Decimal) else v for v in _rank_values(tables, line)] for line in tables.ranking]


def summary_pdf(tables: SummaryTables) -> bytes:
    return render_pdf(
        "assessment/pdf/summary.html",
        {
            "t": tables,
            "rank_headers": rank_headers(tables),
            "rank_rows": rank_values(tables),
        },
    )
