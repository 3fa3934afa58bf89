"""Hostile source files: nothing read may vanish, and what cannot be loaded says why and where.

Each test is a file a clerk could really bring (a stray quote, a workbook with two sheets, a
workbook renamed .csv, a short line, a misspelt header, a typo year, a 300 KB complaint),
ingested through `ingest_file` into a throw-away lake with the real contracts and regions.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cockpit.feeds import readers
from cockpit.feeds.contracts import DEFAULT_MAX_LENGTH, ContractError, load_contracts
from cockpit.feeds.ingest import IngestError, ingest_file
from tests.test_ingest import (
    checked,
    economy_monthly_row,
    hotline_row,
    lake_rows,
    quarantine_rows,
    snapshot,
    write_csv,
)

NOW = "2026-11-20T22:00"


@pytest.fixture(autouse=True)
def replayed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plausible time is judged against COCKPIT_NOW: the tests do not age with the clock."""
    monkeypatch.setenv("COCKPIT_NOW", NOW)


@pytest.fixture()
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


def orders(count: int, **overrides: str) -> list[dict[str, str]]:
    return [{**hotline_row(i), "caller_id": f"C{i}", **overrides} for i in range(1, count + 1)]


def _csv_lines(rows: list[dict[str, str]]) -> str:
    """The rows as CSV written by hand, unquoted: so that a test can plant a stray quote."""
    headers = list(rows[0])
    return "\n".join([",".join(headers)] + [",".join(row[h] for h in headers) for row in rows]) + "\n"


# -- a stray quote -----------------------------------------------------------------------------

def test_a_stray_quote_that_swallows_lines_quarantines_them_with_the_lines(tmp_path: Path, lake: Path) -> None:
    # Six data lines (2-7); H00003's caller_id opens a quote that H00005's closes: Arrow and
    # Python's csv both read lines 4-6 as one record, H00004 inside H00003's caller_id.
    text = _csv_lines(orders(6))
    text = text.replace(",C3\n", ',"C3\n').replace(",C5\n", ',C5"\n')
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.rows_read, result.loaded, result.quarantined) == (4, 3, 1)
    assert {r["order_id"] for r in lake_rows(lake, "hotline_orders")} == {"H00001", "H00002", "H00006"}
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 4
    assert bad["_reason"].startswith("lines 4-6 were read as one record: the quoted value of caller_id that opens "
                                     "on line 4 runs over 2 line(s) that look like records of their own")
    assert "caller_id: " in bad["_reason"] and "over the limit of 64" in bad["_reason"]


def test_a_quote_never_closed_is_quarantined_up_to_the_end_of_the_file(tmp_path: Path, lake: Path) -> None:
    text = _csv_lines(orders(5)).replace(",C2\n", ',"C2\n')
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.rows_read, result.loaded, result.quarantined) == (2, 1, 1)
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 3 and bad["_reason"].startswith("lines 3-6 were read as one record")


def test_a_genuine_multi_line_value_still_loads(tmp_path: Path, lake: Path) -> None:
    rows = orders(2, category_l3="路灯不亮\n第二行说明，没有逗号")
    path = write_csv(tmp_path / "orders.csv", rows)
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.loaded, result.quarantined) == (2, 0)


# -- rows with fewer fields than the header ----------------------------------------------------

@pytest.mark.parametrize("blank_line", [False, True], ids=["fast-parser", "exact-parser"])
def test_a_short_line_is_quarantined_not_padded_with_nulls(tmp_path: Path, lake: Path, blank_line: bool) -> None:
    lines = _csv_lines(orders(3)).splitlines()
    header_width = len(lines[0].split(","))
    lines[2] = ",".join(lines[2].split(",")[:5])  # H00002 cut after its fifth field
    if blank_line:  # Arrow skips blank lines, so the exact parser reads this file
        lines.insert(1, "")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.loaded, result.quarantined) == (2, 1)
    [bad] = quarantine_rows(result)
    assert bad["_line"] == (4 if blank_line else 3)
    assert bad["_reason"].startswith(f"line has 5 fields, the header has {header_width}")
    assert bad["order_id"] == "H00002"


# -- workbooks of several sheets ---------------------------------------------------------------

def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _sheet_rows(rows: list[dict[str, str]]) -> list[list[object]]:
    headers = list(rows[0])
    return [headers] + [[row[h] for h in headers] for row in rows]


