"""Home: each indicator system's headline values, and what the cockpit holds — feeds by family with
rows and freshness, and the regions. Drawn from the home view model (`cockpit.views.home`)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import request
from cockpit.ui.format import change_class, format_number, format_time, format_value
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.params import one
from cockpit.ui.shell import snapshot_notice
from cockpit.views.home import (
    FeedFamily,
    FeedOverview,
    Headline,
    HomeView,
    RegionOverview,
    home_view,
)

dash.register_page(__name__, path="/", name="首页", order=0, icon="bi-house",
                   label={"zh": "首页", "en": "Home"}, title="城市数字驾驶舱", kept=True)

FAMILY_ICONS = {"economy": "bi-graph-up-arrow", "governance": "bi-people",
                "environment": "bi-tree", "infrastructure": "bi-hdd-network"}


def _kpi(label: str, value: str, icon: str, kpi_id: str):
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div([html.I(className=f"bi {icon} me-2"), label], className="kpi-label"),
        html.Div(value, className="kpi-value", id=f"home-kpi-{kpi_id}"),
    ]), className="kpi-card h-100"), md=True, sm=6, xs=12, className="mb-3")


def _family_card(family: FeedFamily, lang: str):
    body = [html.Tr([
        html.Td([html.Div(feed.label, className="fw-semibold"), html.Code(feed.table, className="small text-muted")]),
        html.Td(format_number(feed.rows, 0, lang), className="text-end font-monospace", **{"data-rows": str(feed.rows)}),
        html.Td(format_time(feed.latest, feed.time_type), className="text-end font-monospace small"),
        html.Td(format_number(feed.quarantined, 0, lang) if feed.quarantined else "0",
                className="text-end font-monospace" + (" text-danger" if feed.quarantined else " text-muted")),
    ], id=f"home-feed-{feed.table}") for feed in family.feeds]
    head = html.Thead(html.Tr([
        html.Th(t("home.col.table", lang)), html.Th(t("home.col.rows", lang), className="text-end"),
        html.Th(t("home.col.latest", lang), className="text-end"),
        html.Th(t("home.col.quarantined", lang), className="text-end"),
    ]))
    return dbc.Card([
        dbc.CardHeader([html.I(className=f"bi {FAMILY_ICONS.get(family.family, 'bi-database')} me-2"), family.label],
                       className="fw-bold"),
        dbc.Table([head, html.Tbody(body)], hover=True, size="sm", className="mb-0 feed-table"),
    ], className="mb-3 h-100 family-card", id=f"home-family-{family.family}")


def _headline_item(item: Headline, lang: str):
    value = format_value(item.value, item.unit, item.decimals, lang)
    previous = format_value(item.previous_value, item.unit, item.decimals, lang)
    badge = html.Span(t("value.provisional", lang), className="badge text-bg-light ms-1") if item.provisional else None
    name = t("value.leader", lang, name=item.name, leader=item.leader) if item.leader else item.name
    return html.Div([
        html.Div(name, className="headline-name"),
        html.Div([html.Span(value, className="headline-value"), badge], id=f"home-value-{item.indicator}"),
        html.Div([html.Span(item.period or "—", className="me-2"),
                  html.Span(t("value.previous", lang, value=previous),
                            className=change_class(item.value, item.previous_value, item.polarity))],
                 className="headline-meta"),
    ], className="headline-item")


def _systems_section(view: HomeView, lang: str):
    cards = [dbc.Col(dbc.Card([
        dbc.CardHeader([html.Span(system.name, className="fw-bold"),
                        html.Span(t("home.systems.count", lang, n=system.indicator_count),
                                  className="small text-muted ms-2")]),
        dbc.CardBody([_headline_item(h, lang) for h in system.headlines], className="headline-grid"),
    ], className="h-100 family-card", id=f"home-system-{system.system}"), lg=4, md=6, className="mb-3")
        for system in view.systems]
    if not cards:  # a department of no theme (data/departments.yaml): say so rather than show nothing
        cards = [dbc.Col(dbc.Alert([html.I(className="bi bi-shield-lock me-2"), t("home.systems.no_themes", lang)],
                                   color="secondary", className="py-2", id="home-no-themes"))]
    made = view.provenance.created_at.strftime("%Y-%m-%d %H:%M:%S") if view.provenance.created_at is not None else ""
    return html.Div([
        snapshot_notice(view.provenance, lang),
        dbc.Row(cards),
        html.Div(t("home.snapshot", lang, id=view.provenance.snapshot_id, time=made), className="small text-muted"),
    ])


def _kpis(feeds: FeedOverview, regions: RegionOverview, lang: str):
    return dbc.Row([
        _kpi(t("home.kpi.tables", lang), f"{feeds.tables_loaded} / {feeds.tables}", "bi-table", "tables"),
        _kpi(t("home.kpi.rows", lang), format_number(feeds.rows, 0, lang), "bi-database", "rows"),
        _kpi(t("home.kpi.latest", lang), format_time(feeds.latest, "timestamp"), "bi-clock", "latest"),
        _kpi(t("home.kpi.quarantined", lang), format_number(feeds.quarantined, 0, lang), "bi-shield-exclamation",
             "quarantined"),
        _kpi(t("home.kpi.regions", lang), format_number(regions.total, 0, lang), "bi-geo-alt", "regions"),
    ], className="g-3")


def _footer(feeds: FeedOverview, regions: RegionOverview, lang: str):
    levels = " · ".join(t("home.regions.level", lang, level=t(f"level.{level}", lang), n=n) for level, n in regions.levels)
    footer = [html.Div(t("home.regions.caption", lang, levels=levels), className="small text-muted")]
    if regions.map_notice:
        footer.append(html.Div([html.I(className="bi bi-map me-1"), regions.map_notice], className="small text-muted"))
    if feeds.last_ingest:
        ingest = feeds.last_ingest
        footer.append(html.Div(t("home.last_ingest", lang, table=ingest.table, time=ingest.time[:19].replace("T", " "),
                                 loaded=ingest.loaded), className="small text-muted"))
    return html.Div(footer, className="mt-2 mb-4")


def layout(lang: str | None = None, **_query):
    lang = current_lang(one(lang))
    heading = [html.H2(t("home.systems.title", lang), className="page-title"),
               html.P(t("home.systems.lead", lang), className="text-muted")]
    try:
        view = home_view(request.reader(lang))
    except NoSnapshot:  # nothing computed yet: nothing to show but how to compute it
        return html.Div([*heading, dbc.Alert(t("home.systems.none", lang), color="info", id="home-no-snapshot")],
                        id="home-page")
    empty = None if view.feeds.tables_loaded else dbc.Alert(t("home.empty", lang), color="info", id="home-empty")
    return html.Div([
        *heading,
        _systems_section(view, lang),
        html.H2(t("home.title", lang), className="page-title mt-4"),
        html.P(t("home.lead", lang), className="text-muted"),
        empty, _kpis(view.feeds, view.regions, lang),
        dbc.Row([dbc.Col(_family_card(family, lang), lg=6, className="mb-3") for family in view.feeds.families]),
        _footer(view.feeds, view.regions, lang),
    ], id="home-page")
