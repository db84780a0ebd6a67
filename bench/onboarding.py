"""Onboarding benchmark: a working province from an empty database and the office's three spreadsheets.

In a fresh throwaway database (SQLite under var/bench/, or PostgreSQL when DATABASE_URL is set) holding only what
the production install leaves (migrations, the root made by `create_root`, the office's administrator), it writes
three workbooks the way an office keeps them:

- 组织机构.xlsx, in the tree import's template: a category, `--unions` unions, `--enterprises` enterprises under
  each and `--subsidiaries` subsidiaries under each enterprise (35 × 28 × 4: 4,936 rows);
- 人员.xlsx, in the people import's template: an administrator for each union and reporters for enterprises,
  `--people` accounts in all, one row each;
- 历年统计.xlsx, the office's own sheet: 机构代码 / 报告期 / nine figures for every subsidiary and both past years.

Then, as the office's administrator, each goes through the same services as its page (upload → preview →
confirm; the tree and the figures as their background jobs run them), timed stage by stage, and every row is
accounted for: each organisation under the parent its row names, each account awaiting its activation with its
role, each report accepted with its source, and the province's totals in analytics equal to the sums of the
file's columns.

The baseline, in the same run and rolled back: the same organisations, accounts and reports with their values
bulk-inserted without any check, audit or aggregate (paths numbered in memory).

    .venv/bin/python -m bench.onboarding [--unions 35] [--enterprises 28] [--subsidiaries 4] [--people 500]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import os
import platform
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
YEARS = (2019, 2020)
EFFECTIVE = dt.date(2019, 1, 1)  # the day the imported tree takes effect: before both years of figures
FIGURES = [
    "产业工人总数",
    "农民工男",
    "农民工女",
    "非农民工男",
    "非农民工女",
    "职业技能培训人次",
    "持有技能等级证书人数",
]
FIGURE_HEADERS = ["机构代码", "机构名称", "报告期", *FIGURES]


@dataclasses.dataclass
class Files:
    """The three workbooks, and what a correct import of them must leave."""

    tree: bytes
    people: bytes
    figures: bytes
    parents: dict[str, str]  # organisation code → its parent's code
    accounts: dict[str, tuple[str, str]]  # username → (organisation code, role label)
    totals: dict[int, int]  # year → the sum of 产业工人总数 over the file's rows of that year
    figure_rows: int


def _book(sheet: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def province_files(root_code: str, *, unions: int, enterprises: int, subsidiaries: int, people: int) -> Files:
    """The office's three spreadsheets for a province below `root_code` (Django must be set up)."""
    from accounts import importing
    from accounts.tests.people import HEADERS as PEOPLE_HEADERS
    from orgs.choices import OrgKind, Role
    from orgs.transfer.columns import HEADERS, SHEET

    kinds = {value: str(label) for value, label in OrgKind.choices}
    roles = {value: str(label) for value, label in Role.choices}
    parents: dict[str, str] = {"CAT-U": root_code}
    rows = [["CAT-U", "省级产业系统公司", "", kinds[OrgKind.CATEGORY], root_code, "", "", "", "", "", None, ""]]

    def add(code: str, name: str, kind: str, parent: str, region: str = "") -> None:
        parents[code] = parent
        rows.append([code, name, "", kinds[kind], parent, "", "D", region, "", "2018-01-01", None, ""])

    leaves = []
    for u in range(1, unions + 1):
        add(f"U{u:02d}", f"产业工会{u:02d}", OrgKind.UNION, "CAT-U")
        for e in range(1, enterprises + 1):
            enterprise = f"E{u:02d}{e:03d}"
            add(enterprise, f"企业{u:02d}-{e:03d}", OrgKind.ENTERPRISE, f"U{u:02d}", "530100")
            for s in range(1, subsidiaries + 1):
                add(f"{enterprise}S{s}", f"企业{u:02d}-{e:03d}分公司{s}", OrgKind.ENTERPRISE, enterprise, "530100")
                leaves.append(f"{enterprise}S{s}")
    tree = _book(SHEET, list(HEADERS), rows)

    accounts: dict[str, tuple[str, str]] = {}
    enterprises_all = [code for code, parent in parents.items() if parent.startswith("U") and code.startswith("E")]
    for u in range(1, unions + 1):
        if len(accounts) < people:
            accounts[f"union{u:02d}"] = (f"U{u:02d}", roles[Role.UNION_ADMIN])
    for n, code in enumerate(enterprises_all):
        if len(accounts) >= people:
            break
        accounts[f"rep{n:04d}"] = (code, roles[Role.REPORTER])
    people_rows = [
        [name, f"人员{i:04d}", org, role, f"139{i:08d}", ""] for i, (name, (org, role)) in enumerate(accounts.items())
    ]
    people_book = _book(importing.SHEET, PEOPLE_HEADERS, people_rows)

    figure_rows, totals = [], dict.fromkeys(YEARS, 0)
    for year in YEARS:
        for n, code in enumerate(leaves):
            m, f, nm, nf = 100 + n % 50 + year % 7, 50 + n % 20, 300 + n % 90, 150 + n % 30
            figure_rows.append([code, "", f"{year}年", m + f + nm + nf, m, f, nm, nf, 1000 + n, min(nm + nf, 200)])
            totals[year] += m + f + nm + nf
    figures = _book("历年统计", FIGURE_HEADERS, figure_rows)
    return Files(tree, people_book, figures, parents, accounts, totals, len(figure_rows))


