"""Ingest: formats, encodings, contract checks, quarantine, natural keys and fatal errors.

Source files are written into tmp_path by each test; the real contracts and region hierarchy
under data/ are used (330102 上城区 is a county, 330100 杭州市 a city, 330102001001001 a grid).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cockpit.feeds.contracts import STORAGE_TYPES, load_contracts
from cockpit.feeds.ingest import IngestError, IngestResult, ingest_file, ingest_frame
from cockpit.feeds.lake import read_ingest_log, table_files

GRID = "330102001001001"
COUNTY = "330102"
CITY = "330100"


# -- good rows, one set of columns a table ---------------------------------------------------

def hotline_row(i: int) -> dict[str, str]:
    return {"order_id": f"H{i:05d}", "channel": "电话", "appeal_type": "投诉", "category_l1": "城市管理",
            "region_code": GRID, "lon": "120.2", "lat": "30.3", "created_at": "2026-10-01 08:00:00",
            "closed_at": "2026-10-02 09:30:00", "status": "已办结", "revisit_required": "是",
            "updated_at": "2026-10-02 09:30:00"}


def economy_monthly_row(i: int) -> dict[str, str]:
    return {"region_code": COUNTY, "month": f"2026-{i + 1:02d}", "industrial_value_added": "12.5",
            "new_market_entities": "120"}


def economy_quarterly_row(i: int) -> dict[str, str]:
    return {"region_code": COUNTY, "quarter": f"{2010 + i}Q3", "gdp": "500", "gdp_real_growth": "6.1"}


def waste_facilities_row(i: int) -> dict[str, str]:
    return {"facility_id": f"F{i}", "name": "焚烧厂一", "facility_type": "焚烧厂", "waste_class": "生活垃圾",
            "region_code": COUNTY, "lon": "120.2", "lat": "30.3", "capacity_tpd": "1000", "networked": "是",
            "commissioned_on": "2020-05-01"}


def grid_events_row(i: int) -> dict[str, str]:
    return {"event_id": f"E{i}", "region_code": GRID, "level": "A", "source": "群众上报",
            "event_type": "占道经营", "reported_at": "2026-10-01 08:00:00", "status": "已办结"}


def cloud_usage_row(i: int) -> dict[str, str]:
    return {"date": f"2026-10-{i + 1:02d}", "region_code": CITY, "vcpu_total": "1000", "vcpu_used": "600",
            "memory_total_gb": "4096", "memory_used_gb": "2048", "storage_total_tb": "100", "storage_used_tb": "50"}


GOOD_ROWS = {
    "hotline_orders": hotline_row,
    "economy_monthly": economy_monthly_row,
    "economy_quarterly": economy_quarterly_row,
    "waste_facilities": waste_facilities_row,
    "grid_events": grid_events_row,
    "cloud_usage_daily": cloud_usage_row,
}


# -- helpers -----------------------------------------------------------------------------------

@pytest.fixture()
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "lake"
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(path))
    return path


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8",
              headers: list[str] | None = None) -> Path:
    headers = headers or list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def checked(result: IngestResult) -> IngestResult:
    """Every row is loaded, quarantined, a duplicate or superseded: never lost, never counted twice."""
    assert result.loaded + result.quarantined + result.duplicates + result.superseded == result.rows_read
    return result


def lake_rows(lake_dir: Path, table: str) -> list[dict]:
    files = [str(f) for f in table_files(lake_dir, table)]
    if not files:
        return []
    cursor = duckdb.execute("SELECT * FROM read_parquet(?) ORDER BY ALL", [files])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def quarantine_rows(result: IngestResult) -> list[dict]:
    assert result.quarantine_file is not None
    return pq.read_table(result.quarantine_file).to_pylist()


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under the directory with its content hash."""
    if not directory.exists():
        return {}
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


# -- formats and encodings ---------------------------------------------------------------------

