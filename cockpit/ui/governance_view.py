"""Dash renderers of 城市治理's view models (`cockpit.views.governance`).

Every panel is drawn from its view model and the page's query; a click goes somewhere by a link
or by a chart point's `customdata` (`cockpit.ui.workbench.go_graph`): a records link, a cross
filter, or a drill into a region. A panel whose numbers a cross filter cannot narrow says so in
its footer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from cockpit.ui.charts import FONT, category_bars, figure, trend_figure
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
)
from cockpit.views import governance as gov
from cockpit.views.workbench import (
    PageSpec,
    PeriodChoice,
    Place,
    WorkbenchQuery,
    coverage,
    headlines,
    level_name,
    page_href,
    records_href,
)

RATE_DECIMALS = 1


def cross_labels(lang: str) -> dict[str, str]:
    return {dim: t(f"gov.cross.{dim}", lang) for dim in gov.CROSS}


def not_split(ignored: Sequence[str], lang: str, panel_id: str) -> html.Div | None:
    """The footer of a panel whose numbers do not honour some cross filters."""
    return not_filtered(ignored, cross_labels(lang), lang, panel_id, key="gov.not_split")


def _note(text: str) -> html.P:
    return html.P(text, className="small text-muted mb-2 gov-note")


def _empty(text: str, panel_id: str) -> dbc.Alert:
    return dbc.Alert(text, color="light", className="py-2 small mb-0", id=f"{panel_id}-empty")


def _honoured(q: WorkbenchQuery, applied: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((d, v) for d, v in q.filters if d in applied)


# -- the funnel ------------------------------------------------------------------------------

def funnel_panel(f: gov.Funnel, q: WorkbenchQuery, lang: str) -> dbc.Card:
    pid = "gov-funnel"
    steps = [s for s in f.steps if s.value is not None]
    if f.period is None or not steps:
        body = _empty(t("gov.no_period", lang), pid)
    else:
        honoured = tuple((d, v) for d, v in q.filters if d not in f.ignored)
        fig = figure([go.Funnel(
            y=[t(s.label, lang) for s in steps], x=[s.value for s in steps],
            text=[f"{format_value(s.value, '件', 0, lang)} · {s.of_first:.1f}%" if s.of_first is not None
                  else format_value(s.value, "件", 0, lang) for s in steps],
            textinfo="text", textposition="inside", insidetextfont={"color": colour("card")},
            marker={"color": [colour("navy"), colour("blue"), colour("blue"), colour("blue"), colour("better")]},
            connector={"fillcolor": colour("gridline")},
            customdata=["href:" + records_href(s.indicator, f.region, f.frequency, f.period, honoured) for s in steps],
            hovertemplate="%{y}: %{text}<extra></extra>")], 250, margin={"l": 8, "r": 8, "t": 4, "b": 4},
            plot_bgcolor=colour("card"), paper_bgcolor=colour("card"))
        body = [_note(t("gov.funnel.note", lang, period=f.period)), go_graph(pid, fig, height=250)]
    return panel(t("gov.funnel.title", lang), body, panel_id=pid, footer=not_split(f.ignored, lang, pid))


# -- the rates tables ------------------------------------------------------------------------

def _rate_header(c: gov.RateColumn, lang: str) -> str:
    if c.target is None:
        return c.name
    return t("gov.rates.col.target", lang, name=c.name, target=format_value(c.target, "%", 0, lang))


def _rate_table(table: gov.RateTable, spec: PageSpec, q: WorkbenchQuery, lang: str, table_id: str):
    """A sortable table: name (a link: the department filters the page, a region drills), orders,
    overdue, then the five rates with their targets in the header; a value below target in red."""
    name_col = {"id": "name", "name": t(f"gov.rates.col.name.{table.by}", lang), "presentation": "markdown"}
    columns = [name_col,
               {"id": "orders", "name": t("gov.rates.col.orders", lang), "type": "numeric"},
               {"id": "overdue", "name": t("gov.rates.col.overdue", lang), "type": "numeric"}]
    columns += [{"id": c.indicator, "name": _rate_header(c, lang), "type": "numeric",
                 "format": dash_table.FormatTemplate.Format(precision=RATE_DECIMALS,
                                                            scheme=dash_table.Format.Scheme.fixed)}
                for c in table.columns]

    def href(row: gov.RateRow) -> str:
        if table.by == "department":
            return page_href(spec, q, filters={"department": None if row.selected else row.key})
        return page_href(spec, q, region=row.key)

    def md(text: str, link: str) -> str:
        safe = text.replace("[", "(").replace("]", ")")
        return f"[{safe}]({link})"

    data = []
    for row in table.rows:
        item = {"name": md(row.name + (" ✓" if row.selected else ""), href(row)), "key": row.key,
                "orders": row.orders, "overdue": row.overdue}
        item.update({c.indicator: cell.value for c, cell in zip(table.columns, row.cells, strict=True)})
        data.append(item)
    # a column without any value here (not split at this level) is left out, not shown blank
    columns = [c for c in columns if c["id"] == "name" or any(item.get(c["id"]) is not None for item in data)]
    below = [{"if": {"filter_query": f"{{{c.indicator}}} < {c.target}", "column_id": c.indicator},
              "color": colour("worse"), "fontWeight": 600}
             for c in table.columns if c.target is not None]
    selected = [{"if": {"filter_query": f"{{key}} = \"{row.key}\""}, "backgroundColor": colour("bg")}
                for row in table.rows if row.selected]
    total = table.total
    total_row = None
    if total is not None:  # the region itself, above the sortable rows (a sort must not move it)
        parts = [html.Span(t("gov.rates.total", lang, name=total.name), className="fw-semibold me-2"),
                 html.Span(f"{t('gov.rates.col.orders', lang)} {format_number(total.orders, 0, lang)}", className="me-3"),
                 html.Span(f"{t('gov.rates.col.overdue', lang)} {format_number(total.overdue, 0, lang)}", className="me-3")]
        parts += [html.Span([f"{c.name} ", html.Span(format_value(cell.value, "%", RATE_DECIMALS, lang),
                                                      className="gov-below" if cell.met is False else "fw-semibold")],
                            className="me-3 text-nowrap d-inline-block")
                  for c, cell in zip(table.columns, total.cells, strict=True)]
        total_row = html.Div(parts, className="small mb-1 gov-total", id=f"{table_id}-total")
    grid = dash_table.DataTable(
        id=table_id, columns=columns, data=data, sort_action="native", sort_mode="single",
        markdown_options={"link_target": "_self"}, page_action="none", fixed_rows={"headers": True},
        style_table={"maxHeight": "360px", "overflowY": "auto"},
        style_header={"fontWeight": 600, "backgroundColor": colour("bg"), "color": colour("label"),
                      "whiteSpace": "normal", "height": "auto", "fontSize": "12px"},
        style_cell={"fontFamily": FONT, "fontSize": "13px", "padding": "4px 8px", "border": "none",
                    "borderBottom": f"1px solid {colour('gridline')}", "minWidth": "64px"},
        style_cell_conditional=[{"if": {"column_id": "name"}, "textAlign": "left", "minWidth": "150px"}],
        style_data_conditional=below + selected, css=[{"selector": "p", "rule": "margin: 0"}])
    return html.Div([total_row, grid] if total_row is not None else [grid], className="gov-rates-table")


def rates_panel(by_department: gov.RateTable, by_region: gov.RateTable | None, spec: PageSpec, q: WorkbenchQuery,
                lang: str) -> dbc.Card:
    pid = "gov-rates"
    period = by_department.period
    if period is None:
        return panel(t("gov.rates.title", lang), _empty(t("gov.no_period", lang), pid), panel_id=pid)
    dept_body = [_rate_table(by_department, spec, q, lang, "gov-rates-department")] if by_department.rows \
        else [_empty(t("gov.rates.empty", lang), f"{pid}-department")]
    if not by_department.rates_split:
        dept_body.insert(0, html.P(t("gov.rates.not_split", lang), className="small text-muted mb-1",
                                   id=f"{pid}-department-not-split-level"))
    if by_department.more:
        dept_body.append(html.P(t("gov.rates.more", lang, n=by_department.more), className="small text-muted mt-1 mb-0"))
    dept_body.append(not_split(by_department.ignored, lang, f"{pid}-department"))
    tabs = [dbc.Tab(dept_body, label=t("gov.rates.by_department", lang), tab_id="department")]
    if by_region is not None:
        region_body = [_rate_table(by_region, spec, q, lang, "gov-rates-region") if by_region.rows
                       else _empty(t("gov.rates.empty_region", lang), f"{pid}-region"),
                       not_split(by_region.ignored, lang, f"{pid}-region")]
        tabs.append(dbc.Tab(region_body, label=t("gov.rates.by_region", lang), tab_id="region"))
    body = [_note(t("gov.rates.note", lang, period=period)),
            dbc.Tabs(tabs, active_tab="department", id=f"{pid}-tabs", className="mb-2")]
    return panel(t("gov.rates.title", lang), body, panel_id=pid)


# -- overdue streets ---------------------------------------------------------------------------

def overdue_panel(o: gov.OverdueStreets, spec: PageSpec, q: WorkbenchQuery, lang: str) -> dbc.Card:
    """The streets with the most overdue orders, each a bar whose number opens the street's overdue
    orders (/records, where the list exports to Excel); the name drills into the street."""
    pid = "gov-overdue"
    level = level_name(o.level, lang)
    title = t("gov.overdue.title", lang, level=level)
    if o.period is None:
        return panel(title, _empty(t("gov.no_period", lang), pid), panel_id=pid)
    shown = [r for r in o.rows if r.value > 0]
    if not shown:
        body = _empty(t("gov.overdue.none", lang, period=o.period), pid)
    else:
        top = max(r.value for r in shown)
        rows = []
        for r in shown:
            records = records_href(gov.OVERDUE, r.code, o.frequency, o.period)
            rows.append(html.Tr([
                html.Td(r.rank, className="text-muted gov-rank"),
                html.Td([dcc.Link(r.name, href=page_href(spec, q, region=r.code), className="wb-drill"),
                         html.Div(r.county, className="gov-sub") if r.county else None]),
                html.Td(html.Div(html.Div(className="gov-bar-fill", style={"width": f"{100 * r.value / top:.1f}%"}),
                                 className="gov-bar"), className="gov-bar-cell"),
                html.Td(dcc.Link(format_value(r.value, o.unit, 0, lang), href=records,
                                 className="wb-records-link gov-overdue-records",
                                 title=t("gov.overdue.records", lang, name=r.name)), className="text-end"),
            ], **{"data-region": r.code}))
        body = [_note(t("gov.overdue.note", lang, period=o.period, streets=o.streets, with_overdue=o.with_overdue,
                        total=format_value(o.total, o.unit, 0, lang), level=level)),
                dbc.Table([html.Thead(html.Tr([html.Th("#"), html.Th(level), html.Th(""),
                                               html.Th(t("gov.overdue.col.value", lang), className="text-end")])),
                           html.Tbody(rows)], size="sm", hover=True, className="mb-0 small gov-overdue-table",
                          id=f"{pid}-table")]
    links = dcc.Link(t("gov.overdue.all", lang), href=records_href(gov.OVERDUE, o.region, o.frequency, o.period),
                     className="small", id=f"{pid}-all")
    return panel(title, body, panel_id=pid, links=links, footer=not_split(o.ignored, lang, pid))


# -- hot spots ---------------------------------------------------------------------------------

def map_panel(h: gov.HotSpots, q: WorkbenchQuery, child_level_name: str | None, lang: str) -> dbc.Card:
    pid = "gov-map"
    title = t("gov.map.title", lang, level=child_level_name or "")
    if h.period is None or not h.values:
        return panel(title, _empty(t("gov.map.empty", lang), pid), panel_id=pid)
    honoured = _honoured(q, h.applied)
    label = h.name + (" · " + "、".join(v for _, v in honoured) if honoured else "")
    body = [_note(t("gov.map.note", lang, period=h.period)),
            region_map(MAP_ID, h.geometry, h.values, unit=h.unit, label=label, lang=lang, height=440, decimals=0,
                       notice=h.notice)]
    return panel(title, body, panel_id=pid, footer=not_split(h.ignored, lang, pid))


# -- categories --------------------------------------------------------------------------------

def categories_panel(c: gov.Categories, lang: str) -> dbc.Card:
    pid = "gov-categories"
    if c.period is None or not c.rows:
        return panel(t("gov.categories.title", lang), _empty(t("gov.categories.empty", lang), pid), panel_id=pid)
    chosen = next((r.label for r in c.rows if r.selected), None)
    height = max(200, 28 * len(c.rows) + 40)
    fig = category_bars([r.label for r in c.rows], [r.value for r in c.rows],
                        [f"filter:category_l1:{r.category}" for r in c.rows], c.unit, 0, lang, selected=chosen,
                        height=height)
    body = [_note(t("gov.categories.note", lang, period=c.period)), go_graph(pid, fig, height=height)]
    return panel(t("gov.categories.title", lang), body, panel_id=pid, footer=not_split(c.ignored, lang, pid))


def category_trend_panel(c: gov.Categories, lang: str) -> dbc.Card:
    pid = "gov-category-trend"
    if c.period is None or not c.lines:
        return panel(t("gov.categories.trend", lang), _empty(t("gov.categories.empty", lang), pid), panel_id=pid)
    fig = trend_figure([(line.label, list(line.periods), list(line.values)) for line in c.lines], c.unit, 0, lang,
                       height=280)
    body = [_note(t("gov.categories.trend.note", lang, period=c.period)), dcc.Graph(
        id=pid + "-graph", figure=fig, config={"displayModeBar": False, "responsive": True}, style={"height": "280px"})]
    return panel(t("gov.categories.trend", lang), body, panel_id=pid, footer=not_split(c.ignored, lang, pid))


# -- repeat complaints ------------------------------------------------------------------------

def repeat_panel(r: gov.RepeatComplaints, spec: PageSpec, q: WorkbenchQuery, child_level_name: str | None,
                 lang: str) -> dbc.Card:
    pid = "gov-repeat"
    if r.period is None or not r.periods:
        return panel(t("gov.repeat.title", lang), _empty(t("gov.no_period", lang), pid), panel_id=pid)
    fig = trend_figure([(r.name, list(r.periods), list(r.values))], r.unit, 0, lang, height=170)
    items = [html.Li([dcc.Link(name, href=page_href(spec, q, region=code), className="wb-drill"),
                      html.Span(format_value(value, r.unit, 0, lang), className="float-end")])
             for code, name, value in r.children if value > 0]
    body = [_note(t("gov.repeat.note", lang, period=r.period, value=format_value(r.value, r.unit, 0, lang))),
            dcc.Graph(id=pid + "-graph", figure=fig, config={"displayModeBar": False, "responsive": True},
                      style={"height": "170px"})]
    if items:
        body += [html.Div(t("gov.repeat.children", lang, level=child_level_name or ""), className="small fw-semibold mt-1"),
                 html.Ul(items, className="list-unstyled small mb-0 gov-repeat-list")]
    return panel(t("gov.repeat.title", lang), body, panel_id=pid, footer=not_split(r.ignored, lang, pid))


# -- open orders past their deadline ----------------------------------------------------------

def open_orders_href(region: str, filters: Sequence[tuple[str, str]]) -> str:
    """The region's orders being handled, the earliest deadline first (the overdue ones on top)."""
    params = {"feed": gov.FEED, "region": region, "status": "办理中", "sort": "due_at:asc", **dict(filters)}
    return "/records?" + urlencode(params)


