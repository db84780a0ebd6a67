"""Excel import benchmark: a group union's bulk workbook of 5,000 subsidiaries × 60 values.

Builds a union with `--subsidiaries` enterprises in a fresh throwaway database (SQLite under
var/bench/, or PostgreSQL when DATABASE_URL is set: a new database on that server, dropped
afterwards), downloads its bulk template through the importer, fills every row with a valid
yearly workforce report (openpyxl), then times, round-robin in the same run:

- the whole import as a person does it: upload → preview (inspect, read, plan) → confirm (the file
  checked and planned again, then `services.values_import`), against reading the same data sheet
  with python-calamine alone;
- the database write alone (`apply_plan` → `values_import`: per report, permission, window, lock,
  version check, cleaning, audit), against a bulk insert of the same reports and values.

Every write runs inside a transaction that is rolled back afterwards, ours and the baseline alike,
so each run starts from the same empty reports. See bench/README.md.

    .venv/bin/python -m bench.excel_import [--subsidiaries 5000] [--reps 3]
    DATABASE_URL=postgres://user@host:port/db .venv/bin/python -m bench.excel_import
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/excel_import.py` as well as `python -m bench.excel_import`
    sys.path.insert(0, str(ROOT))

from bench.orgtree import (  # noqa: E402
    TreeBuilder,
    prepare_database,
    profile_markdown,
    profiled,
    server_version,
    timed,
)

RESULTS = ROOT / "bench" / "results"
WORK_DIR = ROOT / "var" / "bench"
NOW = dt.datetime(2022, 1, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # the 2021 round is open


class _Rollback(Exception):
    """Raised inside a measured transaction so that it is rolled back."""


def build_union(subsidiaries: int):
    """The province root, the unions' category, one union and its `subsidiaries` enterprises; its admin."""
    from django.db import transaction

    from orgs.choices import OrgKind, Role
    from orgs.models import Organisation, OrgLink
    from orgs.tests.factories import make_user

    tree = TreeBuilder(subsidiaries + 3)
    root = tree.add(None, "云南省", OrgKind.PROVINCE, code="530000", region_id="530000")
    category = tree.add(root, "省级产业系统公司", OrgKind.CATEGORY, code="CAT-UNION")
    union = tree.add(category, "云南电网", OrgKind.UNION, code="U-BENCH", ownership="central")
    for n in range(1, subsidiaries + 1):
        tree.add(union, f"下属企业{n:05d}", OrgKind.ENTERPRISE, code=f"E{n:05d}", region_id="530100", industry="D")
    with transaction.atomic():
        Organisation.objects.bulk_create(tree.rows, batch_size=2000)
        ids = dict(Organisation.objects.values_list("code", "pk"))
        links = [
            OrgLink(org_id=ids[org.code], parent_id=ids[tree.parent_of[org.code].code], valid_from=dt.date(2018, 1, 1))
            for org in tree.rows
            if tree.parent_of[org.code] is not None
        ]
        OrgLink.objects.bulk_create(links, batch_size=5000)
    union = Organisation.objects.get(code="U-BENCH")
    admin = make_user("bench_union_admin", role=Role.UNION_ADMIN, org=union)
    return union, admin


def filled_workbook(template: bytes, *, scale_of: Callable[[int], int]) -> tuple[bytes, int]:
    """The bulk template with every organisation's row filled with a valid report (all numbers × a factor)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from reporting.excel.stamp import DATA_SHEET, STAMP_SHEET
    from reporting.tests.factories import valid_values_y

    book = load_workbook(io.BytesIO(template))
    stamp: dict[str, str] = {}
    for key, value in book[STAMP_SHEET].iter_rows(values_only=True, max_col=2):
        if key:
            stamp[key] = stamp.get(key, "") + ("" if value is None else str(value))
    cells = [tuple(c.split("|", 1)) for c in json.loads(stamp["cells"])]
    values = valid_values_y()
    columns = [(get_column_letter(3 + i), values[key]) for i, key in enumerate(cells) if key in values]
    sheet = book[DATA_SHEET]
    filled = 0
    for row in range(6, sheet.max_row + 1):
        if not sheet[f"A{row}"].value:
            continue
        factor = scale_of(row)
        for letter, text in columns:
            sheet[f"{letter}{row}"] = int(text) * factor if text.isdigit() else text
        filled += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(columns)


def rolled_back(fn: Callable[[], Any]) -> Callable[[], Any]:
    """`fn` run inside a transaction that is always rolled back; returns fn's result."""
    from django.db import transaction

    def run():
        box: dict[str, Any] = {}
        try:
            with transaction.atomic():
                box["result"] = fn()
                raise _Rollback
        except _Rollback:
            pass
        return box.get("result")

    return run


