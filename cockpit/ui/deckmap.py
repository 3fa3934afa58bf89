"""deck.gl region maps for Dash, drawn offline from pydeck's bundled deck.gl.

Usage::

    from cockpit.ui import deckmap

    deckmap.register_deck_assets(app.server)          # once, in the app factory
    deckmap.region_map("city-map", geojson, values, unit="亿元", label="GDP", lang="zh")

    @callback(Output("scope", "data"), Input("city-map-click", "data"))   # the clicked region code
    @callback(Output("info", "children"), Input("city-map-hover", "data"))  # the hovered code or None

**How the deck.gl bundle is served.** pydeck's wheel ships deck.gl's UMD bundle
(`pydeck/nbextension/static/index.js`, deck.gl 9.3 with maplibre, MIT, about 4.3 MB) defining the
globals `createDeck` and `updateDeck`. Dash includes every `.js` under `assets/` in every page, so
the bundle is *not* copied there (it would cost 4 MB on every page, and 4 MB of generated code in
git). Instead `register_deck_assets(server)` adds one Flask route, `/_deckgl/deckgl-<pydeck
version>.js`, that serves the file straight from the installed pydeck package (read once, source-map
comment removed, gzip when the browser accepts it, cached for a year: the URL changes with the
version). The small `assets/deckmap.js`, which Dash does load on every page, fetches the bundle with
a `<script>` tag the first time a map appears, so pages without a map never download it.

**How a map is drawn.** `region_map()` returns plain Dash components: a wrapper, an empty host
`Div` carrying the deck spec as a JSON string in its `data-deckmap-spec` attribute, the legend and
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

**Offline.** No basemap (`map_provider=None`): polygons draw on the page's own dark background.
The bundle holds CDN URLs (mapbox-gl.css, carto styles, spector.js, webgl-debug, loaders.gl
workers), but only on code paths a basemap, a debug flag or a binary loader would take; the
layers used here (GeoJsonLayer, TextLayer with `characterSet: "auto"` drawing with the page's
fonts, ScatterplotLayer) fetch nothing. The browser test checks that no request leaves the host.

**Colours.** A sequential palette from deep blue (low) to bright cyan (high): on the dark screen
more reads as more light. `PALETTE` holds the stops.
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

from cockpit.indicators.units import unit_label
from cockpit.ui.format import format_value

# deep blue → blue → cyan → bright cyan (low → high)
PALETTE: tuple[tuple[int, int, int], ...] = ((16, 52, 128), (24, 98, 196), (30, 160, 230), (110, 236, 255))
FILL_ALPHA = 225
NO_DATA_FILL = (40, 52, 76, 200)
OUTLINE = (120, 220, 255, 170)
HOVER = (255, 214, 102, 170)  # a hovered region, here or on a linked panel: warm against the blues
HIGHLIGHT = (255, 196, 61, 255)
LABEL_COLOUR = (232, 244, 255, 255)
LABEL_OUTLINE = (5, 13, 31, 235)
POINT_COLOUR = (46, 230, 168, 235)
ALARM_COLOUR = (255, 77, 79, 255)
# Latin fonts first: Latin letters of CJK fonts (WenQuanYi's J) overhang their cell in deck.gl's
# glyph atlas and lose a stroke; the CJK fonts after them draw the Chinese names.
FONT_FAMILY = ('"Segoe UI", Arial, "DejaVu Sans", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
               '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif')

TEXTS: dict[str, dict[str, str]] = {
    "no_data": {"zh": "暂无数据", "en": "no data"},
    "sep": {"zh": "：", "en": ": "},
    "alarm": {"zh": "告警", "en": "alarm"},
}

ROUTE_DIR = "_deckgl"


# ---------------------------------------------------------------------------------------------
# The bundle


def bundle_path() -> Path:
    """deck.gl's bundle inside the installed pydeck wheel."""
    import pydeck

    return Path(pydeck.__file__).parent / "nbextension" / "static" / "index.js"


def bundle_name() -> str:
    """The versioned file name the bundle is served under (changes when pydeck changes)."""
    import pydeck

    return f"deckgl-pydeck-{pydeck.__version__}.js"


@lru_cache(maxsize=1)
def _bundle_bytes() -> tuple[bytes, bytes]:
    """The bundle without its source-map comment, plain and gzipped (read once per process)."""
    text = bundle_path().read_bytes()
    lines = text.rstrip().split(b"\n")
    if lines and lines[-1].startswith(b"//# sourceMappingURL="):
        text = b"\n".join(lines[:-1]) + b"\n"
    return text, gzip.compress(text, compresslevel=6, mtime=0)


