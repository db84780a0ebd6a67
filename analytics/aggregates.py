"""The aggregate tables: kept current by each acceptance and reopening, rebuilt only for repair.

`report_accepted` adds a report's numeric values to its organisation and every ancestor (the tree
as it stood in the period) and to its prefecture; `report_reopened` subtracts exactly what was
added, along the lineage stored at acceptance. Both run inside the workflow step's transaction
(reporting.signals.accepted_data_changed), so a figure is current the moment the step commits and
rolls back with it. Increments are single `INSERT … ON CONFLICT DO UPDATE SET total = total + …`
statements (SQLite ≥ 3.24 and PostgreSQL), so concurrent acceptances never lose an update.

A move or closing (orgs.services.org_move / org_close, possibly dated in the past) sends
orgs.services.tree_changed inside its transaction; `tree_changed` re-places the accepted reports it
affects, so the aggregates always equal a rebuild over today's dated tree.

`rebuild()` recomputes everything from the accepted reports (management command
`analytics_rebuild`); the tests check that incremental refresh and rebuild agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from analytics.models import AcceptedDataChange, AcceptedReport, NodeAggregate, RegionAggregate, RollupEdge
from core import replica
from core.batch import at_end, shared
from reporting.choices import ReportStatus

ACCEPTED_STATUSES = (ReportStatus.ACCEPTED, ReportStatus.LOCKED)
GENERATION_KEY = "analytics:generation"
_CHUNK = 100


# --- The tree as it stood in a period ---------------------------------------------------------------


@dataclass(frozen=True)
class OrgInfo:
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    region_id: str
    closed_on: dt.date | None
    path: str
    depth: int
    numchild: int = 0

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


def prefecture_of(region_id: str | None) -> str:
    """The prefecture (州市) code of a region code; "" when none is recorded or it is the province."""
    code = region_id or ""
    if len(code) != 6 or code.endswith("0000"):
        return ""
    return code[:4] + "00"


class TreeHistory:
    """Organisations and their dated parent links, loaded once (all, or on demand), to place a
    reporting organisation in the tree of a period.

    The roll-up day of an organisation for a period is the period's last day, or the day before
    it closed when it closed during (or before the end of) the period. Each node's parent on that
    day is the link valid then; a node with no link valid that day (closed earlier, or opened
    later) keeps the last link that began before it (or else its first one), so a chain never
    breaks off below the root.
    """

    def __init__(self, *, preload: bool = False):
        self.orgs: dict[int, OrgInfo] = {}
        self.links: dict[int, list[tuple[dt.date, dt.date | None, int | None]]] = defaultdict(list)
        self.by_path: dict[str, int] = {}
        self._complete = False
        self._unlinked: set[int] = set()  # loaded, their links not yet (only placing a report needs them)
        self._memo: dict[tuple[int, dt.date], list[int]] = {}
        self.coverage_memo: dict = {}  # the organisations due per data set and period (engine/coverage.py)
        if preload:
            self._load(None)
            self._load_links(None)
            self._complete = True

    _FIELDS = ("id", "code", "name", "short_name", "kind", "region_id", "closed_on", "path", "depth", "numchild")

    def _take(self, rows) -> list[int]:
        ids = []
        for row in rows:
            info = OrgInfo(row[0], row[1], row[2], row[3], row[4], row[5] or "", row[6], row[7], row[8], row[9])
            if info.id not in self.orgs:
                self._unlinked.add(info.id)
            self.orgs[info.id] = info
            self.by_path[info.path] = info.id
            ids.append(info.id)
        return ids

    def _load(self, ids: set[int] | None) -> None:
        from orgs.models import Organisation

        orgs = Organisation.objects.order_by()
        if ids is not None:
            orgs = orgs.filter(pk__in=ids)
        self._take(orgs.values_list(*self._FIELDS))

    def _load_links(self, ids: set[int] | None) -> None:
        from orgs.models import OrgLink

        links = OrgLink.objects.order_by("org_id", "valid_from")
        if ids is not None:
            links = links.filter(org_id__in=ids)
        for org_id, valid_from, valid_to, parent_id in links.values_list(
            "org_id", "valid_from", "valid_to", "parent_id"
        ):
            self.links[org_id].append((valid_from, valid_to, parent_id))
        if ids is None:
            self._unlinked.clear()
        else:
            self._unlinked -= ids

    def load_all(self) -> None:
        """Load every organisation and link (two queries), unless done already: placing many organisations
        (a registered source's figures) then costs no further query."""
        if self._complete:
            return
        self._load(None)
        self.links.clear()
        self._load_links(None)
        self._memo.clear()
        self._complete = True

    def load_paths(self, paths) -> list[int]:
        """Load the organisations at `paths` (one query); their ids in tree order."""
        from orgs.models import Organisation

        if self._complete:
            return sorted((self.by_path[p] for p in paths if p in self.by_path), key=lambda i: self.orgs[i].path)
        rows = Organisation.objects.filter(path__in=list(paths)).order_by("path").values_list(*self._FIELDS)
        return self._take(rows)

    def find(self, org_id: int) -> OrgInfo | None:
        """The organisation `org_id`, or None when there is none."""
        if org_id not in self.orgs and not self._complete:
            self._load({org_id})
        return self.orgs.get(org_id)

    def preload(self, ids) -> None:
        """Load the organisations of `ids` not loaded yet, in one query."""
        missing = {i for i in ids if i not in self.orgs}
        if missing and not self._complete:
            self._load(missing)

    def info(self, org_id: int) -> OrgInfo:
        if org_id not in self.orgs and not self._complete:
            self._load({org_id})
        return self.orgs[org_id]

    def rollup_day(self, org_id: int, period_end: dt.date) -> dt.date:
        closed = self.info(org_id).closed_on
        if closed is not None and closed <= period_end:
            return closed - dt.timedelta(days=1)
        return period_end

    def parent_on(self, org_id: int, day: dt.date) -> int | None:
        self.info(org_id)
        if self._unlinked and org_id in self._unlinked:
            self._load_links(set(self._unlinked))  # every organisation loaded so far, in one query
        links = self.links.get(org_id) or []
        if not links:
            info = self.orgs[org_id]
            return self.by_path.get(info.path[:-4]) if info.depth > 1 else None  # no history: today's parent
        before = [link for link in links if link[0] <= day]
        for _valid_from, valid_to, parent in reversed(before):
            if valid_to is None or valid_to > day:
                return parent
        return before[-1][2] if before else links[0][2]

    def lineage(self, org_id: int, period_end: dt.date) -> list[int]:
        """Ids from the root down to `org_id`, as the tree stood on its roll-up day for the period."""
        key = (org_id, period_end)
        if key in self._memo:
            return self._memo[key]
        day = self.rollup_day(org_id, period_end)
        chain = [org_id]
        current = self.parent_on(org_id, day)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent_on(current, day)
        chain.reverse()
        self._memo[key] = chain
        return chain

    def today_lineage(self, org_id: int) -> list[int]:
        """Ids from the root down to `org_id` in today's tree (the restated view)."""
        info = self.info(org_id)
        prefixes = [info.path[:end] for end in range(4, len(info.path) + 1, 4)]
        missing = [p for p in prefixes if p not in self.by_path]
        if missing and not self._complete:
            from orgs.models import Organisation

            self._load(set(Organisation.objects.filter(path__in=missing).values_list("id", flat=True)))
        return [self.by_path[p] for p in prefixes if p in self.by_path]


def lineage_text(ids: list[int]) -> str:
    return "/" + "/".join(str(i) for i in ids) + "/"


# --- Incremental refresh ------------------------------------------------------------------------------

_NODE_UPSERT = (
    "INSERT INTO analytics_nodeaggregate "
    "(org_id, parent_id, period_id, element_id, option_combo_id, total, count, updated_at) VALUES {rows} "
    "ON CONFLICT (org_id, period_id, element_id, option_combo_id) DO UPDATE SET "
    "total = analytics_nodeaggregate.total + excluded.total, "
    "count = analytics_nodeaggregate.count + excluded.count, "
    "parent_id = excluded.parent_id, updated_at = excluded.updated_at"
)
_REGION_UPSERT = (
    "INSERT INTO analytics_regionaggregate "
    "(region, period_id, element_id, option_combo_id, total, count, updated_at) VALUES {rows} "
    "ON CONFLICT (region, period_id, element_id, option_combo_id) DO UPDATE SET "
    "total = analytics_regionaggregate.total + excluded.total, "
    "count = analytics_regionaggregate.count + excluded.count, updated_at = excluded.updated_at"
)


def _upsert(template: str, rows: list[tuple]) -> None:
    if not rows:
        return
    width = len(rows[0])
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    rows = sorted(rows, key=lambda r: tuple(str(x) for x in r[:-3]))  # one lock order: no deadlocks
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            sql = template.format(rows=", ".join([placeholder] * len(chunk)))  # placeholders only
            cursor.execute(sql, [value for row in chunk for value in row])


def _report_values(report_id: int) -> list[tuple[int, int, Decimal]]:
    from reporting.models import DataValue

    return list(
        DataValue.objects.filter(report_id=report_id, number__isnull=False)
        .order_by()
        .values_list("element_id", "option_combo_id", "number")
    )


def _apply(accepted: AcceptedReport, values: list[tuple[int, int, Decimal]], sign: int) -> None:
    now = timezone.now()
    lineage = accepted.lineage_ids
    node_rows = []
    for index, node in enumerate(lineage):
        parent = lineage[index - 1] if index else None
        for element_id, combo_id, number in values:
            node_rows.append((node, parent, accepted.period_id, element_id, combo_id, sign * number, sign, now))
    region_rows = [
        (accepted.region, accepted.period_id, element_id, combo_id, sign * number, sign, now)
        for element_id, combo_id, number in values
    ]
    pending = at_end("analytics.aggregate_deltas", _Deltas)
    if pending is not None:  # many reports in one set write: their deltas summed, written once at its end
        pending.add(node_rows, region_rows, removing=sign < 0)
        return
    _upsert(_NODE_UPSERT, node_rows)
    _upsert(_REGION_UPSERT, region_rows)
    if sign < 0:
        _drop_empty(lineage, [accepted.region], [accepted.period_id])


def _drop_empty(orgs, regions, periods) -> None:
    NodeAggregate.objects.filter(org_id__in=list(orgs), period_id__in=list(periods), count__lte=0).delete()
    RegionAggregate.objects.filter(region__in=list(regions), period_id__in=list(periods), count__lte=0).delete()


class _Deltas:
    """The aggregate changes of the reports accepted or reopened in one set write (core.batch), summed per row.

    Upserting each report's rows at once would update the province's, the category's and the union's rows once
    per report; on PostgreSQL each update of a row leaves a version the next one must step over inside the
    transaction, so an import of thousands of reports slowed down with every report (15 min for 7,840).
    """

    def __init__(self) -> None:
        self.node: dict[tuple, list] = {}
        self.region: dict[tuple, list] = {}
        self.removing = False

    def add(self, node_rows: list[tuple], region_rows: list[tuple], *, removing: bool) -> None:
        for org, parent, period, element, combo, total, count, now in node_rows:
            row = self.node.setdefault((org, period, element, combo), [parent, Decimal(0), 0, now])
            row[0], row[1], row[2], row[3] = parent, row[1] + total, row[2] + count, now
        for region, period, element, combo, total, count, now in region_rows:
            row = self.region.setdefault((region, period, element, combo), [Decimal(0), 0, now])
            row[0], row[1], row[2] = row[0] + total, row[1] + count, now
        self.removing = self.removing or removing

    def flush(self) -> None:
        _upsert(
            _NODE_UPSERT,
            [(k[0], v[0], k[1], k[2], k[3], v[1], v[2], v[3]) for k, v in self.node.items() if v[1] or v[2]],
        )
        _upsert(_REGION_UPSERT, [(*k, *v) for k, v in self.region.items() if v[0] or v[1]])
        if self.removing:
            _drop_empty({k[0] for k in self.node}, {k[0] for k in self.region}, {k[1] for k in self.node})
        self.node.clear()
        self.region.clear()


def report_accepted(report, *, history: TreeHistory | None = None) -> AcceptedReport | None:
    """Add an accepted report to the aggregates (once: a second call for the same report does nothing)."""
    if AcceptedReport.objects.filter(report_id=report.pk).exists():
        return None
    history = history or shared("analytics.tree_history", TreeHistory)  # one per import of many reports
    period = report.period
    lineage = history.lineage(report.org_id, period.end)
    accepted = AcceptedReport.objects.create(
        report_id=report.pk,
        org_id=report.org_id,
        period_id=period.pk,
        lineage=lineage_text(lineage),
        region=prefecture_of(history.info(report.org_id).region_id),
        accepted_at=report.accepted_at or timezone.now(),
    )
    RollupEdge.objects.bulk_create(
        RollupEdge(
            accepted=accepted, period_id=period.pk, node_id=node, parent_id=lineage[i - 1] if i else None, depth=i
        )
        for i, node in enumerate(lineage)
    )
    _apply(accepted, _report_values(report.pk), +1)
    _bump_generation()
    return accepted


def report_reopened(report) -> None:
    """Subtract a report that is no longer accepted, along the lineage it was added with."""
    accepted = AcceptedReport.objects.filter(report_id=report.pk).first()
    if accepted is None:
        return
    _apply(accepted, _report_values(report.pk), -1)
    accepted.delete()
    _bump_generation()


@transaction.atomic
def tree_changed(*, org, on: dt.date) -> int:
    """Re-place the accepted reports of `org`'s subtree whose roll-up day is on or after `on`, after a
    move or closing dated `on` (possibly in the past): each is subtracted along its old lineage and
    added along the new one. Returns how many reports were re-placed."""
    from orgs.models import Organisation
    from orgs.scoping import within
    from reporting.models import Report

    ids = list(Organisation.objects.filter(within("path", [org])).values_list("pk", flat=True))
    affected = list(
        AcceptedReport.objects.filter(org_id__in=ids, period__end__gte=on - dt.timedelta(days=1)).select_related(
            "period"
        )
    )
    history = TreeHistory()
    moved = 0
    for accepted in affected:
        lineage = history.lineage(accepted.org_id, accepted.period.end)
        if lineage_text(lineage) == accepted.lineage:
            continue
        report = Report.objects.select_related("period").get(pk=accepted.report_id)
        accepted_at = accepted.accepted_at
        report_reopened(report)
        report.accepted_at = accepted_at
        report_accepted(report, history=history)
        moved += 1
    return moved


def on_accepted_data_changed(sender, *, report, accepted: bool, **kwargs) -> None:
    """Receiver of reporting.signals.accepted_data_changed (inside the workflow step's transaction)."""
    if accepted:
        report_accepted(report)
    else:
        report_reopened(report)


def on_tree_changed(sender, *, org, on: dt.date, **kwargs) -> None:
    """Receiver of orgs.services.tree_changed (a move or closing, inside its transaction)."""
    tree_changed(org=org, on=on)


# --- Full rebuild (repair, benchmarks) ----------------------------------------------------------------

_NODE_REBUILD = (
    "INSERT INTO analytics_nodeaggregate "
    "(org_id, parent_id, period_id, element_id, option_combo_id, total, count, updated_at) "
    "SELECT e.node_id, MAX(e.parent_id), e.period_id, v.element_id, v.option_combo_id, SUM(v.number), COUNT(*), "
    "MAX(a.accepted_at) "
    "FROM analytics_rollupedge e "
    "JOIN analytics_acceptedreport a ON a.id = e.accepted_id "
    "JOIN reporting_datavalue v ON v.report_id = a.report_id "
    "WHERE v.number IS NOT NULL "
    "GROUP BY e.node_id, e.period_id, v.element_id, v.option_combo_id"
)
_REGION_REBUILD = (
    "INSERT INTO analytics_regionaggregate "
    "(region, period_id, element_id, option_combo_id, total, count, updated_at) "
    "SELECT a.region, a.period_id, v.element_id, v.option_combo_id, SUM(v.number), COUNT(*), MAX(a.accepted_at) "
    "FROM analytics_acceptedreport a "
    "JOIN reporting_datavalue v ON v.report_id = a.report_id "
    "WHERE v.number IS NOT NULL "
    "GROUP BY a.region, a.period_id, v.element_id, v.option_combo_id"
)


@transaction.atomic
def rebuild(*, batch: int = 5000) -> dict[str, int]:
    """Recompute every aggregate from the accepted reports; returns the row counts written."""
    from reporting.models import Report

    NodeAggregate.objects.all().delete()
    RegionAggregate.objects.all().delete()
    RollupEdge.objects.all().delete()
    AcceptedReport.objects.all().delete()
    history = TreeHistory(preload=True)
    reports = (
        Report.objects.filter(status__in=ACCEPTED_STATUSES)
        .order_by("pk")
        .values_list("pk", "org_id", "period_id", "period__end", "accepted_at")
    )
    now = timezone.now()
    pending: list[tuple[AcceptedReport, list[int]]] = []

    def flush() -> None:
        created = AcceptedReport.objects.bulk_create([item[0] for item in pending], batch_size=batch)
        edges = [
            RollupEdge(accepted_id=accepted.pk, period_id=accepted.period_id, node_id=node,
                       parent_id=lineage[i - 1] if i else None, depth=i)
            for accepted, (_a, lineage) in zip(created, pending, strict=True)
            for i, node in enumerate(lineage)
        ]  # fmt: skip
        RollupEdge.objects.bulk_create(edges, batch_size=batch)
        pending.clear()

    for report_id, org_id, period_id, period_end, accepted_at in reports.iterator(chunk_size=batch):
        lineage = history.lineage(org_id, period_end)
        accepted = AcceptedReport(
            report_id=report_id, org_id=org_id, period_id=period_id, lineage=lineage_text(lineage),
            region=prefecture_of(history.info(org_id).region_id), accepted_at=accepted_at or now,
        )  # fmt: skip
        pending.append((accepted, lineage))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    with connection.cursor() as cursor:
        cursor.execute(_NODE_REBUILD)
        cursor.execute(_REGION_REBUILD)
    _bump_generation()
    return {
        "reports": AcceptedReport.objects.count(),
        "node_rows": NodeAggregate.objects.count(),
        "region_rows": RegionAggregate.objects.count(),
    }


# --- Cache generation (dashboard tiles) ----------------------------------------------------------------


def generation() -> int:
    """A number that changes whenever accepted data changes; cached answers are keyed by it."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = int(timezone.now().timestamp() * 1000)
        cache.add(GENERATION_KEY, value, None)
        value = cache.get(GENERATION_KEY, value)
    return value


def data_version() -> str:
    """What an answer computed now is cached under: the generation, or, when reads go to a replica, the
    state of the accepted data the replica has (core/replica.py).

    The generation is bumped once the change commits on the primary, and a replica may not have replayed
    it yet: an answer computed there under the new generation would keep the old figures until the next
    change. So on a replica the key is the number of AcceptedDataChange rows the replica holds, read before
    the answer (what it then reads is at least as new): a lagging replica gives an answer under an older
    key, and the moment it catches up the key changes and the answer is computed again.
    """
    alias = replica.read_alias()
    if alias == replica.REPLICA:
        return f"r{AcceptedDataChange.objects.using(alias).count()}"
    return str(generation())


def _bump_generation() -> None:
    """Record a change of the accepted data in the caller's transaction; bump the generation once it commits."""
    AcceptedDataChange.objects.create(changed_at=timezone.now())

    def bump() -> None:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, int(timezone.now().timestamp() * 1000), None)

    transaction.on_commit(bump)
