"""The records page in headless Chromium: the grid's first block, the count beside the value,
sorting by a header, masked phones, cross-filter chips with back/forward, the numerator and
denominator of a rate, and an Excel export holding exactly the rows shown."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import openpyxl
import pytest

from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer
from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser

FIRST_CELL = "#records-grid .ag-center-cols-container .ag-row[row-index='0'] [col-id='{col}']"
PINNED_FIRST = "#records-grid .ag-row[row-index='0'] [col-id='{col}']"


def _reader(demo_lake, demo_snapshots) -> Reader:
    return Reader(Viewer(), current_snapshot(demo_snapshots), lake_dir=demo_lake)


def _place(reader: Reader) -> tuple[str, str]:
    city = reader.children(reader.root)["code"].iloc[0]
    return city, reader.periods("hotline_orders", "month")[1]


def _place_below_full_closure(reader: Reader) -> tuple[str, str, dict]:
    """A city and month whose closure rate is below 100%, so its numerator and denominator lists differ
    (at test scale a small city's month can have every order closed)."""
    for city in reader.children(reader.root)["code"]:
        for month in reader.periods("hotline_orders", "month"):
            sets = {s["key"]: s for s in reader.record_sets("hotline_closure_rate", city, "month", month)}
            if _value(reader, sets["numerator"]["indicator"], city, month) < \
                    _value(reader, sets["denominator"]["indicator"], city, month):
                return city, month, sets
    raise AssertionError("the demo has no city and month with an order left open")


def _value(reader: Reader, indicator: str, region: str, period: str) -> int:
    series = reader.series(indicator, region, "month")
    return round(float(series.loc[series["period"] == period, "value"].iloc[0]))


def _link(**args) -> str:
    return "/records?" + urlencode(args)


def _wait_rows(page) -> None:
    """Until the grid's first block has arrived (before it, the infinite model shows an empty loading row)."""
    page.wait_for_function(f"""(() => {{ const c = document.querySelector("{PINNED_FIRST.format(col='order_id')}");
                                         return c && c.innerText.trim().length > 0; }})()""", timeout=30_000)


def test_grid_count_sort_mask_and_export(visit, demo_lake, demo_snapshots, tmp_path):
    reader = _reader(demo_lake, demo_snapshots)
    city, month = _place(reader)
    value = _value(reader, "hotline_orders", city, month)
    v = visit(1366, 768)
    page = v.goto(_link(indicator="hotline_orders", region=city, frequency="month", period=month))
    _wait_rows(page)
    assert page.locator("#records-grid .ag-center-cols-container .ag-row").count() > 0
    assert page.inner_text("#records-count") == f"共 {value:,} 条"
    assert f"= 指标值 {value:,}" in page.inner_text("#records-value")
    assert reader.region_name(city) in page.inner_text("#records-title")
    phones = page.eval_on_selector_all("#records-grid .ag-center-cols-container [col-id='caller_phone']",
                                       "cells => cells.map(c => c.innerText).filter(t => t)")
    assert phones and all(re.fullmatch(r"1[0-9]{2}\*{4}[0-9]{4}", p) for p in phones)  # masked: 138****1234
    lock = page.evaluate("""getComputedStyle(document.querySelector(
        "#records-grid .ag-header-cell[col-id='caller_phone'] .ag-header-cell-text"), '::before').content""")
    assert lock not in ("", "none", "normal")  # the lock icon before the header
    assert "个人信息已脱敏" in page.inner_text("#records-masking")
    save_screenshot(page, "records-zh")

    # a header click sorts on the server: the first row is the oldest, then the newest order
    header = page.locator("#records-grid .ag-header-cell[col-id='created_at'] .ag-header-cell-label")
    header.click()
    oldest = reader.indicator_records("hotline_orders", city, "month", month, sort=[("created_at", "asc")], limit=1).rows
    page.wait_for_function(f"""(() => {{ const c = document.querySelector("{PINNED_FIRST.format(col='order_id')}");
                                         return c && c.innerText === {oldest['order_id'].iloc[0]!r}; }})()""", timeout=30_000)
    header.click()
    newest = reader.indicator_records("hotline_orders", city, "month", month, sort=[("created_at", "desc")], limit=1).rows
    page.wait_for_function(f"""(() => {{ const c = document.querySelector("{PINNED_FIRST.format(col='order_id')}");
                                         return c && c.innerText === {newest['order_id'].iloc[0]!r}; }})()""", timeout=30_000)
    assert newest["order_id"].iloc[0] != oldest["order_id"].iloc[0]
    page.wait_for_function("document.querySelector('#records-export-xlsx').href.includes('sort=created_at%3Adesc')",
                           timeout=10_000)

    # the export holds exactly the rows shown, in the order shown, masked as shown
    with page.expect_download(timeout=60_000) as download:
        page.click("#records-export-xlsx")
    path = tmp_path / "records.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_row = rows[0]
    body = [tuple(r) + (None,) * (len(header_row) - len(r)) for r in rows[1:]]  # read-only mode drops empty tails
    assert "工单编号" in header_row and "联系电话" in header_row and "诉求内容" not in header_row
    expected = reader.indicator_records("hotline_orders", city, "month", month, sort=[("created_at", "desc")],
                                        limit=1000).rows
    assert len(body) == value
    ids = [r[header_row.index("工单编号")] for r in body]
    assert ids[:len(expected)] == expected["order_id"].tolist()
    phones = [r[header_row.index("联系电话")] for r in body if r[header_row.index("联系电话")]]
    assert phones and all(re.fullmatch(r"1[0-9]{2}\*{4}[0-9]{4}", p) for p in phones)
    assert v.external_requests == [] and v.console_errors == []


def test_cross_filter_chip_clears_and_back_restores(visit, demo_lake, demo_snapshots):
    reader = _reader(demo_lake, demo_snapshots)
    city, month = _place(reader)
    category = reader.indicator_records("hotline_orders", city, "month", month, limit=1).rows["category_l1"].iloc[0]
    narrowed = reader.indicator_records("hotline_orders", city, "month", month, filters={"category_l1": category},
                                        limit=0).total
    v = visit(1366, 768)
    page = v.goto(_link(indicator="hotline_orders", region=city, frequency="month", period=month,
                        category_l1=category))
    _wait_rows(page)
    chip = page.locator("#records-chips a")
    assert chip.count() == 1 and category in chip.inner_text()
    assert page.inner_text("#records-count") == f"共 {narrowed:,} 条"
    assert page.locator(FIRST_CELL.format(col="category_l1")).inner_text() == category
    chip.click()
    page.wait_for_function("!location.search.includes('category_l1')", timeout=30_000)
    page.wait_for_selector("#records-chips", state="detached", timeout=30_000)
    assert page.inner_text("#records-count") == f"共 {_value(reader, 'hotline_orders', city, month):,} 条"
    page.go_back()
    page.wait_for_selector("#records-chips a", timeout=30_000)
    assert "category_l1=" in page.url
    assert page.inner_text("#records-count") == f"共 {narrowed:,} 条"
    assert v.external_requests == [] and v.console_errors == []


def test_rate_numerator_and_denominator(visit, demo_lake, demo_snapshots):
    reader = _reader(demo_lake, demo_snapshots)
    city, month, sets = _place_below_full_closure(reader)
    v = visit(1920, 1080)
    page = v.goto(_link(indicator="hotline_closure_rate", region=city, frequency="month", period=month,
                        key="numerator", lang="en"))
    _wait_rows(page)
    closed = _value(reader, sets["numerator"]["indicator"], city, month)
    assert page.inner_text("#records-count") == f"{closed:,} rows"
    page.click("#records-sets a:has-text('Denominator')")
    page.wait_for_function("location.search.includes('key=denominator')", timeout=30_000)
    accepted = _value(reader, sets["denominator"]["indicator"], city, month)
    page.wait_for_function(f"document.querySelector('#records-count').innerText === '{accepted:,} rows'", timeout=30_000)
    assert accepted > closed
    assert v.external_requests == [] and v.console_errors == []


def test_a_grids_own_records(visit, demo_lake, demo_snapshots):
    reader = _reader(demo_lake, demo_snapshots)
    region = reader.root
    while not (children := reader.children(region)).empty:
        region = children["code"].iloc[0]
    total = reader.records("hotline_orders", filters={"region": region}, limit=0).total
    v = visit(1366, 768)
    page = v.goto(_link(feed="hotline_orders", region=region))
    page.wait_for_selector("#records-count", timeout=30_000)
    assert page.inner_text("#records-count") == f"共 {total:,} 条"
    if total:
        _wait_rows(page)
    bad = visit(1366, 768).goto(_link(indicator="no_such_thing", region=region, frequency="month", period="2026-10"))
    assert "无法列出记录" in bad.inner_text("#records-problem-page")
    assert v.external_requests == [] and v.console_errors == []
