"""Figures for the big screen: dark, thin gridlines, direct labels, one small palette.

Figures are plain dicts in Plotly's JSON schema rather than `go.Figure` objects: the screen
builds a dozen of them per load, and graph_objects' validation cost more than all the snapshot
queries together (about 200 ms of a 450 ms overview). dcc.Graph takes the dict as it is.
"""

from __future__ import annotations

import pandas as pd

from cockpit.ui.charts import FONT
from cockpit.ui.format import format_value

TEXT, GRID = "#cfe3ff", "rgba(120, 170, 255, 0.15)"
CYAN, BLUE, TEAL, AMBER, RED = "#22d3ee", "#3b82f6", "#14b8a6", "#f59e0b", "#ef4444"
PALETTE = [CYAN, AMBER, TEAL, BLUE]
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


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else float(v) for v in series]


def _unit_suffix(unit: str) -> str:
    """A unit as it follows a number: 95.2%, 177起, 12 events."""
    return unit if unit in ("", "%") or not unit.isascii() else f" {unit}"


def trend_lines(series: dict[str, pd.DataFrame], unit: str, height: int, decimals: int = 1) -> dict:
    """Several series over time, named in a one-line legend above the plot with their latest
    value, to the indicators' decimals (a count of events is 177, not 177.0)."""
    traces = []
    suffix = _unit_suffix(unit)
    for (label, df), colour in zip(series.items(), PALETTE, strict=False):
        if df.empty:
            continue
        last = df.iloc[-1]
        traces.append({"type": "scatter", "x": df["period"].tolist(), "y": _values(df["value"]), "mode": "lines",
                       "name": f"{label} {last['value']:,.{decimals}f}{suffix}", "line": {"color": colour, "width": 2.5},
                       "hovertemplate": f"{label} %{{x}}: %{{y:,.{decimals}f}}{suffix}<extra></extra>"})
    return _dark(traces, height, {"l": 8, "r": 16, "t": 30, "b": 8}, xaxis={"type": "category", "nticks": 6},
                 showlegend=True, legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                                          "font": {"size": 13, "color": TEXT}, "bgcolor": "rgba(0,0,0,0)"})


def ranking_bars(ranking: pd.DataFrame, selected: str | None, unit: str, decimals: int, height: int,
                 lang: str = "zh") -> dict:
    """Regions as bars, best at the top, the selected one in amber. Each bar carries its region
    code (customdata): a click re-scopes the screen, a hover highlights the region elsewhere."""
    df = ranking.sort_values("rank", ascending=False)
    bar = {"type": "bar", "orientation": "h", "x": _values(df["value"]),
           "y": [f"{int(r)} {n}" for r, n in zip(df["rank"], df["name"], strict=True)],
           "marker": {"color": [AMBER if code == selected else CYAN for code in df["region"]]},
           "customdata": df["region"].tolist(), "cliponaxis": False, "textposition": "outside",
           "text": [format_value(v, "", decimals, lang) for v in df["value"]], "textfont": {"color": TEXT},
           "hovertemplate": f"%{{y}}: %{{x:,.{decimals}f}}{_unit_suffix(unit)}<extra></extra>"}
    low = max(0.0, float(df["value"].min()) - 10)
    gap = max(0.2, 1 - 26 * len(df) / height)  # a few regions: slim bars, not slabs
    return _dark([bar], height, {"l": 8, "r": 56, "t": 4, "b": 4}, bargap=gap,
                 xaxis={"range": [low, float(df["value"].max()) + 6], "showgrid": False, "showticklabels": False})


def radar(dimensions: pd.DataFrame, lang: str, height: int) -> dict:
    # short axis labels: the dimension without its "management" word (治理), which they all share
    names = dimensions[f"name_{lang}"].str.replace("治理", "", regex=False).str.replace(" management", "", regex=False)
    names = names.tolist()
    scores = [float(s) for s in dimensions["score"].fillna(0)]
    trace = {"type": "scatterpolar", "r": scores + scores[:1], "theta": names + names[:1], "fill": "toself",
             "line": {"color": CYAN}, "fillcolor": "rgba(34, 211, 238, 0.25)",
             "hovertemplate": "%{theta}: %{r:.1f}<extra></extra>"}
    polar = {"bgcolor": "rgba(0,0,0,0)",
             "radialaxis": {"range": [0, 100], "gridcolor": GRID, "linecolor": GRID, "ticks": "",
                            "showticklabels": False},
             "angularaxis": {"gridcolor": GRID, "linecolor": GRID, "ticks": "", "tickfont": {"size": 12, "color": TEXT}}}
    side = 80 if lang == "en" else 50  # English labels are longer
    return _dark([trace], height, {"l": side, "r": side, "t": 20, "b": 20}, polar=polar)


def funnel(steps: list[tuple[str, float]], height: int) -> dict:
    trace = {"type": "funnel", "y": [s for s, _ in steps], "x": [float(v) for _, v in steps],
             "texttemplate": "%{value:,.0f} · %{percentInitial:.0%}",
             "marker": {"color": [CYAN, "#1fb5d6", TEAL, BLUE, "#6366f1"][: len(steps)]},
             "textfont": {"color": "#04142e", "size": 14}, "connector": {"fillcolor": "rgba(34, 211, 238, 0.08)"}}
    return _dark([trace], height, {"l": 8, "r": 8, "t": 4, "b": 4})


def category_bars(categories: pd.DataFrame, height: int, lang: str = "zh") -> dict:
    df = categories.iloc[::-1]
    counts = [float(v) for v in df["value"]]
    trace = {"type": "bar", "orientation": "h", "x": counts, "y": df["category"].tolist(), "marker": {"color": BLUE},
             "text": [format_value(v, "", 0, lang) for v in counts], "textposition": "outside", "cliponaxis": False,
             "textfont": {"color": TEXT}, "hovertemplate": "%{y}: %{x}<extra></extra>"}
    return _dark([trace], height, {"l": 8, "r": 30, "t": 4, "b": 4},
                 xaxis={"showgrid": False, "showticklabels": False, "range": [0, max(counts) * 1.2 if counts else 1]})
