"""Home: what the cockpit holds — feeds by family with rows and freshness, and the regions."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from cockpit.query.lake import feed_status, last_ingest
from cockpit.query.snapshot import NoSnapshot, current_snapshot
from cockpit.regions import LEVELS, load_hierarchy
from cockpit.regions.geometry import geometry_notice
from cockpit.ui.format import change_class, format_time, format_value
from cockpit.ui.i18n import current_lang, format_count, in_language, t
from cockpit.ui.params import one
from cockpit.ui.shell import snapshot_notice

dash.register_page(__name__, path="/", name="首页", order=0, icon="bi-house",
                   label={"zh": "首页", "en": "Home"}, title="城市数字驾驶舱")

FAMILY_ICONS = {"economy": "bi-graph-up-arrow", "governance": "bi-people",
                "environment": "bi-tree", "infrastructure": "bi-hdd-network"}


def _kpi(label: str, value: str, icon: str, kpi_id: str):
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div([html.I(className=f"bi {icon} me-2"), label], className="kpi-label"),
        html.Div(value, className="kpi-value", id=f"home-kpi-{kpi_id}"),
    ]), className="kpi-card h-100"), md=True, sm=6, xs=12, className="mb-3")


def _family_card(family: str, rows, lang: str):
    header = rows.iloc[0][f"family_{lang}"]
    body = [html.Tr([
        html.Td([html.Div(r[f"label_{lang}"], className="fw-semibold"),
                 html.Code(r["table"], className="small text-muted")]),
        html.Td(format_count(r["rows"], lang), className="text-end font-monospace", **{"data-rows": str(r["rows"])}),
        html.Td(format_time(r["latest"], r["time_type"]), className="text-end font-monospace small"),
        html.Td(format_count(r["quarantined"], lang) if r["quarantined"] else "0",
                className="text-end font-monospace" + (" text-danger" if r["quarantined"] else " text-muted")),
    ], id=f"home-feed-{r['table']}") for _, r in rows.iterrows()]
    head = html.Thead(html.Tr([
        html.Th(t("home.col.table", lang)), html.Th(t("home.col.rows", lang), className="text-end"),
        html.Th(t("home.col.latest", lang), className="text-end"),
        html.Th(t("home.col.quarantined", lang), className="text-end"),
    ]))
    return dbc.Card([
        dbc.CardHeader([html.I(className=f"bi {FAMILY_ICONS.get(family, 'bi-database')} me-2"), header],
                       className="fw-bold"),
        dbc.Table([head, html.Tbody(body)], hover=True, size="sm", className="mb-0 feed-table"),
    ], className="mb-3 h-100 family-card", id=f"home-family-{family}")


def _headline_item(row, lang: str):
    value = format_value(row["value"], row["unit"], row["decimals"], lang)
    previous = format_value(row["previous_value"], row["unit"], row["decimals"], lang)
    badge = html.Span(t("value.provisional", lang), className="badge text-bg-light ms-1") if row.get("provisional") is True else None
    name = row[f"name_{lang}"]
    if row.get("leader"):
        name = t("value.leader", lang, name=name, leader=row["leader"])
    return html.Div([
        html.Div(name, className="headline-name"),
        html.Div([html.Span(value, className="headline-value"), badge], id=f"home-value-{row['indicator']}"),
        html.Div([html.Span(str(row["period"]) if isinstance(row["period"], str) else "—", className="me-2"),
                  html.Span(t("value.previous", lang, value=previous),
                            className=change_class(row["value"], row["previous_value"], row["polarity"]))],
                 className="headline-meta"),
    ], className="headline-item")


def _systems_section(lang: str, root: str):
    try:
        snap = current_snapshot()
    except NoSnapshot:
        return dbc.Alert(t("home.systems.none", lang), color="info", id="home-no-snapshot")
    systems = snap.systems()
    headlines = in_language(snap.headlines(root), lang, "leader")
    cards = []
    for _, system in systems.iterrows():
        rows = headlines[headlines["system"] == system["system"]]
        cards.append(dbc.Col(dbc.Card([
            dbc.CardHeader([html.Span(system[f"name_{lang}"], className="fw-bold"),
                            html.Span(t("home.systems.count", lang, n=int(system["indicators"])),
                                      className="small text-muted ms-2")]),
            dbc.CardBody([_headline_item(r, lang) for _, r in rows.iterrows()], className="headline-grid"),
        ], className="h-100 family-card", id=f"home-system-{system['system']}"), lg=4, md=6, className="mb-3"))
    meta = snap.meta()
    return html.Div([
        snapshot_notice(snap, lang),
        dbc.Row(cards),
        html.Div(t("home.snapshot", lang, id=snap.id, time=meta.get("created_at", "").replace("T", " ")),
                 className="small text-muted"),
    ])


def layout(lang: str | None = None, **_query):
    lang = current_lang(one(lang))
    status = feed_status()
    hierarchy = load_hierarchy()
    loaded = status[status["rows"] > 0]
    latest = status.dropna(subset=["latest"]).sort_values("latest").tail(1)
    counts = {lvl: len(hierarchy.at_level(lvl)) for lvl in LEVELS}
    kpis = dbc.Row([
        _kpi(t("home.kpi.tables", lang), f"{len(loaded)} / {len(status)}", "bi-table", "tables"),
        _kpi(t("home.kpi.rows", lang), format_count(int(status["rows"].sum()), lang), "bi-database", "rows"),
        _kpi(t("home.kpi.latest", lang),
             format_time(latest["latest"].iloc[0], "timestamp") if len(latest) else "—", "bi-clock", "latest"),
        _kpi(t("home.kpi.quarantined", lang), format_count(int(status["quarantined"].sum()), lang),
             "bi-shield-exclamation", "quarantined"),
        _kpi(t("home.kpi.regions", lang), format_count(len(hierarchy), lang), "bi-geo-alt", "regions"),
    ], className="g-3")
    families = dbc.Row([
        dbc.Col(_family_card(family, rows, lang), lg=6, className="mb-3")
        for family, rows in status.groupby("family", sort=False)
    ])
    notice = geometry_notice()
    ingest = last_ingest()
    footer = [html.Div(t("home.regions.caption", lang, **counts), className="small text-muted")]
    if notice.get(lang):
        footer.append(html.Div([html.I(className="bi bi-map me-1"), notice[lang]], className="small text-muted"))
    if ingest:
        footer.append(html.Div(t("home.last_ingest", lang, table=ingest.get("table", ""),
                                 time=str(ingest.get("time", ""))[:19].replace("T", " "),
                                 loaded=ingest.get("loaded", 0)), className="small text-muted"))
    empty = None if len(loaded) else dbc.Alert(t("home.empty", lang), color="info", id="home-empty")
    root = hierarchy.roots()[0].code
    return html.Div([
        html.H2(t("home.systems.title", lang), className="page-title"),
        html.P(t("home.systems.lead", lang), className="text-muted"),
        _systems_section(lang, root),
        html.H2(t("home.title", lang), className="page-title mt-4"),
        html.P(t("home.lead", lang), className="text-muted"),
        empty, kpis, families, html.Div(footer, className="mt-2 mb-4"),
    ], id="home-page")
