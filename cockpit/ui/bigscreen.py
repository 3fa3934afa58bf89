"""The leaders' big screen (大屏): a fixed 1920×1080 canvas, scaled to the display by assets/bigscreen.js.

Everything on it comes from the published indicator snapshot (numbers, the hotline's categories,
the sensors on the map), so the whole screen shows one moment; each panel says which period. The screen is scoped
to a region: the province by default, a city or county when a leader drills in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from cockpit.config import now
from cockpit.indicators.units import unit_label
from cockpit.query.lake import demo_info
from cockpit.query.snapshot import Snapshot
from cockpit.ui import screen_charts as charts
from cockpit.ui.format import change_class, format_value
from cockpit.ui.i18n import in_language, t

WIDTH, HEIGHT = 1920, 1080
INDEX = "waste_free_index"
GRAPH_CONFIG = {"displayModeBar": False, "responsive": False}


@dataclass(frozen=True)
class Scope:
    code: str
    name: str
    level: str
    parent: str | None


def scope_of(snap: Snapshot, code: str, lang: str = "zh") -> Scope:
    row = snap.region(code)
    return Scope(code=row["code"], name=row["name_en" if lang == "en" else "name"], level=row["level"],
                 parent=row["parent_code"])


@dataclass(frozen=True)
class Stale:
    """Why a panel's numbers are not new: the feed behind them is overdue (`since`: where its
    data ends), or an indicator behind them failed at the last refresh (`since`: when the
    values it keeps were computed; None when it has none)."""

    failed: bool
    since: pd.Timestamp | None

    def note(self, lang: str) -> str:
        if not self.failed:
            return t("screen.late", lang, date=pd.Timestamp(self.since).strftime("%m-%d"))
        if self.since is None:
            return t("screen.failed_no_values", lang)
        return t("screen.failed", lang, date=pd.Timestamp(self.since).strftime("%m-%d"))

    @property
    def css(self) -> str:
        return " bs-late bs-failed" if self.failed else " bs-late"


def panel(title: str, body, panel_id: str, note: str | None = None, height: int | None = None,
          late: Stale | None = None, lang: str = "zh"):
    """A titled panel. `late`: its numbers are not new (see Stale); the panel says so in its
    title instead of passing old numbers off as new."""
    if late is not None:
        note = late.note(lang)
    return html.Div([
        html.Div([html.Span(title, className="bs-panel-title-text", title=title),
                  html.Span(note or "", className="bs-panel-note" + (late.css if late is not None else ""))],
                 className="bs-panel-title"),
        html.Div(body, className="bs-panel-body"),
    ], className="bs-panel" + (" bs-panel-late" if late is not None else ""), id=panel_id,
        style={"height": f"{height}px"} if height else None)


def _late(snap: Snapshot, indicators: list[str]) -> Stale | None:
    """Whether these indicators' numbers are not new: a failure at the last refresh first (the
    numbers are older than their data), else an overdue feed."""
    failures = snap.failures(indicators)
    if len(failures):
        kept = pd.to_datetime(failures["kept_computed_at"])  # NaT: that one has no values to show
        return Stale(failed=True, since=None if kept.isna().any() else pd.Timestamp(kept.min()))
    since = snap.late_since(indicators, now())
    return Stale(failed=False, since=since) if since is not None else None


def _graph(figure, graph_id: str):
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, className="bs-graph")


# -- title bar -------------------------------------------------------------------------------

def screen_path(theme: str) -> str:
    return "/screen" if theme == "overview" else f"/screen/{theme}"


def title_bar(snap: Snapshot, scope: Scope, theme: Theme, lang: str):
    latest = snap.data_as_of()
    fresh = t("screen.updated", lang, time=pd.Timestamp(latest).strftime("%m-%d %H:%M")) if latest is not None else ""
    stale_days = (now() - pd.Timestamp(latest).to_pydatetime()).days if latest is not None else None
    freshness = html.Span(fresh, className="bs-fresh" + (" bs-stale" if stale_days and stale_days > 2 else ""),
                          id="screen-freshness")
    demo = demo_info()
    back = None
    if scope.parent is not None:
        back = dcc.Link(["◀ ", t("screen.back", lang)], href=f"{screen_path(theme.key)}?region={scope.parent}", className="bs-back",
                        id="screen-back")
    return html.Div([
        html.Div([html.Span(className="bs-clock", id="screen-clock"), back], className="bs-title-left"),
        html.Div([html.Div(f"{scope.name}{t('screen.city_operation', lang)}", className="bs-title-main",
                           id="screen-title"),
                  html.Div(t(theme.label_key, lang), className="bs-title-theme")], className="bs-title-centre"),
        html.Div([freshness, html.Span(t("demo.badge", lang), className="bs-demo") if demo else None],
                 className="bs-title-right"),
    ], className="bs-titlebar")


# -- headline numbers ------------------------------------------------------------------------

OVERVIEW_KPIS = [  # (indicator, frequency): the numbers a leader asks for first
    ("gdp_ytd", "quarter"), ("gdp_real_growth", "quarter"), ("hotline_orders", "month"),
    ("hotline_closure_rate", "month"), ("good_air_day_ratio", "month"), (INDEX, "month"),
    ("sensor_online_rate", "month"), ("sensors_in_alarm", "month"),
]


def kpi_tiles(snap: Snapshot, scope: Scope, kpis: list[tuple[str, str]], lang: str):
    ids = [i for i, _ in kpis]
    meta = snap.indicators().set_index("indicator")
    latest = snap.latest_values(ids, scope.code, complete_only=True)
    live = snap.latest_values(["sensors_in_alarm"], scope.code)  # an alarm now is news now
    tiles = []
    for ident, frequency in kpis:
        if ident not in meta.index:
            continue
        m = meta.loc[ident]
        source = live if ident == "sensors_in_alarm" else latest
        row = source[(source["indicator"] == ident) & (source["frequency"] == frequency)]
        name = m[f"name_{lang}"]
        if row.empty:  # not defined for this region itself (an index of cities): show the region's rank
            tiles.append(_index_tile(snap, scope, ident, frequency, name, m, lang))
            continue
        r = row.iloc[0]
        previous = r["previous_value"]
        if str(m["definition"]).startswith("ytd("):  # a year-to-date total compares with a year before
            previous = _year_before(snap, ident, scope.code, frequency, r["period"])
        change = change_class(r["value"], previous, m["polarity"])
        late = _late(snap, [ident])
        delta = (html.Span(late.note(lang), className=late.css.strip()) if late is not None
                 else html.Span(_delta(r["value"], previous, m, lang), className=change))
        tiles.append(html.Div([
            _kpi_name(name),
            _kpi_value(format_value(r["value"], m["unit"], m["decimals"], lang), ident),
            html.Div([html.Span(r["period"]), delta], className="bs-kpi-meta"),
        ], className="bs-kpi" + (" bs-kpi-late" if late is not None else "")))
    return html.Div(tiles, className="bs-kpis")


_NUMBER = re.compile(r"^([¥-]?[\d,]+(?:\.\d+)?)(.*)$")


def _kpi_value(text: str, ident: str) -> html.Div:
    """A headline number, large, with its unit (万亿元, %, per 10k people …) set smaller beside it;
    assets/bigscreen.js sets the whole smaller still where it would not fit its tile."""
    match = _NUMBER.match(text)
    parts = [text] if match is None or not match.group(2) else [
        match.group(1), html.Span(match.group(2), className="bs-kpi-unit")]
    return html.Div(parts, className="bs-kpi-value", id=f"screen-kpi-{ident}")


def _year_before(snap: Snapshot, ident: str, region: str, frequency: str, period: str) -> float | None:
    series = snap.series(ident, region, frequency).set_index("period")["value"]
    earlier = str(int(period[:4]) - 1) + period[4:]
    return float(series[earlier]) if earlier in series.index else None


def _kpi_name(name: str):
    """A headline's name, whole in its tooltip: bigscreen.js sets a long one smaller, then on two lines."""
    return html.Div(html.Span(name), className="bs-kpi-name", title=name)