def stored_cells() -> list[tuple]:
    from reporting.models import DataValue

    return sorted(
        DataValue.objects.exclude(value="").values_list(
            "report__org__code", "element__code", "option_combo__key", "value"
        )
    )


def write_results(report: dict) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"excel-import-{report['database']}"
    json_path, md_path = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path


def markdown(report: dict) -> str:
    shape = report["shape"]
    lines = [
        f"# Excel import benchmark — {report['database']} {report['server_version']}",
        "",
        f"A bulk workbook of {shape['rows']:,} subsidiaries × {shape['values_per_row']} values "
        f"({shape['values']:,} values, {shape['file_bytes'] / 1048576:.1f} MB), imported by the union's "
        f"administrator. {report['reps']} timed runs after {report['warmup']} warm-up run(s); "
        f"{report['machine']['cpus']} CPUs (load average {report['machine']['load_average'][0]} at start, "
        f"{report['machine']['load_average'][1]} at end), Python {report['python']}, Django {report['django']}, "
        f"{report['generated_at']}.",
        "",
        f"**Whole import: {report['throughput']['rows_per_second']:,.0f} rows/s "
        f"({report['throughput']['values_per_second']:,.0f} values/s)** at p50.",
        "",
        "| scenario | ours p50 | ours p95 | baseline p50 | baseline p95 | ratio p50 | ratio p95 | same answer |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for s in report["scenarios"]:
        lines.append(
            f"| {s['name']} | {s['ours']['p50_ms']:,.0f} ms | {s['ours']['p95_ms']:,.0f} ms "
            f"| {s['baseline']['p50_ms']:,.0f} ms | {s['baseline']['p95_ms']:,.0f} ms "
            f"| {s['ratio_p50']} | {s['ratio_p95']} | {'yes' if s['same_answer'] else 'NO'} |"
        )
    lines += ["", "What each row measures (ours / baseline):", ""]
    lines += [f"- **{s['name']}**: {s['description']}." for s in report["scenarios"]]
    lines += ["", "Stages of ours (p50):", ""]
    lines += [f"- {name}: {t['p50_ms']:,.0f} ms" for name, t in report["stages"].items()]
    for name, rows in report.get("profile", {}).items():
        lines += ["", *profile_markdown(f"Where one {name} spends its time (cProfile, own time)", rows)]
    lines += [
        "",
        "Build: template download {template:.1f} s, filling with openpyxl {fill:.1f} s, organisations {orgs:.1f} s, "
        "migrate {migrate:.1f} s; whole run {total:.0f} s.".format(
            **report["build_seconds"], total=report["total_seconds"]
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subsidiaries", type=int, default=5000, help="rows of the workbook (default 5000)")
    parser.add_argument("--reps", type=int, default=2, help="timed runs per measurement (default 2)")
    parser.add_argument("--warmup", type=int, default=0, help="untimed runs before timing (default 0)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database and workbook")
    args = parser.parse_args(argv)

    run_started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    cleanup = prepare_database(args.keep, "excel-import")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*deprecated.*")
    try:
        import django

        django.setup()
        from decimal import Decimal

        import python_calamine
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from core.actor import Actor
        from reporting import queries
        from reporting.choices import ValueType
        from reporting.excel import storage
        from reporting.excel.container import inspect_workbook
        from reporting.excel.importer import apply_plan, build_template, confirm_upload, preview_upload
        from reporting.excel.plan import Context, check_stamp, plan_import, value_types
        from reporting.excel.reader import open_workbook, read_data, read_stamp
        from reporting.excel.stamp import BULK, DATA_SHEET
        from reporting.models import DataSet, DataValue, Report
        from reporting.periods import period_from_code

        timezone.now = lambda: NOW.astimezone(dt.UTC)  # the 2021 round open, as in the tests' clock
        settings.REPORTING_IMPORT_DIR = WORK_DIR / "imports"
        print(f"excel import benchmark on {connection.vendor}: {args.subsidiaries:,} subsidiaries")
        build: dict[str, float] = {}
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        build["migrate"] = time.perf_counter() - started

        started = time.perf_counter()
        union, admin = build_union(args.subsidiaries)
        build["orgs"] = time.perf_counter() - started
        dataset = DataSet.objects.get(code="WF_Y")
        ctx = Context(Actor(user=admin), dataset, period_from_code("2021"), union)

        started = time.perf_counter()
        template = build_template(ctx=ctx, kind=BULK, filled=False)
        build["template"] = time.perf_counter() - started
        started = time.perf_counter()
        data, per_row = filled_workbook(template, scale_of=lambda row: 1 + row % 7)
        build["fill"] = time.perf_counter() - started
        path = WORK_DIR / "excel-import.xlsx"
        path.write_bytes(data)
        print(f"  workbook: {len(data) / 1048576:.1f} MB, {per_row} values per row")

        def calamine_read():
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            return book.get_sheet_by_name(DATA_SHEET).to_python(skip_empty_area=False)

        def ours_read():
            inspection = inspect_workbook(str(path))
            book = open_workbook(str(path))
            stamp = read_stamp(book, inspection)
            version = check_stamp(stamp, ctx)
            return read_data(book, inspection, stamp, value_types(version))

        def ours_preview():
            token = storage.new_token()
            storage.save_bytes(token, ".upload", data)
            preview = preview_upload(
                ctx=ctx, path=str(storage.path_of(token, ".upload")), token=token, filename="bench.xlsx"
            )
            assert preview.ok, [p.text() for p in preview.problems[:5]]
            return token

        def ours_import(check: bool = False):
            token = ours_preview()
            outcome = confirm_upload(ctx=ctx, token=token, meta=storage.read_meta(token))
            assert not outcome.problems, [p.text() for p in outcome.problems[:5]]
            return stored_cells() if check else outcome.cells

        # The plan the database writes are made from (checked once, outside the timing).
        parsed = ours_read()
        version = dataset.current_version()
        plan = plan_import(
            ctx=ctx,
            version=version,
            stamp_layout=BULK,
            entries=parsed.entries,
            org_rows=parsed.org_rows,
            org_names=parsed.org_names,
            problems=parsed.problems,
            sheet=DATA_SHEET,
        )
        assert plan.ok and len(plan.changed_orgs) == args.subsidiaries, [p.text() for p in plan.problems[:5]]
        layout = queries.version_layout(version)

        def ours_write(check: bool = False):
            results = apply_plan(ctx=ctx, plan=plan, source={"file": "bench.xlsx"})
            return stored_cells() if check else len(results)

        def bulk_write(check: bool = False):
            reports = Report.objects.bulk_create(
                [
                    Report(
                        org_id=o.org_id, dataset=dataset, dataset_version=version, period=ctx.period, created_by=admin
                    )
                    for o in plan.changed_orgs
                ],
                batch_size=1000,
            )
            report_of = {r.org_id: r.pk for r in reports}
            if any(pk is None for pk in report_of.values()):  # backends without RETURNING
                report_of = dict(Report.objects.filter(dataset=dataset, period=ctx.period).values_list("org_id", "pk"))
            rows = []
            for o in plan.changed_orgs:
                for c in o.changes:
                    cell = layout.cells[(c.element, c.option)]
                    kind = cell.element.value_type
                    number = (
                        Decimal(1 if c.text == "true" else 0)
                        if kind == ValueType.BOOLEAN
                        else (Decimal(c.text) if kind != ValueType.TEXT else None)
                    )
                    rows.append(
                        DataValue(
                            report_id=report_of[o.org_id],
                            element_id=cell.element.pk,
                            option_combo_id=cell.option_combo.pk,
                            value=c.text,
                            number=number,
                            changed_in=1,
                            updated_by=admin,
                        )
                    )
            DataValue.objects.bulk_create(rows, batch_size=5000)
            return stored_cells() if check else len(rows)

        answers = {
            "import": rolled_back(lambda: ours_import(check=True))(),
            "write": rolled_back(lambda: ours_write(check=True))(),
            "bulk": rolled_back(lambda: bulk_write(check=True))(),
            "calamine": calamine_read(),
        }
        expected_values = args.subsidiaries * per_row
        same_write = answers["write"] == answers["bulk"] and len(answers["write"]) == expected_values
        same_read = answers["import"] == answers["bulk"] and (
            sum(1 for row in answers["calamine"][5:] for v in row[2:] if v not in ("", None)) == expected_values
        )

        print("  timing (round-robin) …")
        whole = timed({"ours": rolled_back(ours_import), "baseline": calamine_read}, args.reps, args.warmup)
        writes = timed({"ours": rolled_back(ours_write), "baseline": rolled_back(bulk_write)}, args.reps, args.warmup)
        stages = timed(
            {"read and check the file": ours_read, "preview (read, check, plan)": ours_preview},
            args.reps,
            args.warmup,
        )
        print("  profiling one whole import and one write …")
        profile = {
            "whole import": profiled(rolled_back(ours_import)),
            "database write": profiled(rolled_back(ours_write)),
        }
        storage.purge(older_than=dt.timedelta(0), now=time.time() + 1)

        def ratio(pair: dict, q: str) -> float:
            return round(pair["ours"][f"{q}_ms"] / pair["baseline"][f"{q}_ms"], 2)

        scenarios = [
            {
                "name": "whole import vs calamine read",
                "description": "upload → preview → confirm of the whole workbook, audited and all-or-nothing / "
                "`CalamineWorkbook.from_path(...).get_sheet_by_name('填报数据').to_python()` of the same file",
                "ours": whole["ours"],
                "baseline": whole["baseline"],
                "ratio_p50": ratio(whole, "p50"),
                "ratio_p95": ratio(whole, "p95"),
                "same_answer": same_read,
            },
            {
                "name": "read and check vs calamine read",
                "description": "inspect the package (zip, XML, formulas), read the stamp and every cell, check headers "
                "and rows / the same calamine read",
                "ours": stages["read and check the file"],
                "baseline": whole["baseline"],
                "ratio_p50": round(stages["read and check the file"]["p50_ms"] / whole["baseline"]["p50_ms"], 2),
                "ratio_p95": round(stages["read and check the file"]["p95_ms"] / whole["baseline"]["p95_ms"], 2),
                "same_answer": same_read,
            },
            {
                "name": "database write vs bulk insert",
                "description": "`values_import` of the checked plan: web entry's checks (permission, window, "
                "state, version, value cleaning) per report, reports locked and opened, values, `changed_in` and "
                "audit rows written as sets / `bulk_create` of the same reports and values",
                "ours": writes["ours"],
                "baseline": writes["baseline"],
                "ratio_p50": ratio(writes, "p50"),
                "ratio_p95": ratio(writes, "p95"),
                "same_answer": same_write,
            },
        ]
        import django as django_module

        seconds = whole["ours"]["p50_ms"] / 1000
        report = {
            "benchmark": "excel-import",
            "database": connection.vendor,
            "server_version": server_version(),
            "reps": args.reps,
            "warmup": args.warmup,
            "python": platform.python_version(),
            "django": django_module.get_version(),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load_average": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
            },
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "shape": {
                "rows": args.subsidiaries,
                "values_per_row": per_row,
                "values": expected_values,
                "file_bytes": len(data),
            },
            "throughput": {
                "rows_per_second": round(args.subsidiaries / seconds, 1),
                "values_per_second": round(expected_values / seconds, 1),
            },
            "stages": stages,
            "build_seconds": {k: round(v, 2) for k, v in build.items()},
            "scenarios": scenarios,
            "profile": profile,
        }
        report["total_seconds"] = round(time.perf_counter() - run_started, 1)
        json_path, md_path = write_results(report)
        print(
            f"  {report['throughput']['rows_per_second']:,.0f} rows/s; ratios: "
            + ", ".join(f"{s['name']} {s['ratio_p50']}" for s in scenarios)
        )
        print(
            f"  results: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)} ({report['total_seconds']:.0f} s)"
        )
        if not args.keep:
            path.unlink(missing_ok=True)
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
