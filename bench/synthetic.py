"""A synthetic province at realistic scale, for benchmarks: deterministic from a seed.

    .venv/bin/python -m bench.synthetic [--subsidiaries 20000] [--seed 1] [--keep]
    DATABASE_URL=postgres://user@host:port/db .venv/bin/python -m bench.synthetic

What `build()` writes into the current database (migrated, with no organisations yet):

- the tree: the province 530000, its four categories, the 16 prefecture federations (GB/T 2260 codes),
  35 group unions U01–U35 and six member departments; enterprise groups under the unions (and a few
  local ones under the prefectures, which the office reviews directly), and `subsidiaries` subsidiary
  enterprises under the groups (heavy-tailed: a few groups with hundreds, many with a handful). One
  parent link each, valid from 2017-01-01. Groups and subsidiaries are both enterprises, so both report.
- the workforce data sets' reports: WF_Y for each of `years` and WF_Q for each of their quarters, for
  every enterprise, all accepted (submitted 10 days after the period, approved after 13, accepted after
  20). The values come from reporting/demo/figures.py's generators, so they pass every validation rule: the
  parts add up (migrant + non-migrant = all, skill levels = certified, education levels = non-migrant),
  certified ≤ non-migrant, funds spent ≤ extracted, and the warnings hold too. Headcounts are
  heavy-tailed (median 200, mean about 330 workers a reporting enterprise: the province's 730万 over 22,000).

It bypasses the per-report services on purpose: playing 218,000 reports through report_open, values_save,
report_submit, report_approve and report_accept (each audited, validated and notified) would take hours.
Rows go straight into the reporting tables: PostgreSQL COPY through psycopg, SQLite executemany in large
transactions. So there are no audit rows, snapshots or notifications for these reports, and the
analytics aggregate tables are NOT refreshed: call `analytics.aggregates.rebuild()` afterwards when the
benchmark reads them.

At the default scale this is 21,860 organisations, 217,980 reports and 4.9 million values (the workforce
data set has 60 cells a year and 13 a quarter; 21,798 enterprises report 10 periods each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/synthetic.py` as well as `python -m bench.synthetic`
    sys.path.insert(0, str(ROOT))

PLACES = {
    "530100": "昆明", "530300": "曲靖", "530400": "玉溪", "530500": "保山", "530600": "昭通",
    "530700": "丽江", "530800": "普洱", "530900": "临沧", "532300": "楚雄", "532500": "红河",
    "532600": "文山", "532800": "西双版纳", "532900": "大理", "533100": "德宏", "533300": "怒江",
    "533400": "迪庆",
}  # fmt: skip
TRADES = {
    "电力": "D", "矿业": "B", "化工": "C", "建设": "E", "交通": "G", "物流": "G", "农业": "A", "茶业": "A",
    "机械": "C", "冶金": "C", "建材": "C", "通信": "I", "医药": "C", "商贸": "F",
}  # fmt: skip
GROUP_ENDINGS = ("集团有限公司", "有限公司", "股份有限公司")
SUBSIDIARY_ENDINGS = ("分公司", "子公司", "项目公司", "工程公司")
EPOCH = dt.date(2017, 1, 1)
LOCAL_SHARE = 0.12  # groups under a prefecture rather than a union
CHUNK = 100_000  # values per batch (one COPY or executemany)


@dataclass
class Summary:
    """What `build` made: counts, the ids a benchmark needs, and how long each part took (seconds)."""

    seed: int
    vendor: str
    organisations: int = 0
    groups: int = 0
    subsidiaries: int = 0
    reporting_orgs: int = 0
    reports: int = 0
    values: int = 0
    periods: list[str] = field(default_factory=list)
    province_id: int = 0
    prefecture_ids: list[int] = field(default_factory=list)
    union_ids: list[int] = field(default_factory=list)
    largest_union_id: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


@dataclass
class _Org:
    """An organisation before insert (a lighter stand-in than the model for 20,000 rows)."""

    code: str
    name: str
    kind: str
    parent: _Org | None
    region: str = ""
    industry: str = ""
    ownership: str = ""
    path: str = ""
    depth: int = 0
    numchild: int = 0
    pk: int = 0


class _Tree:
    """Organisations in insertion order, with treebeard's materialised paths (steplen 4, base 36)."""

    def __init__(self) -> None:
        from orgs.models import Organisation

        self.get_path = Organisation._get_path
        self.rows: list[_Org] = []
        self.steps: dict[str, int] = {}

    def add(self, parent: _Org | None, code: str, name: str, kind: str, **fields: str) -> _Org:
        parent_path = parent.path if parent else ""
        step = self.steps.get(parent_path, 0) + 1
        self.steps[parent_path] = step
        depth = parent.depth + 1 if parent else 1
        org = _Org(code, name, kind, parent, path=self.get_path(parent_path, depth, step), depth=depth, **fields)
        if parent is not None:
            parent.numchild += 1
        self.rows.append(org)
        return org


