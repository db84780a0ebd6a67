"""Pinyin initials for searching organisations the way officers type them (云南电网 → yndw)."""

from pypinyin import Style, lazy_pinyin


def initials(text: str) -> str:
    """Lower-case initials of each Chinese character; letters and digits kept as they are."""
    parts = lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(p[0] for p in parts if p and p[0].isalnum()).lower()
