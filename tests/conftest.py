"""Shared fixtures: one small demo lake for the session, a live server and a headless browser."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from cockpit.harness import CHROMIUM, CHROMIUM_ARGS, served

DEMO_SCALE = 0.02
DEMO_SEED = 7
DEMO_END = date(2026, 11, 20)
DEMO_NOW = "2026-11-20T22:00"  # the clock the servers judge lateness by: the evening of the demo's last day


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory) -> Path:
    """A demo lake at a tiny scale, built once through the real generator and ingest path."""
    from cockpit.demo.build import build_demo

    lake = tmp_path_factory.mktemp("demo") / "lake"
    build_demo(scale=DEMO_SCALE, seed=DEMO_SEED, end=DEMO_END, lake_dir=lake)
    return lake


@pytest.fixture(scope="session")
def demo_snapshots(demo_lake) -> Path:
    """The indicator snapshot of the demo lake, published by a real refresh."""
    from cockpit.indicators.refresh import refresh

    directory = demo_lake.parent / "snapshots"
    refresh(lake_dir=demo_lake, snapshot_dir=directory)
    return directory


@pytest.fixture()
def use_demo_lake(demo_lake, demo_snapshots, monkeypatch) -> Path:
    """Point the cockpit at the session's demo lake and snapshot for one test."""
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(demo_lake))
    monkeypatch.setenv("COCKPIT_SNAPSHOT_DIR", str(demo_snapshots))
    monkeypatch.setenv("COCKPIT_NOW", DEMO_NOW)
    return demo_lake


@pytest.fixture(scope="session")
def live_server(demo_lake, demo_snapshots) -> str:
    """The cockpit served by `cockpit serve` in its own process, on the demo lake."""
    with served({"COCKPIT_LAKE_DIR": str(demo_lake), "COCKPIT_SNAPSHOT_DIR": str(demo_snapshots),
                 "COCKPIT_NOW": DEMO_NOW}, timeout=60) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download: intranet machines have none)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the README's test command, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A page opened as a user would, recording what a person would notice went wrong."""

    def __init__(self, browser, base_url: str, width: int = 1366, height: int = 768):
        from urllib.parse import urlparse

        self.base_url = base_url
        self.own_host = urlparse(base_url).hostname
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.external_requests: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for
        self.console_errors: list[str] = []
        self.page.on("request", self._on_request)
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def _on_request(self, request) -> None:
        from urllib.parse import urlparse

        self.requests.append(request.url)
        host = urlparse(request.url).hostname
        if host not in (self.own_host, None) and not request.url.startswith(("data:", "blob:")):
            self.external_requests.append(request.url)

    def goto(self, path: str):
        self.page.goto(self.base_url + path, wait_until="networkidle", timeout=60_000)
        return self.page

    def undrawable_traces(self) -> list[str]:
        """Traces of a type the app's Plotly.js lacks ("graph id: type"): Plotly quietly leaves them
        out (as invisible scatter traces), so a figure of a new type needs frontend/plotly.js to register it."""
        return self.page.evaluate("""[...document.querySelectorAll('.js-plotly-plot')].flatMap(g =>
            (g.data || []).map((t, i) => [g.closest('[id]') ? g.closest('[id]').id : '?', t.type || 'scatter',
                                          ((g._fullData || [])[i] || {}).type])
              .filter(([, asked, drawn]) => asked !== drawn).map(([id, asked]) => id + ': ' + asked))""")

    def loaded_dash_plotly(self) -> bool:
        """Whether the page fetched Dash's full Plotly.js (4.8 MB) instead of using the app's own."""
        return any(url.split("?")[0].endswith("/package_data/plotly.min.js") for url in self.requests)

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def visit(browser, live_server):
    opened: list[Visit] = []

    def open_page(width: int = 1366, height: int = 768) -> Visit:
        v = Visit(browser, live_server, width, height)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


def save_screenshot(page, name: str) -> Path:
    """Screenshots go to docs/screenshots/ when COCKPIT_SCREENSHOTS=1 (for the README), else to tmp."""
    root = Path(__file__).resolve().parents[1]
    target = root / "docs" / "screenshots" if os.environ.get("COCKPIT_SCREENSHOTS") == "1" else Path("/tmp")
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