def test_utf8_csv_loads_typed_values(tmp_path: Path, lake: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", [hotline_row(1), hotline_row(2)])
    result = checked(ingest_file("hotline_orders", path))
    assert (result.rows_read, result.loaded, result.quarantined, result.encoding) == (2, 2, 0, "utf-8")
    assert result.lake_file is not None and result.lake_file.parent == lake / "hotline_orders"
    assert result.quarantine_file is None
    first = lake_rows(lake, "hotline_orders")[0]
    assert first["order_id"] == "H00001"
    assert first["created_at"] == pd.Timestamp("2026-10-01 08:00:00")
    assert first["revisit_required"] is True
    assert first["lon"] == pytest.approx(120.2)
    assert first["department"] is None  # a contract column the file does not have


def test_csv_with_bom_and_padded_headers(tmp_path: Path, lake: Path) -> None:
    row = hotline_row(1)
    headers = [f" {h} " for h in row]
    path = tmp_path / "bom.csv"
    write_csv(path, [{f" {k} ": v for k, v in row.items()}], headers=headers)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.loaded, result.encoding, result.ignored_columns) == (1, "utf-8-sig", [])


def test_gbk_csv_with_chinese_headers_is_detected(tmp_path: Path, lake: Path) -> None:
    contract = load_contracts().table("hotline_orders")
    rows = [{contract.column(k).label_zh: v for k, v in hotline_row(i).items()} for i in range(3)]
    rows[0]["一级分类"] = "环境保护"
    path = write_csv(tmp_path / "工单.csv", rows, encoding="gbk")
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.loaded, result.encoding) == (3, "gb18030")
    stored = lake_rows(lake, "hotline_orders")
    assert [r["category_l1"] for r in stored] == ["环境保护", "城市管理", "城市管理"]
    assert stored[0]["channel"] == "电话"


def test_forced_encoding_is_used_and_reported(tmp_path: Path, lake: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [hotline_row(1)], encoding="gbk")
    result = checked(ingest_file("hotline_orders", path, encoding="gbk", lake_dir=lake))
    assert (result.loaded, result.encoding) == (1, "gbk")
    assert lake_rows(lake, "hotline_orders")[0]["status"] == "已办结"


def test_forced_wrong_encoding_is_fatal(tmp_path: Path, lake: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [hotline_row(1)], encoding="gbk")
    with pytest.raises(IngestError, match=r"gbk\.csv, line 2: .*not valid utf-8.*--encoding"):
        ingest_file("hotline_orders", path, encoding="utf-8", lake_dir=lake)
    assert snapshot(lake) == {}


def test_xlsx_first_sheet_with_native_cells_and_sheet_rows(tmp_path: Path, lake: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["工单编号", "受理渠道", "诉求类型", "一级分类", "所属区划", "受理时间", "工单状态", "需回访", "备注",
                  "更新时间"])
    updated = datetime(2026, 10, 2, 8, 0)
    sheet.append(["X1", "电话", "投诉", "城市管理", int(GRID), datetime(2026, 10, 1, 8, 30), "已办结", True, "a", updated])
    sheet.append(["X2", "电话", "投诉", "城市管理", GRID, datetime(2026, 10, 1, 9, 0), "已办结", False, "b", updated])
    sheet.append(["X3", "电话", "投诉", "城市管理", "339999", datetime(2026, 10, 1, 9, 0), "已办结", None, "c", updated])
    workbook.create_sheet("ignored").append(["order_id"])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.loaded, result.quarantined, result.ignored_columns, result.encoding) == (2, 1, ["备注"], None)
    stored = lake_rows(lake, "hotline_orders")
    assert stored[0]["created_at"] == pd.Timestamp("2026-10-01 08:30")
    assert stored[0]["region_code"] == GRID
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 4  # the sheet row, header = row 1
    assert bad["_reason"] == "region_code: '339999' is not a region code in the hierarchy"


def test_parquet_keeps_native_types_and_numbers_rows_from_one(tmp_path: Path, lake: Path) -> None:
    table = pa.table({
        "event_id": ["E1", "E2", "E3"],
        "region_code": [GRID, GRID, GRID],
        "level": ["A", "B", "Z"],
        "source": ["群众上报"] * 3,
        "event_type": ["占道经营"] * 3,
        "reported_at": pa.array([datetime(2026, 10, 1, 8, 0, 0, 123456)] * 3, pa.timestamp("ns")),
        "lon": [120.1, None, 120.3],
        "status": ["已办结"] * 3,
    })
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    result = checked(ingest_file("grid_events", path, lake_dir=lake))
    assert (result.loaded, result.quarantined) == (2, 1)
    assert lake_rows(lake, "grid_events")[0]["reported_at"] == pd.Timestamp("2026-10-01 08:00:00.123456")
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 3
    assert bad["_reason"].startswith("level: 'Z' is not one of A, B, C, 重大")


