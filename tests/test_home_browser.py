"""The home page in headless Chromium, as a user opens it on the demo city."""

from __future__ import annotations

import pytest

from cockpit.feeds.contracts import load_contracts
from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser


def test_home_lists_every_feed_with_rows_and_serves_nothing_from_outside(visit):
    v = visit()
    page = v.goto("/")
    page.wait_for_selector("#home-page", timeout=30_000)
    for table in load_contracts().tables:
        row = page.locator(f"#home-feed-{table.name}")
        assert row.count() == 1, table.name
        rows = int(row.locator("td[data-rows]").get_attribute("data-rows"))
        assert rows > 0, f"{table.name} shows no rows"
    text = page.inner_text("body")
    assert "数据资源概览" in text and "12345热线工单" in text
    for system in ("economy", "hotline", "environment", "infrastructure", "services"):
        assert page.locator(f"#home-system-{system}").count() == 1, system
    assert "演示数据" in text, "demo data must say so on screen"
    assert "NaN" not in text and "undefined" not in text
    save_screenshot(page, "home")
    assert v.external_requests == []
    assert v.console_errors == []
    assert v.undrawable_traces() == [] and not v.loaded_dash_plotly()


def test_home_shows_each_systems_headline_values_from_the_snapshot(visit, demo_snapshots):
    from cockpit.query.snapshot import current_snapshot
    from cockpit.ui.format import format_value

    snap = current_snapshot(demo_snapshots)
    expected = snap.headlines("330000").set_index("indicator")
    assert len(expected) >= 10
    v = visit()
    page = v.goto("/")
    page.wait_for_selector("#home-page")
    for indicator, row in expected.iterrows():
        shown = page.inner_text(f"#home-value-{indicator}")
        assert format_value(row["value"], row["unit"], row["decimals"], "zh") in shown, indicator


def test_language_switch_turns_the_interface_english_and_back(visit):
    v = visit()
    page = v.goto("/")
    page.wait_for_selector("#home-page")
    page.click("#shell-lang-switch")
    page.wait_for_selector("text=Data overview", timeout=30_000)
    assert "12345 hotline work orders" in page.inner_text("#home-page")
    assert "Demo data" in page.inner_text("body")
    page.click("#shell-lang-switch")
    page.wait_for_selector("text=数据资源概览", timeout=30_000)
    assert v.console_errors == []
