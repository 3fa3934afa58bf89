"""One measured step of the benchmarks, in a process of its own so its peak memory is its own.

    python -m bench.child build   --lake DIR --scale S
    python -m bench.child refresh --lake DIR --snapshots DIR [--definitions DIR]
    python -m bench.child pandas  --lake DIR --snapshot FILE
    python -m bench.child screen  --repeat N            (COCKPIT_LAKE_DIR / COCKPIT_SNAPSHOT_DIR set)
    python -m bench.child records --repeat N            (same; a record grid page, bench.records)
    python -m bench.child export  --format xlsx|csv --rows N   (same; an export's time and memory)

Prints one JSON object on its last line: seconds, peak_rss_mib and what the step reports.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def build(args) -> dict:
    from cockpit.demo.build import build_demo

    report = build_demo(scale=args.scale, lake_dir=args.lake)
    return {"seconds": report.seconds, "rows": report.rows}


def refresh(args) -> dict:
    from cockpit.indicators.refresh import refresh as run

    report = run(lake_dir=args.lake, snapshot_dir=args.snapshots, definitions_dir=args.definitions)
    return {"seconds": report.seconds, "values": report.values, "indicators": report.indicators,
            "stages": report.stage_seconds, "snapshot": str(report.path)}


def pandas_baseline(args) -> dict:
    from bench.baseline_pandas import agrees, compare, compute

    started = time.perf_counter()
    baseline = compute(args.lake)
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    out = {"seconds": seconds, "rows": len(baseline), "peak_rss_mib": peak}
    if args.snapshot:
        report = compare(baseline, args.snapshot)
        out["agrees"] = agrees(report)
        out["max_abs_diff"] = max((r["max_abs_diff"] for r in report.values()), default=0.0)
        out["compared"] = sum(r["compared"] for r in report.values())
    return out


def screen(args) -> dict:
    from bench.screen import measure

    return {"cases": measure(args.repeat)}


def records(args) -> dict:
    from bench.records import measure_grid

    return {"cases": measure_grid(args.repeat)}


def export(args) -> dict:
    from bench.records import measure_export

    return measure_export(args.format, args.rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["build", "refresh", "pandas", "screen", "records", "export"])
    parser.add_argument("--lake", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--snapshots", type=Path)
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--definitions", type=Path)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    step = {"build": build, "refresh": refresh, "pandas": pandas_baseline, "screen": screen, "records": records,
            "export": export}[args.step]
    result = step(args)
    result.setdefault("peak_rss_mib", peak_rss_mib())
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
