"""`cockpit bench --quick`: the whole benchmark runs end to end and writes its report and plots."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cockpit.config import REPO_ROOT

pytestmark = pytest.mark.browser


def test_quick_benchmark_writes_a_report_with_every_target(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = (tmp_path / "BENCHMARKS-quick.md").read_text(encoding="utf-8")
    for target in ("first load", "Re-scope", "scan lower bound", "pandas baseline", "Serving worker",
                   "page load to every panel drawn", "unpaced users for", "## Serving under load"):
        assert target in report, target
    assert "| pandas baseline gives the engine's numbers | yes | met |" in report
    results = json.loads((tmp_path / "docs" / "benchmarks" / "results-quick.json").read_text())
    scale = results["scales"][0]
    assert scale["rows"] > 100_000 and scale["refresh_s"] > scale["scan_s"] > 0
    assert scale["pandas_agrees"] and scale["worker_rss_mib"] > 50
    assert {c["state"] for c in scale["screen"]} == {"cold", "warm"}
    load = scale["load"]
    assert load["errors"] == 0 and load["requests"] > 20 and len(load["worker_peak_rss_mib"]) == 2, load
    assert {"screen callback", "page callback", "records callback"} <= set(load["kinds"])
    assert results["ingest"]["csv_rows_per_s"] > 1000 and results["ingest"]["parquet_rows_per_s"] > 1000
    for plot in ("refresh-quick.png", "screen-quick.png"):
        assert (tmp_path / "docs" / "benchmarks" / plot).stat().st_size > 10_000
