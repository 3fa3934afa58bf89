"""The lake: finished files only, atomic publishing, the per-table lock, the ingest log.

The concurrency tests run real processes (readers and ingests), bounded in loops and time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cockpit.feeds import lake
from cockpit.feeds.ingest import IngestError, ingest_file

REPO_ROOT = Path(__file__).resolve().parents[1]
GRID = "330102001001001"
PART_NAME = re.compile(r"part-\d{8}T\d{12}-[0-9a-f]{8}\.parquet")
PROCESS_TIMEOUT = 60


def write_orders(path: Path, first: int, count: int, *, bad: int = 0) -> Path:
    """A hotline_orders CSV of `count` good rows numbered from `first`, then `bad` rows with an unknown region."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["order_id", "channel", "appeal_type", "category_l1", "region_code", "created_at", "status",
                         "updated_at"])
        for i in range(first, first + count + bad):
            region = GRID if i < first + count else "339999"
            writer.writerow([f"H{i:07d}", "电话", "投诉", "城市管理", region, "2026-10-01 08:00:00", "已办结",
                             "2026-10-02 08:00:00"])
    return path


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def run_python(script: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=PROCESS_TIMEOUT)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def wait_for(path: Path, seconds: float = PROCESS_TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.01)


# Waits for a go file (so several processes start together), then ingests one file.
INGEST_SCRIPT = """
import json, sys, time
from pathlib import Path
from cockpit.feeds.ingest import ingest_file
table, source, lake_dir, ready, go = sys.argv[1:6]
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.002)
r = ingest_file(table, source, lake_dir=Path(lake_dir))
print(json.dumps({"loaded": r.loaded, "duplicates": r.duplicates, "quarantined": r.quarantined}))
"""

# Reads the whole table in a loop until told to stop; records every count and every error.
READER_SCRIPT = """
import json, sys, time
from pathlib import Path
import duckdb
table_glob, ready, stop = sys.argv[1:4]
connection = duckdb.connect()
counts, errors = [], []
Path(ready).touch()
deadline = time.monotonic() + 30
for _ in range(20000):
    stopping = Path(stop).exists() or time.monotonic() > deadline
    try:
        counts.append(connection.execute(
            "SELECT count(*), count(DISTINCT order_id), min(created_at) FROM read_parquet(?)", [table_glob]
        ).fetchone()[0])
    except Exception as exc:
        errors.append(repr(exc))
    if stopping:
        break
print(json.dumps({"counts": counts, "errors": errors}))
"""


# -- layout ------------------------------------------------------------------------------------

def test_table_files_lists_only_finished_parts_in_order(tmp_path: Path) -> None:
    directory = lake.table_dir(tmp_path, "grid_events")
    directory.mkdir(parents=True)
    table = pa.table({"x": [1]})
    newer, older = "part-20261002T000000000000-0000000b.parquet", "part-20261001T000000000000-0000000a.parquet"
    for name in (newer, older, ".tmp-part-20261003T000000000000-0000000c.parquet.partial"):
        pq.write_table(table, directory / name)
    (directory / ".lock").touch()
    assert lake.table_files(tmp_path, "grid_events") == [directory / older, directory / newer]
    assert lake.quarantine_files(tmp_path, "grid_events") == []
    globbed = duckdb.execute("SELECT file FROM glob(?)", [str(directory / "*.parquet")]).fetchall()
    assert sorted(Path(f).name for (f,) in globbed) == [older, newer]  # DuckDB skips the temporary file too


def test_publish_writes_named_parts_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    paths = lake.publish([(first, pa.table({"x": [1, 2]})), (second, pa.table({"y": ["z"]}))])
    assert [p.parent for p in paths] == [first, second]
    assert all(PART_NAME.fullmatch(p.name) for p in paths)
    assert pq.read_table(paths[0]).column("x").to_pylist() == [1, 2]
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["a", "b", *(p.name for p in paths)])


def test_unseen_rows_drops_repeated_and_existing_keys(tmp_path: Path) -> None:
    existing = tmp_path / "part-1.parquet"
    pq.write_table(pa.table({"k": ["a", None], "n": [1, 2]}), existing)
    keys = pa.table({"k": ["b", "a", "b", None, "c", "c"], "n": [1, 1, 1, 2, 3, 4]})
    assert lake.unseen_rows([], keys).tolist() == [0, 1, 3, 4, 5]
    assert lake.unseen_rows([existing], keys).tolist() == [0, 4, 5]  # a null key part matches a null


# -- failures ----------------------------------------------------------------------------------