def test_jsonl_counts_physical_lines_and_skips_blank_ones(tmp_path: Path, lake: Path) -> None:
    rows = [grid_events_row(1), grid_events_row(2), {**grid_events_row(3), "status": "未知"}]
    rows[1]["lon"] = 120.25  # JSON numbers are fine where the contract wants numbers
    text = json.dumps(rows[0], ensure_ascii=False) + "\n\n" + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[1:])
    path = tmp_path / "events.ndjson"
    path.write_text(text + "\n", encoding="utf-8")
    result = checked(ingest_file("grid_events", path, lake_dir=lake))
    assert (result.loaded, result.quarantined) == (2, 1)
    assert [r["lon"] for r in lake_rows(lake, "grid_events") if r["lon"] is not None] == [120.25]
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 4


@pytest.mark.parametrize("blank_lines", [False, True])
def test_quoted_line_breaks_and_blank_lines_keep_physical_line_numbers(tmp_path: Path, lake: Path,
                                                                       blank_lines: bool) -> None:
    headers = list(grid_events_row(0))
    good = ",".join(grid_events_row(1).values())
    multi_line = ",".join(grid_events_row(2).values()).replace("占道经营", '"占道\r\n经\n营"')
    bad = ",".join({**grid_events_row(3), "level": "D"}.values())
    lines = [",".join(headers), multi_line, good, *(["", ",,,,,,"] if blank_lines else []), bad, good.replace("E1", "E4")]
    path = tmp_path / "events.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8", newline="")
    result = checked(ingest_file("grid_events", path, lake_dir=lake))
    assert (result.rows_read, result.loaded, result.quarantined) == (4, 3, 1)
    assert quarantine_rows(result)[0]["_line"] == (8 if blank_lines else 6)
    assert "占道\r\n经\n营" in {r["event_type"] for r in lake_rows(lake, "grid_events")}


def test_csv_line_with_too_many_fields_is_quarantined(tmp_path: Path, lake: Path) -> None:
    headers = list(grid_events_row(0))
    lines = [",".join(headers), ",".join(grid_events_row(1).values()), "",
             ",".join(grid_events_row(2).values()) + ",extra"]
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = checked(ingest_file("grid_events", path, lake_dir=lake))
    assert (result.loaded, result.quarantined) == (1, 1)
    assert result.sample_problems == [f"line 4: line has {len(headers) + 1} fields, the header has {len(headers)}"]


# -- contract checks -----------------------------------------------------------------------------

QUARANTINE_CASES = [
    ("economy_monthly", {"new_market_entities": "12.5"}, "new_market_entities: '12.5' is not an integer"),
    ("hotline_orders", {"lon": "东经120"}, "lon: '东经120' is not a number"),
    ("hotline_orders", {"revisit_required": "maybe"}, "revisit_required: 'maybe' is not a boolean"),
    ("hotline_orders", {"created_at": "2026-02-30 10:00"}, "created_at: '2026-02-30 10:00' is not a timestamp"),
    ("waste_facilities", {"commissioned_on": "2020-13-01"}, "commissioned_on: '2020-13-01' is not a date"),
    ("economy_monthly", {"month": "2026-13"}, "month: '2026-13' is not a month"),
    ("economy_quarterly", {"quarter": "2026Q5"}, "quarter: '2026Q5' is not a quarter"),
    ("hotline_orders", {"category_l1": "  "}, "category_l1: required but empty"),
    ("hotline_orders", {"channel": "传真"}, "channel: '传真' is not one of 电话, 网站"),
    ("economy_monthly", {"retail_sales": "-1"}, "retail_sales: '-1' is below the minimum 0"),
    ("economy_quarterly", {"gdp_real_growth": "51"}, "gdp_real_growth: '51' is above the maximum 50"),
    ("economy_monthly", {"region_code": "33010"}, r"region_code: '33010' does not match the pattern ^\d{6}$"),
    ("hotline_orders", {"region_code": "339999"}, "region_code: '339999' is not a region code in the hierarchy"),
    ("grid_events", {"region_code": COUNTY}, "region_code: '330102' is a county code, expected a grid code"),
    ("cloud_usage_daily", {"region_code": GRID}, f"region_code: '{GRID}' is a grid code, expected a city code"),
]


