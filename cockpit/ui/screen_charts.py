"""Figures for the big screen, drawn from its view models (`cockpit.views.screen`): dark, thin
gridlines, direct labels, one small palette.

Figures are plain dicts in Plotly's JSON schema rather than `go.Figure` objects: the screen
builds a dozen of them per load, and graph_objects' validation cost more than all the snapshot
queries together (about 200 ms of a 450 ms overview). dcc.Graph takes the dict as it is.

Every number on a figure (labels, legends, hover texts, axis ticks) is written by
`cockpit.ui.format`, so a chart and a tile never disagree on when a count turns into 万.
"""

from __future__ import annotations

import math

import pandas as pd

from cockpit.ui.charts import FONT
from cockpit.ui.format import LARGE, format_number, format_value
from cockpit.ui.theme import colour, rgba
from cockpit.views.screen import Breakdown, Dimensions, Ranking, Trend

TEXT, GRID = colour("screen-text"), rgba("screen-grid", 0.15)
CYAN, BLUE, TEAL, AMBER = colour("cyan"), colour("sky-blue"), colour("teal"), colour("amber")
PALETTE = [CYAN, AMBER, TEAL, BLUE]
FUNNEL = [CYAN, colour("cyan-deep"), TEAL, BLUE, colour("indigo")]
# What Plotly's default template gave the axes (go.Figure applies it; a dict figure does not).
_AXIS = {"gridcolor": GRID, "zeroline": False, "linecolor": GRID, "tickfont": {"color": TEXT}, "automargin": True,
         "ticks": ""}


def _dark(data: list[dict], height: int, margin: dict | None = None, xaxis: dict | None = None,
          yaxis: dict | None = None, **layout) -> dict:
    return {"data": data, "layout": {
        "height": height, "margin": margin or {"l": 8, "r": 16, "t": 8, "b": 8},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "showlegend": False,
        "font": {"family": FONT, "size": 14, "color": TEXT}, "hoverlabel": {"font": {"family": FONT}, "align": "left"},
        "hovermode": "closest",
        "xaxis": {**_AXIS, **(xaxis or {})}, "yaxis": {**_AXIS, **(yaxis or {})}, **layout}}


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values covering [low, high]."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def value_axis(values: list[float | None], decimals: int, lang: str) -> dict:
    """A value axis whose ticks follow the one number rule: Plotly's own ticks in full (20,000,
    not 20k) below `LARGE`, ticks written by `format_number` (12.3万, 1.23M) from there on."""
    present = [v for v in values if v is not None]
    if not present or max(abs(v) for v in present) < LARGE:
        return {"separatethousands": True, "exponentformat": "none"}
    ticks = _nice_ticks(min(present), max(present))
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [format_number(v, decimals, lang) for v in ticks]}


def trend_lines(trend: Trend, height: int, lang: str) -> dict:
    """Several series over time, named in a one-line legend above the plot with their latest
    value, to the indicators' decimals (a count of events is 177, not 177.0)."""
    traces, shown = [], []
    for line, line_colour in zip(trend.lines, PALETTE, strict=False):
        if not line.periods:
            continue
        texts = [format_value(v, trend.unit, trend.decimals, lang) for v in line.values]
        traces.append({"type": "scatter", "x": list(line.periods), "y": list(line.values), "mode": "lines",
                       "name": f"{line.name} {texts[-1]}", "line": {"color": line_colour, "width": 2.5},
                       "text": texts, "hovertemplate": f"{line.name} %{{x}}: %{{text}}<extra></extra>"})
        shown += line.values
    return _dark(traces, height, {"l": 8, "r": 16, "t": 30, "b": 8}, xaxis={"type": "category", "nticks": 6},
                 yaxis=value_axis(shown, trend.decimals, lang),
                 showlegend=True, legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                                          "font": {"size": 13, "color": TEXT}, "bgcolor": "rgba(0,0,0,0)"})


