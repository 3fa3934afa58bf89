"""Dash renderers of 生态环境's view models (`cockpit.views.environment`): trends against their
targets, the children side by side, the stations with their latest readings, the river sections
by grade and the waste on transfer manifests, inside the workbench frame."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from cockpit.ui.charts import BLUE, FONT, GRIDLINE
from cockpit.ui.format import format_number, format_value
from cockpit.ui.i18n import t
from cockpit.ui.theme import colour
from cockpit.ui.workbench import coverage_alert, go_graph, headline_cards, panel, workbench_page
from cockpit.views.environment import (
    GOOD_GRADES,
    READING_HOURS,
    SPEC,
    ChildTable,
    EnvironmentPage,
    Manifests,
    Sections,
    Stations,
    TrendView,
)

PAGE_ID = "environment-page"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 8, "r": 24, "t": 8, "b": 8}, font={"family": FONT, "size": 12},
                      plot_bgcolor="white", paper_bgcolor="white", showlegend=False, bargap=0.3)
    return fig


def trend_figure(view: TrendView, lang: str, height: int = 220) -> go.Figure:
    """One indicator over its periods, the target as a dashed line; points missing the target in the 'worse' colour."""
    texts = [format_value(v, view.unit, view.decimals, lang) for v in view.values]
    colours = []
    for v in view.values:
        missed = view.target is not None and v is not None and (
            v < view.target if view.indicator != "pm25_mean" else v > view.target)
        colours.append(colour("worse") if missed else BLUE)
    fig = go.Figure(go.Scatter(x=list(view.periods), y=list(view.values), mode="lines+markers", text=texts,
                               line={"color": BLUE, "width": 2}, marker={"size": 6, "color": colours},
                               customdata=[f"href:{view.link}"] * len(view.periods),
                               hovertemplate="%{x}: %{text}<extra></extra>"))
    if view.target is not None:
        fig.add_hline(y=view.target, line={"color": colour("highlight"), "dash": "dash", "width": 1.5},
                      annotation_text=t("environment.trend.target", lang,
                                        value=format_value(view.target, view.unit, view.decimals, lang)),
                      annotation_position="bottom right", annotation_font={"size": 11, "color": colour("label")})
    fig.update_xaxes(type="category", showgrid=False, automargin=True, tickangle=0, nticks=5)
    fig.update_yaxes(showgrid=True, gridcolor=GRIDLINE, zeroline=False, automargin=True,
                     ticksuffix="%" if view.unit == "%" else "")
    return _layout(fig, height)


def trend_panels(trends: tuple[TrendView, ...], lang: str) -> dbc.Row:
    cols = [dbc.Col(panel(view.name, go_graph(f"environment-trend-{view.indicator}", trend_figure(view, lang),
                                              height=220),
                          panel_id=f"environment-trend-{view.indicator}",
                          footer=t("environment.trend.footer", lang) if view.target is not None else None),
                    lg=12 // max(len(trends), 1))
            for view in trends]
    return dbc.Row(cols, className="g-3 mb-3")


def children_panel(table: ChildTable, lang: str) -> dbc.Card | None:
    if not table.rows:
        return None
    head = [html.Th(t("environment.children.name", lang))]
    for col in table.columns:
        label = col.name if col.target is None else t("environment.children.target", lang, name=col.name,
                                                       value=format_value(col.target, col.unit, col.decimals, lang))
        head.append(html.Th(label, className="text-end"))
    body = []
    for row in table.rows:
        cells = [html.Td(dcc.Link(row.name, href=row.href, className="wb-drill"))]
        for col, value, meets in zip(table.columns, row.values, row.meets, strict=True):
            text = format_value(value, col.unit, col.decimals, lang)
            cells.append(html.Td(text, className="text-end" + (" wb-tone-bad" if meets is False else "")))
        body.append(html.Tr(cells, **{"data-region": row.code}))
    grid = dbc.Table([html.Thead(html.Tr(head)), html.Tbody(body)], className="wb-table mb-0", size="sm", hover=True,
                     id="environment-children-table", responsive=True)
    return panel(t("environment.children.title", lang, level=table.level_name or "", period=table.period or "—"),
                 grid, panel_id="environment-children",
                 footer=t("environment.children.footer", lang, level=table.level_name or ""))


def stations_panel(found: Stations, lang: str) -> dbc.Card:
    title = t("environment.stations.title", lang, n=found.total)
    if not found.rows:
        return panel(title, dbc.Alert(t("environment.stations.none", lang), color="light", className="mb-0"),
                     panel_id="environment-stations")
    head = html.Thead(html.Tr([html.Th(t("environment.stations.name", lang)),
                               html.Th(t("environment.stations.class", lang)),
                               html.Th(t("environment.stations.county", lang)),
                               html.Th("AQI", className="text-end"), html.Th("PM2.5", className="text-end"),
                               html.Th("O₃", className="text-end"), html.Th(t("environment.stations.hour", lang))]))
    body = []
    for s in found.rows:
        if s.aqi is None:
            aqi = html.Span(t("environment.stations.silent", lang, hours=READING_HOURS), className="text-muted small")
        else:
            aqi = dcc.Link(format_number(s.aqi, 0, lang), href=s.records, className="wb-records-link",
                           title=t("wb.records.open", lang))
        tone = " wb-tone-bad" if s.aqi is not None and s.aqi > 100 else ""
        body.append(html.Tr([html.Td(s.name), html.Td(s.station_class), html.Td(s.county),
                             html.Td(aqi, className="text-end" + tone),
                             html.Td(format_number(s.pm25, 0, lang), className="text-end"),
                             html.Td(format_number(s.o3, 0, lang), className="text-end"),
                             html.Td(s.reading_at.strftime("%m-%d %H:%M") if s.reading_at is not None else "—",
                                     className="text-muted small")],
                            **{"data-station": s.station_id}))
    grid = html.Div(dbc.Table([head, html.Tbody(body)], className="wb-table mb-0", size="sm", hover=True,
                              id="environment-stations-table"), className="wb-scroll", style={"maxHeight": "340px",
                                                                                            "overflowY": "auto"})
    latest = found.latest_hour.strftime("%Y-%m-%d %H:%M") if found.latest_hour is not None else "—"
    return panel(title, grid, panel_id="environment-stations",
                 links=html.Span(t("environment.stations.latest", lang, time=latest), className="small text-muted"),
                 footer=t("environment.stations.footer", lang))


def grade_figure(found: Sections, lang: str, height: int = 200) -> go.Figure:
    grades = list(found.grades)
    fig = go.Figure(go.Bar(
        x=[g.grade for g in grades], y=[g.sections for g in grades],
        marker_color=[BLUE if g.grade in GOOD_GRADES else colour("worse") for g in grades],
        text=[str(g.sections) for g in grades], textposition="outside", cliponaxis=False,
        customdata=[f"href:{g.records}" for g in grades],
        hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_xaxes(type="category", showgrid=False)
    fig.update_yaxes(showgrid=True, gridcolor=GRIDLINE, zeroline=False, rangemode="tozero", dtick=1 if max(
        (g.sections for g in grades), default=0) <= 8 else None, title={"text": t("environment.sections.count", lang)})
    return _layout(fig, height)


def sections_panel(found: Sections, lang: str) -> dbc.Card:
    title = t("environment.sections.title", lang, month=found.month or "—")
    if not found.rows:
        return panel(title, dbc.Alert(t("environment.sections.none", lang), color="light", className="mb-0"),
                     panel_id="environment-sections")
    good = sum(g.sections for g in found.grades if g.grade in GOOD_GRADES)
    total = sum(g.sections for g in found.grades)
    share = html.Div(t("environment.sections.share", lang, share=format_value(found.good_share, "%", 1, lang),
                       good=good, total=total), className="small text-muted mb-1", id="environment-sections-share")
    head = html.Thead(html.Tr([html.Th(t("environment.sections.name", lang)),
                               html.Th(t("environment.sections.water", lang)),
                               html.Th(t("environment.stations.county", lang)),
                               html.Th(t("environment.sections.grade", lang)),
                               html.Th(t("environment.sections.target", lang)),
                               html.Th(t("environment.sections.meets", lang))]))
    body = [html.Tr([html.Td(s.name), html.Td(s.water_body), html.Td(s.county),
                     html.Td(s.grade, className="" if s.grade in GOOD_GRADES else "wb-tone-bad"),
                     html.Td(s.target_grade),
                     html.Td(t("environment.sections.yes" if s.meets_target else "environment.sections.no", lang),
                             className="wb-tone-good" if s.meets_target else "wb-tone-bad")],
                    **{"data-section": s.section_id}) for s in found.rows]
    grid = html.Div(dbc.Table([head, html.Tbody(body)], className="wb-table mb-0", size="sm", hover=True,
                              id="environment-sections-table"), style={"maxHeight": "220px", "overflowY": "auto"})
    return panel(title, html.Div([share, go_graph("environment-grades", grade_figure(found, lang), height=200), grid]),
                 panel_id="environment-sections", footer=t("environment.sections.footer", lang),
                 links=dcc.Link(t("environment.records", lang), href=found.records, className="small")
                 if found.records else None)


def manifests_figure(found: Manifests, lang: str, height: int = 240) -> go.Figure:
    rows = [c for c in found.classes if c.tons is not None][::-1]
    fig = go.Figure(go.Bar(
        x=[c.tons for c in rows], y=[c.label for c in rows], orientation="h", marker_color=BLUE,
        text=[format_value(c.tons, found.unit, 0, lang) for c in rows], textposition="outside", cliponaxis=False,
        customdata=[f"href:{c.records}" for c in rows], hovertemplate="%{y}: %{text}<extra></extra>"))
    top = max((c.tons for c in rows), default=0) or 1
    fig.update_xaxes(showgrid=True, gridcolor=GRIDLINE, zeroline=False, range=[0, top * 1.25])
    fig.update_yaxes(automargin=True)
    return _layout(fig, height)


def manifests_panel(found: Manifests, lang: str) -> dbc.Card:
    title = t("environment.manifests.title", lang, period=found.period or "—")
    if not found.counted_here or not found.classes:
        return panel(title, dbc.Alert(t("environment.manifests.where", lang, levels="、".join(found.counted_at)
                                        if lang == "zh" else ", ".join(found.counted_at)),
                                      color="light", className="mb-0", id="environment-manifests-where"),
                     panel_id="environment-manifests")
    return panel(title, go_graph("environment-manifests", manifests_figure(found, lang), height=240),
                 panel_id="environment-manifests", footer=t("environment.manifests.footer", lang))


def environment_body(page: EnvironmentPage, lang: str) -> html.Div:
    f = page.frame
    if f.coverage is not None:
        parts = [coverage_alert(f.coverage, SPEC, f.query, lang)]
        if page.manifests.counted_here and page.manifests.classes:
            parts.append(dbc.Row([dbc.Col(manifests_panel(page.manifests, lang), lg=6)], className="g-3 mb-3"))
        return html.Div(parts, id="environment-body")
    children = children_panel(page.children, lang) if page.children is not None else None
    return html.Div([
        headline_cards(page.headlines, lang),
        trend_panels(page.trends, lang),
        *([dbc.Row([dbc.Col(children, lg=12)], className="g-3 mb-3")] if children else []),
        dbc.Row([dbc.Col(stations_panel(page.stations, lang), lg=6),
                 dbc.Col(sections_panel(page.sections, lang), lg=6)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(manifests_panel(page.manifests, lang), lg=6)], className="g-3 mb-3"),
    ], id="environment-body")


def environment_layout(page: EnvironmentPage, lang: str) -> html.Div:
    f = page.frame
    return workbench_page(SPEC, f.query, f.place, f.period, lang, title=t("environment.title", lang),
                          lead=t("environment.lead", lang), body=environment_body(page, lang), page_id=PAGE_ID)
