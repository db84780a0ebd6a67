"""Integrity seals on accepted written reports (docs/integrity.md; SECURITY row 35, DJ 8.1.4.7b).

Tampering is done with raw SQL, as a database administrator could, going around the application.
"""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from core import integrity
from core.actor import Actor
from core.models import AuditEntry
from ledger import integrity as written_integrity
from ledger import services
from ledger.models import WrittenReport, WrittenSection
from ledger.tests.written_factories import actor, office, step, writer_of, written_report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def accepted(tree, org=None, *, attach=False):
    report = written_report(tree, org)
    if attach:
        section = report.sections.get(aspect=2)
        services.section_attach(
            by=actor(writer_of(tree, report.org)), section=section, upload=SimpleUploadedFile("示范点.pdf", PDF)
        )
    step(tree, report, "submit", writer_of(tree, report.org))
    return step(tree, report, "accept", office(tree))


def problems():
    return [p for p in integrity.check().problems if p.kind == written_integrity.KIND]


def test_accepting_seals_and_the_audit_row_holds_the_seal(tree, ledgers, clock):
    report = accepted(tree, attach=True)

    assert len(report.seal) == 64 and report.seal_key_id and report.sealed_at
    row = AuditEntry.objects.get(event="ledger.written.accept", object_id=str(report.pk))
    assert row.after["seal"] == report.seal
    assert problems() == []
    assert integrity.check().checked[written_integrity.KIND] == 1


def test_a_text_changed_by_sql_is_detected_and_the_aspect_named(tree, ledgers, clock):
    report = accepted(tree)
    section = report.sections.get(aspect=3)
    recorded = section.body
    sql("UPDATE ledger_writtensection SET body = %s WHERE id = %s", ["<p>已全面完成。</p>", section.pk])

    [problem] = problems()

    assert (problem.pk, problem.outcome, problem.org_code) == (report.pk, integrity.MISMATCH, report.org.code)
    assert (problem.period, problem.subject) == (report.round.title, "九个方面书面报告")
    assert [(c["key"], c["label"], c["recorded"], c["stored"]) for c in problem.cells] == [
        ("3", section.get_aspect_display(), recorded, "<p>已全面完成。</p>")
    ]


def test_a_deleted_section_and_an_added_attachment_are_detected(tree, ledgers, clock):
    report = accepted(tree, attach=True)
    other = accepted(tree, tree.ent_a2)
    gone = report.sections.get(aspect=9)
    sql("DELETE FROM ledger_writtensection WHERE id = %s", [gone.pk])
    document = WrittenSection.objects.get(report=report, aspect=2).attachments.get()
    target = WrittenSection.objects.get(report=other, aspect=1)
    sql(
        "INSERT INTO ledger_writtensection_attachments (writtensection_id, document_id) VALUES (%s, %s)",
        [target.pk, document.pk],
    )

    found = {p.pk: p for p in problems()}

    assert set(found) == {report.pk, other.pk}
    assert [(c["key"], c["stored"]) for c in found[report.pk].cells] == [("9", "")]
    assert [(c["key"], c["what"], c["recorded"], c["stored"]) for c in found[other.pk].cells] == [
        ("1", "附件", "", str(document.pk))
    ]


def test_reopening_clears_the_seal_and_accepting_again_seals(tree, ledgers, clock):
    report = accepted(tree)
    first = report.seal
    report = step(tree, report, "reopen", office(tree), reason="第三方面需补充数据")
    assert (report.seal, report.seal_key_id, report.sealed_at) == ("", "", None)
    assert problems() == []

    section = report.sections.get(aspect=3)
    services.section_save(
        by=actor(writer_of(tree, report.org)), section=section, version=report.version, body="<p>补充：新增 3 人。</p>"
    )
    step(tree, report, "submit", writer_of(tree, report.org))
    report = step(tree, report, "accept", office(tree))

    assert report.seal not in ("", first)
    assert problems() == []


def test_a_comment_after_acceptance_does_not_break_the_seal(tree, ledgers, clock):
    report = accepted(tree)
    section = report.sections.get(aspect=1)
    report.refresh_from_db()
    services.section_comment(by=actor(office(tree)), section=section, version=report.version, comment="很好")

    assert problems() == []


def test_unsealed_written_reports_are_reported_and_sealed_on_request(tree, ledgers, clock):
    report = accepted(tree)
    WrittenReport.objects.filter(pk=report.pk).update(seal="", seal_key_id="", sealed_at=None)

    [problem] = problems()
    assert problem.outcome == integrity.UNSEALED
    out = StringIO()
    call_command("verify_integrity", "--seal-missing", stdout=out)

    assert problems() == []
    assert AuditEntry.objects.filter(event="core.integrity.seal", object_type="ledger.writtenreport").count() == 1
    assert written_integrity.seal_missing(Actor.system("test")) == 0


def test_the_command_names_the_written_report(tree, ledgers, clock):
    report = accepted(tree)
    sql("UPDATE ledger_writtensection SET body = '' WHERE report_id = %s AND aspect = 5", [report.pk])
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("verify_integrity", stdout=out)

    text = out.getvalue()
    assert f"书面报告：{report.org.name}（{report.org.code}）{report.round.title}“九个方面书面报告”" in text
    assert "内容：审计日志最后记录为“<p>" in text and "现存为“（空）”" in text
