"""Integrity seals on accepted reports (docs/integrity.md; SECURITY row 35, DJ 8.1.4.7b).

Tampering is done with raw SQL, as a database administrator could, going around the application.
"""

import json
import time
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import integrity, periodic, registry
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role
from reporting import integrity as report_integrity
from reporting import queries, services
from reporting.choices import ReportStatus as S
from reporting.models import DataValue, Report
from reporting.tests.factories import as_actor, filled_report, office_user, submitted_report


def accept(tree, report):
    office = as_actor(office_user(tree))
    report = services.report_approve(by=as_actor(tree.user(Role.UNION_ADMIN)), report=report, version=report.version)
    return services.report_accept(by=office, report=report, version=report.version)


def accepted_report(tree, wf, org=None):
    return accept(tree, submitted_report(tree, wf[0], org=org))


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def a_number_cell(report):
    return (
        DataValue.objects.filter(report=report, number__isnull=False)
        .select_related("element", "option_combo")
        .order_by("element__code", "option_combo__key")
        .first()
    )


def problems(kind=report_integrity.KIND):
    return [p for p in integrity.check().problems if p.kind == kind]


def test_accepting_seals_the_report_with_the_current_key_and_the_audit_row_holds_the_seal(tree, wf, settings):
    settings.AUDIT_KEYS = {"k1": "a" * 40}
    report = accepted_report(tree, wf)

    assert report.status == S.ACCEPTED
    assert (report.seal_key_id, len(report.seal)) == ("k1", 64)
    assert report.sealed_at is not None
    row = AuditEntry.objects.filter(event="reporting.report.accept", object_id=str(report.pk)).get()
    assert row.after["seal"] == report.seal
    assert integrity.check().items == 1
    assert problems() == []


def test_a_value_changed_by_sql_is_detected_and_named_with_the_cell(tree, wf):
    report = accepted_report(tree, wf)
    cell = a_number_cell(report)
    recorded = cell.value
    sql(
        "UPDATE reporting_datavalue SET value = %s, number = %s WHERE id = %s",
        [str(int(cell.number) + 7), int(cell.number) + 7, cell.pk],
    )

    [problem] = problems()

    assert (problem.pk, problem.outcome) == (report.pk, integrity.MISMATCH)
    assert (problem.org_name, problem.org_code) == (report.org.name, report.org.code)
    assert (problem.period, problem.subject) == ("2021年度", report.dataset.name)
    key = f"{cell.element.code}[{cell.option_combo.key}]"
    assert {(c["key"], c["recorded"], c["stored"]) for c in problem.cells} == {
        (key, recorded, str(int(cell.number) + 7))
    }


def test_only_the_number_changed_by_sql_is_detected(tree, wf):
    report = accepted_report(tree, wf)
    cell = a_number_cell(report)
    sql("UPDATE reporting_datavalue SET number = number + 1 WHERE id = %s", [cell.pk])

    [problem] = problems()

    assert [c["what"] for c in problem.cells] == ["数值"]


def test_a_deleted_value_is_detected(tree, wf):
    report = accepted_report(tree, wf)
    cell = a_number_cell(report)
    sql("DELETE FROM reporting_datavalue WHERE id = %s", [cell.pk])

    [problem] = problems()

    key = f"{cell.element.code}[{cell.option_combo.key}]"
    assert (problem.pk, problem.outcome) == (report.pk, integrity.MISMATCH)
    assert [(c["key"], c["recorded"], c["stored"]) for c in problem.cells] == [(key, cell.value, "")]


def test_an_added_value_is_detected(tree, wf):
    report = accepted_report(tree, wf)
    other = accepted_report(tree, wf, org=tree.ent_a2)
    layout = queries.version_layout(report.dataset_version)
    stored = set(DataValue.objects.filter(report=report).values_list("element__code", "option_combo__key"))
    [unfilled] = [cell for key, cell in layout.cells.items() if key not in stored]  # the free-text notes
    sql(
        "INSERT INTO reporting_datavalue (report_id, element_id, option_combo_id, value, number, comment, changed_in,"
        " updated_at) VALUES (%s, %s, %s, %s, NULL, '', 1, CURRENT_TIMESTAMP)",
        [report.pk, unfilled.element.pk, unfilled.option_combo.pk, "补录说明"],
    )

    [problem] = problems()

    assert problem.pk == report.pk != other.pk
    key = f"{unfilled.element.code}[{unfilled.option_combo.key}]"
    assert [(c["key"], c["label"], c["recorded"], c["stored"]) for c in problem.cells] == [
        (key, unfilled.label, "", "补录说明")
    ]


