"""Server time to build the big screen: the whole overview (first load) and a re-scope to a city.

    python -m bench.screen [--repeat 15]

Runs against the lake and snapshot the environment points at (COCKPIT_LAKE_DIR,
COCKPIT_SNAPSHOT_DIR), inside a Flask request as the server does, and reports p50 and p95 in ms
for two cases:
- cold: the first view of that screen after a snapshot is published (no query result kept);
- warm: any later view of it (results kept per snapshot, `cockpit.query.snapshot`).
Targets (issue: big screen): first load under 300 ms, a re-scope under 200 ms at demo scale 1.
"""

from __future__ import annotations

import argparse
import statistics
import time

CASES = (("overview, province", {}), ("re-scope to 绍兴市", {"region": "330600"}),
         ("economy theme, 杭州市", {"theme": "economy", "region": "330100"}))


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(repeat: int = 15) -> list[dict]:
    """p50/p95 server milliseconds of each case, cold and warm."""
    import dash

    from cockpit.query.snapshot import clear_cached_results
    from cockpit.ui.access import act_as_province_leader
    from cockpit.web import create_app

    app = create_app()
    screen = next(p for p in dash.page_registry.values() if p["path"] == "/screen")
    rows = []
    with app.server.test_request_context("/screen"):
        act_as_province_leader()
        screen["layout"]()  # opens the snapshot, loads the hierarchy and the geometry once
        for label, kwargs in CASES:
            for state in ("cold", "warm"):
                times = []
                for _ in range(repeat):
                    if state == "cold":
                        clear_cached_results()
                    else:
                        screen["layout"](**kwargs)
                    started = time.perf_counter()
                    screen["layout"](**kwargs)
                    times.append((time.perf_counter() - started) * 1000)
                rows.append({"case": label, "state": state, "p50_ms": statistics.median(times),
                             "p95_ms": percentile(times, 0.95), "n": len(times)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for r in measure(args.repeat):
        print(f"{r['case']:24s} {r['state']:5s} p50 {r['p50_ms']:6.0f} ms   p95 {r['p95_ms']:6.0f} ms   (n={r['n']})")


if __name__ == "__main__":
    main()
