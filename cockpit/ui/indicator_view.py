"""Dash renderers of the indicator page's view model (`cockpit.views.indicator`).

The page sits in the department pages' frame (`cockpit.ui.workbench`): it is a pure function of
its address, and every drill is a link or a framework control (client-side navigation), so back,
forward and a pasted link show the same view. The map carries the framework's map id, whose
clicks drill into the clicked region.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from cockpit.indicators.units import unit_label
from cockpit.ui import workbench
from cockpit.ui.charts import FONT, category_bars, figure
from cockpit.ui.deckmap import region_map
from cockpit.ui.format import format_number, format_value
from cockpit.ui.i18n import STRINGS, t
from cockpit.ui.theme import colour, rgba
from cockpit.views.indicator import (
    Breakdown,
    Categories,
    Comparison,
    Definition,
    Headline,
    IndicatorPage,
    Lineage,
    MapData,
    PeriodChoice,
    Series,
    Token,
)
from cockpit.views.workbench import level_name, page_href

ID = "ind"  # the page's element ids start with it
MAP_ID = workbench.MAP_ID  # the framework drills on its clicks
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
RANKED_SHOWN = 40  # rows the ranking lists; more scroll

# The page's own looks, inline (colours by the theme's CSS custom properties only)
RANK_LIST = {"maxHeight": "420px", "overflowY": "auto"}
RANK_ROW = {"display": "grid", "gridTemplateColumns": "2rem minmax(5rem, 11rem) 1fr 6.5rem", "alignItems": "center",
            "gap": ".5rem", "padding": ".2rem .25rem", "fontSize": ".85rem", "borderRadius": ".25rem"}
RANK_SELECTED = {**RANK_ROW, "background": "rgba(var(--cockpit-highlight-rgb), .18)"}
RANK_NO = {"color": "var(--cockpit-meta)", "textAlign": "right", "fontVariantNumeric": "tabular-nums"}
RANK_NAME = {"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"}
RANK_BAR = {"background": "var(--cockpit-gridline)", "height": ".7rem", "borderRadius": ".2rem", "overflow": "hidden"}
RANK_FILL = {"background": "var(--cockpit-blue)", "height": "100%"}
RANK_FILL_NEGATIVE = {**RANK_FILL, "background": "var(--cockpit-worse)"}
RANK_VALUE = {"textAlign": "right", "fontVariantNumeric": "tabular-nums", "whiteSpace": "nowrap"}
SCORE = {"position": "relative", "background": "var(--cockpit-gridline)", "height": "1.1rem", "borderRadius": ".2rem"}
SCORE_FILL = {"background": "var(--cockpit-navy)", "height": "100%", "borderRadius": ".2rem", "opacity": ".8"}
SCORE_TEXT = {"position": "absolute", "right": ".3rem", "top": 0, "fontSize": ".75rem", "lineHeight": "1.1rem",
              "color": "var(--cockpit-card)", "fontVariantNumeric": "tabular-nums", "mixBlendMode": "difference"}
LINEAGE = {"display": "flex", "alignItems": "center", "gap": ".4rem", "overflowX": "auto", "paddingBottom": ".25rem"}
LINEAGE_COL = {"display": "flex", "flexDirection": "column", "gap": ".35rem", "minWidth": "7rem", "maxWidth": "12rem"}
LINEAGE_ARROW = {"color": "var(--cockpit-meta)", "fontSize": "1.1rem"}
NODE = {"display": "block", "border": "1px solid var(--cockpit-muted)", "borderRadius": ".4rem", "padding": ".25rem .5rem",
        "fontSize": ".8rem", "lineHeight": "1.25", "background": "var(--cockpit-card)", "textDecoration": "none",
        "color": "var(--cockpit-navy)"}
NODE_FEED = {**NODE, "borderStyle": "dashed", "background": "var(--cockpit-bg)"}
NODE_CURRENT = {**NODE, "background": "var(--cockpit-navy)", "borderColor": "var(--cockpit-navy)",
                "color": "var(--cockpit-card)", "fontWeight": 700}
NODE_KIND = {"display": "block", "fontSize": ".68rem", "opacity": ".75"}
FORMULA = {"whiteSpace": "pre-wrap", "color": "var(--cockpit-navy)", "background": "var(--cockpit-bg)",
           "padding": ".15rem .35rem", "borderRadius": ".25rem"}


def href(view: IndicatorPage, **changes: str | None) -> str:
    """This page's address with `changes` (region, frequency, period, cmp); defaults left out."""
    return page_href(view.spec, view.query, **changes)


