"""People import benchmark: a union administrator imports `--people` new accounts (two roles each) from .xlsx.

In a fresh throwaway database (SQLite under var/bench/, or PostgreSQL when DATABASE_URL is set: a new
database on that server, dropped afterwards) with the test province, it fills the people template with
`--people` new accounts of two rows each, then times, round-robin in the same run and each inside a
transaction rolled back afterwards:

- ours: the whole import as the page does it (read and check the file, then `importing.apply`: checked
  again, accounts created one by one through the services with their audit rows, roles granted, one
  activation issued per account);
- baseline: `bulk_create` of the same users, memberships and activations (no check, no audit).

    .venv/bin/python -m bench.people_import [--people 500] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.orgtree import prepare_database, server_version, timed  # noqa: E402

RESULTS = ROOT / "bench" / "results"


class _Rollback(Exception):
    """Raised inside a measured transaction so that it is rolled back."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500, help="new accounts in the file (default 500)")
    parser.add_argument("--reps", type=int, default=3, help="timed runs per measurement (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()[0]
    cleanup = prepare_database(args.keep, "people-import")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    try:
        import django

        django.setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.utils import timezone

        from accounts import activation, importing
        from accounts.models import Activation, User
        from accounts.tests.people import XLSX_TYPE, xlsx_bytes
        from core.actor import Actor
        from orgs.choices import Role
        from orgs.models import Membership
        from orgs.tests.factories import make_tree

        call_command("migrate", verbosity=0, interactive=False)
        tree = make_tree()
        admin = tree.user(Role.UNION_ADMIN)
        rows = []
        for n in range(args.people):
            rows.append([f"bench{n:05d}", f"测试{n:05d}", "E-A1", "企业填报员", f"138{n:08d}", f"p{n}@example.com"])
            rows.append([f"bench{n:05d}", "", "E-A2", "信息员", "", ""])
        data = xlsx_bytes(rows)
        by = Actor(user=admin, ip="127.0.0.1")

        def ours():
            try:
                with transaction.atomic():
                    book = importing.read_workbook(SimpleUploadedFile("people.xlsx", data, content_type=XLSX_TYPE))
                    applied = importing.apply(by=by, book=book)
                    assert len(applied.issued) == args.people  # noqa: S101 - the benchmark checks its own answer
                    raise _Rollback
            except _Rollback:
                pass

        def baseline():
            try:
                with transaction.atomic():
                    now = timezone.now()
                    users = User.objects.bulk_create(
                        [User(username=f"bench{n:05d}", full_name=f"测试{n:05d}", awaiting_activation=True)
                         for n in range(args.people)]
                    )  # fmt: skip
                    if connection.vendor != "postgresql":  # SQLite gives no ids back from bulk_create
                        users = list(User.objects.filter(username__startswith="bench").order_by("username"))
                    Membership.objects.bulk_create(
                        [Membership(user=u, org=org, role=role) for u in users
                         for org, role in ((tree.ent_a1, Role.REPORTER), (tree.ent_a2, Role.INFO_OFFICER))]
                    )  # fmt: skip
                    Activation.objects.bulk_create(
                        [Activation(user=u, token_hash=activation.token_hash(f"T{u.pk:019d}"), issued_at=now,
                                    expires_at=now) for u in users]
                    )  # fmt: skip
                    raise _Rollback
            except _Rollback:
                pass

        results = timed({"ours": ours, "baseline": baseline}, reps=args.reps, warmup=0)
        ratio = results["ours"]["p50_ms"] / results["baseline"]["p50_ms"]
        report = {
            "benchmark": "people-import",
            "database": connection.vendor,
            "server_version": server_version(),
            "people": args.people,
            "rows": len(rows),
            "reps": args.reps,
            "load_at_start": round(load_at_start, 2),
            "python": platform.python_version(),
            "results": results,
            "ratio_p50": round(ratio, 2),
            "people_per_second": round(args.people / (results["ours"]["p50_ms"] / 1000), 1),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = f"people-import-{connection.vendor}"
        (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        (RESULTS / f"{name}.md").write_text(
            f"# People import benchmark — {connection.vendor} {report['server_version']}\n\n"
            f"{args.people} new accounts, {len(rows)} rows (two roles each), {args.reps} runs, load at start "
            f"{report['load_at_start']}.\n\n"
            "| scenario | p50 | p95 | ratio p50 |\n|---|---:|---:|---:|\n"
            f"| whole import vs bulk insert | {results['ours']['p50_ms']:,.2f} ms "
            f"| {results['ours']['p95_ms']:,.2f} ms | {ratio:.2f}× |\n"
            f"| baseline: bulk insert | {results['baseline']['p50_ms']:,.2f} ms "
            f"| {results['baseline']['p95_ms']:,.2f} ms | — |\n\n"
            f"{report['people_per_second']} accounts/s through the checked, audited import.\n",
            "utf-8",
        )
        print(json.dumps(report, ensure_ascii=False, indent=2))
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
