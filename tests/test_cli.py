"""The `cockpit` command as an operator uses it: counts on success, one clear line on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COCKPIT_LAKE_DIR": str(tmp_path / "lake"), "COCKPIT_SNAPSHOT_DIR": str(tmp_path / "snap"),
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cockpit.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture()
def orders_csv(tmp_path) -> Path:
    f = tmp_path / "工单.csv"
    f.write_text(
        "工单编号,受理渠道,诉求类型,一级分类,所属区划,受理时间,工单状态,更新时间\n"
        "T-1,电话,投诉,城乡建设,330102001001001,2026-11-01 09:00,办理中,2026-11-01 09:05\n"
        "T-2,电话,投诉,城乡建设,339999999999999,2026-11-01 10:00,办理中,2026-11-01 10:05\n", encoding="gbk")
    return f


def test_ingest_prints_counts_that_add_up(orders_csv, tmp_path):
    result = run(["ingest", "hotline_orders", str(orders_csv), "--no-refresh"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "339999999999999" in result.stderr  # the quarantined row's reason is shown
    row = next(line for line in result.stderr.splitlines() if "工单.csv" in line and "│" in line)
    assert [c.strip() for c in row.split("│")[2:6]] == ["2", "1", "1", "0"]  # read, loaded, quarantined, duplicates
    again = run(["ingest", "hotline_orders", str(orders_csv), "--no-refresh"], tmp_path)
    row = next(line for line in again.stderr.splitlines() if "工单.csv" in line and "│" in line)
    assert [c.strip() for c in row.split("│")[2:6]] == ["2", "0", "1", "1"]
    assert "1 of the quarantined rows were already in quarantine" in again.stderr  # and not added again


def test_an_unreadable_file_is_one_line_naming_file_and_problem(tmp_path):
    missing_column = tmp_path / "bad.csv"
    missing_column.write_text("order_id,channel\nA,电话\n", encoding="utf-8")
    result = run(["ingest", "hotline_orders", str(missing_column)], tmp_path)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "bad.csv" in lines[0]
    assert "Traceback" not in result.stderr
    unknown = run(["ingest", "no_such_feed", str(missing_column)], tmp_path)
    assert unknown.returncode == 1 and "unknown feed 'no_such_feed'" in unknown.stderr


def test_check_passes_on_the_shipped_definitions(tmp_path):
    result = run(["check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "all valid" in result.stderr


def test_ingests_and_failed_ingests_are_audited(orders_csv, tmp_path, monkeypatch):
    state = f"sqlite:///{tmp_path / 'state.sqlite'}"
    monkeypatch.setenv("COCKPIT_STATE_URL", state)
    assert run(["ingest", "hotline_orders", str(orders_csv), "--no-refresh"], tmp_path).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,channel\nA,电话\n", encoding="utf-8")
    assert run(["ingest", "hotline_orders", str(bad), "--no-refresh"], tmp_path).returncode == 1
    from cockpit.state import audit

    entries = list(audit.entries(url=state))
    done = next(e for e in entries if e["action"] == "ingest")
    assert done["target"] == "hotline_orders" and done["actor"].startswith("cli")
    assert (done["details"]["read"], done["details"]["loaded"], done["details"]["quarantined"]) == (2, 1, 1)
    failed = next(e for e in entries if e["action"] == "ingest_failed")
    assert failed["details"]["file"].endswith("bad.csv") and "bad.csv" in failed["details"]["problem"]
    assert audit.verify(url=state).ok
