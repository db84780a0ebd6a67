"""The province's summaries of the reform work (推进情况统计), each over the user's scope through the door.

- adoption by reform year: how many of the provincial unions (and, separately, of the enterprises) on the
  ledger first issued their implementation plan / set up their leading group in reform year 1, 2, 3 …
  (ReformSettings.reform_year), with the running totals and those that have not yet;
- the share of tasks with a quantified target, by key task and by union (cancelled tasks left out);
- officer coverage today: ledger organisations with a current information officer, a liaison, both;
- alerts by kind over time: the alerts of each kind open at each month's end (from raised_on / cleared_on).

Each reads its rows in one query (a grouped count, or the few columns it needs) and adds them up in Python;
nothing is read per organisation. The office sees the province, a union its subtree, an enterprise itself.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core import deadlines
from ledger.choices import AlertKind, KeyTask, OfficerKind, TargetKind, TaskStatus
from ledger.models import Alert, Ledger, Officer, ReformSettings, Task
from orgs.choices import OrgKind


def _percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole × 100 to two places; None (no data) when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Adoption by reform year ------------------------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass
class AdoptionRow:
    """One reform year: how many first issued a plan / set up a group in it, and the totals so far."""

    year: int
    start: dt.date | None
    end: dt.date | None
    plans: int = 0
    groups: int = 0
    plans_total: int = 0
    groups_total: int = 0

    @property
    def label(self) -> str:
        if self.year == 0:
            return _("改革启动前")
        return _("第%(n)d年") % {"n": self.year}


@dataclass
class Adoption:
    """Adoption among the ledger organisations of one kind in scope."""

    kind: str
    orgs: int
    rows: list[AdoptionRow]
    plans_none: int
    groups_none: int

    @property
    def kind_label(self) -> str:
        return str(OrgKind(self.kind).label)

    @property
    def plans_total(self) -> int:
        return self.orgs - self.plans_none

    @property
    def groups_total(self) -> int:
        return self.orgs - self.groups_none


def adoption(ledgers, *, kind: str, today: dt.date | None = None, settings: ReformSettings | None = None) -> Adoption:
    """Plans and leading groups by the reform year they came in, for the ledgers of organisations of `kind`
    among `ledgers` (already scoped); the years run from 1 to today's reform year (or the last one seen)."""
    settings = settings or ReformSettings.current()
    today = today or deadlines.today()
    dates = list(ledgers.filter(org__kind=kind).values_list("plan_issued_on", "group_established_on"))
    plans = Counter(settings.reform_year(p) for p, _g in dates if p is not None)
    groups = Counter(settings.reform_year(g) for _p, g in dates if g is not None)
    last = max([settings.reform_year(today) or 0, *plans, *groups, 1])
    first = 0 if (plans.get(0) or groups.get(0)) else 1
    rows = []
    plans_total = groups_total = 0
    for year in range(first, last + 1):
        plans_total += plans.get(year, 0)
        groups_total += groups.get(year, 0)
        start = _add_years(settings.reform_start, year - 1) if year else None
        end = _add_years(settings.reform_start, year) - dt.timedelta(days=1) if year else None
        rows.append(AdoptionRow(year, start, end, plans.get(year, 0), groups.get(year, 0), plans_total, groups_total))
    return Adoption(
        kind,
        len(dates),
        rows,
        plans_none=sum(1 for p, _g in dates if p is None),
        groups_none=sum(1 for _p, g in dates if g is None),
    )


# --- Quantified targets -------------------------------------------------------------------------------------


@dataclass
class ShareRow:
    key: str
    label: str
    tasks: int = 0
    quantified: int = 0

    @property
    def share(self) -> Decimal | None:
        return _percent(self.quantified, self.tasks)


def _live_tasks(tasks):
    return tasks.exclude(status=TaskStatus.CANCELLED)


def quantified_by_key_task(tasks) -> list[ShareRow]:
    """Tasks (not cancelled) and those with a quantified target, by key task, and a total row (one query)."""
    counted = (
        _live_tasks(tasks)
        .order_by()
        .values("key_task")
        .annotate(n=Count("pk"), q=Count("pk", filter=~Q(target_kind=TargetKind.NONE)))
        .values_list("key_task", "n", "q")
    )
    found = {key: (n, quantified) for key, n, quantified in counted}
    rows = [ShareRow(key, str(label), *found.get(key, (0, 0))) for key, label in KeyTask.choices]
    rows.append(ShareRow("", _("合计"), sum(r.tasks for r in rows), sum(r.quantified for r in rows)))
    return rows


def _unions_of(paths: set[str]) -> dict[str, tuple[str, str]]:
    """{path: (code, name) of the nearest union at or above it} for organisation paths."""
    from orgs.models import Organisation

    steplen = Organisation.steplen
    prefixes = {path[:n] for path in paths for n in range(steplen, len(path) + 1, steplen)}
    unions = {
        path: (code, name)
        for path, code, name in Organisation.objects.filter(path__in=prefixes, kind=OrgKind.UNION).values_list(
            "path", "code", "name"
        )
    }
    found = {}
    for path in paths:
        found[path] = next(
            (unions[path[:n]] for n in range(len(path), 0, -steplen) if path[:n] in unions), ("", _("未归属产业工会"))
        )
    return found


