"""Dash renderers of a composite index's view models (`cockpit.views.index`): the peers ranked,
and one region taken apart.

The page creates the components it listens to (the ranking's graph) and places these around
them; element ids here are built from the `prefix` the page passes, so they are the page's too.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from cockpit.ui.charts import ranking_bars, score_bars
from cockpit.ui.format import format_value
from cockpit.ui.i18n import t
from cockpit.views.index import IndexDetail, Ranking

GRAPH_CONFIG = {"displayModeBar": False}


def _rank_move(rank: int | None, previous: int | None) -> html.Span:
    if rank is None or previous is None or rank == previous:
        return html.Span("—", className="change-flat")
    up = previous > rank
    return html.Span(f"{'▲' if up else '▼'}{abs(previous - rank)}", className="change-better" if up else "change-worse")


def ranking_figure(ranking: Ranking, lang: str) -> go.Figure:
    """The ranking as horizontal bars, best at the top, the region taken apart highlighted; each bar
    carries its region code (`customdata`), which a click reports."""
    frame = pd.DataFrame({"region": [r.region for r in ranking.rows], "name": [r.name for r in ranking.rows],
                          "value": [r.value for r in ranking.rows], "rank": [r.rank for r in ranking.rows]})
    return ranking_bars(frame, ranking.selected, ranking.unit, ranking.decimals, lang)


def ranking_table(ranking: Ranking, lang: str, table_id: str) -> dbc.Table:
    return dbc.Table([
        html.Thead(html.Tr([html.Th(t("index.col.rank", lang)), html.Th(t("index.col.region", lang)),
                            html.Th(t("index.col.score", lang), className="text-end"),
                            html.Th(t("index.col.move", lang), className="text-end")])),
        html.Tbody([html.Tr([
            html.Td(r.rank if r.rank is not None else "—"), html.Td(r.name),
            html.Td(format_value(r.value, ranking.unit, ranking.decimals, lang), className="text-end font-monospace"),
            html.Td(_rank_move(r.rank, r.previous_rank), className="text-end"),
        ], className="table-active" if r.region == ranking.selected else None) for r in ranking.rows]),
    ], size="sm", hover=True, className="mb-0 small", id=table_id)


def _score(score: float | None) -> str:
    return f"{score:.1f}" if score is not None else "—"


def detail_panel(detail: IndexDetail, lang: str, prefix: str) -> html.Div:
    """One region's index: score and rank, what moved it, its dimensions and their indicators."""
    score = format_value(detail.value, detail.unit, detail.decimals, lang)
    rank = f"{detail.rank} / {detail.peer_count}" if detail.rank is not None and detail.peer_count else "—"
    rows = []
    for dim in detail.dimensions:
        rows.append(html.Tr([
            html.Td(dim.name, className="fw-semibold"),
            html.Td(f"{dim.weight:.3f}", className="text-end font-monospace"),
            html.Td(_score(dim.score), className="text-end font-monospace"),
        ], className="table-light"))
        rows += [html.Tr([
            html.Td(part.name, className="ps-4"),
            html.Td(format_value(part.value, part.unit, part.decimals, lang), className="text-end font-monospace small"),
            html.Td(_score(part.score), className="text-end font-monospace small"),
        ]) for part in dim.parts]
    scores = pd.DataFrame({"score": [d.score for d in detail.dimensions], f"name_{lang}": [d.name for d in detail.dimensions]})
    return html.Div([
        html.Div([
            html.Div([html.Div(t("index.score", lang), className="kpi-label"),
                      html.Div(score, className="kpi-value", id=f"{prefix}-score")], className="me-4"),
            html.Div([html.Div(t("index.rank", lang), className="kpi-label"),
                      html.Div(rank, className="kpi-value", id=f"{prefix}-rank")]),
        ], className="d-flex mb-2"),
        dbc.Alert([html.I(className="bi bi-lightbulb me-2"), detail.explanation or t("index.no_previous", lang)],
                  color="light", className="py-2 small", id=f"{prefix}-explanation"),
        html.H6(t("index.dimensions", lang), className="mt-3"),
        dcc.Graph(figure=score_bars(scores, lang), config=GRAPH_CONFIG, id=f"{prefix}-dimensions"),
        html.H6(t("index.indicators", lang), className="mt-3"),
        dbc.Table([html.Thead(html.Tr([html.Th(t("index.col.indicator", lang)),
                                       html.Th(t("index.col.value", lang), className="text-end"),
                                       html.Th(t("index.col.score", lang), className="text-end")])),
                   html.Tbody(rows)], size="sm", className="small", id=f"{prefix}-indicators"),
    ])
