"""The pieces every Word (.docx) file is made of, so that each app draws only its layout (python-docx).

- `new_document()`: A4 with the house margins, Chinese fonts on the body and heading styles (the East
  Asian font is set through w:eastAsia, which python-docx's `font.name` does not touch: without it Word
  shows Chinese in its default font);
- `heading`, `paragraph`, `page_break`, `table`: the house style for what the layout itself writes;
- `add_html(container, markup)`: rich text cleaned by core.richtext (p, br, strong/b, em/i, u, ul/ol/li,
  h3/h4, table/thead/tbody/tr/th/td with colspan/rowspan, blockquote) as Word paragraphs, lists and
  tables; anything else is read as plain text, so it never needs a second cleaning;
- `to_bytes(document)` and DOCX_CONTENT_TYPE for a download.

Text goes into runs as text (never as field codes or XML), with characters XML cannot hold removed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# East Asian fonts as Chinese offices have them (Word on Windows); LibreOffice maps both to Noto CJK.
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_BODY_FONT = "Times New Roman"
BODY_SIZE = Pt(12)
HEADING_SIZES = {0: Pt(22), 1: Pt(16), 2: Pt(14), 3: Pt(13), 4: Pt(12)}

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def safe(text: object) -> str:
    """`text` as a string Word can hold (no control characters)."""
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


def set_font(target, east_asia: str = BODY_FONT, latin: str | None = LATIN_BODY_FONT, size=None, bold=None) -> None:
    """Set a style's or a run's fonts: `east_asia` for Chinese (w:eastAsia), `latin` for the rest."""
    font = target.font
    if latin:
        font.name = latin
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    element = target.element if hasattr(target, "element") else target._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    if latin:
        fonts.set(qn("w:ascii"), latin)
        fonts.set(qn("w:hAnsi"), latin)


def new_document(*, landscape: bool = False) -> Document:
    """An empty A4 document with the house fonts, margins and heading styles."""
    document = new_docx()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_height, section.page_width = section.page_width, section.page_height
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.8)
    normal = document.styles["Normal"]
    set_font(normal, BODY_FONT, LATIN_BODY_FONT, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.3
    for level in range(0, 5):
        style = document.styles["Title" if level == 0 else f"Heading {level}"]
        set_font(style, HEADING_FONT, LATIN_BODY_FONT, HEADING_SIZES[level], bold=level > 0)
        style.font.color.rgb = None
    for name in ("List Bullet", "List Number", "Quote", "Table Grid"):
        if name in [s.name for s in document.styles]:
            set_font(document.styles[name], BODY_FONT, LATIN_BODY_FONT)
    return document


def heading(container, text: str, level: int = 1, *, centred: bool = False):
    """A heading paragraph (style "Title" for level 0, "Heading N" otherwise)."""
    paragraph = container.add_paragraph(style="Title" if level == 0 else f"Heading {min(level, 9)}")
    paragraph.add_run(safe(text))
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def paragraph(container, text: str = "", *, bold: bool = False, italic: bool = False, size=None, centred=False):
    """A plain paragraph in the body font."""
    result = container.add_paragraph()
    if text:
        run = result.add_run(safe(text))
        run.bold, run.italic = bold or None, italic or None
        if size is not None:
            run.font.size = size
    if centred:
        result.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return result


def page_break(document: Document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def table(container, headers: list[str], rows: list[list[object]], *, widths_cm: list[float] | None = None):
    """A bordered table with a bold header row."""
    result = container.add_table(rows=1, cols=len(headers))
    result.style = "Table Grid"
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(result.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(safe(text)).bold = True
    for values in rows:
        cells = result.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = safe(value)
    if widths_cm:
        for row in result.rows:
            for cell, width in zip(row.cells, widths_cm, strict=False):
                cell.width = Cm(width)
    return result


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- rich text (core.richtext's subset) → Word -------------------------------------------------------------------


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list = field(default_factory=list)  # _Node or str


_VOID = {"br"}
_BLOCKS = {"p", "ul", "ol", "li", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "blockquote"}


class _TreeBuilder(HTMLParser):
    """A forgiving tree of the markup: unclosed tags are closed by their parent's end tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(markup: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(markup or "")
    builder.close()
    return builder.root


@dataclass(frozen=True)
class _Format:
    bold: bool = False
    italic: bool = False
    underline: bool = False

    def with_tag(self, tag: str) -> _Format:
        return _Format(
            self.bold or tag in ("strong", "b"), self.italic or tag in ("em", "i"), self.underline or tag == "u"
        )


