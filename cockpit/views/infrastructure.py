"""基础设施与数字政府 as data: the sensing network (sensors by type and by region, online and in
alarm), the government cloud and the public data platform, and security events on government
systems, at one place and period.

Every number is the snapshot's, through the viewer's `Reader`: indicator values
(indicators/infrastructure.yaml) for rates and counts over a period, and the refresh's sensor
status table (`Reader.sensor_points`: each sensor's type and whether it raised an alarm or a
warning in the last days of data) for what the network looks like now, by sensor type. The
indicators carry no split by sensor type (the readings feed names the sensor, not its type), so
the type cross filter narrows the status counts, never an indicator value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cockpit.query.reader import OutOfScope, Reader
from cockpit.views.screen import _target
from cockpit.views.workbench import Column, trend_window

SYSTEM = "infrastructure"
LEAD = "sensor_online_rate"
HEADLINES = ("sensor_online_rate", "sensors_in_alarm", "cloud_vcpu_utilisation", "records_shared",
             "security_events_high", "security_resolution_rate")
SENSOR_TYPE = "sensor_type"  # the page's cross filter: a column of the iot_sensors feed
SENSOR_TYPES = ("水位", "井盖位移", "燃气浓度", "桥梁应变", "边坡位移", "消防水压")  # the contract's allowed values
SENSOR_TYPE_EN = {"水位": "Water level", "井盖位移": "Manhole cover shift", "燃气浓度": "Gas concentration",
                  "桥梁应变": "Bridge strain", "边坡位移": "Slope shift", "消防水压": "Fire-main pressure"}
SENSOR_REGION_INDICATORS = ("sensor_online_rate", "sensors_in_alarm", "sensors_installed")
PLATFORM_INDICATORS = ("cloud_vcpu_utilisation", "cloud_storage_utilisation", "items_collected", "records_shared",
                       "api_calls")
SECURITY_INDICATORS = ("security_events", "security_events_high", "security_resolution_rate")


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def sensor_type_name(sensor_type: str, lang: str) -> str:
    return SENSOR_TYPE_EN.get(sensor_type, sensor_type) if lang == "en" else sensor_type


def check_sensor_type(value: str | None) -> str | None:
    """The cross filter's value: one of the contract's sensor types (ValueError names the field otherwise)."""
    if value is None or value in SENSOR_TYPES:
        return value
    raise ValueError(f"sensor_type: {value!r} is not a sensor type ({', '.join(SENSOR_TYPES)})")


# -- indicator columns ------------------------------------------------------------------------

@dataclass(frozen=True)
class RegionRow:
    region: str
    name: str
    values: tuple[float | None, ...]
    """One a column, the region's value in the period (None: none)."""


@dataclass(frozen=True)
class RegionTable:
    """The place's children on some indicators in one period, sorted by the first column."""

    columns: tuple[Column, ...]
    rows: tuple[RegionRow, ...]
    period: str


def columns(reader: Reader, indicators: Sequence[str]) -> tuple[Column, ...]:
    lang = reader.viewer.lang
    out = []
    for ident in indicators:
        try:
            meta = reader.indicator(ident)
        except KeyError:
            continue
        out.append(Column(indicator=ident, name=str(meta[f"name_{lang}"]), unit=str(meta["unit"]),
                          decimals=int(meta["decimals"]), polarity=str(meta["polarity"])))
    return tuple(out)


def region_table(reader: Reader, indicators: Sequence[str], parent: str, frequency: str, period: str,
                 children: Sequence[tuple[str, str]]) -> RegionTable:
    """`children` ((code, name) of the place's children) with their value on each indicator; a
    child without any value is left out."""
    cols = columns(reader, indicators)
    found: dict[str, dict[str, float | None]] = {}
    for col in cols:
        ranked = reader.ranking(col.indicator, parent, frequency, period)
        ranked = ranked[ranked["period"] == period]
        found[col.indicator] = {str(r): _float(v) for r, v in zip(ranked["region"], ranked["value"], strict=True)}
    rows = [RegionRow(region=code, name=name, values=tuple(found[c.indicator].get(code) for c in cols))
            for code, name in children]
    rows = [r for r in rows if any(v is not None for v in r.values)]
    rows.sort(key=lambda r: (r.values[0] is None, -(r.values[0] or 0) if cols and cols[0].polarity != "lower_better"
                             else (r.values[0] or 0), r.region))
    return RegionTable(columns=cols, rows=tuple(rows), period=period)


# -- trends -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    indicator: str
    name: str
    unit: str
    decimals: int
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    band: tuple[float, float] | None
    target: float | None


