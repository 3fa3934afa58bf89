"""The vendored front-end bundles (frontend/, assets/_vendor/): built from what frontend/ declares,
holding what the Python side draws, and served by the app itself."""

from __future__ import annotations

import json
import re

from cockpit.config import REPO_ROOT
from cockpit.ui import deckmap
from cockpit.ui.charts import PLOTLY_TRACES

FRONTEND = REPO_ROOT / "frontend"
PLOTLY_BUNDLE = REPO_ROOT / "assets" / "_vendor" / "plotly" / "plotly-cockpit.min.js"


def _pinned(package: str) -> str:
    return json.loads((FRONTEND / "package.json").read_text())["devDependencies"][package]


def test_versions_are_pinned_and_locked():
    lock = json.loads((FRONTEND / "package-lock.json").read_text())["packages"]
    for package in ("plotly.js", "@deck.gl/core", "@deck.gl/layers", "@deck.gl/json", "esbuild"):
        assert re.fullmatch(r"\d+\.\d+\.\d+", _pinned(package)), package
        assert lock[f"node_modules/{package}"]["version"] == _pinned(package), package


def test_plotly_bundle_registers_exactly_the_traces_the_charts_draw():
    entry = (FRONTEND / "plotly.js").read_text()
    registered = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry)) - {"core"}
    assert registered | {"scatter"} == PLOTLY_TRACES  # plotly.js's core always carries scatter
    head = PLOTLY_BUNDLE.read_text(encoding="utf-8")[:300]
    assert f"plotly.js {_pinned('plotly.js')} " in head
    assert "core with " + ", ".join(sorted(PLOTLY_TRACES)) + "." in head
    assert PLOTLY_BUNDLE.stat().st_size < 2_000_000  # the full bundle is 4.8 MB


def test_chart_modules_draw_only_bundled_trace_types():
    # every literal trace type in the figure builders is one the bundle has (the browser tests
    # check the figures actually drawn)
    for module in ("charts.py", "screen_charts.py"):
        source = (REPO_ROOT / "cockpit" / "ui" / module).read_text()
        # axis and shape types are not traces
        literal = set(re.findall(r'"type": "(\w+)"', source)) - {"category", "linear", "log", "date", "line", "rect"}
        objects = {name.lower() for name in re.findall(r"go\.(\w+)\(", source)} - {"figure"}
        assert literal | objects <= PLOTLY_TRACES, (module, literal | objects)


def test_deck_bundle_is_the_pinned_version_with_the_classes_specs_name():
    assert deckmap.bundle_name() == f"deckgl-cockpit-{_pinned('@deck.gl/core')}.min.js"
    entry = (FRONTEND / "deckgl.js").read_text()
    classes = re.search(r"const classes = \{([^}]*)\}", entry).group(1)
    assert {c.strip() for c in classes.split(",")} == deckmap.DECK_CLASSES
    assert f"deck.gl {_pinned('@deck.gl/core')} " in deckmap.bundle_path().read_text(encoding="utf-8")[:200]


def test_dash_loads_the_plotly_bundle_on_every_page_but_not_the_deck_bundle(sign_in):
    from cockpit.web import create_app

    index = sign_in(create_app()).get("/").get_data(as_text=True)
    assert "/assets/_vendor/plotly/plotly-cockpit.min.js" in index
    assert "deckgl-cockpit" not in index and "package_data/plotly.min.js" not in index