def indicator_href(indicator: str, view: IndicatorPage | None = None) -> str:
    """Another indicator's page at the same region (in its own frequency and newest period)."""
    region = view.place.code if view is not None and view.place.code != view.place.path[0].code else None
    return f"/indicator/{indicator}" + ("?" + urlencode({"region": region}) if region else "")


def indicator_link(indicator: str, name: str, view: IndicatorPage | None = None, **attrs) -> dcc.Link:
    return dcc.Link(name, href=indicator_href(indicator, view), **attrs)


def _value(value: float | None, the: Definition, lang: str) -> str:
    return format_value(value, the.unit, the.decimals, lang)


def _period(period: str | None) -> str:
    return period or "—"


# -- the top of the page ------------------------------------------------------------------------

def header(view: IndicatorPage, lang: str) -> html.Div:
    """What kind of indicator this is: its system, kind, unit and its name in the other language."""
    the = view.definition
    return html.Div([
        html.Span(the.system_name, className="text-muted small me-2"),
        dbc.Badge(t(f"indicator.kind.{the.kind}", lang), color="primary", className="me-1", id=f"{ID}-kind"),
        dbc.Badge(unit_label(the.unit, lang) or the.unit, color="light", text_color="dark", className="me-2"),
        html.Span(the.other_name, className="text-muted small", id=f"{ID}-other-name"),
    ], className="mb-2", id=f"{ID}-header")


def _levels_text(levels: tuple[str, ...], lang: str) -> str:
    return t("indicator.plain.list_sep", lang).join(t(f"level.{v}", lang) for v in levels)


def notices(view: IndicatorPage, lang: str) -> list:
    """What the page says above its panels (the frame says a region out of scope and a missing period)."""
    out = []
    if not view.choice.periods:
        out.append(dbc.Alert(no_periods(view.choice, lang), color="info", className="py-2 small", id=f"{ID}-no-periods"))
    cover = view.coverage
    if cover is not None:
        levels = _levels_text(cover.levels, lang)
        level = t(f"level.{cover.level}", lang)
        if cover.below and cover.nearest is not None:
            body = [t("indicator.coverage.below", lang, levels=levels, level=level), " ",
                    dcc.Link(cover.nearest.name, href=href(view, region=cover.nearest.code), className="alert-link")]
        else:
            body = [t("indicator.coverage.above", lang, levels=levels, level=level)]
        out.append(dbc.Alert(body, color="info", className="py-2 small", id=f"{ID}-coverage"))
    return out


# -- the value ---------------------------------------------------------------------------------

def _change(head: Headline, the: Definition, lang: str) -> str:
    shown = round(head.delta, the.decimals) if the.unit == "%" else round(head.delta_pct, 1) \
        if head.delta_pct is not None else round(head.delta, the.decimals)
    if shown == 0:
        return t("indicator.flat", lang)
    sign = "+" if head.delta > 0 else "−"
    if the.unit == "%":
        return f"{sign}{format_number(abs(head.delta), the.decimals, lang)}{t('indicator.points', lang)}"
    if head.delta_pct is not None:
        return f"{sign}{abs(head.delta_pct):.1f}%"
    return f"{sign}{format_value(abs(head.delta), the.unit, the.decimals, lang)}"


