"""基础设施与数字政府: the sensing network, the government cloud and data platform, and security
events at one place and period, drawn from the URL alone (`cockpit.views.workbench`).

`/infrastructure?region=330100&period=2026-10&sensor_type=水位` is the whole state: a bar or a row
drills into its region, a sensor type (click its bar) narrows the sensor counts by region.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import infrastructure_view as iv
from cockpit.ui import params, request
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.index_view import sized_graph
from cockpit.ui.workbench import (
    coverage_alert,
    headline_cards,
    out_of_themes,
    panel,
    region_table,
    workbench_page,
)
from cockpit.views import workbench as wb
from cockpit.views.infrastructure import (
    HEADLINES,
    LEAD,
    SENSOR_REGION_INDICATORS,
    SENSOR_TYPE,
    SENSOR_TYPES,
    infrastructure_view,
    sensor_type_name,
)

ID = "infra"
SPEC = wb.PageSpec(path="/infrastructure", lead=LEAD, frequencies=("month", "year"), cross=(SENSOR_TYPE,),
                   themes=("infrastructure",))

dash.register_page(__name__, path="/infrastructure", name="基础设施与数字政府", order=60, icon="bi-hdd-network",
                   label={"zh": "基础设施", "en": "Infrastructure"},
                   title="基础设施与数字政府 · 城市数字驾驶舱", kept=True, themes=SPEC.themes)


def layout(lang: str | None = None, **query):
    lang = current_lang(params.one(lang))
    q = wb.parse_query(query, SPEC)
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return dbc.Alert(t("home.systems.none", lang), color="info", id=f"{ID}-page")
    if not wb.in_themes(reader.viewer, SPEC.themes):
        return out_of_themes(t("infra.title", lang), lang, f"{ID}-page")
    try:
        reader.indicator(LEAD)
    except KeyError:  # a snapshot without the system (computed before it existed)
        return dbc.Alert(t("home.systems.none", lang), color="info", id=f"{ID}-page")
    where = wb.place(reader, q.region)
    choice = wb.period_choice(reader, LEAD, q.frequency, q.period)
    notices = []
    sensor_type = q.filter(SENSOR_TYPE)
    if sensor_type is not None and sensor_type not in SENSOR_TYPES:
        notices.append(dbc.Alert(f"{t('infra.sensor_type', lang)} ({SENSOR_TYPE}): {sensor_type!r} — "
                                 + "、".join(SENSOR_TYPES), color="warning", className="py-2 small",
                                 id=f"{ID}-bad-type"))
        q = q.changed(filters={SENSOR_TYPE: None})
        sensor_type = None
    frame = dict(title=t("infra.title", lang), lead=t("infra.lead", lang), page_id=f"{ID}-page",
                 cross_labels={SENSOR_TYPE: t("infra.sensor_type", lang)}, notices=notices)
    if choice.chosen is None:
        return workbench_page(SPEC, q, where, choice, lang, body=dbc.Alert(t("infra.none", lang), color="info"),
                              **frame)
    children = [(c.code, c.name) for c in where.children]
    view = infrastructure_view(reader, where.code, where.level, children,
                               where.children[0].level if where.children else None, choice.frequency, choice.chosen,
                               sensor_type, q.since)
    return workbench_page(SPEC, q, where, choice, lang, body=_body(reader, view, where, q, choice, lang), **frame)


def _records(reader, q, frequency, period):
    def href(indicator: str, region: str) -> str | None:
        if indicator not in ("sensors_in_alarm", "security_events", "security_events_high"):
            return None
        return wb.records_href(indicator, region, frequency, period) if wb.has_records(reader, indicator) else None
    return href


def _body(reader, view, where, q, choice, lang):
    parts = []
    shown = [i for i in HEADLINES if wb.defined_at(reader, i, where.level)]
    if shown:
        parts.append(headline_cards(wb.headlines(reader, shown, where, q, choice), lang))
    covered = wb.coverage(reader, list(SENSOR_REGION_INDICATORS), where, records_feed="iot_sensors")
    if covered is not None:
        parts.append(coverage_alert(covered, SPEC, q, lang))
    records = _records(reader, q, view.frequency, view.period)
    level = where.child_level_name or ""

    # sensors: by type (the cross filter) and by region
    status = view.sensors
    types = html.Div(sized_graph(f"{ID}-types", iv.sensor_types_figure(status, lang)), id=f"{ID}-types-graph") \
        if status.by_type else dbc.Alert(t("infra.types.none", lang), color="light", className="small")
    if status.sensor_type is not None or view.sensor_regions is None:
        title = t("infra.regions.type", lang, level=level, type=sensor_type_name(status.sensor_type, lang)) \
            if status.sensor_type else t("infra.regions.type", lang, level=level, type="")
        by_region = region_table(iv.sensor_region_rows(status, lang), iv.sensor_region_columns(lang),
                                 table_id=f"{ID}-sensor-regions", spec=SPEC, q=q) if status.by_region else \
            dbc.Alert(t("infra.types.none", lang), color="light", className="small")
    else:
        title = t("infra.regions", lang, level=level, period=view.period)
        by_region = iv.indicator_table(view.sensor_regions, lang, table_id=f"{ID}-sensor-regions", spec=SPEC, q=q,
                                       records=records)
    sensor_row = [dbc.Col(panel(t("infra.types", lang), types, panel_id=f"{ID}-types-panel",
                                footer=t("infra.types.note", lang)), lg=5)]
    if where.children:
        sensor_row.append(dbc.Col(panel(title, html.Div(by_region, style={"maxHeight": "420px", "overflowY": "auto"}),
                                        panel_id=f"{ID}-sensor-regions-panel"), lg=7))
    parts.append(dbc.Row(sensor_row, className="g-3 mb-3"))

    # cloud and data platform (province and city only)
    if view.platform:
        cloud = [s for s in view.platform if s.unit == "%"]
        data = [s for s in view.platform if s.unit != "%"]
        row = [dbc.Col(panel(t("infra.cloud", lang), iv.trend(f"{ID}-cloud", tuple(cloud), lang),
                             panel_id=f"{ID}-cloud-panel"), lg=6)]
        if data:
            row.append(dbc.Col(panel(t("infra.data", lang), html.Div(
                [iv.trend(f"{ID}-data-{s.indicator}", (s,), lang, height=140, title=True) for s in data]),
                panel_id=f"{ID}-data-panel"), lg=6))
        parts.append(html.H5(t("infra.platform", lang), className="mt-2"))
        parts.append(dbc.Row(row, className="g-3 mb-3"))
        if view.platform_regions is not None:
            parts.append(panel(t("infra.platform_regions", lang, period=view.period),
                               iv.indicator_table(view.platform_regions, lang, table_id=f"{ID}-platform-regions",
                                                  spec=SPEC, q=q), panel_id=f"{ID}-platform-regions-panel"))
    else:
        parts.append(dbc.Alert(t("infra.platform.below", lang, level=where.level_name), color="info",
                               className="py-2 small", id=f"{ID}-platform-below"))

    # security events
    if view.security:
        counts = tuple(s for s in view.security if s.unit != "%")
        rate = tuple(s for s in view.security if s.unit == "%")
        row = [dbc.Col(panel(t("infra.security", lang), html.Div([
            iv.trend(f"{ID}-security", counts, lang, height=220), iv.trend(f"{ID}-security-rate", rate, lang, height=160, title=True)]),
            panel_id=f"{ID}-security-panel", footer=t("infra.security.note", lang)), lg=6)]
        if view.security_regions is not None:
            row.append(dbc.Col(panel(t("infra.security_regions", lang, level=level, period=view.period),
                                     html.Div(iv.indicator_table(view.security_regions, lang,
                                                                 table_id=f"{ID}-security-regions", spec=SPEC, q=q,
                                                                 records=records),
                                              style={"maxHeight": "420px", "overflowY": "auto"}),
                                     panel_id=f"{ID}-security-regions-panel"), lg=6))
        parts.append(dbc.Row(row, className="g-3 mt-2 mb-4"))
    elif covered is None:
        parts.append(dbc.Alert(t("infra.none", lang), color="info", className="py-2 small"))
    return html.Div(parts, id=f"{ID}-body")


