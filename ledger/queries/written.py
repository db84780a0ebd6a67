"""Reads of the nine-aspect written reports, each through the door (orgs.scoping).

- rounds are the office's calendar and readable by everyone with a view right anywhere; what a round
  shows of the organisations (reports, who has not submitted) is limited to the reader's scope;
- a report is seen by whoever sees its organisation (its own people, its union, the office);
- `submission_rows` is "who has and has not submitted": every organisation on the ledger in the reader's
  scope, with its report's state or 未开始, on time or late against the round's due date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import deadlines
from ledger.choices import WrittenStatus
from ledger.models import Ledger, WrittenReport, WrittenRound, WrittenSection
from ledger.workflow import WRITTEN_WORKFLOW, permission_for
from orgs.choices import Action
from orgs.scoping import get_visible_or_404, has_action

NOT_STARTED = "not_started"
STATUS_CHOICES = [(NOT_STARTED, _("未开始")), *WrittenStatus.choices]


def rounds_visible(user):
    """Every round, for anyone who may view data somewhere (the rounds themselves name no organisation)."""
    if not has_action(user, Action.VIEW):
        return WrittenRound.objects.none()
    return WrittenRound.objects.all()


def round_or_404(user, pk) -> WrittenRound:
    found = rounds_visible(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def reports_visible(user, action: str = Action.VIEW):
    """The written reports of the organisations in `user`'s scope, with their organisation and round."""
    return WrittenReport.objects.visible_to(user, action).select_related("org", "round")


def report_or_404(user, pk, action: str = Action.VIEW) -> WrittenReport:
    """The report if the user may see it (404 otherwise), with its sections and their attachments."""
    sections = WrittenSection.objects.order_by("aspect").prefetch_related("attachments")
    return get_visible_or_404(
        WrittenReport.objects.select_related("org", "round").prefetch_related(Prefetch("sections", sections)),
        user,
        action,
        pk=pk,
    )


def section_or_404(user, report: WrittenReport, aspect) -> WrittenSection:
    """One section of a report already fetched through the door."""
    if not str(aspect).isdigit():
        raise Http404
    found = next((s for s in report.sections.all() if s.aspect == int(aspect)), None)
    if found is None:
        raise Http404
    found.report = report
    return found


def attachment_or_404(user, report: WrittenReport, document_pk):
    """A file attached to one of the report's sections (the report fetched through the door)."""
    from ledger.models import Document

    document = get_visible_or_404(Document.objects.filter(kind="report"), user, pk=document_pk)
    for section in report.sections.all():
        if any(d.pk == document.pk for d in section.attachments.all()):
            return document, section
    raise Http404


def org_reports(user, ledger: Ledger):
    """An organisation's reports across rounds (the ledger fetched through the door), newest round first."""
    return reports_visible(user).filter(org_id=ledger.org_id).order_by("-round__period_end", "-round_id")


def steps_for(user, report: WrittenReport) -> list[str]:
    """The workflow steps `user` may take on `report` now (the buttons to show)."""
    return WRITTEN_WORKFLOW.available(report.status, permission_for(user, report.org))


def may_edit(user, report: WrittenReport) -> bool:
    """Whether `user` may change the report's text now (EDIT on the organisation, an editable state)."""
    return report.status in WRITTEN_WORKFLOW.editable and permission_for(user, report.org)(Action.EDIT)


def may_review_report(user, report: WrittenReport) -> bool:
    return permission_for(user, report.org)(Action.REVIEW)


@dataclass
class SubmissionRow:
    """One organisation on the ledger and how its report for a round stands."""

    ledger: Ledger
    union: str
    report: WrittenReport | None
    status: str
    status_label: str
    timing: str  # "on_time", "late", "overdue" (not submitted after the due date), "" (not yet due)

    @property
    def org(self):
        return self.ledger.org

    @property
    def timing_label(self) -> str:
        return str(TIMING_LABELS.get(self.timing, ""))


TIMING_LABELS = {"on_time": _("按时"), "late": _("逾期报送"), "overdue": _("逾期未报")}


def _timing(report: WrittenReport | None, due_on: dt.date, today: dt.date) -> str:
    first = report.first_submitted_at if report is not None else None
    if first is not None:
        return "on_time" if timezone.localtime(first).date() <= due_on else "late"
    return "overdue" if today > due_on else ""


def submission_rows(
    user,
    written_round: WrittenRound,
    *,
    union: str = "",
    prefecture: str = "",
    status: str = "",
    today: dt.date | None = None,
) -> tuple[list[SubmissionRow], Counter]:
    """Every ledger organisation in `user`'s scope for the round, with its report's state; and the counts
    by state and timing over all of them (before the status filter, so the counts show the whole picture)."""
    from ledger.queries import _union_names, filter_ledgers

    today = today or deadlines.today()
    ledgers = filter_ledgers(
        Ledger.objects.visible_to(user).select_related("org", "org__region"), union=union, prefecture=prefecture
    )
    ledgers = ledgers.filter(listed_on__lte=written_round.due_on).filter(
        Q(org__closed_on__isnull=True) | Q(org__closed_on__gt=written_round.period_end)
    )
    ledgers = list(ledgers.order_by("org__path"))
    reports = {
        r.org_id: r for r in reports_visible(user).filter(round=written_round, org_id__in=[x.org_id for x in ledgers])
    }
    unions = _union_names(ledgers)
    rows, counts = [], Counter()
    for ledger in ledgers:
        report = reports.get(ledger.org_id)
        state = report.status if report is not None else NOT_STARTED
        label = report.get_status_display() if report is not None else str(STATUS_CHOICES[0][1])
        timing = _timing(report, written_round.due_on, today)
        counts[state] += 1
        counts["all"] += 1
        if timing:
            counts[timing] += 1
        if report is not None and report.first_submitted_at is not None:
            counts["submitted_ever"] += 1
        if status and state != status:
            continue
        rows.append(SubmissionRow(ledger, unions.get(ledger.org_id, ""), report, state, label, timing))
    return rows, counts


def round_reports_for_export(user, written_round: WrittenRound):
    """The reports of a round the user may export: their subtree's (the office: all), sections prefetched."""
    sections = WrittenSection.objects.order_by("aspect").prefetch_related("attachments")
    return (
        WrittenReport.objects.visible_to(user, Action.EXPORT)
        .filter(round=written_round)
        .select_related("org", "round")
        .prefetch_related(Prefetch("sections", sections))
        .order_by("org__path")
    )


def history_of(report: WrittenReport) -> list:
    """The report's history: its audit rows (core.workflow.history), oldest first."""
    from core.workflow import history

    return history(report)
