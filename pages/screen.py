"""大屏: the leaders' big screen, `/screen?region=330600`; clicking a city re-scopes the whole screen."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from cockpit.query.snapshot import NoSnapshot, current_snapshot
from cockpit.ui import bigscreen
from cockpit.ui.i18n import current_lang

dash.register_page(__name__, path="/screen", path_template="/screen/<theme>", name="大屏", order=5,
                   icon="bi-display", label={"zh": "大屏", "en": "Big screen"}, title="城市运行态势 · 大屏")

DEFAULT_REGION = "330000"
DEFAULT_REFRESH_SECONDS = 60


def layout(theme: str = "overview", region: str = DEFAULT_REGION, refresh: str = str(DEFAULT_REFRESH_SECONDS),
           carousel: str | None = None, lang: str | None = None, **_query):
    lang = current_lang(lang)
    theme = theme if theme in bigscreen.THEMES else "overview"
    try:
        seconds = max(5, int(refresh))
    except ValueError:
        seconds = DEFAULT_REFRESH_SECONDS
    return html.Div([
        dcc.Location(id="screen-url", refresh="callback-nav"),
        dcc.Interval(id="screen-interval", interval=seconds * 1000),
        dcc.Store(id="screen-region", data=region),
        dcc.Store(id="screen-theme", data=theme),
        dcc.Store(id="screen-carousel-next", data=_carousel_href(theme, region, carousel)),
        dcc.Interval(id="screen-carousel", interval=_carousel_ms(carousel), disabled=_carousel_ms(carousel) == 0),
        html.Div(_content(theme, region, lang), id="screen-content"),
    ], className="bigscreen-viewport")


def _carousel_ms(carousel: str | None) -> int:
    try:
        return max(10, int(carousel)) * 1000 if carousel else 0
    except ValueError:
        return 0


def _carousel_href(theme: str, region: str, carousel: str | None) -> str | None:
    """The next themed screen of the rotation, keeping the region and the carousel setting."""
    if not _carousel_ms(carousel):
        return None
    keys = list(bigscreen.THEMES)
    following = keys[(keys.index(theme) + 1) % len(keys)]
    return f"/screen/{following}?region={region}&carousel={carousel}"


def _content(theme: str, region: str, lang: str):
    try:
        snap = current_snapshot()
        scope = bigscreen.scope_of(snap, region, lang)
    except NoSnapshot:
        return bigscreen.no_snapshot(lang)
    except KeyError:
        scope = bigscreen.scope_of(snap, DEFAULT_REGION, lang)
    return bigscreen.canvas(snap, scope, bigscreen.THEMES[theme], lang)


@callback(Output("screen-content", "children"), Input("screen-interval", "n_intervals"),
          State("screen-theme", "data"), State("screen-region", "data"), State("screen-snapshot", "data"),
          prevent_initial_call=True)
def _live(_n, theme: str, region: str, shown: str | None):
    """Redraw only when a new snapshot has been published: no flicker, no layout jump otherwise."""
    try:
        if current_snapshot().id == shown:
            return dash.no_update
    except NoSnapshot:
        return dash.no_update
    return _content(theme, region, current_lang())


@callback(Output("screen-url", "href"), Input("screen-index-graph", "clickData"), Input("screen-map-click", "data"),
          State("screen-theme", "data"), prevent_initial_call=True)
def _rescope(ranking_click, map_click, theme: str):
    """A city clicked on the ranking or the map: the whole screen re-scopes to it (back returns)."""
    trigger = dash.ctx.triggered_id
    code = ranking_click["points"][0]["customdata"] if trigger == "screen-index-graph" and ranking_click else map_click
    if not code:
        return dash.no_update
    try:  # leaders drill to cities and counties; below that the PC views take over
        if current_snapshot().region(code)["level"] not in ("province", "city", "county"):
            return dash.no_update
    except (NoSnapshot, KeyError):
        return dash.no_update
    return f"{bigscreen.screen_path(theme)}?region={code}"


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