def open_overdue_panel(o: gov.OpenOverdue, lang: str) -> dbc.Card:
    pid = "gov-open"
    as_of = o.as_of.strftime("%Y-%m-%d %H:%M") if o.as_of is not None else "—"
    links = dcc.Link(t("gov.records", lang), href=open_orders_href(o.region, o.filters), className="small",
                     id=f"{pid}-records")
    if o.total == 0:
        return panel(t("gov.open.title", lang), _empty(t("gov.open.none", lang, as_of=as_of), pid), panel_id=pid,
                     links=links)
    ages = []
    for low, high, n in o.ages:
        label = t("gov.open.age", lang, low=low, high=high) if high is not None else t("gov.open.age_over", lang, low=low)
        ages.append(html.Div([html.Div(format_number(n, 0, lang), className="gov-age-n"),
                              html.Div(label, className="gov-age-label")], className="gov-age"))
    rows = [html.Tr([html.Td(order.order_id, className="font-monospace"), html.Td(order.category),
                     html.Td(order.department or "—"), html.Td(order.due_at.strftime("%m-%d %H:%M")),
                     html.Td(t("gov.open.days", lang, days=f"{order.days_overdue:.1f}"), className="text-end gov-below")])
            for order in o.oldest]
    body = [_note(t("gov.open.note", lang, as_of=as_of, total=format_number(o.total, 0, lang))),
            html.Div(ages, className="gov-ages mb-2"),
            html.Div(t("gov.open.longest", lang), className="small fw-semibold"),
            dbc.Table([html.Thead(html.Tr([html.Th(t(f"gov.open.col.{k}", lang)) for k in
                                           ("order", "category", "department", "due", "days")])),
                       html.Tbody(rows)], size="sm", className="mb-0 small gov-open-table", id=f"{pid}-table")]
    return panel(t("gov.open.title", lang), body, panel_id=pid, links=links)