@pytest.mark.parametrize(("table", "override", "reason"), QUARANTINE_CASES,
                         ids=[f"{t}-{next(iter(o))}" for t, o, _ in QUARANTINE_CASES])
def test_bad_row_is_quarantined_with_reason_file_and_line(tmp_path: Path, lake: Path, table: str,
                                                          override: dict[str, str], reason: str) -> None:
    rows = [GOOD_ROWS[table](1), {**GOOD_ROWS[table](2), **override}, GOOD_ROWS[table](3)]
    path = write_csv(tmp_path / f"{table}.csv", rows)
    result = checked(ingest_file(table, path, lake_dir=lake))
    assert (result.rows_read, result.loaded, result.quarantined, result.duplicates) == (3, 2, 1, 0)
    assert result.sample_problems[0].startswith(f"line 3: {reason}")
    [bad] = quarantine_rows(result)
    assert bad["_reason"].startswith(reason)
    assert (bad["_source_file"], bad["_line"]) == (str(path), 3)
    column, raw = next(iter(override.items()))
    assert bad[column] == raw  # the value as read, not cleaned up
    assert isinstance(bad["_ingested_at"], datetime)
    assert len(lake_rows(lake, table)) == 2


def test_a_row_failing_several_rules_names_them_all(tmp_path: Path, lake: Path) -> None:
    rows = [{**hotline_row(1), "channel": "传真", "lat": "99", "order_id": ""}]
    result = checked(ingest_file("hotline_orders", write_csv(tmp_path / "o.csv", rows), lake_dir=lake))
    assert quarantine_rows(result)[0]["_reason"] == (
        "order_id: required but empty; channel: '传真' is not one of 电话, 网站, 微信, 浙里办, 小程序, 邮件, 领导信箱; "
        "lat: '99' is above the maximum 54")


def test_accepted_spellings_of_every_type_are_stored_normalised(tmp_path: Path, lake: Path) -> None:
    counties = ["330102", "330105", "330106", "330108", "330109"]
    months = ["2026-10", "2026/10", "2026年10月", "2026-10-15", "2026年10月1日"]
    integers = ["12", "12.0", "+12", " 12 ", "12."]
    monthly = [{"region_code": c, "month": m, "new_market_entities": n} for c, m, n in zip(counties, months, integers, strict=True)]
    result = checked(ingest_file("economy_monthly", write_csv(tmp_path / "m.csv", monthly), lake_dir=lake))
    assert result.loaded == 5, result.sample_problems
    stored = lake_rows(lake, "economy_monthly")
    assert {r["month"] for r in stored} == {date(2026, 10, 1)}
    assert {r["new_market_entities"] for r in stored} == {12}

    quarters = ["2026Q3", "2026-Q3", "2026年3季度", "2026年第3季度", "2026-08-15"]
    quarterly = [{"region_code": c, "quarter": q, "gdp": "1"} for c, q in zip(counties, quarters, strict=True)]
    result = checked(ingest_file("economy_quarterly", write_csv(tmp_path / "q.csv", quarterly), lake_dir=lake))
    assert result.loaded == 5, result.sample_problems
    assert {r["quarter"] for r in lake_rows(lake, "economy_quarterly")} == {date(2026, 7, 1)}

    spellings = {"true": True, "1": True, "是": True, "Y": True, "yes": True,
                 "false": False, "0": False, "否": False, "n": False, "No": False}
    times = ["2026-10-01 08:05", "2026-10-01 08:05:00", "2026/10/01 08:05", "2026/10/1 8:05:00",
             "2026-10-01T08:05:00", "2026-10-01T00:05:00Z", "2026-10-01 08:05:00+08:00",
             "2026-10-01 08:05:00.000", "2026-10-01T08:05", "2026/10/01 08:05:00"]
    orders = [{**hotline_row(i), "revisit_required": word, "created_at": t}
              for i, (word, t) in enumerate(zip(spellings, times, strict=True))]
    result = checked(ingest_file("hotline_orders", write_csv(tmp_path / "o.csv", orders), lake_dir=lake))
    assert result.loaded == 10, result.sample_problems
    stored = lake_rows(lake, "hotline_orders")
    assert [r["revisit_required"] for r in stored] == list(spellings.values())
    assert {r["created_at"] for r in stored} == {pd.Timestamp("2026-10-01 08:05")}


