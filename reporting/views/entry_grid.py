"""The entry grid as the pages draw it: sections of blocks, rows = elements, columns = option combos.

A section is cut into blocks of consecutive elements that share a disaggregation: elements without
one form a single-column block, elements with one a block whose columns are the option combos (with
a subtotal after each group of the first category and a row total). Each cell carries what the page
shows beside it: the previous period's value, the comment, the reviewer's reason for returning it,
the message of a refused value, what changed since the last submission, an outlier flag and, after
a conflict, the value someone else saved. The browser only adds up numbers for display; the server
stays the authority on every value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reporting import queries
from reporting.choices import NUMERIC_TYPES, Aggregation, ValueType
from reporting.expressions import ExpressionError, parse, references
from reporting.models import DataValue, Report, TotalRelation, ValueReturn
from reporting.validation import RuleOutcome
from reporting.values import display_value

CellKey = tuple[str, str]


def field_name(key: CellKey) -> str:
    """The form field of a cell: cell:<ELEMENT>:<OPTION KEY> (the key is empty without a breakdown)."""
    return f"cell:{key[0]}:{key[1]}"


def cell_token(key: CellKey) -> str:
    """A cell as one string in forms that pick cells (return for correction): ELEMENT|KEY."""
    return f"{key[0]}|{key[1]}"


def parse_cell_token(token: str) -> CellKey | None:
    code, sep, key = (token or "").partition("|")
    return (code, key) if sep and code else None


@dataclass
class GridCell:
    """One cell as drawn: its input (or shown value) and everything displayed beside it."""

    index: int
    key: CellKey
    label: str
    value_type: str
    value: str  # what the input holds: typed (after a refused save) or stored canonical text
    stored: str
    shown: str  # stored value as a person reads it
    previous: str = ""
    comment: str = ""
    error: str = ""
    returns: list[str] = field(default_factory=list)
    change: queries.ValueChange | None = None
    outlier: str = ""
    theirs: str | None = None  # after a conflict: the value someone else saved meanwhile
    group: str = ""
    column: int = 0

    @property
    def name(self) -> str:
        return field_name(self.key)

    @property
    def token(self) -> str:
        return cell_token(self.key)

    @property
    def dom_id(self) -> str:
        return f"cell-{self.index}"

    @property
    def numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES

    @property
    def is_text(self) -> bool:
        return self.value_type == ValueType.TEXT

    @property
    def is_boolean(self) -> bool:
        return self.value_type == ValueType.BOOLEAN

    @property
    def is_date(self) -> bool:
        return self.value_type == ValueType.DATE

    @property
    def input_mode(self) -> str:
        return "numeric" if self.value_type == ValueType.INTEGER else "decimal"

    @property
    def flagged(self) -> bool:
        return bool(self.error or self.returns or self.theirs is not None)


@dataclass
class Check:
    """A total that its parts must add up to, checked live: Σ parts = total."""

    message: str
    total_names: list[str]
    part_names: list[str]

    @property
    def totals(self) -> str:
        return " ".join(self.total_names)

    @property
    def parts(self) -> str:
        return " ".join(self.part_names)


@dataclass
class Row:
    """One element in a block: its cells in column order, unit, help and checks on its parts."""

    section_element: object
    cells: list[GridCell]
    checks: list[Check] = field(default_factory=list)

    @property
    def element(self):
        return self.section_element.element  # type: ignore[attr-defined]

    @property
    def summable(self) -> bool:
        return self.element.value_type in NUMERIC_TYPES and self.element.aggregation != Aggregation.NONE

    def cells_of(self, group: str) -> list[GridCell]:
        return [c for c in self.cells if c.group == group]


@dataclass
class Group:
    """A first-category option in a combo's header (农民工), spanning its columns and a subtotal."""

    code: str
    name: str
    columns: list[str]

    @property
    def span(self) -> int:
        return len(self.columns) + 1


