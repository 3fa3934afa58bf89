"""Figure builders for the PC views: plain Plotly, one look, labels in the reader's language."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cockpit.ui.format import format_value
from cockpit.ui.theme import colour

FONT = ('"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
        "system-ui, sans-serif")
BLUE, NAVY, MUTED, HIGHLIGHT = colour("blue"), colour("navy"), colour("muted"), colour("highlight")
GRIDLINE = colour("gridline")
# The trace types the cockpit draws, here and in screen_charts.py. The app serves a Plotly.js with
# only these (assets/_vendor/plotly/, built from frontend/plotly.js): a quarter of the full bundle's
# size and evaluation time. Plotly silently leaves out a trace of a type it lacks, so a new type goes
# here and in frontend/plotly.js, then `bash frontend/build.sh`; the tests hold the three in step.
PLOTLY_TRACES = frozenset({"bar", "funnel", "scatter", "scatterpolar"})


BASE_LAYOUT = {"margin": {"l": 8, "r": 48, "t": 8, "b": 8}, "font": {"family": FONT, "size": 13},
               "plot_bgcolor": "white", "paper_bgcolor": "white", "showlegend": False, "bargap": 0.25}


def figure(traces: list, height: int, **layout) -> go.Figure:
    """A figure of `traces` in the cockpit's look, its whole layout given at once (`layout` over
    BASE_LAYOUT, axes as `xaxis`/`yaxis` dicts). Plotly validates a figure's layout on each
    `update_*` call; one constructor call is a third of the cost, and a page draws a dozen figures."""
    return go.Figure(data=traces, layout={**BASE_LAYOUT, "height": height, **layout})


def target_line(y: float, text: str, colour_name: str = "worse") -> tuple[dict, dict]:
    """A dashed horizontal line across the plot at `y` and its label at the left: a layout shape
    and annotation (what `Figure.add_hline` adds, without its per-call cost)."""
    col = colour(colour_name)
    return ({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y,
             "line": {"color": col, "dash": "dash", "width": 1}},
            {"xref": "paper", "x": 0, "yref": "y", "y": y, "text": text, "showarrow": False, "xanchor": "left",
             "yanchor": "bottom", "font": {"size": 11, "color": col}})


def ranking_bars(ranking: pd.DataFrame, selected: str | None, unit: str, decimals: int, lang: str) -> go.Figure:
    """Horizontal bars, best at the top, the selected region highlighted, values written at the end."""
    df = ranking.sort_values("rank", ascending=False)
    labels = [f"{int(r)}. {n}" for r, n in zip(df["rank"], df["name"], strict=True)]
    colours = [HIGHLIGHT if code == selected else BLUE for code in df["region"]]
    bars = go.Bar(
        x=df["value"], y=labels, orientation="h", marker_color=colours, customdata=df["region"],
        text=[format_value(v, unit, decimals, lang) for v in df["value"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>")
    return figure([bars], max(260, 34 * len(df) + 40), yaxis={"automargin": True},
                  xaxis={"showgrid": True, "gridcolor": GRIDLINE, "zeroline": False,
                         "range": [0, max(df["value"].max() * 1.1, 1)]})


def score_bars(children: pd.DataFrame, lang: str) -> go.Figure:
    """A composite's children as normalised scores (0–100), in definition order."""
    df = children.iloc[::-1]
    bars = go.Bar(
        x=df["score"], y=df[f"name_{lang}"], orientation="h", marker_color=NAVY,
        text=[f"{s:.1f}" if pd.notna(s) else "—" for s in df["score"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}<extra></extra>")
    return figure([bars], max(240, 30 * len(df) + 40), yaxis={"automargin": True},
                  xaxis={"range": [0, 110], "showgrid": True, "gridcolor": GRIDLINE, "zeroline": False})


LINE_COLOURS = [colour("blue"), colour("highlight"), colour("navy"), colour("better"), colour("worse"), MUTED]


def trend_figure(series: list[tuple[str, list[str], list[float | None]]], unit: str, decimals: int, lang: str,
                 target: float | None = None, height: int = 260, customdata: list[str] | None = None) -> go.Figure:
    """Lines over periods, one a (name, periods, values); a dashed line at `target`. With
    `customdata` (one string a period, e.g. a records link as "href:/records?…"), a click on a
    point goes there (`cockpit.ui.workbench.go_graph`)."""
    lines = [go.Scatter(
        x=periods, y=values, name=name, mode="lines+markers", line={"color": LINE_COLOURS[i % len(LINE_COLOURS)], "width": 2},
        marker={"size": 5}, customdata=customdata if i == 0 else None,
        text=[format_value(v, unit, decimals, lang) for v in values],
        hovertemplate="%{x} " + name.replace("%", "%%") + ": %{text}<extra></extra>")
        for i, (name, periods, values) in enumerate(series)]
    marks = {}
    if target is not None:
        shape, label = target_line(target, ("目标 " if lang == "zh" else "target ") + format_value(target, unit, decimals, lang))
        marks = {"shapes": [shape], "annotations": [label]}
    return figure(lines, height, showlegend=len(series) > 1, legend={"orientation": "h", "y": 1.12, "x": 0},
                  margin={"l": 8, "r": 16, "t": 28 if len(series) > 1 else 8, "b": 8}, hovermode="x unified",
                  xaxis={"type": "category", "showgrid": False, "tickangle": 0, "nticks": 8},
                  yaxis={"showgrid": True, "gridcolor": GRIDLINE, "zeroline": False,
                         "ticksuffix": "%" if unit == "%" else ""}, **marks)


def category_bars(labels: list[str], values: list[float | None], customdata: list[str] | None, unit: str,
                  decimals: int, lang: str, selected: str | None = None, height: int | None = None) -> go.Figure:
    """Horizontal bars, largest at the top; the bar whose label is `selected` highlighted; with
    `customdata`, a click goes where each bar says (a cross filter, a drill, a records link)."""
    order = list(range(len(labels)))[::-1]
    colours = [HIGHLIGHT if labels[i] == selected else BLUE for i in order]
    bars = go.Bar(
        x=[values[i] for i in order], y=[labels[i] for i in order], orientation="h", marker_color=colours,
        customdata=[customdata[i] for i in order] if customdata else None,
        text=[format_value(values[i], unit, decimals, lang) for i in order], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>")
    top = max([v for v in values if v is not None] or [1])
    return figure([bars], height or max(200, 28 * len(labels) + 40), yaxis={"automargin": True},
                  xaxis={"showgrid": True, "gridcolor": GRIDLINE, "zeroline": False,
                         "range": [0, top * 1.18 if top > 0 else 1]})
