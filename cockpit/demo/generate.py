"""Synthetic demo data for every feed table of the contracts: Zhejiang over 36 months.

`generate(scale, seed, end)` yields `(table, frame)` for each contract table in contract order,
with the contract's columns in order and typed values (int64, float64, bool, datetime64[us],
pandas strings, `datetime.date` for date/month/quarter columns; nullable columns hold NA/NaT).
The same (scale, seed, end) gives the same frames. Each table draws from its own generator seeded
by (seed, table name), so changing one table's recipe leaves the others as they were (and each
month of 12345 orders from one seeded by (seed, table name, month)).

A table whose records evolve (`updates: latest`: hotline_orders) comes as every version its
source system sends, in the order sent: a 12345 order when accepted (待派单), dispatched (办理中,
with the department), first answered and closed (已办结, with satisfaction and the return visit)
or sent back (已退回), each with `updated_at` the time of that step. Orders still open at the end
are sent up to their last step; the last version of each order is its final state.

`generate_parts(scale, seed, end)` yields the same rows a part at a time, each built only when
asked for, so a build holds one part and not the table: the 12345 orders come a month of orders
at a time (every version of the orders accepted in that month), every other table in one part.
`generate` puts each table's parts together, for tests and small scales.

Time: the 36 calendar months ending with the month of `end` (default: today), up to the end of
`end`'s day; a `datetime` is taken as the exact instant. Nothing is timestamped later, except
deadlines (`due_at`) of open cases. Statistics (economy, water quality) cover the completed months
and quarters, as a statistics bureau publishes them; population the three completed years.

Volumes at scale 1: 2.88 million rows (1.79 million records), generated in about 8 s on two
cores. Event tables and the numbers of stations, sections and sensors grow with `scale` (at
least one station and section a city); the region hierarchy, the economy, the facilities and
the daily platform tables do not.

| table | rows at scale 1 | grain |
|---|---|---|
| economy_monthly, economy_quarterly | 3,150, 990 | 90 counties; GDP ≈ 9万亿 a year growing ~5% |
| population_annual | 270 | 90 counties × 3 years; 6,600万 residents |
| hotline_orders | 394k orders, 1.48M versions | grid; 50 three-level categories, handling steps, repeat callers |
| grid_events | 148k | grid |
| service_cases | 180k | county or street service centre |
| air_stations, air_quality_hourly | 15, 387k | county; every hour, AQI per HJ 633-2012 |
| water_sections, water_quality_monthly | 80, 2,800 | county; grade per GB 3838-2002 |
| waste_manifests | 201k | producer street; five classes, route by waste code |
| waste_facilities | ~170 | county; capacity sized to each city's waste |
| waste_free_cells | 15k | community or street, certified over the period |
| iot_sensors, iot_readings | 400, 338k | street or grid; a reading a sensor a day once installed |
| cloud_usage_daily, data_platform_daily | 12k, 96k | city (× 8 departments), daily |
| security_events | 7k | city or county |

Patterns: Spring Festival dips (production, service counters, hotline), weekends and holidays,
hourly profiles, summer peaks (noise and waste complaints, household waste, electricity, ozone),
the June–September flood season (water levels, slope creep), winter smog, cleaner air in 丽水,
衢州 and 舟山, volumes following population, the economies of 杭州 and 宁波, trends (GDP, cleaner
air and water, more online service, higher cloud utilisation, household landfill towards zero),
city waste performance drifting month by month so the 11 cities' ranks move, noise, outliers.

Waste manifest tons add up to Zhejiang's yearly generation per class at any scale (≈5,000万 t
industrial, 550万 t hazardous, 1,800万 t household …), so a manifest stands for a batch; that
keeps intensities, per-capita figures and capacity matching plausible. At scales below about 0.1
the batches reach the contract's 100,000 t ceiling and are capped there. `waste_code` holds the
national code where there is one (HW codes such as 900-041-49; SW codes of GB/T 39198) and the
standard category otherwise (其他垃圾 …, 工程渣土 …, 秸秆, 畜禽粪污, 废旧农膜, 农药包装废弃物).
A sensor whose alarm threshold is below its warning threshold (消防水压) alarms on low readings;
ordinary readings may pass warning thresholds but never alarm ones, so alarms are the incidents.

Injected incidents, described by `INCIDENTS`:
1. Flood season: 水位 sensor SW3310820001 on the 灵江 at 临海 (台州) above its alarm threshold on
   8–11 August of the last flood season, and SW3303810001 on the 飞云江 at 瑞安 (温州) above alarm
   on the last three days up to `end`.
2. Overdue hazardous transfer: a 危险废物 manifest (261-084-11) from 上虞 created 23 days before
   `end`, picked up, never received, due 18 days before `end`, still 运输中.
3. 12345 surge: 施工噪声 complaints in 萧山区 over the last 10 days at 4× what the model expects for
   those days (3–4× the daily average of the month before), around one building site, mostly at
   night; at least one extra order a day, so the surge exists at test scales too.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from cockpit.config import paths
from cockpit.demo import vocab as V
from cockpit.feeds.contracts import TableContract, load_contracts
from cockpit.regions.hierarchy import load_hierarchy

DEFAULT_SEED = 2026
MONTHS = 36
AREA_FILE = "zhejiang.csv"  # the region file with the counties' area_km2

_NAT = np.datetime64("NaT", "s")


# -- incidents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    """An anomaly planted in the demo data, for alert rules and tests to find.

    `rows` picks out the incident's rows by column value within `window(end)`, its first and last
    day; `region_code` is the county, under which the rows' own region codes lie.
    """

    name: str
    table: str
    region_code: str
    rows: Mapping[str, str]
    description: str
    anchor: Literal["end", "flood_season"]
    days: tuple[int, int]  # "end": days before end; "flood_season": days after 8 August

    def window(self, end: date) -> tuple[date, date]:
        """The incident's first and last day for a given `end`."""
        if self.anchor == "end":
            return end - timedelta(days=self.days[0]), end - timedelta(days=self.days[1])
        # The latest flood season whose breach lies wholly before the last week.
        year = end.year if date(end.year, 8, 8) + timedelta(days=self.days[1] + 7) < end else end.year - 1
        return date(year, 8, 8) + timedelta(days=self.days[0]), date(year, 8, 8) + timedelta(days=self.days[1])


INCIDENTS: tuple[Incident, ...] = (
    Incident("flood_season_breach", "iot_readings", "331082", {"sensor_id": "SW3310820001"},
             "水位 sensor on the 灵江 at 临海 above its alarm threshold four days running (typhoon)",
             "flood_season", (0, 3)),
    Incident("water_level_alarm", "iot_readings", "330381", {"sensor_id": "SW3303810001"},
             "水位 sensor on the 飞云江 at 瑞安 above its alarm threshold (storm surge on a spring tide)",
             "end", (2, 0)),
    Incident("overdue_hazardous_transfer", "waste_manifests", "330604",
             {"waste_class": "危险废物", "waste_code": "261-084-11", "status": "运输中"},
             "危险废物 manifest picked up, never received, 18 days past its due time",
             "end", (23, 23)),
    Incident("hotline_surge", "hotline_orders", "330109",
             {"category_l1": "环境保护", "category_l2": "噪声污染", "category_l3": "施工噪声"},
             "12345 施工噪声 complaints at 4× their expected daily volume (night works at one site)",
             "end", (9, 0)),
)
_INCIDENT = {i.name: i for i in INCIDENTS}
_SURGE_FACTOR = 4.0


# -- entry point -------------------------------------------------------------------------------


def generate(scale: float = 1.0, seed: int = DEFAULT_SEED, end: date | None = None) -> Iterator[tuple[str, pd.DataFrame]]:
    """Yield (table name, frame) for every contract table, in contract order: each table whole,
    a table that keeps versions in the order they were sent. Memory grows with the scale (the
    12345 orders with their versions are about 1.4 GB at scale 2): `generate_parts` builds the
    same rows a part at a time."""
    contracts = load_contracts()
    for table, parts in generate_parts(scale, seed, end):
        chunks = list(parts)
        frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
        del chunks
        contract = contracts.table(table)
        if contract.keeps_latest:  # each part is in the order sent; the parts overlap in time
            frame = frame.sort_values(contract.version_column, kind="stable", ignore_index=True)
        yield table, frame