def test_unknown_columns_are_ignored_and_listed(tmp_path: Path, lake: Path) -> None:
    rows = [{**grid_events_row(1), "备注": "x", "Remark": "y"}]
    result = checked(ingest_file("grid_events", write_csv(tmp_path / "e.csv", rows), lake_dir=lake))
    assert (result.loaded, result.ignored_columns) == (1, ["备注", "Remark"])


# -- natural keys --------------------------------------------------------------------------------

def test_reingesting_the_same_file_adds_nothing(tmp_path: Path, lake: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", [hotline_row(i) for i in range(5)])
    first = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert first.loaded == 5
    before = snapshot(lake / "hotline_orders")
    again = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (again.loaded, again.duplicates, again.quarantined, again.lake_file) == (0, 5, 0, None)
    assert snapshot(lake / "hotline_orders") == before
    assert len(lake_rows(lake, "hotline_orders")) == 5


def test_duplicate_keys_within_a_file_keep_the_first(tmp_path: Path, lake: Path) -> None:
    rows = [hotline_row(1), {**hotline_row(1), "status": "办理中"}, hotline_row(2), hotline_row(1)]
    result = checked(ingest_file("hotline_orders", write_csv(tmp_path / "o.csv", rows), lake_dir=lake))
    assert (result.loaded, result.duplicates, result.quarantined) == (2, 2, 0)
    assert [r["status"] for r in lake_rows(lake, "hotline_orders")] == ["已办结", "已办结"]


def test_keys_compare_as_stored_values(tmp_path: Path, lake: Path) -> None:
    """2026-10 and 2026年10月 are the same month, so the same natural key."""
    first = [economy_monthly_row(9)]
    checked(ingest_file("economy_monthly", write_csv(tmp_path / "a.csv", first), lake_dir=lake))
    second = [{**economy_monthly_row(9), "month": "2026年10月"}, economy_monthly_row(10)]
    result = checked(ingest_file("economy_monthly", write_csv(tmp_path / "b.csv", second), lake_dir=lake))
    assert (result.loaded, result.duplicates) == (1, 1)


# -- typed frames ----------------------------------------------------------------------------------

def test_typed_frame_skips_text_and_keeps_values(lake: Path) -> None:
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03"]),
        "region_code": [CITY, CITY, "339999"],
        "vcpu_total": np.array([1000, 1000, 1000], dtype=np.int64),
        "vcpu_used": [600.0, 600.5, 10.0],
        "memory_total_gb": [1.0, 2.0, 3.0], "memory_used_gb": [1.0, 1.0, 1.0],
        "storage_total_tb": [1.0, 1.0, 1.0], "storage_used_tb": [0.5, 0.5, 0.5],
    })
    result = checked(ingest_frame("cloud_usage_daily", frame, source="generator", line_numbers=[10, 11, 12]))
    assert (result.loaded, result.quarantined) == (1, 2)
    assert result.sample_problems == ["line 11: vcpu_used: '600.5' is not an integer",
                                      "line 12: region_code: '339999' is not a region code in the hierarchy"]
    [row] = lake_rows(lake, "cloud_usage_daily")
    assert (row["date"], row["vcpu_used"]) == (date(2026, 10, 1), 600)


def test_typed_frame_with_objects_and_time_zones(lake: Path) -> None:
    frame = pd.DataFrame({
        "facility_id": ["F1", "F2"], "name": ["一", "二"], "facility_type": ["焚烧厂", "填埋场"],
        "waste_class": ["生活垃圾", "生活垃圾"], "region_code": [COUNTY, COUNTY],
        "lon": [120.1, 120.2], "lat": [30.1, 30.2], "capacity_tpd": [100, 200],
        "networked": [True, False],
        "commissioned_on": pd.Series([date(2020, 5, 1), date(2021, 6, 2)], dtype=object),
    })
    result = checked(ingest_frame("waste_facilities", frame, source="generator", lake_dir=lake))
    assert result.loaded == 2, result.sample_problems
    assert [r["commissioned_on"] for r in lake_rows(lake, "waste_facilities")] == [date(2020, 5, 1), date(2021, 6, 2)]

    events = pd.DataFrame([grid_events_row(1)])
    events["reported_at"] = pd.to_datetime(["2026-10-01 00:30"]).tz_localize("UTC")
    checked(ingest_frame("grid_events", events, source="generator", lake_dir=lake))
    assert lake_rows(lake, "grid_events")[0]["reported_at"] == pd.Timestamp("2026-10-01 08:30")  # Beijing time


