"""Records that change over their life: `updates: latest` tables, history, compaction, faults.

A 12345 order is sent again at each step (accepted, dispatched, closed): the lake keeps every
version, the latest one (highest `updated_at`, a tie to the later part) is the order in every
query and refresh. Fixture lakes are built in tmp_path through the real ingest path.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cockpit.feeds import ingest as ingest_module
from cockpit.feeds import lake
from cockpit.feeds.contracts import ContractError, load_contracts
from cockpit.feeds.ingest import IngestError, IngestResult, ingest_file, ingest_frame
from cockpit.indicators import refresh as engine
from cockpit.query.snapshot import Snapshot
from tests.test_ingest import snapshot, write_csv
from tests.test_refresh import value

GRID = "330102001001001"
HOTLINE = "hotline_orders"


@pytest.fixture()
def lake_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "lake"
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(path))
    return path


def order(order_id: str, status: str, updated: str, created: str = "2026-10-05 09:00:00", **extra: str) -> dict:
    return {"order_id": order_id, "channel": "电话", "appeal_type": "投诉", "category_l1": "城乡建设",
            "region_code": GRID, "created_at": created, "status": status, "updated_at": updated, **extra}


def checked(result: IngestResult) -> IngestResult:
    """Every row read is loaded, quarantined, a duplicate or superseded."""
    assert result.loaded + result.quarantined + result.duplicates + result.superseded == result.rows_read
    return result


def ingest_rows(tmp_path: Path, name: str, rows: list[dict]) -> IngestResult:
    return checked(ingest_file(HOTLINE, write_csv(tmp_path / name, rows)))


def latest(lake_dir: Path) -> dict[str, str]:
    """order_id → status, as every query and refresh sees the table."""
    source = lake.table_source(lake_dir, HOTLINE)
    return dict(duckdb.execute(f"SELECT order_id, status FROM {source} ORDER BY ALL").fetchall()) if source else {}


def history(lake_dir: Path) -> list[tuple[str, str, datetime]]:
    source = lake.history_source(lake_dir, HOTLINE)
    return duckdb.execute(f"SELECT order_id, status, updated_at FROM {source} ORDER BY order_id, updated_at").fetchall()


# -- contracts -------------------------------------------------------------------------------------

def test_hotline_orders_keep_the_latest_version_and_other_feeds_append() -> None:
    contracts = load_contracts()
    hotline = contracts.table(HOTLINE)
    assert (hotline.updates, hotline.version_column, hotline.keeps_latest) == ("latest", "updated_at", True)
    column = hotline.column("updated_at")
    assert (column.type, column.required, column.label_zh, column.label_en) == ("timestamp", True, "更新时间", "Updated at")
    assert {t.updates for t in contracts.tables if t.name != HOTLINE} == {"append_only"}


TABLE = """family: t
label_zh: 测试
label_en: Test
tables:
  - name: orders
    label_zh: 工单
    label_en: Orders
    natural_key: [order_id]
    region_column: region_code
{extra}
    columns:
      - {{name: order_id, type: string, required: true, label_zh: 编号, label_en: ID}}
      - {{name: region_code, type: string, required: true, label_zh: 区划, label_en: Region}}
      - {{name: updated_at, type: timestamp, required: true, label_zh: 更新, label_en: Updated}}
      - {{name: note_at, type: timestamp, label_zh: 备注时间, label_en: Noted}}
      - {{name: label, type: string, required: true, label_zh: 标签, label_en: Label}}
