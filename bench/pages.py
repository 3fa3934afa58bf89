"""Server time of the department pages: every filter, drill-down and cross filter is a navigation,
so its server time is the page drawn for the new address (layout and its JSON), cold and warm.

    python -m bench.pages [--repeat 15]
    COCKPIT_PASSWORD=… python -m bench.pages --browser URL --user NAME [--runs 5]   # in headless Chromium, against a served app

Runs against the lake and snapshot the environment points at (COCKPIT_LAKE_DIR,
COCKPIT_SNAPSHOT_DIR), inside a Flask request as the server does. Targets (issue: department
PC views): any filter, drill or cross-filter under 200 ms server time at p95 at demo scale 10;
in Chromium, navigation until every panel is drawn under 2 s at p95 for each page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from urllib.parse import parse_qsl, urlsplit

# (what the user did, the address it leads to)
CASES = (
    ("城市治理, province", "/governance"),
    ("城市治理, drill to 绍兴市", "/governance?region=330600"),
    ("城市治理, drill to 越城区", "/governance?region=330602"),
    ("城市治理, cross-filter a department", "/governance?region=330602&department=住建局"),
    ("城市治理, another period", "/governance?region=330600&period=2026-08"),
    ("城市治理, by year", "/governance?region=330600&frequency=year"),
    ("经济运行, province", "/economy"),
    ("经济运行, drill to 杭州市", "/economy?region=330100"),
    ("经济运行, by quarter", "/economy?region=330100&frequency=quarter"),
    ("生态环境, 绍兴市", "/environment?region=330600"),
    ("基础设施, province", "/infrastructure"),
    ("无废城市, province", "/waste-free"),
    ("无废城市, a city", "/waste-free?region=330600"),
    ("指标页, 办结率 at 越城区", "/indicator/hotline_closure_rate?region=330602"),
)
BROWSER_PAGES = ("/governance", "/economy", "/environment", "/infrastructure", "/waste-free",
                 "/indicator/hotline_closure_rate")

# Every chart drawn: each Plotly graph has its SVG, each deck.gl map its canvas, no spinner left.
ALL_DRAWN_JS = """() => {
  const page = document.querySelector('.wb-page, [id$=-page]');
  if (!page) { return false; }
  const graphs = [...document.querySelectorAll('.js-plotly-plot')];
  const maps = [...document.querySelectorAll('.deckmap')];
  return graphs.every(g => g.querySelector('.main-svg')) && maps.every(m => m.querySelector('canvas'))
    && !document.querySelector('._dash-loading, [data-dash-is-loading=true]');
}"""


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _page_for(path: str):
    """The registered page serving `path` and the keyword arguments its layout takes."""
    import dash

    for page in dash.page_registry.values():
        template = page.get("path_template")
        if template:
            prefix = template.split("<", 1)[0]
            if path.startswith(prefix) and path != prefix.rstrip("/"):
                name = template.split("<", 1)[1].split(">", 1)[0]
                return page, {name: path[len(prefix):]}
        elif page["path"] == path:
            return page, {}
    raise KeyError(f"no page serves {path}")


def measure(repeat: int = 15) -> list[dict]:
    """p50/p95 server milliseconds of each case: cold (the first view after a publish), first (this
    address for the first time, the catalogue and hierarchy kept from other views) and warm."""
    from plotly.utils import PlotlyJSONEncoder

    from cockpit.query.snapshot import clear_cached_results as forget_results
    from cockpit.ui.access import act_as_province_leader
    from cockpit.ui.kept_pages import forget_kept_pages
    from cockpit.web import create_app

    def clear_cached_results() -> None:  # the query results, and the pages drawn from them
        forget_results()
        forget_kept_pages()

    app = create_app()
    rows = []
    for label, address in CASES:
        parts = urlsplit(address)
        try:
            page, kwargs = _page_for(parts.path)
        except KeyError:
            rows.append({"case": label, "address": address, "state": "missing", "p50_ms": None, "p95_ms": None, "n": 0})
            continue
        kwargs.update(dict(parse_qsl(parts.query)))
        with app.server.test_request_context(address):
            act_as_province_leader()
            def draw(page=page, kwargs=kwargs) -> None:
                json.dumps(page["layout"](**kwargs), cls=PlotlyJSONEncoder)  # what the router sends

            def elsewhere(path=parts.path, address=address) -> None:
                # the page at another address (the same page at its root, or the economy page for
                # the root itself): what a running server has kept before this click
                other = _page_for(("/governance" if path == "/economy" else "/economy") if path == address else path)
                json.dumps(other[0]["layout"](**other[1]), cls=PlotlyJSONEncoder)

            draw()  # the hierarchy, geometry and catalogue once, as a running server has them
            for state in ("cold", "first", "warm"):
                times = []
                for _ in range(repeat):
                    if state == "cold":  # the first view after a publish: nothing kept at all
                        clear_cached_results()
                    elif state == "first":  # this address for the first time, the rest of the app in use
                        clear_cached_results()
                        elsewhere()
                    else:
                        draw()
                    started = time.perf_counter()
                    draw()
                    times.append((time.perf_counter() - started) * 1000)
                rows.append({"case": label, "address": address, "state": state, "p50_ms": statistics.median(times),
                             "p95_ms": percentile(times, 0.95), "n": len(times)})
    return rows


def browser(base_url: str, runs: int = 5, user: str | None = None) -> list[dict]:
    """Seconds from navigation until every panel of each page is drawn, p50 and p95; and a drill
    (a click on a breadcrumb-free link to a child region, client-side) until redrawn."""
    from playwright.sync_api import sync_playwright

    from cockpit.harness import CHROMIUM, CHROMIUM_ARGS, credentials, sign_in

    signed = credentials(user)
    rows = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = b.new_context(viewport={"width": 1366, "height": 768})
            if signed:
                sign_in(context, base_url, *signed)
            page = context.new_page()
            page.goto(base_url + "/", wait_until="load")  # the shell's scripts cached, as a working day has them
            for path in BROWSER_PAGES:
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    page.goto(base_url + path, wait_until="commit")
                    page.wait_for_function(ALL_DRAWN_JS, timeout=30_000)
                    times.append(time.perf_counter() - started)
                rows.append({"page": path, "case": "load", "p50_s": statistics.median(times),
                             "p95_s": percentile(times, 0.95), "n": runs})
                drills = []
                for _ in range(runs):
                    page.goto(base_url + path, wait_until="commit")
                    page.wait_for_function(ALL_DRAWN_JS, timeout=30_000)
                    link = page.locator("a.wb-drill").first
                    if not link.count():
                        break
                    before = page.url
                    started = time.perf_counter()
                    link.click()
                    page.wait_for_function("u => window.location.href !== u", arg=before, timeout=30_000)
                    page.wait_for_function(ALL_DRAWN_JS, timeout=30_000)
                    drills.append(time.perf_counter() - started)
                if drills:
                    rows.append({"page": path, "case": "drill", "p50_s": statistics.median(drills),
                                 "p95_s": percentile(drills, 0.95), "n": len(drills)})
        finally:
            b.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--browser", metavar="URL", help="measure in headless Chromium against this served app")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--user", help="the account to sign in as (its password in COCKPIT_PASSWORD)")
    args = parser.parse_args()
    if args.browser:
        for r in browser(args.browser.rstrip("/"), args.runs, args.user):
            print(f"{r['page']:36s} {r['case']:5s} p50 {r['p50_s']:5.2f} s   p95 {r['p95_s']:5.2f} s   (n={r['n']})")
        return
    for r in measure(args.repeat):
        if r["p50_ms"] is None:
            print(f"{r['case']:36s} (no such page)")
            continue
        print(f"{r['case']:36s} {r['state']:5s} p50 {r['p50_ms']:6.0f} ms   p95 {r['p95_ms']:6.0f} ms   (n={r['n']})")


if __name__ == "__main__":
    main()