def _shape(rng: random.Random, subsidiaries: int) -> list[int]:
    """Subsidiaries per group: heavy-tailed (Pareto), adding up to `subsidiaries`."""
    sizes: list[int] = []
    left = subsidiaries
    while left > 0:
        size = min(left, max(1, int(rng.paretovariate(1.2) * 3)), 400)
        sizes.append(size)
        left -= size
    return sizes


def _make_tree(rng: random.Random, subsidiaries: int) -> tuple[_Tree, list[_Org], list[_Org], list[_Org]]:
    from orgs.choices import OrgKind

    tree = _Tree()
    province = tree.add(None, "530000", "云南省", OrgKind.PROVINCE, region="530000")
    cat_pref = tree.add(province, "CAT-PREF", "州市", OrgKind.CATEGORY, region="530000")
    cat_union = tree.add(province, "CAT-UNION", "省级产业系统公司", OrgKind.CATEGORY, region="530000")
    cat_dept = tree.add(province, "CAT-DEPT", "领导小组成员单位", OrgKind.CATEGORY, region="530000")
    tree.add(province, "OFFICE", "省总工会产改办", OrgKind.OFFICE, region="530000")
    prefectures = [
        tree.add(cat_pref, code, f"{place}总工会", OrgKind.PREFECTURE, region=code) for code, place in PLACES.items()
    ]
    unions = [
        tree.add(
            cat_union, f"U{i:02d}", f"产业系统公司工会{i:02d}", OrgKind.UNION, region="530100",
            ownership=rng.choice(("central", "provincial")),
        )
        for i in range(1, 36)
    ]  # fmt: skip
    for i in range(1, 7):
        tree.add(cat_dept, f"D{i:02d}", f"成员单位{i:02d}", OrgKind.DEPARTMENT, region="530000")
    union_weights = [min(rng.paretovariate(1.1), 25.0) for _ in unions]
    trades = list(TRADES)
    groups: list[_Org] = []
    for g, size in enumerate(_shape(rng, subsidiaries), start=1):
        region = rng.choice(list(PLACES))
        trade = rng.choice(trades)
        local = rng.random() < LOCAL_SHARE
        owner = next(p for p in prefectures if p.code == region) if local else rng.choices(unions, union_weights)[0]
        stem = f"{PLACES[region]}{trade}{g:04d}"
        group = tree.add(
            owner, f"G{g:05d}", f"{stem}{rng.choice(GROUP_ENDINGS)}", OrgKind.ENTERPRISE, region=region,
            industry=TRADES[trade], ownership=owner.ownership or rng.choice(("prefectural", "private", "collective")),
        )  # fmt: skip
        groups.append(group)
        for s in range(1, size + 1):
            sub_region = region if rng.random() < 0.6 else rng.choice(list(PLACES))
            tree.add(
                group, f"S{g:05d}{s:03d}", f"{stem}{PLACES[sub_region]}{s}号{rng.choice(SUBSIDIARY_ENDINGS)}",
                OrgKind.ENTERPRISE, region=sub_region, industry=group.industry, ownership=group.ownership,
            )  # fmt: skip
    return tree, prefectures, unions, groups