"""


@pytest.mark.parametrize(("extra", "problem"), [
    ("    updates: sometimes", "updates 'sometimes' is not one of append_only, latest"),
    ("    updates: latest", "updates: latest needs a version_column"),
    ("    updates: latest\n    version_column: nope", "version_column 'nope' is not a column"),
    ("    updates: latest\n    version_column: label", "version_column label is a string; it must be one of timestamp, integer"),
    ("    updates: latest\n    version_column: note_at", "version_column note_at must be required: true"),
    ("    updates: latest\n    version_column: order_id", "version_column order_id is a string"),
    ("    version_column: updated_at", "version_column 'updated_at' needs updates: latest"),
])
def test_bad_update_declarations_name_file_table_and_problem(tmp_path: Path, extra: str, problem: str) -> None:
    (tmp_path / "t.yaml").write_text(TABLE.format(extra=extra), encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        load_contracts(tmp_path)
    [message] = caught.value.problems
    assert message.startswith(f"{tmp_path / 't.yaml'}, table orders: {problem}")


def test_version_column_in_the_natural_key_is_refused(tmp_path: Path) -> None:
    text = TABLE.format(extra="    updates: latest\n    version_column: updated_at").replace(
        "natural_key: [order_id]", "natural_key: [order_id, updated_at]")
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContractError, match="version_column updated_at cannot be part of the natural_key"):
        load_contracts(tmp_path)


# -- ingest of versions ----------------------------------------------------------------------------

def test_a_newer_version_of_a_stored_order_replaces_it_and_history_keeps_both(tmp_path: Path, lake_dir: Path) -> None:
    """The issue's reproduction: today the closed order is a duplicate and the lake says 办理中 for ever."""
    first = ingest_rows(tmp_path, "v1.csv", [order("A", "办理中", "2026-10-05 09:00:00"),
                                             order("B", "办理中", "2026-10-05 10:00:00")])
    assert (first.loaded, first.updated) == (2, 0)
    second = ingest_rows(tmp_path, "v2.csv", [order("A", "已办结", "2026-10-09 17:00:00", closed_at="2026-10-09 17:00:00")])
    assert (second.loaded, second.updated, second.duplicates, second.superseded) == (1, 1, 0, 0)
    assert latest(lake_dir) == {"A": "已办结", "B": "办理中"}
    assert history(lake_dir) == [("A", "办理中", datetime(2026, 10, 5, 9)), ("A", "已办结", datetime(2026, 10, 9, 17)),
                                 ("B", "办理中", datetime(2026, 10, 5, 10))]
    assert "1 loaded (1 update), 0 quarantined, 0 duplicates" in second.summary()
    [entry] = [e for e in lake.read_ingest_log(lake_dir) if e["source"].endswith("v2.csv")]
    assert (entry["loaded"], entry["updated"], entry["superseded"]) == (1, 1, 0)


def test_same_version_is_a_duplicate_and_an_older_one_is_superseded(tmp_path: Path, lake_dir: Path) -> None:
    ingest_rows(tmp_path, "v2.csv", [order("A", "已办结", "2026-10-09 17:00:00")])
    before = snapshot(lake.table_dir(lake_dir, HOTLINE))
    late = ingest_rows(tmp_path, "late.csv", [order("A", "办理中", "2026-10-05 09:00:00"),  # older: superseded
                                              order("A", "已办结", "2026-10-09 17:00:00"),  # the stored one again
                                              order("A", "已办结", "2026-10-09 17:00:00")])  # and repeated
    assert (late.rows_read, late.loaded, late.duplicates, late.superseded, late.lake_file) == (3, 0, 2, 1, None)
    assert "1 superseded" in late.summary()
    assert snapshot(lake.table_dir(lake_dir, HOTLINE)) == before
    assert latest(lake_dir) == {"A": "已办结"}


def test_every_version_a_file_holds_is_kept_and_the_latest_wins(tmp_path: Path, lake_dir: Path) -> None:
    ingest_rows(tmp_path, "old.csv", [order("A", "待派单", "2026-10-05 09:00:00")])
    rows = [order("A", "已办结", "2026-10-09 17:00:00"),  # out of order in the file
            order("A", "办理中", "2026-10-06 09:00:00"),
            order("A", "待派单", "2026-10-04 09:00:00"),  # older than the stored version
            order("C", "办理中", "2026-10-06 09:00:00"),  # a new key in two versions
            order("C", "已退回", "2026-10-07 09:00:00")]
    result = ingest_rows(tmp_path, "life.csv", rows)
    assert (result.loaded, result.updated, result.superseded, result.duplicates) == (4, 3, 1, 0)
    assert latest(lake_dir) == {"A": "已办结", "C": "已退回"}
    assert [status for key, status, _ in history(lake_dir) if key == "A"] == ["待派单", "办理中", "已办结"]


