"""The 工 indicators: the ledger's records as analytics sources, the indicators over them (a data migration),
their ratios at province and union level, the pivot page, and an assessment criterion naming one.

The fixture, on the small province (ledgers for 云南电网 U-A with 昆明 E-A1 and 曲靖 E-A2, 中国铜业 U-B with
云南铜业股份 E-B1, all listed on 2018-01-01; the plan deadline is 2018-12-31):

    plans      U-A 2018-06-01 (on time), E-A1 2019-03-01 (late), E-A2 none, U-B 2018-12-31 (on time), E-B1 2020-05-01
    groups     U-A 2019-01-01, E-A1 2021-02-01
    officers   E-A1 both from 2020; E-A2 an information officer only; U-B both, the liaison leaving 2021-06-30
    tasks      E-A1: a counted result and an unquantified task from 2021, a quantified one 2019 done 2020-06-30,
               one starting 2023 (recorded on 2022-01-10); E-B1: an unquantified task and a cancelled quantified one
    written    round due 2022-01-31: E-A1 first submitted 01-20, E-A2 02-05 (late), U-B 01-31, the others none
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import engine, sources
from analytics.choices import Level
from analytics.engine import Query, Scope
from analytics.models import Indicator
from assessment import services as assessment_services
from assessment.choices import Area, CriterionKind, FrameworkStatus
from assessment.models import CriterionResult
from core.actor import Actor
from ledger.choices import OfficerKind, TargetKind, TaskStatus
from ledger.migrations._indicators import INDICATORS
from ledger.models import Ledger, Officer, ReformSettings, WrittenReport, WrittenRound
from ledger.tests.factories import make_task
from orgs.choices import Role
from reporting.tests.factories import at

pytestmark = pytest.mark.django_db

CODES = ["PLAN_ONTIME_RATE", "GROUP_RATE", "OFFICER_RATE", "QUANTIFIED_SHARE", "WRITTEN_ONTIME_RATE"]


@pytest.fixture
def ledger_world(tree, ledgers, clock):
    def set_dates(code, **fields):
        Ledger.objects.filter(org__code=code).update(**fields)

    set_dates("U-A", plan_issued_on=dt.date(2018, 6, 1), group_established_on=dt.date(2019, 1, 1))
    set_dates("E-A1", plan_issued_on=dt.date(2019, 3, 1), group_established_on=dt.date(2021, 2, 1))
    set_dates("U-B", plan_issued_on=dt.date(2018, 12, 31))
    set_dates("E-B1", plan_issued_on=dt.date(2020, 5, 1))

    def officer(code, kind, started, left=None):
        Officer.objects.create(
            ledger=ledgers[code], kind=kind, name="王五", started_on=started, left_on=left
        )  # fmt: skip

    officer("E-A1", OfficerKind.INFO, dt.date(2020, 1, 1))
    officer("E-A1", OfficerKind.LIAISON, dt.date(2020, 1, 1))
    officer("E-A2", OfficerKind.INFO, dt.date(2020, 1, 1))
    officer("U-B", OfficerKind.INFO, dt.date(2020, 1, 1))
    officer("U-B", OfficerKind.LIAISON, dt.date(2020, 1, 1), dt.date(2021, 6, 30))

    make_task(ledgers["E-A1"])  # a counted result, 2021-2022
    make_task(ledgers["E-A1"], target_kind=TargetKind.NONE, title="营造氛围")
    make_task(
        ledgers["E-A1"], starts_on=dt.date(2019, 1, 1), deadline=dt.date(2020, 12, 31), status=TaskStatus.DONE,
        done_on=dt.date(2020, 6, 30),
    )  # fmt: skip
    make_task(ledgers["E-A1"], starts_on=dt.date(2023, 1, 1), deadline=dt.date(2023, 12, 31))
    make_task(ledgers["E-B1"], target_kind=TargetKind.NONE, title="宣传")
    make_task(ledgers["E-B1"], status=TaskStatus.CANCELLED)

    round_ = WrittenRound.objects.create(
        code="2021", title="2021年度", period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31),
        due_on=dt.date(2022, 1, 31),
    )  # fmt: skip
    firsts = ((tree.ent_a1, at(2022, 1, 20)), (tree.ent_a2, at(2022, 2, 5)), (tree.union_b, at(2022, 1, 31, 23)))
    for org, first in firsts:
        WrittenReport.objects.create(round=round_, org=org, status="submitted", submitted_at=first,
                                     first_submitted_at=first)  # fmt: skip
    WrittenReport.objects.create(round=round_, org=tree.ent_b1)  # a draft, never submitted
    return ledgers


def value(org, period, code) -> D | None:
    totals = engine.answer(Scope.province(), Query(f"indicator:{code}", org=org.pk, periods=(period,))).totals
    return totals[0].value if totals else None


def test_the_indicators_are_shipped_by_the_migration_under_the_work_task(db):
    found = {i.code: i for i in Indicator.objects.filter(code__in=CODES)}
    assert set(found) == set(CODES) == {row[0] for row in INDICATORS}
    assert {i.task for i in found.values()} == {"work"}
    assert found["PLAN_ONTIME_RATE"].name == "实施方案出台及时率"
    assert found["PLAN_ONTIME_RATE"].numerator == "#{SRC.PLANS_ON_TIME}"
    assert found["QUANTIFIED_SHARE"].denominator == "#{SRC.TASKS}"
    assert all("台账" in i.scope and i.unit == "%" for i in found.values())
    for key in ("LEDGER_ORGS", "PLANS", "PLANS_ON_TIME", "GROUPS", "OFFICERED", "TASKS", "QUANTIFIED_TASKS",
                "WRITTEN_DUE", "WRITTEN_ON_TIME"):  # fmt: skip
        assert sources.get(key) is not None, key


def test_the_flush_hook_puts_them_back(db):
    from ledger.apps import _ensure_indicators

    Indicator.objects.filter(code__in=CODES).delete()
    _ensure_indicators(sender=None)
    assert Indicator.objects.filter(code__in=CODES).count() == len(CODES)


def test_plans_on_time_over_ledger_organisations(tree, ledger_world):
    assert value(tree.province, "2021", "PLAN_ONTIME_RATE") == D("40.00")  # U-A and U-B of 5
    assert value(tree.union_a, "2021", "PLAN_ONTIME_RATE") == D("33.33")  # U-A of U-A, E-A1, E-A2
    assert value(tree.union_b, "2021", "PLAN_ONTIME_RATE") == D("50.00")
    assert value(tree.ent_a1, "2021", "PLAN_ONTIME_RATE") == D("0.00")  # late: 0, not "no data"
    # The setting is read when asked: a later deadline makes E-A1's 2019 plan timely.
    ReformSettings.objects.filter(pk=1).update(plan_deadline=dt.date(2019, 12, 31))
    assert value(tree.union_a, "2021", "PLAN_ONTIME_RATE") == D("66.67")


def test_an_organisation_counts_from_its_listing(tree, ledger_world):
    """Listed in 2020 with a 2018 plan: in neither the numerator nor the denominator before 2020."""
    Ledger.objects.filter(org__code="E-A2").update(listed_on=dt.date(2020, 3, 1), plan_issued_on=dt.date(2018, 3, 1))
    assert value(tree.union_a, "2019", "PLAN_ONTIME_RATE") == D("50.00")  # U-A of U-A, E-A1
    assert value(tree.union_a, "2020", "PLAN_ONTIME_RATE") == D("66.67")  # E-A2 joins both
    assert value(tree.union_a, "2019", "GROUP_RATE") == D("50.00")


def test_groups_and_officers_at_each_period_end(tree, ledger_world):
    assert value(tree.union_a, "2020", "GROUP_RATE") == D("33.33")
    assert value(tree.union_a, "2021", "GROUP_RATE") == D("66.67")
    assert value(tree.province, "2021", "GROUP_RATE") == D("40.00")
    assert value(tree.union_b, "2021", "GROUP_RATE") == D("0.00")
    # Both kinds at the period's end: E-A2 has an information officer only; U-B's liaison left mid-2021.
    assert value(tree.union_a, "2021", "OFFICER_RATE") == D("33.33")
    assert value(tree.union_b, "2020", "OFFICER_RATE") == D("50.00")
    assert value(tree.union_b, "2021", "OFFICER_RATE") == D("0.00")
    assert value(tree.union_b, "2021Q1", "OFFICER_RATE") == D("50.00")  # the liaison was still in office


def test_quantified_share_of_open_tasks(tree, ledger_world):
    # End of 2021: E-A1's counted result and its unquantified task; E-B1's unquantified one (cancelled left out).
    assert value(tree.union_a, "2021", "QUANTIFIED_SHARE") == D("50.00")
    assert value(tree.province, "2021", "QUANTIFIED_SHARE") == D("33.33")
    # End of 2019: only the task done in 2020 was open.
    assert value(tree.union_a, "2019", "QUANTIFIED_SHARE") == D("100.00")
    # 2022: the task starting in 2023 counts from the day it was recorded (2022-01-10).
    assert value(tree.union_a, "2022", "QUANTIFIED_SHARE") == D("66.67")
    assert value(tree.union_b, "2018", "QUANTIFIED_SHARE") is None  # no task yet: no data, not 0


def test_written_reports_on_time(tree, ledger_world):
    # Due 2022-01-31: five ledger organisations; E-A1 and U-B (late evening, Beijing time) on time.
    assert value(tree.province, "2022", "WRITTEN_ONTIME_RATE") == D("40.00")
    assert value(tree.union_a, "2022", "WRITTEN_ONTIME_RATE") == D("33.33")
    assert value(tree.union_b, "2022Q1", "WRITTEN_ONTIME_RATE") == D("50.00")
    assert value(tree.union_a, "2021", "WRITTEN_ONTIME_RATE") is None  # nothing was due in 2021


def test_each_appears_in_the_pivot_by_union(client, tree, ledger_world):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    expected = {
        "PLAN_ONTIME_RATE": {"云南电网": "33.33%", "中国铜业": "50.00%"},
        "GROUP_RATE": {"云南电网": "66.67%", "中国铜业": "0.00%"},
        "OFFICER_RATE": {"云南电网": "33.33%", "中国铜业": "0.00%"},
        "QUANTIFIED_SHARE": {"云南电网": "50.00%", "中国铜业": "0.00%"},
        "WRITTEN_ONTIME_RATE": {"云南电网": "—", "中国铜业": "—"},
    }
    for code, rows in expected.items():
        response = client.get(
            reverse("analytics:pivot"),
            {"measure": f"indicator:{code}", "org": tree.unions.pk, "level": Level.CHILDREN, "period_from": "2021",
             "period_to": "2021"},
        )  # fmt: skip
        assert response.status_code == 200, code
        layout = response.context["pivot"]
        found = {r.name: [c.figure.display if c.figure else "—" for c in r.cells][0] for r in layout.rows}
        assert {name: found.get(name, "—") for name in rows} == rows, code


def test_a_union_reads_its_own_subtree_only(tree, ledger_world):
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    own = engine.answer(Scope.for_user(union_admin), Query("indicator:PLAN_ONTIME_RATE", periods=("2021",)))
    assert own.root_id == tree.union_a.pk and own.totals[0].value == D("33.33")
    with pytest.raises(engine.OutOfScope):
        engine.answer(
            Scope.for_user(union_admin), Query("indicator:PLAN_ONTIME_RATE", org=tree.union_b.pk, periods=("2021",))
        )


def test_an_assessment_criterion_names_a_work_indicator(tree, ledger_world):
    by = Actor(user=tree.user(Role.OFFICE_ADMIN))
    framework = assessment_services.framework_create(by=by, year=2021, name="2021年度改革推进考核")
    dimension = assessment_services.dimension_save(
        by=by, framework=framework, code="WORK", name="改革组织推进", area=Area.ORGANISATION, points=D(100),
        sort_order=1,
    )  # fmt: skip
    assessment_services.criterion_save(
        by=by, dimension=dimension, code="GROUPS", name="领导小组建立率", kind=CriterionKind.INDICATOR_TARGET,
        points=D(100), indicator=Indicator.objects.get(code="GROUP_RATE"), target=D(100), floor=D(0), cap=D(1),
        sort_order=1,
    )  # fmt: skip
    framework.refresh_from_db()
    assessment_services.framework_issue(by=by, framework=framework, version=framework.version)
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.ISSUED
    round_ = assessment_services.round_open(by=by, framework=framework, name="考核", orgs=[tree.union_a, tree.union_b])
    computation = assessment_services.round_compute(by=by, round_=round_)
    results = {
        r.participant.org.code: r
        for r in CriterionResult.objects.filter(computation=computation).select_related("participant__org")
    }
    assert results["U-A"].detail["value"] == "66.67%"
    assert results["U-B"].detail["value"] == "0.00%"
    assert results["U-A"].points > results["U-B"].points


def test_recorded_date_counts_in_local_time(tree, ledger_world):
    """A task recorded late on 31 December (Beijing time) is open at that year's end."""
    from ledger.models import Task

    task = make_task(ledger_world["E-B1"], starts_on=dt.date(2024, 1, 1), deadline=dt.date(2024, 12, 31))
    Task.objects.filter(pk=task.pk).update(created_at=at(2022, 12, 31, 23, 30).astimezone(dt.UTC))
    assert timezone.localtime(Task.objects.get(pk=task.pk).created_at).date() == dt.date(2022, 12, 31)
    assert value(tree.union_b, "2022", "QUANTIFIED_SHARE") == D("50.00")  # the new one and the 宣传 task
