"""Dash renderers of a composite index's view models (`cockpit.views.index`): the peers ranked,
and one region taken apart.

The page creates the components it listens to (the ranking's graph) and places these around
them; element ids here are built from the `prefix` the page passes, so they are the page's too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from cockpit.ui.charts import (
    BLUE,
    FONT,
    GRIDLINE,
    HIGHLIGHT,
    LINE_COLOURS,
    MUTED,
    NAVY,
    figure,
    ranking_bars,
    score_bars,
)
from cockpit.ui.format import format_value
from cockpit.ui.i18n import t
from cockpit.ui.theme import rgba
from cockpit.views.index import Explained, Heatmap, IndexDetail, Radar, RankHistory, Ranking

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


def detail_panel(detail: IndexDetail, lang: str, prefix: str, open_indicators: bool = True) -> html.Div:
    """One region's index: score and rank, what moved it, its dimensions and their indicators
    (folded away unless `open_indicators`)."""
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
        html.Details([html.Summary(t("index.indicators", lang), className="h6 mt-3"), dbc.Table([html.Thead(html.Tr([html.Th(t("index.col.indicator", lang)),
                                       html.Th(t("index.col.value", lang), className="text-end"),
                                       html.Th(t("index.col.score", lang), className="text-end")])),
                   html.Tbody(rows)], size="sm", className="small", id=f"{prefix}-indicators")],
            open=open_indicators),
    ])


# -- the Waste-Free page on the workbench ------------------------------------------------------

HEAT_BANDS = (("s5", 90), ("s4", 80), ("s3", 70), ("s2", 60))  # a heat cell's class: the score it needs at least


def score_tone(score: float | None) -> str:
    """A heat cell's class by HEAT_BANDS: strong (≥ 90) down to weak (≥ 60), weakest (s1) below."""
    if score is None:
        return "none"
    return next((tone for tone, low in HEAT_BANDS if score >= low), "s1")

# The cells' colours: the theme's better (green) for strengths, worse (red) for weaknesses.
HEAT_STYLE = {
    "s5": {"backgroundColor": "rgba(var(--cockpit-better-rgb), 0.55)"},
    "s4": {"backgroundColor": "rgba(var(--cockpit-better-rgb), 0.25)"},
    "s3": {"backgroundColor": "var(--cockpit-card)"},
    "s2": {"backgroundColor": "rgba(var(--cockpit-worse-rgb), 0.22)"},
    "s1": {"backgroundColor": "rgba(var(--cockpit-worse-rgb), 0.5)"},
    "none": {"backgroundColor": "var(--cockpit-gridline)", "color": "var(--cockpit-meta)"},
}
HEAT_LEGEND = ((HEAT_BANDS[0][0], f"≥{HEAT_BANDS[0][1]}"),
               *((tone, f"{low}–{up}") for (tone, low), (_, up) in zip(HEAT_BANDS[1:], HEAT_BANDS, strict=False)),
               ("s1", f"<{HEAT_BANDS[-1][1]}"))


