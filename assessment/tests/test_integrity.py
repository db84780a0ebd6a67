"""Integrity seals on published assessment results (docs/integrity.md; SECURITY row 35, DJ 8.1.4.7b).

Tampering is done with raw SQL, as a database administrator could, going around the application.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from assessment import integrity as results_integrity
from assessment import services
from assessment.choices import RoundStatus
from assessment.models import Computation
from assessment.tests.rounds import compute_and_publish, published_round
from core import integrity
from core.actor import Actor
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def problems():
    return [p for p in integrity.check().problems if p.kind == results_integrity.KIND]


@pytest.fixture
def published(tree, wf, clock):
    return published_round(tree, wf, clock)


def test_publishing_seals_the_results_and_the_audit_row_keeps_each_total(published):
    computation = Computation.objects.get(pk=published.computation.pk)

    assert len(computation.seal) == 64 and computation.seal_key_id and computation.sealed_at
    row = AuditEntry.objects.filter(event="assessment.round.publish").latest("id")
    assert row.detail["seal"] == computation.seal
    totals = {pid: r["total"] for pid, r in row.detail["results"].items()}
    assert totals == {str(r.participant_id): format(r.total.normalize(), "f") for r in computation.results.all()}
    assert problems() == []


def test_a_total_changed_by_sql_is_detected_and_the_organisation_named(published):
    a1 = published.participants["E-A1"]
    result = published.computation.results.get(participant=a1)
    sql("UPDATE assessment_result SET total = 60 WHERE id = %s", [result.pk])

    [problem] = problems()

    assert (problem.pk, problem.outcome, problem.org_name) == (
        published.computation.pk,
        integrity.MISMATCH,
        published.round.name,
    )
    assert [(c["key"], c["label"], c["what"], c["stored"]) for c in problem.cells] == [
        ("E-A1", a1.org.name, "总分", "60")
    ]
    assert problem.cells[0]["recorded"] == format(result.total.normalize(), "f")


def test_a_criterion_result_changed_or_a_result_deleted_is_detected(published):
    a2, b1 = published.participants["E-A2"], published.participants["E-B1"]
    sql(
        "UPDATE assessment_criterionresult SET points = points + 1 WHERE participant_id = %s AND computation_id = %s"
        " AND criterion_id = %s",
        [a2.pk, published.computation.pk, published.criteria["GROUP"].pk],
    )
    sql("DELETE FROM assessment_criterionresult WHERE participant_id = %s", [b1.pk])
    sql("DELETE FROM assessment_result WHERE participant_id = %s", [b1.pk])

    [problem] = problems()

    assert [(c["key"], c["what"], c["recorded"], c["stored"]) for c in problem.cells] == [
        ("E-A2", "指标得分、等次或排名", "公布时的记录", "已改变"),
        ("E-B1", "考核结果", "有", "无"),
    ]


def test_reopening_keeps_the_published_seal_and_a_new_publication_is_sealed_too(published):
    by = Actor(user=published.office)
    round_ = published.round
    round_.refresh_from_db()
    services.round_reopen(by=by, round_=round_, version=round_.version, reason="申诉成立")
    round_.refresh_from_db()
    services.entry_add(
        by=by, participant=published.participants["E-B1"], criterion=published.criteria["BONUS"], item="HONOUR",
        note="获省五一劳动奖状",
    )  # fmt: skip
    second = compute_and_publish(by, round_)
    round_.refresh_from_db()

    assert round_.status == RoundStatus.PUBLISHED and second.pk != published.computation.pk
    assert Computation.objects.filter(seal="", published_at__isnull=False).count() == 0
    assert integrity.check().checked[results_integrity.KIND] == 2
    assert problems() == []


def test_unsealed_published_results_are_reported_then_sealed_and_traceable(published):
    Computation.objects.filter(pk=published.computation.pk).update(seal="", seal_key_id="", sealed_at=None)
    [problem] = problems()
    assert problem.outcome == integrity.UNSEALED

    call_command("verify_integrity", "--seal-missing", stdout=StringIO())
    assert problems() == []
    assert results_integrity.seal_missing(Actor.system("test")) == 0

    result = published.computation.results.get(participant=published.participants["E-A1"])
    sql("UPDATE assessment_result SET rank = rank + 5 WHERE id = %s", [result.pk])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_integrity", stdout=out)
    text = out.getvalue()
    assert f"考核结果：{published.round.name}" in text
    assert "指标得分、等次或排名：审计日志最后记录为“公布时的记录”，现存为“已改变”" in text