def _inline(paragraph_, nodes, fmt: _Format = _Format()) -> None:
    """Runs for inline content; nested blocks (unexpected inside a paragraph) are flattened to text."""
    for node in nodes:
        if isinstance(node, str):
            text = _SPACE.sub(" ", safe(node))
            if text:
                run = paragraph_.add_run(text)
                run.bold, run.italic, run.underline = fmt.bold or None, fmt.italic or None, fmt.underline or None
        elif node.tag == "br":
            paragraph_.add_run().add_break()
        else:
            _inline(paragraph_, node.children, fmt.with_tag(node.tag))


def _has_text(nodes) -> bool:
    return any((isinstance(n, str) and n.strip()) or (not isinstance(n, str) and _has_text(n.children)) for n in nodes)


def _span(value: str) -> int:
    return int(value) if value.isdigit() and 1 <= int(value) <= 50 else 1


def _rows_of(node: _Node) -> list[_Node]:
    rows = []
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in ("thead", "tbody"):
                rows.extend(_rows_of(child))
    return rows


def _add_table(container, node: _Node) -> None:
    rows = _rows_of(node)
    cells = [[c for c in row.children if isinstance(c, _Node) and c.tag in ("td", "th")] for row in rows]
    if not any(cells):
        return
    # Lay the cells on a grid, skipping places covered by a span from above or the left.
    taken: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, row in enumerate(cells):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            colspan, rowspan = _span(cell.attrs.get("colspan", "1")), _span(cell.attrs.get("rowspan", "1"))
            rowspan = min(rowspan, len(cells) - r)
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            placed.append((r, c, rowspan, colspan, cell))
            c += colspan
        width = max(width, max((col + 1 for row_, col in taken if row_ == r), default=0))
    result = container.add_table(rows=len(cells), cols=max(width, 1))
    result.style = "Table Grid"
    for r, c, rowspan, colspan, cell in placed:
        target = result.cell(r, c)
        if rowspan > 1 or colspan > 1:
            target = target.merge(result.cell(r + rowspan - 1, min(c + colspan - 1, width - 1)))
        first = target.paragraphs[0]
        _blocks(target, cell.children, into=first, fmt=_Format(bold=cell.tag == "th"))


def _list(container, node: _Node, depth: int) -> None:
    style = "List Number" if node.tag == "ol" else "List Bullet"
    if depth > 0:
        style += f" {min(depth + 1, 3)}"
    for item in node.children:
        if isinstance(item, str):
            continue
        inline = [c for c in item.children if isinstance(c, str) or c.tag not in ("ul", "ol")]
        nested = [c for c in item.children if not isinstance(c, str) and c.tag in ("ul", "ol")]
        if _has_text(inline):
            _inline(container.add_paragraph(style=style), inline)
        for sub in nested:
            _list(container, sub, depth + 1)


def _blocks(container, nodes, *, into=None, fmt: _Format = _Format(), heading_offset: int = 0) -> None:
    """Paragraphs, lists and tables for block content; loose inline content gathers into paragraphs.

    `into` is an empty paragraph to fill first (a table cell starts with one).
    """
    pending: list = []

    def flush() -> None:
        nonlocal into
        if pending and _has_text(pending):
            target = into if into is not None else container.add_paragraph()
            into = None
            _inline(target, pending, fmt)
        pending.clear()

    for node in nodes:
        if isinstance(node, str) or node.tag not in _BLOCKS:
            pending.append(node)
            continue
        flush()
        if node.tag == "p":
            if _has_text(node.children):
                target = into if into is not None else container.add_paragraph()
                into = None
                _inline(target, node.children, fmt)
        elif node.tag in ("h3", "h4"):
            level = (3 if node.tag == "h3" else 4) + heading_offset
            _inline(container.add_paragraph(style=f"Heading {max(1, min(level, 9))}"), node.children)
        elif node.tag in ("ul", "ol"):
            _list(container, node, 0)
        elif node.tag == "table":
            _add_table(container, node)
        elif node.tag == "blockquote":
            start = len(container.paragraphs)
            _blocks(container, node.children, fmt=fmt, heading_offset=heading_offset)
            for quoted in container.paragraphs[start:]:
                quoted.paragraph_format.left_indent = Cm(1)
        else:  # li, tr, td … outside their parents: read as paragraphs
            _blocks(container, node.children, fmt=fmt, heading_offset=heading_offset)
    flush()


def add_html(container, markup: str, *, heading_offset: int = 0) -> None:
    """Write cleaned rich text (core.richtext) into a document, a table cell or another container.

    h3/h4 become "Heading 3"/"Heading 4" styles, moved by `heading_offset` (e.g. -1 under a level-2 heading).
    """
    _blocks(container, parse_html(markup).children, heading_offset=heading_offset)
