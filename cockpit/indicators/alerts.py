"""Alerts: threshold breaches and missed targets in each indicator's latest period.

A threshold applies to the value, its change on the previous period (`change`, `pct_change`)
or its growth on the same period a year before (`yoy_pct`). Only the newest complete period
of each indicator and frequency is judged (or the period under way, for thresholds marked
`live`), at province, city and county level: alerts describe the present (a month still under
way would raise false alarms on rates), history is in the values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cockpit.indicators.model import Indicator, Threshold
from cockpit.indicators.units import unit_label

ALERT_LEVELS = ("province", "city", "county")
SEVERITY_ORDER = {"alarm": 0, "warning": 1}
ON_WORDS = {
    "value": ("", ""),
    "change": ("较上期变化", "change on the previous period"),
    "pct_change": ("环比", "change on the previous period (%)"),
    "yoy_pct": ("同比", "year-on-year change (%)"),
}
ALERT_COLUMNS = ["indicator", "system", "region", "region_name", "level", "frequency", "period", "period_start",
                 "severity", "on", "observed", "threshold", "direction", "value", "text_zh", "text_en"]


def _compare(observed: pd.Series, threshold: Threshold) -> tuple[pd.Series, str, float]:
    if threshold.above is not None:
        return observed > threshold.above, "above", threshold.above
    return observed < threshold.below, "below", threshold.below  # type: ignore[return-value]


def _observed(group: pd.DataFrame, on: str, frequency: str) -> pd.Series:
    """The quantity a threshold watches, for every row of one indicator/frequency/level."""
    if on == "value":
        return group["value"]
    by_region = group.sort_values("period_start").groupby("region")["value"]
    if on in ("change", "pct_change"):
        before = by_region.shift(1)
    else:  # yoy_pct: same period a year earlier
        lag = {"month": 12, "quarter": 4, "year": 1}[frequency]
        before = by_region.shift(lag)
    before = before.reindex(group.index)
    if on == "change":
        return group["value"] - before
    return (group["value"] / before.replace(0, np.nan) - 1) * 100


def evaluate_thresholds(values: pd.DataFrame, indicators: dict[str, Indicator], names: dict,
                        names_en: dict | None = None) -> pd.DataFrame:
    rows = []
    watched = {i: ind for i, ind in indicators.items() if ind.thresholds}
    subset = values[values["indicator"].isin(watched) & values["level"].isin(ALERT_LEVELS)]
    for (ident, frequency, _level), group in subset.groupby(["indicator", "frequency", "level"]):
        ind = watched[ident]
        complete = group.loc[~group["provisional"], "period_start"]
        for threshold in ind.thresholds:
            latest_start = group["period_start"].max() if threshold.live else complete.max()
            if pd.isna(latest_start):
                continue
            observed = _observed(group, threshold.on, frequency)
            breached, direction, limit = _compare(observed, threshold)
            hits = group[breached.fillna(False) & (group["period_start"] == latest_start)]
            for idx, row in hits.iterrows():
                rows.append(_alert_row(ind, row, threshold, float(observed[idx]), direction, limit, names,
                                       names_en or names))
    if not rows:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    alerts = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    # one alert per indicator/region/period: the most severe threshold breached
    alerts["order"] = alerts["severity"].map(SEVERITY_ORDER)
    alerts = alerts.sort_values(["order", "indicator", "region"]).drop_duplicates(
        ["indicator", "region", "frequency", "period_start", "on"])
    return alerts.drop(columns="order").reset_index(drop=True)


def _fmt(x: float, unit: str, decimals: int) -> str:
    return f"{x:.{decimals}f}{unit if unit == '%' or not unit.isascii() else ' ' + unit}".rstrip()


def _alert_row(ind: Indicator, row: pd.Series, threshold: Threshold, observed: float, direction: str,
               limit: float, names: dict, names_en: dict) -> dict:
    region_name = names.get(row["region"], row["region"])
    region_name_en = names_en.get(row["region"], region_name)
    zh_on, en_on = ON_WORDS[threshold.on]
    unit = ind.unit if threshold.on in ("value", "change") else "%"
    zh_dir = "高于" if direction == "above" else "低于"
    level_zh = "报警" if threshold.severity == "alarm" else "预警"
    text_zh = (f"{region_name}{ind.name_zh}{zh_on}{_fmt(observed, unit, ind.decimals)}，"
               f"{zh_dir}{level_zh}线{_fmt(limit, unit, ind.decimals)}（{row['period']}）")
    unit_en = unit_label(unit, "en")
    text_en = (f"{region_name_en}: {ind.name_en}{' ' + en_on if en_on else ''} {_fmt(observed, unit_en, ind.decimals)}, "
               f"{direction} the {threshold.severity} line of {_fmt(limit, unit_en, ind.decimals)} ({row['period']})")
    return {"indicator": ind.id, "system": ind.system, "region": row["region"], "region_name": region_name,
            "level": row["level"], "frequency": row["frequency"], "period": row["period"],
            "period_start": row["period_start"], "severity": threshold.severity, "on": threshold.on,
            "observed": observed, "threshold": limit, "direction": direction, "value": row["value"],
            "text_zh": text_zh, "text_en": text_en}
