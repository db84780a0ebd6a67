"""An issue of the newsletter as a Word file, in the official layout, from its snapshot (publishing/layout.py).

Top left the classification lines; the masthead large, bold and red, centred, with its subtitle; the number
line; the issuing body and the date on one line above a red rule; the editor's note (编者按, serif, standing
in for 楷体); each article with its title centred in bold, its date line and speaker line, its body (serif
standing in for 仿宋, first lines indented two characters); page numbers in the footer (“— 1 —”); and at the
end the distribution (报 / 发) and the print line between rules.

Fonts: Noto Serif CJK SC and Noto Sans CJK SC (SIL OFL, installed with the system packages) set as the East
Asian font of every style and run (w:eastAsia; the heading styles' theme fonts are removed by core.docx), so
LibreOffice and Word show the same faces where they are installed.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core import docx as d

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
RED = RGBColor(0xC0, 0x00, 0x00)
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)


def _run(paragraph, text: str, *, font: str = SERIF, size=BODY_SIZE, bold: bool = False, colour=None):
    run = paragraph.add_run(d.safe(text))
    d.set_font(run, font, font, size, bold=bold or None)
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _border(paragraph, side: str, *, colour: str = "000000", size: int = 8) -> None:
    """A rule above (`top`) or under (`bottom`) a paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", colour)):
        line.set(qn(key), value)
    borders.append(line)


def _page_number(section) -> None:
    """“— N —” centred in the footer, N a PAGE field."""
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", size=Pt(14))
    run = footer.add_run()
    d.set_font(run, SERIF, SERIF, Pt(14))
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _run(footer, " —", size=Pt(14))


def _centred(document, text: str, *, font: str = SERIF, size=BODY_SIZE, bold: bool = False, colour=None, after=0):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.space_after = Pt(after)
    _run(paragraph, text, font=font, size=size, bold=bold, colour=colour)
    return paragraph


def issue_docx(data: dict[str, Any]) -> bytes:
    """The issue drawn from `data` (layout.snapshot) as .docx bytes."""
    document = d.new_document()
    section = document.sections[0]
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    d.set_font(normal, SERIF, SERIF, BODY_SIZE)
    normal.paragraph_format.first_line_indent = Pt(32)
    normal.paragraph_format.line_spacing = LINE
    normal.paragraph_format.space_after = Pt(0)
    for level in (1, 2, 3, 4):
        style = document.styles[f"Heading {level}"]
        d.set_font(style, SANS, SANS, BODY_SIZE, bold=False)
        style.paragraph_format.first_line_indent = Pt(32)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(0)
    properties = document.core_properties
    properties.title = f"{data['series']} {data['number']}"
    properties.author = data["issuing_body"]

    # Classification, top left.
    for line in data["classification"]:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Cm(0)
        _run(paragraph, line, font=SANS, size=Pt(14))
    # Masthead.
    _centred(document, data["masthead"], size=Pt(42), bold=True, colour=RED)
    if data["subtitle"]:
        _centred(document, data["subtitle"], size=Pt(22), bold=True, colour=RED)
    _centred(document, data["number"], size=BODY_SIZE, after=6)
    # Issuing body (left) and date (right) on one line, above a red rule.
    line = document.add_paragraph()
    line.paragraph_format.first_line_indent = Cm(0)
    width = section.page_width - section.left_margin - section.right_margin
    line.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _run(line, data["issuing_body"], font=SANS)
    _run(line, "\t" + data["date"], font=SANS)
    _border(line, "bottom", colour="C00000", size=18)
    document.add_paragraph().paragraph_format.space_after = Pt(6)
    # Editor's note.
    for index, text in enumerate(data["editor_note"]):
        paragraph = document.add_paragraph()
        if index == 0:
            _run(paragraph, "编者按：", font=SANS, bold=True)
        _run(paragraph, text)
    # Articles.
    for article in data["articles"]:
        document.add_paragraph()
        _centred(document, article["title"], size=Pt(22), bold=True, after=6)
        if article["date_line"]:
            _centred(document, article["date_line"])
        if article["speaker_line"]:
            _centred(document, article["speaker_line"], after=12)
        d.add_html(document, article["body"])
    # Distribution and print line, between rules.
    document.add_paragraph()
    first = True
    for label, text in (("报：", data["report"]), ("发：", data["send"])):
        if not text:
            continue
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Cm(0)
        _run(paragraph, label + text, size=Pt(14))
        if first:
            _border(paragraph, "top")
            first = False
    printed = document.add_paragraph()
    printed.paragraph_format.first_line_indent = Cm(0)
    _run(printed, data["print_line"], size=Pt(14))
    _border(printed, "top")
    _border(printed, "bottom")
    _page_number(section)
    return d.to_bytes(document)
