"""Organisation-tree benchmark: 50,000 organisations, scoped subtree reads, search, history, moves.

Builds a synthetic province deterministically in a fresh throwaway database (SQLite under
var/bench/, or PostgreSQL when DATABASE_URL is set: a new database on that server, dropped
afterwards), then times the platform's own code against hand-written SQL giving the same
answer, in the same run. See bench/README.md for how to run it and read the results.

    .venv/bin/python -m bench.orgtree [--orgs 50000] [--seed 1] [--reps 30]
    DATABASE_URL=postgres://user@host:port/db .venv/bin/python -m bench.orgtree
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/orgtree.py` as well as `python -m bench.orgtree`
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
SQLITE_DIR = ROOT / "var" / "bench"

PLACES = {
    "530100": "昆明", "530300": "曲靖", "530400": "玉溪", "530500": "保山", "530600": "昭通",
    "530700": "丽江", "530800": "普洱", "530900": "临沧", "532300": "楚雄", "532500": "红河",
    "532600": "文山", "532800": "西双版纳", "532900": "大理", "533100": "德宏", "533300": "怒江",
    "533400": "迪庆",
}  # fmt: skip
TRADES = (
    "电力", "矿业", "化工", "建设", "交通", "物流", "农业", "茶业", "机械", "冶金", "建材", "通信", "医药", "商贸",
)  # fmt: skip
INDUSTRY_OF = {"电力": "D", "矿业": "B", "建设": "E", "交通": "G", "物流": "G", "农业": "A", "茶业": "A", "通信": "I"}
ENTERPRISE_ENDINGS = ("有限公司", "集团有限公司", "股份有限公司")
SUBSIDIARY_ENDINGS = ("分公司", "子公司", "项目公司", "工程公司")
UNIT_WORDS = ("车间", "工区", "班组", "项目部", "运维站", "生产线")
EPOCH = dt.date(2018, 1, 1)
MOVED_ON = dt.date(2021, 1, 1)
CLOSED_ON = dt.date(2022, 6, 30)
HISTORY_DATE = dt.date(2020, 12, 31)  # before the synthetic moves: history differs from today's tree
MOVE_SUBSIDIARIES, MOVE_UNITS = 20, 24  # the moved subtree: 1 + 20 + 20 × 24 = 501 nodes


# --- the throwaway database ------------------------------------------------------------------------


def prepare_database(keep: bool, name: str = "orgtree") -> Callable[[], None]:
    """Point Django at a new, empty database for benchmark `name`; return the function that removes it afterwards."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")
    os.environ["CHANGAI_HTTPS"] = "0"  # a local run over plain HTTP
    os.environ.setdefault("CHANGAI_SECRET_KEY", "bench-local-only-" + "x" * 50)  # a throwaway database
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        path = SQLITE_DIR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["CHANGAI_SQLITE_PATH"] = str(path)

        def remove_sqlite() -> None:
            if not keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)

        return remove_sqlite

    import psycopg
    from psycopg import sql

    database = f"changai_bench_{name.replace('-', '_')}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    base, _, _ = url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{database}"

    def drop_postgres() -> None:
        from django.db import connections

        connections.close_all()
        if keep:
            return
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))

    return drop_postgres


# --- the synthetic province ------------------------------------------------------------------------


@dataclass
class Province:
    """What the measurements need from the built tree."""

    unions: list = field(default_factory=list)
    sizes: dict = field(default_factory=dict)  # union code -> subtree size
    mover: Any = None
    move_targets: tuple = ()
    history_sample: list = field(default_factory=list)
    moved_enterprises: int = 0
    closed_units: int = 0


