"""The daily check of the reform ledger: what lags, for whom, since when, and why.

Each rule reads every ledger at once (no query per organisation) and returns findings keyed by
(organisation id, AlertKind, subject): a Chinese reason saying what is wrong and since when, the
evidence it rests on, and the day the lag began. `subject` names the task ("task:<id>") or the round
of written reports ("round:<id>") an alert is about, "" when it is about the organisation.

    findings(today=None)                       every rule over every ledger: {key: Finding}
    refresh(today=None, by=Actor.system(…))    compare with the open alerts: raise, keep, clear (one audit row)

Only organisations on the ledger (listed by `today`) and not closed are checked. The deadlines come from
ReformSettings. An organisation put on the ledger after a deadline gets as long from its listing as the
first ones had from the reform's start (`plan_due`, `group_due`); the assessment facts read the same.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings as django_settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from core import deadlines
from core.actor import Actor
from core.formatting import day_label, wan
from ledger.choices import AlertKind, OfficerKind, TargetKind, TaskStatus, WrittenStatus
from ledger.models import Ledger, Officer, ReformSettings, Task, WrittenReport, WrittenRound

Key = tuple[int, str, str]
OPEN_STATUSES = (TaskStatus.PLANNED, TaskStatus.ACTIVE)


@dataclass(frozen=True)
class Finding:
    """Why an organisation lags: the reason shown to people, what it rests on, and since when."""

    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    since: dt.date | None = None


@dataclass(frozen=True)
class RefreshResult:
    raised: int
    cleared: int
    kept: int


# --- words and dates --------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def number(value: Decimal | None, unit: str = "") -> str:
    return "—" if value is None else f"{wan(value)}{unit}"


def plain(value: Decimal | None, places: int | None = None) -> str | None:
    """A number as plain text for the evidence: 10.0000 → "10", rounded to `places` when given."""
    if value is None:
        return None
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _due(listed_on: dt.date, deadline: dt.date, start: dt.date) -> dt.date:
    if listed_on <= deadline:
        return deadline
    return listed_on + (deadline - start)


def plan_due(ledger: Ledger, settings: ReformSettings) -> dt.date:
    """The day `ledger`'s implementation plan was due (see the module docstring)."""
    return _due(ledger.listed_on, settings.plan_deadline, settings.reform_start)


def group_due(ledger: Ledger, settings: ReformSettings) -> dt.date:
    """The day `ledger`'s leading group was due."""
    return _due(ledger.listed_on, settings.group_deadline, settings.reform_start)


# --- the rules ----------------------------------------------------------------------------------------


@dataclass
class Check:
    """What every rule reads: the day, the settings and the ledgers checked (with their organisations)."""

    today: dt.date
    settings: ReformSettings
    ledgers: list[Ledger]

    @cached_property
    def by_id(self) -> dict[int, Ledger]:
        return {ledger.pk: ledger for ledger in self.ledgers}

    @cached_property
    def org_ids(self) -> list[int]:
        return [ledger.org_id for ledger in self.ledgers]


Rule = Callable[[Check], dict[Key, Finding]]
RULES: dict[str, Rule] = {}
RULE_KINDS: dict[str, tuple[str, ...]] = {}  # rule name -> the kinds of alert it raises


def rule(*kinds: str) -> Callable[[Rule], Rule]:
    def wrap(fn: Rule) -> Rule:
        RULES[fn.__name__] = fn
        RULE_KINDS[fn.__name__] = kinds
        return fn

    return wrap


def checked_ledgers(today: dt.date):
    """The ledgers the check covers: listed by `today`, of organisations not closed by then."""
    return (
        Ledger.objects.filter(listed_on__lte=today)
        .filter(Q(org__closed_on__isnull=True) | Q(org__closed_on__gt=today))
        .select_related("org")
        .order_by("org__path")
    )


