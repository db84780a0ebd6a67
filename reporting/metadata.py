"""Pure helpers for metadata that both services and data migrations use (no model imports)."""

from __future__ import annotations

import itertools

DEFAULT_COMBO_CODE = "DEFAULT"
DEFAULT_COMBO_NAME = "无分类"
DEFAULT_OPTION_COMBO_NAME = "合计"


def option_combo_cells(categories: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(key, name) of every cell of the cross product of `categories` (each a list of (code, name)).

    Keys join option codes by dots in category order; names join option names by "·".
    No category at all gives the default combo's single cell ("", "合计").
    """
    if not categories:
        return [("", DEFAULT_OPTION_COMBO_NAME)]
    cells = []
    for combination in itertools.product(*categories):
        cells.append((".".join(code for code, _name in combination), "·".join(name for _code, name in combination)))
    return cells
