"""An issue of the newsletter as PDF, drawn by WeasyPrint (core.rendering.render_pdf) from the same snapshot as
the .docx (publishing/layout.py), in the same official layout (templates/publishing/issue_pdf.html).

The faces are Noto Serif CJK SC (the body, standing in for 仿宋; the editor's note for 楷体) and Noto Sans CJK
SC (黑体-style lines), SIL OFL, installed with the system packages (Makefile `system-deps`) and embedded as
subsets in the file. Nothing outside the template is fetched (user text could point anywhere).
"""

from __future__ import annotations

from typing import Any

from django.utils.safestring import mark_safe

from core import rendering, richtext


def issue_pdf(data: dict[str, Any]) -> bytes:
    """The issue drawn from `data` (layout.snapshot) as PDF bytes."""
    articles = [
        # The bodies were cleaned by core.richtext when saved; cleaned again, they are safe to place as markup.
        {**article, "body": mark_safe(richtext.clean(article["body"]))}  # noqa: S308
        for article in data["articles"]
    ]
    return rendering.render_pdf("publishing/issue_pdf.html", {"data": data, "articles": articles})
