"""The indicator page in headless Chromium, for a measure, a formula and a composite: it loads
without console errors or external requests, a ranking row drills one level (a history entry,
breadcrumbs follow, back undoes it), a category bar sets a cross filter (a chip names it and
clears it), the number opens its records, lineage and formula link other indicators."""

from __future__ import annotations

import pytest

from cockpit.query.snapshot import current_snapshot
from cockpit.ui.format import format_value
from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser


def _click(page, locator) -> None:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # as a user clicks the plot


def test_a_measure_drills_filters_and_opens_its_records(visit, demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    period = snap.periods("hotline_orders", "month")[0]
    value = snap.series("hotline_orders", "330000", "month").set_index("period")["value"][period]
    ranked = snap.ranking("hotline_orders", "330000", "month", period)
    v = visit(1366, 900)
    page = v.goto("/indicator/hotline_orders")
    page.wait_for_selector("#ind-page #ind-value")
    assert page.inner_text("#ind-value") == format_value(value, "件", 0, "zh")
    assert page.inner_text("#ind-kind") == "基础指标"
    assert page.locator("#ind-ranking .ind-rank-row").count() == len(ranked)
    save_screenshot(page, "indicator-measure")

    # drill: the first city of the ranking
    first = ranked.iloc[0]
    history = page.evaluate("history.length")
    page.locator("#ind-ranking a.ind-rank-name").first.click()
    page.wait_for_function(f"location.search.includes('region={first['region']}')", timeout=30_000)
    page.wait_for_function(f"document.querySelector('#wb-breadcrumbs') && "
                           f"document.querySelector('#wb-breadcrumbs').innerText.includes('{first['name']}')",
                           timeout=30_000)
    assert page.evaluate("history.length") == history + 1
    page.go_back()
    page.wait_for_function(f"!location.search.includes('region={first['region']}')", timeout=30_000)
    page.wait_for_function("document.querySelector('#wb-breadcrumbs') && "
                           f"!document.querySelector('#wb-breadcrumbs').innerText.includes('{first['name']}')",
                           timeout=30_000)

    # cross filter: the largest category (bars are drawn bottom-up: the last one is the top)
    page.wait_for_selector("#ind-categories-category_l1 .bars path")
    bars = page.locator("#ind-categories-category_l1 .bars path")
    _click(page, bars.nth(bars.count() - 1))
    page.wait_for_function("location.search.includes('category_l1=')", timeout=30_000)
    page.wait_for_selector("#wb-chips [data-filter='category_l1']", timeout=30_000)
    page.wait_for_function("document.querySelector('#ind-value-card') && "
                           "document.querySelector('#ind-value-card').innerText.includes('仅')", timeout=30_000)
    assert page.inner_text("#ind-value") != format_value(value, "件", 0, "zh")  # one category's orders only
    page.locator("#wb-chips [data-filter='category_l1']").click()
    page.wait_for_function("!location.search.includes('category_l1=')", timeout=30_000)
    page.wait_for_function(f"document.querySelector('#ind-value') && document.querySelector('#ind-value').innerText"
                           f" === '{format_value(value, '件', 0, 'zh')}'", timeout=30_000)
    assert v.console_errors == [] and v.external_requests == []
    assert v.undrawable_traces() == [] and not v.loaded_dash_plotly()

    # the number opens the records behind it
    page.locator("#ind-value-link").click()
    page.wait_for_function("location.pathname === '/records'", timeout=30_000)
    query = page.evaluate("location.search")
    assert "indicator=hotline_orders" in query and f"period={period}" in query and "region=330000" in query


def test_a_formula_links_what_it_reads(visit, demo_snapshots):
    v = visit(1366, 900)
    page = v.goto("/indicator/hotline_closure_rate?lang=en")
    page.wait_for_selector("#ind-formula")
    assert page.locator("#ind-formula a").count() == 2
    assert page.inner_text("#ind-kind") == "Formula"
    assert page.locator("#ind-records a").count() == 2  # the numerator's rows and the denominator's
    assert page.locator("#ind-trend .scatterlayer .trace").count() >= 2  # the values and the target
    page.locator("#ind-node-hotline_closed").click()
    page.wait_for_function("location.pathname === '/indicator/hotline_closed'", timeout=30_000)
    page.wait_for_function("document.querySelector('#ind-kind') && "
                           "document.querySelector('#ind-kind').innerText === 'Measure'", timeout=30_000)
    page.go_back()
    if page.evaluate("location.pathname") != "/indicator/hotline_closure_rate":
        # the framework's region picker adds ?region=<root> to a page opened without a region (a
        # second history entry of the same view, reported to the framework): one more step back
        page.go_back()
    page.wait_for_function("location.pathname === '/indicator/hotline_closure_rate'", timeout=30_000)
    page.wait_for_selector("#ind-formula")
    assert v.console_errors == [] and v.external_requests == []


def test_a_composite_is_taken_apart_and_an_unknown_id_says_so(visit, demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    period = snap.periods("waste_free_index", "month")[0]
    city = snap.ranking("waste_free_index", "330000", "month", period).iloc[0]
    v = visit(1366, 900)
    page = v.goto(f"/indicator/waste_free_index?region={city['region']}")
    page.wait_for_selector("#ind-parts")
    assert page.locator("#ind-parts tbody tr").count() == 9
    assert page.inner_text("#ind-explanation").strip()
    assert page.inner_text("#ind-value") == format_value(city["value"], "分", 1, "zh")
    assert page.locator("#ind-lineage a").count() >= 9  # its dimensions, linked
    save_screenshot(page, "indicator-composite")
    assert v.console_errors == [] and v.external_requests == []
    response = page.goto(v.base_url + "/indicator/no_such_indicator")
    assert response.status == 404  # the address names nothing: said in the status as on the page
    page.wait_for_selector("#notfound-page")
    assert "no_such_indicator" in page.inner_text("#notfound-page")
    # the browser logs the document's own 404, and nothing else
    assert [e for e in v.console_errors if "404" not in e] == [] and v.external_requests == []
