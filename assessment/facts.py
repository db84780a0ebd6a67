"""Facts of the platform that criteria score: a registry other apps plug into.

A fact provider answers, for one year and many organisations at once, a `FactValue` per organisation:
the share of the points earned (None when the fact does not apply), a count of events (for deductions
and bonuses counted per event) and a sentence for the score card. Each organisation's fact covers its
subtree (an enterprise answers for its subsidiaries, a union for its enterprises).

The reporting facts are registered here. The reform ledger (plans issued, officers named, targets
quantified) registers its own with `register()` from its AppConfig.ready(). A framework whose criterion
names a fact that is not registered cannot be issued (assessment.services.frameworks.framework_problems
lists it, naming the criterion and the key); scoring a key that is not registered (its app removed since
the framework was issued) raises UnknownFact instead of quietly scoring "not applicable".

Figures that are counts or sums of an app's records are better registered as a source of figures
(analytics/sources.py) and scored through an indicator on it: then they roll up, compare and chart
like reporting cells too.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.scoring import FactValue
from core import deadlines
from core.errors import UserError

OrgRef = tuple[int, str]  # (organisation id, tree path)
Provider = Callable[[int, list[OrgRef]], dict[int, FactValue]]


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    counted: bool  # a count of events (deductions, bonuses) rather than a share of the points
    provider: Provider


FACTS: dict[str, Fact] = {}


def register(key: str, label, *, counted: bool = False) -> Callable[[Provider], Provider]:
    """Register a provider under `key` (decorator)."""

    def wrap(provider: Provider) -> Provider:
        FACTS[key] = Fact(key, label, counted, provider)
        return provider

    return wrap


class UnknownFact(UserError, LookupError):
    """A fact key that no app has registered."""

    def __init__(self, key: str):
        super().__init__(
            _("平台事实“%(key)s”未登记（其数据来源尚未接入或已移除），无法计分。") % {"key": key}, field="fact"
        )
        self.key = key


def unknown(keys) -> list[str]:
    """Those of `keys` that no provider is registered under, sorted."""
    return sorted({key for key in keys if key and key not in FACTS})


def fact_choices(*, counted: bool | None = None) -> list[tuple[str, str]]:
    return [(f.key, str(f.label)) for f in FACTS.values() if counted is None or f.counted == counted]


def gather(keys: set[str], year: int, orgs: list[OrgRef]) -> dict[int, dict[str, FactValue]]:
    """Every fact in `keys` for every organisation: {org id: {key: value}}; UnknownFact for a key that is
    not registered (nothing is read then)."""
    missing = unknown(keys)
    if missing:
        raise UnknownFact(missing[0])
    found: dict[int, dict[str, FactValue]] = {org_id: {} for org_id, _path in orgs}
    memo = _DUE_MEMO.set({})  # the reporting facts share one read of the year's due reports
    try:
        for key in sorted(keys):
            fact = FACTS[key]
            for org_id, value in fact.provider(year, orgs).items():
                found[org_id][key] = value
    finally:
        _DUE_MEMO.reset(memo)
    return found


# --- Reporting facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    path: str
    org_name: str
    status: str | None  # None: no report started
    on_time: bool
    returns: int


def _subtree(rows: list[_Due], keys: list[str], path: str) -> list[_Due]:
    start = bisect.bisect_left(keys, path)
    end = bisect.bisect_left(keys, path + "\uffff")
    return rows[start:end]


_DUE_MEMO: ContextVar[dict | None] = ContextVar("assessment_due_reports", default=None)


def _due_reports(year: int, dataset_code: str) -> list[_Due]:
    """`_read_due_reports`, read once per `gather()` for each year and data set."""
    memo = _DUE_MEMO.get()
    if memo is None:
        return _read_due_reports(year, dataset_code)
    if (year, dataset_code) not in memo:
        memo[(year, dataset_code)] = _read_due_reports(year, dataset_code)
    return memo[(year, dataset_code)]


def _read_due_reports(year: int, dataset_code: str) -> list[_Due]:
    """Every report due in `year` for the data set (each of its periods ending in the year), in path order."""
    from core.models import AuditEntry
    from reporting import queries
    from reporting.models import DataSet, Report

    rows: list[_Due] = []
    dataset = DataSet.objects.filter(code=dataset_code).first()
    if dataset is None:
        return rows
    today = deadlines.today()
    from reporting import periods as period_specs

    year_spec = period_specs.parse_code(str(year))
    for spec in period_specs.children_specs(year_spec, dataset.period_type):
        # Every period of the year, including those nobody has started (their Period row may not exist yet).
        period = period_specs.period_from_code(spec.code)
        if queries.regular_deadline(dataset, period) >= today:
            continue  # not due yet: nobody is late
        due = list(queries.orgs_due(dataset, period).only("pk", "path", "name"))
        reports = {
            r["org_id"]: r
            for r in Report.objects.filter(dataset=dataset, period=period).values(
                "id", "org_id", "status", "first_submitted_at"
            )
        }
        if not reports:
            # Nobody anywhere reported: the round was not run on the platform (periods are reference rows,
            # created by aggregates or a page visited), so nobody is late for it.
            continue
        # Returns are read from the workflow's history, where each step is its own event: a reviewer's
        # return ("reporting.report.return", one per step whether it names the report, a section or some
        # values) counts; the office reopening an accepted report for correction ("reporting.report.reopen",
        # which also leaves a ValueReturn with its reason) is not the enterprise's fault and does not.
        # (The return events are few: they are read whole and matched to this period's reports, rather than
        # naming thousands of report ids in one query.)
        report_ids = {str(r["id"]) for r in reports.values()}
        returned: dict[int, int] = {}
        for object_id in AuditEntry.objects.filter(
            event=RETURN_EVENT, success=True, object_type="reporting.report"
        ).values_list("object_id", flat=True):
            if object_id in report_ids:
                returned[int(object_id)] = returned.get(int(object_id), 0) + 1
        extensions = queries.deadline_extensions(dataset, period)
        for org in due:
            report = reports.get(org.pk)
            window = queries.window_for(dataset, period, org, extensions)
            submitted = report["first_submitted_at"] if report else None
            rows.append(
                _Due(
                    path=org.path,
                    org_name=org.name,
                    status=report["status"] if report else None,
                    on_time=bool(submitted and window.is_on_time(submitted)),
                    returns=returned.get(report["id"], 0) if report else 0,
                )
            )
    rows.sort(key=lambda r: r.path)
    return rows


ACCEPTED = ("accepted", "locked")
RETURN_EVENT = "reporting.report.return"  # the reviewers' return step; a reopening is "reporting.report.reopen"
YEARLY = "WF_Y"
QUARTERLY = "WF_Q"


@register("reports_on_time", gettext_lazy("年报按时报送并通过验收"))
def reports_on_time(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    """Share of the yearly workforce reports due in the subtree that were submitted on time and accepted."""
    rows = _due_reports(year, YEARLY)
    keys = [r.path for r in rows]
    found = {}
    for org_id, path in orgs:
        mine = _subtree(rows, keys, path)
        if not mine:
            found[org_id] = FactValue(None, _("%(year)d年度没有应报的年报，本项不适用。") % {"year": year})
            continue
        good = sum(1 for r in mine if r.on_time and r.status in ACCEPTED)
        share = Decimal(good) / Decimal(len(mine))
        found[org_id] = FactValue(
            share,
            _("%(year)d年度应报年报 %(due)d 份，按时报送并通过验收 %(good)d 份。")
            % {"year": year, "due": len(mine), "good": good},
        )
    return found


def _count_fact(year: int, orgs: list[OrgRef], count: Callable[[_Due], int], text: str) -> dict[int, FactValue]:
    rows = sorted(_due_reports(year, YEARLY) + _due_reports(year, QUARTERLY), key=lambda r: r.path)
    keys = [r.path for r in rows]
    found = {}
    for org_id, path in orgs:
        events = [(r, n) for r in _subtree(rows, keys, path) if (n := count(r))]
        total = sum(n for _r, n in events)
        names = "、".join(dict.fromkeys(r.org_name for r, _n in events))
        found[org_id] = FactValue(
            Decimal(1) if total else Decimal(0), text % {"n": total, "names": names or "—"}, total
        )
    return found


@register("reports_late", gettext_lazy("逾期或未报送的报表（份）"), counted=True)
def reports_late(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    """Reports of the year (yearly and quarterly) submitted after the deadline or never submitted."""
    return _count_fact(year, orgs, lambda r: 0 if r.on_time else 1, _("逾期或未报送 %(n)d 份（%(names)s）。"))


@register("reports_returned", gettext_lazy("被退回修改的次数"), counted=True)
def reports_returned(year: int, orgs: list[OrgRef]) -> dict[int, FactValue]:
    """How many times reviewers returned the year's reports in the subtree: once per return step (whole
    report, a section or some values); the office's reopenings of accepted reports are not returns."""
    return _count_fact(year, orgs, lambda r: r.returns, _("被退回 %(n)d 次（%(names)s）。"))
