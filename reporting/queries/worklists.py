"""Work lists: what a person has to fill or review, which steps they may take on a report, what happened
to it, and their unread notifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from core import deadlines
from core.workflow import history
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import granted_paths
from reporting import periods
from reporting.models import DataSet, DeadlineExtension, Notification, Report
from reporting.queries.deadlines import EntryWindow, entry_window, period_lock_of, window_for
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
    from reporting.choices import ReportStatus
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
