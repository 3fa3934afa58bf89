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


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 8, "r": 48, "t": 8, "b": 8}, font={"family": FONT, "size": 13},
                      plot_bgcolor="white", paper_bgcolor="white", showlegend=False, bargap=0.25)
    return fig


def ranking_bars(ranking: pd.DataFrame, selected: str | None, unit: str, decimals: int, lang: str) -> go.Figure:
    """Horizontal bars, best at the top, the selected region highlighted, values written at the end."""
    df = ranking.sort_values("rank", ascending=False)
    labels = [f"{int(r)}. {n}" for r, n in zip(df["rank"], df["name"], strict=True)]
    colours = [HIGHLIGHT if code == selected else BLUE for code in df["region"]]
    fig = go.Figure(go.Bar(
        x=df["value"], y=labels, orientation="h", marker_color=colours, customdata=df["region"],
        text=[format_value(v, unit, decimals, lang) for v in df["value"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_xaxes(showgrid=True, gridcolor=GRIDLINE, zeroline=False, range=[0, max(df["value"].max() * 1.1, 1)])
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=max(260, 34 * len(df) + 40))


def score_bars(children: pd.DataFrame, lang: str) -> go.Figure:
    """A composite's children as normalised scores (0–100), in definition order."""
    df = children.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=df["score"], y=df[f"name_{lang}"], orientation="h", marker_color=NAVY,
        text=[f"{s:.1f}" if pd.notna(s) else "—" for s in df["score"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}<extra></extra>"))
    fig.update_xaxes(range=[0, 110], showgrid=True, gridcolor=GRIDLINE, zeroline=False)
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=max(240, 30 * len(df) + 40))