def _insert_tree(tree: _Tree) -> None:
    from orgs.models import Organisation, OrgLink
    from orgs.pinyin import initials

    cache: dict[str, str] = {}
    models = []
    for org in tree.rows:
        key = org.name.rstrip("0123456789号分子项目工程公司有限集团股份")
        if key not in cache:
            cache[key] = initials(key)
        models.append(
            Organisation(
                code=org.code, name=org.name, pinyin_initials=cache[key][:50], kind=org.kind, path=org.path,
                depth=org.depth, numchild=org.numchild, region_id=org.region or None, industry=org.industry,
                ownership=org.ownership, opened_on=EPOCH, is_sample=True,
            )
        )  # fmt: skip
    Organisation.objects.bulk_create(models, batch_size=5000)
    ids = dict(Organisation.objects.values_list("code", "id"))
    for org in tree.rows:
        org.pk = ids[org.code]
    OrgLink.objects.bulk_create(
        (OrgLink(org_id=o.pk, parent_id=o.parent.pk if o.parent else None, valid_from=EPOCH) for o in tree.rows),
        batch_size=5000,
    )


# --- Values ------------------------------------------------------------------------------------------------


def _headcounts(rng: random.Random, org: _Org):
    """Heavy-tailed headcounts with the sector's shares (reporting/demo/figures.py's SECTORS)."""
    from reporting.demo import DEFAULT_SECTOR, SECTORS, Headcounts

    sector = SECTORS.get(org.industry, DEFAULT_SECTOR)
    workers = max(20, min(60_000, int(rng.lognormvariate(5.3, 1.0))))
    migrant = min(0.95, (1 - sector.nonmigrant) * rng.uniform(0.8, 1.2))
    nonmigrant = max(1, min(int(workers * 0.98), round(workers * (1 - migrant))))
    certified = min(int(nonmigrant * 0.6), round(nonmigrant * sector.certified * rng.uniform(0.6, 1.4)))
    college = min(int(nonmigrant * 0.95), round(nonmigrant * sector.college * rng.uniform(0.7, 1.3)))
    return Headcounts(workers, nonmigrant, certified, college)


class _Cells:
    """Element and option-combo ids of a data set version, and the canonical text and number of a value."""

    def __init__(self, version) -> None:
        from reporting.models import CategoryOptionCombo, SectionElement

        self.ids: dict[tuple[str, str], tuple[int, int, str]] = {}
        elements = list(SectionElement.objects.filter(dataset_version=version).select_related("element"))
        combos = CategoryOptionCombo.objects.filter(combo_id__in={se.category_combo_id for se in elements})
        for se in elements:
            for coc in combos:
                if coc.combo_id == se.category_combo_id:
                    self.ids[(se.element.code, coc.key)] = (se.element_id, coc.pk, se.element.value_type)

    def rows(
        self, report_id: int, values: dict[tuple[str, str], str], stamp: dt.datetime, vendor: str
    ) -> Iterator[tuple]:
        for key, raw in values.items():
            element_id, combo_id, value_type = self.ids[key]
            if value_type == "boolean":
                text, number = ("true", 1) if raw == "是" else ("false", 0)
            elif value_type == "text":
                text, number = raw, None
            else:
                text, number = raw, int(raw)
            if vendor == "postgresql" and number is not None:
                number = Decimal(number)
            yield (report_id, element_id, combo_id, text, number, "", 4, None, stamp)


VALUE_COLUMNS = ("report_id", "element_id", "option_combo_id", "value", "number", "comment", "changed_in",
                 "updated_by_id", "updated_at")  # fmt: skip
