"""Views of a composite index (the Waste-Free Index): the peers ranked, and one region taken apart."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from cockpit.query.snapshot import Snapshot
from cockpit.ui.charts import ranking_bars, score_bars
from cockpit.ui.format import format_value
from cockpit.ui.i18n import in_language, t


def _rank_move(rank: float, previous: float) -> html.Span:
    if pd.isna(rank) or pd.isna(previous) or rank == previous:
        return html.Span("—", className="change-flat")
    up = previous > rank
    return html.Span(f"{'▲' if up else '▼'}{abs(int(previous - rank))}", className="change-better" if up else "change-worse")


def ranking_panel(snap: Snapshot, index: str, parent: str, frequency: str, period: str, selected: str | None,
                  lang: str, graph_id: str):
    meta = snap.indicator(index)
    ranking = in_language(snap.ranking(index, parent, frequency, period), lang)
    if ranking.empty:
        return dbc.Alert(t("index.no_values", lang), color="info")
    table = dbc.Table([
        html.Thead(html.Tr([html.Th(t("index.col.rank", lang)), html.Th(t("index.col.region", lang)),
                            html.Th(t("index.col.score", lang), className="text-end"),
                            html.Th(t("index.col.move", lang), className="text-end")])),
        html.Tbody([html.Tr([
            html.Td(int(r["rank"])), html.Td(r["name"]),
            html.Td(format_value(r["value"], meta["unit"], meta["decimals"], lang), className="text-end font-monospace"),
            html.Td(_rank_move(r["rank"], r["previous_rank"]), className="text-end"),
        ], className="table-active" if r["region"] == selected else None) for _, r in ranking.iterrows()]),
    ], size="sm", hover=True, className="mb-0 small", id=f"{graph_id}-table")
    figure = ranking_bars(ranking, selected, meta["unit"], meta["decimals"], lang)
    return html.Div([dcc.Graph(id=graph_id, figure=figure, config={"displayModeBar": False}), table])


def region_panel(snap: Snapshot, index: str, region: str, region_name: str, frequency: str, period: str, lang: str):
    """One region's index: score and rank, what moved it, its dimensions and their indicators."""
    meta = snap.indicator(index)
    dims = snap.children_values(index, region, frequency, period)
    if dims.empty:
        return dbc.Alert(t("index.no_values", lang), color="info")
    ranking = snap.ranking(index, snap.regions_parent(region), frequency, period)
    row = ranking[ranking["region"] == region]
    score = format_value(row["value"].iloc[0], meta["unit"], meta["decimals"], lang) if len(row) else "—"
    rank = f"{int(row['rank'].iloc[0])} / {int(row['peer_count'].iloc[0])}" if len(row) else "—"
    why = snap.explanation(index, region, frequency, period)
    sentence = why[f"text_{lang}"] if why else t("index.no_previous", lang)
    detail_rows = []
    for _, dim in dims.iterrows():
        detail_rows.append(html.Tr([
            html.Td(dim[f"name_{lang}"], className="fw-semibold"),
            html.Td(f"{dim['weight']:.3f}", className="text-end font-monospace"),
            html.Td(f"{dim['score']:.1f}" if pd.notna(dim["score"]) else "—", className="text-end font-monospace"),
        ], className="table-light"))
        for _, leaf in snap.children_values(dim["child"], region, frequency, period).iterrows():
            detail_rows.append(html.Tr([
                html.Td(leaf[f"name_{lang}"], className="ps-4"),
                html.Td(format_value(leaf["child_value"], leaf["unit"], leaf["decimals"], lang),
                        className="text-end font-monospace small"),
                html.Td(f"{leaf['score']:.1f}" if pd.notna(leaf["score"]) else "—",
                        className="text-end font-monospace small"),
            ]))
    return html.Div([
        html.Div([
            html.Div([html.Div(t("index.score", lang), className="kpi-label"),
                      html.Div(score, className="kpi-value", id="wfi-score")], className="me-4"),
            html.Div([html.Div(t("index.rank", lang), className="kpi-label"),
                      html.Div(rank, className="kpi-value", id="wfi-rank")]),
        ], className="d-flex mb-2"),
        dbc.Alert([html.I(className="bi bi-lightbulb me-2"), sentence], color="light", className="py-2 small",
                  id="wfi-explanation"),
        html.H6(t("index.dimensions", lang), className="mt-3"),
        dcc.Graph(figure=score_bars(dims, lang), config={"displayModeBar": False}, id="wfi-dimensions"),
        html.H6(t("index.indicators", lang), className="mt-3"),
        dbc.Table([html.Thead(html.Tr([html.Th(t("index.col.indicator", lang)),
                                       html.Th(t("index.col.value", lang), className="text-end"),
                                       html.Th(t("index.col.score", lang), className="text-end")])),
                   html.Tbody(detail_rows)], size="sm", className="small", id="wfi-indicators"),
    ])
