"""城市治理 in a browser, as a department clerk would use it: the page loads clean, a category bar
filters the page (a chip names it), back undoes it, a street drills in (URL and breadcrumbs), and
a street's overdue number opens its orders on /records."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _at(page, pattern: str) -> None:
    """Wait until the address matches `pattern` (client-side navigation changes it without a load)."""
    page.wait_for_function("p => new RegExp(p).test(location.pathname + location.search)", arg=pattern,
                           timeout=30_000)


def _clean(v) -> None:
    assert v.console_errors == [], v.console_errors
    assert v.external_requests == [], v.external_requests
    assert v.undrawable_traces() == []


def test_governance_loads_with_every_panel(visit):
    v = visit(1366, 768)
    page = v.goto("/governance")
    page.wait_for_selector("#wb-kpis .wb-kpi", timeout=30_000)
    for panel in ("#gov-overdue", "#gov-map", "#gov-rates", "#gov-categories", "#gov-category-trend", "#gov-funnel",
                  "#gov-repeat", "#gov-open", "#gov-grid", "#gov-services"):
        assert page.locator(panel).count() == 1, panel
    assert page.locator("#wb-kpis .wb-kpi").count() == 6
    assert "12345" in page.locator(".wb-lead").inner_text()
    assert page.locator("#gov-rates-department").count() == 1
    _clean(v)


def test_category_filter_chip_and_back(visit):
    v = visit(1366, 768)
    page = v.goto("/governance")
    bar = page.locator("#gov-categories .js-plotly-plot .bars path").first
    bar.wait_for(timeout=30_000)
    bar.scroll_into_view_if_needed()  # a click lands only inside the viewport
    box = bar.bounding_box()  # Plotly's drag layer lies over the bars: click where the bar is drawn
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _at(page, r"/governance\?.*category_l1=")
    chip = page.locator("#wb-chips .wb-chip")
    chip.wait_for(timeout=30_000)
    chosen = _query(page)["category_l1"][0]
    assert chosen in chip.inner_text()
    # the rates by department cannot be split by category too: the panel says so
    page.wait_for_selector("#gov-rates-department-not-filtered", timeout=30_000)
    page.go_back()
    _at(page, r"^/governance(\?region=330000)?$")
    page.wait_for_function("!document.querySelector('#wb-chips')", timeout=30_000)
    page.wait_for_selector("#gov-categories .js-plotly-plot", timeout=30_000)
    _clean(v)


def test_drill_into_a_street_and_open_its_overdue_orders(visit):
    v = visit(1366, 768)
    page = v.goto("/governance")
    link = page.locator("#gov-overdue-table .wb-drill").first
    link.wait_for(timeout=30_000)
    name = link.inner_text()
    code = link.locator("xpath=ancestor::tr").get_attribute("data-region")
    link.click()
    _at(page, rf"/governance\?region={code}")
    page.wait_for_function("n => document.querySelector('#wb-breadcrumbs .wb-crumb-here').innerText === n", arg=name,
                           timeout=30_000)
    assert page.locator("#wb-breadcrumbs .wb-crumb-link").count() >= 3  # province, city, county above it
    page.go_back()
    _at(page, r"^/governance(\?region=330000)?$")
    page.wait_for_function("!document.querySelector('#wb-breadcrumbs a')", timeout=30_000)

    records = page.locator("#gov-overdue-table .gov-overdue-records").first
    records.wait_for(timeout=30_000)
    street = records.locator("xpath=ancestor::tr").get_attribute("data-region")
    records.click()
    _at(page, r"/records\?indicator=hotline_overdue")
    q = _query(page)
    assert q["indicator"] == ["hotline_overdue"] and q["region"] == [street] and q["frequency"] == ["month"]
    assert q["period"][0][:4].isdigit()
    _clean(v)


def test_english(visit):
    v = visit(1920, 1080)
    page = v.goto("/governance?lang=en")
    page.wait_for_selector("#wb-kpis .wb-kpi", timeout=30_000)
    assert "Most overdue orders by" in page.locator("#gov-overdue").inner_text()
    _clean(v)