# -- lake files ----------------------------------------------------------------------------------

EXPECTED_ARROW = {"string": pa.string(), "integer": pa.int64(), "float": pa.float64(), "boolean": pa.bool_(),
                  "timestamp": pa.timestamp("us"), "date": pa.date32(), "month": pa.date32(), "quarter": pa.date32()}


@pytest.mark.parametrize("table", sorted(GOOD_ROWS))
def test_written_parquet_has_contract_columns_and_storage_types(tmp_path: Path, lake: Path, table: str) -> None:
    result = checked(ingest_file(table, write_csv(tmp_path / "t.csv", [GOOD_ROWS[table](1)]), lake_dir=lake))
    contract = load_contracts().table(table)
    schema = pq.read_schema(result.lake_file)
    assert schema.names == contract.column_names
    assert [schema.field(c.name).type for c in contract.columns] == [EXPECTED_ARROW[c.type] for c in contract.columns]
    described = duckdb.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(result.lake_file)]).fetchall()
    assert [row[1] for row in described] == [STORAGE_TYPES[c.type] for c in contract.columns]


def test_quarantine_file_schema(tmp_path: Path, lake: Path) -> None:
    rows = [{**economy_monthly_row(1), "month": "bad"}]
    result = checked(ingest_file("economy_monthly", write_csv(tmp_path / "m.csv", rows), lake_dir=lake))
    assert result.lake_file is None
    assert result.quarantine_file.parent == lake / "_quarantine" / "economy_monthly"
    schema = pq.read_schema(result.quarantine_file)
    contract = load_contracts().table("economy_monthly")
    assert schema.names == [*contract.column_names, "_reason", "_source_file", "_line", "_ingested_at",
                            "_source_sha256"]
    assert set(schema.types[: len(contract.columns)]) == {pa.string()}
    assert schema.types[-3:] == [pa.int64(), pa.timestamp("us"), pa.string()]


def test_ingest_log_records_each_ingest(tmp_path: Path, lake: Path) -> None:
    path = write_csv(tmp_path / "e.csv", [grid_events_row(1), {**grid_events_row(2), "level": "X"}])
    ingest_file("grid_events", path, lake_dir=lake)
    ingest_file("grid_events", path, lake_dir=lake)
    newest, oldest = read_ingest_log(lake, limit=10)
    assert (oldest["table"], oldest["source"], oldest["loaded"], oldest["quarantined"]) == ("grid_events", str(path), 1, 1)
    assert (newest["loaded"], newest["duplicates"], newest["quarantined"]) == (0, 1, 1)
    assert datetime.fromisoformat(newest["time"]) >= datetime.fromisoformat(oldest["time"])
    assert len(read_ingest_log(lake, limit=1)) == 1


# -- fatal errors --------------------------------------------------------------------------------

def _missing_column(tmp: Path) -> Path:
    rows = [{k: v for k, v in hotline_row(1).items() if k != "region_code"}]
    return write_csv(tmp / "no_region.csv", rows)


def _bad_bytes(tmp: Path) -> Path:
    path = write_csv(tmp / "latin.csv", [hotline_row(1), hotline_row(2)])
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"H00002", b"H\xff\xfe02")
    path.write_bytes(b"\n".join(lines))
    return path


def _empty(tmp: Path) -> Path:
    path = tmp / "empty.csv"
    path.write_bytes(b"")
    return path


def _header_only(tmp: Path) -> Path:
    path = tmp / "header.csv"
    path.write_text(",".join(hotline_row(0)) + "\n", encoding="utf-8")
    return path


def _text_as_xlsx(tmp: Path) -> Path:
    path = tmp / "orders.xlsx"
    path.write_bytes(write_csv(tmp / "orders.csv", [hotline_row(1)]).read_bytes())
    return path


def _corrupt_parquet(tmp: Path) -> Path:
    path = tmp / "orders.parquet"
    path.write_bytes(b"PAR1" + b"\x00garbage" * 10 + b"PAR1")
    return path


