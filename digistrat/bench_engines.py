"""Engine tasks of the benchmark (issue 15): the origin cube of a generated GA4 export on
DuckDB and Spark local against polars streaming over the same Parquet files.

    python -m digistrat.bench --engines 1M 10M 100M [--engine-list polars duckdb spark]

Each (size, engine) runs once in its own process; the parent samples the resident memory of
that process and all its children (Spark's JVM included) every 0.1 s and keeps the peak. Every
engine's cube is written next to the export and checked equal to the others. `polars (budget)`
is polars streaming under a data-memory cap (RLIMIT_DATA) equal to DuckDB's memory_limit: the
"memory budget" the DuckDB engine keeps to by spilling to disk.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from digistrat import engines, ga4_export
from digistrat.bench_soak import tree_rss_mb

ENGINE_LIST = ("polars", "polars (budget)", "duckdb", "spark")
BUDGET_MB = 2048  # DuckDB's memory_limit in these runs, and the cap of "polars (budget)"
DAYS = 28


def events_of(text: str) -> int:
    """'100k', '10M' -> a number of events."""
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def export_folder(cache: Path, events: int) -> Path:
    """The generated export of about `events` events, written once."""
    folder = cache / f"ga4-{events}"
    done = folder / ".complete"
    if not done.exists():
        ga4_export.write_export(folder, int(events / ga4_export.events_per_session()), days=DAYS)
        done.write_text("ok")
    return folder


def _child(engine: str, folder: str, out: str) -> None:
    files = sorted(str(p) for p in Path(folder).glob("*.parquet"))
    start = time.perf_counter()
    if engine.startswith("polars"):
        if engine == "polars (budget)":
            import resource

            resource.setrlimit(resource.RLIMIT_DATA, (BUDGET_MB * 1024 * 1024, BUDGET_MB * 1024 * 1024))
        cube = engines.sorted_cube(engines.polars_cube(files))
    else:
        os.environ[engines.DUCKDB_MEMORY_ENV] = f"{BUDGET_MB}MB"
        cube = engines.compute(engines.Source(engine=engine, path=folder)).frame
    seconds = time.perf_counter() - start
    cube.write_parquet(out)
    print(json.dumps({"seconds": seconds}))


def measure(engine: str, folder: Path, out: Path) -> dict:
    command = [sys.executable, "-m", "digistrat.bench_engines", "--child", engine, str(folder), str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        reason = "ran out of its memory budget" if "memory" in stderr.lower() or "alloc" in stderr.lower() else \
            "failed: " + (stderr.strip().splitlines() or ["?"])[-1][:100]
        return {"seconds": math.nan, "peak_mb": peak, "note": reason}
    return {"seconds": json.loads(stdout.strip().splitlines()[-1])["seconds"], "peak_mb": peak, "note": None}


def run(sizes: list[str], engine_list: list[str], cache: Path) -> list[dict]:
    rows = []
    for size in sizes:
        events = events_of(size)
        folder = export_folder(cache, events)
        megabytes = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e6
        cubes: dict[str, pl.DataFrame] = {}
        for engine in engine_list:
            print(f"… {size} events: {engine}", file=sys.stderr, flush=True)
            out = folder.parent / f"cube-{events}-{engine.replace(' ', '_')}.parquet"
            result = measure(engine, folder, out)
            if result["note"] is None:
                cubes[engine] = pl.read_parquet(out)
            rows.append({"events": events, "size": size, "export_mb": megabytes, "engine": engine, **result})
        reference = next(iter(cubes.values()), None)
        for row in rows[-len(engine_list):]:
            cube = cubes.get(row["engine"])
            row["same_cube"] = None if cube is None else cube.equals(reference)
            row["cube_rows"] = None if cube is None else cube.height
            row["sessions"] = None if cube is None else int(cube["sessions"].sum())
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| events | export MB | engine | time | peak MB (process tree) | cube rows | sessions | same cube |",
             "|---:|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        time_text = f"{r['seconds']:.1f} s" if math.isfinite(r["seconds"]) else r["note"]
        lines.append(f"| {r['events']:,} | {r['export_mb']:.0f} | {r['engine']} | {time_text} | {r['peak_mb']:.0f} | "
                     f"{r['cube_rows'] if r['cube_rows'] is not None else '—'} | "
                     f"{r['sessions'] if r['sessions'] is not None else '—'} | "
                     f"{'—' if r['same_cube'] is None else 'yes' if r['same_cube'] else 'NO'} |")
    return "\n".join(lines)


def scaling(rows: list[dict]) -> str:
    """Time per million events and peak memory per engine, size by size: linear time is a flat
    first column, flat memory a flat second."""
    lines = ["| engine | events | s per million events | peak MB |", "|---|---:|---:|---:|"]
    for engine in dict.fromkeys(r["engine"] for r in rows):
        for r in (r for r in rows if r["engine"] == engine and math.isfinite(r["seconds"])):
            lines.append(f"| {engine} | {r['events']:,} | {r['seconds'] / (r['events'] / 1e6):.2f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)


def main(sizes: list[str], engine_list: list[str], cache: Path) -> int:
    rows = run(sizes, engine_list, cache)
    print(f"GA4 origin cube, {dt.date.today()}, {os.cpu_count()} cores; DuckDB memory_limit and polars budget "
          f"{BUDGET_MB} MB\n")
    print(table(rows))
    print()
    print(scaling(rows))
    return 0 if all(r["same_cube"] is not False for r in rows) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        raise SystemExit(main(sys.argv[1:], list(ENGINE_LIST), Path("/tmp/digistrat-bench")))
