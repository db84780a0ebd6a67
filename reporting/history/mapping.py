"""Past years' figures, mapping: each column of the office's sheet matched to a cell of the data set.

suggest(headers, layout)        by code, name or a close name
initial_mapping(org, …)         the mapping saved for this sheet's headers, else the suggestion
check_mapping(columns, …)       a mapping naming an unknown cell, or one cell twice, refused
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from orgs.models import Organisation
from reporting.excel.problems import ImportProblem
from reporting.history.upload import normalise, signature
from reporting.models import DataSet, HistoryMapping

CellKey = tuple[str, str]


CLOSE_ENOUGH = 0.75  # difflib ratio for a "close name"
MAPPING_INVALID = "mapping_invalid"

# --- Mapping columns to cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A cell a column can be mapped to: its token ("CODE" or "CODE.KEY"), label and section."""

    token: str
    key: CellKey
    label: str
    section: str


def token_of(key: CellKey) -> str:
    return f"{key[0]}.{key[1]}" if key[1] else key[0]


def targets(layout) -> list[Target]:
    """The version's cells in form order, as mapping choices."""
    return [Target(token_of(cell.key), cell.key, cell.label, cell.section.name) for cell in layout.cells.values()]


def _aliases(cell) -> set[str]:
    element, combo = cell.element, cell.option_combo
    names = {cell.label}
    if combo.key:
        names.add(combo.name)  # "农民工·男": a name only when no other element has the same breakdown
        for name in filter(None, (element.name, element.short_name)):
            names.update({f"{name}{combo.name}", f"{name}（{combo.name}）"})
    elif element.short_name:
        names.add(element.short_name)
    return {normalise(n) for n in names}


@dataclass(frozen=True)
class Suggestion:
    """How a column was matched: its token ("" for none) and how ("code", "name", "close", "saved", "")."""

    token: str
    how: str


def suggest(headers: list[str], layout) -> dict[str, Suggestion]:
    """Each header matched to one cell of `layout`: by code (WF_WORKERS, WF_WORKERS_GROUP.MIGRANT.MALE or
    WF_WORKERS_GROUP[MIGRANT.MALE]), by name (the cell's label, the element's name or short name, with the
    option's name for a breakdown), or by the closest name when it is close enough and clearly the closest;
    a cell is suggested for one column only."""
    cells = list(layout.cells.values())
    by_token = {token_of(c.key): c for c in cells}
    by_alias: dict[str, list] = defaultdict(list)
    for cell in cells:
        for alias in _aliases(cell):
            by_alias[alias].append(cell)
    result: dict[str, Suggestion] = {}
    taken: set[str] = set()
    pending = []
    for header in headers:
        code = unicodedata.normalize("NFKC", header).strip().upper().replace("[", ".").rstrip("]")
        cell = by_token.get(code)
        how = "code"
        if cell is None:
            found = by_alias.get(normalise(header), [])
            cell, how = (found[0], "name") if len(found) == 1 else (None, "")
        if cell is not None and token_of(cell.key) not in taken:
            taken.add(token_of(cell.key))
            result[header] = Suggestion(token_of(cell.key), how)
        else:
            pending.append(header)
    labels = [(alias, cell) for alias, found in by_alias.items() for cell in found]
    for header in pending:
        wanted = normalise(header)
        scored = sorted(
            ((difflib.SequenceMatcher(None, wanted, alias).ratio(), token_of(cell.key)) for alias, cell in labels),
            reverse=True,
        )
        best = next(((score, token) for score, token in scored if token not in taken), None)
        runner_up = next((score for score, token in scored if best and token != best[1]), 0.0)
        if best and best[0] >= CLOSE_ENOUGH and best[0] > runner_up:
            taken.add(best[1])
            result[header] = Suggestion(best[1], "close")
        else:
            result[header] = Suggestion("", "")
    return result


def saved_mapping(org: Organisation, dataset: DataSet, headers: list[str]) -> HistoryMapping | None:
    """The mapping `org` saved for files of this shape, if any."""
    return HistoryMapping.objects.filter(org=org, dataset=dataset, signature=signature(headers)).first()


def initial_mapping(org: Organisation, dataset: DataSet, headers: list[str], layout) -> dict[str, Suggestion]:
    """The mapping offered for a new file: the saved one for its shape (tokens still in the layout), else
    the automatic suggestions."""
    saved = saved_mapping(org, dataset, headers)
    auto = suggest(headers, layout)
    if saved is None:
        return auto
    known = {token_of(k) for k in layout.cells}
    return {
        h: Suggestion(saved.columns.get(h, ""), "saved") if saved.columns.get(h, "") in known | {""} else auto[h]
        for h in headers
    }


def check_mapping(columns: dict[str, str], headers: list[str], layout) -> list[ImportProblem]:
    """Problems with a mapping sent by a person or a client: unknown headers or cells, a cell twice."""
    problems = []
    known = {token_of(k) for k in layout.cells}
    used: dict[str, str] = {}
    for header, token in columns.items():
        if header not in headers:
            problems.append(
                ImportProblem(
                    MAPPING_INVALID,
                    _("文件中没有表头为“%(header)s”的列") % {"header": header},
                    _("请只为文件中的列指定对应的数据项。"),
                    field=header,
                )
            )
        elif token and token not in known:
            problems.append(
                ImportProblem(
                    MAPPING_INVALID,
                    _("“%(token)s”不是本报表的数据项") % {"token": token},
                    _("请从本报表的数据项中选择。"),
                    field=header,
                    value=token,
                )
            )
        elif token and token in used:
            problems.append(
                ImportProblem(
                    MAPPING_INVALID,
                    _("“%(header)s”与“%(other)s”对应到了同一个数据项") % {"header": header, "other": used[token]},
                    _("每个数据项只能对应一列，请改选其中一列。"),
                    field=header,
                    value=token,
                )
            )
        elif token:
            used[token] = header
    return problems
