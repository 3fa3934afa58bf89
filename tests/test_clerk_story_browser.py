"""The issue's story, tried as a new clerk would: from /governance, which streets had the most
overdue 12345 orders last month, and which orders were they; then hand the list on as Excel.

Click 1 opens the street's orders from its number in the overdue panel; click 2 downloads them.
The file must open, hold exactly the orders the number counts (each one that street's, each
closed after its deadline), with a Chinese header, dates as dates and phone numbers masked."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest

from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import default_viewer

pytestmark = pytest.mark.browser


def test_the_most_overdue_streets_and_their_orders_in_excel(visit, use_demo_lake, tmp_path):
    v = visit(1366, 768)
    page = v.goto("/governance")
    panel = page.locator("#gov-overdue")
    panel.wait_for(timeout=30_000)
    # the page opens on the last complete month, and says which
    period = page.locator(".wb-page").get_attribute("data-period")
    reader = Reader(default_viewer(), current_snapshot())
    assert period == reader.periods("hotline_overdue", "month")[0]
    first = panel.locator("a.gov-overdue-records").first
    first.wait_for(timeout=30_000)
    shown = int(re.sub(r"\D", "", first.inner_text()))
    streets = reader.descendant_values("hotline_overdue", reader.root, "street", "month", period)
    assert shown == int(streets["value"].max())  # the top of the panel is the most overdue street

    first.click()  # click 1: the orders behind that number
    page.wait_for_function("location.pathname === '/records'", timeout=30_000)
    asked = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert asked["indicator"] == "hotline_overdue" and asked["period"] == period
    street = asked["region"]
    assert street in set(streets.loc[streets["value"] == shown, "region"])
    page.wait_for_selector("#records-grid .ag-row", timeout=30_000)
    assert f"共 {shown} 条" in page.locator("#records-page").inner_text()

    with page.expect_download(timeout=60_000) as download:  # click 2: hand it on as Excel
        page.locator("#records-export-xlsx").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(saved).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == shown
    col = {name: header.index(name) for name in ("工单编号", "所属区划", "办结时间", "办理时限", "联系电话")}
    assert all(str(r[col["所属区划"]]).startswith(street) for r in body)
    for r in body:  # each counted order closed after its deadline, with real dates in the cells
        assert isinstance(r[col["办结时间"]], datetime) and isinstance(r[col["办理时限"]], datetime)
        assert r[col["办结时间"]] > r[col["办理时限"]]
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", str(r[col["联系电话"]])) for r in body if r[col["联系电话"]])
    expected = reader.indicator_records("hotline_overdue", street, "month", period, limit=1000).rows
    assert sorted(r[col["工单编号"]] for r in body) == sorted(expected["order_id"])
    assert v.console_errors == [] and v.external_requests == []
