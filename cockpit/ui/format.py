"""How values read on screen: one place for dates, periods and numbers."""

from __future__ import annotations

import pandas as pd

from cockpit.indicators.units import unit_label
from cockpit.ui.i18n import t
from cockpit.views.screen import Comparison, judged


def format_time(value: object, column_type: str | None) -> str:
    """A data time at the precision its column carries: 2026-11-25 04:00, 2026-11, 2026Q4, 2026."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return "—"
    ts = pd.Timestamp(value)
    if column_type == "timestamp":
        return ts.strftime("%Y-%m-%d %H:%M")
    if column_type == "month":
        return ts.strftime("%Y-%m")
    if column_type == "quarter":
        return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"
    if column_type == "integer":  # a year column
        return str(ts.year)
    return ts.strftime("%Y-%m-%d")


# The one rule for large numbers, everywhere a number is written (tiles, tables, chart labels,
# legends, hover texts and axis ticks): from LARGE on, a count reads in 万 and 亿 (Chinese) or k,
# M and B (English), below it in full with thousands separators. 12,345 件 is read at a glance and
# exact; 123,456 件 is 12.3万 件, 123.5k in English.
LARGE = 100_000


def format_number(value: object, decimals: int = 1, lang: str = "zh") -> str:
    """A number without its unit, by the rule above: 12,345 · 12.3万 · 4.80亿 · 123.5k · 1.23M · 4.80B; "—" when missing."""
    if value is None or pd.isna(value):
        return "—"
    x = float(value)
    if abs(x) >= LARGE:
        if lang == "zh":
            return f"{x / 1e8:,.2f}亿" if abs(x) >= 1e8 else f"{x / 1e4:,.1f}万"
        if abs(x) >= 1e9:
            return f"{x / 1e9:,.2f}B"
        return f"{x / 1e6:,.2f}M" if abs(x) >= 1e6 else f"{x / 1e3:,.1f}k"
    return f"{x:,.{max(int(decimals), 0)}f}"


def format_value(value: object, unit: str, decimals: int = 1, lang: str = "zh") -> str:
    """A value with its unit as a reader expects it: 12,345 件, 95.2%, 6.97万亿元, 4.8亿 条."""
    if value is None or pd.isna(value):
        return "—"
    x = float(value)
    if unit == "亿元" and lang == "en":  # 1 亿 = 100 million: English readers count in billions
        return f"¥{x / 10_000:,.2f}T" if abs(x) >= 10_000 else f"¥{x / 10:,.{max(int(decimals), 1)}f}B"
    if unit == "亿元" and abs(x) >= 10_000:
        return f"{x / 10_000:,.2f}万亿元"
    if unit == "%":  # a share is never scaled: 99.6%
        return f"{x:,.{max(int(decimals), 0)}f}%"
    return f"{format_number(x, decimals, lang)} {unit_label(unit, lang)}".rstrip()


def format_change(comparison: Comparison | None, unit: str, decimals: int, lang: str) -> str:
    """A headline's change as it reads beside the number: ▲0.4个百分点 for a rate, ▼11.3% otherwise,
    ▲1 台 from zero; "" when there is nothing to compare with."""
    if comparison is None:
        return ""
    arrow = {"up": "▲", "down": "▼"}.get(comparison.direction, "—")
    if comparison.kind == "points":
        return f"{arrow}{comparison.amount:.1f}{t('screen.points', lang)}"
    if comparison.kind == "percent":
        return f"{arrow}{comparison.amount:.1f}%"
    return f"{arrow}{format_value(comparison.amount, unit, decimals, lang)}"


def change_class(current: object, previous: object, polarity: str) -> str:
    """CSS class for a change: better or worse by the indicator's polarity, not by its sign."""
    return f"change-{judged(current, previous, polarity)}"
