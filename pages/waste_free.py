"""无废指数: a group of peers on the Waste-Free Index (the 11 cities, or the counties of a city) and
one of them taken apart, drawn from the URL alone (`cockpit.views.workbench`).

`/waste-free?region=330600&frequency=year&period=2025&dimension=wfi_hazardous` is the whole state:
a click on a bar, a heatmap row or a rank line drills into that region, a dimension (heatmap
header, radar point) filters the ranking, heatmap, rank movement and explanations by it.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import index_view, params, request
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.workbench import (
    coverage_alert,
    headline_cards,
    out_of_themes,
    panel,
    workbench_page,
)
from cockpit.views import workbench as wb
from cockpit.views.index import DIMENSION, WASTE_FREE_INDEX, dimension_choices, waste_free_view

INDEX = WASTE_FREE_INDEX
ID = "wfi"  # the page's element ids start with it
SPEC = wb.PageSpec(path="/waste-free", lead=INDEX, frequencies=("month", "year"), cross=(DIMENSION,),
                   themes=("waste_free",))

dash.register_page(__name__, path="/waste-free", name="无废指数", order=50, icon="bi-recycle",
                   label={"zh": "无废指数", "en": "Waste-Free Index"}, title="无废指数 · 城市数字驾驶舱", kept=True,
                   themes=SPEC.themes)


def layout(lang: str | None = None, **query):
    lang = current_lang(params.one(lang))
    q = wb.parse_query(query, SPEC)
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return dbc.Alert(t("home.systems.none", lang), color="info", id=f"{ID}-page")
    if not wb.in_themes(reader.viewer, SPEC.themes):
        return out_of_themes(t("wf.title", lang), lang, f"{ID}-page")
    try:
        reader.indicator(INDEX)
    except KeyError:  # a snapshot without the index (computed before it existed)
        return dbc.Alert(t("home.systems.none", lang), color="info", id=f"{ID}-page")
    where = wb.place(reader, q.region)
    choice = wb.period_choice(reader, INDEX, q.frequency, q.period)
    dims = dict(dimension_choices(reader))
    notices = []
    dimension = q.filter(DIMENSION)
    if dimension is not None and dimension not in dims:
        notices.append(dbc.Alert(f"{t('wf.dimension', lang)} ({DIMENSION}): {dimension!r} — "
                                 + ", ".join(f"{k} {v}" for k, v in dims.items()),
                                 color="warning", className="py-2 small", id=f"{ID}-bad-dimension"))
        q = q.changed(filters={DIMENSION: None})
        dimension = None
    labels = {DIMENSION: t("wf.dimension", lang)}
    frame = dict(title=t("wf.title", lang), lead=t("wf.lead", lang), page_id=f"{ID}-page", cross_labels=labels,
                 notices=notices, value_labels={DIMENSION: dims})
    covered = wb.coverage(reader, [INDEX], where)
    if covered is not None and not where.children:
        return workbench_page(SPEC, q, where, choice, lang, body=coverage_alert(covered, SPEC, q, lang), **frame)
    view = waste_free_view(reader, where.code, where.level, where.parent.code if where.parent else None,
                           where.children[0].level if where.children else None, choice.frequency, choice.chosen,
                           dimension, where.child_level_name if covered is None and where.children else "")
    if view is None:
        body = coverage_alert(covered, SPEC, q, lang) if covered is not None else \
            dbc.Alert(t("wf.none", lang), color="info", id=f"{ID}-none")
        return workbench_page(SPEC, q, where, choice, lang, body=body, **frame)
    return workbench_page(SPEC, q, where, choice, lang, body=_body(reader, view, where, q, choice, lang), **frame)


def _body(reader, view, where, q, choice, lang):
    def region_href(code: str) -> str:
        return wb.page_href(SPEC, q, region=code)

    def dimension_href(dim: str | None) -> str:
        return wb.page_href(SPEC, q, filters={DIMENSION: dim})

    subject = view.detail.region
    group_level = view.group_level_name or wb.level_name(reader.region(view.ranking.rows[0].region)["level"], lang)
    parts = []
    if wb.defined_at(reader, INDEX, where.level):
        shown = [INDEX] + ([view.dimension] if view.dimension else [])
        parts.append(headline_cards(wb.headlines(reader, shown, where, q, choice), lang))
    note = None
    if subject != where.code:
        note = dbc.Alert(t("wf.leader_note", lang, group=where.name, name=view.detail.name), color="light",
                         className="py-1 small mb-2", id=f"{ID}-leader-note")
    ranking = html.Div(index_view.sized_graph(f"{ID}-ranking", index_view.ranking_figure(view.ranking, lang)),
                       id=f"{ID}-ranking-graph")
    parts.append(dbc.Row([
        dbc.Col(panel(t("wf.ranking", lang, group=view.group_name, level=group_level, indicator=view.indicator_name),
                      ranking, panel_id=f"{ID}-ranking"), lg=4),
        dbc.Col(panel(t("wf.radar", lang, name=view.radar.name),
                      html.Div(index_view.sized_graph(f"{ID}-radar", index_view.radar_figure(view.radar, lang, view.dimension)),
                               id=f"{ID}-radar-graph"),
                      panel_id=f"{ID}-radar", footer=t("wf.radar.note", lang)), lg=4),
        dbc.Col(panel(t("wf.history", lang, n=len(view.history.periods), indicator=view.indicator_name),
                      html.Div(index_view.sized_graph(f"{ID}-history", index_view.history_figure(view.history, subject, lang)),
                               id=f"{ID}-history-graph"),
                      panel_id=f"{ID}-history"), lg=4),
    ], className="g-3 mb-3"))
    parts.append(panel(t("wf.heatmap", lang, n=len(view.heatmap.columns)),
                       index_view.heatmap_table(view.heatmap, subject, view.dimension, lang, region_href=region_href,
                                                dimension_href=dimension_href, table_id=f"{ID}-heatmap"),
                       panel_id=f"{ID}-heatmap-panel", footer=t("wf.heatmap.note", lang)))
    parts.append(dbc.Row([
        dbc.Col(panel(t("wf.detail", lang, name=view.detail.name),
                      html.Div([note, index_view.detail_panel(view.detail, lang, ID, open_indicators=False)]), panel_id=f"{ID}-detail"),
                lg=6),
        dbc.Col(panel(t("wf.explained", lang, period=view.period),
                      index_view.explained_list(view.explained, subject, view.ranking.unit, view.ranking.decimals,
                                                lang, region_href=region_href, list_id=f"{ID}-explained"),
                      panel_id=f"{ID}-explained-panel"), lg=6),
    ], className="g-3 mt-0 mb-4"))
    return html.Div(parts, id=f"{ID}-body")
