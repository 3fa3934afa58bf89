"""明细记录: the rows behind a number, at /records?indicator=..&region=..&frequency=..&period=..
(plus `key=numerator|denominator` for a rate's parts, `sort=col:asc` and cross-filters
`<column>=<value>`), or a region's own rows of a feed at /records?feed=..&region=...

The page is a function of its URL: the layout draws the title, the record sets, the count beside
the indicator value, the cross-filter chips and the masking note; the grid (AG Grid, infinite row
model) asks the server for each block of rows (`_rows`), which answers through the reader, and
the same callback points the export links at exactly what the grid shows.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from cockpit.query.reader import OutOfScope, OutOfTheme
from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import access, params, records_view, request
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.shell import snapshot_notice
from cockpit.views.records import parse_records_query, records_query_string
from cockpit.views.records import records_view as build_view

dash.register_page(__name__, path="/records", name="明细记录", order=90, icon="bi-table", nav=False,
                   label={"zh": "明细记录", "en": "Records"}, title="明细记录 · 城市数字驾驶舱")

ID = "records"
QUERY = f"{ID}-query"  # the page's records query, as its URL's query string


def layout(**query):
    lang = current_lang(params.one(query.get("lang")))
    q = parse_records_query(query)
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return dbc.Alert(t("records.no_snapshot", lang), color="info", id=f"{ID}-page")
    if not q.indicator and not q.feed:
        return _refused(t("records.bad_query.missing", lang), lang)
    try:
        view = build_view(reader, q, offset=0, limit=0)
    except OutOfScope:
        return _refused(t("records.bad_query.scope", lang), lang)
    except OutOfTheme:  # an indicator or feed of another department's theme: refused as a region out of scope is
        return _refused(t("records.bad_query.theme", lang), lang)
    except KeyError as error:
        known = q.indicator is not None and records_view.visible_indicator(reader, q.indicator)
        problem = records_view.problem_text(error)
        return _refused(problem if known else f"{t('records.bad_query.indicator', lang)} ({problem})", lang)
    except ValueError as error:
        return _refused(records_view.problem_text(error), lang)
    shown = view.query  # region, frequency, period and record set filled in
    return html.Div([
        snapshot_notice(reader.provenance(), lang),
        dcc.Store(id=QUERY, data=records_query_string(shown)),
        records_view.records_page(view, shown, reader, lang, grid=dag.AgGrid(
            id=records_view.GRID, **records_view.page_grid_props(view, shown, reader, lang))),
    ], id=f"{ID}-page")


def _refused(problem: str, lang: str):
    return html.Div([
        html.H2(t("records.page_title", lang), className="page-title"),
        dbc.Alert([html.I(className="bi bi-exclamation-triangle me-2"), t("records.bad_query", lang, problem=problem)],
                  color="warning", id=f"{ID}-problem-page"),
    ], id=f"{ID}-page")


@callback(Output(records_view.GRID, "getRowsResponse"), Output(f"{ID}-export-xlsx", "href"),
          Output(f"{ID}-export-csv", "href"), Output(f"{ID}-export", "className"),
          Output(f"{ID}-grid-count", "children"), Output(f"{ID}-grid-problem", "children"),
          Output(f"{ID}-grid-problem", "is_open"),
          Input(records_view.GRID, "getRowsRequest"), State(QUERY, "data"), prevent_initial_call=True)
def _rows(asked, query_string):
    """One block of rows for the grid, and the export links of what it now shows."""
    lang = current_lang()
    text = params.one(query_string, "") or ""
    q = parse_records_query({k: v[0] if len(v) == 1 else v for k, v in parse_qs(text).items()})
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return ({"rowData": [], "rowCount": 0}, dash.no_update, dash.no_update, dash.no_update, "",
                t("records.no_snapshot", lang), True)
    answer = records_view.grid_rows(reader, q, asked)
    if answer.total is not None and isinstance(asked, dict) and not asked.get("startRow"):
        # each new list is audited once, when its first block is sent (scrolling on is the same view)
        access.audit_access("records_view", q.indicator or q.feed,
                            {**access.query_details(answer.shown or q), "rows": answer.total,
                             "snapshot": reader.snapshot_id})
    return records_view.grid_outputs(answer, q, lang)


clientside_callback(
    """function(n) { if (n) { window.history.back(); } return window.dash_clientside.no_update; }""",
    Output(f"{ID}-back", "n_clicks"), Input(f"{ID}-back", "n_clicks"), prevent_initial_call=True)
