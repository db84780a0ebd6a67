"""Moving one item of an ordered list up or down: the reorder rule every editor with ↑/↓ buttons uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from core.errors import UserError

DIRECTIONS = ("up", "down")


def move(rows: Sequence[Any], item_pk: Any, direction: str, *, field: str = "sort_order") -> list[Any] | None:
    """Swap the item `item_pk` with its neighbour in `direction` and number `rows` 1, 2, 3 … in `field`.

    `rows` are the siblings in their current order (lock them first). Returns the rows whose number
    changed (to save with bulk_update), or None when the item is already at that end; UserError for
    a direction other than "up" or "down". `rows`, if a list, is reordered in place.
    """
    if direction not in DIRECTIONS:
        raise UserError(_("移动方向只能是上移或下移。"))
    items = rows if isinstance(rows, list) else list(rows)
    position = next(i for i, row in enumerate(items) if row.pk == item_pk)
    target = position - 1 if direction == "up" else position + 1
    if not 0 <= target < len(items):
        return None
    items[position], items[target] = items[target], items[position]
    changed = []
    for number, row in enumerate(items, start=1):
        if getattr(row, field) != number:
            setattr(row, field, number)
            changed.append(row)
    return changed