def test_integer_versions_and_append_only_tables(tmp_path: Path, lake_dir: Path) -> None:
    """An integer version column orders versions too; an append-only table still drops a stored key."""
    contracts_dir = tmp_path / "contracts"
    contracts_dir.mkdir()
    (contracts_dir / "t.yaml").write_text(TABLE.replace("type: timestamp, required: true", "type: integer, required: true")
                                          .format(extra="    updates: latest\n    version_column: updated_at"),
                                          encoding="utf-8")
    contracts = load_contracts(contracts_dir)
    frame = pd.DataFrame({"order_id": ["A", "A"], "region_code": "330102", "updated_at": [2, 10], "label": ["two", "ten"]})
    ingest_frame("orders", frame, source="f", lake_dir=lake_dir, contracts=contracts)
    nine = ingest_frame("orders", frame.iloc[:1].assign(updated_at=9, label="nine"), source="g", lake_dir=lake_dir,
                        contracts=contracts)
    assert (nine.loaded, nine.superseded) == (0, 1)  # 9 < 10 as numbers, not as text
    source = lake.table_source(lake_dir, "orders", contracts.table("orders"))
    assert duckdb.execute(f"SELECT label FROM {source}").fetchall() == [("ten",)]
    events = {"event_id": "E1", "region_code": GRID, "level": "A", "source": "群众上报", "event_type": "占道经营",
              "reported_at": "2026-10-01 08:00:00", "status": "处置中"}
    checked(ingest_file("grid_events", write_csv(tmp_path / "e1.csv", [events])))
    again = checked(ingest_file("grid_events", write_csv(tmp_path / "e2.csv", [{**events, "status": "已办结"}])))
    assert (again.loaded, again.duplicates, again.superseded, again.updated) == (0, 1, 0, 0)


def test_a_tie_on_the_version_goes_to_the_later_part(tmp_path: Path, lake_dir: Path) -> None:
    """Two parts holding one version of a key (written outside ingest): the later ingest wins."""
    ingest_rows(tmp_path, "a.csv", [order("A", "办理中", "2026-10-05 09:00:00")])
    [part] = lake.table_files(lake_dir, HOTLINE)
    table = pq.read_table(part)
    later = lake.table_dir(lake_dir, HOTLINE) / lake.new_part_name()
    pq.write_table(table.set_column(table.schema.get_field_index("status"), "status", pa.array(["已办结"])), later)
    assert latest(lake_dir) == {"A": "已办结"}


def test_parts_from_before_the_table_kept_versions_are_older_than_any_version(tmp_path: Path, lake_dir: Path) -> None:
    """A lake loaded when hotline_orders was append-only has no updated_at: it reads, updates and compacts."""
    ingest_rows(tmp_path, "old.csv", [order("A", "办理中", "2026-10-05 09:00:00"), order("B", "办理中", "2026-10-05 09:00:00")])
    [part] = lake.table_files(lake_dir, HOTLINE)
    pq.write_table(pq.read_table(part).drop_columns(["updated_at"]), part)
    assert latest(lake_dir) == {"A": "办理中", "B": "办理中"}
    update = ingest_rows(tmp_path, "new.csv", [order("A", "已办结", "2026-10-09 17:00:00")])
    assert (update.loaded, update.updated, update.duplicates) == (1, 1, 0)
    assert latest(lake_dir) == {"A": "已办结", "B": "办理中"}
    result = lake.compact(lake_dir, HOTLINE, load_contracts().table(HOTLINE), grace=timedelta(0))
    assert (result.rows, result.history_rows) == (2, 1)
    assert latest(lake_dir) == {"A": "已办结", "B": "办理中"}
    assert [(key, status) for key, status, _ in history(lake_dir)] == [("A", "已办结"), ("A", "办理中"), ("B", "办理中")]


# -- compaction ------------------------------------------------------------------------------------