# -- services and grid events --------------------------------------------------------------------

def _figure(name: str, value: str, sub: str | None, tone: str | None = None, href: str | None = None) -> html.Div:
    shown = dcc.Link(value, href=href, className="gov-fig-value wb-records-link") if href \
        else html.Span(value, className="gov-fig-value")
    return html.Div([html.Div(name, className="gov-fig-name"), shown,
                     html.Div(sub or "", className=f"gov-fig-sub {('wb-tone-' + tone) if tone else ''}")],
                    className="gov-fig")


def services_panel(s: gov.Services, lang: str) -> dbc.Card:
    pid = "gov-services"
    if s.period is None or all(f.value is None for f in s.figures):
        return panel(t("gov.services.title", lang), _empty(t("gov.services.none", lang), pid), panel_id=pid)
    figures = []
    for f in s.figures:
        sub, tone = None, None
        if f.target is not None:
            sub = t("gov.services.target", lang, target=format_value(f.target, f.unit, f.decimals, lang))
            if f.value is not None:
                tone = "good" if f.value >= f.target else "bad"
        figures.append(_figure(f.name, format_value(f.value, f.unit, f.decimals, lang), sub, tone))
    note = t("gov.services.note_up" if s.region != s.asked else "gov.services.note", lang, name=s.region_name,
             period=s.period)
    return panel(t("gov.services.title", lang), [_note(note), html.Div(figures, className="gov-figs")], panel_id=pid)


