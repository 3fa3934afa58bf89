"""The Waste-Free Index page in headless Chromium: 11 cities ranked, a click drills into one (the
URL is the state: a history entry, back undoes it), the dimension cross filter and its chip."""

from __future__ import annotations

import pytest

from cockpit.query.snapshot import current_snapshot
from cockpit.ui.format import format_value
from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser

BARS = "#wfi-ranking-graph .bars path"


def _click(page, locator) -> None:
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # as a user clicks the plot


def test_ranking_heatmap_and_a_click_drills_into_a_city(visit, demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    period = snap.periods("waste_free_index", "month")[0]
    ranking = snap.ranking("waste_free_index", "330000", "month", period)
    assert len(ranking) == 11 and sorted(ranking["rank"]) == list(range(1, 12))
    meta = snap.indicator("waste_free_index")
    unit, decimals = meta["unit"], meta["decimals"]
    v = visit(1366, 900)
    page = v.goto("/waste-free")
    page.wait_for_selector(BARS, timeout=30_000)
    page.wait_for_selector("#wfi-score")
    table = page.inner_text("#wfi-explained")
    for _, row in ranking.iterrows():
        assert row["name"] in table
    leader = ranking.iloc[0]
    assert page.inner_text("#wfi-score") == format_value(leader["value"], unit, decimals, "zh")
    assert page.inner_text("#wfi-rank") == "1 / 11"
    assert page.inner_text("#wfi-explanation").strip()
    assert page.locator("#wfi-heatmap tbody tr").count() == 11
    assert page.locator("#wfi-heatmap thead tr:nth-child(2) th").count() == 27
    save_screenshot(page, "waste-free")

    last = ranking.iloc[-1]
    history = page.evaluate("history.length")
    _click(page, page.locator(BARS).nth(0))  # bars are drawn bottom-up: the first one is the last-ranked city
    page.wait_for_function(f"location.search.includes('region={last['region']}')", timeout=30_000)
    page.wait_for_function("document.querySelector('#wfi-rank') && document.querySelector('#wfi-rank').innerText === '11 / 11'",
                           timeout=30_000)
    assert page.evaluate("history.length") == history + 1
    assert last["name"] in page.inner_text("#wfi-detail")
    assert last["name"] in page.inner_text("#wb-breadcrumbs")
    assert page.inner_text("#wfi-score") == format_value(last["value"], unit, decimals, "zh")
    page.go_back()
    page.wait_for_function("document.querySelector('#wfi-rank') && document.querySelector('#wfi-rank').innerText === '1 / 11'",
                           timeout=30_000)
    assert v.external_requests == [] and v.console_errors == []
    assert v.undrawable_traces() == [] and not v.loaded_dash_plotly()


def test_a_dimension_filter_shows_a_chip_and_clears(visit, demo_snapshots):
    v = visit(1366, 900)
    page = v.goto("/waste-free")
    page.wait_for_selector("#wfi-heatmap")
    page.locator("#wfi-heatmap th[data-dimension='wfi_hazardous'] a").click()
    page.wait_for_function("location.search.includes('dimension=wfi_hazardous')", timeout=30_000)
    page.wait_for_selector("#wb-chips [data-filter='dimension']", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#wfi-heatmap thead tr:nth-child(2) th').length === 3",
                           timeout=30_000)
    page.locator("#wb-chips [data-filter='dimension']").click()
    page.wait_for_function("!location.search.includes('dimension=')", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#wfi-heatmap thead tr:nth-child(2) th').length === 27",
                           timeout=30_000)
    assert v.console_errors == []


def test_a_pasted_link_reproduces_the_view_in_english(visit, demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    year = snap.periods("waste_free_index", "year")[0]
    shaoxing = snap.ranking("waste_free_index", "330000", "year", year).set_index("region").loc["330600"]
    v = visit(1366, 900)
    page = v.goto(f"/waste-free?lang=en&frequency=year&period={year}&region=330600")
    page.wait_for_selector("#wfi-rank", timeout=30_000)
    assert "Shaoxing" in page.inner_text("#wfi-detail")
    assert page.inner_text("#wfi-rank") == f"{int(shaoxing['rank'])} / 11"
    # below the county the page says where the index stops, and links up
    street = snap.children("330602")["code"].iloc[0]
    page = visit(1366, 900).goto(f"/waste-free?region={street}")
    page.wait_for_selector("#wb-coverage", timeout=30_000)
    page.locator("#wb-coverage-nearest").click()
    page.wait_for_function("location.search.includes('region=330602')", timeout=30_000)
    page.wait_for_selector("#wfi-rank", timeout=30_000)
    assert v.console_errors == []
