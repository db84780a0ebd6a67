"""Write the latest benchmark results into README.md, between its two bench markers.

    .venv/bin/python -m bench.readme

Reads every bench/results/*.json that has `scenarios` (the shape bench/orgtree.py writes: per
scenario `name`, `ours` and `baseline` with `p50_ms`/`p95_ms`, `ratio_p50`, `ratio_p95`) and renders
one table per benchmark, PostgreSQL and SQLite side by side.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
DATABASES = ("postgresql", "sqlite")


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.2f} ms"


def _ratio(value) -> str:
    return "—" if value is None else f"{value:.2f}×"


def load() -> dict[str, dict[str, dict]]:
    """{benchmark: {database: result}} from the newest files."""
    found: dict[str, dict[str, dict]] = defaultdict(dict)
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "scenarios" not in data or "database" not in data:
            continue
        found[data.get("benchmark", path.stem.rsplit("-", 1)[0])][data["database"]] = data
    return found


def render(found: dict[str, dict[str, dict]]) -> str:
    parts: list[str] = []
    for benchmark in sorted(found):
        runs = found[benchmark]
        dbs = [db for db in DATABASES if db in runs]
        first = runs[dbs[0]]
        names = [s["name"] for s in first["scenarios"]]
        dated = ", ".join(f"{db} {runs[db].get('generated_at', '?')[:10]}" for db in dbs)
        parts.append(f"**{benchmark}** ({dated}; details in `bench/results/{benchmark}-*.md`)\n")
        header = "| scenario | " + " | ".join(f"{db} p50 | {db} p95 | {db} ratio p50" for db in dbs) + " |"
        parts.append(header)
        parts.append("|---|" + "---:|---:|---:|" * len(dbs))
        for name in names:
            cells = []
            for db in dbs:
                scenario = next((s for s in runs[db]["scenarios"] if s["name"] == name), None)
                if scenario is None:
                    cells += ["—", "—", "—"]
                    continue
                ours = scenario.get("ours", {})
                cells += [_ms(ours.get("p50_ms")), _ms(ours.get("p95_ms")), _ratio(scenario.get("ratio_p50"))]
            parts.append(f"| {name} | " + " | ".join(cells) + " |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {START} … {END} block")
    block = f"{START}\n{render(load())}{END}"
    README.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
    print("README.md: benchmark tables updated")


if __name__ == "__main__":
    main()
