"""The infrastructure page in headless Chromium: headlines, sensors by type (a click filters the
region table and a chip names it), a row drills into a city, back returns, a records link opens."""

from __future__ import annotations

import pytest

from cockpit.query.snapshot import current_snapshot

pytestmark = pytest.mark.browser


def test_sensor_type_filter_drill_and_records(visit, demo_snapshots):
    v = visit(1366, 900)
    page = v.goto("/infrastructure")
    page.wait_for_selector("#infra-types-graph .bars path", state="attached", timeout=30_000)
    assert page.locator("#wb-kpis .wb-kpi").count() >= 5
    snap = current_snapshot(demo_snapshots)
    period = snap.periods("sensor_online_rate", "month")[0]
    expected = set()
    for indicator in ("sensor_online_rate", "sensors_in_alarm", "sensors_installed"):
        found = snap.ranking(indicator, "330000", "month", period)
        expected |= set(found.loc[found["period"] == period, "region"])
    shown = page.eval_on_selector_all("#infra-sensor-regions tbody tr", "rows => rows.map(r => r.dataset.region)")
    assert set(shown) == expected and expected
    box = page.locator("#infra-types-graph .bars path").last.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("location.search.includes('sensor_type=')", timeout=30_000)
    page.wait_for_selector("#wb-chips [data-filter='sensor_type']", timeout=30_000)
    page.locator("#wb-chips [data-filter='sensor_type']").click()
    page.wait_for_function("!location.search.includes('sensor_type=')", timeout=30_000)

    page.locator("#infra-sensor-regions tbody tr a.wb-drill").first.click()
    page.wait_for_function("location.search.includes('region=')", timeout=30_000)
    page.wait_for_selector("#wb-breadcrumbs .wb-crumb-link", timeout=30_000)
    city = page.evaluate("new URLSearchParams(location.search).get('region')")
    assert len(city) == 6
    page.go_back()
    page.wait_for_function(f"!location.search.includes('region={city}')", timeout=30_000)
    page.wait_for_function("!document.querySelector('#wb-breadcrumbs .wb-crumb-link')", timeout=30_000)
    page.wait_for_selector("#infra-security-regions a.wb-records-link", timeout=30_000)
    href = page.locator("#infra-security-regions a.wb-records-link").first.get_attribute("href")
    assert href.startswith("/records?indicator=security_events")
    assert v.external_requests == [] and v.console_errors == []
    assert v.undrawable_traces() == [] and not v.loaded_dash_plotly()
