"""Rich text people write in the browser (a written report's section, a newsletter's article), kept safe.

One allow-list of tags and attributes, applied with nh3 on every save, so what is stored can be shown
as it is (`|safe`) and turned into .docx (core.docx) without a second cleaning:

    paragraphs and line breaks, bold, italic, underline, bulleted and numbered lists, two heading
    levels (h3, h4), tables (with colspan/rowspan), block quotes.

Everything else is dropped: scripts and styles with their content, any other tag with its markup only
(the text stays), every attribute except a table cell's colspan/rowspan (whole numbers 1–50).
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "table", "thead", "tbody", "tr", "th",
     "td", "blockquote"}
)  # fmt: skip
CELL_ATTRIBUTES = {"th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
MAX_SPAN = 50

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")  # what the browser's editor leaves behind after a list


def _span_only(tag: str, attribute: str, value: str) -> str | None:
    """Keep colspan/rowspan only when it is a small whole number."""
    if attribute in ("colspan", "rowspan") and value.strip().isdigit() and 1 <= int(value) <= MAX_SPAN:
        return value.strip()
    return None


def clean(markup: str | None) -> str:
    """`markup` reduced to the allowed tags and attributes (see the module's docstring)."""
    if not markup:
        return ""
    cleaned = nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "template", "textarea", "title", "noscript", "iframe", "object"},
        attributes={tag: set(names) for tag, names in CELL_ATTRIBUTES.items()},
        attribute_filter=_span_only,
        link_rel=None,
        strip_comments=True,
    )
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def plain_text(markup: str | None) -> str:
    """The visible text of cleaned markup, spaces collapsed (for "is it empty?" and short previews)."""
    if not markup:
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


def from_plain(text: str) -> str:
    """Plain text typed in a textarea (the page without JavaScript) as paragraphs: blank lines split them."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join("<p>" + html.escape(b).replace("\n", "<br>") + "</p>" for b in blocks)


_BREAKS = re.compile(r"(?i)<br\s*/?>|</(p|li|h3|h4|tr|blockquote)>")


def as_paragraphs(markup: str | None) -> str:
    """Cleaned markup as plain text with blank lines between paragraphs (the textarea without JavaScript)."""
    if not markup:
        return ""
    text = html.unescape(_TAG.sub("", _BREAKS.sub("\n\n", markup)))
    blocks = [" ".join(line.split()) for line in re.split(r"\n\s*\n", text)]
    return "\n\n".join(b for b in blocks if b)