def test_a_value_emptied_by_sql_is_detected(tree, wf):
    report = accepted_report(tree, wf)
    cell = a_number_cell(report)
    sql("UPDATE reporting_datavalue SET value = '', number = NULL WHERE id = %s", [cell.pk])

    [problem] = problems()

    assert [(c["recorded"], c["stored"]) for c in problem.cells] == [(cell.value, "")]


def test_moving_a_report_to_another_organisation_is_detected(tree, wf):
    report = accepted_report(tree, wf)
    sql("UPDATE reporting_report SET org_id = %s WHERE id = %s", [tree.ent_b1.pk, report.pk])

    [problem] = problems()

    assert (problem.pk, problem.org_code, problem.cells) == (report.pk, tree.ent_b1.code, [])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_integrity", stdout=out)
    assert "未能从审计日志指出是哪一项" in out.getvalue()


def test_reopening_clears_the_seal_and_accepting_again_seals_the_corrected_values(tree, wf):
    office = as_actor(office_user(tree))
    report = accepted_report(tree, wf)
    first = report.seal

    report = services.report_reopen(by=office, report=report, version=report.version, reason="统计口径调整")
    assert (report.seal, report.seal_key_id, report.sealed_at) == ("", "", None)
    reopen = AuditEntry.objects.filter(event="reporting.report.reopen", object_id=str(report.pk)).get()
    assert (reopen.before["seal"], reopen.after["seal"]) == (first, "")
    assert problems() == []  # a reopened report is not accepted: nothing to check

    cell = a_number_cell(report)
    reporter = as_actor(tree.user(Role.REPORTER, report.org))
    report = services.values_save(
        by=reporter,
        report=report,
        version=report.version,
        values={(cell.element.code, cell.option_combo.key): str(int(cell.number) + 1)},
    ).report
    report = services.report_submit(by=reporter, report=report, version=report.version)
    report = accept(tree, report)

    assert report.seal not in ("", first)
    assert problems() == []


def test_a_period_lock_keeps_the_seal_valid(tree, wf):
    office = as_actor(office_user(tree))
    report = accepted_report(tree, wf)
    services.period_lock(by=office, dataset=wf[0], period=report.period, reason="年度数据已发布")
    report.refresh_from_db()

    assert report.status == S.LOCKED
    assert integrity.check().items == 1
    assert problems() == []


def test_a_seal_made_under_a_rotated_key_still_verifies_and_a_lost_key_is_reported(tree, wf, settings):
    settings.AUDIT_KEYS = {"k1": "a" * 40}
    old = accepted_report(tree, wf)
    settings.AUDIT_KEYS = {"k2": "b" * 40, "k1": "a" * 40}  # rotated: the new key first, the old one kept
    new = accepted_report(tree, wf, org=tree.ent_a2)

    assert (Report.objects.get(pk=old.pk).seal_key_id, new.seal_key_id) == ("k1", "k2")
    assert problems() == []

    settings.AUDIT_KEYS = {"k2": "b" * 40}  # the old key dropped too early
    [problem] = problems()
    assert (problem.pk, problem.outcome) == (old.pk, integrity.UNKNOWN_KEY)


def test_accepted_reports_without_a_seal_are_reported_and_sealed_once_on_request(tree, wf):
    report = accepted_report(tree, wf)
    Report.objects.filter(pk=report.pk).update(seal="", seal_key_id="", sealed_at=None)  # accepted before sealing

    [problem] = problems()
    assert problem.outcome == integrity.UNSEALED
    assert integrity.check().intact  # reported, but not a failure

    out = StringIO()
    call_command("verify_integrity", "--seal-missing", stdout=out)

    assert "已为 1 项尚无封印的已验收数据补加封印。" in out.getvalue()
    assert problems() == []
    assert AuditEntry.objects.filter(event="core.integrity.seal", object_id=str(report.pk)).count() == 1
    assert integrity.seal_missing(Actor.system("test"))[report_integrity.KIND] == 0  # once only


