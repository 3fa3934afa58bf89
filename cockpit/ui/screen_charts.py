"""Figures for the big screen: dark, thin gridlines, direct labels, one small palette."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cockpit.ui.charts import FONT
from cockpit.ui.format import format_value

TEXT, GRID = "#cfe3ff", "rgba(120, 170, 255, 0.15)"
CYAN, BLUE, TEAL, AMBER, RED = "#22d3ee", "#3b82f6", "#14b8a6", "#f59e0b", "#ef4444"
PALETTE = [CYAN, AMBER, TEAL, BLUE]


def _dark(fig: go.Figure, height: int, margin: dict | None = None) -> go.Figure:
    fig.update_layout(
        height=height, margin=margin or {"l": 8, "r": 16, "t": 8, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", showlegend=False,
        font={"family": FONT, "size": 14, "color": TEXT}, hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(gridcolor=GRID, zeroline=False, linecolor=GRID, tickfont={"color": TEXT})
    fig.update_yaxes(gridcolor=GRID, zeroline=False, linecolor=GRID, tickfont={"color": TEXT})
    return fig


def trend_lines(series: dict[str, pd.DataFrame], unit: str, height: int) -> go.Figure:
    """Several series over time, named in a one-line legend above the plot."""
    fig = go.Figure()
    for (label, df), colour in zip(series.items(), PALETTE, strict=False):
        if df.empty:
            continue
        last = df.iloc[-1]
        fig.add_trace(go.Scatter(x=df["period"], y=df["value"], mode="lines", name=f"{label} {last['value']:.1f}{unit}",
                                 line={"color": colour, "width": 2.5},
                                 hovertemplate=f"{label} %{{x}}: %{{y:.1f}}{unit}<extra></extra>"))
    fig.update_xaxes(type="category", nticks=6)
    _dark(fig, height, {"l": 8, "r": 16, "t": 30, "b": 8})
    fig.update_layout(showlegend=True, legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                                               "font": {"size": 13, "color": TEXT}, "bgcolor": "rgba(0,0,0,0)"})
    return fig


def ranking_bars(ranking: pd.DataFrame, selected: str | None, unit: str, decimals: int, height: int) -> go.Figure:
    df = ranking.sort_values("rank", ascending=False)
    colours = [AMBER if code == selected else CYAN for code in df["region"]]
    fig = go.Figure(go.Bar(
        x=df["value"], y=[f"{int(r)} {n}" for r, n in zip(df["rank"], df["name"], strict=True)], orientation="h",
        marker={"color": colours}, customdata=df["region"], cliponaxis=False, textposition="outside",
        text=[format_value(v, "", decimals) for v in df["value"]], textfont={"color": TEXT},
        hovertemplate="%{y}: %{x:.1f}" + unit + "<extra></extra>"))
    low = max(0.0, float(df["value"].min()) - 10)
    fig.update_xaxes(range=[low, float(df["value"].max()) + 6], showgrid=False, showticklabels=False)
    return _dark(fig, height, {"l": 8, "r": 40, "t": 4, "b": 4})


def radar(dimensions: pd.DataFrame, lang: str, height: int) -> go.Figure:
    names = dimensions[f"name_{lang}"].str.replace("治理", "", regex=False).tolist()
    scores = dimensions["score"].fillna(0).tolist()
    fig = go.Figure(go.Scatterpolar(r=scores + scores[:1], theta=names + names[:1], fill="toself",
                                    line={"color": CYAN}, fillcolor="rgba(34, 211, 238, 0.25)",
                                    hovertemplate="%{theta}: %{r:.1f}<extra></extra>"))
    fig.update_layout(polar={"bgcolor": "rgba(0,0,0,0)",
                             "radialaxis": {"range": [0, 100], "gridcolor": GRID, "showticklabels": False},
                             "angularaxis": {"gridcolor": GRID, "tickfont": {"size": 12, "color": TEXT}}})
    return _dark(fig, height, {"l": 50, "r": 50, "t": 20, "b": 20})


def funnel(steps: list[tuple[str, float]], height: int) -> go.Figure:
    fig = go.Figure(go.Funnel(
        y=[s for s, _ in steps], x=[v for _, v in steps], texttemplate="%{value:,.0f} · %{percentInitial:.0%}",
        marker={"color": [CYAN, "#1fb5d6", TEAL, BLUE, "#6366f1"][: len(steps)]},
        textfont={"color": "#04142e", "size": 14}, connector={"fillcolor": "rgba(34, 211, 238, 0.08)"}))
    return _dark(fig, height, {"l": 8, "r": 8, "t": 4, "b": 4})


def category_bars(categories: pd.DataFrame, height: int) -> go.Figure:
    df = categories.iloc[::-1]
    fig = go.Figure(go.Bar(x=df["orders"], y=df["category"], orientation="h", marker={"color": BLUE},
                           text=df["orders"], textposition="outside", cliponaxis=False, textfont={"color": TEXT},
                           hovertemplate="%{y}: %{x}<extra></extra>"))
    fig.update_xaxes(showgrid=False, showticklabels=False, range=[0, float(df["orders"].max()) * 1.2 if len(df) else 1])
    return _dark(fig, height, {"l": 8, "r": 30, "t": 4, "b": 4})