@dataclass
class Block:
    """Consecutive elements of a section with the same disaggregation."""

    combo: object
    rows: list[Row]
    columns: list[tuple[str, str]] = field(default_factory=list)  # (option key, header name)
    groups: list[Group] = field(default_factory=list)

    @property
    def is_single(self) -> bool:
        return not self.columns

    @property
    def has_groups(self) -> bool:
        return bool(self.groups)

    @property
    def has_row_total(self) -> bool:
        return len(self.columns) > 1 and any(r.summable for r in self.rows)

    @property
    def has_column_totals(self) -> bool:
        """A 合计 row: only for two or more summable rows counted in the same unit."""
        summable = [r for r in self.rows if r.summable]
        return not self.is_single and len(summable) > 1 and len({r.element.unit for r in summable}) == 1

    @property
    def column_count(self) -> int:
        return len(self.columns) + len(self.groups) + (1 if self.has_row_total else 0)

    @property
    def value_columns(self) -> range:
        return range(self.column_count)

    def header_cells(self) -> list[tuple[str, str]]:
        """(kind, text) of the lower header row for grouped blocks: option names and 小计."""
        cells = []
        for group in self.groups:
            cells.extend(("option", name) for name in group.columns)
            cells.append(("subtotal", _("小计")))
        return cells


@dataclass
class SectionView:
    section: object
    blocks: list[Block]
    returns: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[GridCell]:
        return [c for b in self.blocks for r in b.rows for c in r.cells]

    @property
    def error_count(self) -> int:
        return sum(1 for c in self.cells if c.error)

    @property
    def returned_count(self) -> int:
        return sum(1 for c in self.cells if c.returns) + (1 if self.returns else 0)

    @property
    def changed_count(self) -> int:
        return sum(1 for c in self.cells if c.change)


@dataclass
class Grid:
    """The whole form as drawn, with lookups the pages need."""

    sections: list[SectionView]
    report_returns: list[ValueReturn]
    cells_by_key: dict[CellKey, GridCell]

    def cell(self, key: CellKey) -> GridCell | None:
        return self.cells_by_key.get(key)

    @property
    def whole_returns(self) -> list[ValueReturn]:
        return [r for r in self.report_returns if r.section_id is None and r.element_id is None]


def _section_elements(layout: queries.Layout) -> dict[int, list]:
    by_section: dict[int, list] = defaultdict(list)
    for se in layout.section_elements:
        by_section[se.section_id].append(se)
    return by_section


def cell_numbers(layout: queries.Layout) -> dict[CellKey, int]:
    """The number each cell gets on the page (its DOM ids), in the order the grid draws them."""
    numbers: dict[CellKey, int] = {}
    by_section = _section_elements(layout)
    for section in layout.sections:
        for se in by_section.get(section.pk, []):
            for cell in layout.cells_of(se):
                numbers[cell.key] = len(numbers) + 1
    return numbers


def _group_name(layout: queries.Layout, code: str, option: str) -> str:
    return layout.option_names.get(code, {}).get(option, option)


