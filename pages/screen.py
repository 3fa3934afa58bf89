"""大屏: the leaders' big screen, `/screen?region=330600`; clicking a city re-scopes the whole screen.

The themed screens are configuration (data/screens.yaml); this page owns the ids it listens to
(`IDS`) and reads through the request's reader, so a viewer sees their own subtree and no more.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html

from cockpit.query.reader import OutOfScope, Reader
from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import bigscreen, params, request
from cockpit.ui.deckmap import click_id
from cockpit.views.screens import screens

dash.register_page(__name__, path="/screen", path_template="/screen/<theme>", name="大屏", order=5,
                   icon="bi-display", label={"zh": "大屏", "en": "Big screen"}, title="城市运行态势 · 大屏")

DEFAULT_REFRESH_SECONDS = 60
# What `?refresh=` and `?carousel=` may ask, in seconds: often enough to matter, never so often
# that a wall of screens loads the server (and under setInterval's 2^31-1 ms, which fires at once).
INTERVAL_SECONDS = (10, 3600)
# Leaders drill to cities and counties; below that the PC views take over.
DRILL_LEVELS = ("province", "city", "county")

IDS = bigscreen.CanvasIds(canvas="screen-canvas", snapshot="screen-snapshot", map="screen-map",
                          ranking="screen-ranking", prefix="screen")
URL, INTERVAL, REGION, THEME = "screen-url", "screen-interval", "screen-region", "screen-theme"
CAROUSEL, CAROUSEL_NEXT, CONTENT = "screen-carousel", "screen-carousel-next", "screen-content"


def layout(theme: str = "overview", region: str | None = None, refresh: str | None = None,
           carousel: str | None = None, lang: str | None = None, **_query):
    theme = params.choice(theme, screens(), "overview")
    region = params.region_code(region)
    seconds = params.seconds(refresh, DEFAULT_REFRESH_SECONDS, *INTERVAL_SECONDS)
    rotate = _carousel_seconds(carousel)
    lang = request.viewer(params.one(lang)).lang
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        reader = None
    if reader is not None:
        region = _shown_region(reader, region)
    return html.Div([
        dcc.Location(id=URL, refresh="callback-nav"),
        dcc.Interval(id=INTERVAL, interval=seconds * 1000),
        dcc.Store(id=REGION, data=region),
        dcc.Store(id=THEME, data=theme),
        dcc.Store(id=CAROUSEL_NEXT, data=_carousel_href(theme, region, rotate) if region else None),
        dcc.Interval(id=CAROUSEL, interval=(rotate or 0) * 1000, disabled=rotate is None),
        html.Div(_content(reader, theme, region, lang), id=CONTENT),
    ], className="bigscreen-viewport")


def _shown_region(reader: Reader, region: str | None) -> str:
    """The region asked for, or the top of the viewer's subtree for none, an unknown code or one
    the viewer may not see."""
    return region if region is not None and reader.in_scope(region) else reader.root


def _carousel_seconds(carousel: str | None) -> int | None:
    """Seconds per theme when `?carousel=` asks for a rotation (a number), else None."""
    rotate = params.seconds(carousel, 0, *INTERVAL_SECONDS)
    return rotate or None


def _carousel_href(theme: str, region: str, rotate: int | None) -> str | None:
    """The next themed screen of the rotation, keeping the region and the carousel setting."""
    if rotate is None:
        return None
    keys = list(screens())
    following = keys[(keys.index(theme) + 1) % len(keys)]
    return f"{bigscreen.screen_path(following)}?region={region}&carousel={rotate}"


def _content(reader: Reader | None, theme: str, region: str | None, lang: str):
    """The canvas of a theme at a region (the reader's language is `lang`), kept for every wall."""
    if reader is None or region is None:
        return bigscreen.no_snapshot(lang)
    return bigscreen.kept_canvas(reader, region, screens()[theme], IDS)


@callback(Output(CONTENT, "children"), Input(INTERVAL, "n_intervals"),
          State(THEME, "data"), State(REGION, "data"), State(IDS.snapshot, "data"),
          prevent_initial_call=True)
def _live(_n, theme: str, region: str, shown: str | None):
    """Redraw only when a new snapshot has been published: no flicker, no layout jump otherwise."""
    try:
        reader = request.reader()
    except NoSnapshot:
        return dash.no_update
    if reader.snapshot_id == params.one(shown):
        return dash.no_update
    return _content(reader, params.choice(theme, screens(), "overview"),
                    _shown_region(reader, params.region_code(region)), reader.viewer.lang)


@callback(Output(URL, "href"), Input({"type": IDS.ranking, "panel": ALL}, "clickData"),
          Input(click_id(IDS.map), "data"), State(THEME, "data"), prevent_initial_call=True)
def _rescope(_ranking_clicks, map_click, theme: str):
    """A region clicked on a ranking or the map: the whole screen re-scopes to it (back returns)."""
    if isinstance(dash.ctx.triggered_id, dict):  # one of the rankings: its click is the trigger's value
        code = params.clicked_region(dash.ctx.triggered[0]["value"])
    else:
        code = params.region_code(map_click)
    if code is None:  # nothing clicked, or a click of a shape no chart sends
        return dash.no_update
    try:
        reader = request.reader()
        if reader.region(code)["level"] not in DRILL_LEVELS:
            return dash.no_update
    except (NoSnapshot, KeyError, OutOfScope):
        return dash.no_update
    return f"{bigscreen.screen_path(params.choice(theme, screens(), 'overview'))}?region={code}"


# The carousel moves on unless someone touched the screen in the last minute (bigscreen.js notes it).
dash.clientside_callback(
    """function(n, next) {
        if (!n || !next || (window.cockpitScreenTouchedAt || 0) > Date.now() - 60000) {
            return window.dash_clientside.no_update;
        }
        return next;
    }""",
    Output(URL, "href", allow_duplicate=True), Input(CAROUSEL, "n_intervals"),
    State(CAROUSEL_NEXT, "data"), prevent_initial_call=True)
