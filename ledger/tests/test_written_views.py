"""The written report pages: rounds, the submission table, an organisation's reports, one report with its
forms, the steps through the pages, and the .docx exports (opened again with python-docx)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from core.models import AuditEntry
from ledger.choices import WrittenStatus
from ledger.models import WrittenReport, WrittenRound
from ledger.tests.written_factories import make_round, office, step, written_report
from orgs.choices import Role
from reporting.tests.factories import at

pytestmark = pytest.mark.django_db


def test_the_office_opens_a_round_from_the_rounds_page(client, tree, ledgers, clock):
    client.force_login(office(tree))
    page = client.get(reverse("ledger:written_rounds"))
    assert page.status_code == 200 and 'id="round-open-form"' in page.content.decode()
    response = client.post(
        reverse("ledger:written_round_open"),
        {"code": "2021", "title": "2021年度", "period_start": "2021-01-01", "period_end": "2021-12-31",
         "due_on": "2022-01-31"},
    )  # fmt: skip
    written_round = WrittenRound.objects.get(code="2021")
    assert response.status_code == 302 and response.url == reverse("ledger:written_round", args=[written_round.pk])
    refused = client.post(
        reverse("ledger:written_round_open"),
        {"code": "2022", "title": "2022", "period_start": "2022-12-31", "period_end": "2022-01-01",
         "due_on": "2023-01-31"},
    )  # fmt: skip
    assert refused.status_code == 400 and "报告期结束不能早于报告期开始。" in refused.content.decode()
    # A reporter sees the rounds but no form, and cannot open one.
    client.force_login(tree.user(Role.REPORTER))
    page = client.get(reverse("ledger:written_rounds"))
    assert "2021年度" in page.content.decode() and 'id="round-open-form"' not in page.content.decode()
    assert client.post(reverse("ledger:written_round_open"), {"code": "X"}).status_code == 404


def test_an_enterprise_starts_writes_and_submits_through_the_pages(client, tree, ledgers, clock):
    written_round = make_round(tree)
    client.force_login(tree.user(Role.REPORTER))
    tab = client.get(reverse("ledger:org_written", args=["E-A1"]))
    assert tab.status_code == 200 and "开始撰写" in tab.content.decode()
    response = client.post(reverse("ledger:written_start", args=["E-A1"]), {"round": written_round.pk})
    report = WrittenReport.objects.get(org=tree.ent_a1)
    assert response.url == reverse("ledger:written", args=[report.pk])
    page = client.get(response.url).content.decode()
    assert page.count('class="section-form"') == 9 and "data-richtext" in page and "暂无数据" in page
    # Without JavaScript: plain text, blank lines make paragraphs; with the editor: cleaned HTML.
    client.post(reverse("ledger:written_section", args=[report.pk, 1]),
                {"version": report.version, "body": "第一段\n\n第二段 <b>", "format": "text"})  # fmt: skip
    report.refresh_from_db()
    assert report.sections.get(aspect=1).body == "<p>第一段</p><p>第二段 &lt;b&gt;</p>"
    client.post(reverse("ledger:written_section", args=[report.pk, 2]),
                {"version": report.version, "body": "<ul><li>宣讲 3 场</li></ul><script>x</script>",
                 "format": "html"})  # fmt: skip
    assert report.sections.get(aspect=2).body == "<ul><li>宣讲 3 场</li></ul>"
    stale = client.post(reverse("ledger:written_section", args=[report.pk, 3]),
                        {"version": 1, "body": "旧", "format": "text"})  # fmt: skip
    assert stale.status_code == 400 and "该书面报告已被他人修改，请刷新后重试。" in stale.content.decode()
    # An attachment on aspect 4, downloaded as a file.
    upload = SimpleUploadedFile("示范点.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    client.post(reverse("ledger:written_attach", args=[report.pk, 4]), {"file": upload})
    document = report.sections.get(aspect=4).attachments.get()
    download = client.get(reverse("ledger:written_attachment", args=[report.pk, document.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    # Submitting with unwritten aspects is refused with the message; then with all of them written.
    report.refresh_from_db()
    refused = client.post(reverse("ledger:written_step", args=[report.pk, "submit"]), {"version": report.version})
    assert refused.status_code == 400 and "以下方面尚未填写：第3、4、5、6、7、8、9项" in refused.content.decode()
    for aspect in range(3, 10):
        report.refresh_from_db()
        client.post(reverse("ledger:written_section", args=[report.pk, aspect]),
                    {"version": report.version, "body": "无", "format": "text"})  # fmt: skip
    report.refresh_from_db()
    done = client.post(reverse("ledger:written_step", args=[report.pk, "submit"]), {"version": report.version})
    report.refresh_from_db()
    assert done.status_code == 302 and report.status == WrittenStatus.SUBMITTED
    # It cannot accept its own report, and the page offers no editor any more.
    assert client.post(reverse("ledger:written_step", args=[report.pk, "accept"]),
                       {"version": report.version}).status_code == 403  # fmt: skip
    page = client.get(reverse("ledger:written", args=[report.pk])).content.decode()
    assert 'class="section-form"' not in page and 'id="review-form"' not in page


def test_the_union_returns_with_a_reason_per_aspect_and_another_branch_gets_404(client, tree, ledgers, clock):
    report = step(tree, written_report(tree), "submit", tree.user(Role.REPORTER))
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_b))
    for url in (reverse("ledger:written", args=[report.pk]), reverse("ledger:written_docx", args=[report.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("ledger:written_step", args=[report.pk, "return"]),
                       {"version": report.version, "reason": "越权"}).status_code == 404  # fmt: skip

    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    page = client.get(reverse("ledger:written", args=[report.pk])).content.decode()
    assert 'id="review-form"' in page and 'name="reason_9"' in page
    empty = client.post(reverse("ledger:written_step", args=[report.pk, "return"]), {"version": report.version})
    assert empty.status_code == 400 and "请填写退回原因（可按方面分别填写）。" in empty.content.decode()
    response = client.post(
        reverse("ledger:written_step", args=[report.pk, "return"]),
        {"version": report.version, "reason_5": "请补充学历教育人数", "comment_5": "培训部分较好"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == WrittenStatus.RETURNED
    assert report.sections.get(aspect=5).return_reason == "请补充学历教育人数"
    assert report.sections.get(aspect=5).comment == "培训部分较好"
    client.force_login(tree.user(Role.REPORTER))
    page = client.get(reverse("ledger:written", args=[report.pk])).content.decode()
    assert "请补充学历教育人数" in page and "培训部分较好" in page and 'class="section-form"' in page
    assert "退回书面报告" in page  # the history names the step


def test_the_submission_table_shows_everyone_in_scope_with_state_and_timing(client, tree, ledgers, clock):
    written_round = make_round(tree, due_on=dt.date(2022, 1, 20))
    step(tree, written_report(tree, tree.ent_a1, written_round), "submit", tree.user(Role.REPORTER))  # on time
    written_report(tree, tree.ent_b1, written_round, filled=False)  # a draft in the other branch
    clock.set(at(2022, 1, 25))
    late = written_report(tree, tree.ent_a2, written_round)
    step(tree, late, "submit", tree.user(Role.REPORTER, tree.ent_a2))
    url = reverse("ledger:written_round", args=[written_round.pk])

    client.force_login(office(tree))
    page = client.get(url)
    rows = {r.org.code: (r.status, r.timing) for r in page.context["rows"]}
    assert rows == {
        "U-A": ("not_started", "overdue"), "E-A1": ("submitted", "on_time"), "E-A2": ("submitted", "late"),
        "U-B": ("not_started", "overdue"), "E-B1": ("draft", "overdue"),
    }  # fmt: skip
    counts = page.context["counts"]
    assert (counts["all"], counts["submitted"], counts["not_started"], counts["late"]) == (5, 2, 2, 1)
    filtered = client.get(url, {"status": "not_started"}).context["rows"]
    assert [r.org.code for r in filtered] == ["U-A", "U-B"]
    assert [r.org.code for r in client.get(url, {"union": "U-B"}).context["rows"]] == ["U-B", "E-B1"]
    assert [r.org.code for r in client.get(url, {"prefecture": "530300"}).context["rows"]] == ["E-A2"]

    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    body = client.get(url).content.decode()
    assert "昆明供电局" in body and "逾期报送" in body and "云南铜业股份" not in body and "中国铜业" not in body


def test_the_rounds_page_counts_only_the_reports_in_scope(client, tree, ledgers, clock, django_assert_max_num_queries):
    written_round = make_round(tree)
    step(tree, written_report(tree, tree.ent_a1, written_round), "submit", tree.user(Role.REPORTER))
    step(tree, written_report(tree, tree.ent_b1, written_round), "submit", tree.user(Role.REPORTER, tree.ent_b1))
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    with django_assert_max_num_queries(25):
        page = client.get(reverse("ledger:written_rounds"))
    assert page.context["items"][0]["submitted"] == 1
    client.force_login(office(tree))
    assert client.get(reverse("ledger:written_rounds")).context["items"][0]["submitted"] == 2


def _docx(response) -> Document:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    return Document(io.BytesIO(b"".join(response.streaming_content)))


def test_one_report_exports_as_docx_with_headings_figures_and_text(client, tree, ledgers, clock):
    report = written_report(tree)
    section = report.sections.get(aspect=1)
    from ledger import services
    from ledger.tests.written_factories import actor

    services.section_save(
        by=actor(tree.user(Role.REPORTER)), section=section, version=report.version,
        body="<h3>五小活动</h3><p>全年五小成果 <strong>12</strong> 项。</p><table><tr><th>项目</th><th>数量</th></tr>"
        "<tr><td>创新工作室</td><td>3</td></tr></table><ol><li>建议 40 条</li></ol>",
    )  # fmt: skip
    client.force_login(tree.user(Role.REPORTER))
    document = _docx(client.get(reverse("ledger:written_docx", args=[report.pk])))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "昆明供电局2021年度九个方面书面报告") in paragraphs
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert len(headings) == 9 and headings[0].startswith("一、职工创新") and headings[8].startswith("九、")
    assert ("Heading 2", "五小活动") in paragraphs and ("Normal", "全年五小成果 12 项。") in paragraphs
    assert ("List Number", "建议 40 条") in paragraphs
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"创新工作室", "3", "五小成果数", "暂无数据"} <= cells
    assert any("培训" in text for _style, text in paragraphs)  # aspect 5's text
    row = AuditEntry.objects.filter(event="ledger.written.export").latest("id")
    assert row.object_id == str(report.pk) and row.detail["reports"] == 1


def test_a_round_exports_as_one_docx_within_the_exporters_scope(client, tree, ledgers, clock):
    written_round = make_round(tree)
    step(tree, written_report(tree, tree.ent_a1, written_round), "submit", tree.user(Role.REPORTER))
    accepted = step(tree, written_report(tree, tree.ent_a2, written_round), "submit",
                    tree.user(Role.REPORTER, tree.ent_a2))  # fmt: skip
    step(tree, accepted, "accept", tree.user(Role.UNION_ADMIN))
    step(tree, written_report(tree, tree.ent_b1, written_round), "submit", tree.user(Role.REPORTER, tree.ent_b1))
    written_report(tree, tree.union_a, written_round)  # a draft: listed on the cover, not included
    url = reverse("ledger:written_round_docx", args=[written_round.pk])

    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    document = _docx(client.get(url))
    text = "\n".join(p.text for p in document.paragraphs)
    cover = document.tables[0]
    assert [c.text for c in cover.rows[0].cells] == ["序号", "单位", "所属工会", "状态", "提交时间", "是否按时"]
    assert [row.cells[1].text for row in cover.rows[1:]] == ["云南电网", "昆明供电局", "曲靖供电局"]
    assert [row.cells[3].text for row in cover.rows[1:]] == ["草稿", "已提交", "已通过"]
    titles = [p.text for p in document.paragraphs if p.style.name == "Heading 1" and "书面报告" in p.text]
    assert titles == ["昆明供电局2021年度九个方面书面报告", "曲靖供电局2021年度九个方面书面报告"]
    assert "云南铜业股份" not in text and "应报 3 家，已报送 2 家" in text
    page_breaks = document.element.body.xml.count('w:type="page"')
    assert page_breaks == 2  # each report starts on a new page
    assert (
        AuditEntry.objects.filter(event="ledger.written.export", object_id=str(written_round.pk))
        .latest("id")
        .detail["reports"]
        == 2
    )

    client.force_login(office(tree))
    document = _docx(client.get(url))
    assert len(document.tables[0].rows) == 1 + 5
    assert "云南铜业股份2021年度九个方面书面报告" in [p.text for p in document.paragraphs]