def _index_tile(snap: Snapshot, scope: Scope, ident: str, frequency: str, name: str, m, lang: str):
    ranking = in_language(snap.ranking(ident, scope.code, frequency), lang)
    if ranking.empty:
        return None
    top = ranking.iloc[0]
    return html.Div([
        _kpi_name(t("screen.index_leader", lang, name=name)),
        _kpi_value(format_value(top["value"], m["unit"], m["decimals"], lang), ident),
        html.Div([html.Span(top["period"]), html.Span(top["name"])], className="bs-kpi-meta"),
    ], className="bs-kpi")


def _delta(value: float, previous: float, meta, lang: str) -> str:
    if pd.isna(value) or pd.isna(previous):
        return ""
    diff = float(value) - float(previous)
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "—"
    if meta["unit"] == "%":
        return f"{arrow}{abs(diff):.1f}{t('screen.points', lang)}"
    if previous:
        return f"{arrow}{abs(diff) / abs(float(previous)) * 100:.1f}%"
    return f"{arrow}{format_value(abs(diff), meta['unit'], meta['decimals'], lang)}"  # from zero: no percentage


# -- panels ----------------------------------------------------------------------------------

ECONOMY_TRENDS = ["industrial_value_added_ytd_growth", "retail_sales_ytd_growth", "fixed_asset_investment_ytd_growth"]


