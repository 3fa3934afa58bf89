"""无废指数: the 11 cities ranked on the Waste-Free Index, and one city taken apart.

The choice (frequency, period, the city taken apart) lives in the shell's shared state, so the
address carries it: `/waste-free?frequency=year&period=2025&region=330600` opens that view. The
controls write the state (`_choose`) and the panels are drawn from it alone (`_render`).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import index_view, params, request
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.shell import STATE, read_state, snapshot_notice, with_state
from cockpit.views.index import choose_period, index_page

dash.register_page(__name__, path="/waste-free", name="无废指数", order=10, icon="bi-recycle",
                   label={"zh": "无废指数", "en": "Waste-Free Index"}, title="无废指数 · 城市数字驾驶舱")

INDEX = "waste_free_index"
FREQUENCIES = ("month", "year")
ID = "wfi"  # the page's element ids start with it
RANKING_GRAPH = f"{ID}-ranking-graph"  # a click on a bar takes that city apart


def layout(lang: str | None = None, frequency: str | None = None, period: str | None = None, **_query):
    lang = current_lang(params.one(lang))
    frequency = params.choice(frequency, FREQUENCIES, "month")
    try:
        reader = request.reader(lang)
        periods = reader.periods(INDEX, frequency)
    except (NoSnapshot, KeyError):
        return dbc.Alert(t("home.systems.none", lang), color="info", id=f"{ID}-page")
    return html.Div([
        snapshot_notice(reader.provenance(), lang),
        html.H2(t("index.title", lang), className="page-title"),
        html.P(t("index.lead", lang), className="text-muted"),
        dbc.Row([
            dbc.Col([dbc.Label(t("index.frequency", lang), className="small mb-0"),
                     dbc.RadioItems(id=f"{ID}-frequency", inline=True, value=frequency,
                                    options=[{"label": t(f"index.{f}", lang), "value": f} for f in FREQUENCIES])],
                    width="auto"),
            dbc.Col([dbc.Label(t("index.period", lang), className="small mb-0"),
                     dcc.Dropdown(id=f"{ID}-period", options=periods, value=choose_period(periods, params.one(period)),
                                  clearable=False, style={"width": "10rem"})], width="auto"),
        ], className="mb-3 g-4 align-items-end"),
        dbc.Row([
            dbc.Col(dbc.Card([dbc.CardHeader(t("index.ranking", lang), className="fw-bold"),
                              dbc.CardBody(id=f"{ID}-ranking")], className="family-card h-100"), lg=5),
            dbc.Col(dbc.Card([dbc.CardHeader(id=f"{ID}-detail-title", className="fw-bold"),
                              dbc.CardBody(id=f"{ID}-detail")], className="family-card h-100"), lg=7),
        ], className="g-3 mb-4"),
    ], id=f"{ID}-page")


@callback(Output(f"{ID}-period", "options"), Output(f"{ID}-period", "value"), Input(f"{ID}-frequency", "value"),
          prevent_initial_call=True)
def _periods(frequency: str):
    """Another frequency: its periods, the latest chosen (which `_choose_period` then writes to the state)."""
    try:
        periods = request.reader().periods(INDEX, params.choice(frequency, FREQUENCIES, "month"))
    except (NoSnapshot, KeyError):
        periods = []
    return periods, choose_period(periods, None)


@callback(Output(STATE, "data", allow_duplicate=True), Input(f"{ID}-period", "value"),
          State(f"{ID}-frequency", "value"), State(STATE, "data"), prevent_initial_call=True)
def _choose_period(period: str | None, frequency: str, state):
    """A period picked (or the latest of another frequency): the shared state takes it, and its
    frequency. The dropdown also reports the value it was drawn with: that is no new choice, and
    leaves the state (and the address) as they are."""
    period, frequency = params.one(period), params.choice(frequency, FREQUENCIES, "month")
    if (frequency, period) == _shown(read_state(state)):
        return dash.no_update
    return with_state(state, period=period, frequency=frequency)


def _shown(chosen) -> tuple[str, str | None]:
    """The frequency and period the panels draw for a state (no period chosen: the latest)."""
    frequency = params.choice(chosen.filters.get("frequency"), FREQUENCIES, "month")
    try:
        return frequency, choose_period(request.reader().periods(INDEX, frequency), chosen.period)
    except (NoSnapshot, KeyError):
        return frequency, None


@callback(Output(STATE, "data", allow_duplicate=True), Input(RANKING_GRAPH, "clickData"), State(STATE, "data"),
          prevent_initial_call=True)
def _choose_region(click, state):
    """A bar clicked: the shared state takes its city."""
    region = params.clicked_region(click)
    return with_state(state, region=region) if region else dash.no_update


@callback(Output(f"{ID}-ranking", "children"), Output(f"{ID}-detail", "children"),
          Output(f"{ID}-detail-title", "children"), Input(STATE, "data"))
def _render(state):
    """The ranking and the city taken apart, from the shared state alone (no period: the latest
    complete one; no city: the first)."""
    lang = current_lang()
    chosen = read_state(state)
    frequency = params.choice(chosen.filters.get("frequency"), FREQUENCIES, "month")
    try:
        view = index_page(request.reader(lang), INDEX, frequency, chosen.period, chosen.region)
    except (NoSnapshot, KeyError):
        view = None
    if view is None:  # a period or city the snapshot does not hold, or one outside the viewer's scope
        empty = dbc.Alert(t("index.no_values", lang), color="info")
        return empty, empty, ""
    ranking = html.Div([dcc.Graph(id=RANKING_GRAPH, figure=index_view.ranking_figure(view.ranking, lang),
                                  config=index_view.GRAPH_CONFIG),
                        index_view.ranking_table(view.ranking, lang, f"{RANKING_GRAPH}-table")])
    return (ranking, index_view.detail_panel(view.detail, lang, ID),
            t("index.detail", lang, name=view.detail.name))
