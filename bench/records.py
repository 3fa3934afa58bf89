"""Record lists: the server time of a grid page, and the time and memory of an export.

    python -m bench.records grid   [--repeat 15]
    python -m bench.records export --format xlsx|csv [--rows 200000]

Runs against the lake and snapshot the environment points at (COCKPIT_LAKE_DIR,
COCKPIT_SNAPSHOT_DIR), through the reader as the records page and the export route do:
- grid: one page of 100 rows, sorted on a column, of the 12345 orders behind an indicator value
  for a region-and-month slice (a county, a city and the province, the latest complete month),
  p50 and p95 in ms (each page a new DuckDB query: record pages are not cached);
- export: the first `--rows` 12345 orders of the province, sorted by creation time, streamed
  through the xlsx or csv writer to a file; seconds and the process's peak memory (run it in a
  process of its own, as `bench.child export` does, so the peak is the export's).
Targets (issue: department PC views): a grid page under 300 ms p95 at scale 50; a 200,000-row
export under 15 s and 500 MB resident.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

INDICATOR, FEED = "hotline_orders", "hotline_orders"
SORT = [("created_at", "desc")]


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _reader():
    from cockpit.query.reader import Reader
    from cockpit.query.viewer import default_viewer

    return Reader.current(default_viewer("zh"))


def _slices(reader) -> list[tuple[str, str]]:
    """(label, region code): the province, its first city, that city's first county."""
    city = reader.children(reader.root).iloc[0]
    county = reader.children(str(city["code"])).iloc[0]
    return [(f"county {county['name']}", str(county["code"])), (f"city {city['name']}", str(city["code"])),
            (f"province {reader.region_name(reader.root)}", reader.root)]


def measure_grid(repeat: int = 15) -> list[dict]:
    """p50/p95 server milliseconds of a 100-row page, sorted, per region-and-month slice: the first
    page, and a page deep in the list (offset 900, the grid scrolled)."""
    reader = _reader()
    period = reader.periods(INDICATOR, "month")[0]  # newest first: the latest complete month
    rows = []
    for label, region in _slices(reader):
        for offset in (0, 900):
            times, total = [], 0
            for _ in range(repeat + 1):
                started = time.perf_counter()
                page = reader.indicator_records(INDICATOR, region, "month", period, sort=SORT, offset=offset, limit=100)
                times.append((time.perf_counter() - started) * 1000)
                total = page.total
            times = times[1:]  # the first opens the snapshot's tables and warms the OS cache
            rows.append({"case": f"{label}, {period}, offset {offset}", "rows_in_slice": int(total),
                         "p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95), "n": len(times)})
    return rows


def _first_rows(frames: Iterator, limit: int) -> Iterator:
    left = limit
    for frame in frames:
        if left <= 0:
            break
        yield frame.iloc[:left]
        left -= len(frame)


def measure_export(fmt: str, rows: int = 200_000) -> dict:
    """Seconds to stream the first `rows` orders of the province as `fmt` to a file, its size."""
    from cockpit.views import export

    reader = _reader()
    columns = reader.record_columns(FEED)
    about = [("数据快照", reader.snapshot_id)]
    with tempfile.TemporaryDirectory(prefix="cockpit-bench-export-") as directory:
        path = Path(directory) / f"export.{fmt}"
        started = time.perf_counter()
        frames = _first_rows(reader.iter_records(FEED, sort=[("created_at", "asc")], batch_rows=10_000), rows)
        counted = _Counted(frames)
        writer = export.iter_xlsx if fmt == "xlsx" else export.iter_csv
        with open(path, "wb") as f:
            for piece in writer(counted, columns, about):
                f.write(piece)
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    return {"format": fmt, "rows": counted.rows, "columns": len(export.visible_columns(columns)),
            "seconds": seconds, "bytes": size}


class _Counted:
    def __init__(self, frames):
        self._frames, self.rows = frames, 0

    def __iter__(self):
        for frame in self._frames:
            self.rows += len(frame)
            yield frame


def main() -> None:
    import json
    import resource

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["grid", "export"])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    if args.what == "grid":
        for r in measure_grid(args.repeat):
            print(f"{r['case']:48s} {r['rows_in_slice']:8,} rows  p50 {r['p50_ms']:6.0f} ms   p95 {r['p95_ms']:6.0f} ms")
    else:
        result = measure_export(args.format, args.rows)
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))


if __name__ == "__main__":
    main()