def economy_panel(snap: Snapshot, scope: Scope, lang: str):
    meta = snap.indicators().set_index("indicator")
    series = {}
    for ident in ECONOMY_TRENDS:
        df = snap.series(ident, scope.code, "month")
        df = df[~df["provisional"]].tail(18)
        series[meta.loc[ident, f"name_{lang}"].replace("累计增速", "").replace(", year-to-date growth", "")] = df
    body = _graph(charts.trend_lines(series, "%", 226), "screen-economy-graph")
    return panel(t("screen.economy", lang), body, "screen-economy", t("screen.ytd_growth", lang), 280,
                 _late(snap, ECONOMY_TRENDS), lang)


MIN_COMPARED = 3


def compared(snap: Snapshot, scope: Scope, indicator: str, frequency: str) -> tuple[str, pd.DataFrame]:
    """The area whose regions a ranking or the map compares, and their ranking: the scope's
    children, or the scope among its peers when fewer than MIN_COMPARED children have a value
    (a county's streets have no GDP; a city may have air stations in one district only)."""
    children = snap.ranking(indicator, scope.code, frequency)
    if len(children) >= MIN_COMPARED or scope.parent is None:
        return scope.code, children
    return scope.parent, snap.ranking(indicator, scope.parent, frequency)


def index_ranking_panel(snap: Snapshot, scope: Scope, lang: str):
    ranking = in_language(compared(snap, scope, INDEX, "month")[1], lang)
    if ranking.empty:
        return panel(t("index.title", lang), html.Div(t("index.no_values", lang), className="bs-empty"),
                     "screen-index", None, 340, _late(snap, [INDEX]), lang)
    meta = snap.indicator(INDEX)
    figure = charts.ranking_bars(ranking, scope.code, unit_label(meta["unit"], lang), meta["decimals"], 284, lang)
    return panel(t("index.title", lang), _graph(figure, "screen-index-graph"), "screen-index",
                 t("screen.period", lang, period=ranking["period"].iloc[0]), 340, _late(snap, [INDEX]), lang)


