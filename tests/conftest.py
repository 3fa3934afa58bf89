"""Shared fixtures: one small demo lake for the session, a live server and a headless browser."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from cockpit.harness import CHROMIUM, CHROMIUM_ARGS, Account, Server, served


def pytest_configure(config) -> None:
    """No test writes the installation's own state store or secret key (in the repository's data
    directory): the run has a throw-away store and a key of its own, unless a test sets others."""
    import secrets
    import tempfile

    if "COCKPIT_STATE_URL" not in os.environ:
        scratch = tempfile.mkdtemp(prefix="cockpit-test-state-")
        os.environ["COCKPIT_STATE_URL"] = f"sqlite:///{scratch}/state.sqlite"
    os.environ.setdefault("COCKPIT_SECRET_KEY", secrets.token_urlsafe(48))


@pytest.fixture(autouse=True)
def _no_page_kept_from_another_test():
    """Pages are kept per snapshot, viewer and address (`cockpit.ui.kept_pages`); a test that changes
    what a page would draw (a monkeypatched view, another clock) must not be handed an earlier
    test's page."""
    from cockpit.ui.kept_pages import forget_kept_pages

    forget_kept_pages()


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


# The accounts of the session's server: a province leader (what pages were seen as before sign-in
# existed: the whole hierarchy, personal data masked), and the scoped viewers the probes sign in as.
SERVER_ACCOUNTS = (
    Account("leader"),
    Account("officer", personal_data=True),  # may see names and phone numbers unmasked
    Account("yuecheng-clerk", role="staff", region="330602", department="越城区综合行政执法局"),
    Account("admin", role="admin"),
)


@pytest.fixture(scope="session")
def live(demo_lake, demo_snapshots) -> Server:
    """The cockpit served by `cockpit serve` in its own process, on the demo lake, with accounts."""
    with served({"COCKPIT_LAKE_DIR": str(demo_lake), "COCKPIT_SNAPSHOT_DIR": str(demo_snapshots),
                 "COCKPIT_NOW": DEMO_NOW}, timeout=60, accounts=SERVER_ACCOUNTS) as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live) -> str:
    """The session server's address."""
    return live.url


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


def _is_function(expression: str) -> bool:
    import re

    return bool(re.match(r"\s*(async\s+)?(function\b|\(?[\w\s,]*\)?\s*=>)", expression))


class Visit:
    """A page opened as a user would, recording what a person would notice went wrong."""

    def __init__(self, browser, server: Server | str, width: int = 1366, height: int = 768,
                 user: str | None = "leader"):
        """`server`: a cockpit server (the context signs in as `user` unless None), or the address
        of another app (nothing to sign in to)."""
        from urllib.parse import urlparse

        self.base_url = server if isinstance(server, str) else server.url
        self.own_host = urlparse(self.base_url).hostname
        self.context = browser.new_context(viewport={"width": width, "height": height})
        if user is not None and isinstance(server, Server):
            server.sign_in(self.context, user)
        self.page = self.context.new_page()
        waits = self.page.wait_for_function

        def wait_for_function(expression: str, *args, **kwargs):
            # Playwright turns a predicate given as an expression into a function with eval, which
            # the app's Content-Security-Policy forbids (as it should); a function is called as is
            return waits(expression if _is_function(expression) else f"() => ({expression})", *args, **kwargs)

        self.page.wait_for_function = wait_for_function
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
def visit(browser, live):
    """Open a page in a fresh browser context signed in as `user` (the province leader unless
    named; None: not signed in)."""
    opened: list[Visit] = []

    def open_page(width: int = 1366, height: int = 768, user: str | None = "leader") -> Visit:
        v = Visit(browser, live, width, height, user)
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


class SignedInClient(FlaskClient):
    """A Flask test client that sends back the CSRF token the app gave it, as Dash's renderer does."""

    def open(self, *args, **kwargs):
        cookie = self.get_cookie("_csrf_token")
        if cookie is not None:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", cookie.value)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture()
def state_store(tmp_path, monkeypatch) -> str:
    """A throw-away state store (SQLite) and secret key for the test, in the environment."""
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    monkeypatch.setenv("COCKPIT_STATE_URL", url)
    monkeypatch.setenv("COCKPIT_SECRET_KEY", "test-secret-" + "k" * 40)
    return url


TEST_PASSWORD = "Tested-pass-42"


@pytest.fixture()
def sign_in(state_store):
    """`sign_in(app, name="leader", role=..., region=..., ...)`: a test client of `app` signed in
    through `/login` as that account (made on first use; region None: the snapshot's root)."""
    from cockpit.state import accounts

    def client(app, name: str = "leader", role: str = "leader", region: str | None = None,
               department: str | None = None, personal_data: bool = False) -> SignedInClient:
        if accounts.find_user(name) is None:
            if region is None:
                from cockpit.query.snapshot import NoSnapshot, current_snapshot

                try:
                    region = current_snapshot().roots()[0]
                except NoSnapshot:
                    region = "330000"
            accounts.add_user(name, TEST_PASSWORD, role, region, department, personal_data)
        app.server.test_client_class = SignedInClient
        signed = app.server.test_client()
        answer = signed.post("/login", data={"username": name, "password": TEST_PASSWORD})
        assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
        return signed

    return client
