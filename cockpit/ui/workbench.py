"""The frame of every department page: filter bar, breadcrumbs, cross-filter chips, headline
cards, panels, and the one way a click goes somewhere.

A department page is drawn from its URL alone (`cockpit.views.workbench`). Controls and charts do
not change the page in place: each carries a pattern id, and one client-side callback here turns
a choice or a click into a new address for the shell's `dcc.Location`, which navigates without a
reload and with a history entry (`refresh="callback-nav"`). The pages router then draws the page
for the new address, so back and forward, reloads and pasted links all show the same view.

- `control_id(key)`: a dropdown or radio whose `value` sets query parameter `key` (a new
  frequency also forgets the period; `region-child` sets the region).
- `go_id(panel)`: a Plotly graph whose clicked point's `customdata` says where to go:
  `region:<code>` (drill into it), `filter:<dim>:<value>` (set that cross filter, or clear it
  when it is already set), `href:<path?query>` (go there), or a bare region code.
- `clear_id(key)`: a chip or button whose click removes `key` from the query.
- a deck.gl map with id `MAP_ID` drills into the clicked region.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import request
from cockpit.ui.deckmap import click_id
from cockpit.ui.format import format_value
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.shell import snapshot_notice
from cockpit.views.workbench import (
    COMPARISONS,
    TREND_PERIODS,
    Coverage,
    Headline,
    PageSpec,
    PeriodChoice,
    Place,
    WorkbenchQuery,
    level_name,
    page_href,
    trend_starts,
)

NAV = "shell-url"  # the shell's dcc.Location, which navigates client-side
MAP_ID = "wb-map"  # a page's drill-down map: clicking a region descends into it
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
SEARCH_LIMIT = 30


def control_id(key: str) -> dict:
    return {"wb": "set", "key": key}


def go_id(panel: str) -> dict:
    return {"wb": "go", "panel": panel}


def clear_id(key: str) -> dict:
    return {"wb": "clear", "key": key}


def go_graph(panel: str, figure: Any, height: int | None = None) -> dcc.Graph:
    """A chart whose clicks go where its points' `customdata` says (see the module's notes)."""
    sized = {"style": {"height": f"{height}px"}} if height else {}  # Dash's graph breaks on style=None
    return dcc.Graph(id=go_id(panel), figure=figure, config=GRAPH_CONFIG, className="wb-graph", **sized)


# -- the frame ---------------------------------------------------------------------------------

def _region_options(place: Place, lang: str) -> list[dict]:
    """The picker's options before anything is typed: the path up and the place itself."""
    return [{"label": f"{c.name} · {c.level_name}", "value": c.code} for c in place.path]


def filter_bar(spec: PageSpec, q: WorkbenchQuery, place: Place, choice: PeriodChoice, lang: str) -> html.Div:
    """Region (type a name or code, or go one level down), frequency, period and comparison."""
    def labelled(label_key: str, control: Any, width: str | None = None) -> html.Div:
        return html.Div([html.Label(t(label_key, lang), className="wb-label"), control],
                        className="wb-field", style={"minWidth": width} if width else None)

    fields = [
        labelled("wb.region", dcc.Dropdown(
            id=control_id("region"), options=_region_options(place, lang), value=place.code, clearable=False,
            searchable=True, placeholder=t("wb.region.search", lang), className="wb-region"), "15rem"),
    ]
    if place.children:
        fields.append(labelled("wb.down", dcc.Dropdown(
            id=control_id("region-child"), options=[{"label": c.name, "value": c.code} for c in place.children],
            value=None, clearable=False, searchable=True,
            placeholder=t("wb.down.placeholder", lang, level=place.child_level_name, n=len(place.children)),
            className="wb-child"), "12rem"))
    if len(spec.frequencies) > 1:
        fields.append(labelled("wb.frequency", dbc.RadioItems(
            id=control_id("frequency"), inline=True, value=q.frequency, className="wb-radio",
            options=[{"label": t(f"wb.frequency.{f}", lang), "value": f} for f in spec.frequencies])))
    fields.append(labelled("wb.period", dcc.Dropdown(
        id=control_id("period"), options=[{"label": p, "value": p} for p in choice.periods], value=choice.chosen,
        clearable=False, searchable=False, className="wb-period"), "8.5rem"))
    starts = trend_starts(choice)
    if starts:
        fields.append(labelled("wb.since", dcc.Dropdown(
            id=control_id("since"), options=[{"label": p, "value": p} for p in starts],
            value=q.since if q.since in starts else None, clearable=False, searchable=False,
            placeholder=t("wb.since.default", lang, n=TREND_PERIODS.get(q.frequency, 12)), className="wb-since"),
            "9.5rem"))
    fields.append(labelled("wb.compare", dbc.RadioItems(
        id=control_id("cmp"), inline=True, value=q.cmp, className="wb-radio",
        options=[{"label": t(f"wb.compare.{c}", lang), "value": c} for c in COMPARISONS])))
    return html.Div(fields, className="wb-filter-bar", id="wb-filter-bar")


