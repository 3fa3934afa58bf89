"""How values read on screen: one place for dates, periods and numbers."""

from __future__ import annotations

import pandas as pd

from cockpit.indicators.units import unit_label


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


def format_value(value: object, unit: str, decimals: int = 1, lang: str = "zh") -> str:
    """A value with its unit as a reader expects it: 12,345 件, 95.2%, 6.97万亿元, 4.8亿 条."""
    if value is None or pd.isna(value):
        return "—"
    x = float(value)
    if unit == "亿元" and lang == "en":  # 1 亿 = 100 million: English readers count in billions
        return f"¥{x / 10_000:,.2f}T" if abs(x) >= 10_000 else f"¥{x / 10:,.{max(int(decimals), 1)}f}B"
    if unit == "亿元" and abs(x) >= 10_000:
        return f"{x / 10_000:,.2f}万亿元"
    if unit != "%" and abs(x) >= 100_000:  # large counts: 万 and 亿 in Chinese, M and B in English
        if lang == "zh":
            scaled = f"{x / 1e8:,.2f}亿" if abs(x) >= 1e8 else f"{x / 1e4:,.1f}万"
        else:
            scaled = f"{x / 1e9:,.2f}B" if abs(x) >= 1e9 else f"{x / 1e6:,.2f}M"
        return f"{scaled} {unit_label(unit, lang)}".rstrip()
    digits = max(int(decimals), 0)
    text = f"{x:,.{digits}f}"
    if unit == "%":
        return text + "%"
    return f"{text} {unit_label(unit, lang)}".rstrip()


def change_class(current: object, previous: object, polarity: str) -> str:
    """CSS class for a change: better or worse by the indicator's polarity, not by its sign."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous) or current == previous:
        return "change-flat"
    up = float(current) > float(previous)
    if polarity == "higher_better":
        return "change-better" if up else "change-worse"
    if polarity == "lower_better":
        return "change-worse" if up else "change-better"
    return "change-flat"
