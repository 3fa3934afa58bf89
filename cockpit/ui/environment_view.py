"""Dash renderers of 生态环境's view models (`cockpit.views.environment`): trends against their
targets, the children side by side, the stations with their latest readings, the river sections
by grade and the waste on transfer manifests, inside the workbench frame."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from cockpit.ui.charts import BLUE, FONT, GRIDLINE, HIGHLIGHT
from cockpit.ui.charts import trend_figure as line_figure
from cockpit.ui.deckmap import region_map
from cockpit.ui.format import format_number, format_value
from cockpit.ui.i18n import t
from cockpit.ui.theme import colour
from cockpit.ui.workbench import (
    MAP_ID,
    coverage_alert,
    go_graph,
    headline_cards,
    not_filtered,
    panel,
    workbench_page,
)
from cockpit.views.environment import (
    CROSS,
    GOOD_GRADES,
    MANIFEST_CLASSES,
    READING_HOURS,
    SPEC,
    ChildMap,
    ChildTable,
    EnvironmentPage,
    Manifests,
    Sections,
    Stations,
    TrendView,
    not_narrowed,
)
from cockpit.views.workbench import WorkbenchQuery, page_href

PAGE_ID = "environment-page"
PICKED = {"background": colour("blue"), "color": colour("card")}  # the class a station filter picked
CLASS_KEYS = {"国控": "national", "省控": "provincial", "市控": "city"}  # station classes → their strings


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
        cells = [html.Td(dcc.Link(row.name, href=row.href, className="wb-drill"), className="text-nowrap")]
        for col, value, meets in zip(table.columns, row.values, row.meets, strict=True):
            text = format_value(value, col.unit, col.decimals, lang)
            cells.append(html.Td(text, className="text-end text-nowrap" + (" wb-tone-bad" if meets is False else "")))
        body.append(html.Tr(cells, **{"data-region": row.code}))
    grid = dbc.Table([html.Thead(html.Tr(head)), html.Tbody(body)], className="wb-table mb-0", size="sm", hover=True,
                     id="environment-children-table", responsive=True)
    return panel(t("environment.children.title", lang, level=table.level_name or "", period=table.period or "—"),
                 grid, panel_id="environment-children",
                 footer=t("environment.children.footer", lang, level=table.level_name or ""))


def cross_labels(lang: str) -> dict[str, str]:
    """The chips' (and the notes') names of the page's cross filters."""
    return {dim: t(f"environment.cross.{dim}", lang) for dim in CROSS}


def class_label(station_class: str, lang: str) -> str:
    key = CLASS_KEYS.get(station_class)
    return t(f"environment.class.{key}", lang) if key else station_class


def value_labels(lang: str) -> dict[str, dict[str, str]]:
    """What a chip shows for a filter's value: the station class and waste class in the viewer's language."""
    return {"station_class": {c: class_label(c, lang) for c in CLASS_KEYS},
            "waste_class": {zh: en if lang == "en" else zh for zh, en, _ in MANIFEST_CLASSES}}


def _shown(dim: str, value: str, lang: str) -> str:
    return value_labels(lang).get(dim, {}).get(value, value)


def _footer(*parts) -> html.Div | None:
    kept = [p for p in parts if p]
    return html.Div(kept) if kept else None


def _not_filtered(q: WorkbenchQuery, panel_name: str, lang: str, panel_id: str) -> html.Div | None:
    return not_filtered(not_narrowed(q, panel_name), cross_labels(lang), lang, panel_id)


def kpis_note(q: WorkbenchQuery, lang: str) -> html.Div | None:
    """Under the headline numbers: the indicator values are the whole region's whatever is filtered."""
    return not_filtered(not_narrowed(q, "headlines"), cross_labels(lang), lang, "environment-kpis",
                        key="environment.kpis.note")


def map_panel(found: ChildMap, q: WorkbenchQuery, lang: str) -> dbc.Card:
    """The children filled by the share of good-air days, the listed stations on top; a click drills."""
    pid = "environment-map"
    title = t("environment.map.title", lang, level=found.level_name or "", name=found.name, period=found.period or "—")
    points = [{"lon": s.lon, "lat": s.lat, "alarm": s.aqi is not None and s.aqi > 100,
               "name": f"{s.name} · AQI {format_number(s.aqi, 0, lang)}" if s.aqi is not None else s.name}
              for s in found.points]
    body: list = []
    if found.coverage is not None:  # a county's streets: no values, said, with the stations still placed
        body.append(dbc.Alert(t("environment.map.coverage", lang, name=found.name, level=found.coverage.level_name,
                                deepest=found.coverage.deepest_level_name),
                              color="info", className="py-2 small mb-2", id=f"{pid}-coverage"))
    body.append(region_map(MAP_ID, found.geometry, found.values if found.coverage is None else {}, unit=found.unit,
                           label=found.name, lang=lang, points=points, height=360, decimals=found.decimals,
                           notice=found.notice))
    chosen = q.filter("station_class")
    only = html.Div(t("environment.map.points", lang, value=_shown("station_class", chosen, lang)),
                    className="small text-muted", id=f"{pid}-points") if chosen else None
    return panel(title, body, panel_id=pid,
                 footer=_footer(t("environment.map.hint", lang), only,
                                _not_filtered(q, "map-points", lang, pid)))