def breadcrumbs(spec: PageSpec, q: WorkbenchQuery, place: Place, lang: str) -> html.Nav:
    """The path from the viewer's root to the place; every step up is a link."""
    items = []
    for i, crumb in enumerate(place.path):
        last = i == len(place.path) - 1
        text = f"{crumb.name}"
        items.append(html.Li(
            html.Span(text, className="wb-crumb-here") if last
            else dcc.Link(text, href=page_href(spec, q, region=crumb.code), className="wb-crumb-link"),
            className="breadcrumb-item" + (" active" if last else ""), **({"aria-current": "page"} if last else {})))
    level = html.Span(place.level_name, className="wb-crumb-level ms-2")
    return html.Nav([html.Ol(items, className="breadcrumb mb-0"), level], className="wb-breadcrumbs",
                    id="wb-breadcrumbs", **{"aria-label": t("wb.breadcrumbs", lang)})


def chips(q: WorkbenchQuery, labels: Mapping[str, str], lang: str,
          value_labels: Mapping[str, Mapping[str, str]] | None = None) -> html.Div | None:
    """One chip a cross filter: it names the filter and its value (by `value_labels` where the
    value is an id, a dimension of an index), and its × clears it."""
    if not q.filters:
        return None
    items = [html.Span(t("wb.filtered", lang), className="wb-chips-label")]
    for dim, value in q.filters:
        shown = (value_labels or {}).get(dim, {}).get(value, value)
        items.append(html.Button(
            [html.Span(f"{labels.get(dim, dim)}：{shown}" if lang == "zh" else f"{labels.get(dim, dim)}: {shown}"),
             html.I(className="bi bi-x-lg ms-1", **{"aria-hidden": "true"})],
            id=clear_id(dim), n_clicks=0, className="wb-chip", title=t("wb.clear", lang),
            **{"data-filter": dim}))
    return html.Div(items, className="wb-chips", id="wb-chips")


def not_filtered(ignored: Sequence[str], labels: Mapping[str, str], lang: str, panel_id: str,
                 key: str = "wb.not_filtered") -> html.Div | None:
    """A panel's note naming the cross filters its numbers do not honour (`labels`: the chips'
    names of the dimensions; `key`: a string with a `{filter}` slot); None when it honours them all."""
    if not ignored:
        return None
    names = ("、" if lang == "zh" else ", ").join(labels.get(d, d) for d in ignored)
    return html.Div([html.I(className="bi bi-funnel me-1"), t(key, lang, filter=names)],
                    className="small text-muted wb-not-filtered", id=f"{panel_id}-not-filtered")


def workbench_page(spec: PageSpec, q: WorkbenchQuery, place: Place, choice: PeriodChoice, lang: str, *,
                   title: str, lead: str, body: Any, page_id: str,
                   cross_labels: Mapping[str, str] | None = None, notices: Sequence[Any] = (),
                   value_labels: Mapping[str, Mapping[str, str]] | None = None) -> html.Div:
    """A department page: title, the one line it answers, filter bar, breadcrumbs, chips, notices, body."""
    said = []
    try:  # a page drawn from a stand-in snapshot says so first
        damaged = snapshot_notice(request.reader(lang).provenance(), lang)
    except NoSnapshot:
        damaged = None
    if damaged is not None:
        said.append(damaged)
    if place.asked_out_of_scope:
        said.append(dbc.Alert(t("wb.out_of_scope", lang, name=place.name), color="warning", className="py-2 small",
                              id="wb-out-of-scope"))
    if choice.asked_missing:
        said.append(dbc.Alert(t("wb.period_missing", lang, period=q.period, shown=choice.chosen or "—"),
                              color="info", className="py-2 small", id="wb-period-missing"))
    return html.Div([
        html.Div([html.H2(title, className="page-title"), html.P(lead, className="wb-lead text-muted")],
                 className="wb-head"),
        filter_bar(spec, q, place, choice, lang),
        html.Div([breadcrumbs(spec, q, place, lang), chips(q, cross_labels or {}, lang, value_labels)], className="wb-where"),
        *said, *notices,
        body,
    ], id=page_id, className="wb-page", **{"data-region": place.code, "data-period": choice.chosen or "",
                                           # what the controls were drawn with (the navigation ignores them)
                                           "data-shown-region": place.code, "data-shown-period": choice.chosen or "",
                                           "data-shown-frequency": q.frequency, "data-shown-cmp": q.cmp,
                                           "data-shown-since": q.since or ""})