def build_versions(tmp_path: Path) -> None:
    """Three ingests: A in three versions, B in one, C in two."""
    ingest_rows(tmp_path, "1.csv", [order("A", "待派单", "2026-10-05 09:00:00"), order("B", "办理中", "2026-10-05 09:30:00")])
    ingest_rows(tmp_path, "2.csv", [order("A", "办理中", "2026-10-06 09:00:00"), order("C", "办理中", "2026-10-06 10:00:00")])
    ingest_rows(tmp_path, "3.csv", [order("A", "已办结", "2026-10-09 17:00:00"), order("C", "已办结", "2026-10-08 10:00:00")])


EXPECTED_LATEST = {"A": "已办结", "B": "办理中", "C": "已办结"}


def test_compaction_keeps_one_version_a_key_and_moves_the_rest_to_history(tmp_path: Path, lake_dir: Path) -> None:
    build_versions(tmp_path)
    versions = history(lake_dir)
    assert len(lake.table_files(lake_dir, HOTLINE)) == 3
    assert "QUALIFY" in lake.table_source(lake_dir, HOTLINE)
    result = lake.compact(lake_dir, HOTLINE, load_contracts().table(HOTLINE))
    assert (result.parts_before, result.parts_after, result.rows, result.history_rows) == (3, 1, 3, 3)
    assert result.pending_removal == 3 and "3 parts → 1" in result.summary()
    [current] = lake.table_files(lake_dir, HOTLINE)
    assert current.name.startswith("compacted-")
    assert "QUALIFY" not in lake.table_source(lake_dir, HOTLINE)  # one version a key: no dedup window
    assert latest(lake_dir) == EXPECTED_LATEST
    assert history(lake_dir) == versions
    assert len(lake.history_files(lake_dir, HOTLINE)) == 1
    again = lake.compact(lake_dir, HOTLINE, load_contracts().table(HOTLINE))
    assert not again.compacted and "already compact" in again.summary()
    # A version ingested after compaction is newer than the compacted one and wins.
    update = ingest_rows(tmp_path, "4.csv", [order("B", "已办结", "2026-10-10 09:00:00"),
                                              order("C", "办理中", "2026-10-07 10:00:00")])
    assert (update.loaded, update.updated, update.superseded) == (1, 1, 1)
    assert "ANTI JOIN" in lake.table_source(lake_dir, HOTLINE)  # the window runs over the new part only
    assert latest(lake_dir) == {**EXPECTED_LATEST, "B": "已办结"}
    assert len(history(lake_dir)) == len(versions) + 1


def test_old_parts_stay_readable_for_the_grace_then_go(tmp_path: Path, lake_dir: Path) -> None:
    build_versions(tmp_path)
    listed_before = lake.table_source(lake_dir, HOTLINE)  # a refresh that listed the parts just before
    old_parts = lake.table_files(lake_dir, HOTLINE)
    lake.compact(lake_dir, HOTLINE, load_contracts().table(HOTLINE))
    assert dict(duckdb.execute(f"SELECT order_id, status FROM {listed_before}").fetchall()) == EXPECTED_LATEST
    assert all(p.exists() for p in old_parts)
    with lake.table_lock(lake_dir, HOTLINE):
        assert lake.clean_leftovers(lake_dir, HOTLINE) == []  # within the grace: kept
        removed = lake.clean_leftovers(lake_dir, HOTLINE, grace=timedelta(0))
    assert sorted(removed) == sorted(old_parts) and not any(p.exists() for p in old_parts)
    assert lake.read_manifest(lake_dir, HOTLINE).obsolete == {}
    assert latest(lake_dir) == EXPECTED_LATEST
    # A second compaction keeps the first one's compacted part for the grace too.
    [first_compacted] = lake.table_files(lake_dir, HOTLINE)
    listed_before = lake.table_source(lake_dir, HOTLINE)
    ingest_rows(tmp_path, "4.csv", [order("B", "已办结", "2026-10-10 09:00:00")])
    lake.compact(lake_dir, HOTLINE, load_contracts().table(HOTLINE))
    assert first_compacted.exists() and first_compacted not in lake.table_files(lake_dir, HOTLINE)
    assert dict(duckdb.execute(f"SELECT order_id, status FROM {listed_before}").fetchall()) == EXPECTED_LATEST
    assert latest(lake_dir) == {**EXPECTED_LATEST, "B": "已办结"}


