"""Work lists: what a person has to fill or review, which steps they may take on a report, what happened
to it, and their unread notifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import deadlines
from core.formatting import day_label
from core.registry import RoundProgress, Todo
from core.workflow import history
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import granted_paths, is_office
from reporting import periods
from reporting.choices import ReportStatus
from reporting.models import DataSet, DeadlineExtension, Notification, Report, ValueReturn
from reporting.queries.completeness import reports_due, reports_due_total
from reporting.queries.deadlines import (
    EntryWindow,
    entry_window,
    period_lock_of,
    recent_rounds,
    regular_deadline,
    window_for,
)
from reporting.queries.due import _union_paths, has_union_above, orgs_due, reviewing_union

# --- Pages: what a user has to fill or review, what a user may do, what happened ------------------------


@dataclass(frozen=True)
class EntryRound:
    """One organisation's filling of a data set for a period whose entry is open now, with its report if opened."""

    dataset: DataSet
    period: periods.PeriodSpec
    org: Organisation
    report: Report | None
    window: EntryWindow

    @property
    def deadline(self) -> dt.date:
        return self.window.deadline


_MAX_PERIODS_BACK = 36


def _open_specs(dataset: DataSet, now: dt.datetime, extended_until: dict[str, dt.date]) -> list[periods.PeriodSpec]:
    """Periods of `dataset` whose entry window (regular or extended somewhere) contains `now`."""
    today = deadlines.today(now)
    spec = periods.spec_containing(dataset.period_type, today + dt.timedelta(days=max(0, -dataset.open_offset_days)))
    found = []
    for _step in range(_MAX_PERIODS_BACK):
        opens_on = spec.end + dt.timedelta(days=1 + dataset.open_offset_days)
        deadline = max(spec.end + dt.timedelta(days=dataset.deadline_days), extended_until.get(spec.code, spec.end))
        closes_on = deadline + dt.timedelta(days=1 + dataset.grace_days)
        regular_close = spec.end + dt.timedelta(days=dataset.deadline_days + 1 + dataset.grace_days)
        if opens_on <= today < closes_on:
            found.append(spec)
        if regular_close <= today and not any(code < spec.code for code in extended_until):
            break
        spec = periods.previous_spec(spec)
    return found


def entry_rounds(*, user, now: dt.datetime | None = None, limit: int = 500) -> list[EntryRound]:
    """Data sets and periods open for entry now, for every organisation `user` may fill that must report them.

    Organisations come from the user's EDIT scope (a group union sees its subsidiaries, for which it
    may report on their behalf). Sorted by deadline, then organisation. The query count depends on
    the number of open rounds, not on the number of organisations.
    """
    now = now or timezone.now()
    if not granted_paths(user, Action.EDIT):
        return []
    datasets = list(
        DataSet.objects.filter(is_active=True, versions__published_at__isnull=False)
        .distinct()
        .prefetch_related("assignments__org")
        .order_by("code")
    )
    if not datasets:
        return []
    extensions = list(
        DeadlineExtension.objects.filter(dataset__in=datasets).select_related("org", "period").order_by("id")
    )
    rounds: list[tuple[DataSet, periods.PeriodSpec, list[Organisation]]] = []
    for dataset in datasets:
        extended_until: dict[str, dt.date] = {}
        for extension in extensions:
            if extension.dataset_id == dataset.pk:
                code = extension.period.code
                extended_until[code] = max(extended_until.get(code, extension.new_deadline), extension.new_deadline)
        for spec in _open_specs(dataset, now, extended_until):
            orgs = list(orgs_due(dataset, spec).visible_to(user, Action.EDIT)[:limit])  # type: ignore[arg-type]
            if orgs:
                rounds.append((dataset, spec, orgs))
    if not rounds:
        return []
    wanted = Q()
    for dataset, spec, orgs in rounds:
        wanted |= Q(dataset=dataset, period__code=spec.code, org__in=[o.pk for o in orgs])
    reports = {
        (r.dataset_id, r.period.code, r.org_id): r
        for r in Report.objects.filter(wanted).select_related("period", "dataset_version")
    }
    result = []
    for dataset, spec, orgs in rounds:
        granted = [e for e in extensions if e.dataset_id == dataset.pk and e.period.code == spec.code]
        for org in orgs:
            window = window_for(dataset, spec, org, granted)
            report = reports.get((dataset.pk, spec.code, org.pk))
            if window.is_open(now) or (report is not None and report.is_editable and report.status != "draft"):
                result.append(EntryRound(dataset, spec, org, report, window))
    result.sort(key=lambda r: (r.window.deadline, r.org.path, r.dataset.code))
    return result[:limit]


