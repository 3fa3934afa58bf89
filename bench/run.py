"""`cockpit bench`: every benchmark in one command, written up as BENCHMARKS.md with plots.

    cockpit bench --quick      # a small demo, few repeats: under two minutes, for routine checks
    cockpit bench              # the published table: demo scales 1, 10 and 50

For each scale it builds the demo lake, then measures, each step in a process of its own
(`bench.child`) so that its peak memory is its own:
- demo build time and ingest throughput (rows/s of CSV and of Parquet, same rows);
- refresh of every shipped indicator, and the scan lower bound (DuckDB reading once every
  column the definitions read), with their ratio;
- the slice of indicators the pandas baseline covers (12345 assessment figures, Waste-Free
  Index), computed by the engine and by `bench.baseline_pandas`, checked to agree;
- the big screen's server time (first load and re-scope, cold and warm; `bench.screen`);
- a record grid page (100 rows, sorted) for a region-and-month slice, and an export of up to
  200,000 records as xlsx and as csv: seconds and the exporting process's peak memory
  (`bench.records`);
- in headless Chromium, navigation to every panel rendered; and the serving worker's memory.
Medians over the repeats; p50 and p95 for the screen. The table says which targets are missed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cockpit.config import REPO_ROOT
from cockpit.harness import CHROMIUM, CHROMIUM_ARGS, served

SLICE = ["hotline_orders", "hotline_immediate_dispatch_rate", "hotline_on_time_feedback_rate", "hotline_closure_rate",
         "hotline_satisfaction_rate", "hotline_revisit_rate", "waste_free_index"]
# The engine computes the slice for exactly what the baseline computes: months only, the index
# for the province's cities (not their counties), the 12345 figures down to streets.
SLICE_SYSTEMS_AS = {"hotline": {"frequencies": ["month"]},
                    "waste_free": {"frequencies": ["month"], "levels": ["province", "city"]}}
SCREENS = ["/screen", "/screen/economy", "/screen/governance", "/screen/environment", "/screen/waste_free",
           "/screen/infrastructure", "/screen?region=330600", "/screen?region=330100", "/screen?region=330382"]

# Targets of the benchmark issue, judged in the table.
TARGET_FIRST_LOAD_MS, TARGET_RESCOPE_MS = 300, 200
TARGET_BROWSER_S = 3.0
TARGET_WORKER_MIB = 500
TARGET_SCAN_RATIO, TARGET_PANDAS_SPEEDUP = 3.0, 10.0
TARGET_GRID_MS = 300  # a record grid page, server p95, at scale 50
TARGET_EXPORT_S, TARGET_EXPORT_MIB, EXPORT_ROWS = 15.0, 500, 200_000
TARGET_LOAD_P95_MS = 500  # every request of 100 paced and 20 unpaced users, two workers


@dataclass(frozen=True)
class Mode:
    name: str
    scales: tuple[float, ...]
    repeat: int  # refresh, scan bound and pandas runs per scale
    screen_repeat: int  # server-time samples per screen case
    browser_runs: int  # browser navigations per scale
    ingest_rows: int  # rows of hotline orders for the ingest throughput
    records_repeat: int = 15  # server-time samples per record grid case
    export_rows: int = EXPORT_ROWS  # rows an export benchmark writes (fewer when the lake holds fewer)
    load: tuple[int, int, float] = (100, 20, 60.0)  # paced users, unpaced clients, seconds (bench.load)
    load_steps: int | None = None  # how many of bench.load's recorded steps (None: all)


MODES = {
    "quick": Mode("quick", (0.02,), repeat=1, screen_repeat=5, browser_runs=2, ingest_rows=20_000,
                  records_repeat=5, export_rows=20_000, load=(6, 2, 5.0), load_steps=1),
    "full": Mode("full", (1.0, 10.0, 50.0), repeat=3, screen_repeat=15, browser_runs=5, ingest_rows=500_000),
}


def machine() -> dict:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb
    import pandas

    return {"cores": os.cpu_count(), "memory_gib": round(mem, 1), "cpu": cpu, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pandas.__version__, "os": platform.platform()}


def child(step: str, *args: str, env: dict | None = None) -> dict:
    """Run one `bench.child` step; its JSON result."""
    proc = subprocess.run([sys.executable, "-m", "bench.child", step, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=REPO_ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"bench step {step} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# -- steps -------------------------------------------------------------------------------------

def ingest_throughput(lake: Path, work: Path, rows: int) -> dict:
    """Rows/s of `cockpit ingest` for the same hotline orders as CSV and as Parquet."""
    import pandas as pd

    from cockpit.feeds.ingest import ingest_file
    from cockpit.feeds.lake import table_files

    frame = pd.concat([pd.read_parquet(f) for f in table_files(lake, "hotline_orders")], ignore_index=True)
    frame = frame.head(rows)
    out = {"rows": len(frame)}
    csv, parquet = work / "orders.csv", work / "orders.parquet"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet, index=False)
    for kind, path in (("csv", csv), ("parquet", parquet)):
        target = work / f"ingest-{kind}"
        started = time.perf_counter()
        result = ingest_file("hotline_orders", path, lake_dir=target)
        seconds = time.perf_counter() - started
        out[f"{kind}_rows_per_s"] = result.loaded / seconds
        shutil.rmtree(target, ignore_errors=True)
    csv.unlink()
    parquet.unlink()
    return out


def scan_bound(lake: Path, repeat: int) -> float:
    from bench.refresh import scan_lower_bound

    return statistics.median(scan_lower_bound(lake) for _ in range(repeat))


def _rss_mib(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def serve_and_browse(lake: Path, snapshots: Path, runs: int) -> dict:
    """Start a serving worker, open every screen in headless Chromium (time to all panels drawn),
    and read the worker's memory afterwards."""
    with served({"COCKPIT_LAKE_DIR": str(lake), "COCKPIT_SNAPSHOT_DIR": str(snapshots)}) as server:
        browser = _browser_times(server, runs) if Path(CHROMIUM).exists() else {}
        _visit_every_page(server)  # so the memory is that of a worker that has built every view
        rss, peak = _rss_mib(server.worker_pids()[0])  # the one worker (the master only watches it)
        return {**browser, "worker_rss_mib": rss, "worker_peak_mib": peak}


