"""无废指数: the 11 cities ranked on the Waste-Free Index, and one city taken apart."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from cockpit.query.snapshot import NoSnapshot, current_snapshot
from cockpit.ui import params
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.index_view import ranking_panel, region_panel
from cockpit.ui.shell import snapshot_notice

dash.register_page(__name__, path="/waste-free", name="无废指数", order=10, icon="bi-recycle",
                   label={"zh": "无废指数", "en": "Waste-Free Index"}, title="无废指数 · 城市数字驾驶舱")

INDEX = "waste_free_index"
SCOPE = "330000"  # the province: its cities are the peers
FREQUENCIES = ("month", "year")


def layout(lang: str | None = None, frequency: str = "month", **_query):
    lang = current_lang(params.one(lang))
    frequency = params.choice(frequency, FREQUENCIES, "month")
    try:
        snap = current_snapshot()
        periods = snap.periods(INDEX, frequency)
    except (NoSnapshot, KeyError):
        return dbc.Alert(t("home.systems.none", lang), color="info", id="wfi-page")
    leader = snap.ranking(INDEX, SCOPE, frequency, periods[0] if periods else None)
    return html.Div([
        snapshot_notice(snap, lang),
        html.H2(t("index.title", lang), className="page-title"),
        html.P(t("index.lead", lang), className="text-muted"),
        dbc.Row([
            dbc.Col([dbc.Label(t("index.frequency", lang), className="small mb-0"),
                     dbc.RadioItems(id="wfi-frequency", inline=True, value=frequency,
                                    options=[{"label": t("index.month", lang), "value": "month"},
                                             {"label": t("index.year", lang), "value": "year"}])], width="auto"),
            dbc.Col([dbc.Label(t("index.period", lang), className="small mb-0"),
                     dcc.Dropdown(id="wfi-period", options=periods, value=periods[0] if periods else None,
                                  clearable=False, style={"width": "10rem"})], width="auto"),
        ], className="mb-3 g-4 align-items-end"),
        dcc.Store(id="wfi-selected", data=leader["region"].iloc[0] if len(leader) else None),
        dbc.Row([
            dbc.Col(dbc.Card([dbc.CardHeader(t("index.ranking", lang), className="fw-bold"),
                              dbc.CardBody(id="wfi-ranking")], className="family-card h-100"), lg=5),
            dbc.Col(dbc.Card([dbc.CardHeader(id="wfi-detail-title", className="fw-bold"),
                              dbc.CardBody(id="wfi-detail")], className="family-card h-100"), lg=7),
        ], className="g-3 mb-4"),
    ], id="wfi-page")


@callback(Output("wfi-period", "options"), Output("wfi-period", "value"), Input("wfi-frequency", "value"),
          prevent_initial_call=True)
def _periods(frequency: str):
    try:
        periods = current_snapshot().periods(INDEX, params.choice(frequency, FREQUENCIES, "month"))
    except NoSnapshot:
        periods = []
    return periods, periods[0] if periods else None


@callback(Output("wfi-selected", "data"), Input("wfi-ranking-graph", "clickData"), prevent_initial_call=True)
def _select(click):
    return params.clicked_region(click) or dash.no_update


@callback(Output("wfi-ranking", "children"), Output("wfi-detail", "children"), Output("wfi-detail-title", "children"),
          Input("wfi-period", "value"), Input("wfi-selected", "data"), State("wfi-frequency", "value"))
def _render(period: str | None, selected: str | None, frequency: str):
    lang = current_lang()
    frequency = params.choice(frequency, FREQUENCIES, "month")
    try:
        snap = current_snapshot()
        known = params.one(period) in snap.periods(INDEX, frequency)
        selected = params.region_code(selected)
        name = snap.region(selected)["name_en" if lang == "en" else "name"] if known and selected else None
    except (NoSnapshot, KeyError):
        name = None
    if name is None:  # nothing chosen yet, or a period or city the snapshot does not hold
        empty = dbc.Alert(t("index.no_values", lang), color="info")
        return empty, empty, ""
    return (ranking_panel(snap, INDEX, SCOPE, frequency, period, selected, lang, "wfi-ranking-graph"),
            region_panel(snap, INDEX, selected, name, frequency, period, lang),
            t("index.detail", lang, name=name))