def test_every_sheet_that_holds_the_feed_is_read_and_rows_name_their_sheet(tmp_path: Path, lake: Path) -> None:
    first, second = orders(2), [{**r, "order_id": f"S{i}"} for i, r in enumerate(orders(2))]
    second[1]["region_code"] = "339999"
    path = _workbook(tmp_path / "orders.xlsx", {"十月": _sheet_rows(first), "十一月": _sheet_rows(second),
                                                 "空表": []})
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.rows_read, result.loaded, result.quarantined) == (4, 3, 1)
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 3  # the row in its sheet, header = row 1
    assert bad["_reason"] == "sheet '十一月': region_code: '339999' is not a region code in the hierarchy"


def test_a_sheet_with_data_that_is_not_the_feed_refuses_the_workbook_naming_it(tmp_path: Path, lake: Path) -> None:
    path = _workbook(tmp_path / "orders.xlsx", {"工单": _sheet_rows(orders(2)),
                                                 "汇总": [["区县", "工单数"], ["上城区", 2]]})
    with pytest.raises(IngestError) as caught:
        ingest_file("hotline_orders", path, lake_dir=lake)
    message = str(caught.value)
    assert "sheet '汇总' (header on row 1): missing required order_id (工单编号)" in message
    assert "sheets '工单' can be read" in message
    assert snapshot(lake) == {}


def test_a_formula_without_a_computed_value_is_quarantined_not_loaded_as_empty(tmp_path: Path, lake: Path) -> None:
    rows = _sheet_rows(orders(2))
    rows[2][rows[0].index("lon")] = "=120+0.2"  # openpyxl writes the formula, not a value
    path = _workbook(tmp_path / "orders.xlsx", {"Sheet1": rows})
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.loaded, result.quarantined) == (1, 1)
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 3
    assert bad["_reason"] == "formula without a computed value in column lon; open and save the file in Excel"


# -- content that is not what the name says ----------------------------------------------------

def _xlsx_named_csv(tmp: Path) -> Path:
    return _workbook(tmp / "orders.csv", {"Sheet1": _sheet_rows(orders(1))})


def _parquet_named_csv(tmp: Path) -> Path:
    path = tmp / "orders.csv"
    pq.write_table(pa.table({"order_id": ["H1"]}), path)
    return path


def _gzip_named_csv(tmp: Path) -> Path:
    path = tmp / "orders.csv"
    path.write_bytes(gzip.compress(_csv_lines(orders(1)).encode()))
    return path


def _csv_named_xlsx(tmp: Path) -> Path:
    path = tmp / "orders.xlsx"
    path.write_text(_csv_lines(orders(1)), encoding="utf-8")
    return path


def _xlsx_named_parquet(tmp: Path) -> Path:
    return _workbook(tmp / "orders.parquet", {"Sheet1": _sheet_rows(orders(1))})


@pytest.mark.parametrize(("make", "problem"), [
    (_xlsx_named_csv, "orders.csv: this is an Excel workbook (.xlsx) named .csv; rename it to .xlsx"),
    (_parquet_named_csv, "orders.csv: this is a Parquet file (.parquet) named .csv; rename it to .parquet"),
    (_gzip_named_csv, "orders.csv: this is a gzip-compressed file (.gz) named .csv; decompress it first"),
    (_csv_named_xlsx, "orders.xlsx, line 1: not an Excel .xlsx workbook: it holds text starting 'order_id,"),
    (_xlsx_named_parquet, "orders.parquet: this is an Excel workbook (.xlsx) named .parquet; rename it to .xlsx"),
], ids=lambda v: v.__name__.strip("_") if callable(v) else "")
def test_content_that_is_not_what_the_name_says_is_named(tmp_path: Path, lake: Path, make, problem: str) -> None:
    with pytest.raises(IngestError) as caught:
        ingest_file("hotline_orders", make(tmp_path), lake_dir=lake)
    assert str(caught.value).split("/")[-1].startswith(problem)
    assert snapshot(lake) == {}


# -- headers -----------------------------------------------------------------------------------

def test_an_unknown_header_is_listed_with_the_closest_column(tmp_path: Path, lake: Path) -> None:
    rows = [{**r, "satisfaction": "满意", "satisfation": "满意"} for r in orders(1)]
    result = checked(ingest_file("hotline_orders", write_csv(tmp_path / "orders.csv", rows), lake_dir=lake))
    assert result.loaded == 1
    assert result.ignored_columns == ["satisfation (did you mean satisfaction / 满意度?)"]
    assert "ignored columns: satisfation (did you mean satisfaction / 满意度?)" in result.summary()


