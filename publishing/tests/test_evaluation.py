"""The evaluation report drafted from the platform's data: its sections in order (overview with its scope, the
assessment results, the ledger's alerts, submissions, the office's placeholder), as .docx and PDF opened back,
a section another app registers, and the office's pages (404 for everyone else)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document

from core.jobs import job_run
from core.models import AuditEntry, Job
from ledger.models import Alert
from orgs.choices import Role
from publishing import evaluation, tasks
from publishing.models import ReportDocument
from publishing.services import reports
from publishing.tests.factories import office

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_section():
    @evaluation.section("test_sites", "示范点建设", order=30)
    def build(ctx):
        return evaluation.Content(
            paragraphs=[f"{ctx.first_year}—{ctx.year}年命名示范点 12 个。"],
            tables=[evaluation.Table("示范点", ["州市", "个数"], [["昆明市", "5"]])],
        )

    yield
    evaluation.SECTIONS.pop("test_sites", None)


def _generate(tree, report) -> list[ReportDocument]:
    job = reports.documents_request(by=office(tree), report=report)
    job_run(job_id=job.pk, work=lambda actor, job: tasks.run_report(actor, job.pk, report.pk))
    job.refresh_from_db()
    assert job.status == "done", job.error
    return list(ReportDocument.objects.filter(job_id=job.pk).order_by("format"))


def test_a_four_year_draft_has_every_section_in_order(tree, extra_section, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Alert.objects.create(
        org=tree.ent_a1, kind="no_plan", reason="未出台实施方案", since=dt.date(2019, 1, 1),
        raised_on=dt.date(2019, 1, 1), checked_on=dt.date(2021, 12, 31),
    )  # fmt: skip
    report = reports.report_create(by=office(tree), kind="four_year", year=2021)
    docx_row, pdf_row = _generate(tree, report)
    with docx_row.file.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    assert lines[0] == "云南省产业工人队伍建设改革四年评估报告（2018—2021年）"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、总体情况", "二、示范点建设", "三、建功立业和先进人物：填报与平台记录", "四、量化考核结果",
        "五、存在的问题：产改预警", "六、信息报送和宣传", "七、成效、问题和下一步工作（由产改办撰写）",
    ]  # fmt: skip
    assert any("全省范围" in line for line in lines)
    assert "2018—2021年命名示范点 12 个。" in lines
    assert "2021年度尚无已公布的量化考核结果。" in lines
    alerts_table = next(t for t in document.tables if t.rows[0].cells[0].text == "预警类型")
    row = next(r for r in alerts_table.rows if r.cells[0].text == "未出台实施方案")
    assert [c.text for c in row.cells] == ["未出台实施方案", "1", "1"]
    lagging = next(t for t in document.tables if t.rows[0].cells[1].text == "未解除预警")
    assert [c.text for c in lagging.rows[1].cells] == [tree.ent_a1.name, "1", "未出台实施方案"]
    assert lines[-1].startswith("【此处由产改办撰写")
    pdftotext = shutil.which("pdftotext")
    assert pdftotext
    command = [pdftotext, str(Path(pdf_row.file.path)), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - our own file
    squeezed = "".join(text.split())
    assert "四年评估报告（2018—2021年）" in squeezed and "五、存在的问题：产改预警" in squeezed
    assert docx_row.snapshot["sections"][1]["key"] == "test_sites" and docx_row.snapshot["year"] == 2021
    assert AuditEntry.objects.filter(event="publishing.report.documents").count() == 1


def test_a_kept_report_is_drawn_again_from_its_inputs(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = reports.report_create(by=office(tree), kind="annual", year=2021)
    docx_row, _pdf = _generate(tree, report)
    Alert.objects.create(
        org=tree.ent_a1, kind="no_plan", reason="新预警", since=dt.date(2021, 1, 1), raised_on=dt.date(2021, 1, 1),
        checked_on=dt.date(2021, 12, 31),
    )  # fmt: skip
    again = reports.document_regenerate(by=office(tree), document=docx_row)[0]
    read = lambda row: [p.text for p in Document(io.BytesIO(row.file.open("rb").read())).paragraphs]  # noqa: E731
    assert read(again) == read(docx_row)


def test_bad_input_and_permissions(client, tree):
    from django.core.exceptions import PermissionDenied

    from core.actor import Actor
    from core.errors import UserError

    with pytest.raises(UserError):
        reports.report_create(by=office(tree), kind="weekly", year=2021)
    with pytest.raises(UserError):
        reports.report_create(by=office(tree), kind="annual", year=1999)
    with pytest.raises(PermissionDenied):
        reports.report_create(by=Actor(user=tree.user(Role.UNION_ADMIN)), kind="annual", year=2021)
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.get(reverse("publishing:reports")).status_code == 404
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.post(reverse("publishing:report_new"), {"kind": "annual", "year": "2021"})
    assert response.status_code == 302
    assert Job.objects.filter(kind=reports.JOB_KIND).count() == 1
    assert "总体情况" in client.get(reverse("publishing:reports")).content.decode()
    assert client.get(response.url).status_code == 200


def test_the_assessment_section_reads_the_published_round(tree):
    from assessment.tests.rounds import quick_round

    quick_round(tree.user(Role.OFFICE_ADMIN), "2021年度考核", [tree.ent_a1, tree.ent_a2])
    content = evaluation.assessment(evaluation.Context(kind="annual", year=2021, as_of=dt.date(2022, 5, 1)))
    assert content.paragraphs[0].startswith("2021年度考核共考核 2 家单位")
    assert content.tables[0].caption == "等次分布" and sum(int(r[1]) for r in content.tables[0].rows) == 2


def test_charts_are_drawn_into_the_word_file_and_the_pdf(tree, settings, tmp_path):
    from core.charts import BAR, Chart

    settings.MEDIA_ROOT = tmp_path
    chart = Chart(
        kind=BAR, title="各州市示范点数", categories=["昆明市", "曲靖市"], series=[("2021年", [5, 3])], unit="个"
    )

    @evaluation.section("test_chart", "图表", order=15)
    def build(ctx):
        return evaluation.Content(paragraphs=["见下图。"], charts=[chart.as_dict()])

    try:
        report = reports.report_create(by=office(tree), kind="annual", year=2021)
        docx_row, pdf_row = _generate(tree, report)
    finally:
        evaluation.SECTIONS.pop("test_chart", None)
    assert docx_row.snapshot["sections"][1]["charts"][0]["series"] == [["2021年", [5, 3]]]
    document = Document(io.BytesIO(docx_row.file.open("rb").read()))
    assert len(document.inline_shapes) == 1
    blob = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert document.part.related_parts[blob].blob.startswith(b"\x89PNG")

    # The PDF draws the chart as vector graphics: its pages rendered show the bars' blue.
    from PIL import Image

    command = ["pdftoppm", "-r", "50", "-png", pdf_row.file.path, str(tmp_path / "page")]
    subprocess.run(command, check=True)  # noqa: S603,S607 - our own file
    blue = 0
    for page in tmp_path.glob("page*.png"):
        image = Image.open(page).convert("RGB")
        pixels = (image.getpixel((x, y)) for y in range(image.height) for x in range(image.width))
        blue += sum(1 for r, g, b in pixels if abs(r - 0x1F) < 12 and abs(g - 0x5F) < 12 and abs(b - 0xA8) < 12)
    assert blue > 500


def test_the_overview_charts_the_key_rates_trend_and_leaves_out_counts():
    from types import SimpleNamespace

    rate = SimpleNamespace(label="持证率", is_rate=True, trend=[("2020", None), ("2021", Decimal("47.5"))])
    empty = SimpleNamespace(label="学历占比", is_rate=True, trend=[("2020", None), ("2021", None)])
    count = SimpleNamespace(label="职工人数", is_rate=False, trend=[("2020", Decimal(5)), ("2021", Decimal(6))])
    charts = evaluation._trend_charts([rate, empty, count])
    assert [c["categories"] for c in charts] == [["2020年", "2021年"]]
    assert charts[0]["series"] == [["持证率", [None, 47.5]]]
    assert evaluation._trend_charts([empty, count]) == []


def test_the_records_section_sets_each_reported_figure_beside_its_records(tree, wf):
    from analytics import sources
    from analytics.tests.helpers import accepted_report

    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, suggest_submitted=5)
    rows = [(tree.ent_a1.pk, dt.date(2021, 3, 1), 1)] * 7
    sources.register(
        sources.Source(key="TEST_SUGGESTED", label="建议记录", unit="条", fn=lambda start, end: [
            r for r in rows if start <= r[1] <= end], reported="WF_SUGGEST_SUBMITTED")
    )  # fmt: skip
    try:
        content = evaluation.records(evaluation.Context(kind="annual", year=2021, as_of=dt.date(2022, 3, 1)))
    finally:
        sources.unregister("TEST_SUGGESTED")
    row = next(r for r in content.tables[0].rows if r[0] == "合理化建议提出数")
    assert row == ["合理化建议提出数", "5", "7", "填报数少于记录"]
    assert "统计指标以验收的报表为准" in content.paragraphs[0]


def test_the_overview_names_the_enterprises_lowest_on_each_rate():
    from types import SimpleNamespace

    rate = SimpleNamespace(
        label="持证率", is_rate=True, value=Decimal("14.73"), display="14.73%",
        weakest=[(1, "甲企业", Decimal("2.1"), "2.10%"), (2, "乙企业", Decimal("3"), "3.00%"),
                 (3, "丙企业", Decimal("4"), "4.00%"), (4, "丁企业", Decimal("5"), "5.00%")],
    )  # fmt: skip
    empty = SimpleNamespace(label="学历占比", is_rate=True, value=None, display="—", weakest=[])
    count = SimpleNamespace(label="职工人数", is_rate=False, value=Decimal(5), display="5", weakest=[])
    rows = evaluation._weakest_rows([rate, empty, count])
    assert rows == [
        ["持证率", "甲企业", "2.10%", "14.73%"], ["持证率", "乙企业", "3.00%", "14.73%"],
        ["持证率", "丙企业", "4.00%", "14.73%"],
    ]  # fmt: skip