@rule(AlertKind.NO_PLAN, AlertKind.LATE_PLAN)
def plans(check: Check) -> dict[Key, Finding]:
    """No plan once it was due; a plan issued after it was due."""
    found = {}
    settings, today = check.settings, check.today
    for ledger in check.ledgers:
        due = plan_due(ledger, settings)
        issued = ledger.plan_issued_on
        evidence = {"plan_due": _iso(due), "listed_on": _iso(ledger.listed_on), "plan_issued_on": _iso(issued)}
        if issued is None and today > due:
            found[(ledger.org_id, AlertKind.NO_PLAN, "")] = Finding(
                _("尚未出台实施方案；规定期限为%(due)s，自%(since)s起逾期。")
                % {"due": day_label(due), "since": day_label(due + dt.timedelta(days=1))},
                evidence,
                due + dt.timedelta(days=1),
            )
        elif issued is not None and issued > due:
            year = settings.reform_year(issued)
            found[(ledger.org_id, AlertKind.LATE_PLAN, "")] = Finding(
                _("实施方案于%(issued)s印发，晚于规定期限%(due)s（改革第%(year)d年）。")
                % {"issued": day_label(issued), "due": day_label(due), "year": year},
                {**evidence, "reform_year": year, "days_late": (issued - due).days},
                due + dt.timedelta(days=1),
            )
    return found


@rule(AlertKind.NO_GROUP)
def groups(check: Check) -> dict[Key, Finding]:
    """No leading group once it was due."""
    found = {}
    for ledger in check.ledgers:
        due = group_due(ledger, check.settings)
        if ledger.group_established_on is None and check.today > due:
            found[(ledger.org_id, AlertKind.NO_GROUP, "")] = Finding(
                _("尚未成立改革领导小组；规定期限为%(due)s，自%(since)s起逾期。")
                % {"due": day_label(due), "since": day_label(due + dt.timedelta(days=1))},
                {"group_due": _iso(due), "listed_on": _iso(ledger.listed_on)},
                due + dt.timedelta(days=1),
            )
    return found


OFFICER_ALERTS = {OfficerKind.INFO: AlertKind.NO_INFO_OFFICER, OfficerKind.LIAISON: AlertKind.NO_LIAISON}


@rule(AlertKind.NO_INFO_OFFICER, AlertKind.NO_LIAISON)
def officers(check: Check) -> dict[Key, Finding]:
    """No information officer (liaison) in office today, from the dated history of who held it."""
    today = check.today
    current: set[tuple[int, str]] = set()
    last_left: dict[tuple[int, str], dt.date] = {}
    for ledger_id, kind, started_on, left_on in Officer.objects.filter(ledger_id__in=check.by_id).values_list(
        "ledger_id", "kind", "started_on", "left_on"
    ):
        if started_on <= today and (left_on is None or left_on > today):
            current.add((ledger_id, kind))
        elif left_on is not None and left_on <= today:
            last_left[(ledger_id, kind)] = max(left_on, last_left.get((ledger_id, kind), left_on))
    found = {}
    for ledger in check.ledgers:
        for kind, alert in OFFICER_ALERTS.items():
            if (ledger.pk, kind) in current:
                continue
            label = OfficerKind(kind).label
            left = last_left.get((ledger.pk, kind))
            if left is not None:
                reason = _("目前没有在任的%(kind)s：上一任于%(day)s离任，此后空缺。") % {
                    "kind": label,
                    "day": day_label(left),
                }
                since = left
            else:
                reason = _("自%(day)s列入台账以来未配备%(kind)s。") % {
                    "kind": label,
                    "day": day_label(ledger.listed_on),
                }
                since = ledger.listed_on
            found[(ledger.org_id, alert, "")] = Finding(
                reason, {"officer_kind": kind, "last_left_on": _iso(left), "listed_on": _iso(ledger.listed_on)}, since
            )
    return found


@rule(AlertKind.NO_METHOD)
def methods(check: Check) -> dict[Key, Finding]:
    """No quantified assessment method recorded."""
    return {
        (ledger.org_id, AlertKind.NO_METHOD, ""): Finding(
            _("尚未出台可量化的考核评价办法（自%(day)s列入台账起）。") % {"day": day_label(ledger.listed_on)},
            {"listed_on": _iso(ledger.listed_on)},
            ledger.listed_on,
        )
        for ledger in check.ledgers
        if ledger.method_issued_on is None
    }


