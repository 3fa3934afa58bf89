"""deck.gl region maps for Dash, drawn offline from the deck.gl bundle the app serves itself.

Usage::

    from cockpit.ui import deckmap

    deckmap.register_deck_assets(app.server)          # once, in the app factory
    deckmap.region_map("city-map", geojson, values, unit="亿元", label="GDP", lang="zh")

    @callback(Output("scope", "data"), Input("city-map-click", "data"))   # the clicked region code
    @callback(Output("info", "children"), Input("city-map-hover", "data"))  # the hovered code or None

**The deck.gl bundle.** `assets/_vendor/deckgl/deckgl-cockpit-<version>.min.js` is deck.gl's core,
its layers and its JSON converter, built from npm by `frontend/build.sh` (0.8 MB; pydeck's notebook
bundle, with maplibre and every layer package, is 4.3 MB and takes about half a second longer to
evaluate in a browser without a GPU). It defines `window.cockpitDeckGL` with `createDeck` and
`updateDeck`. Dash's `assets_ignore` keeps it out of every page (`cockpit.web`); instead
`register_deck_assets(server)` serves it at `/_deckgl/<file name>` (gzip when the browser accepts
it, cached for a year: the name changes with the version). `assets/deckmap.js`, which every page
loads, fetches it the first time a map appears (it then takes about 80 ms to evaluate).
The specs are still written with pydeck (`pdk.Deck(...).to_json()`): `@@type` names a class the
bundle registers (`DECK_CLASSES`) and `@@=` strings are accessors, as in pydeck's own renderer.

**How a map is drawn.** `region_map()` returns plain Dash components: a wrapper, an empty host
`Div` carrying the spec as a JSON string in its `data-deckmap-spec` attribute, the legend and
the boundary notice as HTML, and two `dcc.Store`s (`<id>-click`, `<id>-hover`). `deckmap.js`
watches the page for such hosts (a MutationObserver: no Dash callback has to be registered, so the
component works in any app that registered the route) and calls `createDeck` the first time and
`updateDeck` afterwards. To change a map, a callback returns a new `region_map(...)` with the same
id: Dash mounts a new host element, and `deckmap.js` moves the existing deck (canvas, WebGL
context, layers) into it and calls `updateDeck`, so the map redraws in place: no new WebGL context,
no flicker, no growth (the browser test checks one deck after repeated redraws, and flat JS heap
and GPU memory over 40 spec changes). A deck whose host leaves the page for good is finalized.
Clicks are picked by `deckmap.js` itself (`deck.pickObject` on the DOM click, ignoring drags)
rather than by deck.gl's tap gesture, which drops taps when rendering is slow; both work under the
big screen's CSS scale. The region code reaches Python through `dash_clientside.set_props` on
`<id>-click`; the hovered code (None when leaving) on `<id>-hover`, sent only when it changes. A
newly mounted map's stores start at None, and Dash calls their callbacks with None then: treat None
as "nothing clicked" (`raise PreventUpdate`).

**Region names** are HTML labels over the canvas, placed by the deck's viewport after every
redraw (where two would overlap, the larger region's name is shown; the other region still names
itself in its tooltip), not a deck.gl TextLayer: the browser's own text is crisp at any screen scale, uses the
page's fonts for Chinese and Latin alike, and costs no glyph atlas and no shader (a TextLayer with
outlined SDF text added about 0.4 s to a map's first frame under software WebGL).

**Offline.** No basemap (`map_provider=None`): polygons draw on the page's own dark background.
The bundle holds two debugging URLs (spector.js, webgl-debug) that only deck.gl's debug mode
loads; the layers used here fetch nothing. The browser test checks that no request leaves the host.

**Colours.** A sequential palette from deep blue (low) to bright cyan (high): on the dark screen
more reads as more light. `PALETTE` holds the stops; every colour is named in `cockpit.ui.theme`
(deckmap.js takes its own from the CSS custom properties).
"""

from __future__ import annotations

import gzip
import html as html_lib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from dash import dcc, html

from cockpit.config import REPO_ROOT
from cockpit.indicators.units import unit_label
from cockpit.ui.format import format_value
from cockpit.ui.theme import colour, rgb_tuple, rgba

# deep blue → blue → cyan → bright cyan (low → high); colours from cockpit.ui.theme
PALETTE: tuple[tuple[int, int, int], ...] = tuple(rgb_tuple(n) for n in ("map-low", "map-mid-low", "map-mid-high",
                                                                        "map-high"))