def value_card(view: IndicatorPage, lang: str) -> dbc.Card:
    the, head = view.definition, view.headline
    body: list = []
    if head.value is None:
        body.append(html.Div(t("indicator.value.none", lang), className="text-muted", id=f"{ID}-value"))
    else:
        number = html.Div(_value(head.value, the, lang), className="kpi-value ind-kpi", id=f"{ID}-value")
        if view.records:  # the number opens the records behind it
            number = dcc.Link(number, href=view.records[0].href, className="text-decoration-none",
                              id=f"{ID}-value-link")
        body.append(number)
        if head.provisional:
            body.append(html.Div(t("indicator.value.provisional", lang), className="small text-warning"))
        label = t(f"indicator.cmp.short.{head.cmp}", lang)
        if head.delta is None:
            body.append(html.Div(t(f"indicator.cmp.none.{head.cmp}", lang), className="small text-muted",
                                 id=f"{ID}-change"))
        else:
            body.append(html.Div([html.Span(f"{label} {_change(head, the, lang)}", className=f"wb-tone-{head.tone} fw-semibold"),
                                  html.Span(_reference(head, the, lang), className="small text-muted ms-2")],
                                 id=f"{ID}-change"))
        if head.rank is not None:
            parent = view.place.path[-2].name if len(view.place.path) > 1 else ""
            body.append(html.Div(t("indicator.rank", lang, parent=parent, n=head.peer_count, rank=head.rank),
                                 className="small mt-1", id=f"{ID}-rank"))
        elif the.polarity == "neutral":
            body.append(html.Div(t("indicator.rank.neutral", lang), className="small text-muted mt-1"))
    body.append(records_block(view, lang))
    title = t("indicator.value.title", lang, region=view.place.name, period=_period(view.choice.chosen))
    if view.category is not None:
        title += t("indicator.filtered_by", lang, value=view.category[1])
    return _card(title, body, f"{ID}-value-card")


def _reference(head: Headline, the: Definition, lang: str) -> str:
    if head.cmp == "target":
        return t("indicator.cmp.reference_target", lang, value=_value(head.reference, the, lang))
    return t("indicator.cmp.reference", lang, label=t(f"indicator.cmp.ref_label.{head.cmp}", lang),
             value=_value(head.reference, the, lang), period=head.reference_period or "")


def records_block(view: IndicatorPage, lang: str) -> html.Div:
    if view.definition.kind == "composite":
        return html.Div(t("indicator.records.none", lang), className="small text-muted mt-3", id=f"{ID}-records")
    if not view.records:
        return html.Div(id=f"{ID}-records")
    links = []
    for found in view.records:
        shown = format_value(found.value, found.ref.unit, 0, lang)
        links.append(html.Li(dcc.Link([html.I(className="bi bi-table me-1"),
                                       t("indicator.records.set", lang, name=found.ref.name, value=shown)],
                                      href=found.href)))
    return html.Div([html.Div(t("indicator.records", lang), className="kpi-label mt-3"),
                     html.Ul(links, className="list-unstyled small mb-0")], id=f"{ID}-records")


# -- the trend ---------------------------------------------------------------------------------