class TreeBuilder:
    """Appends organisations with treebeard's materialised paths (steplen 4, base 36)."""

    def __init__(self, limit: int):
        from orgs.models import Organisation
        from orgs.pinyin import initials

        self.Organisation = Organisation
        self.initials = initials
        self.limit = limit
        self.rows: list = []
        self.steps: dict[str, int] = defaultdict(int)
        self.parent_of: dict[str, Any] = {}
        self._pinyin: dict[str, str] = {}

    @property
    def full(self) -> bool:
        return len(self.rows) >= self.limit

    def add(self, parent, name: str, kind: str, **fields):
        parent_path = parent.path if parent is not None else ""
        depth = parent.depth + 1 if parent is not None else 1
        self.steps[parent_path] += 1
        path = self.Organisation._get_path(parent_path, depth, self.steps[parent_path])
        if name not in self._pinyin:
            self._pinyin[name] = self.initials(name)
        org = self.Organisation(
            code=fields.pop("code", f"B{len(self.rows) + 1:06d}"),
            name=name,
            pinyin_initials=self._pinyin[name],
            kind=kind,
            path=path,
            depth=depth,
            numchild=0,
            opened_on=EPOCH,
            **fields,
        )
        if parent is not None:
            parent.numchild += 1
        self.parent_of[org.code] = parent
        self.rows.append(org)
        return org

    def enterprise(self, rng: random.Random, owner, subsidiaries: int | None = None, units: int | None = None):
        """An enterprise group with subsidiaries and units, as far as the budget goes."""
        from orgs.choices import OrgKind

        region = rng.choice(list(PLACES))
        trade = rng.choice(TRADES)
        stem = f"{PLACES[region]}{trade}"
        enterprise = self.add(
            owner,
            f"{stem}{rng.choice(ENTERPRISE_ENDINGS)}",
            OrgKind.ENTERPRISE,
            region_id=region,
            industry=INDUSTRY_OF.get(trade, "C"),
            ownership=owner.ownership or rng.choice(("prefectural", "private", "collective")),
        )
        for k in range(rng.randint(0, 2) if units is None else 0):
            if self.full:
                return enterprise
            self.add(enterprise, f"{stem}{rng.choice(UNIT_WORDS)}{k + 1}", OrgKind.UNIT, region_id=region)
        for s in range(rng.randint(0, 8) if subsidiaries is None else subsidiaries):
            if self.full:
                return enterprise
            sub_region = rng.choice(list(PLACES))
            sub_name = f"{stem}{PLACES[sub_region]}{rng.choice(SUBSIDIARY_ENDINGS)}"
            subsidiary = self.add(enterprise, sub_name, OrgKind.ENTERPRISE, region_id=sub_region)
            for u in range(rng.randint(0, 6) if units is None else units):
                if self.full:
                    return enterprise
                word = UNIT_WORDS[(s + u) % len(UNIT_WORDS)]
                self.add(subsidiary, f"{sub_name}{word}{u + 1}", OrgKind.UNIT, region_id=sub_region)
        return enterprise