def serve_under_load(lake: Path, snapshots: Path, mode: Mode) -> dict:
    """`bench.load`: signed-in users paced as people are plus unpaced clients against two workers."""
    from bench import load

    env = {"COCKPIT_LAKE_DIR": str(lake), "COCKPIT_SNAPSHOT_DIR": str(snapshots)}
    steps = load.LEADER_STEPS + load.STAFF_STEPS
    if mode.load_steps is not None:  # one screen, one page and one records list
        steps = (load.LEADER_STEPS[0], load.STAFF_STEPS[0], load.STAFF_STEPS[-1])
    users, unpaced, seconds = mode.load
    with load.served_for_load(env, workers=2) as server:
        report = load.run(server, users, unpaced, seconds, env=env, steps=steps)
    log(f"  load: {report['requests']} requests, {report['errors']} errors, p95 {report['p95_ms']:.0f} ms")
    return report


def _visit_every_page(server) -> None:
    """Open every screen and page in headless Chromium until its callbacks have answered (an HTTP
    GET alone returns only the page shell: Dash builds the views in callbacks)."""
    url = server.url
    if not Path(CHROMIUM).exists():
        opener = server.opener()
        for path in SCREENS + ["/", "/waste-free"]:
            opener.open(url + path, timeout=60).read()
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            server.sign_in(context)
            page = context.new_page()
            for path in SCREENS + ["/", "/waste-free"]:
                page.goto(url + path, wait_until="networkidle", timeout=60_000)
        finally:
            browser.close()