def test_a_misspelt_header_for_a_missing_column_refuses_the_file_naming_both(tmp_path: Path, lake: Path) -> None:
    rows = [{**r, "satisfation": "满意"} for r in orders(1)]
    with pytest.raises(IngestError, match=r"orders\.csv, line 1: column 'satisfation' is not a column of "
                                          r"hotline_orders and satisfaction \(满意度\) is missing: did you mean "
                                          r"satisfaction\? rename the header$"):
        ingest_file("hotline_orders", write_csv(tmp_path / "orders.csv", rows), lake_dir=lake)
    assert snapshot(lake) == {}


def test_headers_with_line_breaks_and_double_spaces_are_matched(tmp_path: Path, lake: Path) -> None:
    rows = orders(1)
    renamed = [{("受理\n时间" if k == "created_at" else "order  ID" if k == "order_id" else
                 "closed at" if k == "closed_at" else k): v for k, v in r.items()} for r in rows]
    renamed[0] = {("工单编号" if k == "order  ID" else k): v for k, v in renamed[0].items()}
    result = checked(ingest_file("hotline_orders", write_csv(tmp_path / "orders.csv", renamed), lake_dir=lake))
    assert (result.loaded, result.ignored_columns) == (1, [])
    [stored] = lake_rows(lake, "hotline_orders")
    assert str(stored["created_at"]) == "2026-10-01 08:00:00" and str(stored["closed_at"]) == "2026-10-02 09:30:00"


# -- plausible time ----------------------------------------------------------------------------

def test_timestamps_far_ahead_or_before_the_feed_start_are_quarantined(tmp_path: Path, lake: Path) -> None:
    rows = orders(5)
    rows[0]["created_at"] = "9999-12-30 00:00:00"
    rows[1]["closed_at"] = "2206-10-02 09:30:00"  # a typo year
    rows[2]["created_at"] = "1999-12-31 23:00:00"
    rows[3]["due_at"] = "2026-12-15 18:00:00"  # a deadline may lie ahead: due_at declares it
    result = checked(ingest_file("hotline_orders", write_csv(tmp_path / "orders.csv", rows), lake_dir=lake))
    assert (result.loaded, result.quarantined) == (2, 3)
    reasons = {r["_line"]: r["_reason"] for r in quarantine_rows(result)}
    assert reasons == {
        2: "created_at: '9999-12-30 00:00:00' is in the future: after 2026-11-21 22:00 (now + 1 day, "
           "future_tolerance_days)",
        3: "closed_at: '2206-10-02 09:30:00' is in the future: after 2026-11-21 22:00 (now + 1 day, "
           "future_tolerance_days)",
        4: "created_at: '1999-12-31 23:00:00' is before 2000-01-01, the earliest time hotline_orders declares "
           "(valid_from)",
    }


def test_statistics_for_a_month_that_has_not_begun_are_quarantined(tmp_path: Path, lake: Path) -> None:
    rows = [economy_monthly_row(i) for i in range(3)]
    rows[1]["month"] = "2026-11"  # the current month (NOW is 20 November): may be published
    rows[2]["month"] = "2030-05"
    result = checked(ingest_file("economy_monthly", write_csv(tmp_path / "economy.csv", rows), lake_dir=lake))
    assert (result.loaded, result.quarantined) == (2, 1)
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 4 and bad["_reason"].startswith("month: '2030-05' is in the future")


# -- long text ---------------------------------------------------------------------------------