def _class_picker(found: Stations, q: WorkbenchQuery, lang: str) -> html.Div | None:
    """Links that narrow the stations (and the map's) to one class: the counts are of all the stations."""
    if len(found.classes) < 2 and found.selected is None:
        return None
    items = [html.Span(t("environment.stations.by_class", lang), className="small text-muted me-1")]
    for i, (cls, n) in enumerate(found.classes):
        selected = cls == found.selected
        items.append(dcc.Link(f"{class_label(cls, lang)} {n}",
                              href=page_href(SPEC, q, filters={"station_class": None if selected else cls}),
                              className="wb-chip me-1 text-decoration-none" + (" active" if selected else ""),
                              **({"style": PICKED} if selected else {}),
                              title=t("environment.stations.pick", lang, value=class_label(cls, lang)),
                              id=f"environment-class-{CLASS_KEYS.get(cls, i)}"))
    return html.Div(items, className="d-flex flex-wrap align-items-center mb-2", id="environment-station-classes")


def stations_panel(found: Stations, q: WorkbenchQuery, lang: str) -> dbc.Card:
    pid = "environment-stations"
    title = t("environment.stations.title", lang, n=found.total) if found.selected is None else \
        t("environment.stations.of", lang, value=class_label(found.selected, lang), n=len(found.rows), total=found.total)
    note = _not_filtered(q, "stations", lang, pid)
    picker = _class_picker(found, q, lang)
    if not found.rows:
        return panel(title, [picker, dbc.Alert(t("environment.stations.none", lang), color="light", className="mb-0")],
                     panel_id=pid, footer=note)
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
        selected = s.station_class == found.selected
        cls = dcc.Link(class_label(s.station_class, lang), className="wb-drill env-class-link",
                       href=page_href(SPEC, q, filters={"station_class": None if selected else s.station_class}),
                       title=t("environment.stations.pick", lang, value=class_label(s.station_class, lang)))
        body.append(html.Tr([html.Td(s.name), html.Td(cls), html.Td(s.county),
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
    return panel(title, [picker, grid], panel_id=pid,
                 links=html.Span(t("environment.stations.latest", lang, time=latest), className="small text-muted"),
                 footer=_footer(t("environment.stations.footer", lang), note))


def grade_figure(found: Sections, lang: str, height: int = 200) -> go.Figure:
    """Sections by grade; a click picks that grade (the `grade` cross filter), the picked one stands out."""
    grades = list(found.grades)
    fig = go.Figure(go.Bar(
        x=[g.grade for g in grades], y=[g.sections for g in grades],
        marker_color=[HIGHLIGHT if g.grade == found.selected else BLUE if g.grade in GOOD_GRADES else colour("worse")
                      for g in grades],
        marker_opacity=[1.0 if found.selected in (None, g.grade) else 0.45 for g in grades],
        text=[str(g.sections) for g in grades], textposition="outside", cliponaxis=False,
        customdata=[f"filter:grade:{g.grade}" for g in grades],
        hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_xaxes(type="category", showgrid=False)
    fig.update_yaxes(showgrid=True, gridcolor=GRIDLINE, zeroline=False, rangemode="tozero", dtick=1 if max(
        (g.sections for g in grades), default=0) <= 8 else None, title={"text": t("environment.sections.count", lang)})
    return _layout(fig, height)


def sections_panel(found: Sections, q: WorkbenchQuery, lang: str) -> dbc.Card:
    pid = "environment-sections"
    title = t("environment.sections.title", lang, month=found.month or "—")
    note = _not_filtered(q, "sections", lang, pid)
    if not found.grades:
        return panel(title, dbc.Alert(t("environment.sections.none", lang), color="light", className="mb-0"),
                     panel_id=pid, footer=note)
    if found.selected is not None:
        title += t("environment.sections.of", lang, grade=found.selected, n=len(found.rows))
    good = sum(g.sections for g in found.grades if g.grade in GOOD_GRADES)
    total = sum(g.sections for g in found.grades)
    share = html.Div(t("environment.sections.share", lang, share=format_value(found.good_share, "%", 1, lang),
                       good=good, total=total), className="small text-muted mb-1", id="environment-sections-share")
    if found.rows:
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
    else:
        grid = dbc.Alert(t("environment.sections.none_of", lang, grade=found.selected), color="light",
                         className="py-2 small mb-0", id="environment-sections-none")
    return panel(title, html.Div([share, go_graph("environment-grades", grade_figure(found, lang), height=200), grid]),
                 panel_id=pid, footer=_footer(t("environment.sections.footer", lang), note),
                 links=dcc.Link(t("environment.records", lang), href=found.records, className="small",
                                id="environment-sections-records") if found.records else None)


def manifests_figure(found: Manifests, lang: str, height: int = 240) -> go.Figure:
    """Tons by class, largest at the top; a click picks that class (the `waste_class` cross filter)."""
    rows = [c for c in found.classes if c.tons is not None][::-1]
    fig = go.Figure(go.Bar(
        x=[c.tons for c in rows], y=[c.label for c in rows], orientation="h",
        marker_color=[HIGHLIGHT if c.waste_class == found.selected else BLUE for c in rows],
        text=[format_value(c.tons, found.unit, 0, lang) for c in rows], textposition="outside", cliponaxis=False,
        customdata=[f"filter:waste_class:{c.waste_class}" for c in rows], hovertemplate="%{y}: %{text}<extra></extra>"))
    top = max((c.tons for c in rows), default=0) or 1
    fig.update_xaxes(showgrid=True, gridcolor=GRIDLINE, zeroline=False, range=[0, top * 1.25])
    fig.update_yaxes(automargin=True)
    return _layout(fig, height)


def manifests_panel(found: Manifests, q: WorkbenchQuery, lang: str) -> dbc.Card:
    pid = "environment-manifests"
    title = t("environment.manifests.title", lang, period=found.period or "—")
    note = _not_filtered(q, "manifests", lang, pid)
    if not found.counted_here or not found.classes:
        return panel(title, dbc.Alert(t("environment.manifests.where", lang, levels="、".join(found.counted_at)
                                        if lang == "zh" else ", ".join(found.counted_at)),
                                      color="light", className="mb-0", id="environment-manifests-where"),
                     panel_id=pid, footer=note)
    body: list = [go_graph(pid, manifests_figure(found, lang), height=240)]
    picked = next((c for c in found.classes if c.waste_class == found.selected), None)
    if found.trend is not None:
        view = found.trend
        body.append(html.Div(t("environment.manifests.class_trend", lang, name=view.name),
                             className="small fw-semibold mt-1"))
        body.append(dcc.Graph(id=pid + "-trend", config={"displayModeBar": False, "responsive": True},
                              style={"height": "170px"},
                              figure=line_figure([(view.name, list(view.periods), list(view.values))], view.unit,
                                                 0, lang, height=170)))
    links = dcc.Link(t("environment.manifests.class_records", lang, name=picked.label), href=picked.records,
                     className="small", id=f"{pid}-records") if picked is not None else None
    return panel(title, body, panel_id=pid, links=links, footer=_footer(t("environment.manifests.footer", lang), note))


def environment_body(page: EnvironmentPage, lang: str) -> html.Div:
    f = page.frame
    q = f.query
    if f.coverage is not None:
        parts = [coverage_alert(f.coverage, SPEC, q, lang)]
        if page.manifests is not None and page.manifests.counted_here and page.manifests.classes:
            parts.append(dbc.Row([dbc.Col(manifests_panel(page.manifests, q, lang), lg=6)], className="g-3 mb-3"))
        return html.Div(parts, id="environment-body")
    children = children_panel(page.children, lang) if page.children is not None else None
    themap = map_panel(page.map, q, lang) if page.map is not None else None
    where = [c for c in ((themap, 5), (children, 7)) if c[0] is not None]
    return html.Div([
        headline_cards(page.headlines, lang),
        kpis_note(q, lang),
        *([dbc.Row([dbc.Col(c, lg=12 if len(where) == 1 else w) for c, w in where], className="g-3 mb-3")]
          if where else []),
        trend_panels(page.trends, lang),
        dbc.Row([dbc.Col(stations_panel(page.stations, q, lang), lg=6),
                 dbc.Col(sections_panel(page.sections, q, lang), lg=6)], className="g-3 mb-3"),
        *([dbc.Row([dbc.Col(manifests_panel(page.manifests, q, lang), lg=6)], className="g-3 mb-3")]
          if page.manifests is not None else []),
    ], id="environment-body")


def environment_layout(page: EnvironmentPage, lang: str) -> html.Div:
    f = page.frame
    return workbench_page(SPEC, f.query, f.place, f.period, lang, title=t("environment.title", lang),
                          lead=t("environment.lead", lang), body=environment_body(page, lang), page_id=PAGE_ID,
                          cross_labels=cross_labels(lang), value_labels=value_labels(lang))
