"""Server time to build the big screen: the whole overview (first load) and a re-scope to a city.

    python -m bench.screen [--repeat 15]

Runs against the lake and snapshot the environment points at (COCKPIT_LAKE_DIR,
COCKPIT_SNAPSHOT_DIR), inside a Flask request as the server does, and prints p50 and p95 in ms.
Targets (issue: big screen): first load under 300 ms, a re-scope under 200 ms at demo scale 1.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from cockpit.web import create_app

    app = create_app()
    import dash

    screen = next(p for p in dash.page_registry.values() if p["path"] == "/screen")
    for label, kwargs in (("overview, province", {}), ("re-scope to 绍兴市", {"region": "330600"}),
                          ("economy theme, 杭州市", {"theme": "economy", "region": "330100"})):
        times = []
        with app.server.test_request_context("/screen"):
            screen["layout"](**kwargs)  # warm: opens the snapshot, loads the hierarchy
            for _ in range(args.repeat):
                started = time.perf_counter()
                screen["layout"](**kwargs)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{label:24s} p50 {statistics.median(times):6.0f} ms   p95 {p95:6.0f} ms   (n={len(times)})")


if __name__ == "__main__":
    main()