def test_the_command_names_the_tampered_report_in_chinese_and_exits_non_zero(tree, wf):
    report = accepted_report(tree, wf)
    accepted_report(tree, wf, org=tree.ent_a2)
    cell = a_number_cell(report)
    sql("UPDATE reporting_datavalue SET value = '1', number = 1 WHERE id = %s", [cell.pk])
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("verify_integrity", stdout=out)

    text = out.getvalue()
    assert "以下数据在验收后被改动，与其完整性封印不符：" in text
    named = f"统计报表：{report.org.name}（{report.org.code}）2021年度“{report.dataset.name}”（编号 {report.pk}）"
    assert named in text
    assert f"（{cell.element.code}[{cell.option_combo.key}]）值：审计日志最后记录为“{cell.value}”，现存为“1”" in text
    assert "共校验 2 项已验收数据：1 项完整，1 项不符，0 项尚无封印，0 项无法校验。" in text
    assert str(error.value) == "数据完整性校验失败：1 项与封印不符，0 项无法校验。"
    entry = AuditEntry.objects.filter(event="core.integrity.check").latest("id")
    assert (entry.success, entry.detail["mismatches"], entry.detail["source"]) == (False, 1, "command")
    assert entry.detail["failed"] == [
        {"kind": "reporting.report", "id": report.pk, "outcome": "mismatch", "org_code": report.org.code,
         "period": "2021年度"}
    ]  # fmt: skip


def test_the_command_json_and_a_clean_exit(tree, wf):
    report = accepted_report(tree, wf)
    out = StringIO()

    call_command("verify_integrity", "--json", stdout=out)

    data = json.loads(out.getvalue())
    assert (data["items"], data["mismatches"], data["intact"], data["problems"]) == (1, 0, True, [])
    assert data["checked"]["reporting.report"] == 1

    sql("UPDATE reporting_datavalue SET comment = 'x' WHERE report_id = %s", [report.pk])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_integrity", "--json", stdout=out)
    data = json.loads(out.getvalue())
    [problem] = data["problems"]
    assert (problem["id"], problem["outcome"], problem["org_code"]) == (report.pk, "mismatch", report.org.code)
    assert {c["what"] for c in problem["cells"]} == {"备注"}


@pytest.fixture
def jobs_cache():
    """The periodic claims live in the shared "jobs" cache (files on this host): start and end clean."""
    caches["jobs"].clear()
    yield caches["jobs"]
    caches["jobs"].clear()


def test_the_daily_job_runs_the_check_and_records_its_outcome(tree, wf, jobs_cache):
    report = accepted_report(tree, wf)
    sql("UPDATE reporting_datavalue SET value = '5' WHERE id = %s", [a_number_cell(report).pk])
    [work] = [w for w in registry.declared_periodic() if w.name == "core.integrity_check"]

    ran = periodic.run_due(holder="test")

    assert ran["core.integrity_check"]["mismatches"] == 1
    assert periodic.last_run("core.integrity_check")["ok"] is True
    last = integrity.last_check()
    assert (last["items"], last["mismatches"], last["intact"], last["source"]) == (1, 1, False, "periodic")
    entry = AuditEntry.objects.get(pk=last["id"])
    assert (entry.event, entry.username) == ("core.integrity.check", "system:integrity")
    assert work.label == "数据完整性每日校验"


def test_sealing_reads_the_values_in_one_query_and_costs_little(tree, wf):
    report = filled_report(tree, wf[0])
    count = DataValue.objects.filter(report=report).count()
    assert count >= 40  # the workforce report has some sixty cells

    report = Report.objects.select_related("org", "period", "dataset").get(pk=report.pk)
    with CaptureQueriesContext(connection) as queries:
        report_integrity.seal_fields(report)
    assert len(queries) == 1

    started = time.perf_counter()
    for _ in range(20):
        report_integrity.seal_fields(report)
    assert (time.perf_counter() - started) / 20 < 0.05


def test_checking_many_reports_reads_their_values_in_batches(tree, wf):
    for org in (tree.ent_a1, tree.ent_a2):
        accepted_report(tree, wf, org=org)

    with CaptureQueriesContext(connection) as queries:
        found = list(report_integrity.items())

    assert len(found) == 2
    assert len(queries) == 3  # the reports, their values, the end of the batches
