"""Search in Chinese, the same on SQLite and PostgreSQL: the query is cut into words (jieba), each word must occur.

Chinese has no spaces, so a query such as “提高技能人才待遇” would match nothing as one substring of a case that
says “提高高技能人才的薪酬待遇”. `words()` cuts it into 提高 / 技能 / 人才 / 待遇 (dropping particles and
punctuation), and `search()` keeps the rows whose searched fields contain every word, case-insensitively, by
plain `icontains` on each database: no search extension, no index to keep in step, and a word inside a sentence
is found. Rows are ranked by how often the words occur with `rank()`, and `snippet()` gives the passage to show
with the words marked.

Every app's library (cases, policies, newsletter issues) searches through this module.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import cache

from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
# Particles and conjunctions that say nothing about what a text is about.
_STOP = "的 了 和 与 及 或 在 是 等 对 为 把 被 将 并 而 之 其 中 有 也 就 都 以 于 从 向 关于 进行 一个"
STOP_WORDS = frozenset(_STOP.split(" "))
_PUNCTUATION = re.compile(r"^[\s\W_]+$", re.UNICODE)


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(query: str) -> list[str]:
    """The words of `query` to look for, in order, without duplicates, particles or punctuation (at most 8)."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    found: list[str] = []
    for part in query.split():
        for word in _tokenizer().cut(part):
            word = word.strip().lower()
            if not word or _PUNCTUATION.match(word) or word in STOP_WORDS or word in found:
                continue
            found.append(word)
    if not found and not _PUNCTUATION.match(query):
        found = [query.lower()]
    return found[:MAX_WORDS]


def search(queryset: QuerySet, fields: Sequence[str], query: str) -> QuerySet:
    """`queryset` narrowed to rows where every word of `query` occurs in at least one of `fields`."""
    for word in words(query):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def rank(texts: Iterable[str], query_words: Sequence[str]) -> int:
    """How many times the words occur in `texts` (a title can be passed twice to weigh it)."""
    total = 0
    for text in texts:
        lowered = (text or "").lower()
        total += sum(lowered.count(word) for word in query_words)
    return total


def snippet(text: str, query_words: Sequence[str], *, width: int = 60) -> SafeString:
    """About `width` characters of `text` around the first word found, escaped, with the words in <mark>."""
    text = re.sub(r"\s+", " ", text or "").strip()
    lowered = text.lower()
    positions = [lowered.find(word) for word in query_words if word and lowered.find(word) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = text[start : start + width]
    html = escape(piece)
    for word in sorted({w for w in query_words if w}, key=len, reverse=True):
        html = re.sub(re.escape(escape(word)), lambda m: f"<mark>{m.group(0)}</mark>", html, flags=re.IGNORECASE)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - every piece was escaped above