def trend_figure(series: Series, the: Definition, lang: str, height: int = 280) -> go.Figure:
    """The value over time, the target of each period's year (dashed), the band (shaded) and the
    alert lines (dotted); a provisional period drawn hollow."""
    traces, shapes = [], []
    if the.band is not None:
        shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": the.band[0],
                       "y1": the.band[1], "fillcolor": rgba("better", 0.08), "line": {"width": 0}, "layer": "below"})
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", name=t("indicator.trend.band", lang),
                                 marker={"symbol": "square", "size": 12, "color": rgba("better", 0.25)}))
    texts = [format_value(v, the.unit, the.decimals, lang) for v in series.values]
    traces.append(go.Scatter(
        x=list(series.periods), y=list(series.values), mode="lines+markers", name=t("indicator.trend.value", lang),
        line={"color": colour("blue"), "width": 2},
        marker={"size": [9 if p else 6 for p in series.provisional], "color": [
            colour("card") if p else colour("blue") for p in series.provisional],
            "line": {"color": colour("blue"), "width": 2}},
        text=texts, hovertemplate="%{x}: %{text}<extra></extra>"))
    if any(v is not None for v in series.targets):
        traces.append(go.Scatter(x=list(series.periods), y=list(series.targets), mode="lines",
                                 name=t("indicator.trend.target", lang), line_shape="hv",
                                 line={"color": colour("highlight"), "width": 2, "dash": "dash"},
                                 hovertemplate="%{x}: %{y}<extra>" + t("indicator.trend.target", lang) + "</extra>"))
    for rule in the.thresholds:
        if rule.on != "value":
            continue  # a rule on the change is not a line on the values
        for level in (rule.above, rule.below):
            if level is None:
                continue
            name = t(f"indicator.trend.{rule.severity}", lang) if rule.severity in ("warning", "alarm") else rule.severity
            traces.append(go.Scatter(x=[series.periods[0], series.periods[-1]], y=[level, level], mode="lines",
                                     name=f"{name} {format_number(level, the.decimals, lang)}",
                                     line={"color": colour("worse" if rule.severity == "alarm" else "amber"),
                                           "width": 1.5, "dash": "dot"}, hoverinfo="skip"))
    if any(series.provisional):
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", name=t("indicator.trend.provisional", lang),
                                 marker={"size": 9, "color": colour("card"), "line": {"color": colour("blue"), "width": 2}}))
    return figure(traces, height, margin={"l": 8, "r": 16, "t": 28, "b": 8}, font={"family": FONT, "size": 12},
                  plot_bgcolor=colour("card"), paper_bgcolor=colour("card"), hovermode="x unified", shapes=shapes,
                  showlegend=True, legend={"orientation": "h", "y": 1.12, "x": 0, "font": {"size": 12}},
                  xaxis={"type": "category", "showgrid": False, "tickangle": 0, "nticks": 12, "automargin": True},
                  yaxis={"showgrid": True, "gridcolor": colour("gridline"), "zeroline": False, "automargin": True,
                         "ticksuffix": "%" if the.unit == "%" else ""})


def trend_card(view: IndicatorPage, lang: str) -> dbc.Card:
    the = view.definition
    unit = unit_label(the.unit, lang)
    title = t("indicator.trend.title", lang) + (f"（{unit}）" if lang == "zh" and unit else f" ({unit})" if unit else "")
    if view.category is not None:
        title += t("indicator.filtered_by", lang, value=view.category[1])
    if not view.series.periods:
        body = dbc.Alert(t("indicator.trend.none", lang, region=view.place.name,
                           frequency=t(f"indicator.freq.{view.choice.frequency}", lang)), color="light",
                         className="mb-0 small", id=f"{ID}-trend")
    else:
        body = dcc.Graph(id=f"{ID}-trend", figure=trend_figure(view.series, the, lang), config=GRAPH_CONFIG)
    return _card(title, body, f"{ID}-trend-card")


# -- regions compared --------------------------------------------------------------------------

def ranking_card(view: IndicatorPage, lang: str) -> dbc.Card:
    compared = view.comparison
    if compared is None:
        empty = dbc.Alert(t("indicator.ranking.none", lang, region=view.place.name), color="light",
                          className="mb-0 small", id=f"{ID}-ranking")
        return _card(t("indicator.ranking.title", lang), empty, f"{ID}-ranking-card")
    level = level_name(compared.level, lang)
    title = (t("indicator.ranking.peers", lang, name=view.place.name, area=compared.area_name, level=level)
             if compared.among_peers else t("indicator.ranking.children", lang, area=compared.area_name, level=level))
    if compared.category is not None:
        title += t("indicator.filtered_by", lang, value=compared.category[1])
    elif view.category is not None:  # too many regions to look each category value up
        title += t("indicator.not_filtered", lang)
    return _card(title, ranking_rows(view, compared, lang), f"{ID}-ranking-card",
                 footer=t("indicator.ranking.drill", lang) if any(r.drill for r in compared.rows) else None)


