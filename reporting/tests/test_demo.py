"""The demo province's reports (reporting/demo/): the speech's figures, every state, valid data, idempotent.

The demo is loaded once for the module, inside a transaction rolled back at the end (a load plays about
2,000 workflow steps through the services, which takes a while).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core import deadlines
from core.audit import verify_chain
from core.formatting import percent, wan
from core.models import AuditEntry
from orgs.choices import Role
from orgs.demo import KUNMING_POWER, load_demo
from orgs.models import Organisation
from reporting import queries
from reporting.choices import ReportStatus, Timeliness
from reporting.demo import (
    PREVIOUS_YEAR,
    SPEECH_YEAR,
    apportion,
    current_rounds,
    demo_enterprises,
    load_demo_reports,
    yearly_headcounts,
    yearly_values,
)
from reporting.models import DataSet, DataValue, Notification, PeriodLock, Report, ValueReturn
from reporting.periods import period_from_code
from reporting.queries.worklists import reporting_todos

ACCEPTED = (ReportStatus.ACCEPTED, ReportStatus.LOCKED)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo province with its reports, and what the first load said."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        result = load_demo_reports()
        yield result
        transaction.set_rollback(True)


def _state() -> dict:
    """Everything the reports load writes, as comparable data."""
    reports = sorted(
        Report.objects.values_list("org__code", "dataset__code", "period__code", "status", "version", "submitted_at")
    )
    values = sorted(
        DataValue.objects.values_list(
            "report__org__code", "report__period__code", "element__code", "option_combo__key", "value"
        )
    )
    returns = sorted(ValueReturn.objects.values_list("report__org__code", "reason", "element__code"))
    return {
        "reports": reports,
        "values": values,
        "returns": returns,
        "locks": sorted(PeriodLock.objects.values_list("dataset__code", "period__code")),
        "notifications": Notification.objects.count(),
        "unread": Notification.objects.filter(read_at__isnull=True).count(),
    }


def _accepted_sum(year: int, element: str, **option) -> Decimal:
    values = DataValue.objects.filter(
        report__dataset__code="WF_Y", report__period__code=str(year), report__status__in=ACCEPTED, element__code=element
    )
    if option:
        values = values.filter(**{f"option_combo__key__{k}": v for k, v in option.items()})
    return values.aggregate(total=Sum("number"))["total"]


@pytest.mark.django_db
def test_loading_again_changes_nothing(demo):
    before = _state()
    assert len(before["reports"]) > 400

    load_demo()
    again = load_demo_reports()

    assert sum(again.created.values()) == 0
    assert again.accounts_created == 0
    assert again.kept == len(before["reports"])
    assert _state() == before
    assert verify_chain() == []


@pytest.mark.django_db
def test_accepted_province_totals_are_the_speechs(demo):
    due = queries.orgs_due(DataSet.objects.get(code="WF_Y"), period_from_code(str(SPEECH_YEAR))).count()
    accepted = Report.objects.filter(dataset__code="WF_Y", period__code=str(SPEECH_YEAR), status__in=ACCEPTED)
    assert accepted.count() == due

    workers = _accepted_sum(SPEECH_YEAR, "WF_WORKERS")
    nonmigrant = _accepted_sum(SPEECH_YEAR, "WF_WORKERS_GROUP", startswith="NONMIGRANT.")
    migrant = _accepted_sum(SPEECH_YEAR, "WF_WORKERS_GROUP", startswith="MIGRANT.")
    certified = _accepted_sum(SPEECH_YEAR, "WF_CERTIFIED")
    by_level = _accepted_sum(SPEECH_YEAR, "WF_CERT_BY_LEVEL")
    college = _accepted_sum(SPEECH_YEAR, "WF_EDU_BY_LEVEL", **{"in": ["POSTGRADUATE", "BACHELOR", "COLLEGE"]})
    all_education = _accepted_sum(SPEECH_YEAR, "WF_EDU_BY_LEVEL")

    assert (workers, nonmigrant, certified, college) == (7_307_500, 2_782_600, 381_600, 699_980)
    assert migrant + nonmigrant == workers
    assert by_level == certified
    assert all_education == nonmigrant
    assert wan(workers) == "730.75万"
    assert wan(certified) == "38.16万"
    assert wan(nonmigrant, 1) == "278.3万"
    assert percent(certified / nonmigrant * 100) == "13.71%"
    assert percent(college / nonmigrant * 100) == "25.16%"
    assert college < 700_000  # 近70万
    # Over all workers, migrant workers included, the same counts give the speech's other reading.
    assert percent(certified / workers * 100) == "5.22%"
    assert percent(college / workers * 100) == "9.58%"


@pytest.mark.django_db
def test_previous_year_is_a_little_lower_and_locked(demo):
    assert _accepted_sum(PREVIOUS_YEAR, "WF_WORKERS") < _accepted_sum(SPEECH_YEAR, "WF_WORKERS")
    assert _accepted_sum(PREVIOUS_YEAR, "WF_CERTIFIED") < _accepted_sum(SPEECH_YEAR, "WF_CERTIFIED")
    assert PeriodLock.objects.filter(dataset__code="WF_Y", period__code=str(PREVIOUS_YEAR)).exists()
    assert set(
        Report.objects.filter(dataset__code="WF_Y", period__code=str(PREVIOUS_YEAR)).values_list("status", flat=True)
    ) == {ReportStatus.LOCKED}


@pytest.mark.django_db
def test_every_accepted_or_locked_report_is_sealed_and_its_seal_holds(demo):
    from core import integrity

    report = integrity.check()
    accepted = Report.objects.filter(status__in=[ReportStatus.ACCEPTED, ReportStatus.LOCKED]).count()
    assert report.checked["reporting.report"] == accepted > 0
    assert [p for p in report.problems if p.kind == "reporting.report"] == []


@pytest.mark.django_db
def test_current_round_has_every_state(demo):
    wf_q = DataSet.objects.get(code="WF_Q")
    current, previous = current_rounds(wf_q)
    rows = queries.reports_due(dataset=wf_q, period=period_from_code(current.code))

    assert {row.status for row in rows} == {"", *ReportStatus.values}  # "" is not started
    returned = Report.objects.get(org__code=KUNMING_POWER, dataset=wf_q, period__code=current.code)
    assert returned.status == ReportStatus.RETURNED
    reason = returned.returns.get(resolved_at__isnull=True)
    assert (reason.element.code, reason.option_combo.key) == ("WF_TRAINING_PERSON_TIMES", "")
    assert ValueReturn.objects.filter(report__period__code=current.code, section__code="CONTRIB", element=None).exists()
    # 云南电网's union has reports to approve, the office has reports to accept.
    assert (
        Report.objects.filter(
            period__code=current.code, org__code__in=["E002", "E003"], status=ReportStatus.SUBMITTED
        ).count()
        == 2
    )
    assert Report.objects.filter(period__code=current.code, status=ReportStatus.APPROVED).exists()

    earlier = queries.reports_due(dataset=wf_q, period=period_from_code(previous.code))
    assert {row.status for row in earlier} == {ReportStatus.LOCKED}
    timeliness = {row.timeliness for row in [*rows, *earlier]}
    assert Timeliness.LATE in timeliness
    assert Timeliness.ON_TIME in timeliness


@pytest.mark.django_db
def test_a_fresh_demo_has_a_round_open_near_its_deadline_and_units_past_it(demo):
    """Whatever the day of loading: the reporter's returned report can be corrected within a few days, while
    the round is past its deadline (or still running) for the others."""
    wf_q = DataSet.objects.get(code="WF_Q")
    current, _previous = current_rounds(wf_q)
    period = period_from_code(current.code)
    kunming = Organisation.objects.get(code=KUNMING_POWER)
    window = queries.entry_window(wf_q, period, kunming)
    now = timezone.now()

    assert window.is_open(now)
    assert 0 <= deadlines.days_left(window.deadline, now) <= 45  # near: the extension's 3 days or a round in course
    reporter = get_user_model().objects.get(username="reporter")
    todos = [t.text for t in reporting_todos(reporter)]
    assert any("被退回" in text and "昆明供电局" in text for text in todos)
    if demo.extended:  # loaded after the round closed: everyone else is past the deadline
        assert deadlines.days_left(window.deadline, now) == 3
        other = Organisation.objects.get(code="E002")
        assert not queries.entry_window(wf_q, period, other).is_open(now)


@pytest.mark.django_db
def test_every_submitted_report_passes_every_rule(demo):
    reports = Report.objects.exclude(status=ReportStatus.DRAFT).select_related("dataset_version")
    assert reports.count() > 400
    for report in reports:
        completeness = queries.report_completeness(report)
        assert completeness.missing == [], report
        assert completeness.errors == [], report
        assert completeness.warnings == [], report


@pytest.mark.django_db
def test_the_workflow_was_played_by_people_at_plausible_times(demo):
    report = Report.objects.get(org__code="E005", dataset__code="WF_Y", period__code=str(SPEECH_YEAR))
    assert report.submitted_by.memberships.filter(org=report.org, role="reporter").exists()
    assert report.approved_by.memberships.filter(org__code="U02", role="union_admin").exists()
    assert report.accepted_by.username == "office_reviewer"
    window = queries.entry_window(report.dataset, report.period, report.org)
    assert window.opens_at <= report.first_submitted_at < window.closes_at
    assert report.submitted_at < report.approved_at < report.accepted_at
    for moment in (report.submitted_at, report.approved_at, report.accepted_at):
        assert dt.time(8, 30) <= moment.astimezone(queries.REPORTING_TZ).time() <= dt.time(18)
    # History rounds leave nothing unread; the running round does.
    assert not Notification.objects.filter(read_at__isnull=True, report__period__code=str(SPEECH_YEAR)).exists()


@pytest.mark.django_db
def test_weak_enterprises_are_the_weakest(demo):
    enterprises = demo_enterprises()
    counts = yearly_headcounts(enterprises)[SPEECH_YEAR]
    rate = {e.org.code: counts[e.org.code].certified / counts[e.org.code].nonmigrant for e in enterprises}
    weakest = sorted(rate, key=rate.get)[:10]
    weak = {e.org.code for e in enterprises if e.weak}
    assert len(weak) == 10
    assert len(weak & set(weakest)) >= 8


def test_yearly_values_are_deterministic_and_add_up():
    class Org:
        code, industry, pk = "E999", "C", 0

    from reporting.demo import SECTORS, Enterprise, Headcounts

    enterprise = Enterprise(Org(), None, SECTORS["C"])
    counts = Headcounts(workers=5000, nonmigrant=2000, certified=300, college=500)
    first = yearly_values(enterprise, counts, 2020)
    assert first == yearly_values(enterprise, counts, 2020)
    group = sum(int(v) for (code, _key), v in first.items() if code == "WF_WORKERS_GROUP")
    assert group == 5000
    assert sum(int(v) for (code, _key), v in first.items() if code == "WF_CERT_BY_LEVEL") == 300


@pytest.mark.parametrize(
    ("total", "weights", "caps", "expected"),
    [
        (10, [1, 1, 1], None, [4, 3, 3]),
        (100, [1, 9], [50, 60], [40, 60]),
        (7, [0, 0], None, [4, 3]),
        (5, [5, 1, 1], [2, 10, 10], [2, 2, 1]),
    ],
)
def test_apportion_adds_up_within_caps(total, weights, caps, expected):
    assert apportion(total, weights, caps) == expected


def test_apportion_refuses_caps_too_small():
    with pytest.raises(ValueError):
        apportion(10, [1, 1], [3, 3])


@pytest.mark.django_db
def test_load_demo_command_makes_sample_reports_only_in_demo_mode(demo, settings):
    settings.DEMO_MODE = False
    out = io.StringIO()
    first_summary = AuditEntry.objects.get(event="demo.load_reports")

    call_command("load_demo", stdout=out, stderr=io.StringIO())

    assert "示例报表：" not in out.getvalue()
    assert "未开启演示模式，未生成示例报表（需要时加 --with-reports）。" in out.getvalue()
    assert not AuditEntry.objects.filter(event="demo.load_reports").exclude(pk=first_summary.pk).exists()

    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    assert "示例报表：新建 0 份（—），已存在" in out.getvalue()


@pytest.mark.django_db
def test_demo_reporters_have_telephones_for_the_deadline_board(demo):
    from orgs.demo import demo_phone

    reporters = get_user_model().objects.filter(is_demo=True, memberships__role=Role.REPORTER).distinct()
    phones = {user.username: user.phone for user in reporters}
    assert len(phones) > 100
    assert all(phone == demo_phone(name) and len(phone) == 11 for name, phone in phones.items())