@rule(AlertKind.NO_ACTION)
def idle(check: Check) -> dict[Key, Finding]:
    """A plan and a group, but nothing recorded for `idle_months` (ledger.timeline.last_activity)."""
    from ledger.timeline import last_activity

    months = check.settings.idle_months
    ready = [
        ledger
        for ledger in check.ledgers
        if ledger.plan_issued_on and ledger.group_established_on
        and max(ledger.plan_issued_on, ledger.group_established_on) <= check.today
    ]  # fmt: skip
    latest = last_activity([ledger.org_id for ledger in ready], today=check.today)
    found = {}
    for ledger in ready:
        # Recording the plan and the group is itself activity, so there is always a last day.
        last = latest.get(ledger.org_id) or max(ledger.plan_issued_on, ledger.group_established_on)
        since = add_months(last, months)
        if since > check.today:
            continue
        found[(ledger.org_id, AlertKind.NO_ACTION, "")] = Finding(
            _(
                "已出台实施方案并成立领导小组，但自%(last)s以来已超过%(months)d个月没有任何工作记录"
                "（改革任务及进展、书面报告、台账更新；统计报表不计在内）。"
            )
            % {"last": day_label(last), "months": months},
            {"last_activity": _iso(last), "idle_months": months},
            since,
        )
    return found


def _open_tasks(check: Check):
    return Task.objects.filter(ledger_id__in=check.by_id, status__in=OPEN_STATUSES)


def _task_words(task: Task) -> dict[str, str]:
    return {"title": task.title, "deadline": day_label(task.deadline)}


@rule(AlertKind.VAGUE_TARGET)
def vague(check: Check) -> dict[Key, Finding]:
    """Each open task whose target is not stated in numbers."""
    found = {}
    for task in _open_tasks(check).filter(target_kind=TargetKind.NONE).select_related("ledger"):
        created = deadlines.today(task.created_at)
        found[(task.ledger.org_id, AlertKind.VAGUE_TARGET, f"task:{task.pk}")] = Finding(
            _("任务“%(title)s”（完成期限%(deadline)s）没有量化目标，自%(day)s录入以来未补充。")
            % {**_task_words(task), "day": day_label(created)},
            {"task": task.pk, "title": task.title, "key_task": task.key_task},
            created,
        )
    return found


@rule(AlertKind.TASK_OVERDUE)
def overdue(check: Check) -> dict[Key, Finding]:
    """Each task past its deadline and neither done nor cancelled."""
    found = {}
    for task in _open_tasks(check).filter(deadline__lt=check.today).select_related("ledger"):
        since = task.deadline + dt.timedelta(days=1)
        found[(task.ledger.org_id, AlertKind.TASK_OVERDUE, f"task:{task.pk}")] = Finding(
            _("任务“%(title)s”完成期限为%(deadline)s，自%(since)s起逾期未完成（当前状态：%(status)s）。")
            % {**_task_words(task), "since": day_label(since), "status": task.get_status_display()},
            {"task": task.pk, "title": task.title, "deadline": _iso(task.deadline), "status": task.status},
            since,
        )
    return found


