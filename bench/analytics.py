"""Analytics benchmark: the synthetic province (bench/synthetic.py), answers through the API against hand-written SQL.

Builds the province in a throwaway database (SQLite under var/bench/, or a new PostgreSQL database on the
server of DATABASE_URL, dropped afterwards), fills the aggregate tables with one full rebuild, then times,
round-robin in the same run:

- a province indicator (农民工占比, a rate over the quarterly data set) by prefecture by quarter, 8 quarters,
  through GET /api/v1/analytics/query/ — against the best hand-written SQL over the raw values;
- the drill-down into the largest group union (持证率 by child enterprise, 2021) through the API — against
  hand-written SQL over the raw values of the union's subtree;
- the refresh after one report is accepted (incremental: subtract + add one report's values along its
  lineage) — against the full rebuild;
- the dashboard's server time (engine.dashboard_tiles), cold (cache emptied) and warm.

    .venv/bin/python -m bench.analytics [--subsidiaries 20000] [--seed 1] [--reps 20]
    DATABASE_URL=postgres://user@host:port/db .venv/bin/python -m bench.analytics

With --reuse the database is not thrown away: DATABASE_URL's own database (which must exist) or
var/bench/analytics.sqlite3 is used as it is, the province is built into it only when it is empty, and
its build summary is kept next to it (var/bench/analytics-<vendor>-summary.json), so the timed
scenarios can be run again without rebuilding millions of values.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.orgtree import (  # noqa: E402
    compare,
    prepare_database,
    profile_markdown,
    profiled,
    server_version,
    sql_rows,
    timed,
)

RESULTS = ROOT / "bench" / "results"
QUARTERS = ("2020Q1", "2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2", "2021Q3", "2021Q4")


def q2(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ids(sql: str, params: list) -> list[int]:
    return [row[0] for row in sql_rows(sql, params)]


def setup_user():
    from accounts.models import User
    from orgs.choices import Role
    from orgs.models import Membership, Organisation

    user = User.objects.filter(username="bench_office").first()
    if user is None:
        user = User.objects.create_user(username="bench_office", password=None, must_change_password=False)
    Membership.objects.get_or_create(user=user, org=Organisation.objects.get(code="OFFICE"), role=Role.OFFICE_ADMIN)
    return user


def api_get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def province_by_prefecture(client, user, reps: int, warmup: int) -> dict:
    from reporting.models import CategoryOptionCombo, DataElement

    element = DataElement.objects.get(code="WF_WORKERS_GROUP")
    migrant = list(
        CategoryOptionCombo.objects.filter(combo_id=element.category_combo_id, key__startswith="MIGRANT.").values_list(
            "pk", flat=True
        )
    )
    url = "/api/v1/analytics/query/?measure=indicator:MIGRANT_SHARE&level=prefecture&periods=" + ",".join(QUARTERS)

    def ours():
        body = api_get(client, url)
        return sorted((r["group"].removeprefix("region:"), r["period"], str(q2(r["value"]))) for r in body["rows"])

    placeholders = ", ".join(["%s"] * len(QUARTERS))
    migrant_in = ", ".join(["%s"] * len(migrant))
    query = (
        "SELECT CASE WHEN o.region_id IS NULL OR o.region_id LIKE '%%0000' THEN '' "
        "ELSE SUBSTR(o.region_id, 1, 4) || '00' END AS prefecture, p.code, "
        f"SUM(CASE WHEN v.option_combo_id IN ({migrant_in}) THEN v.number ELSE 0 END), SUM(v.number) "
        "FROM reporting_datavalue v JOIN reporting_report r ON r.id = v.report_id "
        "JOIN reporting_period p ON p.id = r.period_id JOIN orgs_organisation o ON o.id = r.org_id "
        f"WHERE v.element_id = %s AND r.status IN ('accepted', 'locked') AND p.code IN ({placeholders}) "
        "AND v.number IS NOT NULL GROUP BY 1, 2"
    )
    params = [*migrant, element.pk, *QUARTERS]

    def baseline():
        return sorted(
            (pref, code, str(q2(Decimal(num) / Decimal(den) * 100) if den else None))
            for pref, code, num, den in sql_rows(query, params)
        )

    agg_query = (
        "SELECT a.region, p.code, "
        f"SUM(CASE WHEN a.option_combo_id IN ({migrant_in}) THEN a.total ELSE 0 END), SUM(a.total) "
        "FROM analytics_regionaggregate a JOIN reporting_period p ON p.id = a.period_id "
        f"WHERE a.element_id = %s AND p.code IN ({placeholders}) GROUP BY 1, 2"
    )

    def sql_on_aggregates():
        return sorted(
            (pref, code, str(q2(Decimal(num) / Decimal(den) * 100) if den else None))
            for pref, code, num, den in sql_rows(agg_query, params)
        )

    from analytics import engine
    from analytics.choices import Level
    from analytics.engine.scope import Scope

    scope = Scope.for_user(user)
    asked = engine.Query(measure="indicator:MIGRANT_SHARE", org=None, level=Level.PREFECTURE, periods=tuple(QUARTERS))

    def engine_alone():
        rows = engine.answer(scope, asked).rows
        return sorted((r.group.removeprefix("region:"), r.period, str(q2(r.value))) for r in rows)

    result = compare(
        "province by prefecture by quarter",
        "农民工占比 for the whole province, 16 prefectures × 8 quarters, GET /api/v1/analytics/query/ (aggregate "
        "tables, full HTTP stack) / one hand-written GROUP BY over the same aggregate table",
        ours, sql_on_aggregates, reps, warmup,
        extra={"the engine alone (engine.answer, no HTTP)": engine_alone,
               "one GROUP BY over the raw accepted values": baseline},
    )  # fmt: skip
    result["profile"] = profiled(lambda: [ours() for _ in range(50)])
    return result


def union_drill_down(client, union_id: int, reps: int, warmup: int) -> dict:
    from orgs.models import Organisation
    from reporting.models import CategoryOptionCombo, DataElement

    union = Organisation.objects.get(pk=union_id)
    certified = DataElement.objects.get(code="WF_CERTIFIED")
    group = DataElement.objects.get(code="WF_WORKERS_GROUP")
    nonmigrant = list(
        CategoryOptionCombo.objects.filter(combo_id=group.category_combo_id, key__startswith="NONMIGRANT.").values_list(
            "pk", flat=True
        )
    )
    url = f"/api/v1/analytics/query/?measure=indicator:CERT_RATE&level=children&periods=2021&root={union.code}"

    def ours():
        body = api_get(client, url)
        return sorted((r["org_code"], str(q2(r["value"]))) for r in body["rows"])

    depth = len(union.path) + 4
    nm_in = ", ".join(["%s"] * len(nonmigrant))
    query = (
        f"SELECT c.code, SUM(CASE WHEN v.element_id = %s THEN v.number ELSE 0 END), "
        f"SUM(CASE WHEN v.element_id = %s AND v.option_combo_id IN ({nm_in}) THEN v.number ELSE 0 END) "
        "FROM reporting_datavalue v JOIN reporting_report r ON r.id = v.report_id "
        "JOIN reporting_period p ON p.id = r.period_id JOIN orgs_organisation o ON o.id = r.org_id "
        f"JOIN orgs_organisation c ON c.path = SUBSTR(o.path, 1, {depth}) "
        "WHERE o.path LIKE %s AND o.path <> %s AND p.code = '2021' AND r.status IN ('accepted', 'locked') "
        "AND v.element_id IN (%s, %s) GROUP BY c.code"
    )
    params = [certified.pk, group.pk, *nonmigrant, union.path + "%", union.path, certified.pk, group.pk]

    def baseline():
        return sorted(
            (code, str(q2(Decimal(num) / Decimal(den) * 100) if den else None))
            for code, num, den in sql_rows(query, params)
        )

    return compare(
        "drill-down into the largest group union",
        f"持证率 2021 by child enterprise of {union.code} (the largest union), GET /api/v1/analytics/query/ "
        "level=children / one GROUP BY over the raw values of the union's subtree",
        ours, baseline, reps, warmup,
    )  # fmt: skip


def refresh(reps: int) -> dict:
    from django.db import transaction

    from analytics import aggregates
    from analytics.models import AcceptedReport
    from reporting.models import Report

    accepted = AcceptedReport.objects.filter(period__code="2021").order_by("-lineage").first()
    report = Report.objects.select_related("period").get(pk=accepted.report_id)

    def incremental():
        with transaction.atomic():
            aggregates.report_reopened(report)
            aggregates.report_accepted(report)

    timings = timed({"incremental": incremental}, reps, 2)
    started = time.perf_counter()
    counts = aggregates.rebuild()
    rebuild_seconds = time.perf_counter() - started
    result = {
        "name": "refresh after one report is accepted",
        "description": "subtract + add one yearly report (84 cells) along its lineage and prefecture, in one "
        "transaction / the full rebuild of every aggregate (timed once)",
        "same_answer": True,
        "ours": timings["incremental"],
        "baseline": {"p50_ms": round(rebuild_seconds * 1000, 1), "p95_ms": round(rebuild_seconds * 1000, 1), "n": 1},
        "rebuild_rows": counts,
    }
    result["ratio_p50"] = round(result["ours"]["p50_ms"] / result["baseline"]["p50_ms"], 5)
    result["ratio_p95"] = round(result["ours"]["p95_ms"] / result["baseline"]["p95_ms"], 5)
    print(f"  refresh: incremental {result['ours']['p50_ms']:.2f} ms, rebuild {rebuild_seconds:.1f} s")
    return result


def dashboard(user, reps: int) -> dict:
    from django.core.cache import cache

    from analytics import engine
    from orgs.scoping import clear_scope_cache

    def cold():
        cache.clear()
        clear_scope_cache(user)
        return engine.dashboard_tiles(engine.Scope.for_user(user))

    def warm():
        return engine.dashboard_tiles(engine.Scope.for_user(user))

    warm()
    timings = timed({"cold": cold, "warm": warm}, max(3, reps // 4), 1)
    result = {
        "name": "dashboard (server time)",
        "description": "engine.dashboard_tiles for the office: key indicators × (5-year trend + weakest ten "
        "enterprises) + completeness of the yearly round; cold (cache emptied) / warm (cached per user)",
        "same_answer": True,
        "ours": timings["cold"],
        "baseline": timings["warm"],
    }
    result["ratio_p50"] = result["ratio_p95"] = None  # a server time, not a comparison: warm is for reference
    print(f"  dashboard: cold {result['ours']['p50_ms']:.1f} ms, warm {result['baseline']['p50_ms']:.3f} ms")
    return result


def markdown(report: dict) -> str:
    shape = report["shape"]
    lines = [
        f"# Analytics benchmark — {report['database']} {report['server_version']}",
        "",
        f"Synthetic province (seed {report['seed']}): {shape['organisations']:,} organisations, {shape['reports']:,} "
        f"accepted reports, {shape['values']:,} values over {shape['periods']} periods; aggregate rows "
        f"{shape['node_rows']:,} (organisations) + {shape['region_rows']:,} (prefectures). "
        f"{report['reps']} timed runs, round-robin; {report['machine']['cpus']} CPUs, "
        f"Python {report['python']}, Django {report['django']}, "
        f"{report['generated_at']}.",
        "",
        "| scenario | ours p50 | ours p95 | baseline p50 | baseline p95 | ratio p50 | ratio p95 | same answer |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for s in report["scenarios"]:
        lines.append(
            f"| {s['name']} | {s['ours']['p50_ms']:.2f} ms | {s['ours']['p95_ms']:.2f} ms "
            f"| {s['baseline']['p50_ms']:.2f} ms | {s['baseline']['p95_ms']:.2f} ms "
            f"| {s['ratio_p50'] if s['ratio_p50'] is not None else '—'} "
            f"| {s['ratio_p95'] if s['ratio_p95'] is not None else '—'} | {'yes' if s['same_answer'] else 'NO'} |"
        )
    lines += ["", "What each row measures (ours / baseline):", ""]
    lines += [f"- **{s['name']}**: {s['description']}." for s in report["scenarios"]]
    extras = [(s["name"], label, t) for s in report["scenarios"] for label, t in s.get("extra", {}).items()]
    if extras:
        lines += ["", "Reference variants (same answer, timed the same way):", ""]
        lines += [
            f"- {name} — {label}: p50 {t['p50_ms']:.2f} ms, p95 {t['p95_ms']:.2f} ms"
            + ("" if t["same_answer"] else " (**answer differs**)")
            for name, label, t in extras
        ]
    for s in report["scenarios"]:
        if s.get("profile"):
            title = f"Where {s['name']} spends its time (50 requests under cProfile, own time)"
            lines += ["", *profile_markdown(title, s["profile"])]
    lines += ["", "Build: " + ", ".join(f"{k} {v:.1f} s" for k, v in report["build_seconds"].items())]
    if report.get("reused"):
        lines += ["(database built by an earlier run with the same seed and reused for the timed scenarios)"]
    lines += [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subsidiaries", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="use (and keep) the database; build only when empty")
    parser.add_argument("--build-only", action="store_true", help="with --reuse: build the province and stop")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    os.environ["CHANGAI_API_RATE"] = "1000000/min"  # the benchmark's own client is not rate-limited
    os.environ["CHANGAI_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"  # the in-process API client
    if os.environ.get("DATABASE_URL") and args.reuse:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")
        os.environ["CHANGAI_HTTPS"] = "0"
        os.environ.setdefault("CHANGAI_SECRET_KEY", "bench-local-only-" + "x" * 50)  # a throwaway database

        def cleanup() -> None:
            from django.db import connections

            connections.close_all()

    elif os.environ.get("DATABASE_URL"):
        cleanup = prepare_database(args.keep, "analytics")
    else:  # a file of our own: other benchmarks may be running on theirs
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")
        os.environ["CHANGAI_HTTPS"] = "0"
        os.environ.setdefault("CHANGAI_SECRET_KEY", "bench-local-only-" + "x" * 50)  # a throwaway database
        path = ROOT / "var" / "bench" / "analytics.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["CHANGAI_SQLITE_PATH"] = str(path)

        def cleanup() -> None:
            if not (args.keep or args.reuse):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)

    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from rest_framework.test import APIClient

        from analytics import aggregates
        from bench.synthetic import Summary, build
        from orgs.models import Organisation

        build_seconds = {}
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        build_seconds["migrate"] = time.perf_counter() - t0
        kept = ROOT / "var" / "bench" / f"analytics-{connection.vendor}-summary.json"
        reused = args.reuse and kept.exists() and Organisation.objects.filter(code="OFFICE").exists()
        if reused:
            saved = json.loads(kept.read_text())
            summary = Summary(**saved["summary"])
            build_seconds, counts = saved["build_seconds"], saved["counts"]
            print(f"{connection.vendor}: reusing the province built earlier ({summary.values:,} values)")
        else:
            summary = build(seed=args.seed, subsidiaries=args.subsidiaries)
            build_seconds.update(summary.timings)
            t0 = time.perf_counter()
            counts = aggregates.rebuild()
            build_seconds["aggregate rebuild"] = time.perf_counter() - t0
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            if args.reuse:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_text(json.dumps({"summary": asdict(summary), "build_seconds": build_seconds,
                                            "counts": counts}))  # fmt: skip
            print(f"{connection.vendor}: {summary.values:,} values, rebuild {build_seconds['aggregate rebuild']:.1f} s")
        if args.build_only:
            return 0
        user = setup_user()
        client = APIClient()
        client.force_authenticate(user)
        scenarios = [
            province_by_prefecture(client, user, args.reps, args.warmup),
            union_drill_down(client, summary.largest_union_id, args.reps, args.warmup),
            refresh(max(5, args.reps // 2)),
            dashboard(user, args.reps),
        ]
        import django as dj

        report = {
            "database": connection.vendor,
            "server_version": server_version(),
            "seed": args.seed,
            "reps": args.reps,
            "reused": bool(reused),
            "shape": {
                "organisations": summary.organisations,
                "reports": summary.reports,
                "values": summary.values,
                "periods": len(summary.periods),
                "node_rows": counts["node_rows"],
                "region_rows": counts["region_rows"],
            },  # fmt: skip
            "scenarios": scenarios,
            "build_seconds": {k: round(v, 1) for k, v in build_seconds.items()},
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "python": platform.python_version(),
            "django": dj.get_version(),
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = f"analytics-{connection.vendor}"
        (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
        (RESULTS / f"{name}.md").write_text(markdown(report), encoding="utf-8")
        print(f"wrote bench/results/{name}.json and .md")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