def test_long_text_loads_up_to_its_limit_and_is_quarantined_beyond(tmp_path: Path, lake: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    complaint = "路灯不亮，" * 20_000  # 100,000 characters, 300 KB of UTF-8: the default limit
    rows = orders(3)
    rows[0]["category_l3"] = complaint
    rows[1]["category_l3"] = complaint + "。"
    rows[2]["caller_id"] = "C" * 65  # caller_id declares 64
    path = write_csv(tmp_path / "orders.csv", rows)
    assert len(path.read_bytes()) > 600_000
    # The fast parser must take the big cells: fail loudly if the file falls back to the exact one.
    monkeypatch.setattr(readers, "_parse_csv_exact", lambda text: pytest.fail("the fast CSV parser gave up"))
    result = checked(ingest_file("hotline_orders", path, lake_dir=lake))
    assert (result.loaded, result.quarantined) == (1, 2)
    [stored] = lake_rows(lake, "hotline_orders")
    assert stored["category_l3"] == complaint
    reasons = {r["_line"]: r["_reason"] for r in quarantine_rows(result)}
    assert reasons[3].startswith("category_l3: '路灯不亮") and reasons[3].endswith(
        "is 100,001 characters long, over the limit of 100,000")
    assert reasons[4].endswith("is 65 characters long, over the limit of 64")


def test_a_long_value_is_read_by_the_exact_parser_too(tmp_path: Path) -> None:
    text = "order_id,category_l3\n\nH1,\"" + "x\n" * 100_000 + "\"\n"  # a blank line: the exact parser
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    raw = readers.read_csv(path)
    assert raw.frame.iloc[0, 1] == "x\n" * 100_000 and raw.line_numbers.tolist() == [3]
    assert raw.row_problems == {}


def test_swallowed_lines_are_told_apart_from_text_with_commas() -> None:
    headers = ["a", "b", "c", "d"]
    assert readers._swallowed_lines(["1", "2", "3", "第一行\n第二行, 有逗号"], headers, 2, 3) is None
    assert readers._swallowed_lines(["1", "2", "3", "x\n5,6,7,8"], headers, 2, 3) is not None


def test_the_reader_alone_still_numbers_csv_lines(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(b"order_id,note\nH1,\"two\nlines\"\nH2,x\n")
    raw = readers.read_csv(path)
    assert raw.line_numbers.tolist() == [2, 4] and raw.row_problems == {}


# -- the contract fields -------------------------------------------------------------------------

def test_shipped_contracts_declare_identifier_lengths_and_deadlines_ahead() -> None:
    contracts = load_contracts()
    hotline = contracts.table("hotline_orders")
    assert hotline.column("order_id").max_length == 64
    assert hotline.column("category_l3").max_length == DEFAULT_MAX_LENGTH
    assert hotline.plausible_time(hotline.column("created_at")) == (date(2000, 1, 1), 1.0)
    assert hotline.plausible_time(hotline.column("due_at")) == (date(2000, 1, 1), 366.0)
    assert contracts.table("waste_facilities").valid_from == date(1950, 1, 1)


def test_wrong_plausibility_and_length_fields_are_reported_with_table_and_column(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(
        "family: test\nlabel_zh: 测试\nlabel_en: Test\ntables:\n"
        "  - name: t1\n    label_zh: 表\n    label_en: T\n    natural_key: [id]\n    region_column: id\n"
        "    valid_from: yesterday\n    future_tolerance_days: -1\n    columns:\n"
        "      - {name: id, type: string, max_length: 0, label_zh: 编号, label_en: ID}\n"
        "      - {name: n, type: integer, max_length: 10, label_zh: 数, label_en: N}\n"
        "      - {name: s, type: string, valid_from: 2001-01-01, label_zh: 文, label_en: S}\n"
        "      - {name: at, type: timestamp, future_tolerance_days: true, label_zh: 时, label_en: At}\n",
        encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        load_contracts(tmp_path)
    problems = [p.split("broken.yaml, ")[1] for p in caught.value.problems]
    assert problems == [
        "table t1, column id: max_length must be a positive number of characters, not 0",
        "table t1, column n: max_length applies to string columns, not integer",
        "table t1, column s: valid_from and future_tolerance_days apply to time columns "
        "(timestamp, date, month, quarter), not string",
        "table t1, column at: future_tolerance_days must be a number of days from 0 to 36600, not True",
        "table t1: valid_from must be a date (YYYY-MM-DD), not 'yesterday'",
        "table t1: future_tolerance_days must be a number of days from 0 to 36600, not -1",
    ]


def test_an_excel_error_cell_is_quarantined_with_its_column(tmp_path: Path, lake: Path) -> None:
    rows = _sheet_rows(orders(2))
    rows[1][rows[0].index("lat")] = "#DIV/0!"  # openpyxl stores Excel's error codes as error cells
    result = checked(ingest_file("hotline_orders", _workbook(tmp_path / "orders.xlsx", {"Sheet1": rows}),
                                 lake_dir=lake))
    assert (result.loaded, result.quarantined) == (1, 1)
    [bad] = quarantine_rows(result)
    assert bad["_line"] == 2 and bad["_reason"].startswith("lat holds the Excel error #DIV/0!; lat: '#DIV/0!'")