def test_append_only_compaction_merges_parts_without_losing_a_row(tmp_path: Path, lake_dir: Path) -> None:
    rows = [{"event_id": f"E{i}", "region_code": GRID, "level": "A", "source": "群众上报", "event_type": "占道经营",
             "reported_at": f"2026-10-0{i} 08:00:00", "status": "已办结"} for i in range(1, 5)]
    for i, row in enumerate(rows):
        checked(ingest_file("grid_events", write_csv(tmp_path / f"e{i}.csv", [row])))
    result = lake.compact(lake_dir, "grid_events", load_contracts().table("grid_events"), grace=timedelta(0))
    assert (result.parts_before, result.parts_after, result.rows, result.history_rows, result.pending_removal) == (4, 1, 4, 0, 0)
    source = lake.table_source(lake_dir, "grid_events")
    assert duckdb.execute(f"SELECT count(*), count(DISTINCT event_id) FROM {source}").fetchone() == (4, 4)
    assert len(list(lake.table_dir(lake_dir, "grid_events").glob("*.parquet"))) == 1


@pytest.mark.parametrize("crash", ["history-rename", "current-rename", "manifest", "old-part-removal"])
def test_a_compaction_killed_at_any_step_leaves_a_correct_table(tmp_path: Path, lake_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch, crash: str) -> None:
    build_versions(tmp_path)
    versions = history(lake_dir)
    directory = lake.table_dir(lake_dir, HOTLINE)
    real_replace, real_unlink = os.replace, Path.unlink

    def dying_replace(source: str | Path, target: str | Path) -> None:
        target = Path(target)
        step = ("history-rename" if target.parent.name == lake.HISTORY_DIR else
                "manifest" if target.name == lake.MANIFEST else "current-rename")
        if step == crash:
            raise KeyboardInterrupt  # the process dies here
        real_replace(source, target)

    def unlink_as_if_killed(self: Path, missing_ok: bool = False) -> None:
        if self.name.endswith(".partial"):
            return  # a killed process runs no clean-up: its temporary files stay
        if crash == "old-part-removal" and self.parent == directory and self.name.startswith("part-"):
            raise KeyboardInterrupt  # dies removing the old parts, after the commit
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "replace", dying_replace)
    monkeypatch.setattr(Path, "unlink", unlink_as_if_killed)
    contract = load_contracts().table(HOTLINE)
    with pytest.raises(KeyboardInterrupt):
        lake.compact(lake_dir, HOTLINE, contract, grace=timedelta(0))
    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert latest(lake_dir) == EXPECTED_LATEST
    assert history(lake_dir) == versions
    # The next run cleans what the dead one left and finishes the job.
    lake.compact(lake_dir, HOTLINE, contract, grace=timedelta(0))
    assert [p.name for p in directory.rglob("*.partial")] == []
    assert [p.name for p in directory.glob("*.parquet")] == [p.name for p in lake.table_files(lake_dir, HOTLINE)]
    assert len(list(lake.history_dir(lake_dir, HOTLINE).glob("*.parquet"))) == 1
    assert latest(lake_dir) == EXPECTED_LATEST
    assert history(lake_dir) == versions


def test_ingest_compacts_a_table_with_many_parts(tmp_path: Path, lake_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "AUTO_COMPACT_PARTS", 2)
    results = [ingest_rows(tmp_path, f"{i}.csv", [order("A", "办理中", f"2026-10-0{i} 09:00:00")]) for i in range(1, 4)]
    assert [r.compacted for r in results] == [False, False, True]
    assert "table compacted" in results[-1].summary()
    assert [p.name.split("-")[0] for p in lake.table_files(lake_dir, HOTLINE)] == ["compacted"]
    assert len(history(lake_dir)) == 3