def heatmap_table(heatmap: Heatmap, selected: str | None, dimension: str | None, lang: str, *,
                  region_href: Callable[[str], str], dimension_href: Callable[[str | None], str],
                  table_id: str) -> html.Div:
    """Regions × indicators as a table of coloured scores: a dimension's header filters the page by
    it (again: clears it), a region's name drills into it; each cell says its value on hover."""
    spans: list[tuple[str, str, int]] = []
    for col in heatmap.columns:
        if spans and spans[-1][0] == col.dimension:
            spans[-1] = (col.dimension, col.dimension_name, spans[-1][2] + 1)
        else:
            spans.append((col.dimension, col.dimension_name, 1))
    top = [html.Th(t("wf.col.region", lang), rowSpan=2, className="wf-heat-region")]
    for dim, name, n in spans:
        chosen = dim == dimension
        top.append(html.Th(dcc.Link(name, href=dimension_href(None if chosen else dim),
                                    className="wf-heat-dim" + (" fw-bold" if chosen else "")),
                           colSpan=n, className="text-center wf-heat-dimhead", **{"data-dimension": dim}))
    upright = len(heatmap.columns) > 9  # many narrow columns: their names run top to bottom
    name_style = {"writingMode": "vertical-rl", "maxHeight": "11em", "overflow": "hidden", "whiteSpace": "nowrap",
                  "textOverflow": "ellipsis", "fontSize": "11px", "fontWeight": "normal", "display": "inline-block"} \
        if upright else {"fontSize": "12px", "fontWeight": "normal"}
    second = [html.Th(html.Span(c.name, className="wf-heat-name", title=c.name, style=name_style),
                      className="text-center align-bottom") for c in heatmap.columns]
    body = []
    for row in heatmap.rows:
        cells = [html.Td([html.Span(f"{row.rank}. " if row.rank is not None else "", className="text-muted"),
                          dcc.Link(row.name, href=region_href(row.region), className="wb-drill")],
                         className="wf-heat-region text-nowrap")]
        for col, score, value in zip(heatmap.columns, row.scores, row.values, strict=True):
            tone = score_tone(score)
            tip = f"{row.name} · {col.name}: {format_value(value, col.unit, col.decimals, lang)}" + \
                (f" · {t('index.col.score', lang)} {score:.1f}" if score is not None else f" · {t('wf.heatmap.none', lang)}")
            cells.append(html.Td(f"{score:.0f}" if score is not None else "–", title=tip,
                                 className=f"text-center font-monospace wf-heat-{tone}", style=HEAT_STYLE[tone]))
        body.append(html.Tr(cells, className="table-active" if row.region == selected else None,
                            **{"data-region": row.region}))
    legend = html.Div([html.Span(t("wf.legend", lang), className="me-2")] + [
        html.Span(label, className="px-2 me-1 small font-monospace", style=HEAT_STYLE[tone]) for tone, label in HEAT_LEGEND],
        className="small text-muted mt-2")
    return html.Div([
        html.Div(dbc.Table([html.Thead([html.Tr(top), html.Tr(second)]), html.Tbody(body)],
                           size="sm", bordered=True, className="mb-0 small wf-heatmap", id=table_id),
                 style={"overflowX": "auto"}),
        legend,
    ])


def radar_figure(radar: Radar, lang: str, dimension: str | None = None) -> go.Figure:
    """The region's nine dimension scores (filled) against its peers' mean (dashed); a click on a
    dimension filters the page by it."""
    names = list(radar.names) + [radar.names[0]]
    custom = [f"filter:dimension:{d}" for d in radar.dimensions]
    custom.append(custom[0])
    traces = []
    if any(v is not None for v in radar.average):
        avg = list(radar.average) + [radar.average[0]]
        traces.append(go.Scatterpolar(
            r=avg, theta=names, name=t("wf.radar.average", lang, n=radar.peer_count), mode="lines+markers",
            line={"color": MUTED, "dash": "dash", "width": 2}, marker={"size": 5}, customdata=custom,
            hovertemplate="%{theta}: %{r:.1f}<extra>" + t("wf.radar.average", lang, n=radar.peer_count) + "</extra>"))
    own = list(radar.scores) + [radar.scores[0]]
    sizes = [11 if d == dimension else 7 for d in radar.dimensions]
    traces.append(go.Scatterpolar(
        r=own, theta=names, name=radar.name, mode="lines+markers", fill="toself",
        fillcolor=rgba("blue", 0.15), line={"color": BLUE, "width": 2},
        marker={"size": sizes + [sizes[0]], "color": [HIGHLIGHT if d == dimension else BLUE for d in radar.dimensions]
                + [HIGHLIGHT if radar.dimensions[0] == dimension else BLUE]},
        customdata=custom, hovertemplate="%{theta}: %{r:.1f}<extra>" + radar.name + "</extra>"))
    return figure(
        traces, 340, margin={"l": 56, "r": 56, "t": 24, "b": 24}, font={"family": FONT, "size": 12}, showlegend=True, legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"},
        polar={"radialaxis": {"range": [0, 100], "tickvals": [60, 80, 100], "gridcolor": GRIDLINE, "showticklabels": False},
               "angularaxis": {"gridcolor": GRIDLINE, "tickfont": {"size": 11}, "rotation": 90, "direction": "clockwise"},
               "bgcolor": "white"})


