"""大屏: the leaders' big screen, `/screen?region=330600`; clicking a city re-scopes the whole screen."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from cockpit.query.snapshot import NoSnapshot, current_snapshot
from cockpit.ui import bigscreen, params
from cockpit.ui.i18n import current_lang
from cockpit.ui.shell import snapshot_notice

dash.register_page(__name__, path="/screen", path_template="/screen/<theme>", name="大屏", order=5,
                   icon="bi-display", label={"zh": "大屏", "en": "Big screen"}, title="城市运行态势 · 大屏")

DEFAULT_REGION = "330000"
DEFAULT_REFRESH_SECONDS = 60
# What `?refresh=` and `?carousel=` may ask, in seconds: often enough to matter, never so often
# that a wall of screens loads the server (and under setInterval's 2^31-1 ms, which fires at once).
INTERVAL_SECONDS = (10, 3600)


def layout(theme: str = "overview", region: str = DEFAULT_REGION, refresh: str | None = None,
           carousel: str | None = None, lang: str | None = None, **_query):
    lang = current_lang(params.one(lang))
    theme = params.choice(theme, bigscreen.THEMES, "overview")
    region = params.region_code(region) or DEFAULT_REGION
    seconds = params.seconds(refresh, DEFAULT_REFRESH_SECONDS, *INTERVAL_SECONDS)
    rotate = _carousel_seconds(carousel)
    return html.Div([
        dcc.Location(id="screen-url", refresh="callback-nav"),
        dcc.Interval(id="screen-interval", interval=seconds * 1000),
        dcc.Store(id="screen-region", data=region),
        dcc.Store(id="screen-theme", data=theme),
        dcc.Store(id="screen-carousel-next", data=_carousel_href(theme, region, rotate)),
        dcc.Interval(id="screen-carousel", interval=(rotate or 0) * 1000, disabled=rotate is None),
        html.Div(_content(theme, region, lang), id="screen-content"),
    ], className="bigscreen-viewport")


def _carousel_seconds(carousel: str | None) -> int | None:
    """Seconds per theme when `?carousel=` asks for a rotation (a number), else None."""
    rotate = params.seconds(carousel, 0, *INTERVAL_SECONDS)
    return rotate or None


def _carousel_href(theme: str, region: str, rotate: int | None) -> str | None:
    """The next themed screen of the rotation, keeping the region and the carousel setting."""
    if rotate is None:
        return None
    keys = list(bigscreen.THEMES)
    following = keys[(keys.index(theme) + 1) % len(keys)]
    return f"/screen/{following}?region={region}&carousel={rotate}"


def _content(theme: str, region: str, lang: str):
    """The canvas of a theme at a region; a region the snapshot does not hold shows the province."""
    try:
        snap = current_snapshot()
    except NoSnapshot:
        return bigscreen.no_snapshot(lang)
    try:
        scope = bigscreen.scope_of(snap, region, lang)
    except KeyError:
        scope = bigscreen.scope_of(snap, DEFAULT_REGION, lang)
    canvas = bigscreen.canvas(snap, scope, bigscreen.THEMES[theme], lang)
    notice = snapshot_notice(snap, lang, screen=True)
    if notice is not None:
        canvas.children.append(notice)  # on the canvas, so it scales with the screen
    return canvas


@callback(Output("screen-content", "children"), Input("screen-interval", "n_intervals"),
          State("screen-theme", "data"), State("screen-region", "data"), State("screen-snapshot", "data"),
          prevent_initial_call=True)
def _live(_n, theme: str, region: str, shown: str | None):
    """Redraw only when a new snapshot has been published: no flicker, no layout jump otherwise."""
    try:
        if current_snapshot().id == params.one(shown):
            return dash.no_update
    except NoSnapshot:
        return dash.no_update
    return _content(params.choice(theme, bigscreen.THEMES, "overview"), params.region_code(region) or DEFAULT_REGION,
                    current_lang())


@callback(Output("screen-url", "href"), Input("screen-index-graph", "clickData"), Input("screen-map-click", "data"),
          State("screen-theme", "data"), prevent_initial_call=True)
def _rescope(ranking_click, map_click, theme: str):
    """A city clicked on the ranking or the map: the whole screen re-scopes to it (back returns)."""
    clicked_ranking = dash.ctx.triggered_id == "screen-index-graph"
    code = params.clicked_region(ranking_click) if clicked_ranking else params.region_code(map_click)
    if code is None:  # nothing clicked, or a click of a shape no chart sends
        return dash.no_update
    try:  # leaders drill to cities and counties; below that the PC views take over
        if current_snapshot().region(code)["level"] not in ("province", "city", "county"):
            return dash.no_update
    except (NoSnapshot, KeyError):
        return dash.no_update
    return f"{bigscreen.screen_path(params.choice(theme, bigscreen.THEMES, 'overview'))}?region={code}"


# The carousel moves on unless someone touched the screen in the last minute (bigscreen.js notes it).
dash.clientside_callback(
    """function(n, next) {
        if (!n || !next || (window.cockpitScreenTouchedAt || 0) > Date.now() - 60000) {
            return window.dash_clientside.no_update;
        }
        return next;
    }""",
    Output("screen-url", "href", allow_duplicate=True), Input("screen-carousel", "n_intervals"),
    State("screen-carousel-next", "data"), prevent_initial_call=True)
