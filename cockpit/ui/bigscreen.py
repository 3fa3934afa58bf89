"""The leaders' big screen (大屏) as Dash components: a fixed 1920×1080 canvas, scaled to the
display by assets/bigscreen.js.

Renderers only: what each panel shows comes from its view model (`cockpit.views.screen`, read
through the request's reader), which panels a themed screen has from its configuration
(data/screens.yaml, `cockpit.views.screens`), and the ids a page listens to from the page
(`CanvasIds`). Everything comes from one published snapshot, so the whole screen shows one
moment; each panel says which period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from cockpit.config import clock_minute
from cockpit.query.reader import Reader
from cockpit.ui import screen_charts as charts
from cockpit.ui.deckmap import region_map
from cockpit.ui.format import format_change, format_value
from cockpit.ui.i18n import t
from cockpit.views import screen as views
from cockpit.views.screens import DEFAULT_NOTE, Panel, Screen

WIDTH, HEIGHT = 1920, 1080
GRAPH_CONFIG = {"displayModeBar": False, "responsive": False}


@dataclass(frozen=True)
class CanvasIds:
    """The element ids of a canvas, made by the page that listens to them (`pages/screen.py`).

    Rankings repeat, so their charts carry pattern-matching ids, `{"type": ranking, "panel": <the
    panel's id>}`: one callback hears a click on any of them. The map's clicked and hovered
    regions arrive in `<map>-click` and `<map>-hover` (`cockpit.ui.deckmap`)."""

    canvas: str
    snapshot: str  # a Store holding the id of the snapshot drawn (the live refresh compares it)
    map: str
    ranking: str  # the `type` of the rankings' pattern-matching ids
    prefix: str  # of the ids no callback listens to (tiles, title): `<prefix>-title`, `<prefix>-kpi-<indicator>`

    def ranking_graph(self, panel: str) -> dict:
        return {"type": self.ranking, "panel": panel}

    def of(self, part: str) -> str:
        return f"{self.prefix}-{part}"


def screen_path(theme: str) -> str:
    return "/screen" if theme == "overview" else f"/screen/{theme}"


# -- pieces ----------------------------------------------------------------------------------

def stale_note(stale: views.Stale, lang: str) -> str:
    if not stale.failed:
        return t("screen.late", lang, date=pd.Timestamp(stale.since).strftime("%m-%d"))
    if stale.since is None:
        return t("screen.failed_no_values", lang)
    return t("screen.failed", lang, date=pd.Timestamp(stale.since).strftime("%m-%d"))


def _stale_class(stale: views.Stale) -> str:
    return "bs-late bs-failed" if stale.failed else "bs-late"


def panel(title: str, body, panel_id: str, note: str | None = None, height: int | None = None,
          stale: views.Stale | None = None, lang: str = "zh"):
    """A titled panel. `stale`: its numbers are not new; the panel says so in its title instead
    of passing old numbers off as new."""
    if stale is not None:
        note = stale_note(stale, lang)
    return html.Div([
        html.Div([html.Span(title, className="bs-panel-title-text", title=title),
                  html.Span(note or "", className="bs-panel-note" + (" " + _stale_class(stale) if stale else ""))],
                 className="bs-panel-title"),
        html.Div(body, className="bs-panel-body"),
    ], className="bs-panel" + (" bs-panel-late" if stale is not None else ""), id=panel_id,
        style={"height": f"{height}px"} if height else None)


def _graph(figure, graph_id):
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, className="bs-graph")


def _empty(lang: str):
    """What a panel says instead of an empty chart: its indicators have no value at this scope
    (cloud use is reported by cities, not by their counties)."""
    return html.Div(t("screen.no_values", lang), className="bs-empty")


def _note(spec: Panel, default: str | None, lang: str) -> str | None:
    """The configured note (a text key, or None for none), else the kind's default."""
    if spec.note == DEFAULT_NOTE:
        return default
    return t(spec.note, lang) if spec.note else None


def _period(period: str | None, lang: str) -> str | None:
    return t("screen.period", lang, period=period) if period else None


# -- title bar, ticker -------------------------------------------------------------------------

def title_bar(bar: views.TitleBar, ids: CanvasIds, lang: str):
    fresh = t("screen.updated", lang, time=pd.Timestamp(bar.data_as_of).strftime("%m-%d %H:%M")) \
        if bar.data_as_of is not None else ""
    freshness = html.Span(fresh, className="bs-fresh" + (" bs-stale" if bar.data_stale else ""), id=ids.of("freshness"))
    back = None
    if bar.scope.parent is not None:
        back = dcc.Link(["◀ ", t("screen.back", lang)], href=f"{screen_path(bar.theme)}?region={bar.scope.parent}",
                        className="bs-back", id=ids.of("back"))
    return html.Div([
        html.Div([html.Span(className="bs-clock", id=ids.of("clock")), back], className="bs-title-left"),
        html.Div([html.Div(f"{bar.scope.name}{t('screen.city_operation', lang)}", className="bs-title-main",
                           id=ids.of("title")),
                  html.Div(t(bar.label, lang), className="bs-title-theme")], className="bs-title-centre"),
        html.Div([freshness, html.Span(t("demo.badge", lang), className="bs-demo") if bar.demo else None],
                 className="bs-title-right"),
    ], className="bs-titlebar")


