"""生态环境 in headless Chromium: the page loads clean, a region row drills (URL and breadcrumbs),
the back button returns, a grade bar and a station open their records."""

from __future__ import annotations

import pytest

from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser


def _at(page, pattern: str) -> None:
    """Wait until the address matches `pattern` (client-side navigation changes it without a load)."""
    page.wait_for_function("p => new RegExp(p).test(location.pathname + location.search)", arg=pattern,
                           timeout=30_000)


def test_drill_by_row_back_and_records(visit, demo_snapshots):
    v = visit(1366, 768)
    page = v.goto("/environment")
    page.wait_for_selector("#environment-trend-good_air_day_ratio .scatterlayer .trace", timeout=30_000)
    page.wait_for_selector("#environment-children-table")
    page.wait_for_selector("#environment-stations-table")
    assert not v.console_errors, v.console_errors
    assert not v.external_requests, v.external_requests
    assert not v.undrawable_traces()
    save_screenshot(page, "environment")

    row = page.locator("#environment-children-table a.wb-drill").first
    name, code = row.inner_text(), row.get_attribute("href").split("region=")[1].split("&")[0]
    row.click()
    _at(page, rf"/environment\?region={code}")
    page.wait_for_function(f"document.querySelector('#wb-breadcrumbs').innerText.includes('{name}')", timeout=30_000)
    page.wait_for_selector("#environment-manifests .bars path", state="attached")  # a city counts its manifests
    assert page.locator("#environment-manifests .bars path").count() == 5  # one bar a waste class (0 t is a bar too)

    page.go_back()
    # the province again (the framework's region picker may have written ?region=330000 on load)
    _at(page, r"/environment(\?region=330000)?$")
    page.wait_for_selector("#environment-manifests-where")  # the province does not: it says where they are

    station = page.locator("#environment-stations-table a.wb-records-link").first
    assert "station_id=" in station.get_attribute("href")

    page.locator("#environment-sections").scroll_into_view_if_needed()  # a click lands only inside the viewport
    bars = [b.bounding_box() for b in page.locator("#environment-sections .bars path").all()]
    box = max((b for b in bars if b), key=lambda b: b["height"])  # the grade most sections have
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _at(page, r"/records\?indicator=water_sections_monitored&region=330000.*grade=")
    assert not v.console_errors, v.console_errors