def index_radar_panel(snap: Snapshot, scope: Scope, lang: str):
    region, name = scope.code, scope.name
    periods = snap.periods(INDEX, "month")
    dims = snap.children_values(INDEX, region, "month", periods[0]) if periods else pd.DataFrame()
    if dims.empty or dims["score"].isna().all():  # the province itself has no index: show the leader
        ranking = in_language(snap.ranking(INDEX, region, "month"), lang)
        if ranking.empty:
            return panel(t("screen.index_dimensions", lang, name=name), html.Div(), "screen-radar", None, 264)
        region, name = ranking["region"].iloc[0], ranking["name"].iloc[0]
        dims = snap.children_values(INDEX, region, "month", ranking["period"].iloc[0])
    return panel(t("screen.index_dimensions", lang, name=name), _graph(charts.radar(dims, lang, 208), "screen-radar-graph"),
                 "screen-radar", None, 264, _late(snap, [INDEX]), lang)


def hotline_panels(snap: Snapshot, scope: Scope, lang: str):
    steps = {"hotline_orders": "funnel.received", "hotline_dispatched": "funnel.dispatched",
             "hotline_fed_back": "funnel.fed_back", "hotline_dispatched_closed": "funnel.closed",
             "hotline_dispatched_satisfied": "funnel.satisfied"}
    latest = snap.latest_values(list(steps), scope.code, "month", complete_only=True).set_index("indicator")
    funnel_steps = [(t(label, lang), latest.loc[s, "value"]) for s, label in steps.items() if s in latest.index]
    period = latest["period"].iloc[0] if len(latest) else ""
    categories = in_language(snap.breakdown("hotline_orders", scope.code, "month"), lang, "category")
    topics_period = categories["period"].iloc[0] if len(categories) else ""
    return [
        panel(t("screen.hotline_funnel", lang), _graph(charts.funnel(funnel_steps, 226), "screen-funnel-graph"),
              "screen-funnel", t("screen.period", lang, period=period), 284, _late(snap, list(steps)), lang),
        panel(t("screen.hot_topics", lang), _graph(charts.category_bars(categories, 226, lang), "screen-topics-graph"),
              "screen-topics", t("screen.period", lang, period=topics_period), 284,
              _late(snap, ["hotline_orders"]), lang),
    ]


ENVIRONMENT_TRENDS = ["good_air_day_ratio", "water_good_section_ratio"]


def environment_panel(snap: Snapshot, scope: Scope, lang: str):
    meta = snap.indicators().set_index("indicator")
    series = {}
    for ident in ENVIRONMENT_TRENDS:
        df = snap.series(ident, scope.code, "month")
        series[meta.loc[ident, f"name_{lang}"]] = df[~df["provisional"]].tail(18)
    body = _graph(charts.trend_lines(series, "%", 250), "screen-environment-graph")
    return panel(t("screen.environment", lang), body, "screen-environment", None, 316,
                 _late(snap, ENVIRONMENT_TRENDS), lang)


def ticker(snap: Snapshot, scope: Scope, lang: str):
    alerts = snap.alerts(30, within=scope.code)
    items = [html.Span([html.Span("●", className=f"bs-sev-{a['severity']}"), a[f"text_{lang}"]], className="bs-tick")
             for _, a in alerts.iterrows()]
    # the items run twice so the scroll loops seamlessly; "no alerts" stands still, once
    track = (html.Div(items + items, className="bs-ticker-track") if items else
             html.Div(html.Span(t("screen.no_alerts", lang), className="bs-tick"), className="bs-ticker-still"))
    return html.Div([html.Div(t("screen.today", lang), className="bs-ticker-label"),
                     html.Div(track, className="bs-ticker-window")], className="bs-ticker", id="screen-ticker")