def series(reader: Reader, indicator: str, region: str, frequency: str, period: str,
           since: str | None = None) -> Series | None:
    """An indicator's complete periods up to `period` (from `since`, else the workbench's
    default window), None without values."""
    try:
        meta = reader.indicator(indicator)
    except KeyError:
        return None
    df = reader.series(indicator, region, frequency)
    df = df[(~df["provisional"].astype(bool)) & df["value"].notna()]
    df = trend_window(df, frequency, period, since)
    if df.empty:
        return None
    low, high = _float(meta.get("band_low")), _float(meta.get("band_high"))
    year = int(str(df["period"].iloc[-1])[:4])
    target = _target(meta.get("targets"), region, year)
    lang = reader.viewer.lang
    return Series(indicator=indicator, name=str(meta[f"name_{lang}"]), unit=str(meta["unit"]),
                  decimals=int(meta["decimals"]), periods=tuple(df["period"]), values=tuple(_float(v) for v in df["value"]),
                  band=(low, high) if low is not None and high is not None else None, target=target)


# -- sensors by type --------------------------------------------------------------------------

@dataclass(frozen=True)
class SensorCount:
    key: str
    """A sensor type (by type) or a region code (by region)."""
    name: str
    sensors: int
    alarm: int
    warning: int
    """Warning but not alarm."""


@dataclass(frozen=True)
class SensorStatus:
    """The sensing network as of the data's end: counts by type at the place, and by child region
    (of the chosen type only, when the cross filter names one)."""

    sensor_type: str | None
    by_type: tuple[SensorCount, ...]
    by_region: tuple[SensorCount, ...]
    total: SensorCount


def _count(key: str, name: str, points: pd.DataFrame) -> SensorCount:
    alarm = points["alarm"].astype(bool)
    warning = points["warning"].astype(bool) & ~alarm
    return SensorCount(key=key, name=name, sensors=len(points), alarm=int(alarm.sum()), warning=int(warning.sum()))


def sensor_status(reader: Reader, region: str, children: Sequence[tuple[str, str]],
                  sensor_type: str | None = None) -> SensorStatus:
    """Sensors at `region` by type, and at each child by the chosen type (all types when None)."""
    sensor_type = check_sensor_type(sensor_type)
    lang = reader.viewer.lang

    def build() -> SensorStatus:
        points = reader.sensor_points(region)
        by_type = tuple(_count(t, sensor_type_name(t, lang), points[points["sensor_type"] == t])
                        for t in SENSOR_TYPES if (points["sensor_type"] == t).any())
        by_region = []
        for code, name in children:
            here = reader.sensor_points(code)
            if sensor_type is not None:
                here = here[here["sensor_type"] == sensor_type]
            if len(here):
                by_region.append(_count(code, name, here))
        by_region.sort(key=lambda c: (-c.alarm, -c.warning, -c.sensors, c.key))
        chosen = points if sensor_type is None else points[points["sensor_type"] == sensor_type]
        return SensorStatus(sensor_type=sensor_type, by_type=by_type, by_region=tuple(by_region),
                            total=_count(region, "", chosen))

    return reader.memo("infra-sensor-status", (region, tuple(children), sensor_type), build)


# -- the page ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class InfrastructureView:
    frequency: str
    period: str
    sensors: SensorStatus
    sensor_regions: RegionTable | None
    """The children on the sensor indicators (None below their deepest level)."""
    platform: tuple[Series, ...]
    """Cloud and data-platform trends at the place (empty below city level: those feeds stop there)."""
    platform_regions: RegionTable | None
    security: tuple[Series, ...]
    security_regions: RegionTable | None


def _defined(reader: Reader, indicator: str, level: str | None) -> bool:
    if level is None:
        return False
    try:
        return level in str(reader.indicator(indicator).get("levels") or "").split(",")
    except KeyError:
        return False


def infrastructure_view(reader: Reader, region: str, level: str, children: Sequence[tuple[str, str]],
                        child_level: str | None, frequency: str, period: str,
                        sensor_type: str | None = None, since: str | None = None) -> InfrastructureView:
    """The page's panels at `region` (OutOfScope outside the viewer's subtree; ValueError for a
    sensor type the contract does not know)."""
    reader.region(region)  # the scope check, before anything is read
    sensor_type = check_sensor_type(sensor_type)
    children = list(children)

    def table(indicators: Sequence[str]) -> RegionTable | None:
        if not children or not _defined(reader, indicators[0], child_level):
            return None
        found = region_table(reader, indicators, region, frequency, period, children)
        return found if found.rows else None

    def trends(indicators: Sequence[str]) -> tuple[Series, ...]:
        if not _defined(reader, indicators[0], level):
            return ()
        return tuple(s for i in indicators if (s := series(reader, i, region, frequency, period, since)) is not None)

    try:
        return InfrastructureView(
            frequency=frequency, period=period,
            sensors=sensor_status(reader, region, children, sensor_type),
            sensor_regions=table(SENSOR_REGION_INDICATORS),
            platform=trends(PLATFORM_INDICATORS),
            platform_regions=table(("cloud_vcpu_utilisation", "cloud_storage_utilisation", "records_shared", "api_calls")),
            security=trends(SECURITY_INDICATORS),
            security_regions=table(SECURITY_INDICATORS))
    except OutOfScope:
        raise
