"""History import benchmark: two past years of a province's 35 unions' enterprises from one office workbook.

Builds, in a fresh throwaway database (SQLite under var/bench/, or PostgreSQL when DATABASE_URL is set), a
province with 35 unions of `--per-union` enterprises each and an office administrator, writes the office's
own workbook (one row per enterprise and year, 机构代码 / 报告期 / nine figures under the office's headers),
then times, round-robin in the same run:

- the whole import as the office does it: upload → mapping (automatic) → preview → confirm (the file read and
  planned again, then services.history.history_import: each report opened, its values written and audited,
  submitted, accepted, sealed and added to the aggregates), against
- the baseline: reading the same sheet with python-calamine and bulk-inserting the same reports and values.

Every write runs in a transaction rolled back afterwards, ours and the baseline alike, so every run starts from
an empty database. The verdict is the ratio, measured in the same run; the absolute seconds are reported to
answer "in seconds" for this machine.

    .venv/bin/python -m bench.history_import [--per-union 5] [--reps 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.excel_import import rolled_back  # noqa: E402
from bench.orgtree import TreeBuilder, prepare_database, timed  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WORK_DIR = ROOT / "var" / "bench"
NOW = dt.datetime(2022, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # 2019 and 2020 are closed
HEADERS = ["机构代码", "机构名称", "报告期", "产业工人总数", "农民工男", "农民工女", "非农民工男", "非农民工女"]
HEADERS += ["职业技能培训人次", "持有技能等级证书人数"]


def build_province(unions: int, per_union: int):
    from django.db import transaction

    from orgs.choices import OrgKind, Role
    from orgs.models import Organisation, OrgLink
    from orgs.tests.factories import make_user

    tree = TreeBuilder(unions * (per_union + 1) + 3)
    root = tree.add(None, "云南省", OrgKind.PROVINCE, code="530000", region_id="530000")
    category = tree.add(root, "省级产业系统公司", OrgKind.CATEGORY, code="CAT-UNION")
    codes = []
    for u in range(1, unions + 1):
        union = tree.add(category, f"产业系统公司{u:02d}", OrgKind.UNION, code=f"U{u:02d}", ownership="state")
        for e in range(1, per_union + 1):
            code = f"E{u:02d}{e:03d}"
            tree.add(union, f"企业{u:02d}-{e:03d}", OrgKind.ENTERPRISE, code=code, region_id="530100", industry="D")
            codes.append(code)
    with transaction.atomic():
        Organisation.objects.bulk_create(tree.rows, batch_size=2000)
        ids = dict(Organisation.objects.values_list("code", "pk"))
        OrgLink.objects.bulk_create(
            [
                OrgLink(org_id=ids[o.code], parent_id=ids[tree.parent_of[o.code].code], valid_from=dt.date(2018, 1, 1))
                for o in tree.rows
                if tree.parent_of[o.code] is not None
            ],
            batch_size=5000,
        )
    root = Organisation.objects.get(code="530000")
    return root, make_user("bench_office_admin", role=Role.OFFICE_ADMIN, org=root), codes


def office_workbook(codes: list[str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("历年统计")
    sheet.append(HEADERS)
    for year in (2019, 2020):
        for n, code in enumerate(codes):
            m, f, nm, nf = 100 + n % 50, 50 + n % 20, 300 + n % 90, 150 + n % 30
            sheet.append([code, "", f"{year}年", m + f + nm + nf, m, f, nm, nf, 1000 + n, min(nm + nf, 200)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unions", type=int, default=35)
    parser.add_argument("--per-union", type=int, default=5, help="enterprises per union (default 5)")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    cleanup = prepare_database(args.keep, "history-import")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        import django

        django.setup()
        import python_calamine
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from core.actor import Actor
        from reporting import queries
        from reporting.excel import storage
        from reporting.history import flow
        from reporting.history.mapping import suggest
        from reporting.history.plan import HistoryContext
        from reporting.models import DataSet, DataValue, Report
        from reporting.periods import period_from_code

        timezone.now = lambda: NOW.astimezone(dt.UTC)
        settings.REPORTING_IMPORT_DIR = WORK_DIR / "imports"
        call_command("migrate", verbosity=0, interactive=False)
        root, office, codes = build_province(args.unions, args.per_union)
        dataset = DataSet.objects.get(code="WF_Y")
        data = office_workbook(codes)
        ctx = HistoryContext(Actor(user=office), dataset, root)
        rows = 2 * len(codes)
        print(f"history import on {connection.vendor}: {rows} rows ({args.unions} unions × {args.per_union} × 2 years)")

        def ours():
            token = storage.new_token()
            path = storage.save_bytes(token, ".upload", data)
            step = flow.upload(ctx=ctx, path=str(path), token=token, filename="历年统计.xlsx")
            meta = storage.read_meta(token)
            step = flow.preview(ctx=ctx, token=token, meta=meta, columns=flow.suggested_columns(meta), save=False)
            assert step.ok, [p.text() for p in step.problems[:3]]  # noqa: S101 - a benchmark's own sanity check
            done = flow.confirm(ctx=ctx, token=token, meta=storage.read_meta(token))
            assert done.ok and len(done.result.reports) == rows  # noqa: S101
            return len(done.result.reports)

        version = dataset.current_version()
        layout = queries.version_layout(version)
        suggested = suggest(HEADERS[3:], layout)
        cells = [
            (
                3 + i,
                layout.cells[
                    tuple(suggested[h].token.split(".", 1)) if "." in suggested[h].token else (suggested[h].token, "")
                ],
            )
            for i, h in enumerate(HEADERS[3:])
        ]
        periods = {y: period_from_code(y) for y in ("2019", "2020")}
        orgs = dict(root.__class__.objects.filter(code__in=codes).values_list("code", "pk"))

        def baseline():
            path = WORK_DIR / "history.xlsx"
            path.write_bytes(data)
            grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
            reports = [
                Report(org_id=orgs[r[0]], dataset=dataset, dataset_version=version, period=periods[r[2][:4]])
                for r in grid[1:]
            ]
            Report.objects.bulk_create(reports, batch_size=1000)
            values = [
                DataValue(report=rep, element=cell.element, option_combo=cell.option_combo, value=str(int(r[i])),
                          number=r[i])
                for rep, r in zip(reports, grid[1:], strict=True)
                for i, cell in cells
            ]  # fmt: skip
            DataValue.objects.bulk_create(values, batch_size=2000)
            return len(reports)

        started = time.perf_counter()
        rolled_back(ours)()
        first = time.perf_counter() - started
        result = timed({"ours": rolled_back(ours), "baseline": rolled_back(baseline)}, args.reps, 0)
        ratio = round(result["ours"]["p50_ms"] / result["baseline"]["p50_ms"], 1)
        report = {
            "database": connection.vendor,
            "rows": rows,
            "reports": rows,
            "first_run_s": round(first, 2),
            "timings_ms": result,
            "ratio_p50": ratio,
            "load_average": os.getloadavg()[0],
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"history-import-{connection.vendor}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(report, ensure_ascii=False, indent=2))
        storage.purge(older_than=dt.timedelta(0), now=time.time() + 1)
        return 0
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