# -- refresh follows an order through its life ------------------------------------------------------

def test_refresh_of_the_feed_recomputes_the_periods_of_the_old_and_the_new_version(tmp_path: Path,
                                                                                   lake_dir: Path) -> None:
    from cockpit.indicators.definitions import indicator_dir

    defs, snapshots = tmp_path / "indicators", tmp_path / "snapshots"
    defs.mkdir()
    (defs / "hotline.yaml").write_text((indicator_dir() / "hotline.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    ingest_rows(tmp_path, "v1.csv", [order("A", "办理中", "2026-10-05 09:00:00", created="2026-10-05 09:00:00"),
                                      order("B", "办理中", "2026-11-02 09:00:00", created="2026-11-02 09:00:00")])
    snap = Snapshot(engine.refresh(lake_dir=lake_dir, snapshot_dir=snapshots, definitions_dir=defs).path)
    assert (value(snap, "hotline_orders", GRID[:6], "2026-10"), value(snap, "hotline_orders", GRID[:6], "2026-11")) == (1, 1)
    assert value(snap, "hotline_closed", GRID[:6], "2026-11") == 0
    # The source corrects the acceptance time into November and closes the order.
    ingest_rows(tmp_path, "v2.csv", [order("A", "已办结", "2026-11-09 17:00:00", created="2026-11-03 09:00:00",
                                           closed_at="2026-11-09 17:00:00")])
    report = engine.refresh(feeds=[HOTLINE], lake_dir=lake_dir, snapshot_dir=snapshots, definitions_dir=defs)
    snap = Snapshot(report.path)
    october = snap._df("SELECT value FROM indicator_values WHERE indicator = 'hotline_orders' AND region = ? "
                       "AND period = '2026-10' AND frequency = 'month'", [GRID[:6]])["value"]
    assert october.fillna(0).sum() == 0  # the old version's month no longer counts it
    assert value(snap, "hotline_orders", GRID[:6], "2026-11") == 2
    assert value(snap, "hotline_closed", GRID[:6], "2026-11") == 1


# -- faults ----------------------------------------------------------------------------------------

def test_a_full_disk_at_the_log_line_reports_the_rows_as_loaded(tmp_path: Path, lake_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*args, **kwargs) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    real_log = lake.append_ingest_log
    monkeypatch.setattr(lake, "append_ingest_log", disk_full)
    result = ingest_rows(tmp_path, "orders.csv", [order("A", "办理中", "2026-10-05 09:00:00")])
    assert result.loaded == 1 and result.lake_file is not None and result.lake_file.exists()
    [warning] = result.warnings
    assert "ingest log line could not be written" in warning and "No space left" in warning
    assert "the rows are in the lake" in result.summary()
    assert latest(lake_dir) == {"A": "办理中"}
    monkeypatch.setattr(lake, "append_ingest_log", real_log)
    retry = ingest_rows(tmp_path, "orders.csv", [order("A", "办理中", "2026-10-05 09:00:00")])
    assert (retry.loaded, retry.duplicates) == (0, 1)  # the caller who retries anyway adds nothing


def test_partial_files_of_a_killed_ingest_are_removed_by_the_next_one(tmp_path: Path, lake_dir: Path) -> None:
    ingest_rows(tmp_path, "1.csv", [order("A", "办理中", "2026-10-05 09:00:00")])
    leftovers = [lake.table_dir(lake_dir, HOTLINE) / ".tmp-part-20261001T000000000000-0000000a.parquet.partial",
                 lake.quarantine_dir(lake_dir, HOTLINE) / ".tmp-part-20261001T000000000000-0000000b.parquet.partial",
                 lake.history_dir(lake_dir, HOTLINE) / ".tmp-part-20261001T000000000000-0000000c.parquet.partial"]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PAR1 half a file")
    other = lake.table_dir(lake_dir, "grid_events") / ".tmp-part-20261001T000000000000-0000000d.parquet.partial"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"PAR1")
    ingest_rows(tmp_path, "2.csv", [order("B", "办理中", "2026-10-05 09:00:00")])
    assert not any(p.exists() for p in leftovers)
    assert other.exists()  # another table's files are its own ingest's business
    assert latest(lake_dir) == {"A": "办理中", "B": "办理中"}


