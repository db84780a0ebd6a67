"""The demo province's reform ledgers (ledger/demo/): the speech's 35 and its 14 late ones, the idle unions,
quantified and vague tasks, officers named and missing, and a second load that creates nothing.

The demo tree and its accounts are loaded once for the module without the sample reports (they take most of a
minute; indicator targets then have no baseline, which the loader allows), the ledgers twice, inside a
transaction rolled back at the end.
"""

from __future__ import annotations

import importlib.util

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from core import deadlines
from core.audit import verify_chain
from core.models import AuditEntry
from ledger.choices import OfficerKind, TargetKind, TaskStatus, WrittenStatus
from ledger.demo import IDLE_UNIONS, YEAR_THREE, load_demo_ledger, summary_lines
from ledger.models import GroupMember, Ledger, Milestone, Officer, ReformSettings, Task, TaskUpdate, WrittenReport
from orgs.choices import OrgKind
from orgs.demo import REAL_UNIONS, load_demo
from orgs.models import Organisation

HAS_WRITTEN = importlib.util.find_spec("ledger.services.written") is not None


def _counts() -> dict[str, int]:
    return {
        "ledgers": Ledger.objects.count(),
        "members": GroupMember.objects.count(),
        "officers": Officer.objects.count(),
        "tasks": Task.objects.count(),
        "milestones": Milestone.objects.count(),
        "updates": TaskUpdate.objects.count(),
        "written": WrittenReport.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The first load's result, the second's, and the row counts between them."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_ledger(office)
        counts = _counts()
        second = load_demo_ledger(office)
        yield first, second, counts
        transaction.set_rollback(True)


@pytest.fixture
def first(demo):
    return demo[0]


def _quantified_share(tasks) -> float:
    return tasks.exclude(target_kind=TargetKind.NONE).count() / tasks.count()


def _union_ledgers():
    return Ledger.objects.filter(org__kind=OrgKind.UNION).select_related("org")


@pytest.mark.django_db
def test_the_35_unions_and_every_open_enterprise_below_them_are_on_the_ledger(first):
    assert all("ledger.services.written" in w or "ledger.alerts" in w for w in first.warnings), first.warnings
    assert _union_ledgers().count() == 35
    unions = Organisation.objects.filter(kind=OrgKind.UNION)
    enterprises = Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True)
    below = [e for e in enterprises if any(e.path.startswith(u.path) for u in unions)]
    assert set(Ledger.objects.filter(org__kind=OrgKind.ENTERPRISE).values_list("org_id", flat=True)) == {
        e.pk for e in below
    }
    assert first.created["ledgers"] == 35 + len(below)
    assert verify_chain() == []
    lines = "\n".join(summary_lines(first))
    assert f"新建 {35 + len(below)} 本" in lines
    assert "14 家在改革第三年才出台实施方案" in lines
    # Dated records and their audit rows carry the story's time, not the load's.
    created = AuditEntry.objects.filter(event="ledger.ledger.create").values_list("at", flat=True)
    assert {at.year for at in created} == {2018}


@pytest.mark.django_db
def test_exactly_14_of_the_35_first_issued_their_plan_in_reform_year_3(first):
    settings = ReformSettings.current()
    late = {lg.org.code for lg in _union_ledgers() if settings.reform_year(lg.plan_issued_on) == 3}
    assert late == set(YEAR_THREE)
    assert len(late) == 14 == first.year_three
    real = {u.code for u in REAL_UNIONS}
    assert late & real and "U01" not in late  # some of the speech's groups, never 云南电网
    others = [lg for lg in _union_ledgers() if lg.org.code not in late]
    assert {settings.reform_year(lg.plan_issued_on) for lg in others} == {1, 2}
    assert all(settings.reform_year(lg.group_established_on) == 3 for lg in _union_ledgers() if lg.org.code in late)
    copper = Ledger.objects.get(org__code="U02")
    assert copper.plan_title == "中国铜业产业工人队伍建设改革实施方案"
    assert copper.plan_doc_number.startswith("中铜") and "〔2018〕" in copper.plan_doc_number
    # Groups: a chair as 组长, an office, the demo account linked where it holds a role.
    roles = set(GroupMember.objects.filter(ledger__org__code="U01").values_list("role", flat=True))
    assert roles >= {"leader", "deputy", "member", "office"}
    assert GroupMember.objects.filter(ledger__org__code="U01", user__username="union_admin").exists()
    assert GroupMember.objects.filter(ledger__org__code="U03", role="leader", left_on__isnull=False).exists()
    # Some enterprises lack a plan or a group, so the alerts have something to show.
    enterprise_ledgers = Ledger.objects.filter(org__kind=OrgKind.ENTERPRISE)
    assert enterprise_ledgers.filter(plan_issued_on__isnull=True).exists()
    assert enterprise_ledgers.filter(group_established_on__isnull=True).exists()
    assert enterprise_ledgers.filter(plan_issued_on__isnull=False, group_established_on__isnull=False).count() > 80


