"""The ledger's records as figures for analytics (analytics/sources.py): the 工 indicators' numbers.

Registered from LedgerConfig.ready(); the indicators over them are ledger/migrations/_indicators.py.

    SRC.LEDGER_ORGS       organisations on the ledger at the period's end (by listed_on)
    SRC.PLANS             of them, those whose implementation plan was issued by the period's end
    SRC.PLANS_ON_TIME     of them, those whose plan was issued by ReformSettings.plan_deadline
    SRC.GROUPS            of them, those whose leading group was set up by the period's end
    SRC.OFFICERED         of them, those with a current information officer AND a current liaison at its end
    SRC.TASKS             reform tasks open at the period's end (recorded or started by then, not done
                          by then, not cancelled)
    SRC.QUANTIFIED_TASKS  of those, the ones with a number in their target (indicator or counted result)
    SRC.WRITTEN_DUE       nine-aspect reports due in the period: one per ledger organisation per round
                          whose due date falls in it (organisations listed by that date)
    SRC.WRITTEN_ON_TIME   of those, the ones first submitted on or before the due date

A stock (plans, groups) counts an organisation from the later of the event and its listing, so a
numerator never holds an organisation its denominator (LEDGER_ORGS) does not: a rate stays within
100% when a union is put on the ledger after it had issued its plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Greatest, Least, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics import sources

Row = tuple[int, dt.date, int]


def _listed_by(field: str, start: dt.date, end: dt.date, **filters) -> Iterator[Row]:
    """(org, the later of `field` and the listing, 1) for ledgers with `field` set, dated within [start, end]."""
    from ledger.models import Ledger

    rows = (
        Ledger.objects.filter(**{f"{field}__isnull": False}, **filters)
        .annotate(counted_on=Greatest(field, "listed_on"))
        .filter(counted_on__gte=start, counted_on__lte=end)
        .values_list("org_id", "counted_on")
    )
    for org_id, day in rows:
        yield org_id, day, 1


def plans_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _listed_by("plan_issued_on", start, end)


def plans_on_time_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    """Plans issued on or before the deadline the office set (read when asked: a changed setting counts at once)."""
    from ledger.models import ReformSettings

    deadline = ReformSettings.current().plan_deadline
    return _listed_by("plan_issued_on", start, end, plan_issued_on__lte=deadline)


def groups_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _listed_by("group_established_on", start, end)


def officered_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    """(org, end, 1) for each ledger organisation with both a current information officer and liaison at `end`."""
    from ledger.choices import OfficerKind
    from ledger.models import Ledger, Officer

    current = Officer.objects.filter(ledger=OuterRef("pk")).current(end)
    rows = (
        Ledger.objects.filter(listed_on__lte=end)
        .filter(Exists(current.filter(kind=OfficerKind.INFO)), Exists(current.filter(kind=OfficerKind.LIAISON)))
        .values_list("org_id", flat=True)
    )
    for org_id in rows:
        yield org_id, end, 1


def open_tasks(end: dt.date):
    """Tasks open at `end`: recorded or started by then (whichever came first), not done by then, not cancelled."""
    from ledger.choices import TaskStatus
    from ledger.models import Task

    return (
        Task.objects.exclude(status=TaskStatus.CANCELLED)
        .annotate(since=Least(TruncDate("created_at"), "starts_on"))
        .filter(since__lte=end)
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=end))
    )


def _tasks_rows(end: dt.date, quantified: bool) -> Iterator[Row]:
    from ledger.choices import TargetKind

    tasks = open_tasks(end)
    if quantified:
        tasks = tasks.exclude(target_kind=TargetKind.NONE)
    for org_id, count in (
        tasks.order_by().values("ledger__org_id").annotate(n=Count("pk")).values_list("ledger__org_id", "n")
    ):
        yield org_id, end, count


def tasks_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _tasks_rows(end, quantified=False)


def quantified_tasks_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _tasks_rows(end, quantified=True)


def _written(start: dt.date, end: dt.date, on_time: bool) -> Iterator[Row]:
    from ledger.models import Ledger, WrittenReport, WrittenRound

    rounds = dict(WrittenRound.objects.filter(due_on__gte=start, due_on__lte=end).values_list("pk", "due_on"))
    if not rounds:
        return
    listed = dict(Ledger.objects.filter(listed_on__lte=max(rounds.values())).values_list("org_id", "listed_on"))
    due = {(round_id, org_id) for round_id, day in rounds.items() for org_id, since in listed.items() if since <= day}
    if on_time:
        firsts: dict[tuple[int, int], dt.datetime] = {
            (round_id, org_id): first
            for round_id, org_id, first in WrittenReport.objects.filter(
                round_id__in=rounds, first_submitted_at__isnull=False
            ).values_list("round_id", "org_id", "first_submitted_at")
        }
        due = {key for key in due if key in firsts and timezone.localtime(firsts[key]).date() <= rounds[key[0]]}
    counts: dict[tuple[int, dt.date], int] = defaultdict(int)
    for round_id, org_id in due:
        counts[(org_id, rounds[round_id])] += 1
    for (org_id, day), count in counts.items():
        yield org_id, day, count


def written_due_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _written(start, end, on_time=False)


def written_on_time_rows(start: dt.date, end: dt.date) -> Iterator[Row]:
    return _written(start, end, on_time=True)


ORGS_SCOPE = _("列入产改台账的省级产业系统公司工会和企业；产改台账")

SOURCES = (
    sources.Source(
        key="LEDGER_ORGS", label=_("列入产改台账的单位数"), unit="家", model="ledger.Ledger", org_field="org",
        date_field="listed_on", cumulative=True, scope=ORGS_SCOPE, description=_("期末已列入台账的单位。"),
    ),
    sources.Source(
        key="PLANS", label=_("已出台实施方案的单位数"), unit="家", fn=plans_rows, cumulative=True, scope=ORGS_SCOPE,
        description=_("期末前已印发实施方案（且已列入台账）的单位。"),
    ),
    sources.Source(
        key="PLANS_ON_TIME", label=_("按期出台实施方案的单位数"), unit="家", fn=plans_on_time_rows, cumulative=True,
        scope=ORGS_SCOPE, description=_("在产改台账设置的实施方案出台期限前印发实施方案的单位。"),
    ),
    sources.Source(
        key="GROUPS", label=_("已建立领导小组的单位数"), unit="家", fn=groups_rows, cumulative=True, scope=ORGS_SCOPE,
        description=_("期末前已成立产改领导小组（且已列入台账）的单位。"),
    ),
    sources.Source(
        key="OFFICERED", label=_("配齐信息员和联络员的单位数"), unit="家", fn=officered_rows, scope=ORGS_SCOPE,
        description=_("期末同时有在任信息员和在任联络员的台账单位。"),
    ),
    sources.Source(
        key="TASKS", label=_("在办改革任务数"), unit="项", fn=tasks_rows, scope=_("台账单位的改革任务；产改台账"),
        description=_("期末已录入或已开始、尚未完成、未取消的改革任务。"),
    ),
    sources.Source(
        key="QUANTIFIED_TASKS", label=_("有量化目标的在办改革任务数"), unit="项", fn=quantified_tasks_rows,
        scope=_("台账单位的改革任务；产改台账"), description=_("在办改革任务中，目标为指标值或量化成果的任务。"),
    ),
    sources.Source(
        key="WRITTEN_DUE", label=_("应报九个方面书面报告数"), unit="份", fn=written_due_rows, scope=ORGS_SCOPE,
        description=_("报送截止日期在本期内的书面报告期，每个截止日前已列入台账的单位各一份。"),
    ),
    sources.Source(
        key="WRITTEN_ON_TIME", label=_("按时报送的九个方面书面报告数"), unit="份", fn=written_on_time_rows,
        scope=ORGS_SCOPE, description=_("应报书面报告中，首次提交日期不晚于报送截止日期的。"),
    ),
)  # fmt: skip


def register() -> None:
    """Register the ledger's sources with analytics (idempotent: a second call replaces them)."""
    for source in SOURCES:
        sources.register(source)