def review_queue(*, user, limit: int = 100) -> tuple[str, list[Report]]:
    """The reports waiting for `user`'s decision, and which queue it is: "accept" for the office
    (approved, or submitted with no union above), "approve" for a union (submitted). Reports the
    user submitted are left out (four-eyes)."""
    from reporting.workflow import STEPS

    base = Report.objects.select_related("org", "dataset", "period", "submitted_by").order_by(
        "submitted_at", "org__path"
    )
    if granted_paths(user, Action.ACCEPT):
        union_paths = _union_paths()
        candidates = base.visible_to(user, Action.ACCEPT).filter(status__in=STEPS["accept"].sources)
        rows = [
            r
            for r in candidates.exclude(submitted_by=user)[: limit * 4]
            if r.status == ReportStatus.APPROVED or not has_union_above(r.org, union_paths)
        ]
        return "accept", rows[:limit]
    if granted_paths(user, Action.REVIEW):
        rows = list(
            base.visible_to(user, Action.REVIEW)
            .filter(status__in=STEPS["approve"].sources)
            .exclude(submitted_by=user)[:limit]
        )
        return "approve", rows
    return "", []


def report_actions(report: Report, user, *, now: dt.datetime | None = None) -> list[str]:
    """The workflow steps `user` may take on `report` now (for showing buttons; the services decide)."""
    from orgs.scoping import can
    from reporting.workflow import report_steps

    now = now or timezone.now()
    union = reviewing_union(report.org)
    return report_steps(
        status=report.status,
        may=lambda action: can(user, action, report.org),
        union_above=union is not None,
        may_review_union=lambda: can(user, Action.REVIEW, union),
        own=report.submitted_by_id is not None and report.submitted_by_id == getattr(user, "pk", None),
        period_locked=period_lock_of(report.dataset, report.period) is not None,
        window_open=lambda: entry_window(report.dataset, report.period, report.org).is_open(now),
    )


def report_history(report: Report) -> list:
    """The audit rows about `report` (steps, saves, comments, explanations, files), oldest first."""
    return history(report)


def report_open_returns(report: Report) -> list:
    """The reviewers' reasons not yet answered by a resubmission (whole report, section or cell)."""
    return list(
        report.returns.filter(resolved_at__isnull=True).select_related(
            "section", "element", "option_combo", "returned_by"
        )
    )


