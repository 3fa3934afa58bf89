"""Take the README's screenshots from a running cockpit (the default demo, scale 1):

    COCKPIT_LAKE_DIR=… cockpit serve --port 8061 &
    COCKPIT_PASSWORD=… .venv/bin/python scripts/readme_screenshots.py http://127.0.0.1:8061 --user NAME

Writes docs/screenshots/*.png. Look at them before committing.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from cockpit.harness import CHROMIUM, CHROMIUM_ARGS, credentials, sign_in

ROOT = Path(__file__).resolve().parents[1]
SHOTS = [  # (file, path, width, height, what to wait for)
    ("home.png", "/", 1366, 900, ".headline-name"),
    ("waste-free.png", "/waste-free", 1366, 1100, "#wfi-ranking-graph .bars path"),
    ("screen-overview.png", "/screen", 1920, 1080, "deck"),
    ("screen-overview-en.png", "/screen?lang=en", 1920, 1080, "deck"),
    ("screen-waste-free-shaoxing.png", "/screen/waste_free?region=330600", 1920, 1080, "deck"),
]


def main(base: str, user: str | None) -> None:
    signed = credentials(user)
    out = ROOT / "docs" / "screenshots"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path, width, height, ready in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": height})
            if signed:
                sign_in(context, base, *signed)
            page = context.new_page()
            page.goto(base + path)
            if ready == "deck":
                page.wait_for_function("() => window.cockpitDeckmap && window.cockpitDeckmap.stats.frames > 0",
                                       timeout=60_000)
            else:
                page.wait_for_selector(ready, timeout=60_000)
            page.wait_for_timeout(1500)  # fonts, the last graph, the ticker's first step
            page.screenshot(path=str(out / name), full_page=not path.startswith("/screen"))
            context.close()
            print(out / name)
        browser.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8050")
    parser.add_argument("--user", help="the account to sign in as (its password in COCKPIT_PASSWORD)")
    arguments = parser.parse_args()
    main(arguments.url, arguments.user)