def ranking_bars(ranking: Ranking, height: int, lang: str) -> dict:
    """Regions as bars, best at the top, the selected one in amber. Each bar carries its region
    code (customdata): a click re-scopes the screen, a hover highlights the region elsewhere."""
    # bottom-up, so the best is drawn last, at the top (pandas' sort, as the PC charts order ties)
    order = pd.Series([r.rank for r in ranking.regions], dtype="float").sort_values(ascending=False).index
    regions = [ranking.regions[i] for i in order]
    values = [r.value for r in regions]
    bar = {"type": "bar", "orientation": "h", "x": values,
           "y": [r.name if r.rank is None else f"{r.rank} {r.name}" for r in regions],
           "marker": {"color": [AMBER if r.region == ranking.selected else CYAN for r in regions]},
           "customdata": [r.region for r in regions], "cliponaxis": False, "textposition": "outside",
           "text": [format_value(v, "", ranking.decimals, lang) for v in values], "textfont": {"color": TEXT},
           "hovertext": [format_value(v, ranking.unit, ranking.decimals, lang) for v in values],
           "hovertemplate": "%{y}: %{hovertext}<extra></extra>"}
    low = max(0.0, min(values) - 10)
    gap = max(0.2, 1 - 26 * len(regions) / height)  # a few regions: slim bars, not slabs
    return _dark([bar], height, {"l": 8, "r": 56, "t": 4, "b": 4}, bargap=gap,
                 xaxis={"range": [low, max(values) + 6], "showgrid": False, "showticklabels": False})


def radar(dimensions: Dimensions, height: int, lang: str) -> dict:
    names = [d.name for d in dimensions.dimensions]
    scores = [d.score or 0.0 for d in dimensions.dimensions]
    trace = {"type": "scatterpolar", "r": scores + scores[:1], "theta": names + names[:1], "fill": "toself",
             "line": {"color": CYAN}, "fillcolor": rgba("cyan", 0.25),
             "hovertemplate": "%{theta}: %{r:.1f}<extra></extra>"}
    polar = {"bgcolor": "rgba(0,0,0,0)",
             "radialaxis": {"range": [0, 100], "gridcolor": GRID, "linecolor": GRID, "ticks": "",
                            "showticklabels": False},
             "angularaxis": {"gridcolor": GRID, "linecolor": GRID, "ticks": "", "tickfont": {"size": 12, "color": TEXT}}}
    side = 80 if lang == "en" else 50  # English labels are longer
    return _dark([trace], height, {"l": side, "r": side, "t": 20, "b": 20}, polar=polar)


def funnel(steps: list[tuple[str, float]], height: int, lang: str) -> dict:
    """Counts that each hold the next, labelled with the count and its share of the first."""
    first = steps[0][1] if steps else 0
    texts = [f"{format_number(v, 0, lang)} · {v / first:.0%}" if first else format_number(v, 0, lang)
             for _, v in steps]
    trace = {"type": "funnel", "y": [s for s, _ in steps], "x": [float(v) for _, v in steps],
             "text": texts, "textinfo": "text",
             "marker": {"color": FUNNEL[: len(steps)]},
             "textfont": {"color": colour("ink"), "size": 14}, "connector": {"fillcolor": rgba("cyan", 0.08)}}
    return _dark([trace], height, {"l": 8, "r": 8, "t": 4, "b": 4})


def category_bars(breakdown: Breakdown, height: int, lang: str) -> dict:
    categories = breakdown.categories[::-1]
    counts = [c.value for c in categories]
    trace = {"type": "bar", "orientation": "h", "x": counts, "y": [c.name for c in categories],
             "marker": {"color": BLUE}, "text": [format_value(v, "", 0, lang) for v in counts],
             "textposition": "outside", "cliponaxis": False, "textfont": {"color": TEXT},
             "hovertext": [format_value(v, breakdown.unit, 0, lang) for v in counts],
             "hovertemplate": "%{y}: %{hovertext}<extra></extra>"}
    return _dark([trace], height, {"l": 8, "r": 30, "t": 4, "b": 4},
                 xaxis={"showgrid": False, "showticklabels": False, "range": [0, max(counts) * 1.2 if counts else 1]})