def ranking_rows(view: IndicatorPage, compared: Comparison, lang: str) -> html.Div:
    """The compared regions as HTML bars, best first; a region with regions below it is a link
    one level down (the same page for that region)."""
    the = view.definition
    rows = compared.rows[:RANKED_SHOWN]
    top = max((abs(r.value) for r in rows), default=0) or 1
    items = []
    for n, r in enumerate(rows, start=1):
        name = dcc.Link(r.name, href=href(view, region=r.region), className="ind-rank-name", style=RANK_NAME,
                        title=r.name) if r.drill else html.Span(r.name, className="ind-rank-name", style=RANK_NAME)
        width = f"{max(abs(r.value) / top * 100, 0.5):.1f}%"
        items.append(html.Div([
            html.Span(r.rank if r.rank is not None else n, className="ind-rank-no", style=RANK_NO),
            name,
            html.Div(html.Div(style={**(RANK_FILL_NEGATIVE if r.value < 0 else RANK_FILL), "width": width}),
                     style=RANK_BAR),
            html.Span(_value(r.value, the, lang), className="ind-rank-value", style=RANK_VALUE),
        ], className="ind-rank-row" + (" selected" if r.region == compared.selected else ""),
            style=RANK_SELECTED if r.region == compared.selected else RANK_ROW,
            **{"data-region": r.region}))
    note = [] if the.polarity != "neutral" else [html.Div(t("indicator.ranking.unranked", lang), className="small text-muted mb-1")]
    return html.Div(note + items, className="ind-rank", id=f"{ID}-ranking", style=RANK_LIST)


def map_card(view: IndicatorPage, lang: str) -> dbc.Card:
    data: MapData | None = view.map
    the = view.definition
    if data is None:
        return _card(t("indicator.map.title", lang, area=view.place.name),
                     dbc.Alert(t("indicator.map.none", lang) if view.comparison is not None else
                               t("indicator.ranking.none", lang, region=view.place.name),
                               color="light", className="mb-0 small"), f"{ID}-map-card")
    component = region_map(MAP_ID, data.geometry, data.values, unit=the.unit, label=the.name, lang=lang,
                           highlight=data.highlight, height=380, decimals=the.decimals, notice=data.notice)
    title = t("indicator.map.title", lang, area=data.area_name)
    if view.comparison is not None and view.comparison.category is not None:
        title += t("indicator.filtered_by", lang, value=view.comparison.category[1])
    return _card(title, component, f"{ID}-map-card", flush=True)


# -- a composite taken apart ---------------------------------------------------------------------

