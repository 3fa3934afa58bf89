"""生态环境 in headless Chromium: the page loads clean with its map, a region row drills (URL and
breadcrumbs), the back button returns, a station opens its records; a grade bar filters the
sections (a chip names it, clears it, back brings it back) and a station class filters the stations."""

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
    _at(page, r"/environment\?(.*&)?grade=")
    chip = page.locator('#wb-chips .wb-chip[data-filter="grade"]')
    chip.wait_for(timeout=30_000)
    grade = page.evaluate("new URLSearchParams(location.search).get('grade')")
    assert chip.inner_text().strip() == f"水质类别：{grade}"
    page.wait_for_function(f"document.querySelector('#environment-sections .wb-panel-title').innerText.includes('{grade}类')",
                           timeout=30_000)
    cells = page.locator("#environment-sections-table tbody tr td:nth-child(4)").all_inner_texts()
    assert cells and set(cells) == {grade}  # only the sections of that grade are listed
    assert "grade=" in page.locator("#environment-sections-records").get_attribute("href")
    # the stations have no grade: their panel says the filter does not narrow them
    page.wait_for_selector("#environment-stations-not-filtered")
    assert "水质类别" in page.locator("#environment-stations-not-filtered").inner_text()
    page.locator("#environment-sections-records").click()
    _at(page, r"/records\?indicator=water_sections_monitored&region=330000.*grade=")
    page.go_back()
    chip.wait_for(timeout=30_000)

    chip.click()  # the chip clears its filter
    _at(page, r"/environment(\?region=330000)?$")
    page.wait_for_function("!document.querySelector('#wb-chips')", timeout=30_000)
    page.go_back()  # and back brings it back
    _at(page, r"/environment\?(.*&)?grade=")
    chip.wait_for(timeout=30_000)
    chip.click()
    page.wait_for_function("!document.querySelector('#wb-chips')", timeout=30_000)

    cls = page.locator("#environment-stations-table a.env-class-link").first
    name = cls.inner_text()
    cls.click()
    _at(page, r"/environment\?(.*&)?station_class=")
    chip = page.locator('#wb-chips .wb-chip[data-filter="station_class"]')
    chip.wait_for(timeout=30_000)
    assert chip.inner_text().strip() == f"站点类别：{name}"
    classes = page.locator("#environment-stations-table tbody tr td:nth-child(2)").all_inner_texts()
    assert classes and set(classes) == {name}
    assert page.locator("#environment-map-points").inner_text() == f"地图上只显示{name}站点。"
    assert not v.console_errors, v.console_errors


def test_map_drills_one_level_and_says_where_values_stop(visit, demo_snapshots):
    v = visit(1366, 768)
    page = v.goto("/environment")
    page.wait_for_function("window.cockpitDeckmap && window.cockpitDeckmap.stats.frames > 0", timeout=60_000)
    assert page.locator("#environment-map .deckmap-legend-title").inner_text().startswith("空气质量优良天数比例")
    row = page.locator("#environment-children-table tbody tr").first
    name, code = row.locator("a.wb-drill").inner_text(), row.get_attribute("data-region")
    page.locator("#environment-map").scroll_into_view_if_needed()
    # the region's name sits on its label point, inside the region: click there, as a person would
    at = page.evaluate("""name => { const e = [...document.querySelectorAll('#environment-map .deckmap-label')]
        .find(x => x.textContent === name && x.style.display !== 'none');
        if (!e) { return null; } const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }""",
                       name)
    assert at is not None, name
    page.mouse.click(at[0], at[1])
    _at(page, rf"/environment\?region={code}$")
    page.wait_for_function(f"document.querySelector('#wb-breadcrumbs').innerText.includes('{name}')", timeout=30_000)
    county = page.locator("#environment-children-table tbody tr").first.get_attribute("data-region")
    page = v.goto(f"/environment?region={county}")
    page.wait_for_selector("#environment-map-coverage", timeout=30_000)  # a county's streets have no value: said
    assert "乡镇（街道）没有数值" in page.locator("#environment-map-coverage").inner_text()
    assert not v.console_errors, v.console_errors
