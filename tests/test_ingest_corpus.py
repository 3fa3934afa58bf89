"""A hostile corpus, reconciled: generated bad files for three feeds, every row accounted for.

The corpus mixes formats (UTF-8 and GB18030 CSV, XLSX, JSON lines) and, in each file, new good
rows, rows that break the contract in known ways, rows repeating earlier files (duplicates) and,
for the versioned 12345 feed, newer and older versions of orders already stored. The generator
knows what each file should do to the lake, so every ingest is checked against that expectation,
not only against itself: read = loaded + quarantined + duplicates + superseded, and at the end
the lake holds exactly the good rows, the quarantine exactly the bad ones. Files that cannot be
read at all are refused and change nothing.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from cockpit.feeds.contracts import load_contracts
from cockpit.feeds.ingest import IngestError, ingest_file
from cockpit.feeds.lake import history_source, quarantine_files, table_source

GRIDS = ["330102001001001", "330102001001002", "330602001001001"]
COUNTIES = ["330102", "330106", "330602", "330603", "330783"]
SEED = 20261202
FILES_PER_FEED = 27


@dataclass
class Expected:
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    superseded: int = 0
    reasons: list[str] = field(default_factory=list)
    """A word each quarantined row's reason must contain, in row order."""


@dataclass
class Feed:
    """One feed's generator: its good rows, the ways a row can break, and what the lake should hold."""

    name: str
    rng: random.Random
    stored: dict[tuple, dict[str, str]] = field(default_factory=dict)  # key -> latest stored version
    serial: int = 0

    def key(self, row: dict[str, str]) -> tuple:
        return tuple(row[c] for c in load_contracts().table(self.name).natural_key)

    def new_row(self) -> dict[str, str]:
        self.serial += 1
        n, rng = self.serial, self.rng
        if self.name == "hotline_orders":
            day = rng.randint(1, 28)
            return {"order_id": f"C{n:06d}", "channel": rng.choice(["电话", "网站", "微信"]),
                    "appeal_type": rng.choice(["投诉", "咨询", "求助"]), "category_l1": "城乡建设",
                    "region_code": rng.choice(GRIDS), "lon": "120.2", "lat": "30.3",
                    "created_at": f"2026-10-{day:02d} 08:{n % 60:02d}:00", "status": "待派单",
                    "updated_at": f"2026-10-{day:02d} 08:{n % 60:02d}:00", "caller_id": f"P{n:05d}"}
        if self.name == "grid_events":
            return {"event_id": f"E{n:06d}", "region_code": rng.choice(GRIDS), "level": rng.choice(["A", "B", "C"]),
                    "source": "群众上报", "event_type": "占道经营",
                    "reported_at": f"2026-09-{rng.randint(1, 30):02d} 10:00:00", "status": "处置中"}
        # economy_monthly: the key is (county, month), so new rows walk through county-months
        county = COUNTIES[n % len(COUNTIES)]
        year, month = 2015 + (n // len(COUNTIES)) // 12, (n // len(COUNTIES)) % 12 + 1
        return {"region_code": county, "month": f"{year}-{month:02d}",
                "industrial_value_added": f"{rng.uniform(1, 90):.2f}", "new_market_entities": str(rng.randint(0, 900))}

    def broken(self, row: dict[str, str]) -> tuple[dict[str, str] | list[str], str]:
        """A copy of a good row broken in one of the ways this feed's contract catches, and a word of its reason."""
        row = dict(row)
        kinds = ["region", "required", "number"]
        if self.name == "hotline_orders":
            kinds += ["allowed", "future", "coordinate"]
        if self.name == "grid_events":
            kinds += ["allowed", "future"]
        if self.name == "economy_monthly":
            kinds += ["future_month", "negative"]
        kind = self.rng.choice(kinds)
        if kind == "region":
            row["region_code"] = "339999" if self.name == "economy_monthly" else "339999001001001"
            return row, "region_code"
        if kind == "required":
            column = {"hotline_orders": "channel", "grid_events": "level", "economy_monthly": "month"}[self.name]
            row[column] = ""
            return row, column
        if kind == "number":
            column = {"hotline_orders": "lon", "grid_events": "lat", "economy_monthly": "industrial_value_added"}[self.name]
            row[column] = "12,5x"
            return row, column
        if kind == "allowed":
            column = {"hotline_orders": "status", "grid_events": "level"}[self.name]
            row[column] = "不存在"
            return row, column
        if kind == "future":
            column = {"hotline_orders": "created_at", "grid_events": "reported_at"}[self.name]
            row[column] = "2206-10-01 08:00:00"
            if self.name == "hotline_orders":
                row["updated_at"] = row[column]
            return row, column
        if kind == "coordinate":
            row["lat"] = "300.5"
            return row, "lat"
        if kind == "future_month":
            row["month"] = "2030-01"
            return row, "month"
        row["industrial_value_added"] = "-3"  # negative
        return row, "industrial_value_added"

    def newer_version(self, key: tuple) -> dict[str, str] | None:
        """The next handling step of a stored order, sent a day after the stored one; None once closed."""
        row = dict(self.stored[key])
        step = {"待派单": "办理中", "办理中": "已办结"}.get(row["status"])
        if step is None:
            return None
        when = (datetime.fromisoformat(row["updated_at"]) + timedelta(days=1)).isoformat(sep=" ")
        row.update(status=step, updated_at=when)
        row["dispatched_at" if step == "办理中" else "closed_at"] = when
        return row

    def older_version(self, key: tuple) -> dict[str, str] | None:
        """The accepted version of an order stored at a later step, sent again late: ignored."""
        row = dict(self.stored[key])
        if row["status"] == "待派单":
            return None
        return {**{k: v for k, v in row.items() if k not in ("dispatched_at", "closed_at")},
                "status": "待派单", "updated_at": row["created_at"]}


def headers(feed: str) -> list[str]:
    return [c.name for c in load_contracts().table(feed).columns]


def write(path: Path, feed: str, rows: list[dict[str, str] | list[str]], fmt: str) -> Path:
    """Rows as the file a clerk would send: a `list` row is written as raw CSV fields (a short line)."""
    names = headers(feed)
    if fmt in ("csv", "gbk"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n" if fmt == "gbk" else "\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(row if isinstance(row, list) else [row.get(h, "") for h in names])
        path = path.with_suffix(".csv")
        path.write_bytes(buffer.getvalue().encode("gb18030" if fmt == "gbk" else "utf-8"))
    elif fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(names)
        for row in rows:
            sheet.append([row.get(h) or None for h in names])  # type: ignore[union-attr]
        path = path.with_suffix(".xlsx")
        book.save(path)
    else:
        path = path.with_suffix(".jsonl")
        path.write_text("".join(json.dumps({k: v for k, v in row.items() if v != ""}, ensure_ascii=False) + "\n"
                                for row in rows), encoding="utf-8")  # type: ignore[union-attr]
    return path


def make_file(feed: Feed, directory: Path, number: int) -> tuple[Path, Expected, list[dict[str, str]]]:
    """One file of the corpus, what ingesting it should report, and the rows it should store."""
    rng = feed.rng
    fmt = rng.choice(["csv", "gbk", "xlsx", "jsonl"])
    rows: list[dict[str, str] | list[str]] = []
    expected = Expected()
    planned: list[tuple[str, dict[str, str] | list[str], str | None]] = []
    for _ in range(rng.randint(3, 12)):
        planned.append(("new", feed.new_row(), None))
    for _ in range(rng.randint(0, 4)):
        good = feed.new_row()
        row, reason = feed.broken(good)
        planned.append(("bad", row, reason))
    if fmt in ("csv", "gbk") and rng.random() < 0.5:
        short = list(feed.new_row().values())[:3]  # a line with fewer fields than the header
        planned.append(("bad", short, "field"))
    earlier = list(feed.stored)
    rng.shuffle(earlier)
    if feed.name == "hotline_orders":
        newer = [row for key in earlier[:rng.randint(0, 3)] if (row := feed.newer_version(key))]
        older = [row for key in earlier[3:3 + rng.randint(0, 3)] if (row := feed.older_version(key))]
        planned += [("newer", row, None) for row in newer] + [("older", row, None) for row in older]
        for key in earlier[6:6 + rng.randint(0, 3)]:
            planned.append(("same", dict(feed.stored[key]), None))
    else:
        for key in earlier[: rng.randint(0, 4)]:
            planned.append(("same", dict(feed.stored[key]), None))
    rng.shuffle(planned)
    stored: list[dict[str, str]] = []
    for kind, row, reason in planned:
        rows.append(row)
        expected.read += 1
        if kind == "bad":
            expected.quarantined += 1
            expected.reasons.append(reason or "")
        elif kind == "same":
            expected.duplicates += 1
        elif kind == "older":
            expected.superseded += 1
        else:
            expected.loaded += 1
            stored.append(row)  # type: ignore[arg-type]
    path = write(directory / f"{feed.name}-{number:02d}", feed.name, rows, fmt)
    return path, expected, stored


def lake_count(lake: Path, feed: str, source=table_source) -> int:
    expression = source(lake, feed)
    if expression is None:
        return 0
    return duckdb.execute(f"SELECT count(*) FROM {expression}").fetchone()[0]


def quarantine_count(lake: Path, feed: str) -> int:
    return sum(pq.read_metadata(f).num_rows for f in quarantine_files(lake, feed))


@pytest.mark.slow
def test_a_hostile_corpus_reconciles_row_for_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = tmp_path / "lake"
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(lake))
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-20T22:00")
    rng = random.Random(SEED)
    feeds = [Feed(name, random.Random(rng.random())) for name in ("hotline_orders", "grid_events", "economy_monthly")]
    totals = {f.name: Expected() for f in feeds}
    files = 0
    for number in range(FILES_PER_FEED):
        for feed in feeds:
            path, expected, stored = make_file(feed, tmp_path, number)
            result = ingest_file(feed.name, path)
            files += 1
            got = (result.rows_read, result.loaded, result.quarantined, result.duplicates, result.superseded)
            want = (expected.read, expected.loaded, expected.quarantined, expected.duplicates, expected.superseded)
            assert got == want, f"{path.name}: (read, loaded, quarantined, duplicates, superseded) {got} != {want}"
            assert result.rows_read == result.loaded + result.quarantined + result.duplicates + result.superseded
            if expected.quarantined:
                reasons = pq.read_table(result.quarantine_file).column("_reason").to_pylist()
                assert len(reasons) == expected.quarantined and all(reasons), (path.name, reasons)
                assert all(any(word in r for r in reasons) for word in expected.reasons), (path.name, reasons)
            # what the generator meant to store is now the latest stored version of each key
            for row in stored:
                feed.stored[feed.key(row)] = row
            total = totals[feed.name]
            for name in ("read", "loaded", "quarantined", "duplicates", "superseded"):
                setattr(total, name, getattr(total, name) + getattr(expected, name))

    for feed in feeds:
        total = totals[feed.name]
        assert lake_count(lake, feed.name) == len(feed.stored), f"{feed.name}: current rows ≠ distinct good keys"
        assert lake_count(lake, feed.name, history_source) == total.loaded, f"{feed.name}: stored versions ≠ loaded"
        assert quarantine_count(lake, feed.name) == total.quarantined, f"{feed.name}: quarantine ≠ quarantined"
    hotline = next(f for f in feeds if f.name == "hotline_orders")
    assert totals["hotline_orders"].superseded > 0 and len(hotline.stored) < totals["hotline_orders"].loaded
    # the latest version of every order is the one the lake serves
    latest = dict(duckdb.execute(f"SELECT order_id, status FROM {table_source(lake, 'hotline_orders')}").fetchall())
    assert latest == {key[0]: row["status"] for key, row in hotline.stored.items()}
    assert files == 3 * FILES_PER_FEED


@pytest.mark.parametrize("name, content, problem", [
    ("empty.csv", b"", "empty"),
    ("only-header.csv", ",".join(headers("grid_events")).encode(), "no data rows"),
    ("workbook.csv", b"PK\x03\x04" + b"\0" * 64, "xlsx"),
    ("missing-required.csv", b"event_id,level\nE1,A\n", "missing required"),
    ("not-utf8.jsonl", b'{"event_id": "\xff\xfe"}\n', "encoding"),
])
def test_files_that_cannot_be_read_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                                 content: bytes, problem: str) -> None:
    lake = tmp_path / "lake"
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(lake))
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-20T22:00")
    good = Feed("grid_events", random.Random(1))
    first = ingest_file("grid_events", write(tmp_path / "good", "grid_events", [good.new_row() for _ in range(3)], "csv"))
    before = sorted(p.relative_to(lake) for p in lake.rglob("*") if p.is_file() and p.name != ".lock")
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as raised:
        ingest_file("grid_events", path)
    message = str(raised.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert problem.lower() in message.lower(), message
    after = sorted(p.relative_to(lake) for p in lake.rglob("*") if p.is_file() and p.name != ".lock")
    assert after == before and lake_count(lake, "grid_events") == first.loaded == 3