OUT_OF_THEMES = "wb-out-of-themes"  # the notice of a page outside the viewer's themes


def out_of_themes(title: str, lang: str, page_id: str) -> html.Div:
    """A department page for a viewer outside its themes (`cockpit.views.workbench.in_themes`): its
    title and one line saying so; no filter bar, no numbers, no charts."""
    return html.Div([
        html.Div(html.H2(title, className="page-title"), className="wb-head"),
        dbc.Alert([html.I(className="bi bi-shield-lock me-2"), t("wb.out_of_themes", lang)], color="secondary",
                  className="py-2", id=OUT_OF_THEMES),
    ], id=page_id, className="wb-page")


def panel(title: str, body: Any, *, panel_id: str, footer: Any = None, links: Any = None) -> dbc.Card:
    """One panel: a titled card; `links` sit at the right of the title, `footer` says what the panel does not show."""
    header = html.Div([html.Span(title, className="wb-panel-title"), html.Span(links, className="wb-panel-links")],
                      className="wb-panel-header")
    parts = [dbc.CardHeader(header), dbc.CardBody(body, className="wb-panel-body")]
    if footer:
        parts.append(dbc.CardFooter(footer, className="wb-panel-footer"))
    return dbc.Card(parts, className="family-card wb-panel h-100", id=panel_id)


def change_text(h: Headline, lang: str) -> str:
    """How a headline compares: ▲1.2个百分点, ▼3.4%, 持平 (no change), or "" with nothing to compare."""
    if h.delta is None:
        return ""
    if h.delta == 0:
        return t("wb.flat", lang)
    arrow = "▲" if h.delta > 0 else "▼"
    if h.unit == "%":
        return f"{arrow}{abs(h.delta):.{max(h.decimals, 1)}f}{t('screen.points', lang)}"
    if h.delta_pct is not None:
        return f"{arrow}{abs(h.delta_pct):.1f}%"
    return f"{arrow}{format_value(abs(h.delta), h.unit, h.decimals, lang)}"


def headline_cards(headlines: Sequence[Headline], lang: str) -> html.Div:
    """The page's numbers: the value (a link to the records it counts), its comparison, its name
    (a link to the indicator's page)."""
    cards = []
    for h in headlines:
        value = format_value(h.value, h.unit, h.decimals, lang)
        number = dcc.Link(value, href=h.records, className="wb-kpi-value wb-kpi-records",
                          title=t("wb.records.open", lang)) if h.records and h.value is not None \
            else html.Span(value, className="wb-kpi-value")
        change = change_text(h, lang)
        meta = [html.Span(h.compare_label, className="wb-kpi-cmp me-1"),
                html.Span(change or "—", className=f"wb-tone-{h.tone}")]
        if h.filtered_by:
            meta.append(html.Span(" · " + "、".join(v for _, v in h.filtered_by), className="wb-kpi-filtered"))
        cards.append(html.Div([
            dcc.Link(h.name, href=h.link, className="wb-kpi-name", title=h.name),
            number,
            html.Div(meta, className="wb-kpi-meta"),
        ], className="wb-kpi", **{"data-indicator": h.indicator}))
    return html.Div(cards, className="wb-kpis", id="wb-kpis")


def coverage_alert(coverage: Coverage, spec: PageSpec, q: WorkbenchQuery, lang: str) -> dbc.Alert:
    """Said instead of empty charts: the indicators stop at a higher level; where they have values."""
    parts: list = [html.I(className="bi bi-info-circle me-2"),
                   t("wb.coverage", lang, level=coverage.level_name, deepest=coverage.deepest_level_name)]
    if coverage.nearest is not None:
        parts += [" ", dcc.Link(t("wb.coverage.nearest", lang, name=coverage.nearest.name),
                                href=page_href(spec, q, region=coverage.nearest.code), id="wb-coverage-nearest")]
    if coverage.records:
        parts += [" ", dcc.Link(t("wb.coverage.records", lang), href=coverage.records, id="wb-coverage-records")]
    return dbc.Alert(parts, color="info", className="py-2 small", id="wb-coverage")


def region_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], *, table_id: str,
                 spec: PageSpec | None = None, q: WorkbenchQuery | None = None,
                 links: Mapping[str, str] | None = None) -> dbc.Table:
    """Rows with a `code` and a `name`: with `spec` and `q`, the name drills one level (a link to
    the page at that region); `links` maps a column to the row key holding that cell's link (a
    count that opens its records). Cells are shown as given (format them first)."""
    head = html.Thead(html.Tr([html.Th(label) for _, label in columns]))
    body = []
    for row in rows:
        cells = []
        for key, _label in columns:
            value = row.get(key, "")
            href = row.get(links[key]) if links and key in links else None
            if key == "name" and spec is not None and q is not None and row.get("code"):
                cell = dcc.Link(value, href=page_href(spec, q, region=row["code"]), className="wb-drill")
            elif href:
                cell = dcc.Link(value, href=href, className="wb-records-link")
            else:
                cell = value
            cells.append(html.Td(cell, className="text-end" if key != "name" else None))
        body.append(html.Tr(cells, **({"data-region": row["code"]} if row.get("code") else {})))
    return dbc.Table([head, html.Tbody(body)], className="wb-table mb-0", size="sm", hover=True, id=table_id)


