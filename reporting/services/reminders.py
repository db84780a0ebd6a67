"""Reminders before and after the deadline: in-app notifications and e-mail, sent once per stage.

Run every day by `manage.py send_reminders` from cron or a systemd timer (the command's docstring
has both). For each active data set and
each round still in its reminder window, every organisation that must report and has not submitted
(no report, a draft, or a report returned for correction) is reminded:

- before the deadline, at the stages `before_days` (default 3 and 1 days before the deadline day):
  the organisation's reporters;
- after the deadline, at the stages `after_days` (default 1 and 7 days after): its reporters, and
  the administrators of the group union above it (one message per administrator listing all of
  that union's organisations reminded in this run).

A stage is "due" from its day until the next stage starts, so a run missed on the stage's day is
caught up the next day; each (data set, period, organisation, deadline, stage) is sent at most once.
The deadline is the organisation's own, with any extension; after an extension the stages count
from the new deadline. Locked periods and rounds not yet open are skipped.

Idempotency uses the audit log: every reminder sent writes one audit row (event
`reporting.reminder.send`, object type `reporting.reminder`, object id = the stage key), in the
same transaction as its notifications, and a stage whose key is already there is not sent again.
Running the job twice on the same day therefore sends nothing new; a run that fails halfway rolls
back the round it was in (notifications and audit rows together, e-mails wait for the commit), so
running it again sends exactly what the failed run did not. Two runs at the same moment are
serialised per data set (a row lock on PostgreSQL, the IMMEDIATE write lock on SQLite). Within one
run nobody is told twice about one organisation at one stage: a union administrator who is also
that organisation's reporter gets its own reminder and a digest without it.

The deadline-day board sends the same reminders on demand (`reminders_send_now`): whoever reviews an
organisation may remind it, once per organisation, round and day (event `reporting.reminder.manual`,
object id "<data set>:<period>:<organisation>:manual:<day>"); it does not use up the daily job's stages.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from core.models import AuditEntry
from orgs.choices import Action, Role
from orgs.models import Membership, Organisation
from orgs.scoping import ensure_allowed
from reporting import periods, queries
from reporting.choices import ReportStatus
from reporting.models import DataSet, DeadlineExtension, Period, PeriodLock
from reporting.queries.completeness import round_reminder_prefix
from reporting.services.common import _ensure_office
from reporting.services.notifications import deliver

logger = logging.getLogger(__name__)

REMINDER_EVENT = queries.REMINDER_EVENT
MANUAL_EVENT = queries.MANUAL_REMINDER_EVENT
REMINDER_OBJECT = queries.REMINDER_OBJECT
DEFAULT_BEFORE = (3, 1)
DEFAULT_AFTER = (1, 7)
# After the last stage's day a missed run is still caught up for this many days, then the round is left.
CATCH_UP_DAYS = 7
NOT_SUBMITTED = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
_KEY_BATCH = 500


@dataclass(frozen=True)
class SentReminder:
    """One organisation reminded at one stage of one round, and who got the message."""

    key: str
    dataset: DataSet
    period: Period
    org: Organisation
    deadline: dt.date
    stage: str
    recipients: tuple[str, ...]


@dataclass
class ReminderRun:
    """What one run did: the reminders sent (or, in a dry run, that would be sent) and those already sent."""

    today: dt.date
    dry_run: bool = False
    sent: list[SentReminder] = field(default_factory=list)
    already_sent: int = 0
    union_digests: int = 0
    notifications: int = 0

    def summary(self) -> str:
        verb = _("将发送") if self.dry_run else _("已发送")
        return _(
            "%(today)s：%(verb)s催报提醒 %(orgs)d 家单位（站内通知 %(notes)d 条，其中工会汇总 %(digests)d 条）；"
            "此前已提醒、本次跳过 %(skipped)d 项。"
        ) % {
            "today": self.today.isoformat(),
            "verb": verb,
            "orgs": len(self.sent),
            "notes": self.notifications,
            "digests": self.union_digests,
            "skipped": self.already_sent,
        }


def _check_days(days: Sequence[int], label: str) -> tuple[int, ...]:
    cleaned = tuple(sorted({int(d) for d in days}))
    if any(d < 0 for d in cleaned):
        raise UserError(_("%(label)s不能为负数。") % {"label": label})
    return cleaned


def stage_for(days_to_deadline: int, before_days: Sequence[int], after_days: Sequence[int]) -> str | None:
    """The reminder stage an organisation is in, `days_to_deadline` days before its deadline day (negative: after).

    Before: "before-N" for the smallest configured N ≥ the days left (the deadline day itself is in
    the last stage before it). After: "after-N" for the largest configured N ≤ the days past, until
    CATCH_UP_DAYS after the last stage's day. None outside every stage.
    """
    if days_to_deadline >= 0:
        candidates = [d for d in sorted(before_days) if d >= days_to_deadline]
        return f"before-{candidates[0]}" if candidates else None
    past = -days_to_deadline
    candidates = [d for d in sorted(after_days) if d <= past]
    if not candidates or past > max(after_days) + CATCH_UP_DAYS:
        return None
    return f"after-{candidates[-1]}"


def stage_key(dataset: DataSet, period: Period, org: Organisation, deadline: dt.date, stage: str) -> str:
    """The identity of one reminder (at most 64 characters: the audit log's object id)."""
    return f"{dataset.pk}:{period.code}:{org.pk}:{deadline:%Y%m%d}:{stage}"[:64]


def _candidate_specs(dataset: DataSet, today: dt.date, before: Sequence[int], after: Sequence[int]) -> list:
    """Periods whose regular or extended deadline puts them in a reminder window today."""
    latest_after = (max(after) if after else 0) + CATCH_UP_DAYS
    earliest_before = max(before) if before else 0
    specs = {}
    spec = periods.spec_containing(dataset.period_type, today + dt.timedelta(days=earliest_before))
    # One period ahead as well: yearly forms may open before the year ends.
    spec = periods.spec_containing(dataset.period_type, spec.end + dt.timedelta(days=1))
    for _step in range(60):  # at most five years of monthly periods
        deadline = spec.end + dt.timedelta(days=dataset.deadline_days)
        if deadline < today - dt.timedelta(days=latest_after):
            break
        if deadline <= today + dt.timedelta(days=earliest_before):
            specs[spec.code] = spec
        spec = periods.previous_spec(spec)
    extended = DeadlineExtension.objects.filter(
        dataset=dataset, new_deadline__gte=today - dt.timedelta(days=latest_after)
    ).select_related("period")
    for extension in extended:
        specs.setdefault(extension.period.code, extension.period.spec)
    return sorted(specs.values(), key=lambda s: s.start)


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def _completeness_url(dataset: DataSet, period: Period) -> str:
    base = _url("reporting:completeness")
    return f"{base}?{urlencode({'dataset': dataset.code, 'period': period.code})}" if base else ""


def _status_text(row: queries.DueRow) -> str:
    if row.report is None:
        return _("尚未填报")
    if row.report.status == ReportStatus.RETURNED:
        return _("已被退回，尚未重新提交")
    return _("已填写草稿，尚未提交")


def _reporter_message(row: queries.DueRow, dataset: DataSet, period: Period, days_to: int) -> tuple[str, str]:
    names = {
        "org": row.org.name,
        "dataset": dataset.name,
        "period": period.label,
        "deadline": row.deadline.isoformat(),
        "status": _status_text(row),
    }
    if days_to > 0:
        title = _("催报提醒：%(period)s“%(dataset)s”还有 %(days)d 天截止") % {**names, "days": days_to}
        body = (
            _(
                "%(org)s的%(period)s“%(dataset)s”%(status)s，截止日期为 %(deadline)s"
                "（北京时间当日 24 时前提交为按时）。请尽快填报并提交。"
            )
            % names
        )
    elif days_to == 0:
        title = _("催报提醒：%(period)s“%(dataset)s”今天截止") % names
        body = _("%(org)s的%(period)s“%(dataset)s”%(status)s，今天（%(deadline)s）24 时截止，请尽快提交。") % names
    else:
        title = _("逾期提醒：%(period)s“%(dataset)s”已过截止日期") % names
        body = _(
            "%(org)s的%(period)s“%(dataset)s”%(status)s，截止日期 %(deadline)s 已过 %(days)d 天。"
            "请立即填报并提交；如已无法填报，请联系产改办申请延期。"
        ) % {**names, "days": -days_to}
    return title, body


def _already_sent(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _KEY_BATCH):
        found.update(
            AuditEntry.objects.filter(
                event=REMINDER_EVENT, object_type=REMINDER_OBJECT, object_id__in=keys[start : start + _KEY_BATCH]
            ).values_list("object_id", flat=True)
        )
    return found


def _users_by_org(org_ids: Iterable[int], role: str) -> dict[int, list]:
    users: dict[int, list] = defaultdict(list)
    memberships = Membership.objects.filter(
        org_id__in=list(org_ids), role=role, is_active=True, user__is_active=True
    ).select_related("user")
    for membership in memberships:
        users[membership.org_id].append(membership.user)
    return users


def _remind_round(*, by: Actor, run: ReminderRun, dataset: DataSet, spec, now: dt.datetime, before, after) -> None:
    period = periods.period_from_code(spec.code)  # reference data, created on first use
    if PeriodLock.objects.filter(dataset=dataset, period=period).exists():
        return
    opens_at = deadlines.start_of_day(queries.opening_day(dataset, spec))
    if now < opens_at:
        return
    rows = [
        row
        for row in queries.reports_due(dataset=dataset, period=period, now=now)
        if row.report is None or row.report.status in NOT_SUBMITTED
    ]
    due = []
    for row in rows:
        days_to = (row.deadline - run.today).days
        stage = stage_for(days_to, before, after)
        if stage is not None:
            due.append((row, days_to, stage, stage_key(dataset, period, row.org, row.deadline, stage)))
    if not due:
        return
    sent_before = _already_sent([key for *_rest, key in due])
    run.already_sent += sum(1 for *_rest, key in due if key in sent_before)
    due = [item for item in due if item[3] not in sent_before]
    if not due:
        return
    _send_due(by=by, run=run, dataset=dataset, period=period, due=due, manual=False)


def _send_due(*, by: Actor, run: ReminderRun, dataset: DataSet, period: Period, due: list, manual: bool) -> None:
    """Send the reminders of `due` ((row, days to the deadline, stage, key) each) and audit each under `event`:
    the organisation's reporters, and after the deadline the administrators of its union in one digest.
    An organisation with nobody to tell is skipped without an audit row (it is tried again next time)."""
    org_ids = [row.org.pk for row, *_rest in due]
    reporters = _users_by_org(org_ids, Role.REPORTER)
    unions = queries.unions_above(row.org for row, *_rest in due)
    union_admins = _users_by_org({u.pk for u in unions.values() if u is not None}, Role.UNION_ADMIN)
    digests: dict[int, list[tuple[queries.DueRow, int]]] = defaultdict(list)
    told_directly: dict[int, set[int]] = defaultdict(set)  # org → users who got its own reminder in this run
    for row, days_to, stage, key in due:
        recipients = list(reporters.get(row.org.pk, []))
        union = unions.get(row.org.pk)
        admins = union_admins.get(union.pk, []) if (union is not None and days_to < 0) else []
        if not recipients and not admins:
            continue  # nobody to tell yet: try again on the next run (someone may have been appointed)
        title, body = _reporter_message(row, dataset, period, days_to)
        url = _url("reporting:report_detail", pk=row.report.pk) if row.report is not None else ""
        if recipients:
            told_directly[row.org.pk].update(u.pk for u in recipients)
            run.notifications += len({u.pk for u in recipients})
            if not run.dry_run:
                deliver(recipients, title=title, body=body, url=url, report=row.report)
        if admins:
            digests[union.pk].append((row, days_to))
        names = tuple(sorted({u.get_username() for u in recipients} | {u.get_username() for u in admins}))
        run.sent.append(SentReminder(key, dataset, period, row.org, row.deadline, stage, names))
        if not run.dry_run:
            audit.record(
                by,
                "reporting.reminder.manual" if manual else "reporting.reminder.send",  # MANUAL_EVENT, REMINDER_EVENT
                None,
                after=None,
                object_type=REMINDER_OBJECT,
                object_id=key,
                object_repr=f"{row.org.name} · {dataset.name} · {period.label}"[:300],
                detail={
                    "dataset": dataset.code,
                    "period": period.code,
                    "org": row.org.code,
                    "deadline": row.deadline.isoformat(),
                    "stage": stage,
                    "recipients": list(names),
                    "status": row.status or "none",
                },
            )
    union_by_pk = {u.pk: u for u in unions.values() if u is not None}
    for union_pk, items in digests.items():
        # An administrator who is also a reporter of a late organisation already got that
        # organisation's own reminder at this stage: the digest leaves it out (and is not sent
        # when nothing is left), so nobody is told twice about the same deadline and stage.
        by_content: dict[tuple[int, ...], list] = defaultdict(list)
        for admin in {u.pk: u for u in union_admins[union_pk]}.values():
            mine = tuple(i for i, (row, _days) in enumerate(items) if admin.pk not in told_directly[row.org.pk])
            if mine:
                by_content[mine].append(admin)
        for indexes, admins in by_content.items():
            _send_digest(run, union_by_pk[union_pk], [items[i] for i in indexes], admins, dataset, period)


def _send_digest(run: ReminderRun, union: Organisation, items, admins: list, dataset: DataSet, period: Period) -> None:
    """One message to the union's administrators listing its organisations reminded after the deadline."""
    lines = "\n".join(
        _("· %(org)s：%(status)s，截止 %(deadline)s，已逾期 %(days)d 天")
        % {"org": row.org.name, "status": _status_text(row), "deadline": row.deadline.isoformat(), "days": -days}
        for row, days in items
    )
    title = _("逾期提醒：%(union)s有 %(n)d 家单位未报送%(period)s“%(dataset)s”") % {
        "union": union.name,
        "n": len(items),
        "period": period.label,
        "dataset": dataset.name,
    }
    body = _("以下单位已过截止日期仍未提交，请督促：\n%(lines)s") % {"lines": lines}
    run.union_digests += len(admins)
    run.notifications += len(admins)
    if not run.dry_run:
        deliver(admins, title=title, body=body, url=_completeness_url(dataset, period))


def reminders_send(
    *,
    by: Actor,
    now: dt.datetime | None = None,
    before_days: Sequence[int] = DEFAULT_BEFORE,
    after_days: Sequence[int] = DEFAULT_AFTER,
    dry_run: bool = False,
) -> ReminderRun:
    """Send the reminders due today, each at most once (see the module docstring); the office or the system only.

    `dry_run` computes what would be sent and writes nothing. Each data set and period is one
    transaction: a failure leaves the rounds already done sent and recorded.
    """
    _ensure_office(by)
    before = _check_days(before_days, _("截止前提醒天数"))
    after = _check_days(after_days, _("截止后提醒天数"))
    if 0 in after:
        raise UserError(_("截止后提醒天数须至少为 1（截止日当天属于截止前的最后一次提醒）。"))
    now = now or timezone.now()
    run = ReminderRun(today=deadlines.today(now), dry_run=dry_run)
    datasets = DataSet.objects.filter(is_active=True, versions__published_at__isnull=False).distinct().order_by("code")
    for dataset in datasets:
        for spec in _candidate_specs(dataset, run.today, before, after):
            with transaction.atomic():
                # Two runs at once: the second waits here and then finds the first one's audit rows.
                # NO KEY: reporters opening reports of this data set (a row referring to it) do not wait.
                DataSet.objects.select_for_update(no_key=True).filter(pk=dataset.pk).first()
                _remind_round(by=by, run=run, dataset=dataset, spec=spec, now=now, before=before, after=after)
    return run


# --- One-click reminders from the deadline-day board ----------------------------------------------------------


@dataclass
class ManualReminders:
    """What one click on 催报 did: the organisations reminded now, those already reminded today from the
    board (with when and by whom), those with nobody to tell, and those that no longer need a reminder."""

    today: dt.date
    sent: list[SentReminder] = field(default_factory=list)
    already: list[tuple[Organisation, queries.LastReminder]] = field(default_factory=list)
    nobody: list[Organisation] = field(default_factory=list)
    not_needed: list[Organisation] = field(default_factory=list)


def manual_key(dataset: DataSet, period: Period, org: Organisation, today: dt.date) -> str:
    """One reminder from the board per organisation, round and day (Beijing time)."""
    return f"{round_reminder_prefix(dataset, period)}{org.pk}:manual:{today:%Y%m%d}"[:64]


def reminders_send_now(
    *, by: Actor, dataset: DataSet, period: Period, orgs: Sequence[Organisation], now: dt.datetime | None = None
) -> ManualReminders:
    """Remind `orgs` now, with the message and recipients of the daily job (reporters; after the deadline also
    the union administrators above, in one digest), each audited as `reporting.reminder.manual`.

    Whoever reviews an organisation may remind it (PermissionDenied otherwise, before anything is sent).
    Idempotent per organisation, round and day: an organisation already reminded from the board today
    is not reminded again (it is listed in `already`). Organisations that have reported, or are not due,
    are left out; a locked period raises UserError.
    """
    for org in orgs:
        ensure_allowed(by, Action.REVIEW, org)
    if PeriodLock.objects.filter(dataset=dataset, period=period).exists():
        raise UserError(
            _("%(period)s“%(dataset)s”已锁定，不再催报。") % {"period": period.label, "dataset": dataset.name}
        )
    now = now or timezone.now()
    result = ManualReminders(today=deadlines.today(now))
    wanted = {org.pk: org for org in orgs}
    with transaction.atomic():
        # A double click waits here for the first one and then finds its audit rows.
        DataSet.objects.select_for_update(no_key=True).filter(pk=dataset.pk).first()
        rows = {
            row.org.pk: row
            for row in queries.reports_due(dataset=dataset, period=period, now=now)
            if row.org.pk in wanted and not row.reported
        }
        result.not_needed = [org for pk, org in wanted.items() if pk not in rows]
        keys = {pk: manual_key(dataset, period, row.org, result.today) for pk, row in rows.items()}
        sent_today = set(
            AuditEntry.objects.filter(
                event=MANUAL_EVENT, object_type=REMINDER_OBJECT, object_id__in=list(keys.values())
            ).values_list("object_id", flat=True)
        )
        if sent_today:
            earlier = queries.last_reminders(dataset, period, [pk for pk in rows if keys[pk] in sent_today])
            result.already = [(rows[pk].org, earlier[pk]) for pk in rows if keys[pk] in sent_today and pk in earlier]
        due = [
            (row, (row.deadline - result.today).days, "manual", keys[pk])
            for pk, row in rows.items()
            if keys[pk] not in sent_today
        ]
        run = ReminderRun(today=result.today)
        if due:
            _send_due(by=by, run=run, dataset=dataset, period=period, due=due, manual=True)
        result.sent = run.sent
        reminded = {item.org.pk for item in run.sent}
        result.nobody = [row.org for row, *_rest in due if row.org.pk not in reminded]
    return result