def history_figure(history: RankHistory, selected: str | None, lang: str) -> go.Figure:
    """Ranks over periods, first at the top; the region taken apart drawn bold, the others thin,
    each named at its last point; a click on a line drills into that region."""
    traces = []
    ordered = sorted(history.lines, key=lambda line: line.region == selected)  # the selected on top
    alone = not any(line.region == selected for line in history.lines)  # none stands out: each its colour
    for i_line, line in enumerate(ordered):
        chosen = line.region == selected
        tint = LINE_COLOURS[i_line % len(LINE_COLOURS)] if alone else HIGHLIGHT if chosen else MUTED
        last = max((i for i, r in enumerate(line.ranks) if r is not None), default=None)
        traces.append(go.Scatter(
            x=list(history.periods), y=list(line.ranks), name=line.name, mode="lines+markers+text",
            line={"color": tint, "width": 3 if chosen else 2 if alone else 1.5},
            marker={"size": 6 if chosen else 4, "color": tint},
            text=[line.name if i == last else "" for i in range(len(line.ranks))], textposition="middle right",
            textfont={"size": 11, "color": NAVY if chosen or alone else MUTED},
            customdata=[f"region:{line.region}"] * len(line.ranks), cliponaxis=False,
            hovertemplate="%{x} " + line.name + ": " + t("wf.history.axis", lang) + " %{y}<extra></extra>"))
    n = max(history.peer_count, 1)
    step = max(1, -(-len(history.periods) // 4))  # four labels at most: periods are 7 characters wide
    ticks = list(history.periods)[::-1][::step][::-1]
    return figure(traces, max(300, 24 * n + 60), margin={"l": 8, "r": 88, "t": 8, "b": 8},
                  font={"family": FONT, "size": 12},
                  yaxis={"autorange": False, "range": [n + 0.5, 0.5], "tickvals": list(range(1, n + 1)),
                         "showgrid": True, "gridcolor": GRIDLINE, "zeroline": False,
                         "title": {"text": t("wf.history.axis", lang), "font": {"size": 11}}},
                  xaxis={"type": "category", "showgrid": False, "tickangle": 0, "tickvals": ticks, "ticktext": ticks})


def explained_list(explained: Sequence[Explained], selected: str | None, unit: str, decimals: int, lang: str, *,
                   region_href: Callable[[str], str], list_id: str) -> html.Ul:
    """Each region's sentence on what moved its score, in rank order; names drill into the region."""
    items = []
    for e in explained:
        items.append(html.Li([
            html.Span(f"{e.rank}" if e.rank is not None else "—", className="badge bg-light text-dark me-2 font-monospace"),
            dcc.Link(e.name, href=region_href(e.region), className="wb-drill fw-semibold me-2"),
            html.Span(format_value(e.value, unit, decimals, lang), className="font-monospace me-2"),
            _rank_move(e.rank, e.previous_rank),
            html.Div(e.text or t("wf.explained.none", lang), className="small text-muted"),
        ], className="list-group-item py-1" + (" active-soft" if e.region == selected else ""),
            style={"backgroundColor": rgba("highlight", 0.12)} if e.region == selected else None,
            **{"data-region": e.region}))
    return html.Ul(items, className="list-group list-group-flush small", id=list_id,
                   style={"maxHeight": "560px", "overflowY": "auto"})


def sized_graph(panel: str, figure: go.Figure):
    """`go_graph` at the figure's own height (a graph without a style height fails in dcc.Graph)."""
    from cockpit.ui.workbench import go_graph

    return go_graph(panel, figure, height=int(figure.layout.height or 300))
