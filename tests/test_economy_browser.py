"""经济运行 in headless Chromium: the page loads clean, a bar drills into a city (the URL and the
breadcrumbs say so), the back button returns, a number opens its records, below a county the page
points to the nearest level that has the economy."""

from __future__ import annotations

import pytest

from cockpit.query.snapshot import current_snapshot
from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser


def _at(page, pattern: str) -> None:
    """Wait until the address matches `pattern` (client-side navigation changes it without a load)."""
    page.wait_for_function("p => new RegExp(p).test(location.pathname + location.search)", arg=pattern,
                           timeout=30_000)


def _ranking(demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    period = snap.periods("retail_sales_ytd_growth", "month")[0]
    return snap.ranking("retail_sales_ytd_growth", "330000", "month", period)


def test_drill_by_bar_back_and_records(visit, demo_snapshots):
    ranking = _ranking(demo_snapshots)
    v = visit(1366, 768)
    page = v.goto("/economy")
    page.wait_for_selector("#economy-ranking .bars path", timeout=30_000)
    page.wait_for_selector("#economy-trend .scatterlayer .trace")
    assert "浙江省" in page.inner_text("#wb-breadcrumbs")
    assert len(page.locator("#wb-kpis .wb-kpi").all()) == 6
    assert "1–" in page.inner_text("#economy-ytd")  # 2026年1–10月: the year to date, as published
    assert not v.console_errors, v.console_errors
    assert not v.external_requests, v.external_requests
    assert not v.undrawable_traces()
    save_screenshot(page, "economy")

    last = ranking.sort_values("rank").iloc[-1]
    bar = page.locator("#economy-ranking .bars path").nth(0)  # drawn bottom-up: the last-ranked city
    bar.scroll_into_view_if_needed()  # a click lands only inside the viewport
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _at(page, rf"/economy\?region={last['region']}")
    page.wait_for_function(f"document.querySelector('#wb-breadcrumbs').innerText.includes('{last['name']}')",
                           timeout=30_000)
    assert page.locator("#wb-breadcrumbs a", has_text="浙江省").count() == 1  # the way back up is a link

    page.go_back()
    # the province again (the framework's region picker may have written ?region=330000 on load)
    _at(page, r"/economy(\?region=330000)?$")
    page.wait_for_function("!document.querySelector('#wb-breadcrumbs a')", timeout=30_000)

    link = page.locator("#economy-ytd-table a.wb-records-link").first
    href = link.get_attribute("href")
    assert href.startswith("/records?indicator=industrial_value_added&region=330000&frequency=month&period=")
    link.click()
    _at(page, r"/records\?indicator=industrial_value_added")
    assert not v.console_errors, v.console_errors


def test_below_a_county_the_page_points_to_the_county(visit, demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    county = snap.children("330100")["code"].iloc[0]
    street = snap.children(county)["code"].iloc[0]
    v = visit(1366, 768)
    page = v.goto(f"/economy?region={street}")
    page.wait_for_selector("#wb-coverage", timeout=30_000)
    assert page.locator("#economy-page .js-plotly-plot").count() == 0  # never an empty chart
    page.click("#wb-coverage-nearest")
    _at(page, rf"/economy\?region={county}")
    page.wait_for_selector("#economy-ranking-none")  # its streets are not counted: said, not drawn
    assert not v.console_errors, v.console_errors


def test_quarter_and_english(visit, demo_snapshots):
    v = visit(1920, 1080)
    page = v.goto("/economy?frequency=quarter&lang=en")
    page.wait_for_selector("#economy-trend .scatterlayer .trace", timeout=30_000)
    assert "GDP by quarter" in page.inner_text("#economy-trend")
    assert "Q1–Q" in page.inner_text("#economy-ytd")
    assert not v.console_errors, v.console_errors


def test_the_trend_start_lives_in_the_address(visit, demo_snapshots):
    """The filter bar's trend start: picked, it is in the URL and the trend starts there; back undoes it."""
    v = visit(1366, 768)
    page = v.goto("/economy?region=330100")
    page.wait_for_selector("#economy-trend .scatterlayer .trace", timeout=30_000)
    page.locator(".wb-since").click()
    option = page.locator("[role=option]").nth(5)  # the open dropdown's options (drawn outside it)
    start = option.inner_text().strip()
    option.click()
    page.wait_for_function("s => new URLSearchParams(location.search).get('since') === s", arg=start, timeout=30_000)
    page.wait_for_function("""s => { const g = document.querySelector('#economy-trend .js-plotly-plot');
                                     return g && g.data && g.data[0].x[0] === s; }""", arg=start, timeout=30_000)
    assert page.locator(".wb-since").inner_text().strip().startswith(start)
    page.go_back()
    page.wait_for_function("!new URLSearchParams(location.search).get('since')", timeout=30_000)
    assert v.console_errors == [] and v.external_requests == []
