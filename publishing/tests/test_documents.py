"""The newsletter's .docx and PDF: opened back and checked (python-docx, pdftotext, pdffonts), the first page
rendered to PNG for review, the job that draws them and the snapshot that draws them again identically."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from core.jobs import job_run
from core.models import AuditEntry, Job
from orgs.choices import Role
from publishing import tasks
from publishing.demo import speech
from publishing.models import Issue, IssueDocument
from publishing.services import documents, issues
from publishing.tests.factories import make_series, office

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def reference_issue(tree):
    """An issue laid out like the reference: 2021年第14期 总第52期, the speech first, then a second article."""
    by = office(tree)
    series = make_series(tree, first_running_number=52, first_year=2021, first_year_number=14)
    issue = issues.issue_create(by=by, series=series, date=__import__("datetime").date(2021, 8, 2),
                                editor_note=speech.EDITOR_NOTE)  # fmt: skip
    issues.article_add(by=by, issue=issue, version=issue.version, title=speech.TITLE, date_line=speech.DATE_LINE,
                       speaker_line=speech.SPEAKER_LINE, body="".join(speech.BODY))  # fmt: skip
    issue.refresh_from_db()
    issues.article_add(by=by, issue=issue, version=issue.version, title="第二篇：昆明供电局技能比武",
                       body="<p>技能比武吸引 300 名职工参加。</p>")  # fmt: skip
    issue.refresh_from_db()
    issues.distribution_set(by=by, issue=issue, version=issue.version, report=list(speech.REPORT_LINE),
                            send=[tree.union_a, tree.union_b, tree.kunming])  # fmt: skip
    issue.refresh_from_db()
    return issues.issue_step(by=by, issue=issue, step="finalise", version=issue.version)


def _generate(tree, issue) -> list[IssueDocument]:
    job = documents.documents_request(by=office(tree), issue=issue)
    job_run(job_id=job.pk, work=lambda actor, job: tasks.run(actor, job.pk, issue.pk))  # what the worker does
    job.refresh_from_db()
    assert job.status == "done", job.error
    return list(IssueDocument.objects.filter(job_id=job.pk).order_by("format"))


def _docx_lines(row) -> list[str]:
    with row.file.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    return [p.text for p in document.paragraphs if p.text.strip()]


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} (poppler-utils) is not installed: make system-deps"
    return found


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603 - our own file, no shell


def _pdf_text(path: Path) -> str:
    return _run(_tool("pdftotext"), "-layout", str(path), "-")


def test_the_docx_has_the_official_layout(tree, reference_issue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    docx_row, _pdf_row = _generate(tree, reference_issue)
    assert docx_row.format == "docx"
    lines = _docx_lines(docx_row)
    assert lines[:2] == ["内部资料", "注意保存"]
    assert lines[2:5] == ["云南工会通讯", "（快报）", "（2021年第14期 总第52期）"]
    assert lines[5] == "云南省总工会研究室\t2021年8月2日"
    assert lines[6].startswith("编者按：云南省人大常委会副主任") and lines[6].endswith("现印发给大家学习。")
    titles = [i for i, line in enumerate(lines) if line in (speech.TITLE, "第二篇：昆明供电局技能比武")]
    assert [lines[i] for i in titles] == [speech.TITLE, "第二篇：昆明供电局技能比武"]  # in order
    first = titles[0]
    assert lines[first + 1 : first + 4] == ["（2021年7月30日）", speech.SPEAKER_LINE, "同志们："]
    assert "一、强化思想认识，着力增强推进改革的使命感责任感" in lines
    assert lines[-3:] == [
        "报：王树芬同志，省总工会领导",
        "发：云南电网，中国铜业，昆明市总工会",
        "云南省总工会研究室 2021年8月2日印发",
    ]
    # The masthead is red and bold, and every run names a CJK font for East Asian text.
    with docx_row.file.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    masthead = document.paragraphs[2].runs[0]
    assert masthead.bold and str(masthead.font.color.rgb) == "C00000"
    east_asia = masthead._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
    assert east_asia == "Noto Serif CJK SC"
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer  # page numbers


def test_the_pdf_has_the_same_lines_and_embeds_cjk_fonts(tree, reference_issue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _docx_row, pdf_row = _generate(tree, reference_issue)
    path = Path(pdf_row.file.path)
    text = _pdf_text(path)
    squeezed = "".join(text.split())
    for line in ("内部资料", "注意保存", "云南工会通讯", "（快报）", "（2021年第14期总第52期）", "云南省总工会研究室",
                 "2021年8月2日", "编者按：云南省人大常委会副主任", speech.TITLE, "（2021年7月30日）",
                 "省人大常委会副主任、省总工会主席王树芬", "报：王树芬同志，省总工会领导",
                 "发：云南电网，中国铜业，昆明市总工会", "云南省总工会研究室2021年8月2日印发", "—1—"):  # fmt: skip
        assert line in squeezed, line
    assert squeezed.index(speech.TITLE) < squeezed.index("第二篇：昆明供电局技能比武")
    fonts = _run(_tool("pdffonts"), str(path))
    assert "NotoSerifCJKsc" in fonts.replace("-", "") or "Noto-Serif-CJK-SC" in fonts, fonts
    assert "Sans-CJK-SC" in fonts or "SansCJKsc" in fonts.replace("-", ""), fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # every font embedded
    SHOTS.mkdir(parents=True, exist_ok=True)
    _run(
        _tool("pdftoppm"),
        "-png",
        "-r",
        "80",
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        str(path),
        str(SHOTS / "publishing_issue_page1"),
    )
    assert (SHOTS / "publishing_issue_page1.png").stat().st_size > 10_000
    pages = int(
        next(line.split()[-1] for line in _run(_tool("pdfinfo"), str(path)).splitlines() if line.startswith("Pages:"))
    )
    assert pages >= 2
    last = str(pages)
    _run(
        _tool("pdftoppm"),
        "-png",
        "-r",
        "60",
        "-f",
        last,
        "-l",
        last,
        "-singlefile",
        str(path),
        str(SHOTS / "publishing_issue_last"),
    )


def test_the_job_keeps_its_inputs_and_a_kept_file_is_drawn_again_identically(tree, reference_issue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kept = _generate(tree, reference_issue)
    job = Job.objects.get(kind=documents.JOB_KIND)
    assert job.result["documents"] == sorted(r.pk for r in kept) or set(job.result["documents"]) == {r.pk for r in kept}
    docx_row = kept[0]
    assert docx_row.issue_version == reference_issue.version
    assert docx_row.snapshot["number"] == "（2021年第14期 总第52期）"
    assert docx_row.snapshot["articles"][0]["title"] == speech.TITLE
    # The issue changes afterwards (reopened, its note rewritten); the kept snapshot still draws the old one.
    issue = issues.issue_step(by=office(tree), issue=reference_issue, step="reopen", version=reference_issue.version)
    issues.issue_update(by=office(tree), issue=issue, version=issue.version, editor_note="改写后的编者按。")
    again = documents.document_regenerate(by=office(tree), document=docx_row)
    assert _docx_lines(again[0]) == _docx_lines(docx_row)
    assert _pdf_text(Path(again[1].file.path)) == _pdf_text(Path(kept[1].file.path))
    assert AuditEntry.objects.filter(event="publishing.issue.documents").count() == 2


def test_documents_are_the_office_s_to_generate(tree, reference_issue):
    from django.core.exceptions import PermissionDenied

    from core.actor import Actor

    with pytest.raises(PermissionDenied):
        documents.documents_request(by=Actor(user=tree.user(Role.INFO_OFFICER)), issue=reference_issue)
    assert not Job.objects.filter(kind=documents.JOB_KIND).exists()
    assert Issue.objects.get(pk=reference_issue.pk).number_text == "2021年第14期 总第52期"
