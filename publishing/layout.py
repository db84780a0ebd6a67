"""An issue as the data its documents are drawn from (the snapshot kept with every generated file).

`snapshot(issue, as_of=…)` reads the issue once and returns plain JSON: the classification lines, the masthead
and its subtitle, the number line, the issuing body and date, the editor's note, the articles in order, the
two distribution lines and the print line, with the issue's id, version and state and the day it was made
for. The .docx (publishing/word.py) and the PDF (publishing/pdf.py) are both drawn from this alone, so a file
kept with its snapshot can be drawn again identically, whatever has changed in the issue since.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from publishing.choices import RecipientLine
from publishing.models import Issue

LAYOUT_VERSION = 1
_SUBTITLE = re.compile(r"^(?P<name>.+?)\s*[（(](?P<sub>[^（）()]+)[）)]$")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def masthead(name: str) -> tuple[str, str]:
    """“云南工会通讯（快报）” as the masthead “云南工会通讯” and its subtitle “（快报）”."""
    found = _SUBTITLE.match(name.strip())
    if not found:
        return name.strip(), ""
    return found["name"], f"（{found['sub']}）"


def snapshot(issue: Issue, *, as_of: dt.date) -> dict[str, Any]:
    series = issue.series
    title, subtitle = masthead(series.name)
    lines = {RecipientLine.REPORT: [], RecipientLine.SEND: []}
    for recipient in issue.recipients.select_related("org").order_by("line", "position", "id"):
        lines[recipient.line].append(recipient.label)
    return {
        "layout": LAYOUT_VERSION,
        "issue_id": issue.pk,
        "issue_version": issue.version,
        "status": issue.status,
        "as_of": as_of.isoformat(),
        "series": series.name,
        "classification": series.classification.split(),
        "masthead": title,
        "subtitle": subtitle,
        "number": f"（{issue.number_text}）" if issue.number_text else "（定稿后编号）",
        "issuing_body": series.issuing_body,
        "date": chinese_date(issue.date),
        "editor_note": [p.strip() for p in issue.editor_note.splitlines() if p.strip()],
        "articles": [
            {
                "title": a.title,
                "date_line": f"（{a.date_line}）" if a.date_line else "",
                "speaker_line": a.speaker_line,
                "body": a.body,
            }
            for a in issue.articles.order_by("position", "id")
        ],
        "report": "，".join(lines[RecipientLine.REPORT]),
        "send": "，".join(lines[RecipientLine.SEND]),
        "print_line": issue.print_text,
        "file_stem": f"{series.name}{issue.number_text.split(' ')[0] if issue.number_text else '草稿'}",
    }