def grid_panel(g: gov.GridEvents, lang: str) -> dbc.Card:
    pid = "gov-grid"
    if g.period is None:
        return panel(t("gov.grid.title", lang), _empty(t("gov.no_period", lang), pid), panel_id=pid)
    href = g.records

    def n(x: int) -> str:
        return format_value(x, "件", 0, lang)

    closed = format_value(g.closure_rate, "%", 1, lang) if g.closure_rate is not None else None
    figures = [_figure(t("gov.grid.reported", lang), n(g.reported), None, href=href),
               _figure(t("gov.grid.closed", lang), n(g.closed), closed),
               _figure(t("gov.grid.open", lang), n(g.open), None),
               _figure(t("gov.grid.major", lang), n(g.major), None)]
    return panel(t("gov.grid.title", lang), [_note(t("gov.grid.note", lang, period=g.period)),
                                             html.Div(figures, className="gov-figs")], panel_id=pid,
                 links=dcc.Link(t("gov.records", lang), href=href, className="small", id=f"{pid}-records"))


def filter_notice(filters: Mapping[str, str] | Sequence[tuple[str, str]], lang: str) -> dbc.Alert | None:
    """Said when both cross filters are set: the numbers follow the department only."""
    dims = {d for d, _ in (filters.items() if isinstance(filters, Mapping) else filters)}
    if len(dims & set(gov.CROSS)) < 2:
        return None
    return dbc.Alert(t("gov.filter.both", lang), color="light", className="py-2 small", id="gov-filter-both")