def breakdown_card(view: IndicatorPage, lang: str) -> dbc.Card | None:
    the = view.definition
    if the.kind != "composite":
        return None
    parts: Breakdown | None = view.breakdown
    title = t("indicator.parts.title", lang, region=view.place.name, period=_period(view.choice.chosen))
    if parts is None:
        declared = html.Ul([html.Li([indicator_link(p.ref.indicator, p.ref.name, view), f" × {p.weight:.3f}"])
                            for p in the.parts], className="small mb-0")
        return _card(title, [dbc.Alert(t("indicator.parts.none", lang, region=view.place.name), color="light",
                                       className="py-2 small"),
                             html.Div(t("indicator.parts.declared", lang), className="small text-muted"), declared],
                     f"{ID}-parts-card")
    rows = []
    for p in parts.parts:
        score_width = f"{max(min(p.score or 0, 100), 0):.1f}%"
        rows.append(html.Tr([
            html.Td([indicator_link(p.ref.indicator, p.ref.name, view),
                     html.Span(t("indicator.parts.imputed", lang), className="text-muted") if p.imputed else None]),
            html.Td(f"{p.effective_weight if p.effective_weight is not None else p.weight:.3f}", className="text-end font-monospace"),
            html.Td(format_value(p.value, p.unit, p.decimals, lang), className="text-end font-monospace"),
            html.Td(html.Div([html.Div(style={**SCORE_FILL, "width": score_width}),
                              html.Span(f"{p.score:.1f}" if p.score is not None else "—", style=SCORE_TEXT)],
                             style=SCORE), style={"minWidth": "8rem"}),
            html.Td(f"{p.points:.1f}" if p.points is not None else "—", className="text-end font-monospace"),
            html.Td(f"{p.share:.1f}%" if p.share is not None else "—", className="text-end font-monospace"),
        ]))
    table = dbc.Table([html.Thead(html.Tr([
        html.Th(t("indicator.parts.col.part", lang)), html.Th(t("indicator.parts.col.weight", lang), className="text-end"),
        html.Th(t("indicator.parts.col.value", lang), className="text-end"), html.Th(t("indicator.parts.col.score", lang)),
        html.Th(t("indicator.parts.col.points", lang), className="text-end"),
        html.Th(t("indicator.parts.col.share", lang), className="text-end")])), html.Tbody(rows)],
        size="sm", hover=True, className="small mb-0", id=f"{ID}-parts")
    why = dbc.Alert([html.I(className="bi bi-lightbulb me-2"), html.Strong(t("indicator.parts.why", lang)),
                     parts.explanation or t("indicator.parts.no_why", lang)],
                    color="light", className="py-2 small", id=f"{ID}-explanation")
    return _card(title, [why, table], f"{ID}-parts-card")


# -- definition and lineage ----------------------------------------------------------------------

def plain_words(the: Definition, lang: str) -> str:
    """The definition's facts as one sentence: how often, for which levels, which way is better."""
    sep = t("indicator.plain.list_sep", lang)
    freqs = sep.join(t(f"indicator.plain.freq.{f}", lang) for f in the.frequencies)
    parts = [t("indicator.plain.frequencies", lang, freqs=freqs),
             t("indicator.plain.levels", lang, levels=_levels_text(the.levels, lang))]
    if the.polarity == "band" and the.band is not None:
        parts.append(t("indicator.plain.band", lang, low=format_number(the.band[0], the.decimals, lang),
                       high=format_number(the.band[1], the.decimals, lang)))
    elif the.polarity in ("higher_better", "lower_better", "neutral"):
        parts.append(t(f"indicator.plain.{the.polarity}", lang))
    return t("indicator.plain.sep", lang).join(parts) + t("indicator.plain.end", lang)


def _formula(tokens: tuple[Token, ...], view: IndicatorPage) -> html.Code:
    return html.Code([indicator_link(tk.ref.indicator, tk.ref.name, view, title=tk.text, className="ind-token")
                      if tk.ref is not None else tk.text for tk in tokens], style=FORMULA, id=f"{ID}-formula")