def generate_parts(scale: float = 1.0, seed: int = DEFAULT_SEED,
                   end: date | None = None) -> Iterator[tuple[str, Iterator[pd.DataFrame]]]:
    """Yield (table name, its parts) for every contract table, in contract order; read each
    table's parts before asking for the next table. A part is built when asked for, so only one
    is held at a time: the 12345 orders come a month of orders at a time (each part every
    version of the orders accepted that month, in the order sent), every other table in one part.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    contracts = load_contracts()
    unknown = [t.name for t in contracts.tables if t.name not in _BUILDERS]
    if unknown:
        raise KeyError(f"the demo generator has no recipe for contract table(s) {', '.join(unknown)}")
    world = _World(scale=scale, seed=seed, cal=_calendar(end), geo=_geography(seed))
    for contract in contracts.tables:
        yield contract.name, _conformed_parts(world.parts(contract.name), contract)


def _conformed_parts(parts: Iterator[pd.DataFrame], contract: TableContract) -> Iterator[pd.DataFrame]:
    for part in parts:
        conformed = _conform(part, contract)
        del part  # not held while the next part is built
        yield conformed
        del conformed


# -- calendar ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    """The days of the period, with what the recipes need to know about each."""

    start: np.datetime64  # [D] first day of the first month
    as_of: np.datetime64  # [s] the last instant that may carry a record
    days: np.ndarray  # [D] every day from start to as_of's day
    dow: np.ndarray  # 0 = Monday
    moy: np.ndarray  # month of year, 0 = January
    month: np.ndarray  # months since start
    t: np.ndarray  # years since start
    year: np.ndarray  # decimal year
    holiday: np.ndarray  # days off: Spring Festival week, 1–5 May, National Day week, New Year
    spring: np.ndarray  # Spring Festival slack around the holiday: plants idle, migrants away
    elapsed: np.ndarray  # share of each day inside the period: 1, except the last day's part until as_of

    @property
    def end(self) -> date:
        return self.days[-1].astype(date)

    def complete_months(self) -> np.ndarray:
        """First days [M] of the period's months that have ended by as_of."""
        months = np.arange(self.start.astype("datetime64[M]"), self.days[-1].astype("datetime64[M]") + 1)
        return months[(months + 1).astype("datetime64[D]") - 1 <= self.days[-1]]

    def complete_quarters(self) -> np.ndarray:
        """First months [M] of the quarters wholly inside the period and ended by as_of."""
        months = self.complete_months()
        firsts = months[months.astype(int) % 3 == 0]
        return firsts[np.isin(firsts + 2, months)]

    def at(self, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Timestamps [s] `seconds` after midnight of the days with indices `day`."""
        return self.days[day].astype("datetime64[s]") + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")

    def day_of(self, ts: np.ndarray) -> np.ndarray:
        """Day index of timestamps."""
        return (ts.astype("datetime64[D]") - self.start).astype(int)

    def between(self, first: date, last: date) -> np.ndarray:
        """Day indices from `first` to `last`, inclusive."""
        return np.flatnonzero((self.days >= np.datetime64(first)) & (self.days <= np.datetime64(last)))


def _calendar(end: date | None) -> _Calendar:
    if end is None:
        as_of = datetime.now().replace(microsecond=0)
    elif isinstance(end, datetime):
        as_of = end.replace(microsecond=0, tzinfo=None)
    else:
        as_of = datetime.combine(end, time(23, 59, 59))
    last = as_of.date()
    first = last.year * 12 + last.month - 1 - (MONTHS - 1)
    start = np.datetime64(date(first // 12, first % 12 + 1, 1), "D")
    days = np.arange(start, np.datetime64(last, "D") + 1)
    months = days.astype("datetime64[M]")
    moy = months.astype(int) % 12
    dom = (days - months.astype("datetime64[D]")).astype(int) + 1
    festival = _spring_festival_offset(days)
    years = days.astype("datetime64[Y]")
    return _Calendar(
        start=start, as_of=np.datetime64(as_of, "s"), days=days,
        dow=(days.astype(np.int64) + 3) % 7,  # 1970-01-01 was a Thursday
        moy=moy, month=(months - start.astype("datetime64[M]")).astype(int),
        t=(days - start).astype(int) / 365.25,
        year=years.astype(int) + 1970 + (days - years.astype("datetime64[D]")).astype(int) / 365.25,
        holiday=((festival >= -1) & (festival <= 6)) | ((moy == 9) & (dom <= 7)) | ((moy == 4) & (dom <= 5))
        | ((moy == 0) & (dom == 1)),
        spring=(festival >= -7) & (festival <= 15),
        elapsed=np.r_[np.ones(len(days) - 1), (as_of.hour * 3600 + as_of.minute * 60 + as_of.second + 1) / 86_400],
    )


def _spring_festival_offset(days: np.ndarray) -> np.ndarray:
    """Days from the nearest Spring Festival (negative before it)."""
    years = days.astype("datetime64[Y]").astype(int) + 1970
    span = np.arange(years.min(), years.max() + 2)
    # Beyond the table the festival falls between late January and mid February: 1 February will do.
    festival = np.array([np.datetime64(V.SPRING_FESTIVAL.get(int(y), date(int(y), 2, 1)), "D") for y in span])
    to_this = (days - festival[years - span[0]]).astype(int)
    to_next = (days - festival[years - span[0] + 1]).astype(int)
    return np.where(np.abs(to_this) <= np.abs(to_next), to_this, to_next)


def _day_weights(cal: _Calendar, *, growth: float = 0.0, season: str | Sequence[float] = "flat",
                 weekend: float = 1.0, holiday: float = 1.0, spring: float = 1.0) -> np.ndarray:
    """Relative volume of each day: trend × season × weekend or holiday × Spring Festival slack."""
    profile = np.asarray(V.SEASONS[season] if isinstance(season, str) else season, dtype=float)
    w = profile[cal.moy] * (1 + growth) ** cal.t
    w = w * np.where(cal.holiday, holiday, np.where(cal.dow >= 5, weekend, 1.0))
    return w * np.where(cal.spring & ~cal.holiday, spring, 1.0) * cal.elapsed


# -- geography ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geography:
    """The region hierarchy as arrays, with people and output down to the grid.

    Every level is sorted by code, so children of one parent are contiguous; parent links are
    row positions (`county` is a row of `counties`) for numpy indexing.
    """

    cities: pd.DataFrame  # code name short lon lat gdp population
    counties: pd.DataFrame  # code name short city lon lat area district population gdp density primary secondary
    streets: pd.DataFrame  # code name short county lon lat weight
    communities: pd.DataFrame  # code name short street county lon lat village weight
    grids: pd.DataFrame  # code community street county lon lat weight (residents, 万人)

    def county_index(self, code: str) -> int:
        return int(np.flatnonzero(self.counties["code"].to_numpy() == code)[0])

    def city_of(self, county: np.ndarray) -> np.ndarray:
        return self.counties["city"].to_numpy()[county]


def _geography(seed: int) -> _Geography:
    frame = load_hierarchy().frame()
    area = pd.read_csv(paths().regions / AREA_FILE, dtype={"code": str}).set_index("code")["area_km2"]

    def level(name: str, parent: str | None = None, parents: pd.DataFrame | None = None) -> pd.DataFrame:
        rows = frame[frame["level"] == name].sort_values("code").reset_index(drop=True)
        if parent is not None and parents is not None:
            rows[parent] = pd.Index(parents["code"]).get_indexer(rows[f"{parent}_code"])
        return rows

    cities = level("city")
    cities["short"] = cities["name"].str.replace(r"市$", "", regex=True)
    cities["gdp"] = cities["code"].map(lambda c: V.CITIES[c].gdp)
    cities["population"] = cities["code"].map(lambda c: V.CITIES[c].population)
    counties = _counties(level("county", "city", cities), cities, area)
    streets = level("street", "county", counties)
    streets["short"] = streets["name"].str.replace(r"(街道|镇|乡)$", "", regex=True)
    communities = level("community", "street", streets)
    communities["county"] = streets["county"].to_numpy()[communities["street"]]
    communities["short"] = communities["name"].str.replace(r"(社区|村)$", "", regex=True)
    communities["village"] = communities["name"].str.endswith("村")
    grids = level("grid", "community", communities)
    grids["street"] = communities["street"].to_numpy()[grids["community"]]
    grids["county"] = communities["county"].to_numpy()[grids["community"]]
    # Residents: the county's population spread over its grids, denser in 社区 than in 村.
    rng = np.random.default_rng([seed, zlib.crc32(b"geography")])
    village = communities["village"].to_numpy()[grids["community"]]
    rel = np.where(village, 1.0, 2.0) * rng.lognormal(0, 0.35, len(grids))
    county = grids["county"].to_numpy()
    grids["weight"] = counties["population"].to_numpy()[county] * rel / _group_sum(rel, county)[county]
    communities["weight"] = _group_sum(grids["weight"].to_numpy(), grids["community"].to_numpy(), len(communities))
    streets["weight"] = _group_sum(grids["weight"].to_numpy(), grids["street"].to_numpy(), len(streets))
    keep = ["code", "name", "short", "lon", "lat"]
    return _Geography(
        cities=cities[[*keep, "gdp", "population"]],
        counties=counties,
        streets=streets[[*keep, "county", "weight"]],
        communities=communities[[*keep, "street", "county", "village", "weight"]],
        grids=grids[["code", "lon", "lat", "community", "street", "county", "weight"]],
    )


def _counties(counties: pd.DataFrame, cities: pd.DataFrame, area: pd.Series) -> pd.DataFrame:
    """Counties with 2024 population and GDP: city totals split by census weight and productivity."""
    counties = counties[["code", "name", "lon", "lat", "city"]].copy()
    counties["short"] = counties["name"].str.replace(r"(畲族自治县|区|县|市)$", "", regex=True)
    counties["area"] = counties["code"].map(area).astype(float)
    counties["district"] = counties["name"].str.endswith("区")
    city = counties["city"].to_numpy()
    census = counties["code"].map(V.COUNTY_POPULATION).astype(float).to_numpy()
    population = cities["population"].to_numpy()[city] * census / _group_sum(census, city)[city]
    density = population * 1e4 / counties["area"].to_numpy()
    # Output a head: 区 above 县级市 above 县, thin mountain counties lowest, the hubs from the table.
    productivity = np.where(counties["district"], 1.0, np.where(counties["name"].str.endswith("市"), 0.95, 0.75))
    productivity *= np.where(density < 300, 0.8, 1.0) * counties["code"].map(V.PRODUCTIVITY).fillna(1.0).to_numpy()
    gdp_weight = population * productivity
    counties["population"] = population
    counties["gdp"] = cities["gdp"].to_numpy()[city] * gdp_weight / _group_sum(gdp_weight, city)[city]
    counties["density"] = density
    counties["primary"] = np.select([density < 200, density < 500, density < 1500], [0.10, 0.06, 0.03], 0.005)
    counties["secondary"] = np.where(density > 3000, 0.26, np.where(density < 300, 0.40, 0.47))
    return counties


def _group_sum(values: np.ndarray, groups: np.ndarray, size: int | None = None) -> np.ndarray:
    return np.bincount(groups, weights=values, minlength=size or groups.max() + 1)


# -- the world: calendar, geography, and reference tables built once ---------------------------


@dataclass
class _World:
    scale: float
    seed: int
    cal: _Calendar
    geo: _Geography
    _references: dict[str, pd.DataFrame] = field(default_factory=dict)

    def build(self, table: str) -> pd.DataFrame:
        """The table whole (a table built in parts, put together)."""
        if table in self._references:
            return self._references[table]
        parts = list(self.parts(table))
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def parts(self, table: str) -> Iterator[pd.DataFrame]:
        """The table's rows in the parts its recipe builds them in (most build one), each built
        when asked for."""
        if table in self._references:
            yield self._references[table]
            return
        # Each table's own generator: independent of every other table's draws.
        built = _BUILDERS[table](self, np.random.default_rng([self.seed, zlib.crc32(table.encode())]))
        if isinstance(built, pd.DataFrame):
            whole = [built]
            del built
            yield whole.pop()  # not held here while the caller uses it
        else:
            yield from built

    def reference(self, table: str) -> pd.DataFrame:
        """A table another one depends on (the stations of the readings): built once, kept."""
        if table not in self._references:
            self._references[table] = self.build(table)
        return self._references[table]

    def count(self, per_day_at_scale_1: float, day_weights: np.ndarray) -> int:
        """How many events over the period, for a base daily rate, the day weights and the scale."""
        return round(self.scale * per_day_at_scale_1 * float(day_weights.sum()))


# -- vectorised helpers ------------------------------------------------------------------------


def _take(vocabulary: Sequence[str] | np.ndarray, index: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Strings by index into a vocabulary, -1 for missing: far cheaper than building each string."""
    return pd.array(np.asarray(vocabulary, dtype=object), dtype="str").take(np.asarray(index, dtype=np.int64),
                                                                             allow_fill=True)


def _hours(x: np.ndarray | float) -> np.ndarray:
    """Float hours as timedelta64[s]."""
    return np.round(np.asarray(x, dtype=float) * 3600).astype(np.int64).astype("timedelta64[s]")


def _p(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _choose(rng: np.random.Generator, weights: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=_p(weights))


def _choose_by_group(rng: np.random.Generator, group: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """For each row, an index drawn from the probability row `probs[group]` (groups are few)."""
    out = np.zeros(len(group), dtype=np.int64)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        out[rows] = _choose(rng, probs[g], len(rows))
    return out


def _choose_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One index per row of an (n, k) matrix of weights (k small)."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((rng.random((len(probs), 1)) > cum).sum(axis=1), probs.shape[1] - 1)


def _mix_over_months(start: Sequence[float], end: Sequence[float]) -> np.ndarray:
    """(months, k) mixes moving linearly from `start` to `end` over the period."""
    start_, end_ = np.asarray(start), np.asarray(end)
    return start_ + (end_ - start_) * (np.arange(MONTHS) / (MONTHS - 1))[:, None]


def _child(rng: np.random.Generator, child_parent: np.ndarray, parent: np.ndarray,
           weights: np.ndarray | None = None) -> np.ndarray:
    """A random child (row of a level sorted by code) of each given parent, optionally by weight."""
    first = np.searchsorted(child_parent, parent, side="left")
    last = np.searchsorted(child_parent, parent, side="right")
    if weights is None:
        return first + (rng.random(len(parent)) * (last - first)).astype(np.int64)
    cum = np.concatenate([[0.0], np.cumsum(weights)])
    target = cum[first] + rng.random(len(parent)) * (cum[last] - cum[first])
    return np.clip(np.searchsorted(cum, target, side="right") - 1, first, last - 1)


def _times(rng: np.random.Generator, cal: _Calendar, day: np.ndarray, hour_weights: Sequence[float]) -> np.ndarray:
    """A timestamp [s] on each day, the hour drawn from an hourly profile, none after as_of."""
    hour = _choose(rng, hour_weights, len(day))
    ts = cal.at(day, hour * 3600 + rng.integers(0, 3600, len(day)))
    # Only the last day can run past as_of: those events fall in the part of it already gone.
    late = ts > cal.as_of
    elapsed = (cal.as_of - cal.days[-1].astype("datetime64[s]")).astype(int)
    ts[late] = cal.at(day[late], rng.integers(0, elapsed + 1, int(late.sum())))
    return ts


def _lognormal(rng: np.random.Generator, median: float | np.ndarray, sigma: float, n: int) -> np.ndarray:
    return np.asarray(median) * rng.lognormal(0.0, sigma, n)


def _jitter(rng: np.random.Generator, values: np.ndarray, sd: float) -> np.ndarray:
    return np.round(values + rng.normal(0, sd, len(values)), 6)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal strings, wider if a value needs it."""
    values = np.asarray(values, dtype=np.int64)
    width = max(width, len(str(values.max()))) if len(values) else width
    return np.strings.zfill(values.astype(str), width)


def _cat(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays and scalars."""
    out = np.asarray(parts[0], dtype=str)
    for part in parts[1:]:
        out = np.strings.add(out, np.asarray(part, dtype=str))
    return out


def _stamp(ts: np.ndarray, unit: Literal["M", "D"]) -> np.ndarray:
    """YYYYMM or YYYYMMDD of each timestamp, formatted once per distinct value."""
    values, inverse = np.unique(ts.astype(f"datetime64[{unit}]"), return_inverse=True)
    return np.strings.replace(np.datetime_as_string(values, unit=unit), "-", "")[inverse]


def _sequence(*keys: np.ndarray) -> np.ndarray:
    """1-based running number within each group of equal keys, in row order."""
    frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    return frame.groupby(list(frame.columns), sort=False).cumcount().to_numpy() + 1


def _drift(rng: np.random.Generator, groups: int, level_sd: float, step_sd: float) -> np.ndarray:
    """(groups, months) random walks: each city's performance drifting month by month."""
    return rng.normal(0, level_sd, (groups, 1)) + np.cumsum(rng.normal(0, step_sd, (groups, MONTHS)), axis=1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _ar1(rng: np.random.Generator, steps: int, series: int, phi: float, sd: float) -> np.ndarray:
    """(steps, series) stationary AR(1) noise with standard deviation `sd`."""
    shocks = rng.normal(0, sd * np.sqrt(1 - phi**2), (steps, series))
    out = np.empty_like(shocks)
    out[0] = rng.normal(0, sd, series)
    for i in range(1, steps):
        out[i] = phi * out[i - 1] + shocks[i]
    return out


_USCC_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])


def _credit_codes(rng: np.random.Generator, registration: str, counties: np.ndarray) -> np.ndarray:
    """统一社会信用代码-shaped ids (GB 32100-2015): registration kind (91 company, 12 public body,
    93 co-operative), county code, nine characters and a valid check character."""
    n = len(counties)
    head = np.tile([int(c) for c in registration], (n, 1))
    county = np.asarray(counties, dtype="<U6").view(np.uint32).reshape(n, 6).astype(np.int64) - ord("0")
    body = np.hstack([head, county, rng.integers(0, 31, (n, 9))])
    check = (31 - (body * _USCC_WEIGHTS).sum(axis=1) % 31) % 31
    return np.ascontiguousarray(_USCC_ALPHABET[np.hstack([body, check[:, None]])]).view("<U18").ravel()


class _Departments(NamedTuple):
    """Department names of every county (西湖区住建局, 国网西湖区供电公司): `names[index(county, key)]`."""

    names: np.ndarray
    keys: dict[str, int]

    def index(self, county: np.ndarray, key: np.ndarray) -> np.ndarray:
        return county * len(self.keys) + key


def _departments(geo: _Geography) -> _Departments:
    names = [prefix + county + suffix for county in geo.counties["name"] for prefix, suffix in V.DEPARTMENTS.values()]
    return _Departments(np.array(names), {k: i for i, k in enumerate(V.DEPARTMENTS)})


# -- economy -----------------------------------------------------------------------------------


def _economy_shares(geo: _Geography) -> dict[str, np.ndarray]:
    """Each county's share of the province in each monthly statistic."""
    c = geo.counties
    gdp, population, secondary = c["gdp"].to_numpy(), c["population"].to_numpy(), c["secondary"].to_numpy()
    trade = gdp * c["code"].map(V.TRADE_INTENSITY).fillna(1.0).to_numpy() * np.where(c["density"] < 300, 0.3, 1.0)
    imports = c["code"].map(V.IMPORT_SHARE).fillna(V.DEFAULT_IMPORT_SHARE).to_numpy()
    shares = {
        "industrial_value_added": gdp * secondary,
        "fixed_asset_investment": gdp * np.where(c["density"] < 1500, 1.3, 1.0),  # room to build
        "retail_sales": np.sqrt(gdp * population),
        "budget_revenue": gdp * np.where(c["district"], 1.2, 1.0),
        "imports": trade * imports,
        "exports": trade * (1 - imports),
        "new_market_entities": population**0.4 * gdp**0.6,
        "electricity_consumption": gdp * (0.5 + secondary),
    }
    return {k: v / v.sum() for k, v in shares.items()}


def _annual(rng: np.random.Generator, level: np.ndarray, growth: float, years: np.ndarray) -> np.ndarray:
    """(counties, years) yearly values from the 2024 levels, each county on its own growth path."""
    span = np.arange(min(years.min(), V.REFERENCE_YEAR), max(years.max(), V.REFERENCE_YEAR) + 1)
    rates = growth + rng.normal(0, 0.01, (len(level), 1)) + rng.normal(0, 0.006, (len(level), len(span)))
    path = np.cumsum(np.log1p(rates), axis=1)
    path -= path[:, [V.REFERENCE_YEAR - span[0]]]
    return level[:, None] * np.exp(path[:, years - span[0]])


def _month_profile(indicator: V.MonthlyIndicator, years: np.ndarray) -> np.ndarray:
    """(years, 12) share of each month in its year: daily activity with the festival dip, summed."""
    days = np.arange(np.datetime64(f"{years[0]}-01-01"), np.datetime64(f"{years[-1] + 1}-01-01"))
    moy = days.astype("datetime64[M]").astype(int) % 12
    festival = _spring_festival_offset(days)
    activity = np.asarray(indicator.season)[moy] * (1 - indicator.spring_festival_dip * ((festival >= -3) & (festival <= 10)))
    year = days.astype("datetime64[Y]").astype(int) + 1970 - years[0]
    sums = np.zeros((len(years), 12))
    np.add.at(sums, (year, moy), activity)
    return sums / sums.sum(axis=1, keepdims=True)


def _economy_monthly(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    months = w.cal.complete_months()
    year = months.astype("datetime64[Y]").astype(int) + 1970
    years = np.arange(year.min(), year.max() + 1)
    moy = months.astype(int) % 12
    codes = w.geo.counties["code"].to_numpy()
    shares = _economy_shares(w.geo)
    frame: dict[str, np.ndarray] = {"region_code": np.repeat(codes, len(months)),
                                    "month": np.tile(months.astype("datetime64[D]"), len(codes))}
    for name, indicator in V.MONTHLY_INDICATORS.items():
        annual = _annual(rng, indicator.total * shares[name], indicator.growth, years)
        values = annual[:, year - years[0]] * _month_profile(indicator, years)[year - years[0], moy]
        frame[name] = (values * rng.lognormal(0, 0.035, values.shape)).ravel()
    # A few large projects booked in one month: investment outliers.
    spikes = rng.choice(len(frame["region_code"]), 3, replace=False)
    frame["fixed_asset_investment"][spikes] *= rng.uniform(2.2, 3.0, 3)
    for name in V.MONTHLY_INDICATORS:
        frame[name] = np.round(frame[name], 2)
    frame["new_market_entities"] = np.round(frame["new_market_entities"]).astype(np.int64)
    return pd.DataFrame(frame)


def _economy_quarterly(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    quarters = w.cal.complete_quarters()
    year = quarters.astype("datetime64[Y]").astype(int) + 1970
    q = quarters.astype(int) % 12 // 3
    years = np.arange(year.min() - 1, year.max() + 1)  # a year before, for year-on-year growth
    c = w.geo.counties
    annual = _annual(rng, c["gdp"].to_numpy(), V.GDP_GROWTH, years)
    gdp = annual[:, :, None] * np.asarray(V.QUARTER_SHARE) * rng.lognormal(0, 0.005, (*annual.shape, 4))
    now, before = gdp[:, year - years[0], q], gdp[:, year - years[0] - 1, q]
    real_growth = (now / before - 1 - V.GDP_DEFLATOR) * 100
    # Agriculture peaks with the autumn harvest; services gain on industry year by year.
    primary = now * c["primary"].to_numpy()[:, None] * np.array([0.7, 0.9, 1.3, 1.1])[q]
    secondary = now * c["secondary"].to_numpy()[:, None] * (1 - 0.006 * (year - V.REFERENCE_YEAR))
    return pd.DataFrame({
        "region_code": np.repeat(c["code"].to_numpy(), len(quarters)),
        "quarter": np.tile(quarters.astype("datetime64[D]"), len(c)),
        "gdp": np.round(now, 2).ravel(),
        "primary_industry": np.round(primary, 2).ravel(),
        "secondary_industry": np.round(secondary, 2).ravel(),
        "tertiary_industry": np.round(now - primary - secondary, 2).ravel(),
        "gdp_real_growth": np.round(real_growth, 1).ravel(),
    })


def _population_annual(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    years = np.arange(w.cal.end.year - 3, w.cal.end.year)
    c = w.geo.counties
    city_growth = w.geo.cities["code"].map(lambda code: V.CITIES[code].population_growth).to_numpy()[c["city"]]
    growth = city_growth + rng.normal(0, 0.003, len(c))
    population = c["population"].to_numpy()[:, None] * (1 + growth[:, None]) ** (years - V.REFERENCE_YEAR)
    base = np.where(c["district"], 86.0, np.where(c["name"].str.endswith("市"), 68.0, 60.0)) + rng.normal(0, 4, len(c))
    urbanisation = np.clip(base[:, None] + 0.6 * (years - V.REFERENCE_YEAR), 35, 99.5)
    return pd.DataFrame({
        "region_code": np.repeat(c["code"].to_numpy(), len(years)),
        "year": np.tile(years, len(c)).astype(np.int64),
        "resident_population": np.round(population, 2).ravel(),
        "urbanization_rate": np.round(urbanisation, 1).ravel(),
    })


# -- 12345 hotline -----------------------------------------------------------------------------

_CATEGORIES = V.HOTLINE_CATEGORIES


def _hotline_orders(w: _World, rng: np.random.Generator) -> Iterator[pd.DataFrame]:
    """Who called about what, where and when; then how each order was handled: the versions of
    the orders accepted in each month, one month at a time.

    What spans the months is drawn first, for the whole table: how many calls each month gets,
    each county's handling and the surge. Each month then draws its calls, their follow-ups and
    their handling from a generator of its own, and builds its orders' strings and versions
    alone, so only one month of orders is held at a time, not the table. A follow-up that falls
    in a later month than its call waits for that month.
    """
    cal, geo = w.cal, w.geo
    day_weights = _day_weights(cal, growth=0.08, season=(1.0, 0.9, 1.0, 1.0, 1.0, 1.08, 1.15, 1.15, 1.05, 1.0, 0.95, 1.0),
                               weekend=0.62, holiday=0.55, spring=0.85)
    n = w.count(340, day_weights)
    calls_in = rng.multinomial(n, _p(_group_sum(day_weights, cal.month, MONTHS)))
    quality = rng.normal(0, 0.45, len(geo.counties))  # each county's handling
    surge = _hotline_surge(w, rng, n, day_weights)
    waiting = surge  # calls already drawn that belong to a month not built yet
    for month in range(MONTHS):
        month_rng = np.random.default_rng([w.seed, zlib.crc32(b"hotline_orders"), month])
        days = np.flatnonzero(cal.month == month)
        day = np.sort(days[_choose(month_rng, day_weights[days], int(calls_in[month]))])
        calls = pd.DataFrame({
            "created": _times(month_rng, cal, day, V.HOTLINE_HOURS),
            "grid": _choose(month_rng, geo.grids["weight"], len(day)),
            "category": _choose_by_group(month_rng, cal.moy[day], _category_mix()),
            "caller": _callers(month_rng, len(day), n),
            "complaint": False,
        })
        drawn = pd.concat([calls, waiting, _repeat_complaints(month_rng, cal, calls)], ignore_index=True)
        now = cal.month[cal.day_of(drawn["created"].to_numpy().astype("datetime64[s]"))] == month
        orders, waiting = drawn[now].sort_values("created", kind="stable", ignore_index=True), drawn[~now]
        del calls, drawn, now
        if len(orders):
            chunk = _hotline_versions(_hotline_frame(w, month_rng, orders, quality))
            del orders
            yield chunk
            del chunk


def _category_mix() -> np.ndarray:
    """(12, categories) category mix by calendar month."""
    probs = np.array([c.weight for c in _CATEGORIES]) * np.array([V.SEASONS[c.season] for c in _CATEGORIES]).T
    return probs / probs.sum(axis=1, keepdims=True)


def _callers(rng: np.random.Generator, n: int, calls: int) -> np.ndarray:
    """Numbers of `n` callers out of a table of `calls` calls: most people call once, a few
    hundred call again and again."""
    frequent = rng.random(n) < 0.03
    return np.where(frequent, rng.integers(0, 300, n), 300 + rng.integers(0, 5 * calls + 1, n))


def _repeat_complaints(rng: np.random.Generator, cal: _Calendar, calls: pd.DataFrame) -> pd.DataFrame:
    """Follow-ups: the same caller about the same place and problem again within 30 days."""
    enquiry = np.array([c.enquiry for c in _CATEGORIES])[calls["category"].to_numpy()]
    again = calls[~enquiry & (rng.random(len(calls)) < 0.09)].copy()
    again["created"] = again["created"].to_numpy() + _hours(rng.uniform(20, 30 * 24, len(again)))
    again["complaint"] = True
    return again[again["created"] <= cal.as_of]


def _hotline_surge(w: _World, rng: np.random.Generator, n_calls: int, day_weights: np.ndarray) -> pd.DataFrame:
    """The surge incident: extra complaints from around one building site, mostly at night."""
    incident = _INCIDENT["hotline_surge"]
    cal, geo = w.cal, w.geo
    wanted = (incident.rows["category_l1"], incident.rows["category_l2"], incident.rows["category_l3"])
    category = next(i for i, c in enumerate(_CATEGORIES) if (c.l1, c.l2, c.l3) == wanted)
    county = geo.county_index(incident.region_code)
    days = cal.between(*incident.window(cal.end))
    # What the model itself expects for this category and county over those days.
    grid_weight = geo.grids["weight"].to_numpy()
    county_share = grid_weight[geo.grids["county"].to_numpy() == county].sum() / grid_weight.sum()
    normal = (n_calls * day_weights[days].sum() / day_weights.sum() * county_share
              * _category_mix()[cal.moy[days[-1]], category])
    extra = max(round((_SURGE_FACTOR - 1) * normal), len(days))
    communities = np.flatnonzero(geo.communities["county"].to_numpy() == county)
    site = communities[np.argmax(geo.communities["weight"].to_numpy()[communities])]
    night = (3, 2, 1, 0.5, 0.3, 0.5, 1.5, 2, 1, 0.5, 0.3, 0.3, 0.5, 0.3, 0.3, 0.3, 0.3, 0.5, 0.8, 1, 2, 3, 4, 4)
    return pd.DataFrame({
        "created": _times(rng, cal, rng.choice(days, extra), night),
        "grid": _child(rng, geo.grids["community"].to_numpy(), np.full(extra, site)),
        "category": category,
        "caller": 10**9 + rng.integers(0, max(extra // 2, 1), extra),  # neighbours calling again
        "complaint": True,
    })


class _Handling(NamedTuple):
    dispatched: np.ndarray
    feedback: np.ndarray
    closed: np.ndarray
    due: np.ndarray
    returned: np.ndarray
    late: np.ndarray


def _hotline_frame(w: _World, rng: np.random.Generator, orders: pd.DataFrame,
                   county_quality: np.ndarray) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    n = len(orders)
    created = orders["created"].to_numpy().astype("datetime64[s]")
    category, grid = orders["category"].to_numpy(), orders["grid"].to_numpy()
    county = geo.grids["county"].to_numpy()[grid]
    enquiry = np.array([c.enquiry for c in _CATEGORIES])[category]
    appeal = _choose_by_group(rng, enquiry.astype(int), np.array([V.APPEAL_MIX_COMPLAINT, V.APPEAL_MIX_ENQUIRY]))
    appeal[orders["complaint"].to_numpy(bool)] = V.APPEAL_TYPES.index("投诉")
    channel = _choose_by_group(rng, cal.month[cal.day_of(created)],
                               _mix_over_months(V.HOTLINE_CHANNEL_MIX_START, V.HOTLINE_CHANNEL_MIX_END))
    quality = county_quality[county]
    steps = _hotline_steps(rng, cal, created, appeal, quality)
    closed = ~np.isnat(steps.closed)
    # An order is sent back with the unit's feedback: until that has happened it is still being handled.
    returned = steps.returned & ~np.isnat(steps.feedback)
    status = np.select([closed, returned, np.isnat(steps.dispatched) & ~closed], [0, 1, 2], 3)
    departments = _departments(geo)
    department = departments.index(county, np.array([departments.keys[c.department] for c in _CATEGORIES])[category])
    required = np.isin(appeal, [V.APPEAL_TYPES.index(a) for a in ("投诉", "举报", "求助")]) | (rng.random(n) < 0.05)
    revisited = rng.random(n) < 0.86 + 0.03 * cal.t[cal.day_of(created)]
    month = _stamp(created, "M")
    frame = pd.DataFrame({
        "order_id": _cat("ZJ12345-", month, "-", _digits(_sequence(month), 6)),
        "channel": _take(V.HOTLINE_CHANNELS, channel),
        "appeal_type": _take(V.APPEAL_TYPES, appeal),
        "category_l1": _take([c.l1 for c in _CATEGORIES], category),
        "category_l2": _take([c.l2 for c in _CATEGORIES], category),
        "category_l3": _take([c.l3 for c in _CATEGORIES], category),
        "region_code": _take(geo.grids["code"], grid),
        "lon": _jitter(rng, geo.grids["lon"].to_numpy()[grid], 0.002),
        "lat": _jitter(rng, geo.grids["lat"].to_numpy()[grid], 0.002),
        "department": _take(departments.names, np.where(np.isnat(steps.dispatched), -1, department)),
        "created_at": created,
        "dispatched_at": steps.dispatched,
        "first_feedback_at": steps.feedback,
        "closed_at": steps.closed,
        "due_at": steps.due,
        "status": _take(("已办结", "已退回", "待派单", "办理中"), status),
        "satisfaction": _take(("满意", "基本满意", "不满意", "未评价"), np.where(closed, _satisfaction(rng, steps.late, quality), -1)),
        "revisit_required": required,
        "revisit_done": pd.array(np.where(closed & required, revisited, None), dtype="boolean"),
        "caller_id": _take(_cat("C", _digits(_pseudonym(orders["caller"].to_numpy()), 10)),
                           np.where(rng.random(n) < 0.04, -1, np.arange(n))),  # some leave no number
    })
    # Personal data last, so the draws above (and the columns they make) stay as they were.
    anonymous = frame["caller_id"].isna().to_numpy()
    caller = orders["caller"].to_numpy()
    person = _mix64(caller, 1)  # a caller keeps a name and a number over all their calls
    place = _mix64(caller, 2) ^ _mix64(grid, 3)  # and an address where they call from
    road = _roads(place)
    return frame.assign(
        caller_name=_take(_names(person), np.where(anonymous, -1, np.arange(n))),
        caller_phone=_take(_phones(person), np.where(anonymous, -1, np.arange(n))),
        caller_address=_take(_addresses(geo, grid, road, place), np.where(anonymous, -1, np.arange(n))),
        request_text=_take(_request_texts(rng, category, appeal, road), np.arange(n)),
    )


def _hotline_steps(rng: np.random.Generator, cal: _Calendar, created: np.ndarray, appeal: np.ndarray,
                   quality: np.ndarray) -> _Handling:
    """Dispatch, first feedback and closing against the appeal type's time limit, cut at as_of."""
    n = len(created)
    limit = np.array([V.APPEAL_LIMIT_HOURS[a] for a in V.APPEAL_TYPES], dtype=float)[appeal]
    # Overdue orders are rarer in better-run counties and get rarer over the three years.
    late = rng.random(n) < _sigmoid(_logit(0.08) - quality - 0.35 * cal.t[cal.day_of(created)])
    dispatched = _dispatch_times(rng, created)
    feedback_share = np.where(late & (rng.random(n) < 0.6), rng.uniform(1.0, 1.8, n), 0.95 * rng.beta(2, 5, n))
    feedback = dispatched + _hours(np.maximum(feedback_share * limit, 0.3))
    close_share = np.where(late, rng.uniform(1.02, 2.5, n), 0.35 + 0.6 * rng.beta(2.5, 2, n))
    closed = np.maximum(created + _hours(close_share * limit), feedback + _hours(rng.uniform(0.2, 6, n)))
    # Many questions are answered on the call: no dispatch, the answer is the feedback.
    direct = (appeal == V.APPEAL_TYPES.index("咨询")) & (rng.random(n) < 0.45)
    answered = created + _hours(_lognormal(rng, 0.15, 0.6, n))
    dispatched = np.where(direct, _NAT, dispatched)
    feedback = np.where(direct, answered, feedback)
    closed = np.where(direct, answered, closed)
    returned = ~direct & (rng.random(n) < 0.01)  # sent back by the unit as not its business
    closed = np.where(returned, _NAT, closed)
    # What has not happened by as_of is not recorded.
    dispatched, feedback, closed = (np.where(ts <= cal.as_of, ts, _NAT) for ts in (dispatched, feedback, closed))
    return _Handling(dispatched, feedback, closed, created + _hours(limit), returned, late)


# The handling steps in order: the source system sends the order again at each one.
_HOTLINE_STEPS = ("created_at", "dispatched_at", "first_feedback_at", "closed_at")
# What a version sent at a step leaves empty because it becomes known only at a later step.
_HOTLINE_KNOWN_FROM = {"department": 1, "dispatched_at": 1, "first_feedback_at": 2, "closed_at": 3,
                       "satisfaction": 3, "revisit_done": 3}
# The status of a version sent at each step, unless it is the order's last (then the order's
# status: a return comes with the feedback); a closing is always the last.
_HOTLINE_STATUS_AT_STEP = ("待派单", "办理中", "办理中", "已办结")


def _hotline_versions(final: pd.DataFrame) -> pd.DataFrame:
    """Every version the 12345 system sends of each order: one a handling step that has happened
    by as_of, with `updated_at` the time of that step, in the order they were sent.

    The last version of each order is its final state as given (returned orders end with the
    feedback that sent them back); earlier ones hold what was known at their step. Steps at the
    same instant are one version: a question answered on the call is closed with its answer.
    """
    n = len(final)
    at = np.concatenate([final[column].to_numpy().astype("datetime64[s]") for column in _HOTLINE_STEPS])
    step = np.repeat(np.arange(len(_HOTLINE_STEPS)), n)
    row = np.tile(np.arange(n), len(_HOTLINE_STEPS))
    sent = ~np.isnat(at)
    at, step, row = at[sent], step[sent], row[sent]
    # Steps follow each other in time, so sorting by time (then order, then step) is the order of
    # sending, with each order's steps in order; of two steps at one instant the later is kept.
    order = np.lexsort((step, row, at))
    at, step, row = at[order], step[order], row[order]
    keep = np.ones(len(row), dtype=bool)
    keep[:-1] = (row[:-1] != row[1:]) | (at[:-1] != at[1:])
    at, step, row = at[keep], step[keep], row[keep]
    last = np.zeros(len(row), dtype=bool)  # each order's last version: its first from the end
    last[len(row) - 1 - np.unique(row[::-1], return_index=True)[1]] = True
    versions = final.take(row).reset_index(drop=True)
    for column, known_from in _HOTLINE_KNOWN_FROM.items():
        versions[column] = versions[column].mask(step < known_from)
    versions["status"] = versions["status"].where(last, _take(_HOTLINE_STATUS_AT_STEP, step))
    versions["updated_at"] = at
    return versions


def _dispatch_times(rng: np.random.Generator, created: np.ndarray) -> np.ndarray:
    """Minutes after acceptance; half the night orders wait for the morning shift at 08:30."""
    n = len(created)
    hour = (created - created.astype("datetime64[D]")).astype(int) / 3600
    quick = created + _hours(_lognormal(rng, 8 / 60, 0.7, n))
    # A few wait for hours while the handling unit is disputed.
    quick = np.where(rng.random(n) < 0.02, created + _hours(rng.uniform(2, 30, n)), quick)
    morning = (created.astype("datetime64[D]") + (hour >= 22).astype("timedelta64[D]")).astype("datetime64[s]") + _hours(8.5)
    waits = ((hour >= 22) | (hour < 7)) & (rng.random(n) < 0.5)
    return np.where(waits, np.maximum(morning, quick), quick)


def _satisfaction(rng: np.random.Generator, late: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """Index into 满意, 基本满意, 不满意, 未评价: worse when overdue and in poorly run counties."""
    answer = _choose_by_group(rng, late.astype(int), np.array([[0.74, 0.15, 0.04, 0.07], [0.45, 0.2, 0.2, 0.15]]))
    return np.where(rng.random(len(late)) < 0.04 * _sigmoid(-quality), 2, answer)


# -- people: synthetic names, numbers, addresses and what they said ----------------------------


def _mix64(values: np.ndarray, salt: int) -> np.ndarray:
    """A fixed scrambling of whole numbers (splitmix64): the same number always gives the same
    bits, so what follows a caller (their name, their phone) is the same on every order."""
    with np.errstate(over="ignore"):
        x = np.asarray(values).astype(np.uint64) + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _bits(h: np.ndarray, shift: int, modulo: int) -> np.ndarray:
    return ((h >> np.uint64(shift)) % np.uint64(modulo)).astype(np.int64)


_SURNAME_CUMULATIVE = np.cumsum([w for _, w in V.SURNAMES]) / sum(w for _, w in V.SURNAMES)


def _names(h: np.ndarray) -> np.ndarray:
    """Chinese names: a surname by its frequency, then one or (three times in four) two given characters."""
    surname = np.minimum(np.searchsorted(_SURNAME_CUMULATIVE, _bits(h, 0, 1 << 20) / (1 << 20), side="right"),
                         len(V.SURNAMES) - 1)
    chars = np.array(list(V.GIVEN_NAME_CHARS))
    first, second = chars[_bits(h, 24, len(chars))], chars[_bits(h, 34, len(chars))]
    given = np.where(_bits(h, 20, 4) == 0, first, np.strings.add(first, second))
    return np.strings.add(np.array([s for s, _ in V.SURNAMES])[surname], given)


def _phones(h: np.ndarray) -> np.ndarray:
    """Mobile numbers: a real 1[3-9]x prefix and eight digits."""
    return _cat(np.array(V.MOBILE_PREFIXES)[_bits(h, 8, len(V.MOBILE_PREFIXES))], _digits(_bits(h, 16, 10**8), 8))


def _roads(h: np.ndarray) -> np.ndarray:
    return _cat(np.array(V.ROAD_NAMES)[_bits(h, 0, len(V.ROAD_NAMES))],
                np.array(V.ROAD_SUFFIXES)[_bits(h, 8, len(V.ROAD_SUFFIXES))])


def _addresses(geo: _Geography, grid: np.ndarray, road: np.ndarray, h: np.ndarray) -> np.ndarray:
    """'<city><county><street><rest>': a road, number, estate, building and room in a 社区, a
    group and house number in a 村; so an address masked to its street is cut exactly."""
    grids = geo.grids
    streets, counties = geo.streets, geo.counties
    street = grids["street"].to_numpy()[grid]
    county = grids["county"].to_numpy()[grid]
    community = grids["community"].to_numpy()[grid]
    head = _cat(geo.cities["name"].to_numpy()[counties["city"].to_numpy()[county]],
                counties["name"].to_numpy()[county], streets["name"].to_numpy()[street])
    town = _cat(road, _bits(h, 16, 300) + 1, "号", np.array(V.ESTATES)[_bits(h, 28, len(V.ESTATES))],
                _bits(h, 36, 30) + 1, "幢", _bits(h, 44, 4) + 1, "单元", (_bits(h, 48, 25) + 1) * 100 + _bits(h, 56, 4) + 1,
                "室")
    village = _cat(geo.communities["name"].to_numpy()[community], _bits(h, 16, 12) + 1, "组", _bits(h, 28, 80) + 1, "号")
    return np.strings.add(head, np.where(geo.communities["village"].to_numpy()[community], village, town))


def _request_texts(rng: np.random.Generator, category: np.ndarray, appeal: np.ndarray, road: np.ndarray) -> np.ndarray:
    """What the caller asked: an opening, a detail of the order's category naming its topic (the
    third-level category) and a nearby road, and the ask of its appeal type."""
    l1 = np.array([c.l1 for c in _CATEGORIES])[category]
    topic = np.array([c.l3 for c in _CATEGORIES])[category]
    pick = rng.integers(0, 1 << 30, len(category))
    detail = np.full(len(category), "", dtype=object)
    for group, templates in V.REQUEST_DETAILS.items():
        rows = np.flatnonzero(l1 == group)
        choice = pick[rows] % len(templates)
        for j, template in enumerate(templates):
            at = rows[choice == j]
            if len(at):
                pieces = re.split(r"(\{topic\}|\{place\})", template)
                detail[at] = _cat(*(topic[at] if piece == "{topic}" else road[at] if piece == "{place}" else piece
                                    for piece in pieces if piece))
    opening = np.array(V.REQUEST_OPENINGS)[(pick >> 4) % len(V.REQUEST_OPENINGS)]
    ask = np.array([V.REQUEST_ASKS[a] for a in V.APPEAL_TYPES])[appeal]
    return _cat(opening, detail.astype(str), ask)


_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))


def _id_numbers(rng: np.random.Generator, county_code: np.ndarray, submitted: np.ndarray) -> np.ndarray:
    """18-character resident ID numbers (GB 11643-1999): county code, birth date (adults of 18 to
    80 on the day), a sequence number and the ISO 7064 MOD 11-2 check character."""
    n = len(county_code)
    birth = (submitted.astype("datetime64[D]") - (rng.uniform(18, 80, n) * 365.25).astype("timedelta64[D]"))
    body = _cat(county_code, np.strings.replace(np.datetime_as_string(birth, unit="D"), "-", ""),
                _digits(rng.integers(0, 1000, n), 3))
    digits = np.asarray(body, dtype="<U17").view(np.uint32).reshape(n, 17).astype(np.int64) - ord("0")
    return np.strings.add(body, _ID_CHECK[(digits * _ID_WEIGHTS).sum(axis=1) % 11])


def _pseudonym(numbers: np.ndarray) -> np.ndarray:
    """A fixed scrambling of caller numbers, so ids reveal nothing."""
    return (np.asarray(numbers, dtype=np.int64) * 2_654_435_761 + 97_531) % 9_999_999_967


# -- grid events -------------------------------------------------------------------------------


def _grid_events(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    day_weights = _day_weights(cal, growth=0.1, weekend=0.55, holiday=0.45, spring=0.8)
    n = w.count(140, day_weights)
    day = np.sort(_choose(rng, day_weights, n))
    source = _choose_by_group(rng, cal.month[day], _mix_over_months(V.GRID_EVENT_SOURCE_MIX_START, V.GRID_EVENT_SOURCE_MIX_END))
    patrol = source == V.GRID_EVENT_SOURCES.index("网格员巡查")
    reported = np.where(patrol, _times(rng, cal, day, V.PATROL_HOURS), _times(rng, cal, day, V.HOTLINE_HOURS))
    grid = _choose(rng, geo.grids["weight"], n)
    village = geo.communities["village"].to_numpy()[geo.grids["community"].to_numpy()[grid]]
    types = V.GRID_EVENT_TYPES
    mix = np.array([t.weight for t in types]) * np.array([V.SEASONS[t.season] for t in types]).T
    rural = np.array([t.rural for t in types])
    event_type = _choose_by_group(rng, cal.moy[day] + 12 * village, np.vstack([mix, mix * rural]))
    level = _choose(rng, V.GRID_EVENT_LEVEL_MIX, n)
    median = np.array([V.GRID_EVENT_CLOSE_HOURS[lv] for lv in V.GRID_EVENT_LEVELS])[level]
    closed = reported + _hours(_lognormal(rng, median, 0.9, n) + 0.25)
    closed = np.where(closed <= cal.as_of, closed, _NAT)
    waiting = np.isnat(closed) & (reported > cal.as_of - np.timedelta64(6, "h"))  # not yet accepted
    order = np.argsort(reported, kind="stable")
    stamp = _stamp(reported[order], "D")
    return pd.DataFrame({
        "event_id": _cat("SJ", stamp, _digits(_sequence(stamp), 5)),
        "region_code": _take(geo.grids["code"], grid[order]),
        "lon": _jitter(rng, geo.grids["lon"].to_numpy()[grid[order]], 0.002),
        "lat": _jitter(rng, geo.grids["lat"].to_numpy()[grid[order]], 0.002),
        "level": _take(V.GRID_EVENT_LEVELS, level[order]),
        "source": _take(V.GRID_EVENT_SOURCES, source[order]),
        "event_type": _take([t.name for t in types], event_type[order]),
        "reported_at": reported[order],
        "closed_at": closed[order],
        "status": _take(("已办结", "待受理", "处置中"), np.select([~np.isnat(closed), waiting], [0, 1], 2)[order]),
    })


# -- one-stop government service ---------------------------------------------------------------


def _service_cases(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    day_weights = _day_weights(cal, growth=0.05, weekend=0.3, holiday=0.15, spring=0.7)
    n = w.count(205, day_weights)
    day = np.sort(_choose(rng, day_weights, n))
    items = V.SERVICE_ITEMS
    item = _choose(rng, [i.weight for i in items], n)
    at_street = np.array([i.at_street for i in items])[item]
    street = _choose(rng, geo.streets["weight"], n)
    county = np.where(at_street, geo.streets["county"].to_numpy()[street], _choose(rng, geo.counties["population"], n))
    # Online share rises from about 60% to 80%; counters are mostly closed at weekends.
    odds = np.exp(_logit(0.55) + 0.45 * cal.t[day] + rng.normal(0, 0.3, len(geo.counties))[county])
    odds *= np.array([i.online_affinity for i in items])[item] * np.where(cal.dow[day] >= 5, 4.0, 1.0)
    online = rng.random(n) < odds / (1 + odds)
    submitted = np.where(online, _times(rng, cal, day, V.ONLINE_HOURS), _times(rng, cal, day, V.COUNTER_HOURS))
    promised = np.array([i.promised_days for i in items])[item]
    # A working day is about 1.4 calendar days; items done on the spot take minutes to hours.
    late = rng.random(n) < 0.025
    took_days = np.where(late, promised * rng.uniform(1.45, 2.2, n) + 1, 1.4 * promised * rng.beta(2, 4, n))
    took_hours = np.where(promised == 0, _lognormal(rng, np.where(online, 2.0, 0.4), 0.8, n), 24 * took_days + 1)
    completed = submitted + _hours(took_hours)
    rejected = rng.random(n) < 0.025
    completed = np.where((completed <= cal.as_of) & ~rejected, completed, _NAT)
    departments = _departments(geo)
    street_centres = _cat(geo.streets["name"].to_numpy(), "便民服务中心")
    key = np.array([departments.keys[i.department] for i in items])[item]
    department = np.where(at_street, len(departments.names) + street, departments.index(county, key))
    region = np.where(at_street, len(geo.counties) + street, county)
    order = np.argsort(submitted, kind="stable")
    county_code = geo.counties["code"].to_numpy()[county[order]]
    stamp = _stamp(submitted[order], "D")
    frame = pd.DataFrame({
        "case_id": _cat(county_code, stamp, _digits(_sequence(county_code, stamp), 5)),
        "item_name": _take([i.name for i in items], item[order]),
        "department": _take(np.concatenate([departments.names, street_centres]), department[order]),
        "region_code": _take(np.concatenate([geo.counties["code"], geo.streets["code"]]), region[order]),
        "online": online[order],
        "submitted_at": submitted[order],
        "completed_at": completed[order],
        "promised_days": promised[order].astype(np.int64),
        "status": _take(("不予受理", "已办结", "受理中"), np.select([rejected, ~np.isnat(completed)], [0, 1], 2)[order]),
    })
    # Personal data last, so the draws above stay as they were.
    return frame.assign(applicant_name=_names(_mix64(rng.integers(0, 1 << 62, n), 4)),
                        applicant_id_number=_id_numbers(rng, county_code, submitted[order]))


# -- air quality -------------------------------------------------------------------------------


def _air_stations(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    counties = w.geo.counties
    # Every city seat (a city's first county) has a 国控 station; more go where people live.
    seats = counties.groupby("city").head(1).index.to_numpy()
    others = np.setdiff1d(np.arange(len(counties)), seats)
    extra = max(0, round(15 * w.scale) - len(seats))
    more = rng.choice(others, extra, replace=extra > len(others), p=_p(counties["population"].to_numpy()[others]))
    county = np.concatenate([seats, more])
    station_class = np.concatenate([np.full(len(seats), "国控"), rng.choice(["省控", "市控"], extra, p=[0.6, 0.4])])
    suffix = np.concatenate([np.full(len(seats), V.AIR_STATION_SUFFIXES[0]), rng.choice(V.AIR_STATION_SUFFIXES[1:], extra)])
    return pd.DataFrame({
        "station_id": _cat(_digits(1001 + np.arange(len(county)), 4), "A"),
        "name": _cat(counties["short"].to_numpy()[county], suffix),
        "region_code": counties["code"].to_numpy()[county],
        "station_class": station_class,
        "lon": _jitter(rng, counties["lon"].to_numpy()[county], 0.015),
        "lat": _jitter(rng, counties["lat"].to_numpy()[county], 0.015),
    })


def _air_quality_hourly(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    stations = w.reference("air_stations")
    county = pd.Index(geo.counties["code"]).get_indexer(stations["region_code"])
    city = geo.city_of(county)
    n_days, n_st = len(cal.days), len(stations)
    hours = np.arange(n_days * 24)
    hours = hours[cal.start.astype("datetime64[s]") + hours.astype("timedelta64[h]") <= cal.as_of]
    day, hod = hours // 24, hours % 24
    # Weather on a log scale: province-wide systems, each city's own, each station's, each hour's.
    weather = (_ar1(rng, n_days, 1, 0.75, 0.38) + _ar1(rng, n_days, len(geo.cities), 0.6, 0.2)[:, city]
               + _ar1(rng, n_days, n_st, 0.5, 0.1))[day]
    hourly = _ar1(rng, len(hours), n_st, 0.9, 0.15)
    profiles = [V.CITIES[c] for c in geo.cities["code"]]
    pm_base = np.array([p.pm25 for p in profiles])[city] * rng.lognormal(0, 0.06, n_st)
    pm_base *= np.where(stations["station_class"] == "市控", 1.06, 1.0)  # city stations sit by roads
    no2_base = np.array([p.no2 for p in profiles])[city] * rng.lognormal(0, 0.1, n_st)
    moy, years = cal.moy[day][:, None], cal.year[day][:, None] - V.REFERENCE_YEAR - 0.5
    season = np.asarray(V.PM_SEASON)[moy]
    fireworks = _fireworks(cal, day, hod)[:, None]
    pm25 = pm_base * season * np.asarray(V.PM_HOURS)[hod][:, None] * np.exp(weather + hourly - 0.1) * 0.965**years
    pm25 *= np.where(fireworks, 2.2, 1.0)
    dust = np.isin(moy, [2, 3, 4]) & (weather > 0.5)  # spring dust from the north on stagnant days
    values = {
        "pm25": pm25,
        "pm10": pm25 * (1.6 + 0.5 * dust) * rng.lognormal(0, 0.1, pm25.shape),
        # Sunny, clean days make ozone: it runs against the particulate weather.
        "o3": 62 * np.asarray(V.O3_SEASON)[moy] * np.asarray(V.O3_HOURS)[hod][:, None]
        * np.exp(-0.25 * weather + 0.6 * hourly) * 1.01**years,
        "no2": no2_base * np.sqrt(season) * np.asarray(V.NO2_HOURS)[hod][:, None]
        * np.exp(0.6 * weather + 0.8 * hourly) * 0.985**years,
        "so2": 6 * np.sqrt(season) * rng.lognormal(0, 0.3, n_st) * np.exp(0.5 * weather + hourly) * np.where(fireworks, 2.5, 1.0),
        "co": 0.55 * season**0.4 * np.exp(0.5 * weather + 0.5 * hourly),
    }
    _instrument_spikes(rng, values)
    frame = pd.DataFrame({
        "station_id": _take(stations["station_id"], np.tile(np.arange(n_st), len(hours))),
        "region_code": _take(stations["region_code"], np.tile(np.arange(n_st), len(hours))),
        "ts": np.repeat(cal.start.astype("datetime64[s]") + hours.astype("timedelta64[h]"), n_st),
        **{k: np.round(np.clip(v, 0, 1000).ravel(), 2 if k == "co" else 0) for k, v in values.items()},
    })
    frame["aqi"] = _aqi(frame)
    return frame[_air_rows_kept(rng, len(hours), n_st)].reset_index(drop=True)


def _fireworks(cal: _Calendar, day: np.ndarray, hod: np.ndarray) -> np.ndarray:
    """Lunar New Year's Eve, 20:00 to 02:00: fireworks where they are not banned."""
    festival = _spring_festival_offset(cal.days)[day]
    return ((festival == -1) & (hod >= 20)) | ((festival == 0) & (hod < 2))


def _instrument_spikes(rng: np.random.Generator, values: dict[str, np.ndarray]) -> None:
    """A handful of implausible particulate readings, as analysers produce before maintenance."""
    pm25, pm10 = values["pm25"], values["pm10"]
    cells = rng.choice(pm25.size, min(5, pm25.size), replace=False)
    pm25.flat[cells] = rng.uniform(500, 900, len(cells))
    pm10.flat[cells] = pm25.flat[cells] * rng.uniform(1.1, 1.4, len(cells))


def _air_rows_kept(rng: np.random.Generator, n_hours: int, n_st: int) -> np.ndarray:
    """About 1% of hours are missing, and one station is down for three days."""
    kept = rng.random((n_hours, n_st)) > 0.01
    if n_hours > 240:
        first = rng.integers(0, n_hours - 72)
        kept[first:first + 72, rng.integers(0, n_st)] = False
    return kept.ravel()


def _aqi(frame: pd.DataFrame) -> np.ndarray:
    """AQI per HJ 633-2012: the highest individual index, rounded up."""
    levels = np.asarray(V.AQI_LEVELS, dtype=float)
    individual = [np.interp(frame[k].to_numpy(), bp, levels) for k, bp in V.AQI_BREAKPOINTS.items()]
    return np.minimum(np.ceil(np.max(individual, axis=0)), 500).astype(np.int64)


# -- surface water -----------------------------------------------------------------------------


def _water_sections(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    geo = w.geo
    counties = geo.counties
    n_cities = len(geo.cities)
    bodies = [V.WATER_BODIES[c] for c in geo.cities["code"]]
    # One section a city at least; the rest by how many rivers a city has.
    city = np.concatenate([np.arange(n_cities),
                           _choose(rng, [len(b) for b in bodies], max(0, round(80 * w.scale) - n_cities))])
    county = _child(rng, counties["city"].to_numpy(), city, counties["area"].to_numpy())
    offset = np.cumsum([0, *(len(b) for b in bodies)])
    body = np.concatenate(bodies)[offset[city] + (rng.random(len(city)) * np.diff(offset)[city]).astype(int)]
    plain = np.isin(geo.cities["code"].to_numpy()[city], V.PLAIN_CITIES)
    target = np.where(plain, rng.choice(["Ⅱ", "Ⅲ", "Ⅳ"], len(city), p=[0.15, 0.65, 0.2]),
                      rng.choice(["Ⅰ", "Ⅱ", "Ⅲ"], len(city), p=[0.08, 0.47, 0.45]))
    county_code = counties["code"].to_numpy()[county]
    return pd.DataFrame({
        "section_id": _cat("W", county_code, _digits(_sequence(county_code), 2)),
        "name": _cat(body, counties["short"].to_numpy()[county], rng.choice(V.WATER_SECTION_SUFFIXES, len(city))),
        "water_body": body,
        "region_code": county_code,
        "control_level": rng.choice(["国控", "省控", "市控"], len(city), p=[0.3, 0.5, 0.2]),
        "target_grade": target,
        "lon": _jitter(rng, counties["lon"].to_numpy()[county], 0.04),
        "lat": _jitter(rng, counties["lat"].to_numpy()[county], 0.04),
    })


def _water_quality_monthly(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    sections = w.reference("water_sections")
    months = w.cal.complete_months()
    n_s, n_m = len(sections), len(months)
    summer = np.isin(months.astype(int) % 12, [5, 6, 7])[None, :]
    t = (months - w.cal.start.astype("datetime64[M]")).astype(int)[None, :] / 12
    # A latent pollution position x per determinand, x in (k, k+1] meaning grade k (0 = Ⅰ … 5 =
    # 劣Ⅴ): sections sit inside their target band and improve by a tenth of a grade a year.
    target = np.array([V.WATER_GRADES.index(g) for g in sections["target_grade"]])[:, None]
    latent = target + 0.35 + rng.normal(0, 0.25, (n_s, 1)) - 0.1 * t
    values, grades = {}, []
    for name, limits in V.WATER_LIMITS.items():
        x = latent - 0.35 + rng.normal(0, 0.35, (n_s, 1)) + rng.normal(0, 0.25, (n_s, n_m))
        if name in ("dissolved_oxygen", "total_p"):  # warm water holds less oxygen; rain washes in phosphorus
            x = x + 0.35 * summer
        x = np.clip(x + 1.8 * (rng.random((n_s, n_m)) < 0.005), 0.01, 6.0)  # a spill or a drought month
        floor = name == "dissolved_oxygen"  # a minimum, the others are maxima
        anchors = (9.5, *limits, 1.2) if floor else (0.3 * limits[0], *limits, 1.6 * limits[-1])
        value = np.round(np.interp(x, np.arange(7), anchors), 3 if name == "total_p" else 2)
        values[name] = value.ravel()
        bounds = np.asarray(limits)[:, None, None]
        grades.append((value < bounds).sum(axis=0) if floor else (value > bounds).sum(axis=0))
    return pd.DataFrame({
        "section_id": np.repeat(sections["section_id"].to_numpy(), n_m),
        "region_code": np.repeat(sections["region_code"].to_numpy(), n_m),
        "month": np.tile(months.astype("datetime64[D]"), n_s),
        "grade": _take(V.WATER_GRADES, np.max(grades, axis=0).ravel()),
        **values,
    })


# -- solid waste: facilities -------------------------------------------------------------------


def _waste_county_weights(geo: _Geography) -> dict[str, np.ndarray]:
    """Where each class of waste arises: industry, people, building, farmland."""
    c = geo.counties
    industry = c["gdp"].to_numpy() * c["secondary"].to_numpy()
    weights = {
        "工业固废": industry,
        "危险废物": industry + 0.15 * c["gdp"].to_numpy(),  # hospitals and laboratories too
        "生活垃圾": c["population"].to_numpy(),
        "建筑垃圾": c["gdp"].to_numpy(),
        "农业废弃物": c["area"].to_numpy() * c["primary"].to_numpy(),
    }
    return {k: v / v.sum() for k, v in weights.items()}


def _receiver_type(waste_class: str, code: str, route: str) -> str:
    """The kind of facility that takes a waste by a disposal route."""
    if waste_class == "危险废物":
        return "危废利用处置"
    if waste_class == "建筑垃圾":
        return "建筑垃圾消纳"
    if route == "焚烧":
        return "焚烧厂"
    if waste_class == "农业废弃物":
        return "农业废弃物利用"
    if route == "填埋":
        return "填埋场"
    return "餐厨处理" if code == "厨余垃圾" else "资源化利用"


def _expected_facility_load(geo: _Geography) -> np.ndarray:
    """(cities, facility types) tons a day each city sends to each kind of facility."""
    city = geo.counties["city"].to_numpy()
    load = np.zeros((len(geo.cities), len(V.FACILITY_TYPES)))
    for name, cls in V.WASTE.items():
        city_share = _group_sum(_waste_county_weights(geo)[name], city)
        for kind, share in zip(cls.kinds, _p([k.weight for k in cls.kinds]), strict=True):
            for route, route_share in zip(V.DISPOSAL_ROUTES, kind.routes, strict=True):
                column = V.FACILITY_TYPES.index(_receiver_type(name, kind.code, route))
                load[:, column] += cls.tons_per_year * 1e4 / 365 * share * route_share * city_share
    return load


def _waste_facilities(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    geo, cal = w.geo, w.cal
    load = _expected_facility_load(geo)
    size = np.sqrt(geo.cities["gdp"].to_numpy() / geo.cities["gdp"].mean())
    networking = rng.normal(0, 0.6, len(geo.cities))  # how far each city has wired up its plants
    parts = []
    for city in range(len(geo.cities)):
        for t, ftype in enumerate(V.FACILITY_TYPES):
            count = max(1, round(V.FACILITY_KINDS[ftype][2] * size[city] * rng.lognormal(0, 0.25)))
            # Capacity against need: most cities have headroom, a few run short.
            band = rng.uniform(0.8, 0.97) if rng.random() < 0.15 else rng.uniform(1.05, 1.55)
            parts.append(pd.DataFrame({"city": city, "type": t, "first": np.arange(count) == 0,
                                       "capacity": load[city, t] * band * rng.dirichlet(np.full(count, 2.0))}))
    plants = pd.concat(parts, ignore_index=True)
    city, ftype = plants["city"].to_numpy(), plants["type"].to_numpy()
    county = _child(rng, geo.counties["city"].to_numpy(), city, geo.counties["population"].to_numpy())
    commissioned = _commission_dates(rng, cal, plants["first"].to_numpy())
    networked = (commissioned >= np.datetime64("2022-01-01")) | (rng.random(len(plants)) < _sigmoid(1.3 + networking[city]))
    county_code = geo.counties["code"].to_numpy()[county]
    place = geo.streets["short"].to_numpy()[_child(rng, geo.streets["county"].to_numpy(), county)]
    kinds = [V.FACILITY_KINDS[f] for f in V.FACILITY_TYPES]
    return pd.DataFrame({
        "facility_id": _cat("GF", county_code, _digits(_sequence(county_code), 3)),
        "name": _cat(geo.counties["short"].to_numpy()[county], place, np.array([k[1] for k in kinds])[ftype]),
        "facility_type": _take(V.FACILITY_TYPES, ftype),
        "waste_class": _take([k[0] for k in kinds], ftype),
        "region_code": county_code,
        "lon": _jitter(rng, geo.counties["lon"].to_numpy()[county], 0.03),
        "lat": _jitter(rng, geo.counties["lat"].to_numpy()[county], 0.03),
        "capacity_tpd": np.round(np.maximum(plants["capacity"].to_numpy(), 5.0), 1),
        "networked": networked,
        "commissioned_on": commissioned,
    })


def _commission_dates(rng: np.random.Generator, cal: _Calendar, first: np.ndarray) -> np.ndarray:
    """The first facility of each kind in a city predates the period; some others open during it."""
    n = len(first)
    old_from, old_to = np.datetime64("2003-01-01"), cal.start - 365
    old = old_from + rng.integers(0, (old_to - old_from).astype(int), n).astype("timedelta64[D]")
    new = cal.start + rng.integers(0, max(len(cal.days) - 30, 1), n).astype("timedelta64[D]")
    return np.where(~first & (rng.random(n) < 0.15), new, old)


# -- solid waste: transfer manifests -----------------------------------------------------------


def _waste_manifests(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    facilities = w.reference("waste_facilities")
    # Each city's utilisation and punctuality drift month by month, so the ranks move.
    performance = _drift(rng, len(w.geo.cities), 0.45, 0.12)
    parts = [_manifests_of_class(w, rng, name, cls, facilities, performance) for name, cls in V.WASTE.items()]
    parts.append(_overdue_transfer(w, rng, facilities))
    frame = pd.concat(parts, ignore_index=True).sort_values("created_at", kind="stable", ignore_index=True)
    prefix = frame["waste_class"].map({k: c.prefix for k, c in V.WASTE.items()}).to_numpy(dtype=str)
    month = _stamp(frame["created_at"].to_numpy(), "M")
    frame.insert(0, "manifest_id", _cat(prefix, month, _digits(_sequence(prefix, month), 6)))
    return frame


def _class_day_weights(cal: _Calendar, waste_class: str) -> np.ndarray:
    if waste_class == "生活垃圾":  # collected every day; more in summer and over the festival
        return _day_weights(cal, growth=0.02, season=(0.95, 1.05, 0.95, 0.95, 1.0, 1.05, 1.12, 1.12, 1.05, 1.0, 0.95, 0.95),
                            holiday=1.05, spring=1.1)
    if waste_class == "建筑垃圾":  # sites stop for the festival and slow down in the midsummer heat
        return _day_weights(cal, season=(1.0, 0.8, 1.0, 1.05, 1.05, 1.0, 0.85, 0.85, 1.0, 1.05, 1.05, 1.05),
                            weekend=0.7, holiday=0.2, spring=0.3)
    if waste_class == "农业废弃物":
        return _day_weights(cal, growth=0.04, season="harvest", weekend=0.6, holiday=0.4)
    return _day_weights(cal, growth=0.04, weekend=0.25, holiday=0.2, spring=0.5)


def _manifests_of_class(w: _World, rng: np.random.Generator, name: str, cls: V.WasteClass,
                        facilities: pd.DataFrame, performance: np.ndarray) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    day_weights = _class_day_weights(cal, name)
    n = w.count(215 * cls.manifest_share, day_weights)
    day = _choose(rng, day_weights, n)
    created = _times(rng, cal, day, V.HOTLINE_HOURS if name == "生活垃圾" else V.COUNTER_HOURS)
    producers = _producers(rng, geo, name, cls, n)
    producer = _choose(rng, producers["activity"], n)
    # A plant ships its own waste; a transfer station ships every household stream.
    own = (rng.random(n) < 0.85) & (name != "生活垃圾")
    kind = np.where(own, producers["kind"].to_numpy()[producer], _choose(rng, [k.weight for k in cls.kinds], n))
    city = geo.city_of(producers["county"].to_numpy()[producer])
    shift = performance[city, cal.month[day]]
    route = _routes(rng, cls, kind, shift, cal.t[day], household=name == "生活垃圾")
    receiver = _receivers(rng, facilities, geo, _receiver_types(name, cls)[kind, route], city, created)
    picked, received, due, status = _manifest_steps(rng, cal, cls, created, shift, cross_city=receiver["city"] != city)
    return pd.DataFrame({
        "waste_class": name,
        "waste_code": np.array([k.code for k in cls.kinds])[kind],
        "producer_id": producers["producer_id"].to_numpy()[producer],
        "producer_name": producers["producer_name"].to_numpy()[producer],
        "producer_region_code": producers["region_code"].to_numpy()[producer],
        "transporter": _transporters(rng, geo, name, city),
        "receiver_id": facilities["facility_id"].to_numpy()[receiver["row"]],
        "receiver_region_code": facilities["region_code"].to_numpy()[receiver["row"]],
        "tons": _manifest_tons(rng, cls, n, len(cal.days), cal.year[day]),
        "created_at": created,
        "picked_up_at": picked,
        "received_at": received,
        "due_at": due,
        "disposal_route": np.array(V.DISPOSAL_ROUTES)[route],
        "status": status,
    })


def _producers(rng: np.random.Generator, geo: _Geography, name: str, cls: V.WasteClass, n: int) -> pd.DataFrame:
    """The producing units of a class: plants and hospitals, transfer stations, sites, farms."""
    streets = geo.streets
    if name == "生活垃圾":  # one transfer station a street
        street, activity = np.arange(len(streets)), streets["weight"].to_numpy()
    else:
        manifests_each = {"工业固废": 30, "危险废物": 25, "建筑垃圾": 40, "农业废弃物": 15}[name]
        count = max(20, n // manifests_each)
        street = _child(rng, streets["county"].to_numpy(), _choose(rng, _waste_county_weights(geo)[name], count))
        activity = rng.lognormal(0, 1.0, count)
    kind = _choose(rng, [k.weight for k in cls.kinds], len(street))
    county = streets["county"].to_numpy()[street]
    short = streets["short"].to_numpy()[street]
    word = np.array([k.producer_word for k in cls.kinds])[kind]
    if name == "生活垃圾":
        label, registration = _cat(short, word), "12"
    elif name == "建筑垃圾":
        label, registration = _cat(short, rng.choice(V.CONSTRUCTION_PROJECTS, len(street))), "91"
    elif name == "农业废弃物":
        label, registration = _cat(short, word), "93"
    else:
        city_short = geo.cities["short"].to_numpy()[geo.city_of(county)]
        label = np.where(word == "医院", _cat(geo.counties["short"].to_numpy()[county], "人民医院"),
                         _cat(city_short, rng.choice(V.BRANDS, len(street)), word, "有限公司"))
        registration = "91"
    return pd.DataFrame({
        "producer_id": _credit_codes(rng, registration, geo.counties["code"].to_numpy()[county]),
        "producer_name": label,
        "region_code": streets["code"].to_numpy()[street],
        "county": county,
        "kind": kind,
        "activity": activity,
    })


def _routes(rng: np.random.Generator, cls: V.WasteClass, kind: np.ndarray, shift: np.ndarray, t: np.ndarray,
            household: bool) -> np.ndarray:
    """Disposal route of each manifest: its code's odds, with landfill and storage giving way, over
    time and in better-performing cities, to the code's main utilisation or treatment route."""
    odds = np.array([k.routes for k in cls.kinds])[kind]
    parked = [V.DISPOSAL_ROUTES.index("填埋"), V.DISPOSAL_ROUTES.index("贮存")]
    keep = np.minimum(np.exp(-0.5 * shift - 0.15 * t), 1.0)
    if household:  # towards 原生生活垃圾零填埋
        keep *= np.clip(1 - 0.3 * t, 0.05, 1)
    best = np.argmax(np.where(np.isin(np.arange(len(V.DISPOSAL_ROUTES)), parked), -1, odds), axis=1)
    freed = odds[:, parked].sum(axis=1) * (1 - keep)
    odds[:, parked] *= keep[:, None]
    odds[np.arange(len(odds)), best] += freed
    return _choose_rows(rng, odds)


def _receiver_types(waste_class: str, cls: V.WasteClass) -> np.ndarray:
    """(kinds, routes) index into FACILITY_TYPES of the facility taking each kind by each route."""
    return np.array([[V.FACILITY_TYPES.index(_receiver_type(waste_class, k.code, r)) for r in V.DISPOSAL_ROUTES]
                     for k in cls.kinds])


def _receivers(rng: np.random.Generator, facilities: pd.DataFrame, geo: _Geography, kind: np.ndarray,
               city: np.ndarray, created: np.ndarray) -> pd.DataFrame:
    """A facility of the `kind` wanted (index into FACILITY_TYPES), in operation, mostly in the
    producer's city, chosen by capacity."""
    facility_type = pd.Index(V.FACILITY_TYPES).get_indexer(facilities["facility_type"])
    facility_city = geo.city_of(pd.Index(geo.counties["code"]).get_indexer(facilities["region_code"]))
    capacity = facilities["capacity_tpd"].to_numpy()
    commissioned = facilities["commissioned_on"].to_numpy().astype("datetime64[D]")
    # Hazardous waste often crosses city lines to specialised plants.
    hazardous = kind == V.FACILITY_TYPES.index("危废利用处置")
    where = np.where(rng.random(len(kind)) < np.where(hazardous, 0.2, 0.06), -1, city)
    chosen = np.zeros(len(kind), dtype=np.int64)
    for (k, c), rows in pd.DataFrame({"k": kind, "c": where}).groupby(["k", "c"]).indices.items():
        same_kind = facility_type == k
        candidates = np.flatnonzero(same_kind & ((facility_city == c) | (c < 0)))
        candidates = candidates if len(candidates) else np.flatnonzero(same_kind)
        candidates = candidates[np.argsort(commissioned[candidates], kind="stable")]
        # Among those open on the day, by capacity (the oldest is always open).
        open_count = np.maximum(np.searchsorted(commissioned[candidates], created[rows].astype("datetime64[D]"), side="right"), 1)
        cum = np.cumsum(capacity[candidates])
        target = rng.random(len(rows)) * cum[open_count - 1]
        chosen[rows] = candidates[np.minimum(np.searchsorted(cum, target, side="right"), open_count - 1)]
    return pd.DataFrame({"row": chosen, "city": facility_city[chosen]})


def _manifest_tons(rng: np.random.Generator, cls: V.WasteClass, n: int, n_days: int, year: np.ndarray) -> np.ndarray:
    """Tons so that a class adds up to the province's yearly tonnage whatever the manifest count."""
    per_year = max(n, 1) * 365.25 / n_days
    mean = cls.tons_per_year * 1e4 / per_year * (1 + cls.tons_trend) ** (year - V.REFERENCE_YEAR)
    return np.round(np.clip(mean * rng.lognormal(-0.245, 0.7, n), 0.05, 100_000), 2)  # lognormal of mean 1


def _manifest_steps(rng: np.random.Generator, cal: _Calendar, cls: V.WasteClass, created: np.ndarray,
                    shift: np.ndarray, cross_city: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pick-up, receipt, due time and status; late receipts rarer in better cities."""
    n = len(created)
    picked = created + _hours(_lognormal(rng, cls.pickup_hours, 0.8, n))
    due = created + _hours(cls.due_days * 24)
    received = picked + _hours(_lognormal(rng, 2.5, 0.5, n) + 3.0 * cross_city)
    # The on-time ones arrive before the deadline; the late ones hours to days after it.
    received = np.maximum(np.where(received > due, due - _hours(rng.uniform(0.5, 6, n)), received), picked + _hours(0.2))
    late = rng.random(n) < _sigmoid(_logit(0.035) - shift)
    received = np.where(late, due + _hours(rng.uniform(2, 120, n)), received)
    returned = rng.random(n) < 0.004  # refused at the gate
    picked = np.where(picked <= cal.as_of, picked, _NAT)
    received = np.where((received <= cal.as_of) & ~np.isnat(picked) & ~returned, received, _NAT)
    status = np.select([np.isnat(picked), returned, ~np.isnat(received)], ["待起运", "已退回", "已接收"], "运输中")
    return picked, received, due, status


def _transporters(rng: np.random.Generator, geo: _Geography, waste_class: str, city: np.ndarray) -> np.ndarray:
    """Licensed carriers: six for each class in each city."""
    trade = {"工业固废": "物流有限公司", "危险废物": "危险品运输有限公司", "生活垃圾": "环境服务有限公司",
             "建筑垃圾": "渣土运输有限公司", "农业废弃物": "农业服务有限公司"}[waste_class]
    pool = _cat(geo.cities["short"].to_numpy()[:, None], np.asarray(V.BRANDS)[None, :6], trade)
    return pool[city, rng.integers(0, pool.shape[1], len(city))]


def _overdue_transfer(w: _World, rng: np.random.Generator, facilities: pd.DataFrame) -> pd.DataFrame:
    """The overdue-transfer incident: picked up 23 days before end, never received."""
    incident = _INCIDENT["overdue_hazardous_transfer"]
    geo = w.geo
    created = np.datetime64(incident.window(w.cal.end)[0], "s") + _hours(9.6)
    county = geo.county_index(incident.region_code)
    street = int(np.searchsorted(geo.streets["county"].to_numpy(), county))
    # Sent across the bay to a 宁波 plant that has been running for years.
    plants = facilities[(facilities["facility_type"] == "危废利用处置") & facilities["region_code"].str.startswith("3302")]
    plant = plants.sort_values("commissioned_on").iloc[0]
    return pd.DataFrame({
        "waste_class": [incident.rows["waste_class"]], "waste_code": [incident.rows["waste_code"]],
        "producer_id": _credit_codes(rng, "91", np.array([incident.region_code])),
        "producer_name": [geo.counties["short"].iloc[county] + "恒远化工有限公司"],
        "producer_region_code": [geo.streets["code"].iloc[street]],
        "transporter": [geo.cities["short"].iloc[geo.counties["city"].iloc[county]] + "华鑫危险品运输有限公司"],
        "receiver_id": [plant["facility_id"]], "receiver_region_code": [plant["region_code"]],
        "tons": [12.6], "created_at": [created], "picked_up_at": [created + _hours(4.5)], "received_at": [_NAT],
        "due_at": [created + _hours(V.WASTE["危险废物"].due_days * 24)],
        "disposal_route": ["焚烧"], "status": [incident.rows["status"]],
    })


# -- solid waste: waste-free cells -------------------------------------------------------------


def _waste_free_cells(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    # Certification ramps up over the three years, in batches at the end of each quarter, on weekdays.
    day_weights = (0.5 + cal.t / 3) * np.where(np.isin(cal.moy, [2, 5, 8, 11]), 1.8, 1.0) * (cal.dow < 5)
    n = round(15_000 * w.scale)
    day = np.sort(_choose(rng, day_weights, n))
    # Each city's programme has its own size and pace, so the cities overtake one another.
    level, pace = rng.normal(0, 0.35, len(geo.cities)), rng.normal(0, 0.35, len(geo.cities))
    city_mix = geo.cities["population"].to_numpy() * np.exp(level + pace * (np.arange(MONTHS)[:, None] / 12))
    city = _choose_by_group(rng, cal.month[day], city_mix)
    cell_type = _choose(rng, V.CELL_TYPE_MIX, n)
    region, name, county = _cell_places(rng, geo, city, cell_type)
    stars = np.array([0.12, 0.26, 0.34, 0.19, 0.09]) * np.exp(np.outer(cal.t[day] / 3, [-0.6, -0.3, 0, 0.3, 0.6]))
    star = np.where(rng.random(n) < 0.05, None, _choose_rows(rng, stars) + 1)  # some not yet rated
    county_code = geo.counties["code"].to_numpy()[county]
    return pd.DataFrame({
        "cell_id": _cat("WFC", county_code, _digits(_sequence(county_code), 4)),
        "name": name,
        "cell_type": _take(V.CELL_TYPES, cell_type),
        "region_code": region,
        "certified_on": cal.days[day],
        "star_level": pd.array(star, dtype="Int64"),
    })


def _cell_places(rng: np.random.Generator, geo: _Geography, city: np.ndarray,
                 cell_type: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Region code, name and county of each cell: a community or village itself, or a school, a
    firm … in a community (or, for firms, offices, sites and parks, in a street)."""
    comm, streets = geo.communities, geo.streets
    comm_city = geo.city_of(comm["county"].to_numpy())
    street_city = geo.city_of(streets["county"].to_numpy())
    n = len(city)
    region, name, county = np.empty(n, dtype=object), np.empty(n, dtype=object), np.zeros(n, dtype=np.int64)
    for (c, t), rows in pd.DataFrame({"c": city, "t": cell_type}).groupby(["c", "t"]).indices.items():
        kind = V.CELL_TYPES[t]
        if kind in V.STREET_CELL_TYPES:
            pool, units = np.flatnonzero(street_city == c), streets
        elif kind in ("社区", "村庄"):
            pool, units = np.flatnonzero((comm_city == c) & (comm["village"].to_numpy() == (kind == "村庄"))), comm
        else:
            pool, units = np.flatnonzero(comm_city == c), comm
        itself = kind in ("社区", "村庄")  # a community is certified once
        pick = rng.choice(pool, len(rows), replace=not itself or len(rows) > len(pool), p=_p(units["weight"].to_numpy()[pool]))
        region[rows] = units["code"].to_numpy()[pick]
        county[rows] = units["county"].to_numpy()[pick]
        name[rows] = units["name"].to_numpy()[pick] if itself else _cat(
            units["short"].to_numpy()[pick], rng.choice(V.CELL_NAME_SUFFIXES[kind], len(rows)))
    return region.astype(str), name.astype(str), county


# -- IoT sensors -------------------------------------------------------------------------------

_SENSOR_KINDS = list(V.SENSORS)
# Readings of the incident sensors relative to their alarm threshold, from the day before the
# incident window: a rise, the days above alarm, and the fall.
_WATER_SURGES: dict[str, tuple[float, ...]] = {
    "flood_season_breach": (-0.3, 0.35, 0.8, 0.6, 0.2, -0.25, -0.45),
    "water_level_alarm": (-0.2, 0.1, 0.3, 0.25),
}


def _iot_sensors(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    incident_counties = [geo.county_index(_INCIDENT[name].region_code) for name in _WATER_SURGES]
    planted = len(incident_counties)
    n = max(len(_SENSOR_KINDS) + planted, round(400 * w.scale))
    # The incident sensors first (so they are number 0001 of their county), then every kind once.
    kind = np.concatenate([np.full(planted, _SENSOR_KINDS.index("水位")), np.arange(len(_SENSOR_KINDS)),
                           _choose(rng, [k.share for k in V.SENSORS.values()], n - planted - len(_SENSOR_KINDS))])
    region, lon, lat, county = _sensor_places(rng, geo, kind, incident_counties)
    spec = [V.SENSORS[k] for k in _SENSOR_KINDS]
    warn, alarm = np.array([s.warn for s in spec])[kind], np.array([s.alarm for s in spec])[kind]
    # Water-level thresholds follow each river's normal level.
    water = kind == _SENSOR_KINDS.index("水位")
    warn = np.where(water, np.round(rng.uniform(1.5, 4.0, n) + rng.uniform(1.2, 1.8, n), 2), warn)
    alarm = np.where(water, np.round(warn + rng.uniform(0.5, 0.9, n), 2), alarm)
    installed = np.where(rng.random(n) < 0.35,
                         cal.start + rng.integers(0, max(len(cal.days) - 10, 1), n).astype("timedelta64[D]"),
                         cal.start - rng.integers(30, 4 * 365, n).astype("timedelta64[D]"))
    installed[:planted] = cal.start - 400
    county_code = geo.counties["code"].to_numpy()[county]
    prefix = np.array([s.prefix for s in spec])[kind]
    return pd.DataFrame({
        "sensor_id": _cat(prefix, county_code, _digits(_sequence(prefix, county_code), 4)),
        "sensor_type": _take(_SENSOR_KINDS, kind),
        "region_code": region,
        "lon": lon,
        "lat": lat,
        "unit": _take([s.unit for s in spec], kind),
        "warn_threshold": warn,
        "alarm_threshold": alarm,
        "installed_on": installed,
    })


def _sensor_places(rng: np.random.Generator, geo: _Geography, kind: np.ndarray,
                   incident_counties: list[int]) -> tuple[np.ndarray, ...]:
    """Region, position and county of each sensor: slope monitors in the mountains, the rest
    where people are; river gauges, bridges and slopes by street, the others by grid."""
    n = len(kind)
    streets, grids = geo.streets, geo.grids
    at_grid = np.array([V.SENSORS[k].at_grid for k in _SENSOR_KINDS])[kind]
    grid = _choose(rng, grids["weight"], n)
    mountain = (geo.counties["density"].to_numpy() < 400)[streets["county"].to_numpy()]
    street = np.where(kind == _SENSOR_KINDS.index("边坡位移"), _choose(rng, streets["weight"] * (1 + 9 * mountain), n),
                      _choose(rng, streets["weight"], n))
    street[: len(incident_counties)] = np.searchsorted(streets["county"].to_numpy(), incident_counties)

    def pick(column: str) -> np.ndarray:
        return np.where(at_grid, grids[column].to_numpy()[grid], streets[column].to_numpy()[street])

    return pick("code"), _jitter(rng, pick("lon"), 0.003), _jitter(rng, pick("lat"), 0.003), pick("county")


def _iot_readings(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal = w.cal
    sensors = w.reference("iot_sensors")
    n_days, n_s = len(cal.days), len(sensors)
    kind = sensors["sensor_type"].to_numpy()
    values = np.zeros((n_days, n_s))
    for name, model in _SENSOR_MODELS.items():
        cols = np.flatnonzero(kind == name)
        if len(cols):
            values[:, cols] = model(rng, cal, sensors.iloc[cols])
    values = _below_alarm(values, sensors)
    online = (cal.days[:, None] >= sensors["installed_on"].to_numpy().astype("datetime64[D]")) \
        & (rng.random((n_days, n_s)) > 0.025)
    for col in np.flatnonzero(rng.random(n_s) < 0.03):  # a few sensors go dark for weeks
        first = rng.integers(0, n_days)
        online[first:first + rng.integers(5, 31), col] = False
    _plant_water_incidents(cal, sensors, values, online)
    # The time of the day's peak.
    reading_at = cal.days.astype("datetime64[s]")[:, None] + rng.integers(0, 86_400, (n_days, n_s)).astype("timedelta64[s]")
    day, col = np.nonzero(online & (reading_at <= cal.as_of))
    value = values[day, col]
    return pd.DataFrame({
        "sensor_id": _take(sensors["sensor_id"], col),
        "region_code": _take(sensors["region_code"], col),
        "reading_at": reading_at[day, col],
        "value": value,
        "alert_level": _alert_levels(value, sensors["warn_threshold"].to_numpy()[col],
                                     sensors["alarm_threshold"].to_numpy()[col]),
    })


def _alert_levels(value: np.ndarray, warn: np.ndarray, alarm: np.ndarray) -> np.ndarray:
    """What the IoT platform records: a reading past the alarm line is 报警, past the warning line
    预警. Where the alarm line is below the warning one (消防水压), low readings are the danger."""
    falling = alarm < warn
    past_alarm = np.where(falling, value <= alarm, value >= alarm)
    past_warn = np.where(falling, value <= warn, value >= warn)
    return np.select([past_alarm, past_warn], ["报警", "预警"], "正常")


def _water_level(rng: np.random.Generator, cal: _Calendar, sensors: pd.DataFrame) -> np.ndarray:
    """Daily peak level: the river's normal level, higher in the flood season, with rain surges."""
    flood = np.asarray(V.SEASONS["flood"])[cal.moy][:, None]
    shocks = (rng.random((len(cal.days), len(sensors))) < 0.04 * flood) * rng.exponential(0.5, (len(cal.days), len(sensors)))
    surge = np.zeros_like(shocks)
    for i in range(1, len(cal.days)):
        surge[i] = 0.55 * surge[i - 1] + shocks[i]
    normal = sensors["warn_threshold"].to_numpy() - 1.5
    return np.round(normal + 0.25 * flood + surge + rng.normal(0, 0.05, surge.shape), 2)


def _manhole_tilt(rng: np.random.Generator, cal: _Calendar, sensors: pd.DataFrame) -> np.ndarray:
    shape = (len(cal.days), len(sensors))
    knocks = rng.random(shape) < 0.003  # a lorry or a flood lifts the cover
    return np.round(np.abs(rng.normal(0, 0.6, shape)) + knocks * rng.uniform(4, 18, shape), 2)


def _gas(rng: np.random.Generator, cal: _Calendar, sensors: pd.DataFrame) -> np.ndarray:
    shape = (len(cal.days), len(sensors))
    leaks = rng.random(shape) < 0.002
    return np.round(rng.lognormal(-0.7, 0.5, shape) + leaks * rng.uniform(6, 18, shape), 2)


def _bridge_strain(rng: np.random.Generator, cal: _Calendar, sensors: pd.DataFrame) -> np.ndarray:
    base = rng.uniform(150, 220, len(sensors))[None, :]
    heat = 30 * np.cos((cal.moy[:, None] - 6.5) / 12 * 2 * np.pi)  # a warmer deck strains more
    traffic = np.where(cal.dow[:, None] < 5, 10.0, 0.0)
    return np.round(base - heat + traffic + rng.normal(0, 12, (len(cal.days), len(sensors))), 1)


def _slope_creep(rng: np.random.Generator, cal: _Calendar, sensors: pd.DataFrame) -> np.ndarray:
    """Cumulative displacement: slow creep, faster in the rainy season."""
    flood = np.asarray(V.SEASONS["flood"])[cal.moy][:, None]
    rate = rng.uniform(0.004, 0.015, len(sensors))[None, :] * (0.5 + flood)
    return np.round(rng.uniform(2, 12, len(sensors))[None, :] + np.cumsum(rate, axis=0), 2)


def _fire_pressure(rng: np.random.Generator, cal: _Calendar, sensors: pd.DataFrame) -> np.ndarray:
    shape = (len(cal.days), len(sensors))
    drops = rng.random(shape) < 0.003  # a burst main or a valve left shut
    base = rng.uniform(0.28, 0.4, len(sensors))[None, :]
    return np.round(np.where(drops, rng.uniform(0.11, 0.16, shape), base + rng.normal(0, 0.015, shape)), 3)


_SENSOR_MODELS: dict[str, Callable[[np.random.Generator, _Calendar, pd.DataFrame], np.ndarray]] = {
    "水位": _water_level,
    "井盖位移": _manhole_tilt,
    "燃气浓度": _gas,
    "桥梁应变": _bridge_strain,
    "边坡位移": _slope_creep,
    "消防水压": _fire_pressure,
}


def _below_alarm(values: np.ndarray, sensors: pd.DataFrame) -> np.ndarray:
    """Ordinary readings may pass the warning threshold, never the alarm one."""
    warn, alarm = sensors["warn_threshold"].to_numpy(), sensors["alarm_threshold"].to_numpy()
    margin = 0.02 * np.abs(alarm - warn)
    return np.where(alarm >= warn, np.minimum(values, alarm - margin), np.maximum(values, alarm + margin))


def _plant_water_incidents(cal: _Calendar, sensors: pd.DataFrame, values: np.ndarray, online: np.ndarray) -> None:
    for name, excess in _WATER_SURGES.items():
        incident = _INCIDENT[name]
        col = int(np.flatnonzero(sensors["sensor_id"].to_numpy() == incident.rows["sensor_id"])[0])
        first, _ = incident.window(cal.end)
        rows = cal.between(first - timedelta(days=1), first + timedelta(days=len(excess) - 2))
        offset = (cal.days[rows] - np.datetime64(first - timedelta(days=1))).astype(int)
        values[rows, col] = np.round(sensors["alarm_threshold"].iloc[col] + np.asarray(excess)[offset], 2)
        online[rows, col] = True


# -- digital government ------------------------------------------------------------------------


def _cloud_usage_daily(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    n_days, n_c = len(cal.days), len(geo.cities)
    relative = geo.cities["gdp"].to_numpy() / geo.cities["gdp"].max()
    capacity = np.round((4000 + 56000 * relative**0.8) / 64) * 64
    # Demand grows 15–30% a year; a pool is expanded by 40% once it passes 80% busy.
    demand = capacity * rng.uniform(0.42, 0.52, n_c) * np.exp(np.outer(cal.t, rng.uniform(0.15, 0.3, n_c)))
    demand *= np.where(cal.dow[:, None] < 5, 1.03, 0.97) * rng.lognormal(0, 0.02, (n_days, n_c))
    total = np.empty((n_days, n_c))
    for i in range(n_days):
        capacity = np.where(demand[i] > 0.8 * capacity, np.round(capacity * 1.4 / 512) * 512, capacity)
        total[i] = capacity
    used = np.minimum(demand, 0.95 * total)
    peaks = rng.choice(used.size, 3, replace=False)  # the tax-return rush, an exam-results day
    used.flat[peaks] = 0.97 * total.flat[peaks]
    memory_total = total * 4
    storage_total = np.round(total / 40 * (1 + 0.1 * cal.t[:, None]), 1)
    storage_share = np.clip(0.55 + 0.06 * cal.t[:, None] + rng.normal(0, 0.01, (n_days, n_c)), 0, 0.95)
    return pd.DataFrame({
        "date": np.repeat(cal.days, n_c),
        "region_code": _take(geo.cities["code"], np.tile(np.arange(n_c), n_days)),
        "vcpu_total": total.ravel().astype(np.int64),
        "vcpu_used": np.round(used).ravel().astype(np.int64),
        "memory_total_gb": memory_total.ravel(),
        "memory_used_gb": np.round(np.minimum(used * 4 * rng.uniform(1.0, 1.15, n_c), 0.95 * memory_total), 1).ravel(),
        "storage_total_tb": storage_total.ravel(),
        "storage_used_tb": np.round(storage_total * storage_share, 1).ravel(),
    })


def _data_platform_daily(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    departments = list(V.DATA_DEPARTMENTS)
    n_days, n_c, n_d = len(cal.days), len(geo.cities), len(departments)
    shape = (n_days, n_c, n_d)
    size = (geo.cities["population"].to_numpy() / geo.cities["population"].max())[None, :, None]
    items_base = np.array([v[0] for v in V.DATA_DEPARTMENTS.values()])
    calls_base = np.array([v[1] for v in V.DATA_DEPARTMENTS.values()])
    quiet = np.where((cal.dow >= 5) | cal.holiday, 1.0, 0.0)[:, None, None]
    t = cal.t[:, None, None]
    items = items_base * size * 1.25**t * (1 - 0.55 * quiet) * rng.lognormal(0, 0.12, shape)
    items *= np.where(rng.random(shape) < 0.002, rng.uniform(5, 10, shape), 1.0)  # a backlog re-sent
    shared = items * (0.35 + 0.08 * t) * rng.lognormal(0, 0.1, shape)
    calls = calls_base * size * 1.3**t * (1 - 0.7 * quiet) * rng.lognormal(0, 0.15, shape)
    down = rng.random(shape) < 0.001  # the exchange was down all day
    return pd.DataFrame({
        "date": np.repeat(cal.days, n_c * n_d),
        "region_code": _take(geo.cities["code"], np.tile(np.repeat(np.arange(n_c), n_d), n_days)),
        "department": _take(departments, np.tile(np.arange(n_d), n_days * n_c)),
        **{k: np.where(down, 0, np.round(v)).ravel().astype(np.int64)
           for k, v in {"items_collected": items, "records_shared": shared, "api_calls": calls}.items()},
    })


def _security_events(w: _World, rng: np.random.Generator) -> pd.DataFrame:
    cal, geo = w.cal, w.geo
    # The national attack-defence exercise (护网) from late July through August triples the attacks.
    drill = (cal.moy == 7) | ((cal.moy == 6) & ((cal.days - cal.days.astype("datetime64[M]")).astype(int) >= 19))
    day_weights = 1.1**cal.t * np.where(drill, 3.0, 1.0) * cal.elapsed
    n = w.count(4.5, day_weights)
    day = np.sort(_choose(rng, day_weights, n))
    detected = np.sort(_times(rng, cal, day, np.r_[np.full(8, 0.6), np.full(12, 1.2), np.full(4, 0.9)]))
    county = _choose(rng, geo.counties["gdp"], n)
    at_city = rng.random(n) < 0.4
    region = np.where(at_city, len(geo.counties) + geo.city_of(county), county)
    severity = _choose(rng, V.SECURITY_SEVERITY_MIX, n)
    median = np.array([V.SECURITY_RESOLVE_HOURS[s] for s in V.SECURITY_SEVERITIES])[severity]
    resolved = detected + _hours(_lognormal(rng, median, 0.9, n))
    resolved = np.where(resolved <= cal.as_of, resolved, _NAT)
    fresh = detected > cal.as_of - np.timedelta64(1, "h")
    stamp = _stamp(detected, "D")
    return pd.DataFrame({
        "event_id": _cat("AQ", stamp, _digits(_sequence(stamp), 4)),
        "region_code": _take(np.concatenate([geo.counties["code"], geo.cities["code"]]), region),
        "detected_at": detected,
        "severity": _take(V.SECURITY_SEVERITIES, severity),
        "category": _take(V.SECURITY_CATEGORIES, _choose(rng, V.SECURITY_CATEGORY_MIX, n)),
        "target_system": _take(V.SECURITY_SYSTEMS, np.where(rng.random(n) < 0.1, -1, rng.integers(0, len(V.SECURITY_SYSTEMS), n))),
        "status": _take(("已处置", "待处置", "处置中"), np.select([~np.isnat(resolved), fresh], [0, 1], 2)),
        "resolved_at": resolved,
    })


# -- typing the frames to the contract ---------------------------------------------------------


def _conform(frame: pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    """The contract's columns in its order, each in the dtype its type calls for."""
    missing = set(contract.column_names) - set(frame.columns)
    extra = set(frame.columns) - set(contract.column_names)
    if missing or extra:
        raise RuntimeError(f"demo recipe for {contract.name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    out = {}
    for column in contract.columns:
        values = frame[column.name]
        if column.type == "timestamp":
            values = values.astype("datetime64[us]")
        elif column.type in ("date", "month", "quarter"):
            values = pd.Series(values.to_numpy().astype("datetime64[D]").astype(object), index=frame.index)
        elif column.type == "integer":
            values = values.astype("Int64" if values.isna().any() else np.int64)
        elif column.type == "float":
            values = values.astype(np.float64)
        elif column.type == "boolean":
            values = values.astype("boolean" if values.isna().any() else bool)
        elif column.type == "string":
            values = values.astype("str")
        out[column.name] = values
    return pd.DataFrame(out).reset_index(drop=True)


# A recipe returns its table, or yields it in parts (then only one part is held at a time).
_BUILDERS: dict[str, Callable[[_World, np.random.Generator], pd.DataFrame | Iterator[pd.DataFrame]]] = {
    "economy_monthly": _economy_monthly,
    "economy_quarterly": _economy_quarterly,
    "population_annual": _population_annual,
    "hotline_orders": _hotline_orders,
    "grid_events": _grid_events,
    "service_cases": _service_cases,
    "air_stations": _air_stations,
    "air_quality_hourly": _air_quality_hourly,
    "water_sections": _water_sections,
    "water_quality_monthly": _water_quality_monthly,
    "waste_manifests": _waste_manifests,
    "waste_facilities": _waste_facilities,
    "waste_free_cells": _waste_free_cells,
    "iot_sensors": _iot_sensors,
    "iot_readings": _iot_readings,
    "cloud_usage_daily": _cloud_usage_daily,
    "data_platform_daily": _data_platform_daily,
    "security_events": _security_events,
}