def ticker(alerts: tuple[views.Alert, ...], ids: CanvasIds, lang: str):
    items = [html.Span([html.Span("●", className=f"bs-sev-{a.severity}"), a.text], className="bs-tick")
             for a in alerts]
    # the items run twice so the scroll loops seamlessly; "no alerts" stands still, once
    track = (html.Div(items + items, className="bs-ticker-track") if items else
             html.Div(html.Span(t("screen.no_alerts", lang), className="bs-tick"), className="bs-ticker-still"))
    return html.Div([html.Div(t("screen.today", lang), className="bs-ticker-label"),
                     html.Div(track, className="bs-ticker-window")], className="bs-ticker", id=ids.of("ticker"))


# -- headline tiles --------------------------------------------------------------------------

_NUMBER = re.compile(r"^([¥-]?[\d,]+(?:\.\d+)?)(.*)$")


def _tile_value(head: views.Headline, ids: CanvasIds, lang: str) -> html.Div:
    """A headline number, large, with its unit (万亿元, %, per 10k people …) set smaller beside it;
    assets/bigscreen.js sets the whole smaller still where it would not fit its tile."""
    text = format_value(head.value, head.unit, head.decimals, lang)
    match = _NUMBER.match(text)
    parts = [text] if match is None or not match.group(2) else [
        match.group(1), html.Span(match.group(2), className="bs-kpi-unit")]
    return html.Div(parts, className="bs-kpi-value", id=ids.of(f"kpi-{head.indicator}"))


def _tile_name(name: str):
    """A headline's name, whole in its tooltip: bigscreen.js sets a long one smaller, then on two lines."""
    return html.Div(html.Span(name), className="bs-kpi-name", title=name)


def headline_tile(head: views.Headline, ids: CanvasIds, lang: str):
    if head.leader is not None:  # an index of the scope's children: its leader
        return html.Div([
            _tile_name(t("screen.index_leader", lang, name=head.name)),
            _tile_value(head, ids, lang),
            html.Div([html.Span(head.period), html.Span(head.leader)], className="bs-kpi-meta"),
        ], className="bs-kpi")
    if head.stale is not None:
        delta = html.Span(stale_note(head.stale, lang), className=_stale_class(head.stale))
    else:
        judgement = head.comparison.judgement if head.comparison is not None else "flat"
        delta = html.Span(format_change(head.comparison, head.unit, head.decimals, lang),
                          className=f"change-{judgement}")
    return html.Div([
        _tile_name(head.name),
        _tile_value(head, ids, lang),
        html.Div([html.Span(head.period), delta], className="bs-kpi-meta"),
    ], className="bs-kpi" + (" bs-kpi-late" if head.stale is not None else ""))


def headline_tiles(heads: tuple[views.Headline, ...], ids: CanvasIds, lang: str):
    return html.Div([headline_tile(h, ids, lang) for h in heads], className="bs-kpis")


# -- panels ----------------------------------------------------------------------------------

def trend_panel(spec: Panel, model: views.Trend, reader: Reader):
    lang = reader.viewer.lang
    unit = reader.unit_label(model.unit) if model.unit else ""
    if not any(v is not None for line in model.lines for v in line.values):
        return panel(t(spec.title, lang), _empty(lang), spec.id, None, spec.height, model.stale, lang)
    body = _graph(charts.trend_lines(model, spec.chart_height, lang), f"{spec.id}-graph")
    return panel(t(spec.title, lang), body, spec.id, _note(spec, unit or None, lang), spec.height, model.stale, lang)


def ranking_panel(spec: Panel, model: views.Ranking, reader: Reader, ids: CanvasIds):
    lang = reader.viewer.lang
    title = t(spec.title, lang, indicator=model.name)
    if not model.regions:
        return panel(title, _empty(lang), spec.id, None, spec.height, model.stale, lang)
    unit = reader.unit_label(model.unit)
    default = _period(model.period, lang)
    if spec.kind == "ranking" and unit:
        default = f"{model.period} · {unit}"
    body = _graph(charts.ranking_bars(model, spec.chart_height, lang), ids.ranking_graph(spec.id))
    return panel(title, body, spec.id, _note(spec, default, lang), spec.height, model.stale, lang)