# -- where a click goes ------------------------------------------------------------------------

# One function for every control, chart and chip of every department page: read what was chosen
# or clicked, change the current address accordingly, and hand it to the shell's Location.
NAVIGATE_JS = """
function(values, clicks, clears) {
    const ctx = window.dash_clientside.callback_context;
    const none = window.dash_clientside.no_update;
    if (!ctx.triggered || !ctx.triggered.length) { return none; }
    const fired = ctx.triggered[0];
    let id;
    try { id = JSON.parse(fired.prop_id.slice(0, fired.prop_id.lastIndexOf('.'))); } catch (e) { return none; }
    const url = new URL(window.location.href);
    const q = url.searchParams;
    const drill = (code) => { if (!/^[0-9]{1,20}$/.test(code)) { return false; } q.set('region', code); return true; };
    if (id.wb === 'set') {
        const value = fired.value;
        if (value === null || value === undefined || value === '') { return none; }
        const key = id.key === 'region-child' ? 'region' : id.key;
        // a control reporting the value it was drawn with (Dash's dropdown does, on mount) is no choice
        const page = document.querySelector('.wb-page');
        const shown = page ? page.dataset['shown' + key.charAt(0).toUpperCase() + key.slice(1)] : undefined;
        if (q.get(key) === String(value) || shown === String(value)) { return none; }
        q.set(key, String(value));
        if (key === 'frequency') { q.delete('period'); q.delete('since'); }
    } else if (id.wb === 'clear') {
        if (!fired.value) { return none; }
        q.delete(id.key);
    } else if (id.wb === 'go') {
        const click = fired.value;
        const point = click && click.points && click.points[0];
        let target = point && point.customdata;
        if (Array.isArray(target)) { target = target[0]; }
        if (typeof target !== 'string') { return none; }
        if (target.startsWith('href:')) { return target.slice(5); }
        if (target.startsWith('filter:')) {
            const rest = target.slice(7), cut = rest.indexOf(':');
            if (cut < 1) { return none; }
            const dim = rest.slice(0, cut), value = rest.slice(cut + 1);
            if (q.get(dim) === value) { q.delete(dim); } else { q.set(dim, value); }
        } else if (!drill(target.startsWith('region:') ? target.slice(7) : target)) {
            return none;
        }
    } else {
        return none;
    }
    url.search = q.toString();
    return url.pathname + url.search;
}
"""

MAP_DRILL_JS = """
function(code) {
    if (typeof code !== 'string' || !/^[0-9]{1,20}$/.test(code)) { return window.dash_clientside.no_update; }
    const url = new URL(window.location.href);
    if (url.searchParams.get('region') === code) { return window.dash_clientside.no_update; }
    url.searchParams.set('region', code);
    return url.pathname + '?' + url.searchParams.toString();
}
"""


def register_callbacks(app: dash.Dash) -> None:
    app.clientside_callback(
        NAVIGATE_JS, Output(NAV, "href", allow_duplicate=True),
        Input({"wb": "set", "key": ALL}, "value"), Input({"wb": "go", "panel": ALL}, "clickData"),
        Input({"wb": "clear", "key": ALL}, "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(MAP_DRILL_JS, Output(NAV, "href", allow_duplicate=True),
                            Input(click_id(MAP_ID), "data"), prevent_initial_call=True)

    @app.callback(Output(control_id("region"), "options"), Input(control_id("region"), "search_value"),
                  State(control_id("region"), "options"), prevent_initial_call=True)
    def _search_regions(text: Any, shown: Any):
        """Typed into the region picker: the regions of the viewer's subtree that match, by name or code."""
        if not isinstance(text, str) or not text.strip():
            return dash.no_update
        lang = current_lang()
        try:
            found = request.reader(lang).search_regions(text, limit=SEARCH_LIMIT)
        except NoSnapshot:
            return dash.no_update
        options = [{"label": f"{r['name_en'] if lang == 'en' and r['name_en'] else r['name']} · "
                             f"{level_name(r['level'], lang)} · {r['code']}",
                    "value": r["code"]} for r in found.to_dict("records")]
        kept = [o for o in (shown if isinstance(shown, list) else []) if isinstance(o, dict)][:1]  # the current region
        return kept + [o for o in options if not kept or o["value"] != kept[0].get("value")]