def quantified_by_union(tasks) -> list[ShareRow]:
    """The same share by the union each task's organisation belongs to (a union's own tasks included)."""
    counted = list(
        _live_tasks(tasks)
        .order_by()
        .values("ledger__org__path")
        .annotate(n=Count("pk"), q=Count("pk", filter=~Q(target_kind=TargetKind.NONE)))
        .values_list("ledger__org__path", "n", "q")
    )
    unions = _unions_of({path for path, _n, _q in counted})
    rows: dict[str, ShareRow] = {}
    for path, n, quantified in counted:
        code, name = unions[path]
        row = rows.setdefault(code, ShareRow(code, name))
        row.tasks += n
        row.quantified += quantified
    return sorted(rows.values(), key=lambda r: (r.key == "", r.share is None, -(r.share or 0), r.label))


# --- Officers ---------------------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    kind: str
    label: str
    orgs: int = 0
    info: int = 0
    liaison: int = 0
    both: int = 0

    @property
    def info_share(self) -> Decimal | None:
        return _percent(self.info, self.orgs)

    @property
    def liaison_share(self) -> Decimal | None:
        return _percent(self.liaison, self.orgs)

    @property
    def both_share(self) -> Decimal | None:
        return _percent(self.both, self.orgs)


def officer_coverage(ledgers, *, today: dt.date | None = None) -> list[CoverageRow]:
    """Ledger organisations with a current information officer, liaison, and both on `today`: unions,
    enterprises and all (one query)."""
    today = today or deadlines.today()
    current = Officer.objects.filter(ledger=OuterRef("pk")).current(today)
    rows = {
        OrgKind.UNION: CoverageRow(OrgKind.UNION, str(OrgKind.UNION.label)),
        OrgKind.ENTERPRISE: CoverageRow(OrgKind.ENTERPRISE, str(OrgKind.ENTERPRISE.label)),
    }
    total = CoverageRow("", _("合计"))
    for kind, info, liaison in (
        ledgers.filter(listed_on__lte=today)
        .annotate(
            has_info=Exists(current.filter(kind=OfficerKind.INFO)),
            has_liaison=Exists(current.filter(kind=OfficerKind.LIAISON)),
        )
        .values_list("org__kind", "has_info", "has_liaison")
    ):
        for row in (rows.get(kind), total):
            if row is None:
                continue
            row.orgs += 1
            row.info += bool(info)
            row.liaison += bool(liaison)
            row.both += bool(info and liaison)
    return [*rows.values(), total]


# --- Alerts over time --------------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


@dataclass
class AlertSeries:
    """Open alerts of each kind at each month's end (the current month: today)."""

    months: list[dt.date]
    kinds: list[tuple[str, str, list[int]]] = field(default_factory=list)  # kind, label, count per month

    @property
    def labels(self) -> list[str]:
        return [f"{m:%Y-%m}" for m in self.months]

    @property
    def totals(self) -> list[int]:
        return [sum(counts[i] for _k, _l, counts in self.kinds) for i in range(len(self.months))]


def alerts_by_month(alerts, *, today: dt.date | None = None, months: int = 12) -> AlertSeries:
    """For each of the last `months` month ends, the alerts of `alerts` (already scoped) open then, by kind:
    raised on or before it and not cleared by it. Kinds never open in the window are left out."""
    today = today or deadlines.today()
    ends = []
    year, month = today.year, today.month
    for _i in range(months):
        ends.append(min(_month_end(year, month), today))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    ends.reverse()
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(ends))
    rows = (
        alerts.filter(raised_on__lte=today)
        .filter(Q(cleared_on__isnull=True) | Q(cleared_on__gt=ends[0]))
        .values_list("kind", "raised_on", "cleared_on")
    )
    for kind, raised, cleared in rows:
        for index, end in enumerate(ends):
            if raised <= end and (cleared is None or cleared > end):
                counts[kind][index] += 1
    series = AlertSeries(ends)
    series.kinds = [(kind, str(label), counts[kind]) for kind, label in AlertKind.choices if kind in counts]
    return series


# --- Everything for the page and the API ---------------------------------------------------------------------


@dataclass
class Summary:
    today: dt.date
    settings: ReformSettings
    unions: Adoption
    enterprises: Adoption
    by_key_task: list[ShareRow]
    by_union: list[ShareRow]
    coverage: list[CoverageRow]
    alerts: AlertSeries


def summary(user, *, today: dt.date | None = None, months: int = 12) -> Summary:
    """All the summaries over `user`'s scope (the ledgers, tasks and alerts `visible_to` the user)."""
    today = today or deadlines.today()
    settings = ReformSettings.current()
    ledgers = Ledger.objects.visible_to(user)
    tasks = Task.objects.visible_to(user)
    return Summary(
        today=today,
        settings=settings,
        unions=adoption(ledgers, kind=OrgKind.UNION, today=today, settings=settings),
        enterprises=adoption(ledgers, kind=OrgKind.ENTERPRISE, today=today, settings=settings),
        by_key_task=quantified_by_key_task(tasks),
        by_union=quantified_by_union(tasks),
        coverage=officer_coverage(ledgers, today=today),
        alerts=alerts_by_month(Alert.objects.visible_to(user), today=today, months=months),
    )
