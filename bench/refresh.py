"""Refresh time against its lower bound: DuckDB scanning once the columns the definitions read.

    python -m bench.refresh [--scale 1] [--repeat 3] [--lake DIR]

Builds the demo lake at the scale (unless --lake points at one), then times, `repeat` times
each, (a) a full `refresh` of every shipped indicator system into a throw-away snapshot
directory and (b) the scan lower bound: one query per feed reading every column any measure
reads (hashing the values so nothing is skipped by Parquet statistics). Prints medians, the
ratio, and the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import sqlglot
from sqlglot import exp


def measured_columns() -> dict[str, set[str]]:
    """Feed → the columns that the shipped measures read (value, filter, grain, time, region)."""
    from cockpit.feeds.contracts import load_contracts
    from cockpit.indicators.definitions import read_systems

    contracts = load_contracts()
    systems, _ = read_systems()
    columns: dict[str, set[str]] = {}
    for ind in (i for s in systems for i in s.indicators if i.measure):
        m = ind.measure
        contract = contracts.table(m.feed)
        used = columns.setdefault(m.feed, set())
        used |= {m.time or contract.time_column, m.region or contract.region_column}
        sources = [m.value, m.filter] + ([expr for _, expr in m.grain.columns] + list(m.grain.by) if m.grain else [])
        grain_names = {name for name, _ in m.grain.columns} if m.grain else set()
        for sql in filter(None, sources):
            for col in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column):
                if col.name not in grain_names:
                    used.add(col.name)
    return columns


def scan_lower_bound(lake: Path) -> float:
    from cockpit import duck
    from cockpit.indicators.refresh import feed_sources

    con = duck.sandbox([lake])
    columns = measured_columns()
    sources = feed_sources(lake, columns)
    started = time.perf_counter()
    for feed, source in sources.items():
        hashed = " + ".join(f"hash({duck.quote(c)}) % 1000" for c in sorted(columns[feed]))
        con.execute(f"SELECT sum({hashed}) FROM {source}").fetchone()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lake", type=Path, help="an existing lake to use instead of building one")
    args = parser.parse_args()

    from cockpit.demo.build import build_demo
    from cockpit.indicators.refresh import refresh

    work = Path(tempfile.mkdtemp(prefix="cockpit-bench-"))
    lake = args.lake
    if lake is None:
        lake = work / "lake"
        report = build_demo(scale=args.scale, lake_dir=lake)
        print(f"demo build, scale {args.scale}: {report.rows:,} rows in {report.seconds:.1f} s")
    refresh_times, scan_times = [], []
    for n in range(args.repeat):
        scan_times.append(scan_lower_bound(lake))
        r = refresh(lake_dir=lake, snapshot_dir=work / f"snapshots-{n}")
        refresh_times.append(r.seconds)
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r.stage_seconds.items())
        print(f"  run {n + 1}: refresh {r.seconds:.2f} s ({stages}); scan {scan_times[-1]:.3f} s")
    refresh_median, scan_median = statistics.median(refresh_times), statistics.median(scan_times)
    print(f"refresh median {refresh_median:.2f} s; scan lower bound median {scan_median:.3f} s; "
          f"ratio {refresh_median / scan_median:.1f}×  ({os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB)")


if __name__ == "__main__":
    main()