def map_panel(snap: Snapshot, scope: Scope, lang: str, indicator: str = INDEX, frequency: str = "month",
              all_sensors: bool = False):
    """The centre map: the scope's children filled by an indicator (the Waste-Free Index on the
    overview), with the sensors in warning or alarm on top (every sensor on the infrastructure
    screen), alarming ones highlighted."""
    from cockpit.regions import load_hierarchy
    from cockpit.regions.geometry import RegionGeometry
    from cockpit.regions.names import short_english
    from cockpit.ui.deckmap import region_map

    hierarchy = load_hierarchy()
    area, ranking = compared(snap, scope, indicator, frequency)
    values = dict(zip(ranking["region"], ranking["value"], strict=True))
    meta = snap.indicator(indicator)
    sensors = snap.sensor_points(area)
    if not all_sensors:
        sensors = sensors[sensors["alarm"] | sensors["warning"]]
    points = [{"lon": r.lon, "lat": r.lat, "name": f"{r.sensor_type} {r.sensor_id}", "alarm": bool(r.alarm)}
              for r in sensors.itertuples()]
    geojson = RegionGeometry(hierarchy).children_geojson(area)
    if lang == "en":  # short names: "District" after every label crowds the dense urban cores
        for feature in geojson["features"]:
            props = feature["properties"]
            props["name"] = short_english(props.get("name_en") or props["name"])
    component = region_map("screen-map", geojson, values, unit=meta["unit"], label=meta[f"name_{lang}"], lang=lang,
                           highlight=scope.code if scope.code != area else None, points=points, height=584,
                           decimals=int(meta["decimals"]))
    name = snap.region_name(area, lang)
    note = t("screen.period", lang, period=ranking["period"].iloc[0]) if len(ranking) else None
    title = t("screen.map_of", lang, name=name, indicator=meta[f"name_{lang}"])
    return panel(title, component, "screen-map-panel", note, 640, _late(snap, [indicator]), lang)


def trend_panel(snap: Snapshot, scope: Scope, lang: str, indicators: list[str], frequency: str, panel_id: str,
                title_key: str, height: int = 290):
    """Indicators of one unit over their last complete periods."""
    meta = snap.indicators().set_index("indicator")
    series, units = {}, set()
    for ident in indicators:
        df = snap.series(ident, scope.code, frequency)
        series[meta.loc[ident, f"name_{lang}"]] = df[~df["provisional"]].tail(18 if frequency == "month" else 12)
        units.add(meta.loc[ident, "unit"])
    unit = unit_label(units.pop(), lang) if len(units) == 1 else ""
    decimals = int(meta.loc[indicators, "decimals"].max())
    body = _graph(charts.trend_lines(series, unit, height - 60, decimals), f"{panel_id}-graph")
    return panel(t(title_key, lang), body, panel_id, unit or None, height, _late(snap, indicators), lang)


def ranking_panel(snap: Snapshot, scope: Scope, lang: str, indicator: str, frequency: str, panel_id: str,
                  height: int = 290):
    """The scope's children (or the scope among its peers, see `compared`) ranked on an indicator,
    best first."""
    meta = snap.indicator(indicator)
    ranking = in_language(compared(snap, scope, indicator, frequency)[1].dropna(subset=["rank"]).head(11), lang)
    title = t("screen.ranking_of", lang, indicator=meta[f"name_{lang}"])
    if ranking.empty:
        return panel(title, html.Div(t("index.no_values", lang), className="bs-empty"), panel_id, None, height,
                     _late(snap, [indicator]), lang)
    unit = unit_label(meta["unit"], lang)
    figure = charts.ranking_bars(ranking, scope.code, unit, int(meta["decimals"]), height - 64, lang)
    note = f"{ranking['period'].iloc[0]} · {unit}" if unit else ranking["period"].iloc[0]
    return panel(title, _graph(figure, f"{panel_id}-graph"), panel_id, note, height, _late(snap, [indicator]), lang)


@dataclass(frozen=True)
class Theme:
    key: str
    label_key: str
    kpis: list[tuple[str, str]]
    map_indicator: tuple[str, str]
    left: Callable[[Snapshot, Scope, str], list]  # the panels of the left column
    right: Callable[[Snapshot, Scope, str], list]


