"""Dash renderers of 经济运行's view models (`cockpit.views.economy`): the year-to-date table, the
trend, the children ranked and their map, inside the workbench frame."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from cockpit.ui.charts import BLUE, FONT, GRIDLINE, figure, ranking_bars
from cockpit.ui.deckmap import region_map
from cockpit.ui.format import format_value
from cockpit.ui.i18n import t
from cockpit.ui.theme import colour
from cockpit.ui.workbench import (
    MAP_ID,
    coverage_alert,
    go_graph,
    headline_cards,
    panel,
    workbench_page,
)
from cockpit.views.economy import SPEC, ChildRanking, EconomyPage, TrendView, YtdCell, YtdTable

LINE_COLOURS = ("blue", "highlight", "teal", "indigo")
PAGE_ID = "economy-page"


def _cell(cell: YtdCell | None, lang: str, growth: bool = False) -> object:
    if cell is None:
        return html.Span(t("economy.ytd.not_published", lang), className="text-muted small")
    text = format_value(cell.value, cell.unit, cell.decimals, lang)
    if growth and cell.value is not None:
        tone = "good" if cell.value > 0 else "bad" if cell.value < 0 else "neutral"
        return html.Span(text, className=f"wb-tone-{tone}")
    if cell.records and cell.value is not None:
        return dcc.Link(text, href=cell.records, className="wb-records-link", title=t("wb.records.open", lang))
    return text


def ytd_panel(table: YtdTable, lang: str) -> dbc.Card:
    freq = table.frequency
    head = html.Thead(html.Tr([html.Th(t("economy.ytd.name", lang)),
                               html.Th(t(f"economy.ytd.current.{freq}", lang), className="text-end"),
                               *([html.Th(t("economy.ytd.total", lang), className="text-end")]
                                 if any(r.total is not None for r in table.rows) else []),
                               html.Th(t(f"economy.ytd.growth.{freq}", lang), className="text-end")]))
    with_total = any(r.total is not None for r in table.rows)
    body = []
    for row in table.rows:
        cells = [html.Td(dcc.Link(row.name, href=row.growth.link, className="wb-drill")),
                 html.Td(_cell(row.current, lang), className="text-end")]
        if with_total:
            cells.append(html.Td(_cell(row.total, lang), className="text-end"))
        cells.append(html.Td(_cell(row.growth, lang, growth=True), className="text-end"))
        body.append(html.Tr(cells, **{"data-indicator": row.growth.indicator}))
    grid = dbc.Table([head, html.Tbody(body)], className="wb-table mb-0", size="sm", hover=True, id="economy-ytd-table")
    return panel(t("economy.ytd.title", lang, label=table.label or "—"), grid, panel_id="economy-ytd",
                 footer=t("economy.ytd.footer", lang))


def trend_figure(view: TrendView, lang: str, height: int = 280) -> go.Figure:
    """Lines (months, quarters) or bars (years) of the trend, one colour a series, with a legend."""
    traces = []
    for i, line in enumerate(view.lines):
        texts = [format_value(v, view.unit, view.decimals, lang) for v in line.values]
        custom = [f"href:/indicator/{line.indicator}"] * len(line.periods)
        if view.frequency == "year":
            traces.append(go.Bar(x=list(line.periods), y=list(line.values), name=line.name, text=texts,
                                 textposition="outside", cliponaxis=False, marker_color=BLUE, customdata=custom,
                                 hovertemplate="%{x}: %{text}<extra>" + line.name + "</extra>"))
        else:
            traces.append(go.Scatter(x=list(line.periods), y=list(line.values), name=line.name, mode="lines+markers",
                                     line={"color": colour(LINE_COLOURS[i % len(LINE_COLOURS)]), "width": 2},
                                     marker={"size": 5}, text=texts, customdata=custom,
                                     hovertemplate="%{x}: %{text}<extra>" + line.name + "</extra>"))
    return figure(traces, height, margin={"l": 8, "r": 16, "t": 8, "b": 8}, font={"family": FONT, "size": 12},
                  showlegend=len(view.lines) > 1, legend={"orientation": "h", "y": -0.22, "x": 0}, hovermode="closest",
                  xaxis={"type": "category", "showgrid": False, "automargin": True,
                         "tickangle": -45 if view.frequency == "month" else 0},
                  yaxis={"showgrid": True, "gridcolor": GRIDLINE, "zeroline": True, "zerolinecolor": GRIDLINE,
                         "automargin": True, "ticksuffix": "%" if view.unit == "%" else ""})


def trend_panel(view: TrendView, lang: str) -> dbc.Card:
    title = t(f"economy.trend.title.{view.frequency}", lang)
    if not view.lines:
        return panel(title, dbc.Alert(t("economy.trend.empty", lang), color="light", className="mb-0"),
                     panel_id="economy-trend")
    return panel(title, go_graph("economy-trend", trend_figure(view, lang), height=280), panel_id="economy-trend",
                 footer=t("economy.trend.combined", lang) if view.combined_note else None)


def ranking_panel(ranking: ChildRanking, lang: str) -> dbc.Card:
    title = t("economy.ranking.title", lang, level=ranking.level_name or "", name=ranking.name,
              period=ranking.period or "—")
    if not ranking.rows:
        return panel(title, dbc.Alert(t("economy.ranking.none", lang, level=ranking.level_name or ""),
                                      color="light", className="mb-0", id="economy-ranking-none"),
                     panel_id="economy-ranking")
    frame = pd.DataFrame({"region": [r.code for r in ranking.rows], "name": [r.name for r in ranking.rows],
                          "value": [r.value for r in ranking.rows],
                          "rank": [r.rank if r.rank is not None else i + 1 for i, r in enumerate(ranking.rows)]})
    figure = ranking_bars(frame, None, ranking.unit, ranking.decimals, lang)
    figure.update_traces(customdata=[f"region:{c}" for c in frame.sort_values("rank", ascending=False)["region"]],
                         marker_color=BLUE)
    links = dcc.Link(t("economy.ranking.records", lang), href=ranking.records, className="small") \
        if ranking.records else None
    # the height always given: go_graph without one passes style=None, which dcc.Graph reads as null
    return panel(title, go_graph("economy-ranking", figure, height=int(figure.layout.height)),
                 panel_id="economy-ranking", links=links,
                 footer=t("economy.ranking.hint", lang))


def map_panel(ranking: ChildRanking, lang: str) -> dbc.Card | None:
    if not ranking.rows or not ranking.geometry:
        return None
    themap = region_map(MAP_ID, ranking.geometry, ranking.values, unit=ranking.unit, label=ranking.name, lang=lang,
                        decimals=ranking.decimals, height=max(360, 34 * len(ranking.rows) + 40), notice=ranking.notice)
    return panel(t("economy.map.title", lang, name=ranking.name), themap, panel_id="economy-map",
                 footer=t("economy.map.hint", lang))


def economy_body(page: EconomyPage, lang: str) -> html.Div:
    f = page.frame
    if f.coverage is not None:
        return html.Div(coverage_alert(f.coverage, SPEC, f.query, lang), id="economy-body")
    notices = [dbc.Alert(t("economy.january", lang), color="info", className="py-2 small", id="economy-january")] \
        if f.january_alone else []
    map_card = map_panel(page.ranking, lang)
    return html.Div([
        *notices,
        headline_cards(page.headlines, lang),
        dbc.Row([dbc.Col(ytd_panel(page.ytd, lang), lg=6), dbc.Col(trend_panel(page.trend, lang), lg=6)],
                className="g-3 mb-3"),
        dbc.Row([dbc.Col(ranking_panel(page.ranking, lang), lg=6 if map_card else 12),
                 *([dbc.Col(map_card, lg=6)] if map_card else [])], className="g-3 mb-3"),
    ], id="economy-body")


def economy_layout(page: EconomyPage, lang: str) -> html.Div:
    f = page.frame
    return workbench_page(SPEC, f.query, f.place, f.period, lang, title=t("economy.title", lang),
                          lead=t("economy.lead", lang), body=economy_body(page, lang), page_id=PAGE_ID)