_ALL_DRAWN = """() => {
  const canvas = document.querySelector('#screen-canvas');
  if (!canvas) return false;
  const graphs = [...canvas.querySelectorAll('.bs-graph')];
  const drawn = graphs.filter(g => g.querySelector('.js-plotly-plot .main-svg .trace, .js-plotly-plot .main-svg .barlayer path'));
  const map = window.cockpitDeckmap && window.cockpitDeckmap.live() > 0 && window.cockpitDeckmap.stats.frames > 0;
  return graphs.length >= 6 && drawn.length === graphs.length && map;
}"""


def _browser_times(server, runs: int) -> dict:
    """Milliseconds to every panel drawn (graphs and the map) in headless Chromium:
    - load: from navigation start, each run in a fresh browser context (nothing cached), over
      the overview, a theme and a city;
    - re-scope: from a click on a city in the ranking to the screen redrawn for that city, in
      the page already open (how a leader moves about the wall)."""
    from playwright.sync_api import sync_playwright

    url = server.url
    loads, rescopes = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for n in range(runs):
                for path in ("/screen", "/screen/environment", "/screen?region=330600"):
                    context = browser.new_context(viewport={"width": 1920, "height": 1080})
                    server.sign_in(context)  # the session is made before the clock starts
                    page = context.new_page()
                    page.goto(url + path)
                    page.wait_for_function(_ALL_DRAWN, timeout=60_000, polling="raf")
                    if n > 0:  # the first round warms the server's per-snapshot results and the OS caches
                        loads.append(page.evaluate("performance.now()"))
                    if path == "/screen" and n > 0:
                        rescopes.append(_rescope_ms(page))
                    context.close()
        finally:
            browser.close()
    if not loads:
        return {}
    return {"browser_p50_ms": statistics.median(loads), "browser_p95_ms": _p95(loads), "browser_n": len(loads),
            "rescope_p50_ms": statistics.median(rescopes), "rescope_p95_ms": _p95(rescopes)}


