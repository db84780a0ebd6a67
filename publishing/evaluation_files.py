"""The evaluation report as .docx (python-docx through core.docx) and PDF (WeasyPrint through core.rendering),
both drawn from the snapshot publishing.evaluation.build_snapshot made: the title, its scope and date, then each
section with its paragraphs and tables (“无数据” where there is none), the office's section marked as a
placeholder. Fonts as in the newsletter: Noto Serif CJK SC for the body, Noto Sans CJK SC for headings."""

from __future__ import annotations

import base64
import io
from typing import Any

from docx.shared import Cm, Pt

from core import charts as c
from core import docx as d
from core import rendering
from publishing.word import SANS, SERIF, _centred, _page_number, _run


def report_docx(data: dict[str, Any]) -> bytes:
    document = d.new_document()
    normal = document.styles["Normal"]
    d.set_font(normal, SERIF, SERIF, Pt(14))
    normal.paragraph_format.first_line_indent = Pt(28)
    normal.paragraph_format.line_spacing = Pt(26)
    for level in (1, 2):
        d.set_font(document.styles[f"Heading {level}"], SANS, SANS, Pt(16 if level == 1 else 14), bold=True)
    _centred(document, data["title"], size=Pt(20), bold=True, after=6)
    _centred(document, data["subtitle"], size=Pt(12), after=12)
    for number, entry in enumerate(data["sections"], start=1):
        d.heading(document, f"{_chinese(number)}、{entry['title']}", 1)
        for text in entry["paragraphs"]:
            paragraph = document.add_paragraph()
            run = _run(paragraph, text, size=Pt(14))
            if entry.get("placeholder"):
                run.italic = True
        for table in entry["tables"]:
            caption = document.add_paragraph()
            _run(caption, table["caption"], font=SANS, size=Pt(12), bold=True)
            d.table(document, table["headers"], table["rows"])
            if table.get("note"):
                _run(document.add_paragraph(), table["note"], size=Pt(10.5))
        for data_of_chart in entry.get("charts", []):
            chart = c.Chart.from_dict(data_of_chart)
            document.add_picture(io.BytesIO(c.png(chart)), width=Cm(16))
            if chart.note:
                _run(document.add_paragraph(), chart.note, size=Pt(10.5))
    _page_number(document.sections[0])
    return d.to_bytes(document)


def report_pdf(data: dict[str, Any]) -> bytes:
    sections = [
        {**s, "number": _chinese(i), "images": [_svg_image(chart) for chart in s.get("charts", [])]}
        for i, s in enumerate(data["sections"], start=1)
    ]
    return rendering.render_pdf("publishing/report_pdf.html", {"data": data, "sections": sections})


def _svg_image(data: dict) -> dict:
    """A chart as an <img> source (SVG in a data: URI, sharp at any zoom) and its note."""
    chart = c.Chart.from_dict(data)
    encoded = base64.b64encode(c.svg(chart).encode()).decode()
    return {"src": f"data:image/svg+xml;base64,{encoded}", "title": chart.title, "note": chart.note}


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