def _not_parquet(tmp: Path) -> Path:
    path = tmp / "text.parquet"
    path.write_text("order_id\nH1\n", encoding="utf-8")
    return path


def _bad_json_line(tmp: Path) -> Path:
    path = tmp / "orders.jsonl"
    good = json.dumps(hotline_row(1), ensure_ascii=False)
    path.write_text(f"{good}\n{good}\n{{\"order_id\": \"H3\",\n", encoding="utf-8")
    return path


def _json_array_line(tmp: Path) -> Path:
    path = tmp / "list.jsonl"
    path.write_text(json.dumps(hotline_row(1), ensure_ascii=False) + "\n[1, 2]\n", encoding="utf-8")
    return path


def _unknown_extension(tmp: Path) -> Path:
    path = tmp / "orders.txt"
    path.write_text("order_id\nH1\n", encoding="utf-8")
    return path


def _missing_file(tmp: Path) -> Path:
    return tmp / "nowhere.csv"


FATAL_CASES = [
    # (make the file, feed, the file name and line as the message shows them, the problem)
    (_missing_column, "hotline_orders", "no_region.csv, line 1", r"missing required column region_code \(所属区划\)"),
    (_bad_bytes, "hotline_orders", "latin.csv, line 3", r"neither UTF-8 nor GB18030 \(byte 0xff\).*--encoding"),
    (_empty, "hotline_orders", "empty.csv, line 1", "empty file .*no data rows"),
    (_header_only, "hotline_orders", "header.csv, line 1", "no data rows"),
    (_text_as_xlsx, "hotline_orders", "orders.xlsx, line 1", "not an Excel .xlsx workbook: it holds text starting 'order_id,"),
    (_corrupt_parquet, "hotline_orders", "orders.parquet", "not a readable Parquet file"),
    (_not_parquet, "hotline_orders", "text.parquet", "not a Parquet file"),
    (_bad_json_line, "hotline_orders", "orders.jsonl, line 3", "not valid JSON"),
    (_json_array_line, "hotline_orders", "list.jsonl, line 2", "expected a JSON object"),
    (_unknown_extension, "hotline_orders", "orders.txt", r"unknown file type '\.txt'; expected one of \.csv"),
    (_missing_file, "hotline_orders", "nowhere.csv", "file not found"),
    (_header_only, "hotline_order", "header.csv", "unknown feed 'hotline_order'; known feeds: .*hotline_orders"),
]


@pytest.mark.parametrize(("make", "feed", "where", "problem"), FATAL_CASES, ids=[c[0].__name__.strip("_") for c in FATAL_CASES])
def test_fatal_problems_name_file_and_line_and_leave_the_lake_alone(tmp_path: Path, lake: Path, make, feed: str,
                                                                    where: str, problem: str) -> None:
    checked(ingest_file("hotline_orders", write_csv(tmp_path / "seed.csv", [hotline_row(99)]), lake_dir=lake))
    checked(ingest_file("grid_events", write_csv(tmp_path / "seed2.csv", [{**grid_events_row(1), "level": "X"}]),
                        lake_dir=lake))
    before = snapshot(lake)
    path = make(tmp_path)
    with pytest.raises(IngestError) as caught:
        ingest_file(feed, path, lake_dir=lake)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path}/{where}: "), message
    assert caught.value.source == str(path)
    assert re.search(problem, message), message
    assert snapshot(lake) == before


def test_frame_missing_a_required_column_is_fatal(lake: Path) -> None:
    frame = pd.DataFrame([{k: v for k, v in grid_events_row(1).items() if k not in ("status", "level")}])
    with pytest.raises(IngestError, match=r"^gen: missing required columns level \(事件等级\), status \(处置状态\)$"):
        ingest_frame("grid_events", frame, source="gen", lake_dir=lake)
    assert snapshot(lake) == {}


def test_two_headers_for_one_column_is_fatal(tmp_path: Path, lake: Path) -> None:
    rows = [{**grid_events_row(1), "所属网格": GRID}]
    with pytest.raises(IngestError, match=r"e\.csv, line 1: columns 'region_code' and '所属网格' both hold region_code"):
        ingest_file("grid_events", write_csv(tmp_path / "e.csv", rows), lake_dir=lake)