def definition_card(view: IndicatorPage, lang: str) -> dbc.Card:
    the = view.definition

    def item(label: str, value) -> list:
        return [html.Dt(label, className="col-sm-3 text-muted fw-normal"), html.Dd(value, className="col-sm-9 mb-2")]

    targets: list = []
    for rule in the.targets:
        where = rule.region_name or t("indicator.definition.target_any", lang)
        year = t("indicator.definition.target_year", lang, year=rule.year) if rule.year is not None else ""
        targets.append(html.Div(t("indicator.definition.target_rule", lang, where=where, year=year,
                                  value=_value(rule.value, the, lang))))
    rules = [html.Div(t("indicator.definition.threshold", lang, severity=t(f"indicator.severity.{r.severity}", lang),
                        rule=t("indicator.plain.list_sep", lang).join(
                            t(f"indicator.definition.threshold_{side}", lang, on=t(f"indicator.on.{r.on}", lang),
                              value=format_number(level, the.decimals, lang))
                            for side, level in (("above", r.above), ("below", r.below)) if level is not None)))
             for r in the.thresholds if r.severity in ("warning", "alarm")
             and r.on in ("value", "change", "pct_change", "yoy_pct")]
    items = item(t("indicator.definition.meaning", lang), the.description or "—")
    items += item(t("indicator.definition.plain", lang), plain_words(the, lang))
    items += item(t("indicator.definition.unit", lang), unit_label(the.unit, lang) or the.unit or "—")
    items += item(t("indicator.definition.owner", lang), the.owner or "—")
    items += item(t("indicator.definition.system", lang), the.system_name)
    items += item(t(f"indicator.definition.formula.{the.kind}", lang), _formula(the.formula, view))
    if the.parts:
        items += item(t("indicator.parts.col.part", lang), html.Ul(
            [html.Li([indicator_link(p.ref.indicator, p.ref.name, view), f" × {p.weight:.3f}"]) for p in the.parts],
            className="list-unstyled mb-0"))
    if the.band is not None:
        items += item(t("indicator.definition.band", lang),
                      f"{format_number(the.band[0], the.decimals, lang)} – {format_number(the.band[1], the.decimals, lang)}")
    items += item(t("indicator.definition.targets", lang), targets or t("indicator.definition.no_targets", lang))
    if rules:
        items += item(t("indicator.definition.thresholds", lang), rules)
    items += item(t("indicator.definition.source", lang), html.Code(the.source, className="small"))
    return _card(t("indicator.definition.title", lang), html.Dl(items, className="row mb-0 small"),
                 f"{ID}-definition-card")


def lineage_card(view: IndicatorPage, lang: str) -> dbc.Card:
    graph: Lineage | None = view.lineage
    title = t("indicator.lineage.title", lang)
    if graph is None:
        return _card(title, dbc.Alert(t("indicator.lineage.none", lang), color="light", className="mb-0 small"),
                     f"{ID}-lineage-card")
    names = {n.key: n.label for layer in graph.layers for n in layer}
    reads: dict[str, list[str]] = {}
    read_by: dict[str, list[str]] = {}
    for a, b in graph.edges:
        reads.setdefault(b, []).append(names.get(a, a))
        read_by.setdefault(a, []).append(names.get(b, b))
    sep = t("indicator.plain.list_sep", lang)
    columns: list = []
    for n, layer in enumerate(graph.layers):
        if n:
            columns.append(html.Div("→", style=LINEAGE_ARROW))
        chips = []
        for node in layer:
            tip = "\n".join(filter(None, [
                t("indicator.lineage.reads", lang, names=sep.join(reads[node.key])) if node.key in reads else "",
                t("indicator.lineage.read_by", lang, names=sep.join(read_by[node.key])) if node.key in read_by else ""]))
            kind = html.Span(t(f"indicator.kind.{node.kind}", lang), style=NODE_KIND)
            cls = f"ind-node ind-node-{node.kind}" + (" current" if node.current else "")
            look = NODE_CURRENT if node.current else NODE_FEED if node.kind == "feed" else NODE
            if node.ref is not None and not node.current:
                chips.append(dcc.Link([kind, node.label], href=indicator_href(node.key, view), className=cls,
                                      title=tip, style=look, id=f"{ID}-node-{node.key}"))
            else:
                chips.append(html.Span([kind, node.label], className=cls, title=tip, style=look,
                                       id=f"{ID}-node-{node.key.replace(':', '-')}"))
        columns.append(html.Div(chips, style=LINEAGE_COL))
    nothing = t("indicator.lineage.nothing", lang)

    def refs(found) -> list:
        if not found:
            return [nothing]
        out: list = []
        for n, r in enumerate(found):
            if n:
                out.append(sep)
            out.append(indicator_link(r.indicator, r.name, view))
        return out

    return _card(title, [
        html.P(t("indicator.lineage.lead", lang), className="small text-muted mb-2"),
        html.Div(columns, style=LINEAGE, id=f"{ID}-lineage"),
        html.Div([html.Span(t("indicator.lineage.inputs", lang), className="text-muted"),
                  *refs(graph.inputs)], className="small mt-2"),
        html.Div([html.Span(t("indicator.lineage.used_by", lang), className="text-muted"),
                  *refs(graph.used_by)], className="small"),
    ], f"{ID}-lineage-card")


