"""Periods: ISO labels (2026-10, 2026Q3, 2026), their start dates and their SQL buckets."""

from __future__ import annotations

from datetime import date

import pandas as pd

# DuckDB interval of one period, for joins to the previous period.
STEP = {"month": "INTERVAL 1 MONTH", "quarter": "INTERVAL 3 MONTH", "year": "INTERVAL 1 YEAR"}
MONTHS = {"month": 1, "quarter": 3, "year": 12}


def label(start: date | pd.Timestamp, frequency: str) -> str:
    ts = pd.Timestamp(start)
    if frequency == "month":
        return f"{ts.year}-{ts.month:02d}"
    if frequency == "quarter":
        return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"
    return str(ts.year)


def labels(starts: pd.Series, frequency: str) -> pd.Series:
    s = pd.to_datetime(starts)
    if frequency == "month":
        return s.dt.strftime("%Y-%m")
    if frequency == "quarter":
        return s.dt.year.astype(str) + "Q" + s.dt.quarter.astype(str)
    return s.dt.year.astype(str)


def parse(text: str) -> tuple[str, date]:
    """'2026-10' → ('month', 2026-10-01); '2026Q3' → ('quarter', 2026-07-01); '2026' → ('year', …)."""
    text = text.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return "year", date(int(text), 1, 1)
        if len(text) == 6 and text[4] in "Qq" and text[5] in "1234":
            return "quarter", date(int(text[:4]), 3 * int(text[5]) - 2, 1)
        if len(text) == 7 and text[4] == "-":
            return "month", date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a period (2026-10, 2026Q3 or 2026)")


def end(start: date | pd.Timestamp, frequency: str) -> pd.Timestamp:
    """The first instant after the period."""
    return pd.Timestamp(start) + pd.DateOffset(months=MONTHS[frequency])


def bucket_sql(column_sql: str, column_type: str, frequency: str) -> str:
    """SQL giving the start DATE of the period a time column's value falls in."""
    if column_type == "integer":  # a year column
        return f"make_date(CAST({column_sql} AS INTEGER), 1, 1)"
    return f"CAST(date_trunc('{frequency}', {column_sql}) AS DATE)"


def allowed_frequencies(column_type: str) -> tuple[str, ...]:
    """Periods a time column can be bucketed into: no months from a quarterly or yearly column."""
    return {"integer": ("year",), "quarter": ("quarter", "year")}.get(column_type, ("month", "quarter", "year"))