def build_province(n: int, seed: int) -> tuple[Province, dict[str, float]]:
    """Bulk-insert `n` organisations, their parent links (with some moves and closures) and users."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from orgs.choices import OrgKind, Role
    from orgs.models import Membership, Organisation, OrgLink

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tree = TreeBuilder(n)
    root = tree.add(None, "云南省", OrgKind.PROVINCE, code="530000", region_id="530000")
    prefectures_cat = tree.add(root, "州市", OrgKind.CATEGORY, code="CAT-PREF")
    unions_cat = tree.add(root, "省级产业系统公司", OrgKind.CATEGORY, code="CAT-UNION")
    departments_cat = tree.add(root, "领导小组成员单位", OrgKind.CATEGORY, code="CAT-DEPT")
    tree.add(root, "省总工会产改办", OrgKind.OFFICE, code="OFFICE")
    prefectures = [
        tree.add(prefectures_cat, f"{place}总工会", OrgKind.PREFECTURE, code=code, region_id=code)
        for code, place in PLACES.items()
    ]
    unions = [
        tree.add(
            unions_cat,
            f"产业系统公司工会{i:02d}",
            OrgKind.UNION,
            code=f"U{i:02d}",
            ownership=rng.choice(("central", "provincial")),
        )
        for i in range(1, 36)
    ]
    for i in range(1, 11):
        tree.add(departments_cat, f"成员单位{i:02d}", OrgKind.DEPARTMENT, code=f"D{i:02d}")

    province = Province(unions=unions)
    # The subtree that gets moved: one enterprise with ~500 nodes, under the second union.
    province.mover = tree.enterprise(rng, unions[1], subsidiaries=MOVE_SUBSIDIARIES, units=MOVE_UNITS)
    province.move_targets = (unions[2], unions[1])
    # Heavy-tailed sizes: a few big groups (like 云南电网), many small ones.
    owners = unions + prefectures
    weights = [min(rng.paretovariate(1.1), 25.0) for _ in owners]
    while not tree.full:
        tree.enterprise(rng, rng.choices(owners, weights=weights)[0])
    timings["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        Organisation.objects.bulk_create(tree.rows, batch_size=2000)
        enterprises = [o for o in tree.rows if o.kind == OrgKind.ENTERPRISE and tree.parent_of[o.code] in owners]
        moved = {o.code for o in rng.sample(enterprises, k=max(1, len(enterprises) * 3 // 100))}
        moved.discard(province.mover.code)
        units = [o for o in tree.rows if o.kind == OrgKind.UNIT]
        closed = {o.code for o in rng.sample(units, k=max(1, len(units) // 100))}
        links = []
        for org in tree.rows:
            parent = tree.parent_of[org.code]
            parent_id = parent.pk if parent is not None else None
            if org.code in moved:
                earlier = rng.choice([o for o in owners if o is not parent])
                links.append(OrgLink(org_id=org.pk, parent_id=earlier.pk, valid_from=EPOCH, valid_to=MOVED_ON))
                links.append(OrgLink(org_id=org.pk, parent_id=parent_id, valid_from=MOVED_ON))
            elif org.code in closed:
                links.append(OrgLink(org_id=org.pk, parent_id=parent_id, valid_from=EPOCH, valid_to=CLOSED_ON))
            else:
                links.append(OrgLink(org_id=org.pk, parent_id=parent_id, valid_from=EPOCH))
        OrgLink.objects.bulk_create(links, batch_size=5000)
        Organisation.objects.filter(code__in=closed).update(closed_on=CLOSED_ON)
        province.moved_enterprises, province.closed_units = len(moved), len(closed)

        User = get_user_model()
        for role, org, username in (
            (Role.OFFICE_ADMIN, root, "office_admin"),
            (Role.UNION_ADMIN, None, "union_admin_largest"),
            (Role.UNION_ADMIN, None, "union_admin_median"),  # held at unions chosen once sizes are known
        ):
            user = User(username=username, must_change_password=False)
            user.set_unusable_password()
            user.save()
            if org is not None:
                Membership.objects.create(user=user, org=org, role=role)
    timings["insert"] = time.perf_counter() - started

    sizes = {u.code: Organisation.objects.filter(path__startswith=u.path).count() for u in unions}
    province.sizes = sizes
    ranked = sorted(unions, key=lambda u: sizes[u.code])
    User = get_user_model()
    Membership.objects.create(
        user=User.objects.get(username="union_admin_largest"), org=ranked[-1], role=Role.UNION_ADMIN
    )
    Membership.objects.create(
        user=User.objects.get(username="union_admin_median"), org=ranked[len(ranked) // 2], role=Role.UNION_ADMIN
    )
    ids = list(Organisation.objects.filter(closed_on__isnull=True).values_list("pk", flat=True))
    province.history_sample = sorted(rng.sample(ids, k=min(1000, len(ids))))

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    return province, timings


# --- timing ----------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(fns: dict[str, Callable[[], Any]], reps: int, warmup: int) -> dict[str, dict[str, float]]:
    """Run the functions round-robin (so that load from elsewhere hits them alike); p50/p95 in ms."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return {
        name: {
            "p50_ms": round(percentile(values, 50) * 1000, 3),
            "p95_ms": round(percentile(values, 95) * 1000, 3),
            "mean_ms": round(statistics.fmean(values) * 1000, 3),
            "n": reps,
        }
        for name, values in samples.items()
    }


