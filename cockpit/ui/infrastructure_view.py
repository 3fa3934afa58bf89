"""Dash renderers of the infrastructure page's view models (`cockpit.views.infrastructure`)."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
from dash import html

from cockpit.ui.charts import BLUE, FONT, GRIDLINE, HIGHLIGHT, category_bars, figure, trend_figure
from cockpit.ui.format import format_number, format_value
from cockpit.ui.i18n import t
from cockpit.ui.index_view import sized_graph
from cockpit.ui.theme import colour
from cockpit.ui.workbench import region_table
from cockpit.views.infrastructure import (
    SENSOR_TYPE,
    RegionTable,
    SensorStatus,
    Series,
    sensor_type_name,
)


def sensor_types_figure(status: SensorStatus, lang: str) -> go.Figure:
    """Sensors of each type, stacked: in alarm, warning, normal (the total written at the end); a
    click filters the page by that type."""
    types = list(status.by_type)[::-1]
    labels = [c.name for c in types]
    custom = [f"filter:{SENSOR_TYPE}:{c.key}" for c in types]
    selected = [i for i, c in enumerate(types) if c.key == status.sensor_type]
    bars = []
    for name, values, col in (
        (t("infra.types.alarm", lang), [c.alarm for c in types], colour("worse")),
        (t("infra.types.warning", lang), [c.warning for c in types], HIGHLIGHT),
        (t("infra.types.normal", lang), [c.sensors - c.alarm - c.warning for c in types], BLUE),
    ):
        bars.append(go.Bar(x=values, y=labels, name=name, orientation="h", marker_color=col, customdata=custom,
                           selectedpoints=selected or None, hovertemplate="%{y} · " + name + ": %{x}<extra></extra>"))
    totals = [{"x": c.sensors, "y": c.name, "text": f" {c.sensors}", "showarrow": False, "xanchor": "left",
               "font": {"size": 11}} for c in types]
    return figure(bars, max(220, 34 * len(types) + 70), barmode="stack", font={"family": FONT, "size": 12},
                  margin={"l": 8, "r": 40, "t": 28, "b": 8}, showlegend=True,
                  legend={"orientation": "h", "y": 1.12, "x": 0}, bargap=0.3, annotations=totals,
                  xaxis={"showgrid": True, "gridcolor": GRIDLINE, "zeroline": False}, yaxis={"automargin": True})


def sensor_region_rows(status: SensorStatus, lang: str) -> list[dict]:
    return [{"code": c.key, "name": c.name, "sensors": f"{c.sensors:,}", "alarm": f"{c.alarm:,}",
             "warning": f"{c.warning:,}"} for c in status.by_region]


def sensor_region_columns(lang: str) -> list[tuple[str, str]]:
    return [("name", t("infra.col.region", lang)), ("sensors", t("infra.types.sensors", lang)),
            ("alarm", t("infra.types.alarm", lang)), ("warning", t("infra.types.warning", lang))]


def indicator_table(table: RegionTable, lang: str, *, table_id: str, spec, q,
                    records: Callable[[str, str], str | None] | None = None) -> html.Div:
    """The children on some indicators: names drill one level, a count opens its records."""
    cols = [("name", t("infra.col.region", lang))] + [(c.indicator, c.name) for c in table.columns]
    rows, links = [], {}
    for r in table.rows:
        row = {"code": r.region, "name": r.name}
        for c, v in zip(table.columns, r.values, strict=True):
            row[c.indicator] = format_value(v, c.unit, c.decimals, lang)
            href = records(c.indicator, r.region) if records and v is not None else None
            if href:
                row[f"{c.indicator}__href"] = href
                links[c.indicator] = f"{c.indicator}__href"
        rows.append(row)
    return html.Div(region_table(rows, cols, table_id=table_id, spec=spec, q=q, links=links),
                    style={"overflowX": "auto"})


def _nice_ticks(low: float, high: float, n: int = 4) -> list[float]:
    """About `n` round tick values covering [low, high]."""
    import math

    span = max(high - low, abs(high) * 0.1, 1e-9)
    raw = span / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(n + 3) if first + i * step <= high + step]


def trend(panel: str, lines: tuple[Series, ...], lang: str, height: int = 240, title: bool = False) -> html.Div | None:
    """Lines sharing a unit on one chart (the first's target, or its band, drawn and kept in
    view); counts tick in 万 and 亿 as the numbers on the page read; with `title`, the line's
    name above it (a single line has no legend)."""
    if not lines:
        return None
    unit, decimals = lines[0].unit, lines[0].decimals
    fig = trend_figure([(s.name, list(s.periods), list(s.values)) for s in lines], unit, decimals, lang,
                       target=lines[0].target, height=height)
    values = [v for s in lines for v in s.values if v is not None]
    band = lines[0].band
    if band is not None and values:
        fig.add_hrect(y0=band[0], y1=band[1], fillcolor=colour("better"), opacity=0.08, line_width=0,
                      annotation_text=t("infra.cloud.band", lang, low=f"{band[0]:g}", high=f"{band[1]:g}"),
                      annotation_position="bottom right", annotation_font={"size": 11, "color": colour("better")})
        fig.update_yaxes(range=[min(min(values), band[0]) - 5, max(max(values), band[1]) + 5])
    elif unit != "%" and values:
        ticks = _nice_ticks(min(values), max(values))
        fig.update_yaxes(tickvals=ticks, ticktext=[format_number(v, 0, lang) for v in ticks])
    head = [html.Div(f"{lines[0].name}（{unit}）" if lang == "zh" else f"{lines[0].name} ({unit})",
                     className="small fw-semibold text-muted")] if title else []
    return html.Div(head + [sized_graph(panel, fig)], id=f"{panel}-graph")


def category_figure(table: RegionTable, column: int, lang: str):
    """One indicator column as bars by region (click drills)."""
    col = table.columns[column]
    rows = [r for r in table.rows if r.values[column] is not None]
    rows.sort(key=lambda r: -(r.values[column] or 0))
    return category_bars([r.name for r in rows], [r.values[column] for r in rows],
                         [f"region:{r.region}" for r in rows], col.unit, col.decimals, lang)


def type_label(sensor_type: str | None, lang: str) -> str:
    return sensor_type_name(sensor_type, lang) if sensor_type else ""
