"""The big screen in headless Chromium: every panel drawn with data, scaled to any wall, linked."""

from __future__ import annotations

import pytest

from cockpit.query.snapshot import current_snapshot
from cockpit.ui.format import format_value
from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser

PANELS = ["screen-economy", "screen-index", "screen-radar", "screen-map-panel", "screen-funnel", "screen-topics",
          "screen-environment", "screen-ticker"]


def _overflowing_values(page) -> list[str]:
    """Headline numbers wider than their tile (bigscreen.js sets long ones smaller)."""
    return page.evaluate("""[...document.querySelectorAll('.bs-kpi-value')]
                            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")


def _check_drawn(page, v=None) -> None:
    page.wait_for_selector("#screen-canvas", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#screen-canvas .js-plotly-plot').length >= 6", timeout=30_000)
    for panel in PANELS:
        assert page.locator(f"#{panel}").count() == 1, panel
    empty = page.evaluate("""[...document.querySelectorAll('#screen-canvas .js-plotly-plot')]
                             .filter(g => !g.querySelector('.trace, .hm, canvas')).length""")
    assert empty == 0
    text = page.inner_text("#screen-canvas")
    assert "NaN" not in text and "undefined" not in text and "None" not in text
    scroll = page.evaluate("""(() => { const e = document.scrollingElement;
        return [e.scrollWidth > e.clientWidth + 1, e.scrollHeight > e.clientHeight + 1]; })()""")
    assert scroll == [False, False]
    assert _overflowing_values(page) == []
    if v is not None:  # every figure drawn as its own type, by the app's own Plotly.js
        assert v.undrawable_traces() == [] and not v.loaded_dash_plotly()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160), (5760, 1080)])
def test_overview_fills_the_wall_uniformly(visit, width, height):
    v = visit(width, height)
    page = v.goto("/screen")
    _check_drawn(page, v)
    box = page.evaluate("(() => { const r = document.querySelector('#screen-canvas').getBoundingClientRect();"
                        " return [r.x, r.y, r.width, r.height]; })()")
    scale = min(width / 1920, height / 1080)
    assert box[2] == pytest.approx(1920 * scale, abs=2) and box[3] == pytest.approx(1080 * scale, abs=2)
    assert box[0] == pytest.approx((width - 1920 * scale) / 2, abs=2)  # centred, letterboxed on a wide wall
    save_screenshot(page, f"screen-{width}x{height}")
    assert v.external_requests == [] and v.console_errors == []


def test_clicking_a_city_rescopes_the_screen_and_back_returns(visit, demo_snapshots):
    snap = current_snapshot(demo_snapshots)
    ranking = snap.ranking("waste_free_index", "330000", "month")
    city = ranking.iloc[-1]  # the last-ranked city: its bar is drawn first (bottom-up)
    expected = snap.latest_values(["hotline_orders"], city["region"], "month", complete_only=True)["value"].iloc[0]
    v = visit(1920, 1080)
    page = v.goto("/screen")
    _check_drawn(page)
    province = page.inner_text("#screen-kpi-hotline_orders")
    bar = page.locator("#screen-index .bars path").nth(0).bounding_box()
    page.mouse.click(bar["x"] + bar["width"] - 8, bar["y"] + bar["height"] / 2)  # the visible end of the bar
    page.wait_for_function(f"document.querySelector('#screen-title').innerText.startsWith('{city['name']}')",
                           timeout=30_000)
    assert "region=" + city["region"] in page.url
    shown = page.inner_text("#screen-kpi-hotline_orders")
    assert shown == format_value(expected, "件", 0, "zh") and shown != province
    page.go_back()
    page.wait_for_function("document.querySelector('#screen-title').innerText.startsWith('浙江省')", timeout=30_000)
    assert v.console_errors == []


def test_hovering_a_region_highlights_it_on_the_other_panels(visit, demo_snapshots):
    from cockpit.regions import load_hierarchy

    snap = current_snapshot(demo_snapshots)
    ranking = snap.ranking("waste_free_index", "330000", "month")
    v = visit(1920, 1080)
    page = v.goto("/screen")
    _check_drawn(page)
    page.wait_for_function("window.cockpitDeckmap && window.cockpitDeckmap.live() > 0", timeout=30_000)
    opacity = "(document.querySelector('#screen-index .js-plotly-plot').data[0].marker.opacity)"

    # a ranking bar → the map highlights that city
    city = ranking.iloc[-1]
    bar = page.locator("#screen-index .bars path").nth(0).bounding_box()
    page.mouse.move(bar["x"] + bar["width"] - 8, bar["y"] + bar["height"] / 2)
    page.wait_for_function(f"window.cockpitDeckmap.highlighted('screen-map') === '{city['region']}'", timeout=10_000)
    bars = page.evaluate(opacity)
    assert sorted(bars) == [0.35] * (len(ranking) - 1) + [1]
    page.mouse.move(5, 5)
    page.wait_for_function("window.cockpitDeckmap.highlighted('screen-map') === null", timeout=10_000)

    # a map region → its bar stays bright, the others dim
    target = load_hierarchy().get(ranking.iloc[0]["region"])
    x, y = page.evaluate(f"window.cockpitDeckmap.project('screen-map', {target.lon}, {target.lat})")
    page.mouse.move(x, y)
    page.wait_for_function(f"Array.isArray({opacity})", timeout=10_000)
    codes = page.evaluate("document.querySelector('#screen-index .js-plotly-plot').data[0].customdata")
    bars = page.evaluate(opacity)
    assert bars[codes.index(target.code)] == 1 and bars.count(0.35) == len(ranking) - 1
    assert v.console_errors == []


@pytest.mark.parametrize("theme", ["overview", "waste_free", "environment", "infrastructure"])
def test_headline_numbers_and_names_fit_their_tiles_in_english_too(visit, theme):
    v = visit(1920, 1080)
    page = v.goto(("/screen" if theme == "overview" else f"/screen/{theme}") + "?lang=en&region=330600")
    page.wait_for_selector("#screen-canvas .bs-kpi-value", timeout=30_000)
    page.wait_for_function("[...document.querySelectorAll('.bs-kpi-value')].every(e => e.dataset.fitted)",
                           timeout=10_000)
    assert _overflowing_values(page) == []
    sizes = page.evaluate("[...document.querySelectorAll('.bs-kpi-value')].map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 34 * 0.6 and max(sizes) == 34  # short numbers keep the full size
    # names are whole too: set smaller, then on two lines, and the numbers below them stay in line
    page.wait_for_function("[...document.querySelectorAll('.bs-kpi-name')].every(e => e.dataset.fitted)", timeout=10_000)
    clipped = page.evaluate("""[...document.querySelectorAll('.bs-kpi-name > span')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1).map(e => e.textContent)""")
    assert clipped == []
    tops = page.evaluate("""[...document.querySelectorAll('.bs-kpi-value')].map(e => Math.round(e.getBoundingClientRect().top))""")
    assert len(set(tops)) == 2, tops  # two rows of tiles


@pytest.mark.parametrize("theme", ["economy", "governance", "environment", "waste_free", "infrastructure"])
def test_each_themed_screen_draws_every_panel(visit, theme):
    from cockpit.views.screens import screens

    v = visit(1920, 1080)
    page = v.goto(f"/screen/{theme}")
    page.wait_for_selector("#screen-canvas", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#screen-canvas .js-plotly-plot').length >= 6", timeout=30_000)
    empty = page.evaluate("""[...document.querySelectorAll('#screen-canvas .js-plotly-plot')]
                             .filter(g => !g.querySelector('.trace, .hm, canvas')).length""")
    assert empty == 0
    tiles = page.locator(".bs-kpi-value").all_inner_texts()
    assert len(tiles) == len(screens()[theme].headlines) and all(t.strip() and t != "—" for t in tiles)
    text = page.inner_text("#screen-canvas")
    assert "NaN" not in text and "undefined" not in text
    assert _overflowing_values(page) == []
    save_screenshot(page, f"screen-{theme}")
    assert v.external_requests == [] and v.console_errors == []
    assert v.undrawable_traces() == [] and not v.loaded_dash_plotly()


def test_carousel_rotates_to_the_next_theme_and_pauses_when_touched(visit):
    v = visit(1920, 1080)
    page = v.goto("/screen?carousel=10")
    page.wait_for_selector("#screen-canvas")
    page.wait_for_url("**/screen/economy?region=330000&carousel=10", timeout=30_000)
    page.wait_for_selector("#screen-canvas")
    page.mouse.click(5, 5)  # a touch pauses the rotation for a minute
    page.wait_for_timeout(13_000)
    assert "/screen/economy" in page.url