def profiled(fn: Callable[[], Any], top: int = 12) -> list[dict[str, Any]]:
    """Run `fn` once under cProfile: the `top` functions by their own time (outside the functions they call),
    with where they are, how often they ran, their own and their cumulative time in ms. For the notes that say
    where the time of a benchmark that misses its target goes."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(fn)
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (primitive calls, calls, own, cumulative, callers)}
    total = sum(own for _calls, _n, own, _cum, _callers in stats.values()) or 1.0
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    root = str(Path(__file__).resolve().parent.parent) + os.sep
    return [
        {
            "function": f"{file.replace(root, '').split('site-packages' + os.sep)[-1]}:{line}({name})",
            "calls": calls,
            "own_ms": round(own * 1000, 1),
            "own_share": round(own / total, 3),
            "cumulative_ms": round(cumulative * 1000, 1),
        }
        for (file, line, name), (_primitive, calls, own, cumulative, _callers) in rows
    ]


def profile_markdown(title: str, rows: list[dict[str, Any]]) -> list[str]:
    """A table of `profiled` rows for a results page."""
    lines = [f"{title}:", "", "| function | calls | own ms | own share | cumulative ms |", "|---|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(
            f"| `{row['function']}` | {row['calls']:,} | {row['own_ms']:,.1f} | {row['own_share'] * 100:.1f}% "
            f"| {row['cumulative_ms']:,.1f} |"
        )
    return [*lines, ""]


def sql_rows(query: str, params: list | tuple | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def compare(
    name: str,
    description: str,
    ours: Callable,
    baseline: Callable,
    reps: int,
    warmup: int,
    extra: dict[str, Callable] | None = None,
) -> dict:
    """Time our code and the hand-written baseline; check once that they give the same answer.

    `extra` holds variants timed for reference (same answer required), reported beside the row.
    """
    ours_answer, baseline_answer = ours(), baseline()
    same = ours_answer == baseline_answer
    if not same:
        print(f"  ! {name}: our answer and the baseline's differ", file=sys.stderr)
    extra = extra or {}
    timings = timed({"ours": ours, "baseline": baseline, **extra}, reps, warmup)
    result = {
        "name": name,
        "description": description,
        "same_answer": same,
        "answer": _summary(ours_answer),
        "ours": timings["ours"],
        "baseline": timings["baseline"],
        "extra": {label: timings[label] | {"same_answer": fn() == ours_answer} for label, fn in extra.items()},
    }
    for q in ("p50", "p95"):
        base = result["baseline"][f"{q}_ms"]
        result[f"ratio_{q}"] = round(result["ours"][f"{q}_ms"] / base, 2) if base else None
    print(
        f"  {name:<34} ours {result['ours']['p50_ms']:>9.2f} ms  baseline {result['baseline']['p50_ms']:>9.2f} ms"
        f"  ratio {result['ratio_p50']}"
    )
    return result


def _summary(value: Any) -> Any:
    if isinstance(value, list | dict):
        return f"{len(value)} rows"
    return value


# --- the measurements -----------------------------------------------------------------------------


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def measure_subtree(province: Province, reps: int, warmup: int) -> list[dict]:
    from django.contrib.auth import get_user_model

    from orgs.choices import Action
    from orgs.models import Organisation
    from orgs.queries import children_of
    from orgs.scoping import clear_scope_cache

    results = []
    ranked = sorted(province.unions, key=lambda u: province.sizes[u.code])
    for label, union in (("largest", ranked[-1]), ("median", ranked[len(ranked) // 2])):
        user = get_user_model().objects.get(username=f"union_admin_{label}")

        def ours(user=user):
            clear_scope_cache(user)  # a new request: the user's roles are read again
            return Organisation.objects.visible_to(user, Action.ORG_VIEW).count()

        def baseline(union=union):
            return sql_rows("SELECT count(*) FROM orgs_organisation WHERE path LIKE %s", [_like(union.path)])[0][0]

        def scope_cached(user=user):
            return Organisation.objects.visible_to(user, Action.ORG_VIEW).count()

        def path_range(union=union):
            # Every descendant's path starts with the prefix and uses only 0-9A-Z, all below "~".
            query = "SELECT count(*) FROM orgs_organisation WHERE path >= %s AND path < %s"
            return sql_rows(query, [union.path, union.path + "~"])[0][0]

        results.append(
            compare(
                f"subtree count ({label} union)",
                f"Organisation.objects.visible_to(union_admin, ORG_VIEW).count() for a union of "
                f"{province.sizes[union.code]:,} organisations, the user's roles read afresh as in a new "
                "request; baseline: count(*) WHERE path LIKE 'prefix%'",
                ours,
                baseline,
                reps,
                warmup,
                extra={"ours, roles already cached": scope_cached, "SQL path range (index search)": path_range},
            )
        )

    union = ranked[-1]
    user = get_user_model().objects.get(username="union_admin_largest")
    fresh = Organisation.objects.get(pk=union.pk)

    def ours_children():
        clear_scope_cache(user)
        return [o.pk for o in children_of(user=user, parent=fresh)[:50]]

    def baseline_children():
        rows = sql_rows(
            "SELECT * FROM orgs_organisation WHERE path LIKE %s AND depth = %s AND closed_on IS NULL"
            " ORDER BY path LIMIT 50",
            [_like(fresh.path), fresh.depth + 1],
        )
        return [row[0] for row in rows]

    results.append(
        compare(
            "children page (largest union)",
            "children_of(user=union_admin, parent=union)[:50], rows fetched; baseline: the same filter in SQL",
            ours_children,
            baseline_children,
            reps,
            warmup,
        )
    )
    return results


def measure_search(reps: int, warmup: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from orgs.models import Organisation
    from orgs.pinyin import initials
    from orgs.queries import orgs_search
    from orgs.scoping import clear_scope_cache

    user = get_user_model().objects.get(username="office_admin")
    root = Organisation.objects.get(code="530000")
    ilike = "ILIKE" if connection.vendor == "postgresql" else "LIKE"  # SQLite's LIKE ignores ASCII case
    results = []
    for label, text in (("pinyin initials", "kmdl"), ("name", "昆明电力")):
        extra, params = "", []
        if text.isascii():
            extra, params = " OR pinyin_initials LIKE %s", [_like(text.lower())]
        else:
            extra, params = " OR (pinyin_initials LIKE %s AND name LIKE %s)", [_like(initials(text)), f"%{text[0]}%"]
        query = (
            f"SELECT id FROM orgs_organisation WHERE path LIKE %s AND (name {ilike} %s OR short_name {ilike} %s"
            f" OR code {ilike} %s{extra}) ORDER BY depth, path LIMIT 50"
        )
        all_params = [_like(root.path), f"%{text}%", f"%{text}%", _like(text), *params]

        def ours(text=text):
            clear_scope_cache(user)
            return [o.pk for o in orgs_search(user=user, text=text)]

        def baseline(query=query, all_params=all_params):
            return [row[0] for row in sql_rows(query, all_params)]

        results.append(
            compare(
                f"search by {label} «{text}»",
                f"orgs_search(user=office_admin, text={text!r}) over the whole province, first 50; "
                "baseline: the same conditions in SQL",
                ours,
                baseline,
                reps,
                warmup,
            )
        )
    return results


def measure_history(province: Province, reps: int, warmup: int) -> list[dict]:
    from orgs.queries import ancestors_at, parent_map_at

    sample = province.history_sample
    on = HISTORY_DATE

    def ours():
        parents = parent_map_at(on)
        return {org_id: ancestors_at(org_id, on, parents) for org_id in sample}

    valid = "l.valid_from <= %s AND (l.valid_to IS NULL OR l.valid_to > %s)"
    marks = ", ".join(["%s"] * len(sample))
    query = (
        "WITH RECURSIVE chain(start, parent_id, n) AS ("
        f" SELECT l.org_id, l.parent_id, 1 FROM orgs_orglink l WHERE l.org_id IN ({marks}) AND {valid}"
        " UNION ALL"
        f" SELECT c.start, l.parent_id, c.n + 1 FROM chain c JOIN orgs_orglink l ON l.org_id = c.parent_id AND {valid}"
        ") SELECT start, parent_id FROM chain WHERE parent_id IS NOT NULL ORDER BY start, n"
    )
    params = [*sample, on, on, on, on]

    def baseline():
        chains: dict[int, list[int]] = {org_id: [] for org_id in sample}
        for start, parent_id in sql_rows(query, params):
            chains[start].append(parent_id)
        return chains

    everyone = query.replace(f"l.org_id IN ({marks}) AND ", "", 1)
    everyone_params = [on, on, on, on]

    def ours_all():
        parents = parent_map_at(on)
        return {org_id: chain for org_id in parents if (chain := ancestors_at(org_id, on, parents))}

    def baseline_all():
        chains: dict[int, list[int]] = defaultdict(list)
        for start, parent_id in sql_rows(everyone, everyone_params):
            chains[start].append(parent_id)
        return dict(chains)

    return [
        compare(
            "history: ancestors of all orgs",
            f"parent_map_at({on}) + ancestors_at() for every organisation in the tree on that day (a whole "
            "period's roll-up); baseline: the recursive CTE over OrgLink for all of them",
            ours_all,
            baseline_all,
            max(3, reps // 2),
            1,
        ),
        compare(
            "history: ancestors of 1,000 orgs",
            f"parent_map_at({on}) + ancestors_at() for 1,000 organisations (links as they stood then); "
            "baseline: a recursive CTE over OrgLink for the same 1,000",
            ours,
            baseline,
            reps,
            warmup,
        ),
    ]


def measure_move(province: Province, reps: int, warmup: int) -> list[dict]:
    from django.db import transaction

    from core.actor import Actor
    from orgs.models import Organisation, OrgLink
    from orgs.services import org_move

    by = Actor.system("bench")
    mover_id = province.mover.pk
    targets = [Organisation.objects.get(pk=t.pk) for t in province.move_targets]
    size = Organisation.objects.filter(path__startswith=province.mover.path).count()
    day = iter(range(1, 100_000))

    def ours():
        org = Organisation.objects.get(pk=mover_id)
        target = targets[0] if not org.path.startswith(targets[0].path) else targets[1]
        org_move(by=by, org=org, new_parent=target, on=MOVED_ON + dt.timedelta(days=next(day)), version=org.version)
        return size

    def baseline():
        org = Organisation.objects.get(pk=mover_id)
        target = targets[0] if not org.path.startswith(targets[0].path) else targets[1]
        on = MOVED_ON + dt.timedelta(days=next(day))
        with transaction.atomic():
            target_path, target_depth = sql_rows(
                "SELECT path, depth FROM orgs_organisation WHERE id = %s", [target.pk]
            )[0]
            last = sql_rows(
                "SELECT max(path) FROM orgs_organisation WHERE path LIKE %s AND depth = %s",
                [_like(target_path), target_depth + 1],
            )[0][0]
            step = Organisation._str2int(last[-Organisation.steplen :]) + 1 if last else 1
            new_path = Organisation._get_path(target_path, target_depth + 1, step)
            old_path, old_depth = org.path, org.depth
            _execute(
                "UPDATE orgs_organisation SET path = %s || substr(path, %s), depth = depth + %s WHERE path LIKE %s",
                [new_path, len(old_path) + 1, target_depth + 1 - old_depth, _like(old_path)],
            )
            old_parent_path = old_path[: -Organisation.steplen]
            _execute("UPDATE orgs_organisation SET numchild = numchild - 1 WHERE path = %s", [old_parent_path])
            _execute("UPDATE orgs_organisation SET numchild = numchild + 1 WHERE id = %s", [target.pk])
            _execute("UPDATE orgs_orglink SET valid_to = %s WHERE org_id = %s AND valid_to IS NULL", [on, mover_id])
            OrgLink.objects.bulk_create([OrgLink(org_id=mover_id, parent_id=target.pk, valid_from=on)])
        return size

    result = compare(
        f"move a subtree of {size} nodes",
        "orgs.services.org_move() (checks, treebeard move, link history, audit row); "
        "baseline: the path rewrite, numchild and link updates in hand-written SQL",
        ours,
        baseline,
        reps,
        warmup,
    )
    mover = Organisation.objects.get(pk=mover_id)
    consistent = not any(Organisation.objects.find_problems(parent=mover))
    for target in targets:
        children = Organisation.objects.filter(path__startswith=target.path, depth=target.depth + 1).count()
        consistent &= Organisation.objects.get(pk=target.pk).numchild == children
    result["tree_consistent_after"] = consistent
    return [result]


def _execute(query: str, params: list) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)


def explain_subtree(province: Province) -> dict:
    """The plan of the scoped subtree count, and whether it uses an index on `path`."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orgs.choices import Action
    from orgs.models import Organisation
    from orgs.scoping import clear_scope_cache

    user = get_user_model().objects.get(username="union_admin_median")
    clear_scope_cache(user)
    with CaptureQueriesContext(connection) as captured:
        Organisation.objects.visible_to(user, Action.ORG_VIEW).count()
    count_sql = next(q["sql"] for q in captured.captured_queries if "COUNT" in q["sql"].upper())
    if connection.vendor == "postgresql":
        indexes = sql_rows("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'orgs_organisation'")
    else:
        indexes = [
            (name, f"{'UNIQUE ' if unique else ''}INDEX {name} ON orgs_organisation ({', '.join(columns)})")
            for _, name, unique, *_ in sql_rows("PRAGMA index_list('orgs_organisation')")
            for columns in [[row[2] for row in sql_rows(f"PRAGMA index_info('{name}')")]]
        ]
    if connection.vendor == "postgresql":
        plan = [row[0] for row in sql_rows("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + count_sql)]
        uses_index = any("Index" in line and "orgs_organisation" in line for line in plan)
    else:
        plan = [row[-1] for row in sql_rows("EXPLAIN QUERY PLAN " + count_sql)]
        uses_index = any(line.startswith("SEARCH") for line in plan)
    return {
        "query": count_sql,
        "plan": plan,
        "uses_index": uses_index,
        "path_indexes": [definition for _, definition in indexes if "path" in definition],
    }


# --- output ---------------------------------------------------------------------------------------


def server_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return sql_rows("SHOW server_version")[0][0]
    return sql_rows("SELECT sqlite_version()")[0][0]


def write_results(report: dict) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"orgtree-{report['database']}"
    json_path, md_path = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path


def markdown(report: dict) -> str:
    shape = report["shape"]
    lines = [
        f"# Organisation tree benchmark — {report['database']} {report['server_version']}",
        "",
        f"{shape['organisations']:,} organisations (seed {report['seed']}), depth up to {shape['max_depth']}; "
        f"{shape['links']:,} parent links ({shape['moved_enterprises']} enterprises moved on {MOVED_ON}, "
        f"{shape['closed_units']} units closed). Largest union subtree {shape['largest_union']:,}, "
        f"median {shape['median_union']:,}. {report['reps']} timed runs after {report['warmup']} warm-up runs; "
        f"{report['machine']['cpus']} CPUs (load average {report['machine']['load_average'][0]} at start, "
        f"{report['machine']['load_average'][1]} at end), Python {report['python']}, Django {report['django']}, "
        f"{report['generated_at']}.",
        "",
        "| scenario | ours p50 | ours p95 | baseline p50 | baseline p95 | ratio p50 | ratio p95 | same answer |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for s in report["scenarios"]:
        lines.append(
            f"| {s['name']} | {s['ours']['p50_ms']:.2f} ms | {s['ours']['p95_ms']:.2f} ms "
            f"| {s['baseline']['p50_ms']:.2f} ms | {s['baseline']['p95_ms']:.2f} ms "
            f"| {s['ratio_p50']} | {s['ratio_p95']} | {'yes' if s['same_answer'] else 'NO'} |"
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
    explain = report["explain"]
    lines += [
        "",
        "## Plan of the scoped subtree count",
        "",
        f"Uses an index on `path`: **{'yes' if explain['uses_index'] else 'no'}**.",
        "",
        "```sql",
        explain["query"],
        "```",
        "",
        "```",
        *explain["plan"],
        "```",
        "",
        "Indexes on `path`:",
        "",
        *[f"- `{line}`" for line in explain["path_indexes"]],
        "",
        "Build: generate {generate:.1f} s, insert {insert:.1f} s, migrate {migrate:.1f} s, ANALYZE {analyze:.1f} s; "
        "whole run {total:.0f} s.".format(**report["build_seconds"], total=report["total_seconds"]),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=50_000, help="organisations to build (default 50000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the synthetic tree (default 1)")
    parser.add_argument("--reps", type=int, default=30, help="timed runs per measurement (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before timing (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    args = parser.parse_args(argv)

    run_started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    cleanup = prepare_database(args.keep)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*deprecated.*")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from orgs.models import Organisation, OrgLink

        print(f"orgtree benchmark on {connection.vendor}: {args.orgs:,} organisations, seed {args.seed}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_seconds = time.perf_counter() - started
        province, build = build_province(args.orgs, args.seed)
        build["migrate"] = migrate_seconds
        print(f"  built in {build['generate'] + build['insert']:.1f} s (migrate {migrate_seconds:.1f} s)")

        scenarios = []
        scenarios += measure_subtree(province, args.reps, args.warmup)
        scenarios += measure_search(args.reps, args.warmup)
        scenarios += measure_history(province, max(5, args.reps // 3), 1)
        explain = explain_subtree(province)
        scenarios += measure_move(province, max(6, args.reps // 3) // 2 * 2, 2)

        sizes = sorted(province.sizes.values())
        import django as django_module

        report = {
            "benchmark": "orgtree",
            "database": connection.vendor,
            "server_version": server_version(),
            "orgs": args.orgs,
            "seed": args.seed,
            "reps": args.reps,
            "warmup": args.warmup,
            "python": platform.python_version(),
            "django": django_module.get_version(),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                # Other work on the machine moves absolute times: the 1-minute load at start and end.
                "load_average": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
            },
            "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "shape": {
                "organisations": Organisation.objects.count(),
                "links": OrgLink.objects.count(),
                "max_depth": max(Organisation.objects.values_list("depth", flat=True)),
                "largest_union": sizes[-1],
                "median_union": sizes[len(sizes) // 2],
                "smallest_union": sizes[0],
                "moved_enterprises": province.moved_enterprises,
                "closed_units": province.closed_units,
            },
            "build_seconds": {k: round(v, 2) for k, v in build.items()},
            "scenarios": scenarios,
            "explain": explain,
        }
        report["total_seconds"] = round(time.perf_counter() - run_started, 1)
        json_path, md_path = write_results(report)
        print(f"  index on path used by the subtree count: {'yes' if explain['uses_index'] else 'no'}")
        print(
            f"  results: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)} ({report['total_seconds']:.0f} s)"
        )
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