def notifications_unread(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def notification_kind(title: str) -> str:
    """What kind of message a notification is: its title's lead before "：" (待验收, 催报提醒, 已退回 …)."""
    lead, colon, _rest = title.partition("：")
    return lead if colon and len(lead) <= NOTIFICATION_KIND_MAX else ""


NOTIFICATION_KIND_MAX = 12


@dataclass(frozen=True)
class DigestLine:
    kind: str
    count: int
    latest: dt.datetime


def notifications_digest(user) -> list[DigestLine]:
    """The unread notifications by kind, the most numerous first: what a long inbox is about, in a few lines."""
    counts: dict[str, int] = {}
    latest: dict[str, dt.datetime] = {}
    for title, created_at in notifications_unread(user).values_list("title", "created_at").order_by("-created_at"):
        kind = notification_kind(title)
        counts[kind] = counts.get(kind, 0) + 1
        latest.setdefault(kind, created_at)
    lines = sorted(counts.items(), key=lambda item: (item[0] == "", -item[1], item[0]))  # untitled ones last
    return [DigestLine(kind or _("其他"), n, latest[kind]) for kind, n in lines]


# --- The home page's 待办事项 (core.registry.todos) ---------------------------------------------------

# Itemised up to this many; more (a union filling for its subsidiaries) are counted per data set and period.
TODOS_ITEMISED = 5
# A deadline this close (days) or passed makes a round urgent.
TODO_SOON_DAYS = 3


def reporting_todos(user, *, now: dt.datetime | None = None) -> list[Todo]:
    """What `user` has to do in statistics reporting: returned reports to correct, open rounds not yet submitted
    (by deadline), and the reports waiting for their review or acceptance.

    A fixed number of queries whatever the scope: the open rounds, the returned reports and the review queue.
    """
    now = now or timezone.now()
    found: list[Todo] = []
    if granted_paths(user, Action.EDIT) and not is_office(user):  # the office reviews; it does not fill
        returned = list(
            Report.objects.visible_to(user, Action.EDIT)
            .filter(status=ReportStatus.RETURNED)
            .select_related("org", "dataset", "period")
            .order_by("period__start", "org__path")[: TODOS_ITEMISED + 1]
        )
        reasons = _first_reasons(returned[:TODOS_ITEMISED])
        for report in returned[:TODOS_ITEMISED]:
            reason = (reasons.get(report.pk) or "").rstrip("。．.！!；;，, ")  # the sentence ends it
            text = _("《%(dataset)s》%(period)s（%(org)s）被退回") % {
                "dataset": report.dataset.name,
                "period": report.period.label,
                "org": report.org.display_name,
            }
            text += _("：%(reason)s。请修改后重新提交。") % {"reason": reason} if reason else _("，请修改后重新提交。")
            found.append(Todo(text, reverse("reporting:report_entry", args=[report.pk]), 0))
        if len(returned) > TODOS_ITEMISED:
            found.append(Todo(_("还有更多被退回的报表，请在“我的填报”中查看。"), reverse("reporting:my_reports"), 0))
        waiting = [
            r
            for r in entry_rounds(user=user, now=now)
            if r.window.is_open(now) and (r.report is None or r.report.status == ReportStatus.DRAFT)
        ]
        if len(waiting) <= TODOS_ITEMISED:
            for r in waiting:
                found.append(_round_todo(r, now))
        else:
            groups: dict[tuple[int, str], list[EntryRound]] = {}
            for r in waiting:
                groups.setdefault((r.dataset.pk, r.period.code), []).append(r)
            for rounds in groups.values():
                first = min(rounds, key=lambda r: r.deadline)
                late = deadlines.days_left(first.deadline, now) < 0
                found.append(Todo(
                    ngettext(
                        "《%(dataset)s》%(period)s：%(n)d 家单位尚未提交，最早截止 %(day)s。",
                        "《%(dataset)s》%(period)s：%(n)d 家单位尚未提交，最早截止 %(day)s。",
                        len(rounds),
                    ) % {"dataset": first.dataset.name, "period": first.period.label, "n": len(rounds),
                         "day": day_label(first.deadline)},
                    f"{reverse('reporting:my_reports')}#rounds",
                    0 if late or deadlines.days_left(first.deadline, now) <= TODO_SOON_DAYS else 1,
                    first.deadline,
                ))  # fmt: skip
    kind, queue = review_queue(user=user)
    if queue:
        text = (
            ngettext("有 %(n)d 份报表等待您验收。", "有 %(n)d 份报表等待您验收。", len(queue))
            if kind == "accept"
            else ngettext("有 %(n)d 份报表等待您审核。", "有 %(n)d 份报表等待您审核。", len(queue))
        )
        found.append(Todo(text % {"n": len(queue)}, f"{reverse('reporting:my_reports')}#queue", 0))
    return found


def _round_todo(r: EntryRound, now: dt.datetime) -> Todo:
    left = deadlines.days_left(r.deadline, now)
    names = {
        "dataset": r.dataset.name,
        "period": r.period.label,
        "org": r.org.display_name,
        "day": day_label(r.deadline),
    }
    if left < 0:
        text = _("填报《%(dataset)s》%(period)s（%(org)s）：已过截止日期 %(day)s，请尽快提交。") % names
    elif left == 0:
        text = _("填报《%(dataset)s》%(period)s（%(org)s）：今天截止。") % names
    else:
        text = _("填报《%(dataset)s》%(period)s（%(org)s）：%(day)s 截止，还有 %(n)d 天。") % {**names, "n": left}
    if r.report is not None:
        url = reverse("reporting:report_entry", args=[r.report.pk])
    else:
        url = f"{reverse('reporting:my_reports')}#rounds"
    return Todo(text, url, 0 if left <= TODO_SOON_DAYS else 1, r.deadline)


def _first_reasons(reports: list[Report]) -> dict[int, str]:
    """The latest unresolved return reason of each report (one query)."""
    reasons: dict[int, str] = {}
    rows = ValueReturn.objects.filter(report__in=reports, resolved_at__isnull=True).order_by("report_id", "-created_at")
    for report_id, reason in rows.values_list("report_id", "reason"):
        reasons.setdefault(report_id, reason)
    return reasons


# --- The home page's rounds in progress (core.registry.rounds) ---------------------------------------

# A round stays on the home page this long after its entry closed (the office chases the late ones).
ROUND_SHOWN_AFTER_CLOSE = dt.timedelta(days=90)


def reporting_rounds(user, *, now: dt.datetime | None = None) -> list[RoundProgress]:
    """The current round of each published data set, for the people who review or accept reports: how many
    of the organisations due in their scope have reported, the deadline, and how many are late.

    A round shows from its opening until ROUND_SHOWN_AFTER_CLOSE after its regular entry closed.
    """
    if not (granted_paths(user, Action.REVIEW) or granted_paths(user, Action.ACCEPT)):
        return []
    now = now or timezone.now()
    today = deadlines.today(now)
    found = []
    datasets = DataSet.objects.filter(is_active=True, versions__published_at__isnull=False).distinct().order_by("code")
    for dataset in datasets:
        specs = recent_rounds(dataset, count=1, now=now)
        if not specs:
            continue
        spec = specs[0]
        deadline = regular_deadline(dataset, spec)
        if deadline + dt.timedelta(days=1 + dataset.grace_days) + ROUND_SHOWN_AFTER_CLOSE <= today:
            continue
        period = periods.period_from_code(spec.code)  # reference data, created on first use
        rows = reports_due(dataset=dataset, period=period, user=user, now=now)
        if not rows:
            continue
        total = reports_due_total(rows)
        query = f"?dataset={dataset.code}&period={spec.code}"
        found.append(RoundProgress(
            title=_("《%(dataset)s》%(period)s") % {"dataset": dataset.name, "period": spec.label},
            stage=_("填报中") if today <= deadline else _("已过截止日期"),
            url=f"{reverse('reporting:completeness')}{query}",
            done=total.reported, expected=total.expected, done_label=_("已报送"), due=deadline,
            late=total.missing, late_url=f"{reverse('reporting:deadline_day')}{query}",
        ))  # fmt: skip
    return found