def build_grid(
    report: Report,
    layout: queries.Layout,
    *,
    values: Mapping[CellKey, DataValue],
    posted: Mapping[CellKey, str] | None = None,
    previous: Mapping[CellKey, DataValue] | None = None,
    problems: Mapping[CellKey, str] | None = None,
    returns: Iterable[ValueReturn] = (),
    changes: Iterable[queries.ValueChange] = (),
    outliers: Iterable[queries.Outlier] = (),
    theirs: Mapping[CellKey, str] | None = None,
    total_relations: Iterable[TotalRelation] = (),
) -> Grid:
    """Lay out `report`'s version with its values and everything shown beside each cell."""
    posted = posted or {}
    previous = previous or {}
    problems = problems or {}
    theirs = theirs or {}
    returns = list(returns)
    change_map = {(c.element_code, c.option_key): c for c in changes}
    outlier_map: dict[CellKey, str] = {}
    for o in outliers:
        outlier_map[o.key] = f"{outlier_map[o.key]}；{o.message}" if o.key in outlier_map else o.message
    cell_returns: dict[CellKey, list[str]] = defaultdict(list)
    section_returns: dict[int, list[str]] = defaultdict(list)
    for ret in returns:
        if ret.element_id is not None and ret.option_combo_id is not None:
            cell_returns[(ret.element.code, ret.option_combo.key)].append(ret.reason)
        elif ret.element_id is not None:
            for cell in layout.cells.values():
                if cell.element.pk == ret.element_id:
                    cell_returns[cell.key].append(ret.reason)
        elif ret.section_id is not None:
            section_returns[ret.section_id].append(ret.reason)

    checks_by_parts: dict[str, list[Check]] = defaultdict(list)
    for relation in total_relations:
        wanted = set(relation.total_key.split(".")) if relation.total_key else set()
        total_keys = [
            k
            for k in layout.cells
            if k[0] == relation.total_element.code and wanted.issubset(set(k[1].split(".")) if k[1] else set())
        ]
        part_keys = [k for k in layout.cells if k[0] == relation.parts_element.code]
        if not total_keys or not part_keys:
            continue
        total_label = relation.total_element.name
        if relation.total_key:
            total_label += "·" + "·".join(
                _group_name(layout, relation.total_element.code, o) for o in relation.total_key.split(".")
            )
        checks_by_parts[relation.parts_element.code].append(
            Check(
                _("各项之和应等于“%(total)s”") % {"total": total_label},
                [field_name(k) for k in total_keys],
                [field_name(k) for k in part_keys],
            )
        )

    index = 0
    cells_by_key: dict[CellKey, GridCell] = {}
    sections: list[SectionView] = []
    by_section = _section_elements(layout)
    for section in layout.sections:
        blocks: list[Block] = []
        for se in by_section.get(section.pk, []):
            cells = layout.cells_of(se)
            is_default = len(cells) == 1 and cells[0].option_combo.key == ""
            row_cells = []
            for column, cell in enumerate(cells):
                index += 1
                stored_value = values.get(cell.key)
                stored = stored_value.value if stored_value else ""
                value_type = cell.element.value_type
                prev = previous.get(cell.key)
                key = cell.option_combo.key
                grid_cell = GridCell(
                    index=index,
                    key=cell.key,
                    label=cell.label,
                    value_type=value_type,
                    value=posted.get(cell.key, stored),
                    stored=stored,
                    shown=display_value(stored, value_type),
                    previous=display_value(prev.value, value_type) if prev else "",
                    comment=stored_value.comment if stored_value else "",
                    error=problems.get(cell.key, ""),
                    returns=cell_returns.get(cell.key, []),
                    change=change_map.get(cell.key),
                    outlier=outlier_map.get(cell.key, ""),
                    theirs=theirs.get(cell.key),
                    group=key.split(".")[0] if key.count(".") >= 1 else "",
                    column=column,
                )
                row_cells.append(grid_cell)
                cells_by_key[cell.key] = grid_cell
            row = Row(se, row_cells, checks_by_parts.get(se.element.code, []))
            last = blocks[-1] if blocks else None
            if last is not None and last.combo == se.category_combo_id and (is_default == last.is_single):
                last.rows.append(row)
                continue
            block = Block(se.category_combo_id, [row])
            if not is_default:
                code = se.element.code
                block.columns = [(c.option_combo.key, c.option_combo.name) for c in cells]
                if any(c.option_combo.key.count(".") >= 1 for c in cells):
                    groups: dict[str, Group] = {}
                    for c in cells:
                        first, _sep, rest = c.option_combo.key.partition(".")
                        group = groups.setdefault(first, Group(first, _group_name(layout, code, first), []))
                        group.columns.append("·".join(_group_name(layout, code, o) for o in rest.split(".")))
                    block.groups = list(groups.values())
            blocks.append(block)
        sections.append(SectionView(section, blocks, section_returns.get(section.pk, [])))
    return Grid(sections, returns, cells_by_key)


@dataclass
class RuleView:
    """A failing rule as the page lists it, with the cells it reads (to jump to them)."""

    outcome: RuleOutcome
    cells: list[GridCell]
    explanation: str = ""

    @property
    def code(self) -> str:
        return self.outcome.code

    @property
    def name(self) -> str:
        return self.outcome.rule.name  # type: ignore[attr-defined]

    @property
    def message(self) -> str:
        return self.outcome.message

    @property
    def first_cell(self) -> GridCell | None:
        return self.cells[0] if self.cells else None


def rule_views(outcomes: Iterable[RuleOutcome], grid: Grid, explanations: Mapping[str, str]) -> list[RuleView]:
    """Failing rules (errors, then warnings), each with the cells its expressions refer to."""
    views = []
    for outcome in outcomes:
        if outcome.passed is not False:
            continue
        rule = outcome.rule
        try:
            refs = references(parse(rule.left)) + references(parse(rule.right))  # type: ignore[attr-defined]
        except ExpressionError:
            refs = []
        cells: list[GridCell] = []
        for ref in refs:
            wanted = set(ref.options)
            for key, cell in grid.cells_by_key.items():
                if key[0] != ref.element or cell in cells:
                    continue
                if wanted and not wanted.issubset(set(key[1].split(".")) if key[1] else set()):
                    continue
                cells.append(cell)
        views.append(RuleView(outcome, cells, explanations.get(outcome.code, "")))
    views.sort(key=lambda v: (not v.outcome.is_error, v.code))
    return views