# -- the page's body ---------------------------------------------------------------------------

def rates_coverage(cover, spec: PageSpec, q: WorkbenchQuery, lang: str) -> dbc.Alert:
    """Below the street: the orders are counted here, the rates and splits only higher up."""
    parts: list = [html.I(className="bi bi-info-circle me-2"),
                   t("gov.rates.coverage", lang, level=cover.level_name, deepest=cover.deepest_level_name)]
    if cover.nearest is not None:
        parts += [" ", dcc.Link(t("wb.coverage.nearest", lang, name=cover.nearest.name),
                                href=page_href(spec, q, region=cover.nearest.code), id="wb-coverage-nearest")]
    if cover.records:
        parts += [" ", dcc.Link(t("wb.coverage.records", lang), href=cover.records, id="wb-coverage-records")]
    return dbc.Alert(parts, color="info", className="py-2 small", id="wb-coverage")


def page_body(reader, spec: PageSpec, q: WorkbenchQuery, where: Place, choice: PeriodChoice, lang: str) -> html.Div:
    """Every panel of the page for the place, period and cross filters of the query."""
    region, frequency, period = where.code, choice.frequency, choice.chosen
    filters = q.filters
    cover = coverage(reader, (gov.ORDERS, gov.OVERDUE), where, records_feed=gov.FEED)
    first = next((f for f in ("department", "category_l1") if q.filter(f) is not None), None)
    top: list = [filter_notice(filters, lang)]
    # read from the orders and events themselves, and the services beside the hotline: the grid
    # events and the services for a viewer whose themes hold them
    events, services = gov.grid_events(reader, region, frequency, period), gov.services(reader, region, frequency, period)
    beside = ([html.Div(grid_panel(events, lang), className="mb-3")] if events is not None else []) + \
        ([html.Div(services_panel(services, lang))] if services is not None else [])
    side = dbc.Row([
        dbc.Col(open_overdue_panel(gov.open_overdue(reader, region, filters), lang), lg=6 if beside else 12),
        *([dbc.Col(beside, lg=6)] if beside else []),
    ], className="g-3 mb-3")
    if cover is not None:  # the hotline is not counted at this level: say so, and keep what the records show
        return html.Div([*top, coverage_alert(cover, spec, q, lang), side], id="gov-body")
    counts = html.Div(dbc.Row([
        dbc.Col(overdue_panel(gov.overdue_streets(reader, region, frequency, period, filters, limit=12), spec, q,
                              lang), lg=5),
        dbc.Col(map_panel(gov.hot_spots(reader, region, frequency, period, filters), q, where.child_level_name,
                          lang), lg=7),
    ], className="g-3 mb-3"))
    category = (first, q.filter(first)) if first else None
    rates_cover = coverage(reader, gov.RATES, where, records_feed=gov.FEED)
    if rates_cover is not None:  # below the street the orders are counted, the rates are not: say where they are
        cards = headlines(reader, (gov.ORDERS, gov.OVERDUE), where, q, choice, category=category)
        return html.Div([*top, rates_coverage(rates_cover, spec, q, lang), headline_cards(cards, lang), counts, side],
                        id="gov-body")
    cards = headlines(reader, gov.HEADLINES, where, q, choice, category=category)
    cats = gov.categories(reader, region, frequency, period, filters, since=q.since)
    by_region = gov.rates_by_region(reader, region, frequency, period, filters) if where.children else None
    return html.Div([
        *top,
        headline_cards(cards, lang),
        counts,
        dbc.Row(dbc.Col(rates_panel(gov.rates_by_department(reader, region, frequency, period, filters), by_region,
                                    spec, q, lang), lg=12), className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(categories_panel(cats, lang), lg=5),
            dbc.Col(category_trend_panel(cats, lang), lg=7),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(funnel_panel(gov.funnel(reader, region, frequency, period, filters), q, lang), lg=6),
            dbc.Col(repeat_panel(gov.repeat_complaints(reader, region, frequency, period, filters, since=q.since), spec, q,
                                 where.child_level_name, lang), lg=6),
        ], className="g-3 mb-3"),
        side,
    ], id="gov-body")