def test_retrying_a_file_does_not_quarantine_its_bad_rows_again(tmp_path: Path, lake_dir: Path) -> None:
    rows = [order("A", "办理中", "2026-10-05 09:00:00"), order("B", "不存在", "2026-10-05 09:00:00"),
            order("C", "办理中", "2026-10-05 09:00:00", region_code="339999")]
    path = write_csv(tmp_path / "orders.csv", rows)
    first = checked(ingest_file(HOTLINE, path))
    assert (first.quarantined, first.already_quarantined) == (2, 0)
    second = checked(ingest_file(HOTLINE, path))
    assert (second.loaded, second.quarantined, second.already_quarantined, second.quarantine_file) == (0, 2, 2, None)
    assert "2 quarantined (2 already in quarantine)" in second.summary()
    quarantined = duckdb.execute("SELECT _line, count(*) FROM read_parquet(?) GROUP BY ALL ORDER BY ALL",
                                 [[str(f) for f in lake.quarantine_files(lake_dir, HOTLINE)]]).fetchall()
    assert quarantined == [(3, 1), (4, 1)]
    # Changed content is another file: its bad rows are new.
    path.write_bytes(path.read_bytes() + "D,电话,投诉,城乡建设,339999,2026-10-05 09:00:00,办理中,2026-10-05 09:00:00\n"
                     .encode())
    third = checked(ingest_file(HOTLINE, path))
    assert (third.quarantined, third.already_quarantined) == (3, 0)


def test_quarantine_files_from_before_the_hash_do_not_stop_an_ingest(tmp_path: Path, lake_dir: Path) -> None:
    contract = load_contracts().table(HOTLINE)
    old_schema = pa.schema([f for f in lake.quarantine_schema(contract) if f.name != "_source_sha256"])
    directory = lake.quarantine_dir(lake_dir, HOTLINE)
    directory.mkdir(parents=True)
    pq.write_table(old_schema.empty_table(), directory / lake.new_part_name())
    result = ingest_rows(tmp_path, "bad.csv", [order("B", "不存在", "2026-10-05 09:00:00")])
    assert (result.quarantined, result.already_quarantined) == (1, 0)
    assert ingest_rows(tmp_path, "bad.csv", [order("B", "不存在", "2026-10-05 09:00:00")]).already_quarantined == 1


def test_retrying_a_frame_does_not_quarantine_its_bad_rows_again(lake_dir: Path) -> None:
    frame = pd.DataFrame([order("A", "办理中", "2026-10-05 09:00:00"), order("B", "不存在", "2026-10-05 09:00:00")])
    assert ingest_frame(HOTLINE, frame, source="feed").already_quarantined == 0
    again = ingest_frame(HOTLINE, frame, source="feed")
    assert (again.quarantined, again.already_quarantined) == (1, 1)
    other = ingest_frame(HOTLINE, frame.assign(updated_at="2026-10-06 09:00:00"), source="feed")
    assert (other.quarantined, other.already_quarantined, other.loaded, other.updated) == (1, 0, 1, 1)


def test_cockpit_compact_prints_what_it_did(tmp_path: Path) -> None:
    env = {**os.environ, "COCKPIT_LAKE_DIR": str(tmp_path / "lake"), "COCKPIT_SNAPSHOT_DIR": str(tmp_path / "snap"),
           "COLUMNS": "200"}

    def cockpit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cockpit.cli", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    for name, rows in (("1.csv", [order("A", "办理中", "2026-10-05 09:00:00")]),
                       ("2.csv", [order("A", "已办结", "2026-10-09 17:00:00"), order("A", "待派单", "2026-10-01 09:00:00")])):
        ingested = cockpit("ingest", HOTLINE, str(write_csv(tmp_path / name, rows)), "--no-refresh")
        assert ingested.returncode == 0, ingested.stderr
    row = next(line for line in ingested.stderr.splitlines() if "2.csv" in line and "│" in line)
    assert [c.strip() for c in row.split("│")[2:8]] == ["2", "1", "0", "0", "1", "1"]  # …, superseded, updates
    compacted = cockpit("compact", HOTLINE)
    assert compacted.returncode == 0, compacted.stderr
    assert "compact: hotline_orders: 2 parts → 1, 1 records, 1 superseded versions moved to the history" in compacted.stderr
    everything = cockpit("compact")
    assert "hotline_orders: already compact (1 part)" in everything.stderr
    assert "grid_events" not in everything.stderr  # never loaded: nothing to say
    unknown = cockpit("compact", "no_such_feed")
    assert unknown.returncode == 1 and "unknown feed 'no_such_feed'" in unknown.stderr