def dimensions_panel(spec: Panel, model: views.Dimensions, reader: Reader):
    lang = reader.viewer.lang
    title = t(spec.title, lang, name=model.region_name)
    if model.region is None:
        return panel(title, html.Div(), spec.id, None, spec.height)
    body = _graph(charts.radar(model, spec.chart_height, lang), f"{spec.id}-graph")
    return panel(title, body, spec.id, _note(spec, None, lang), spec.height, model.stale, lang)


def funnel_panel(spec: Panel, model: views.Funnel, reader: Reader):
    lang = reader.viewer.lang
    steps = [(t(s.label, lang), s.value) for s in model.steps]
    body = _graph(charts.funnel(steps, spec.chart_height, lang), f"{spec.id}-graph")
    return panel(t(spec.title, lang), body, spec.id, _note(spec, _period(model.period, lang) or "", lang),
                 spec.height, model.stale, lang)


def breakdown_panel(spec: Panel, model: views.Breakdown, reader: Reader):
    lang = reader.viewer.lang
    body = _graph(charts.category_bars(model, spec.chart_height, lang), f"{spec.id}-graph")
    return panel(t(spec.title, lang), body, spec.id, _note(spec, _period(model.period, lang) or "", lang),
                 spec.height, model.stale, lang)


def side_panel(spec: Panel, reader: Reader, where: views.Scope, ids: CanvasIds):
    """A configured side panel: its view model, drawn."""
    model = views.panel_model(reader, where, spec)
    if isinstance(model, views.Trend):
        return trend_panel(spec, model, reader)
    if isinstance(model, views.Ranking):
        return ranking_panel(spec, model, reader, ids)
    if isinstance(model, views.Dimensions):
        return dimensions_panel(spec, model, reader)
    if isinstance(model, views.Funnel):
        return funnel_panel(spec, model, reader)
    return breakdown_panel(spec, model, reader)


MAP_HEIGHT, MAP_PANEL_HEIGHT = 584, 640


def map_panel(model: views.MapView, ids: CanvasIds, lang: str):
    """The centre map: the compared regions filled by an indicator, sensors on top, alarms highlighted."""
    points = [{"lon": p.lon, "lat": p.lat, "name": p.name, "alarm": p.alarm} for p in model.sensors]
    component = region_map(ids.map, model.geometry, model.values, unit=model.unit, label=model.name, lang=lang,
                           highlight=model.highlight, points=points, height=MAP_HEIGHT, decimals=model.decimals,
                           notice=model.notice)
    title = t("screen.map_of", lang, name=model.area_name, indicator=model.name)
    return panel(title, component, ids.of("map-panel"), _period(model.period, lang), MAP_PANEL_HEIGHT,
                 model.stale, lang)


# -- the canvas ------------------------------------------------------------------------------

def columns(reader: Reader, where: views.Scope, screen: Screen, ids: CanvasIds) -> list:
    """The three columns of a screen: side panels around the headline numbers and the map."""
    lang = reader.viewer.lang
    return [
        html.Div([side_panel(p, reader, where, ids) for p in screen.left], className="bs-col bs-side"),
        html.Div([headline_tiles(views.headlines(reader, where, screen.headlines), ids, lang),
                  map_panel(views.map_view(reader, where, screen.map), ids, lang)], className="bs-col bs-centre"),
        html.Div([side_panel(p, reader, where, ids) for p in screen.right], className="bs-col bs-side"),
    ]


def canvas(reader: Reader, where: views.Scope, screen: Screen, ids: CanvasIds) -> html.Div:
    lang = reader.viewer.lang
    return html.Div([
        title_bar(views.title_bar(reader, where, screen), ids, lang),
        html.Div(columns(reader, where, screen, ids), className="bs-body"),
        ticker(views.ticker(reader, where), ids, lang),
        dcc.Store(id=ids.snapshot, data=reader.snapshot_id),
    ], className="bigscreen-canvas", id=ids.canvas)


def kept_canvas(reader: Reader, region: str, screen: Screen, ids: CanvasIds) -> html.Div:
    """The canvas of `screen` at `region`, with the notice of a stand-in snapshot on it (so it
    scales with the screen), built once per snapshot, viewer scope, language and clock minute:
    every wall showing it gets the same one, and a publish redraws the walls from one build."""
    from cockpit.ui.shell import snapshot_notice  # the shell draws the app's frame from these pages

    def build() -> html.Div:
        drawn = canvas(reader, views.scope(reader, region), screen, ids)
        notice = snapshot_notice(reader.provenance(), reader.viewer.lang, screen=True)
        if notice is not None:
            drawn.children.append(notice)
        return drawn
    # the damage is part of the key: an older snapshot standing in for a damaged one shows a notice
    return reader.memo("screen-canvas", (screen.key, region, ids.canvas, reader.damage), build,
                       epoch=clock_minute())


def no_snapshot(lang: str):
    return html.Div(dbc.Alert(t("home.systems.none", lang), color="info"), className="bigscreen-canvas")