THEMES: dict[str, Theme] = {
    "overview": Theme("overview", "screen.theme.overview", OVERVIEW_KPIS, (INDEX, "month"),
                      lambda s, sc, lg: [economy_panel(s, sc, lg), index_ranking_panel(s, sc, lg),
                                         index_radar_panel(s, sc, lg)],
                      lambda s, sc, lg: [*hotline_panels(s, sc, lg), environment_panel(s, sc, lg)]),
    "economy": Theme(
        "economy", "screen.theme.economy",
        [("gdp_ytd", "quarter"), ("gdp_real_growth", "quarter"), ("industrial_value_added_ytd_growth", "month"),
         ("retail_sales_ytd_growth", "month"), ("fixed_asset_investment_ytd_growth", "month"),
         ("budget_revenue_ytd_growth", "month"), ("foreign_trade_ytd_growth", "month"), ("new_market_entities", "month")],
        ("gdp_real_growth", "quarter"),
        lambda s, sc, lg: [economy_panel(s, sc, lg),
                           trend_panel(s, sc, lg, ["gdp_real_growth", "gdp_nominal_growth"], "quarter",
                                       "screen-gdp", "screen.gdp_growth", 296),
                           trend_panel(s, sc, lg, ["exports_ytd_growth", "budget_revenue_ytd_growth"], "month",
                                       "screen-trade", "screen.trade_revenue", 296)],
        lambda s, sc, lg: [ranking_panel(s, sc, lg, "gdp_real_growth", "quarter", "screen-rank-gdp", 296),
                           ranking_panel(s, sc, lg, "retail_sales_ytd_growth", "month", "screen-rank-retail", 296),
                           ranking_panel(s, sc, lg, "industrial_value_added_ytd_growth", "month",
                                         "screen-rank-industry", 296)]),
    "governance": Theme(
        "governance", "screen.theme.governance",
        [("hotline_orders", "month"), ("hotline_immediate_dispatch_rate", "month"),
         ("hotline_on_time_feedback_rate", "month"), ("hotline_closure_rate", "month"),
         ("hotline_satisfaction_rate", "month"), ("hotline_revisit_rate", "month"),
         ("hotline_handling_days", "month"), ("service_online_rate", "month")],
        ("hotline_satisfaction_rate", "month"),
        lambda s, sc, lg: [*hotline_panels(s, sc, lg),
                           trend_panel(s, sc, lg, ["hotline_satisfaction_rate", "hotline_on_time_feedback_rate"],
                                       "month", "screen-hotline-trend", "screen.hotline_rates", 316)],
        lambda s, sc, lg: [ranking_panel(s, sc, lg, "hotline_satisfaction_rate", "month", "screen-rank-satisfaction", 296),
                           ranking_panel(s, sc, lg, "service_on_time_rate", "month", "screen-rank-service", 296),
                           trend_panel(s, sc, lg, ["service_online_rate", "service_on_time_rate"], "month",
                                       "screen-service-trend", "screen.services", 296)]),
    "environment": Theme(
        "environment", "screen.theme.environment",
        [("good_air_day_ratio", "month"), ("pm25_mean", "month"), ("o3_mean", "month"), ("aqi_mean", "month"),
         ("heavy_pollution_days", "month"), ("water_good_section_ratio", "month"),
         ("water_worse_than_v_ratio", "month"), ("pm25_mean_change", "year")],
        ("pm25_mean", "month"),
        lambda s, sc, lg: [environment_panel(s, sc, lg),
                           trend_panel(s, sc, lg, ["pm25_mean", "o3_mean"], "month", "screen-air-trend",
                                       "screen.air", 284),
                           trend_panel(s, sc, lg, ["good_air_day_ratio"], "year", "screen-air-years",
                                       "screen.air_years", 284)],
        lambda s, sc, lg: [ranking_panel(s, sc, lg, "good_air_day_ratio", "month", "screen-rank-air", 296),
                           ranking_panel(s, sc, lg, "pm25_mean", "month", "screen-rank-pm25", 296),
                           ranking_panel(s, sc, lg, "water_good_section_ratio", "year", "screen-rank-water", 296)]),
    "waste_free": Theme(
        "waste_free", "screen.theme.waste_free",
        [(INDEX, "month"), ("wfi_ind_utilisation_rate", "month"), ("wfi_hh_recycling_rate", "month"),
         ("wfi_hh_landfill_share", "month"), ("wfi_con_utilisation_rate", "month"),
         ("wfi_haz_on_time_receipt_rate", "month"), ("wfi_closed_loop_rate", "month"), ("wfi_cells_per_10k", "month")],
        (INDEX, "month"),
        lambda s, sc, lg: [index_ranking_panel(s, sc, lg), index_radar_panel(s, sc, lg),
                           ranking_panel(s, sc, lg, "wfi_hh_recycling_rate", "month", "screen-rank-recycling", 280)],
        lambda s, sc, lg: [ranking_panel(s, sc, lg, "wfi_ind_utilisation_rate", "month", "screen-rank-industrial", 296),
                           ranking_panel(s, sc, lg, "wfi_closed_loop_rate", "month", "screen-rank-loop", 296),
                           ranking_panel(s, sc, lg, "wfi_cells_per_10k", "month", "screen-rank-cells", 296)]),
    "infrastructure": Theme(
        "infrastructure", "screen.theme.infrastructure",
        [("sensor_online_rate", "month"), ("sensors_in_alarm", "month"), ("sensor_warning_days", "month"),
         ("cloud_vcpu_utilisation", "month"), ("records_shared", "month"), ("api_calls", "month"),
         ("security_events", "month"), ("security_resolution_rate", "month")],
        ("sensor_online_rate", "month"),
        lambda s, sc, lg: [trend_panel(s, sc, lg, ["sensor_online_rate"], "month", "screen-sensor-trend",
                                       "screen.sensors", 296),
                           trend_panel(s, sc, lg, ["cloud_vcpu_utilisation", "cloud_storage_utilisation"], "month",
                                       "screen-cloud-trend", "screen.cloud", 296),
                           trend_panel(s, sc, lg, ["security_events", "security_events_high"], "month",
                                       "screen-security-trend", "screen.security", 296)],
        lambda s, sc, lg: [ranking_panel(s, sc, lg, "sensor_online_rate", "month", "screen-rank-sensors", 296),
                           ranking_panel(s, sc, lg, "records_shared", "month", "screen-rank-shared", 296),
                           ranking_panel(s, sc, lg, "security_resolution_rate", "month", "screen-rank-security", 296)]),
}


def columns(snap: Snapshot, scope: Scope, theme: Theme, lang: str) -> list:
    """The three columns of a screen: side panels around the headline numbers and the map."""
    indicator, frequency = theme.map_indicator
    return [
        html.Div(theme.left(snap, scope, lang), className="bs-col bs-side"),
        html.Div([kpi_tiles(snap, scope, theme.kpis, lang),
                  map_panel(snap, scope, lang, indicator, frequency, all_sensors=theme.key == "infrastructure")],
                 className="bs-col bs-centre"),
        html.Div(theme.right(snap, scope, lang), className="bs-col bs-side"),
    ]


def canvas(snap: Snapshot, scope: Scope, theme: Theme, lang: str) -> html.Div:
    return html.Div([
        title_bar(snap, scope, theme, lang),
        html.Div(columns(snap, scope, theme, lang), className="bs-body"),
        ticker(snap, scope, lang),
        dcc.Store(id="screen-snapshot", data=snap.id),
    ], className="bigscreen-canvas", id="screen-canvas")


def no_snapshot(lang: str):
    return html.Div(dbc.Alert(t("home.systems.none", lang), color="info"), className="bigscreen-canvas")
