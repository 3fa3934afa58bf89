"""The Waste-Free Index page in headless Chromium: 11 cities ranked, one taken apart on a click."""

from __future__ import annotations

import pytest

from cockpit.query.snapshot import current_snapshot
from cockpit.ui.format import format_value
from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser


def test_ranking_of_the_11_cities_and_a_click_takes_one_apart(visit, demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    period = snap.periods("waste_free_index", "month")[0]
    ranking = snap.ranking("waste_free_index", "330000", "month", period)
    assert len(ranking) == 11 and sorted(ranking["rank"]) == list(range(1, 12))
    meta = snap.indicator("waste_free_index")
    unit, decimals = meta["unit"], meta["decimals"]
    v = visit(1366, 900)
    page = v.goto("/waste-free")
    page.wait_for_selector("#wfi-ranking-graph .bars path", timeout=30_000)
    page.wait_for_selector("#wfi-score")
    table = page.inner_text("#wfi-ranking-graph-table")
    for _, row in ranking.iterrows():
        assert row["name"] in table
    leader = ranking.iloc[0]
    assert page.inner_text("#wfi-score") == format_value(leader["value"], unit, decimals, "zh")
    assert page.inner_text("#wfi-rank") == "1 / 11"
    assert page.inner_text("#wfi-explanation").strip()
    save_screenshot(page, "waste-free")

    last = ranking.iloc[-1]
    bars = page.locator("#wfi-ranking-graph .bars path")
    box = bars.nth(0).bounding_box()  # bars are drawn bottom-up: the first one is the last-ranked city
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # as a user clicks the plot
    page.wait_for_function("document.querySelector('#wfi-rank').innerText === '11 / 11'", timeout=30_000)
    assert last["name"] in page.inner_text("#wfi-detail-title")
    assert page.inner_text("#wfi-score") == format_value(last["value"], unit, decimals, "zh")
    assert v.external_requests == [] and v.console_errors == []
    assert v.undrawable_traces() == [] and not v.loaded_dash_plotly()


def test_the_choice_lives_in_the_address_and_a_pasted_link_reproduces_it(visit, demo_snapshots):
    """The city clicked goes into the URL in place (no reload, no new history entry); the URL opened
    afresh, even in the other language, draws the same view; a hand-written link picks the year."""
    snap = current_snapshot(demo_snapshots)
    ranking = snap.ranking("waste_free_index", "330000", "month", snap.periods("waste_free_index", "month")[0])
    last = ranking.iloc[-1]
    v = visit(1366, 900)
    page = v.goto("/waste-free")
    page.wait_for_selector("#wfi-ranking-graph .bars path", timeout=30_000)
    history = page.evaluate("history.length")
    assert page.url == v.base_url + "/waste-free"  # the default view: nothing chosen, nothing added
    box = page.locator("#wfi-ranking-graph .bars path").nth(0).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(f"location.search.includes('region={last['region']}')", timeout=30_000)
    assert page.evaluate("history.length") == history
    link = page.url.removeprefix(v.base_url)

    again = visit(1366, 900).goto(link.replace("/waste-free?", "/waste-free?lang=en&"))
    again.wait_for_function("document.querySelector('#wfi-rank') && document.querySelector('#wfi-rank').innerText === '11 / 11'",
                            timeout=30_000)
    assert last["name_en"] in again.inner_text("#wfi-detail-title")

    year = snap.periods("waste_free_index", "year")[0]
    shaoxing = snap.ranking("waste_free_index", "330000", "year", year).set_index("region").loc["330600"]
    pasted = visit(1366, 900).goto(f"/waste-free?frequency=year&period={year}&region=330600")
    pasted.wait_for_selector("#wfi-rank", timeout=30_000)
    assert "绍兴市" in pasted.inner_text("#wfi-detail-title")
    assert pasted.inner_text("#wfi-rank") == f"{int(shaoxing['rank'])} / 11"
    assert pasted.is_checked("#wfi-frequency input[value='year']")
    assert v.console_errors == []