REPORT_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "version",
    "org_id",
    "dataset_id",
    "dataset_version_id",
    "period_id",
    "status",
    "created_by_id",
    "first_submitted_at",
    "submitted_at",
    "submitted_by_id",
    "on_behalf_of",
    "approved_at",
    "approved_by_id",
    "accepted_at",
    "accepted_by_id",
    "locked_at",
    "seal",  # synthetic accepted reports are left unsealed (verify_integrity --seal-missing seals them)
    "seal_key_id",
    "sealed_at",
)


class _Writer:
    """Rows for one table, written in large batches: COPY on PostgreSQL, executemany on SQLite.

    One connection runs one COPY at a time, so batches are buffered and flushed whole (reports
    before their values: the foreign key needs them).
    """

    def __init__(self, table: str, columns: Iterable[str]) -> None:
        from django.db import connection

        self.connection = connection
        self.table, self.columns = table, tuple(columns)
        self.count = 0
        self.pending: list[tuple] = []

    def write(self, row: tuple) -> None:
        self.count += 1
        self.pending.append(row)

    def flush(self) -> None:
        if not self.pending:
            return
        self.connection.ensure_connection()
        raw = self.connection.connection
        names = ", ".join(self.columns)
        if self.connection.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:  # noqa: S608
                for row in self.pending:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            raw.executemany(f"INSERT INTO {self.table} ({names}) VALUES ({marks})", self.pending)  # noqa: S608
        self.pending = []


def _timestamps(period, vendor: str) -> tuple:
    from reporting.queries import REPORTING_TZ

    base = dt.datetime.combine(period.end, dt.time(10), tzinfo=REPORTING_TZ).astimezone(dt.UTC)
    submitted, approved, accepted = (base + dt.timedelta(days=d) for d in (10, 13, 20))
    if vendor == "sqlite":  # Django stores aware times in SQLite as naive UTC text
        return tuple(t.replace(tzinfo=None).isoformat(" ") for t in (base, submitted, approved, accepted))
    return base, submitted, approved, accepted


