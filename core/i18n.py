"""Translations looked up once per long computation.

Django's `gettext` goes through the active language's thread-and-task local and its catalogues on every call:
a few microseconds, which a score card pays hundreds of thousands of times over for the same few dozen texts
(5,000 organisations × 40 criteria, each explained in words). Inside `one_language()` the language cannot
change, so each text is translated once and the answer kept for the rest of the block.

Modules that explain figures in bulk import `gettext` from here as `_`; outside a block it is Django's own, so
they behave the same in a request, a job or a test. `makemessages` finds their texts as before (`_("…")`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext as django_gettext

_translated: ContextVar[dict[str, str] | None] = ContextVar("changai_translated", default=None)


@contextmanager
def one_language() -> Iterator[None]:
    """Keep each text's translation for the block (which must not switch language); a block inside another
    shares the outer one's."""
    if _translated.get() is not None:
        yield
        return
    token = _translated.set({})
    try:
        yield
    finally:
        _translated.reset(token)


def gettext(message: str) -> str:
    """Django's `gettext`, answered from the block's memory inside `one_language()`."""
    translated = _translated.get()
    if translated is None:
        return django_gettext(message)
    found = translated.get(message)
    if found is None:
        found = translated[message] = django_gettext(message)
    return found