def register_deck_assets(server: Any, prefix: str | None = None) -> str:
    """Serve deck.gl's bundle at `<prefix>_deckgl/<bundle_name()>`; returns that path.

    `server` is the Flask server (`app.server`) or the Dash app itself (then its
    `routes_pathname_prefix` is used). Safe to call more than once.
    """
    from flask import Response, request

    if hasattr(server, "server") and hasattr(server, "config"):  # a Dash app
        prefix = prefix or server.config.routes_pathname_prefix
        server = server.server
    prefix = prefix or "/"
    path = f"{prefix.rstrip('/')}/{ROUTE_DIR}/{bundle_name()}"
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
    """Everything `deckmap.js` needs to draw a map: the deck JSON, the bounds to fit, the legend."""
    import pydeck as pdk

    lang = lang if lang in ("zh", "en") else "zh"
    sep = TEXTS["sep"][lang]
    features = [f for f in geojson.get("features", []) if f.get("geometry")]
    present = [v for f in features if (v := _finite(values.get(str(f["properties"].get("code"))))) is not None]
    lo, hi = (min(present), max(present)) if present else (0.0, 0.0)

    regions, labels, highlighted = [], [], []
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
            highlighted.append(feature)
        x, y = _label_point(f["geometry"])
        labels.append({"position": [round(x, 5), round(y, 5)], "name": name, "code": code})

    layers = [
        pdk.Layer("GeoJsonLayer", [], id="regions",
                  pickable=True, stroked=True, filled=True, auto_highlight=True,
                  highlight_color=list(HOVER), get_fill_color="properties.fill",
                  get_line_color=list(OUTLINE), line_width_units=pdk.types.String("pixels"),
                  get_line_width=1, line_width_min_pixels=1),
    ]
    if highlighted:
        layers.append(pdk.Layer("GeoJsonLayer", [], id="highlight", pickable=False, stroked=True, filled=False,
                                get_line_color=list(HIGHLIGHT), line_width_units=pdk.types.String("pixels"),
                                get_line_width=3, line_width_min_pixels=3))
    layers.append(pdk.Layer(
        "TextLayer", [], id="labels", pickable=False, get_position="position", get_text="name",
        character_set=pdk.types.String("auto"), font_family=pdk.types.String(FONT_FAMILY),
        font_settings={"sdf": True, "fontSize": 48, "buffer": 12}, get_size=15,
        size_units=pdk.types.String("pixels"), get_color=list(LABEL_COLOUR),
        outline_width=3, outline_color=list(LABEL_OUTLINE),
        get_text_anchor=pdk.types.String("middle"), get_alignment_baseline=pdk.types.String("center"),
    ))
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
            stroked=True, get_line_color=list(LABEL_OUTLINE), line_width_min_pixels=1,
        ))

    deck = pdk.Deck(layers=layers, map_provider=None, map_style=None,
                    views=[pdk.View("MapView", controller={
                        "dragRotate": False, "touchRotate": False, "doubleClickZoom": False,
                        "keyboard": False, "scrollZoom": True, "dragPan": True})])
    deck_json = json.loads(deck.to_json())
    # the data go in after pydeck's (indented, slow) serialisation of the layer properties
    data = {"regions": {"type": "FeatureCollection", "features": regions},
            "highlight": {"type": "FeatureCollection", "features": highlighted}, "labels": labels,
            "points": rows}
    for layer in deck_json["layers"]:
        layer["data"] = data[layer["id"]]
    deck_json.pop("initialViewState", None)  # deckmap.js fits the bounds to the canvas size
    legend = {"label": label, "unit": unit, "lang": lang, "min": lo if present else None, "max": hi if present else None,
              "min_text": format_value(lo, unit, decimals, lang) if present else "—",
              "max_text": format_value(hi, unit, decimals, lang) if present else "—"}
    return {"deck": deck_json, "bounds": [round(b, 5) for b in _bounds(geojson)], "legend": legend,
            "bundle": f"{ROUTE_DIR}/{bundle_name()}"}


# ---------------------------------------------------------------------------------------------
# The component

_LEGEND_STYLE = {
    "position": "absolute", "left": "12px", "bottom": "12px", "zIndex": 2, "pointerEvents": "none",
    "padding": "6px 10px", "background": "rgba(5, 13, 31, 0.72)", "border": "1px solid rgba(30, 200, 255, 0.35)",
    "color": "#cfe8ff", "fontSize": "12px", "lineHeight": "1.4", "minWidth": "160px",
}
_NOTICE_STYLE = {
    "position": "absolute", "right": "10px", "bottom": "6px", "zIndex": 2, "pointerEvents": "none",
    "maxWidth": "60%", "textAlign": "right", "color": "rgba(170, 195, 230, 0.6)", "fontSize": "11px",
}


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
               height: int | str = "100%", decimals: int = 1) -> html.Div:
    """A map of regions coloured by value, with names, tooltip, legend and the boundary notice.

    `geojson` features carry properties `code` and `name` (as `RegionGeometry.children_geojson`);
    `values` maps codes to numbers; `points` are dicts with `lon`, `lat`, `name`, `alarm`.
    The clicked region's code arrives in `dcc.Store(id=f"{id}-click")`'s `data`, the hovered one's
    (or None) in `f"{id}-hover"`. Return a new `region_map` with the same id to redraw in place.
    """
    from cockpit.regions.geometry import geometry_notice

    spec = map_spec(geojson, values, unit=unit, label=label, lang=lang, highlight=highlight,
                    points=points, decimals=decimals)
    notice = geometry_notice().get(lang if lang in ("zh", "en") else "zh", "")
    children: list = [
        html.Div(id=f"{id}-deck", className="deckmap-host",
                 style={"position": "absolute", "inset": 0},
                 **{"data-deckmap": id, "data-deckmap-spec": json.dumps(spec, ensure_ascii=False,
                                                                         separators=(",", ":"))}),
        _legend(spec["legend"]),
        dcc.Store(id=f"{id}-click"),
        dcc.Store(id=f"{id}-hover"),
    ]
    if notice:
        children.append(html.Div(notice, className="deckmap-notice", style=_NOTICE_STYLE))
    size = f"{height}px" if isinstance(height, int) else height
    return html.Div(id=id, className="deckmap", children=children,
                    style={"position": "relative", "width": "100%", "height": size, "overflow": "hidden"})