FILL_ALPHA = 225
NO_DATA_FILL = (*rgb_tuple("map-no-data"), 200)
OUTLINE = (*rgb_tuple("map-outline"), 170)
HOVER = (*rgb_tuple("map-hover"), 170)  # a hovered region, here or on a linked panel: warm against the blues
HIGHLIGHT = (*rgb_tuple("map-highlight"), 255)
POINT_OUTLINE = (*rgb_tuple("screen-bg"), 235)
POINT_COLOUR = (*rgb_tuple("map-point"), 235)
ALARM_COLOUR = (*rgb_tuple("map-alarm"), 255)
TEXTS: dict[str, dict[str, str]] = {
    "no_data": {"zh": "暂无数据", "en": "no data"},
    "sep": {"zh": "：", "en": ": "},
    "alarm": {"zh": "告警", "en": "alarm"},
}

ROUTE_DIR = "_deckgl"
# For Dash's `assets_ignore`: the bundle sits in assets/_vendor/deckgl/ but must not be on every page
ASSETS_IGNORE = r"^deckgl-cockpit-.*\.js$"
VENDOR_DIR = REPO_ROOT / "assets" / "_vendor" / "deckgl"
# The classes the bundle registers for "@@type" (frontend/deckgl.js); a spec naming another fails.
DECK_CLASSES = frozenset({"MapView", "GeoJsonLayer", "LineLayer", "PathLayer", "ScatterplotLayer",
                          "SolidPolygonLayer", "TextLayer"})


# ---------------------------------------------------------------------------------------------
# The bundle


def bundle_path() -> Path:
    """The vendored deck.gl bundle (frontend/build.sh writes it; exactly one is committed)."""
    found = sorted(VENDOR_DIR.glob("deckgl-cockpit-*.min.js"))
    if len(found) != 1:
        raise FileNotFoundError(f"{VENDOR_DIR}: expected one deckgl-cockpit-<version>.min.js, found "
                                f"{[p.name for p in found] or 'none'}; run `bash frontend/build.sh`")
    return found[0]


def bundle_name() -> str:
    """The file name the bundle is served under; it carries deck.gl's version, so caches never go stale."""
    return bundle_path().name


@lru_cache(maxsize=1)
def _bundle_bytes() -> tuple[bytes, bytes]:
    """The bundle, plain and gzipped (read once per process)."""
    text = bundle_path().read_bytes()
    return text, gzip.compress(text, compresslevel=6, mtime=0)


def bundle_url(prefix: str = "/") -> str:
    """Where `register_deck_assets` serves the bundle, under the app's `routes_pathname_prefix`."""
    return f"{prefix.rstrip('/')}/{ROUTE_DIR}/{bundle_name()}"


def register_deck_assets(server: Any, prefix: str | None = None) -> str:
    """Serve deck.gl's bundle at `<prefix>_deckgl/<bundle_name()>`; returns that path.

    `server` is the Flask server (`app.server`) or the Dash app itself (then its
    `routes_pathname_prefix` is used). Safe to call more than once.
    """
    from flask import Response, request

    if hasattr(server, "server") and hasattr(server, "config"):  # a Dash app
        prefix = prefix or server.config.routes_pathname_prefix
        server = server.server
    path = bundle_url(prefix or "/")
    endpoint = "cockpit_deckgl_bundle"
    if endpoint in server.view_functions:
        return path

    def serve_bundle() -> Response:
        plain, packed = _bundle_bytes()
        etag = f'"{bundle_name()}"'
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag})
        use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(packed if use_gzip else plain, mimetype="application/javascript")
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["ETag"] = etag
        return response

    server.add_url_rule(path, endpoint=endpoint, view_func=serve_bundle)
    return path


# ---------------------------------------------------------------------------------------------
# The spec


def colour_for(value: float | None, lo: float, hi: float) -> list[int]:
    """The fill for `value` on the sequential palette between `lo` and `hi` (RGBA)."""
    if value is None or not math.isfinite(value):
        return list(NO_DATA_FILL)
    t = 0.5 if hi <= lo else min(max((value - lo) / (hi - lo), 0.0), 1.0)
    pos = t * (len(PALETTE) - 1)
    i = min(int(pos), len(PALETTE) - 2)
    f = pos - i
    a, b = PALETTE[i], PALETTE[i + 1]
    return [round(a[k] + (b[k] - a[k]) * f) for k in range(3)] + [FILL_ALPHA]


def legend_gradient() -> str:
    stops = ", ".join(f"rgb{c}" for c in PALETTE)
    return f"linear-gradient(90deg, {stops})"


def _label_point(geometry: dict) -> tuple[float, float]:
    """Where a region's name goes: the pole of inaccessibility of its largest part."""
    from shapely.geometry import shape
    from shapely.ops import polylabel

    geom = shape(geometry)
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    if geom.geom_type != "Polygon":
        p = geom.representative_point()
        return p.x, p.y
    minx, miny, maxx, maxy = geom.bounds
    p = polylabel(geom, tolerance=max(maxx - minx, maxy - miny) / 200)
    return p.x, p.y