@pytest.mark.django_db
def test_some_unions_have_a_plan_and_a_group_and_nothing_else(first):
    idle = list(_union_ledgers().filter(org__code__in=IDLE_UNIONS))
    assert len(idle) == len(IDLE_UNIONS) >= 3
    for ledger in idle:
        assert ledger.plan_issued_on.year in (2018, 2019) and ledger.group_established_on.year in (2018, 2019)
        assert ledger.method_issued_on is None
        below = Q(ledger__org__path__startswith=ledger.org.path)
        assert not Task.objects.filter(below).exists()
        assert not TaskUpdate.objects.filter(task__ledger__org__path__startswith=ledger.org.path).exists()
        assert not WrittenReport.objects.filter(org__path__startswith=ledger.org.path).exists()
    # Every other union did something: tasks, with updates.
    busy = _union_ledgers().exclude(org__code__in=IDLE_UNIONS).annotate(n=Count("tasks"))
    assert all(ledger.n > 0 for ledger in busy)


@pytest.mark.django_db
def test_tasks_are_quantified_or_vague_some_done_some_overdue(first):
    kinds = set(Task.objects.values_list("target_kind", flat=True))
    assert kinds == {TargetKind.INDICATOR, TargetKind.RESULT, TargetKind.NONE}
    indicator = Task.objects.filter(target_kind=TargetKind.INDICATOR).select_related("indicator")
    assert {t.indicator.code for t in indicator} <= {"CERT_RATE", "COLLEGE_RATE"}
    assert {t.target_year for t in indicator} <= {2022, 2023, 2026, 2027}
    assert Task.objects.filter(title__startswith="新建职工创新工作室", target_kind=TargetKind.RESULT).exists()
    assert Task.objects.filter(title="加强产业工人思想政治引领", target_kind=TargetKind.NONE).exists()
    # The speech's laggards write few numbers; the leading groups many.
    late = Task.objects.filter(ledger__org__code__in=YEAR_THREE, ledger__org__kind=OrgKind.UNION)
    leading = Task.objects.filter(ledger__org__code__in=["U01", "U02", "U03", "U05", "U06"])
    assert _quantified_share(leading) > _quantified_share(late)
    today = deadlines.today()
    tasks = list(Task.objects.all())
    assert any(t.status == TaskStatus.DONE for t in tasks)
    assert any(t.overdue(today) for t in tasks)
    assert Milestone.objects.filter(done_on__isnull=False).exists()
    years = set(TaskUpdate.objects.values_list("on__year", flat=True))
    assert {2019, 2020, 2021} <= years
    counted = TaskUpdate.objects.filter(task__target_kind=TargetKind.RESULT)
    assert counted.exists() and not counted.filter(value__isnull=True).exists()


@pytest.mark.django_db
def test_officers_are_named_replaced_and_missing(first):
    kunming = Officer.objects.filter(ledger__org__code="E001", kind=OfficerKind.INFO).order_by("started_on")
    assert [(o.name, o.left_on is None) for o in kunming][-1] == ("刘洋", True)
    assert kunming.count() == 2 and kunming.first().left_on is not None  # replaced: the history shows
    assert kunming.last().user.username == "info_officer"
    named = Ledger.objects.filter(officers__kind=OfficerKind.INFO).distinct().count()
    missing = Ledger.objects.exclude(officers__kind=OfficerKind.INFO).count()
    assert named > 100 and missing > 5
    assert Ledger.objects.exclude(officers__kind=OfficerKind.LIAISON).filter(org__kind=OrgKind.UNION).exists()
    assert all(o.phone[:3].isdigit() and len(o.phone) == 11 and o.email.endswith("@example.com") for o in kunming)
    assert Ledger.objects.filter(method_issued_on__isnull=False).count() >= 5


@pytest.mark.django_db
@pytest.mark.skipif(not HAS_WRITTEN, reason="ledger.services.written is not there yet")
def test_written_reports_in_every_state_and_some_missing(first):
    statuses = set(WrittenReport.objects.values_list("status", flat=True))
    assert statuses == set(WrittenStatus.values)
    assert WrittenReport.objects.filter(round__code="2021H1", org__code="E001", status="returned").exists()
    assert first.written["missing"] > 0


@pytest.mark.django_db
def test_every_accepted_written_report_is_sealed_and_its_seal_holds(first):
    from core import integrity

    report = integrity.check()
    accepted = WrittenReport.objects.filter(status=WrittenStatus.ACCEPTED).count()
    assert report.checked["ledger.writtenreport"] == accepted > 0
    assert [p for p in report.problems if p.kind == "ledger.writtenreport"] == []


@pytest.mark.django_db
def test_a_second_load_creates_nothing(demo):
    first, second, counts = demo
    assert not any(second.created.values())
    assert second.kept["ledgers"] == first.created["ledgers"]
    assert second.warnings == [w for w in first.warnings if "ledger.services.written" in w]
    assert _counts() == counts