def _share(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.01'))}%"


@rule(AlertKind.BEHIND_PATH)
def behind(check: Check) -> dict[Key, Finding]:
    """Each open quantified task whose latest value lags the straight path by more than `lag_points`."""
    from ledger.progress import is_behind, progress_of

    tasks = list(
        _open_tasks(check).exclude(target_kind=TargetKind.NONE).select_related("ledger", "indicator").order_by("pk")
    )
    lag_points = check.settings.lag_points
    found = {}
    progresses = progress_of(tasks, today=check.today)
    for task in tasks:
        progress = progresses[task.pk]
        if not is_behind(task, progress, lag_points):
            continue
        actual = progress.actual
        unit = task.result_unit if task.target_kind == TargetKind.RESULT else (task.indicator.unit or "")
        lag = progress.behind_by()
        evidence = {
            "task": task.pk,
            "title": task.title,
            "baseline": plain(progress.baseline),
            "target": plain(progress.target),
            "latest": plain(actual.value),
            "latest_on": _iso(actual.on),
            "latest_label": actual.label,
            "expected_share": plain(progress.expected, 4),
            "share": plain(progress.share, 4),
            "behind_by": plain(lag, 2),
            "lag_points": lag_points,
            "unit": unit,
        }
        found[(task.ledger.org_id, AlertKind.BEHIND_PATH, f"task:{task.pk}")] = Finding(
            _(
                "任务“%(title)s”截至%(on)s达到%(latest)s（基期%(baseline)s，目标%(target)s），"
                "完成进度%(share)s，按时间均匀推进应达到%(expected)s，落后%(lag)s个百分点（预警阈值%(points)d个百分点）。"
            )
            % {
                "title": task.title,
                "on": day_label(actual.on),
                "latest": number(actual.value, unit),
                "baseline": number(progress.baseline, unit),
                "target": number(progress.target, unit),
                "share": _share(progress.share),
                "expected": _share(progress.expected),
                "lag": lag.quantize(Decimal("0.01")),
                "points": lag_points,
            },
            evidence,
            actual.on,
        )
    return found


@rule(AlertKind.WRITTEN_MISSING, AlertKind.WRITTEN_RETURNED)
def written(check: Check) -> dict[Key, Finding]:
    """A round past its due day with no report or a draft; a report returned and not submitted again."""
    from core.models import AuditEntry

    found = {}
    org_ids = check.org_ids
    reports = {
        (row["round_id"], row["org_id"]): row
        for row in WrittenReport.objects.filter(org_id__in=org_ids).values("pk", "round_id", "org_id", "status",
                                                                           "updated_at")
    }  # fmt: skip
    for round_ in WrittenRound.objects.filter(due_on__lt=check.today).order_by("due_on", "pk"):
        since = round_.due_on + dt.timedelta(days=1)
        for ledger in check.ledgers:
            if ledger.listed_on > round_.period_end:
                continue  # not on the ledger in the period reported on
            report = reports.get((round_.pk, ledger.org_id))
            if report is not None and report["status"] != WrittenStatus.DRAFT:
                continue
            words = {"title": round_.title, "due": day_label(round_.due_on)}
            reason = (
                _("《%(title)s》应于%(due)s前报送，至今未报送。")
                if report is None
                else _("《%(title)s》应于%(due)s前报送，至今仍是草稿，未提交。")
            ) % words
            found[(ledger.org_id, AlertKind.WRITTEN_MISSING, f"round:{round_.pk}")] = Finding(
                reason,
                {"round": round_.pk, "round_code": round_.code, "due_on": _iso(round_.due_on),
                 "report": report["pk"] if report else None},
                since,
            )  # fmt: skip
    returned = [row for row in reports.values() if row["status"] == WrittenStatus.RETURNED]
    if returned:
        when: dict[str, dt.datetime] = {}
        for object_id, at in AuditEntry.objects.filter(
            object_type="ledger.writtenreport",
            object_id__in=[str(row["pk"]) for row in returned],
            event__in=("ledger.written.return", "ledger.written.reopen"),
            success=True,
        ).values_list("object_id", "at"):
            when[object_id] = max(at, when.get(object_id, at))
        rounds = {r.pk: r for r in WrittenRound.objects.filter(pk__in={row["round_id"] for row in returned})}
        for row in returned:
            moment = when.get(str(row["pk"]), row["updated_at"])
            since = deadlines.today(moment)
            round_ = rounds[row["round_id"]]
            found[(row["org_id"], AlertKind.WRITTEN_RETURNED, f"round:{round_.pk}")] = Finding(
                _("《%(title)s》于%(day)s被退回修改，至今未重新提交。")
                % {"title": round_.title, "day": day_label(since)},
                {"round": round_.pk, "round_code": round_.code, "report": row["pk"], "returned_on": _iso(since)},
                since,
            )
    return found


def findings(
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    org_ids: Iterable[int] | None = None,
) -> dict[Key, Finding]:
    """Every rule over every ledger checked on `today` (or only those of `org_ids`):
    {(org id, kind, subject): Finding}."""
    today = today or deadlines.today()
    ledgers = checked_ledgers(today)
    if org_ids is not None:
        org_ids = set(org_ids)
        ledgers = ledgers.filter(org_id__in=org_ids)
    check = Check(today=today, settings=ReformSettings.current(), ledgers=list(ledgers))
    found: dict[Key, Finding] = {}
    rules = list(RULES.values())
    # The reasons are stored: always in the site's language, whoever's request or job computes them.
    with translation.override(django_settings.LANGUAGE_CODE):
        for done, fn in enumerate(rules):
            if progress is not None:
                progress(done, len(rules) + 1)
            found.update(fn(check))
    if org_ids is not None:
        found = {key: finding for key, finding in found.items() if key[0] in org_ids}
    return found


def kinds_of(keys: Iterable[Key]) -> dict[str, int]:
    """How many of `keys` are of each kind."""
    counts: dict[str, int] = defaultdict(int)
    for _org, kind, _subject in keys:
        counts[kind] += 1
    return dict(counts)


def refresh(*, today: dt.date | None = None, by: Actor | None = None) -> RefreshResult:
    """Raise, keep and clear alerts against today's findings (ledger.services.alerts.alerts_refresh)."""
    from ledger.services.alerts import alerts_refresh

    return alerts_refresh(by=by or Actor.system("ledger.alerts"), today=today)
