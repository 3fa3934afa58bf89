"""Take the README's screenshots from a running cockpit (the default demo, scale 1):

    COCKPIT_LAKE_DIR=… cockpit serve --port 8061 &
    .venv/bin/python scripts/readme_screenshots.py http://127.0.0.1:8061

Writes docs/screenshots/*.png. Look at them before committing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from cockpit.harness import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
SHOTS = [  # (file, path, width, height, what to wait for)
    ("home.png", "/", 1366, 900, ".headline-name"),
    ("waste-free.png", "/waste-free", 1366, 1100, "#wfi-ranking-graph .bars path"),
    ("screen-overview.png", "/screen", 1920, 1080, "deck"),
    ("screen-overview-en.png", "/screen?lang=en", 1920, 1080, "deck"),
    ("screen-waste-free-shaoxing.png", "/screen/waste_free?region=330600", 1920, 1080, "deck"),
]


def main(base: str) -> None:
    out = ROOT / "docs" / "screenshots"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path, width, height, ready in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(base + path)
            if ready == "deck":
                page.wait_for_function("window.cockpitDeckmap && window.cockpitDeckmap.stats.frames > 0",
                                       timeout=60_000)
            else:
                page.wait_for_selector(ready, timeout=60_000)
            page.wait_for_timeout(1500)  # fonts, the last graph, the ticker's first step
            page.screenshot(path=str(out / name), full_page=not path.startswith("/screen"))
            page.close()
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8050")