def onboard(office, files: Files, work_dir: Path) -> dict[str, float]:
    """Import the three files as `office` (the office's administrator) through the services the pages use;
    the seconds each stage took. AssertionError names the stage and its first problems if one is refused."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts import importing
    from accounts.tests.people import XLSX_TYPE
    from core.actor import Actor
    from orgs.models import Organisation
    from orgs.transfer import services as tree_import
    from orgs.transfer import storage as tree_storage
    from reporting.excel import storage
    from reporting.history import flow
    from reporting.history.plan import HistoryContext
    from reporting.models import DataSet

    settings.ORG_IMPORT_DIR = work_dir / "org-imports"
    settings.REPORTING_IMPORT_DIR = work_dir / "imports"
    by = Actor(user=office, ip="127.0.0.1")
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    token = tree_storage.new_token()
    path = tree_storage.save_upload(token, [files.tree])
    meta, _plan = tree_import.preview(
        actor=by, path=path, token=token, filename="组织机构.xlsx", kind="xlsx", on=EFFECTIVE
    )
    assert meta["state"] == "preview", ("tree", meta.get("problems", [])[:3])  # noqa: S101
    outcome = tree_import.confirm(actor=by, token=token, meta=meta)
    assert not outcome.problems, ("tree", [p.text() for p in outcome.problems[:3]])  # noqa: S101
    seconds["tree"] = time.perf_counter() - started

    started = time.perf_counter()
    upload = SimpleUploadedFile("人员.xlsx", files.people, content_type=XLSX_TYPE)
    book = importing.read_workbook(upload)
    examined = importing.examine(by=by, book=book)
    assert not examined.problems, ("people", [p.as_dict()["text"] for p in examined.problems[:3]])  # noqa: S101
    applied = importing.apply(by=by, book=book)
    assert len(applied.issued) == len(files.accounts)  # noqa: S101
    seconds["people"] = time.perf_counter() - started

    started = time.perf_counter()
    root = Organisation.objects.get(depth=1)
    ctx = HistoryContext(by, DataSet.objects.get(code="WF_Y"), root)
    token = storage.new_token()
    path = storage.save_bytes(token, ".upload", files.figures)
    step = flow.upload(ctx=ctx, path=str(path), token=token, filename="历年统计.xlsx")
    assert step.ok, ("figures", [p.text() for p in step.problems[:3]])  # noqa: S101
    meta = storage.read_meta(token)
    step = flow.preview(ctx=ctx, token=token, meta=meta, columns=flow.suggested_columns(meta), save=False)
    assert step.ok, ("figures", [p.text() for p in step.problems[:3]])  # noqa: S101
    done = flow.confirm(ctx=ctx, token=token, meta=storage.read_meta(token))
    assert done.ok, ("figures", [p.text() for p in done.problems[:3]])  # noqa: S101
    seconds["figures"] = time.perf_counter() - started
    return seconds


def accounted(files: Files) -> dict[str, bool]:
    """Whether every row of each file is in the province as the file says."""
    from accounts.models import User
    from analytics.models import NodeAggregate
    from orgs.models import Membership, Organisation
    from reporting.choices import ReportStatus
    from reporting.models import Report, ReportSource

    paths = dict(Organisation.objects.values_list("code", "path"))
    by_path = {path: code for code, path in paths.items()}
    tree = all(by_path.get(paths.get(code, "")[:-4]) == parent for code, parent in files.parents.items())
    users = {u.username: u for u in User.objects.filter(username__in=list(files.accounts))}
    roles = {(m.user.username, m.org.code) for m in Membership.objects.select_related("user", "org")}
    people = len(users) == len(files.accounts) and all(
        users[name].awaiting_activation and (name, org) in roles for name, (org, _role) in files.accounts.items()
    )
    reports = Report.objects.filter(status=ReportStatus.ACCEPTED)
    figures = reports.count() == ReportSource.objects.count() == files.figure_rows
    root = Organisation.objects.get(depth=1)
    totals = {
        year: NodeAggregate.objects.filter(
            org=root, period__code=str(year), element__code="WF_WORKERS", option_combo__key=""
        )
        .values_list("total", flat=True)
        .first()
        for year in YEARS
    }
    analytics = all(totals[year] == Decimal(files.totals[year]) for year in YEARS)
    return {"tree": tree, "people": people, "figures": figures, "analytics": analytics}


def _baseline(files: Files, root) -> None:
    """The same rows bulk-inserted without checks, audit or aggregates."""
    import python_calamine

    from accounts.models import User
    from orgs.choices import OrgKind, Role
    from orgs.models import Membership, Organisation, OrgLink
    from reporting.models import DataSet, DataValue, Report
    from reporting.periods import period_from_code
    from reporting.queries import version_layout

    def grid(data: bytes) -> list[list]:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()

    kinds = {label: value for value, label in OrgKind.choices}
    nodes = {root.code: root}
    counts: dict[str, int] = {}
    orgs, links = [], []
    for row in grid(files.tree)[1:]:
        parent = nodes[row[4]]
        counts[parent.code] = counts.get(parent.code, 0) + 1
        org = Organisation(code=row[0], name=row[1], kind=kinds[row[3]], depth=parent.depth + 1, numchild=0)
        org.path = Organisation._get_path(parent.path, org.depth, counts[parent.code])
        parent.numchild += 1
        nodes[org.code] = org
        orgs.append(org)
        links.append((org, parent.code))
    Organisation.objects.bulk_create(orgs, batch_size=1000)
    ids = dict(Organisation.objects.values_list("code", "pk"))
    OrgLink.objects.bulk_create(
        [OrgLink(org_id=ids[o.code], parent_id=ids[nodes_parent], valid_from=EFFECTIVE) for o, nodes_parent in links],
        batch_size=2000,
    )
    people = grid(files.people)[1:]
    User.objects.bulk_create([User(username=r[0], full_name=r[1], awaiting_activation=True) for r in people])
    user_ids = dict(User.objects.values_list("username", "pk"))
    Membership.objects.bulk_create(
        [Membership(user_id=user_ids[r[0]], org_id=ids[r[2]], role=Role.REPORTER) for r in people]
    )
    dataset = DataSet.objects.get(code="WF_Y")
    version = dataset.current_version()
    layout = version_layout(version)
    cells = [layout.cells[(code, "")] for code in ("WF_WORKERS",)]
    periods = {year: period_from_code(str(year)) for year in YEARS}
    rows = grid(files.figures)[1:]
    reports = [
        Report(org_id=ids[r[0]], dataset=dataset, dataset_version=version, period=periods[int(r[2][:4])]) for r in rows
    ]
    Report.objects.bulk_create(reports, batch_size=1000)
    DataValue.objects.bulk_create(
        [
            DataValue(report=rep, element=c.element, option_combo=c.option_combo, value=str(int(r[3])), number=r[3])
            for rep, r in zip(reports, rows, strict=True)
            for c in cells
        ],
        batch_size=2000,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from bench.excel_import import rolled_back
    from bench.orgtree import prepare_database, server_version

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=35)
    parser.add_argument("--enterprises", type=int, default=28, help="enterprises per union (default 28)")
    parser.add_argument("--subsidiaries", type=int, default=4, help="subsidiaries per enterprise (default 4)")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()[0]
    cleanup = prepare_database(args.keep, "onboarding")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from core.actor import Actor
        from orgs import services
        from orgs.choices import Role
        from orgs.tests.factories import make_user

        call_command("migrate", verbosity=0, interactive=False)
        root = services.root_create(by=Actor.system("create_root"), code="530000", name="云南省")
        office = make_user("bench_office_admin", role=Role.OFFICE_ADMIN, org=root)
        files = province_files(
            root.code,
            unions=args.unions,
            enterprises=args.enterprises,
            subsidiaries=args.subsidiaries,
            people=args.people,
        )
        work = ROOT / "var" / "bench" / "onboarding"
        print(
            f"onboarding on {connection.vendor}: {len(files.parents):,} organisations, {len(files.accounts):,} "
            f"people, {files.figure_rows:,} rows of figures"
        )
        started = time.perf_counter()
        rolled_back(lambda: _baseline(files, root))()
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        seconds = onboard(office, files, work)
        total = time.perf_counter() - started
        checks = accounted(files)
        report = {
            "benchmark": "onboarding",
            "database": connection.vendor,
            "server_version": server_version(),
            "organisations": len(files.parents),
            "people": len(files.accounts),
            "figure_rows": files.figure_rows,
            "seconds": {**{k: round(v, 1) for k, v in seconds.items()}, "total": round(total, 1)},
            "baseline_seconds": round(baseline, 2),
            "ratio": round(total / baseline, 1),
            "scenarios": [scenario(total, baseline)],
            "accounted": checks,
            "load_at_start": round(load_at_start, 2),
            "load_at_end": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = f"onboarding-{connection.vendor}"
        (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        (RESULTS / f"{name}.md").write_text(markdown(report), "utf-8")
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if all(checks.values()) else 1
    finally:
        cleanup()


def scenario(total: float, baseline: float) -> dict[str, Any]:
    """The whole onboarding as a row of the README's table (one run: p50 and p95 are that run)."""
    ours, base = round(total * 1000, 1), round(baseline * 1000, 1)
    ratio = round(total / baseline, 2)
    return {
        "name": "onboarding: tree, people, two years of figures vs bulk insert",
        "ours": {"p50_ms": ours, "p95_ms": ours},
        "baseline": {"p50_ms": base, "p95_ms": base},
        "ratio_p50": ratio,
        "ratio_p95": ratio,
    }


def markdown(report: dict) -> str:
    s = report["seconds"]
    ok = "、".join(k for k, v in report["accounted"].items() if v)
    return "\n".join(
        [
            f"# Onboarding benchmark — {report['database']} {report['server_version']}",
            "",
            f"An empty database and three spreadsheets: {report['organisations']:,} organisations, "
            f"{report['people']:,} people, {report['figure_rows']:,} rows of two past years' figures. Load "
            f"{report['load_at_start']} at start, {report['load_at_end']} at end; Python {report['python']}, "
            f"{report['generated_at']}.",
            "",
            "| stage | seconds |",
            "|---|---:|",
            f"| the tree: upload, preview, confirm | {s['tree']} |",
            f"| the people: upload, check, import with activations | {s['people']} |",
            f"| the figures: upload, mapping, preview, confirm (accepted, sealed, in analytics) | {s['figures']} |",
            f"| **whole onboarding** | **{s['total']}** |",
            f"| baseline: the same rows bulk-inserted, no check, audit or aggregate | {report['baseline_seconds']} |",
            "",
            f"Ratio to the baseline: {report['ratio']}×. Every row accounted for: {ok or 'none'} "
            f"({'all' if all(report['accounted'].values()) else 'NOT all'}).",
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
