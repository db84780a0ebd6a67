"""One set write (an import of many reports at once): what stays true for its length is read once and shared,
and its audit rows are chained and inserted together (core.audit.batched).

Only for writes that leave the organisation tree as it is: what is shared (e.g. the tree's history the
aggregates place reports with) is not refreshed inside the block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_memos: ContextVar[dict[str, Any] | None] = ContextVar("changai_write_batch", default=None)
_FLUSH = "core.batch.flush"  # the flush() of each at_end object, in the order they were made


@contextmanager
def write_batch() -> Iterator[None]:
    """Run the block as one set write (inside its transaction); a block inside another joins the outer one."""
    if _memos.get() is not None:
        yield
        return
    from core import audit  # models import this module; the audit log imports the models

    token = _memos.set({})
    try:
        with audit.batched():
            yield
            for flush in _memos.get().get(_FLUSH, []):
                flush()
    finally:
        _memos.reset(token)


def shared(key: str, factory: Callable[[], T]) -> T:
    """The block's one `factory()` under `key`, made on first use; outside a block a new one each call."""
    memos = _memos.get()
    if memos is None:
        return factory()
    if key not in memos:
        memos[key] = factory()
    return memos[key]


def at_end(key: str, factory: Callable[[], T]) -> T | None:
    """The block's one `factory()` under `key`, whose `flush()` runs when the block ends without an exception
    (still inside its transaction, before its audit rows are written): for writes gathered across the block and
    made once, as a set. None outside a block: the caller writes at once."""
    memos = _memos.get()
    if memos is None:
        return None
    if key not in memos:
        memos[key] = factory()
        memos.setdefault(_FLUSH, []).append(memos[key].flush)
    return memos[key]