# -- the page ------------------------------------------------------------------------------------

def cross_labels(view: IndicatorPage, lang: str) -> dict[str, str]:
    """What each cross filter is called (its breakdown column), for the chips."""
    return {dim: cross_label(dim, lang) for dim in view.spec.cross}


def cross_label(dim: str, lang: str) -> str:
    key = f"indicator.cross.{dim}"
    return t(key, lang) if key in STRINGS else dim


def categories_card(view: IndicatorPage, split: Categories, lang: str) -> dbc.Card:
    """The indicator per category at the place; a click on a bar filters the page by it (again: clears)."""
    the = view.definition
    labels = [r.label for r in split.rows]
    selected = next((r.label for r in split.rows if r.category == split.selected), None)
    fig = category_bars(labels, [r.value for r in split.rows], [f"filter:{split.dim}:{r.category}" for r in split.rows],
                        the.unit, the.decimals, lang, selected=selected)
    footer = t("indicator.categories.more", lang, n=split.more) if split.more else None
    title = t("indicator.categories.title", lang, dim=cross_label(split.dim, lang), region=view.place.name)
    return _card(title, [html.Div(t("indicator.categories.lead", lang), className="small text-muted"),
                         workbench.go_graph(f"ind-cat-{split.dim}", fig, height=fig.layout.height)],
                 f"{ID}-categories-{split.dim}",
                 footer=footer)


def _card(title: str, body, card_id: str, footer: str | None = None, flush: bool = False) -> dbc.Card:
    return workbench.panel(title, html.Div(body, className="m-n2") if flush else body, panel_id=card_id, footer=footer)


def page(view: IndicatorPage, lang: str) -> html.Div:
    """The whole page in the department pages' frame (filter bar, breadcrumbs, notices)."""
    the = view.definition
    parts = breakdown_card(view, lang)
    body = html.Div([
        header(view, lang),
        dbc.Row([dbc.Col(value_card(view, lang), lg=4), dbc.Col(trend_card(view, lang), lg=8)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(categories_card(view, split, lang), lg=12 // len(view.categories))
                 for split in view.categories], className="g-3 mb-3") if view.categories else None,
        dbc.Row([dbc.Col(ranking_card(view, lang), lg=6), dbc.Col(map_card(view, lang), lg=6)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(parts, lg=12)], className="g-3 mb-3") if parts is not None else None,
        dbc.Row([dbc.Col(definition_card(view, lang), lg=6), dbc.Col(lineage_card(view, lang), lg=6)],
                className="g-3 mb-4"),
    ])
    return workbench.workbench_page(view.spec, view.query, view.place, view.choice, lang, title=the.name,
                                    lead=t("indicator.lead", lang), body=body, page_id=f"{ID}-page",
                                    notices=notices(view, lang), cross_labels=cross_labels(view, lang))


def unknown(indicator: str, lang: str) -> dbc.Alert:
    """The 404 page's look, naming the id that is not an indicator."""
    return dbc.Alert([
        html.H4(t("indicator.unknown.title", lang), className="alert-heading"),
        html.P(t("indicator.unknown.lead", lang, id=indicator)),
        dcc.Link([html.I(className="bi bi-house me-1"), t("notfound.back", lang)], href="/", className="alert-link"),
    ], color="secondary", className="mt-3", id="notfound-page")


def no_periods(view: PeriodChoice, lang: str) -> str:
    return t("indicator.no_periods", lang, frequency=t(f"indicator.freq.{view.frequency}", lang))