# Reads the table's records in a loop until told to stop; records what it saw and every error.
RECORDS_READER = """
import json, sys, time
from pathlib import Path
import duckdb
from cockpit.feeds.lake import table_source
lake_dir, ready, stop = sys.argv[1:4]
connection = duckdb.connect()
seen, sources, errors = set(), set(), []
Path(ready).touch()
deadline = time.monotonic() + 60
while True:
    stopping = Path(stop).exists() or time.monotonic() > deadline
    try:
        source = table_source(Path(lake_dir), "hotline_orders")
        sources.add(source)
        seen.add(connection.execute(f"SELECT count(*), count(DISTINCT order_id), "
                                    f"count(*) FILTER (WHERE status = '已办结') FROM {source}").fetchone())
    except Exception as exc:
        errors.append(repr(exc))
    if stopping:
        break
print(json.dumps({"seen": sorted(seen), "sources": len(sources), "errors": errors[:5]}))
"""


def test_readers_see_the_right_records_while_ingests_and_compactions_run(tmp_path: Path, lake_dir: Path) -> None:
    from tests.test_lake import finish, run_python, wait_for

    orders = 500
    versions = [[order(f"H{i:04d}", "已办结", f"2026-10-{day:02d} 09:00:00") for i in range(orders)] for day in range(9, 20)]
    ingest_rows(tmp_path, "first.csv", [order(f"H{i:04d}", "办理中", "2026-10-05 09:00:00") for i in range(orders)])
    ingest_rows(tmp_path, "closed.csv", versions[0])
    ready, stop = tmp_path / "reader.ready", tmp_path / "reader.stop"
    reader = run_python(RECORDS_READER, str(lake_dir), str(ready), str(stop))
    contract = load_contracts().table(HOTLINE)
    try:
        wait_for(ready)
        for n, rows in enumerate(versions[1:]):  # a newer version of every order, then a compaction
            assert ingest_rows(tmp_path, f"v{n}.csv", rows).updated == orders
            lake.compact(lake_dir, HOTLINE, contract)
    finally:
        stop.touch()
    seen = finish(reader)
    assert seen["errors"] == []
    assert seen["seen"] == [[orders, orders, orders]]  # every order, once, closed: at every instant
    assert seen["sources"] >= 3, "the reader did not overlap the ingests and compactions"
    assert len(history(lake_dir)) == orders * (len(versions) + 1)


def test_a_damaged_manifest_is_named_not_guessed_around(tmp_path: Path, lake_dir: Path) -> None:
    """Guessing which parts count could count a row twice: the damaged file is named instead."""
    build_versions(tmp_path)
    lake.compact(lake_dir, HOTLINE, load_contracts().table(HOTLINE))
    manifest = lake.table_dir(lake_dir, HOTLINE) / lake.MANIFEST
    manifest.write_text('{"compacted": ["compacted-', encoding="utf-8")
    with pytest.raises(lake.LakeError, match=rf"^{manifest}: damaged compaction manifest"):
        lake.table_source(lake_dir, HOTLINE)
    with pytest.raises(IngestError, match=r"orders\.csv: the lake cannot take rows: .*_manifest\.json: damaged"):
        ingest_file(HOTLINE, write_csv(tmp_path / "orders.csv", [order("Z", "办理中", "2026-10-05 09:00:00")]))