def _rescope_ms(page) -> float:
    """Click the last city of the overview's ranking; milliseconds until its screen is drawn."""
    title = page.inner_text("#screen-title")
    bar = page.locator("#screen-index .bars path").nth(0).bounding_box()
    started = page.evaluate("performance.now()")
    page.mouse.click(bar["x"] + bar["width"] - 8, bar["y"] + bar["height"] / 2)
    page.wait_for_function(f"""() => {{
        const t = document.querySelector('#screen-title');
        return t && t.innerText !== {json.dumps(title)} && ({_ALL_DRAWN})(); }}""", timeout=60_000, polling="raf")
    return page.evaluate("performance.now()") - started


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_scale(scale: float, mode: Mode, work: Path) -> dict:
    lake, snapshots, slice_dir = work / "lake", work / "snapshots", work / "slice-definitions"
    shutil.rmtree(lake, ignore_errors=True)
    log(f"scale {scale:g}: building the demo")
    build = child("build", "--lake", str(lake), "--scale", str(scale))
    log(f"  {build['rows']:,} rows in {build['seconds']:.1f} s")
    out: dict = {"scale": scale, "rows": build["rows"], "build_s": build["seconds"],
                 "build_rows_per_s": build["rows"] / build["seconds"], "build_peak_mib": build["peak_rss_mib"]}

    refreshes = []
    for n in range(mode.repeat):
        shutil.rmtree(snapshots, ignore_errors=True)
        refreshes.append(child("refresh", "--lake", str(lake), "--snapshots", str(snapshots)))
        log(f"  refresh {n + 1}: {refreshes[-1]['seconds']:.1f} s, peak {refreshes[-1]['peak_rss_mib']:.0f} MiB")
    out["refresh_s"] = statistics.median(r["seconds"] for r in refreshes)
    out["refresh_runs_s"] = [r["seconds"] for r in refreshes]
    out["refresh_peak_mib"] = max(r["peak_rss_mib"] for r in refreshes)
    out["refresh_stages_s"] = {k: statistics.median(r["stages"][k] for r in refreshes) for k in refreshes[0]["stages"]}
    out["values"] = refreshes[-1]["values"]
    out["scan_s"] = scan_bound(lake, max(3, mode.repeat))
    out["scan_ratio"] = out["refresh_s"] / out["scan_s"]
    log(f"  scan lower bound {out['scan_s']:.3f} s: refresh is {out['scan_ratio']:.1f}× it")

    from cockpit.indicators.subset import write_subset

    shutil.rmtree(slice_dir, ignore_errors=True)
    out["slice_indicators"] = len(write_subset(SLICE, slice_dir, systems_as=SLICE_SYSTEMS_AS))
    engine, pandas_runs = [], []
    for _ in range(mode.repeat):
        slice_snapshots = work / "slice-snapshots"
        shutil.rmtree(slice_snapshots, ignore_errors=True)
        engine.append(child("refresh", "--lake", str(lake), "--snapshots", str(slice_snapshots),
                            "--definitions", str(slice_dir)))
        pandas_runs.append(child("pandas", "--lake", str(lake), "--snapshot", engine[-1]["snapshot"]))
    out["slice_engine_s"] = statistics.median(r["seconds"] for r in engine)
    out["slice_engine_peak_mib"] = max(r["peak_rss_mib"] for r in engine)
    out["pandas_s"] = statistics.median(r["seconds"] for r in pandas_runs)
    out["pandas_peak_mib"] = max(r["peak_rss_mib"] for r in pandas_runs)
    out["pandas_agrees"] = all(r["agrees"] for r in pandas_runs)
    out["pandas_max_abs_diff"] = max(r["max_abs_diff"] for r in pandas_runs)
    out["pandas_compared"] = pandas_runs[-1]["compared"]
    log(f"  slice: engine {out['slice_engine_s']:.1f} s, pandas {out['pandas_s']:.1f} s, "
        f"agree: {out['pandas_agrees']} (max diff {out['pandas_max_abs_diff']:.1e})")

    env = {"COCKPIT_LAKE_DIR": str(lake), "COCKPIT_SNAPSHOT_DIR": str(snapshots)}
    out["screen"] = child("screen", "--repeat", str(mode.screen_repeat), env=env)["cases"]
    out.update(records_and_exports(mode, env))
    out.update(serve_and_browse(lake, snapshots, mode.browser_runs))
    out["load"] = serve_under_load(lake, snapshots, mode)
    log(f"  screen and worker: {json.dumps({k: v for k, v in out.items() if k.startswith(('browser', 'worker'))})}")
    return out


def records_and_exports(mode: Mode, env: dict) -> dict:
    """A record grid page's server time, and an export of up to `mode.export_rows` records in each
    format, each export in a process of its own (its peak memory is the export's)."""
    grid = child("records", "--repeat", str(mode.records_repeat), env=env)["cases"]
    exports = {fmt: child("export", "--format", fmt, "--rows", str(mode.export_rows), env=env)
               for fmt in ("xlsx", "csv")}
    log("  records: " + "; ".join(f"{c['case']} p95 {c['p95_ms']:.0f} ms" for c in grid) + "; "
        + "; ".join(f"{fmt} {e['rows']:,} rows {e['seconds']:.1f} s peak {e['peak_rss_mib']:.0f} MiB"
                    for fmt, e in exports.items()))
    return {"records": grid, "exports": exports}


def run(mode: Mode, out_dir: Path) -> dict:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="cockpit-bench-"))
    try:
        results = {"mode": mode.name, "date": datetime.now().isoformat(timespec="minutes"), "machine": machine(),
                   "scales": []}
        for scale in mode.scales:
            results["scales"].append(run_scale(scale, mode, work))
            if scale == mode.scales[0]:
                results["ingest"] = ingest_throughput(work / "lake", work, mode.ingest_rows)
        results["seconds"] = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from bench.report import write_report

    write_report(results, out_dir)
    return results
