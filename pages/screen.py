"""大屏: the leaders' big screen, `/screen?region=330600`; clicking a city re-scopes the whole screen."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from cockpit.query.snapshot import NoSnapshot, current_snapshot
from cockpit.ui import bigscreen
from cockpit.ui.i18n import current_lang, t

dash.register_page(__name__, path="/screen", name="大屏", order=5, icon="bi-display",
                   label={"zh": "大屏", "en": "Big screen"}, title="城市运行态势 · 大屏")

DEFAULT_REGION = "330000"
DEFAULT_REFRESH_SECONDS = 60


def layout(region: str = DEFAULT_REGION, refresh: str = str(DEFAULT_REFRESH_SECONDS), lang: str | None = None,
           **_query):
    lang = current_lang(lang)
    try:
        seconds = max(5, int(refresh))
    except ValueError:
        seconds = DEFAULT_REFRESH_SECONDS
    return html.Div([
        dcc.Location(id="screen-url", refresh="callback-nav"),
        dcc.Interval(id="screen-interval", interval=seconds * 1000),
        dcc.Store(id="screen-region", data=region),
        html.Div(_content(region, lang), id="screen-content"),
    ], className="bigscreen-viewport")


def _content(region: str, lang: str):
    try:
        snap = current_snapshot()
        scope = bigscreen.scope_of(snap, region)
    except NoSnapshot:
        return bigscreen.no_snapshot(lang)
    except KeyError:
        scope = bigscreen.scope_of(snap, DEFAULT_REGION)
    return bigscreen.canvas(snap, scope, t("screen.theme.overview", lang), lang, bigscreen.map_panel(snap, scope, lang))


@callback(Output("screen-content", "children"), Input("screen-interval", "n_intervals"),
          State("screen-region", "data"), State("screen-snapshot", "data"), prevent_initial_call=True)
def _live(_n, region: str, shown: str | None):
    """Redraw only when a new snapshot has been published: no flicker, no layout jump otherwise."""
    try:
        if current_snapshot().id == shown:
            return dash.no_update
    except NoSnapshot:
        return dash.no_update
    return _content(region, current_lang())


@callback(Output("screen-url", "href"), Input("screen-index-graph", "clickData"), Input("screen-map-click", "data"),
          prevent_initial_call=True)
def _rescope(ranking_click, map_click):
    """A city clicked on the ranking or the map: the whole screen re-scopes to it (back returns)."""
    trigger = dash.ctx.triggered_id
    code = ranking_click["points"][0]["customdata"] if trigger == "screen-index-graph" and ranking_click else map_click
    return f"/screen?region={code}" if code else dash.no_update