def _skip_foreign_key_checks(connection) -> bool:
    """On PostgreSQL, skip the foreign-key triggers for this transaction when the role may (as pg_restore
    --disable-triggers does): the rows are consistent by construction, and checking 5 million deferred
    references at commit takes longer than writing them. Without the privilege the checks simply run."""
    if connection.vendor != "postgresql":
        return False
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def build(*, seed: int = 1, subsidiaries: int = 20000, years: Iterable[int] = (2020, 2021)) -> Summary:
    """Write the synthetic province into the current database (see the module docstring); deterministic by seed.

    Raises RuntimeError when the database already has organisations or lacks the workforce data sets.
    """
    from django.db import connection, transaction

    from orgs.choices import OrgKind
    from orgs.models import Organisation
    from reporting import periods
    from reporting.choices import ReportStatus
    from reporting.demo import DEFAULT_SECTOR, SECTORS, Enterprise, quarterly_values, yearly_values
    from reporting.models import DataSet, Report

    vendor = connection.vendor
    summary = Summary(seed=seed, vendor=vendor)
    if Organisation.objects.exists():
        raise RuntimeError("the synthetic province needs a database without organisations")
    datasets = {d.code: d for d in DataSet.objects.filter(code__in=["WF_Y", "WF_Q"])}
    if len(datasets) != 2:
        raise RuntimeError("the workforce data sets WF_Y and WF_Q are missing: run migrate first")
    versions = {code: d.current_version() for code, d in datasets.items()}
    years = tuple(years)

    started = time.perf_counter()
    rng = random.Random(seed)
    tree, prefectures, unions, groups = _make_tree(rng, subsidiaries)
    summary.timings["generate tree"] = time.perf_counter() - started

    with transaction.atomic():
        started = time.perf_counter()
        _skip_foreign_key_checks(connection)
        _insert_tree(tree)
        summary.timings["insert tree"] = time.perf_counter() - started

        started = time.perf_counter()
        cells = {code: _Cells(v) for code, v in versions.items()}
        specs = []
        for year in years:
            specs.append(periods.spec_for("year", year))
            specs.extend(periods.spec_for("quarter", year, q) for q in range(1, 5))
        period_rows = {spec.code: periods.period_from_code(spec.code) for spec in specs}
        summary.periods = [spec.code for spec in specs]
        reporting = [o for o in tree.rows if o.kind == OrgKind.ENTERPRISE]
        next_id = (Report.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        reports = _Writer("reporting_report", REPORT_COLUMNS)
        values = _Writer("reporting_datavalue", VALUE_COLUMNS)
        for org in reporting:
            org_rng = random.Random(f"{seed}:{org.code}")
            counts = _headcounts(org_rng, org)
            enterprise = Enterprise(org, None, SECTORS.get(org.industry, DEFAULT_SECTOR), weak=org_rng.random() < 0.03)
            for year in years:
                yearly = yearly_values(enterprise, counts, year, salt=seed)
                for spec in (s for s in specs if s.start.year == year):
                    code = "WF_Y" if spec.period_type == "year" else "WF_Q"
                    cell_values = (
                        yearly
                        if code == "WF_Y"
                        else quarterly_values(enterprise, yearly, spec, base_year=year, salt=seed)
                    )
                    period = period_rows[spec.code]
                    created, submitted, approved, accepted = _timestamps(period, vendor)
                    reports.write((
                        next_id, created, accepted, 4, org.pk, datasets[code].pk, versions[code].pk, period.pk,
                        ReportStatus.ACCEPTED, None, submitted, submitted, None, False, approved, None, accepted,
                        None, None, "", "", None,
                    ))  # fmt: skip
                    for row in cells[code].rows(next_id, cell_values, accepted, vendor):
                        values.write(row)
                    next_id += 1
                # The next year grows a little; one factor for all four keeps the parts within their totals.
                growth = org_rng.uniform(1.0, 1.04)
                counts = type(counts)(*(round(x * growth) for x in vars(counts).values()))
            if len(values.pending) >= CHUNK:
                reports.flush()
                values.flush()
        reports.flush()
        values.flush()
        summary.timings["generate and write reports"] = time.perf_counter() - started

        started = time.perf_counter()
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('reporting_report', 'id'), "
                    "(SELECT MAX(id) FROM reporting_report))"
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    summary.timings["analyze"] = time.perf_counter() - started

    summary.organisations = len(tree.rows)
    summary.groups = len(groups)
    summary.subsidiaries = len(reporting) - len(groups)
    summary.reporting_orgs = len(reporting)
    summary.reports, summary.values = reports.count, values.count
    summary.province_id = tree.rows[0].pk
    summary.prefecture_ids = [p.pk for p in prefectures]
    summary.union_ids = [u.pk for u in unions]
    sizes = {u.pk: 0 for u in unions}
    for group in groups:
        if group.parent in unions:
            sizes[group.parent.pk] += group.numchild + 1
    summary.largest_union_id = max(sizes, key=sizes.get)
    return summary


# --- Command line -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the synthetic province in a throwaway database and time it.")
    parser.add_argument("--subsidiaries", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, nargs="+", default=[2020, 2021])
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database for inspection")
    args = parser.parse_args(argv)

    from bench.orgtree import prepare_database

    cleanup = prepare_database(args.keep)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter() - started
        summary = build(seed=args.seed, subsidiaries=args.subsidiaries, years=args.years)
        print(f"database: {summary.vendor} (migrate {migrated:.1f} s, not counted)")
        print(
            f"built {summary.organisations:,} organisations ({summary.groups:,} groups, "
            f"{summary.subsidiaries:,} subsidiaries), {summary.reports:,} reports, {summary.values:,} values "
            f"over {len(summary.periods)} periods in {summary.seconds:.1f} s"
        )
        for name, seconds in summary.timings.items():
            print(f"  {name}: {seconds:.1f} s")
        rate = summary.values / max(summary.timings.get("generate and write reports", 0.0), 1e-9)
        print(f"  {rate:,.0f} values/s generated and written")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