def _area(geometry: dict) -> float:
    from shapely.geometry import shape

    return shape(geometry).area


def _bounds(geojson: dict) -> list[float]:
    from shapely.geometry import shape

    boxes = [shape(f["geometry"]).bounds for f in geojson.get("features", []) if f.get("geometry")]
    if not boxes:
        return [73.5, 18.0, 135.0, 53.5]  # China, when there is nothing to fit
    return [min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes)]


def _tip(title: str, lines: list[str]) -> str:
    parts = [f"<b>{html_lib.escape(title)}</b>"] + [html_lib.escape(line) for line in lines]
    return "<br/>".join(parts)


def _finite(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def map_spec(geojson: dict, values: dict[str, float], *, unit: str, label: str, lang: str,
             highlight: str | None = None, points: list[dict] | None = None,
             decimals: int = 1) -> dict:
    """Everything `deckmap.js` needs to draw a map: the deck JSON, the region names and where they
    go, the bounds to fit, the legend."""
    import pydeck as pdk

    lang = lang if lang in ("zh", "en") else "zh"
    sep = TEXTS["sep"][lang]
    features = [f for f in geojson.get("features", []) if f.get("geometry")]
    present = [v for f in features if (v := _finite(values.get(str(f["properties"].get("code"))))) is not None]
    lo, hi = (min(present), max(present)) if present else (0.0, 0.0)

    regions, labels, highlighted = [], [], []  # highlighted: codes
    for f in features:
        props = dict(f.get("properties") or {})
        code, name = str(props.get("code", "")), str(props.get("name", ""))
        value = _finite(values.get(code))
        shown = format_value(value, unit, decimals, lang) if value is not None else TEXTS["no_data"][lang]
        props.update(code=code, name=name, value=value, fill=colour_for(value, lo, hi),
                     tip=_tip(name, [f"{label}{sep}{shown}"]))
        feature = {"type": "Feature", "properties": props, "geometry": f["geometry"]}
        regions.append(feature)
        if code == highlight:
            highlighted.append(code)
        x, y = _label_point(f["geometry"])
        labels.append({"position": [round(x, 5), round(y, 5)], "name": name, "code": code,
                       "area": _area(f["geometry"])})
    # larger regions first: where two names would overlap, deckmap.js keeps the earlier one
    labels = [{k: v for k, v in label.items() if k != "area"}
              for label in sorted(labels, key=lambda label: -label["area"])]

    # Fills and outlines are separate layers: a GeoJsonLayer's stroke is a PathLayer, whose shader
    # costs about 0.4 s more than a LineLayer's to prepare for the first frame in a browser without a
    # GPU, and 1-3 px outlines need no mitred joins. An outline layer's data names the layer whose
    # rings it traces (`deckmap.js` turns them into segments), so the spec holds each ring once.
    line = {"get_source_position": "s", "get_target_position": "t", "width_units": pdk.types.String("pixels")}
    layers = [
        pdk.Layer("GeoJsonLayer", [], id="regions", pickable=True, stroked=False, filled=True, auto_highlight=True,
                  highlight_color=list(HOVER), get_fill_color="properties.fill"),
        pdk.Layer("LineLayer", [], id="outlines", get_color=list(OUTLINE), get_width=1, **line),
    ]
    if highlighted:
        layers.append(pdk.Layer("LineLayer", [], id="highlight", get_color=list(HIGHLIGHT), get_width=3, **line))
    rows: list[dict] = []
    if points:
        for p in points:
            alarm = bool(p.get("alarm"))
            lines = [TEXTS["alarm"][lang]] if alarm else []
            rows.append({"position": [float(p["lon"]), float(p["lat"])], "name": str(p.get("name", "")),
                         "alarm": alarm, "fill": list(ALARM_COLOUR if alarm else POINT_COLOUR),
                         "radius": 9 if alarm else 5, "tip": _tip(str(p.get("name", "")), lines)})
        rows.sort(key=lambda r: r["alarm"])  # alarms drawn last, on top
        layers.append(pdk.Layer(
            "ScatterplotLayer", [], id="points", pickable=True, get_position="position",
            get_fill_color="fill", get_radius="radius", radius_units=pdk.types.String("pixels"),
            stroked=True, get_line_color=list(POINT_OUTLINE), line_width_min_pixels=1,
        ))

    deck = pdk.Deck(layers=layers, map_provider=None, map_style=None,
                    views=[pdk.View("MapView", controller={
                        "dragRotate": False, "touchRotate": False, "doubleClickZoom": False,
                        "keyboard": False, "scrollZoom": True, "dragPan": True})])
    deck_json = json.loads(deck.to_json())
    # the data go in after pydeck's (indented, slow) serialisation of the layer properties
    data = {"regions": {"type": "FeatureCollection", "features": regions}, "outlines": {"outlinesOf": "regions"},
            "highlight": {"outlinesOf": "regions", "codes": highlighted}, "points": rows}
    for layer in deck_json["layers"]:
        layer["data"] = data[layer["id"]]
    unknown = {item["@@type"] for item in deck_json["layers"] + deck_json.get("views", [])} - DECK_CLASSES
    if unknown:  # the bundle would fail in the browser; say so here, where the spec is written
        raise ValueError(f"deck spec names classes the deck.gl bundle lacks: {sorted(unknown)} "
                         "(add them to frontend/deckgl.js and DECK_CLASSES)")
    deck_json.pop("initialViewState", None)  # deckmap.js fits the bounds to the canvas size
    legend = {"label": label, "unit": unit, "lang": lang, "min": lo if present else None, "max": hi if present else None,
              "min_text": format_value(lo, unit, decimals, lang) if present else "—",
              "max_text": format_value(hi, unit, decimals, lang) if present else "—"}
    return {"deck": deck_json, "labels": labels, "bounds": [round(b, 5) for b in _bounds(geojson)],
            "legend": legend, "bundle": f"{ROUTE_DIR}/{bundle_name()}"}


# ---------------------------------------------------------------------------------------------
# The component

_LEGEND_STYLE = {
    "position": "absolute", "left": "12px", "bottom": "12px", "zIndex": 2, "pointerEvents": "none",
    "padding": "6px 10px", "background": rgba("screen-bg", 0.72), "border": f"1px solid {rgba('map-frame', 0.35)}",
    "color": colour("map-legend-text"), "fontSize": "12px", "lineHeight": "1.4", "minWidth": "160px",
}
_NOTICE_STYLE = {
    "position": "absolute", "right": "10px", "bottom": "6px", "zIndex": 2, "pointerEvents": "none",
    "maxWidth": "60%", "textAlign": "right", "color": rgba("map-notice", 0.6), "fontSize": "11px",
}


def click_id(map_id: str) -> str:
    """The Store that receives the region code clicked on map `map_id` (for a callback's Input)."""
    return f"{map_id}-click"


def hover_id(map_id: str) -> str:
    """The Store that receives the hovered region code (None when leaving) of map `map_id`."""
    return f"{map_id}-hover"


def _legend(legend: dict) -> html.Div:
    unit = unit_label(legend["unit"], legend["lang"])
    title = legend["label"] + ((f"（{unit}）" if legend["lang"] == "zh" else f" ({unit})") if unit else "")
    return html.Div(className="deckmap-legend", style=_LEGEND_STYLE, children=[
        html.Div(title, className="deckmap-legend-title"),
        html.Div(className="deckmap-legend-bar",
                 style={"height": "8px", "margin": "4px 0 2px", "background": legend_gradient()}),
        html.Div(style={"display": "flex", "justifyContent": "space-between", "gap": "12px",
                        "fontVariantNumeric": "tabular-nums"},
                 children=[html.Span(legend["min_text"], className="deckmap-legend-min"),
                           html.Span(legend["max_text"], className="deckmap-legend-max")]),
    ])


def region_map(id: str, geojson: dict, values: dict[str, float], *, unit: str, label: str, lang: str,
               highlight: str | None = None, points: list[dict] | None = None,
               height: int | str = "100%", decimals: int = 1, notice: str = "") -> html.Div:
    """A map of regions coloured by value, with names, tooltip, legend and the boundary notice.

    `geojson` features carry properties `code` and `name` (as `RegionGeometry.children_geojson`);
    `values` maps codes to numbers; `points` are dicts with `lon`, `lat`, `name`, `alarm`.
    The clicked region's code arrives in `dcc.Store(id=f"{id}-click")`'s `data`, the hovered one's
    (or None) in `f"{id}-hover"`. Return a new `region_map` with the same id to redraw in place.
    `notice`: what the boundaries are (`Reader.geometry_notice()`), shown in a corner when given.
    """
    spec = map_spec(geojson, values, unit=unit, label=label, lang=lang, highlight=highlight,
                    points=points, decimals=decimals)
    children: list = [
        html.Div(id=f"{id}-deck", className="deckmap-host",
                 style={"position": "absolute", "inset": 0},
                 **{"data-deckmap": id, "data-deckmap-spec": json.dumps(spec, ensure_ascii=False,
                                                                         separators=(",", ":"))}),
        _legend(spec["legend"]),
        dcc.Store(id=click_id(id)),
        dcc.Store(id=hover_id(id)),
    ]
    if notice:
        children.append(html.Div(notice, className="deckmap-notice", style=_NOTICE_STYLE))
    size = f"{height}px" if isinstance(height, int) else height
    return html.Div(id=id, className="deckmap", children=children,
                    style={"position": "relative", "width": "100%", "height": size, "overflow": "hidden"})