@pytest.mark.parametrize("failing_call", [1, 2], ids=["quarantine-rename", "lake-rename"])
def test_failure_between_write_and_rename_leaves_the_lake_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int) -> None:
    lake_dir = tmp_path / "lake"
    ingest_file("hotline_orders", write_orders(tmp_path / "seed.csv", 0, 5, bad=1), lake_dir=lake_dir)
    before = snapshot(lake_dir)
    real_replace = os.replace
    calls = []

    def replace_failing_once(source: str | Path, target: str | Path) -> None:
        calls.append(target)
        if len(calls) == failing_call:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_failing_once)
    with pytest.raises(IngestError, match=r"new\.csv: could not write to the lake .*No space left"):
        ingest_file("hotline_orders", write_orders(tmp_path / "new.csv", 100, 5, bad=1), lake_dir=lake_dir)
    assert len(calls) == failing_call
    assert snapshot(lake_dir) == before  # no new part, no quarantine file, no temporary file, no log line


# -- concurrency -------------------------------------------------------------------------------

def write_parquet_slowly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parquet files trickle onto disk in chunks, as on a busy disk: a reader can catch one half-written."""
    real_write_table = pq.write_table

    def trickle(data: bytes, target) -> None:
        quarter = len(data) // 4 + 1
        for start in range(0, len(data), quarter):
            target.write(data[start:start + quarter])
            target.flush()
            time.sleep(0.005)

    def slow_write_table(table: pa.Table, where, **options) -> None:
        buffer = io.BytesIO()
        real_write_table(table, buffer, **options)
        if isinstance(where, str | Path):
            with open(where, "wb") as target:
                trickle(buffer.getvalue(), target)
        else:
            trickle(buffer.getvalue(), where)

    monkeypatch.setattr(pq, "write_table", slow_write_table)


def test_readers_never_see_partial_files_while_ingest_appends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake_dir = tmp_path / "lake"
    write_parquet_slowly(monkeypatch)
    rows_a_file, files = 1000, 12
    ingest_file("hotline_orders", write_orders(tmp_path / "0.csv", 0, rows_a_file), lake_dir=lake_dir)
    sources = [write_orders(tmp_path / f"{n}.csv", n * rows_a_file, rows_a_file) for n in range(1, files)]
    ready, stop = tmp_path / "reader.ready", tmp_path / "reader.stop"
    reader = run_python(READER_SCRIPT, str(lake.table_dir(lake_dir, "hotline_orders") / "*.parquet"),
                        str(ready), str(stop))
    try:
        wait_for(ready)
        for source in sources:
            assert ingest_file("hotline_orders", source, lake_dir=lake_dir).loaded == rows_a_file
            time.sleep(0.02)  # let the reader query between ingests as well as during them
    finally:
        stop.touch()
    seen = finish(reader)
    assert seen["errors"] == []
    counts = seen["counts"]
    assert all(c % rows_a_file == 0 for c in counts), "a reader saw part of a file"
    assert counts == sorted(counts) and counts[-1] == files * rows_a_file
    assert len(set(counts)) >= 3, "the reader did not overlap the ingests"


def test_two_processes_ingesting_the_same_file_load_it_once(tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    source = write_orders(tmp_path / "orders.csv", 0, 3000)
    go = tmp_path / "go"
    processes = [run_python(INGEST_SCRIPT, "hotline_orders", str(source), str(lake_dir), str(tmp_path / f"{n}.ready"),
                            str(go)) for n in range(2)]
    for n in range(2):
        wait_for(tmp_path / f"{n}.ready")
    go.touch()
    results = [finish(p) for p in processes]
    assert sorted(r["loaded"] for r in results) == [0, 3000]
    assert sum(r["duplicates"] for r in results) == 3000
    files = [str(f) for f in lake.table_files(lake_dir, "hotline_orders")]
    assert len(files) == 1
    total, distinct = duckdb.execute("SELECT count(*), count(DISTINCT order_id) FROM read_parquet(?)", [files]).fetchone()
    assert (total, distinct) == (3000, 3000)


def test_an_ingest_waits_for_the_table_lock(tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    source = write_orders(tmp_path / "orders.csv", 0, 10)
    go, ready = tmp_path / "go", tmp_path / "ready"
    go.touch()
    with lake.table_lock(lake_dir, "hotline_orders"):
        process = run_python(INGEST_SCRIPT, "hotline_orders", str(source), str(lake_dir), str(ready), str(go))
        wait_for(ready)
        time.sleep(1.0)  # ample time to read 10 rows and reach the lock
        assert process.poll() is None, process.communicate()
        assert lake.table_files(lake_dir, "hotline_orders") == []
    assert finish(process)["loaded"] == 10
    assert len(lake.table_files(lake_dir, "hotline_orders")) == 1


# -- ingest log --------------------------------------------------------------------------------

def test_read_ingest_log_newest_first_skipping_torn_lines(tmp_path: Path) -> None:
    assert lake.read_ingest_log(tmp_path) == []
    for n in range(5):
        lake.append_ingest_log(tmp_path, {"table": "t", "n": n})
    with (tmp_path / lake.INGEST_LOG).open("a", encoding="utf-8") as f:
        f.write('{"table": "t", "n": 5')  # a write cut short
    assert [e["n"] for e in lake.read_ingest_log(tmp_path, limit=3)] == [4, 3]
    assert [e["n"] for e in lake.read_ingest_log(tmp_path)] == [4, 3, 2, 1, 0]
