"""Indicator definitions as frozen dataclasses: what an analyst wrote, checked for shape.

The files and their keys are described in indicators/README.md. Every object remembers the file
and line it came from, so that `cockpit check` and refresh errors can point at them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Ids of systems and indicators: they become SQL column names, file and URL parts, and are
# typed by analysts, so plain ASCII lower_snake_case of a bounded length.
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
MAX_ID_LENGTH = 64


def id_problem(value: object) -> str | None:
    """Why `value` cannot be an id, or None when it can."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        return (f"{value!r} must be lower_snake_case ASCII: a letter a-z, then letters a-z, digits and _")
    if len(value) > MAX_ID_LENGTH:
        return f"{value[:20]!r}… is {len(value)} characters long, more than {MAX_ID_LENGTH}"
    return None


FREQUENCIES = ("month", "quarter", "year")
POLARITIES = ("higher_better", "lower_better", "band", "neutral")
NORMALISATIONS = ("minmax", "goalposts", "zscore", "target", "reference", "none")
AGGREGATIONS = ("arithmetic", "geometric")
MISSING_POLICIES = ("reweight", "impute_peer_mean", "impute_previous")
PEER_GROUPS = ("siblings", "level")
THRESHOLD_ON = ("value", "change", "pct_change", "yoy_pct")
SEVERITIES = ("warning", "alarm")
# What a headline compares its newest value with: the period before, or the same period a year
# before (a year-to-date total grows through the year, so the month before says nothing).
COMPARES = ("previous_period", "same_period_last_year")


@dataclass(frozen=True)
class Where:
    """A place in a definition file."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}"


@dataclass(frozen=True)
class Grain:
    """Rows first aggregated to one per (region, `by` columns, time truncated to `time`).

    For figures defined on a coarser grain than the feed's rows: a good-air day is a station-day
    whose mean AQI is at most 100, computed from hourly rows.
    """

    time: str  # hour | day | month
    by: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()  # (name, aggregate expression over the feed's columns)


GRAIN_TIMES = ("hour", "day", "month")


@dataclass(frozen=True)
class Measure:
    """An aggregate over one feed table; the engine adds region grouping, periods and roll-up."""

    feed: str
    value: str  # a SQL aggregate expression over the feed's columns, e.g. "count(*)", "sum(tons)"
    filter: str | None = None  # a SQL boolean expression over the feed's columns
    time: str | None = None  # the column to bucket by; default the contract's time_column
    region: str | None = None  # the region-code column; default the contract's region_column
    accumulate: bool = False  # value as of period end: running total over all periods so far
    grain: Grain | None = None  # aggregate the rows to this grain first; value and filter then read its columns
    # text columns: the value is also computed per category of each, separately (not crossed),
    # e.g. (category_l1, department); the first is the one shown by default
    breakdown: tuple[str, ...] = ()
    # the levels split by category (a subset of the indicator's levels; empty: all of them), to
    # keep a street × department split, which nobody reads, out of the snapshot
    breakdown_levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Normalisation:
    method: str = "minmax"
    low: float | None = None  # goalposts
    high: float | None = None  # goalposts
    log: bool = False  # goalposts: compare log(value)
    floor: float = 0.0  # minmax: worst peer scores `floor`, best 100 (功效系数法 uses 60)
    reference_region: str | None = None  # reference: ratio to this region's value
    reference_period: str | None = None  # reference: ratio to this period's value (e.g. "2024")


@dataclass(frozen=True)
class Child:
    indicator: str
    weight: float
    where: Where | None = None


@dataclass(frozen=True)
class Composite:
    children: tuple[Child, ...]
    normalisation: Normalisation = field(default_factory=Normalisation)
    aggregation: str = "arithmetic"
    missing: str = "reweight"
    peer_group: str = "siblings"  # siblings: peers share a parent (the counties of one city); level: all of the level
    renormalise_weights: bool = False  # accept weights that do not sum to 1 by scaling them


@dataclass(frozen=True)
class Target:
    value: float
    region: str | None = None  # None: every region
    year: int | None = None  # None: every year


@dataclass(frozen=True)
class Threshold:
    severity: str  # warning | alarm
    on: str = "value"  # value | change | pct_change | yoy_pct
    above: float | None = None
    below: float | None = None
    live: bool = False  # also judge the period under way (an alarm now is news now); default complete periods only


@dataclass(frozen=True)
class Indicator:
    id: str
    system: str
    name_zh: str
    name_en: str
    unit: str
    description: str
    owner: str
    frequencies: tuple[str, ...]
    levels: tuple[str, ...]
    polarity: str
    where: Where
    measure: Measure | None = None
    formula: str | None = None
    composite: Composite | None = None
    band: tuple[float, float] | None = None
    targets: tuple[Target, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    decimals: int = 1
    # January is published together with February (1–2月), as statistics bureaus do for
    # year-to-date figures: a lunar new year that falls in January one year and February the next
    # makes January alone swing wildly. The month of January then has no value of its own.
    jan_feb_combined: bool = False
    # How screens show it (indicators/README.md): the name in a chart legend, where the panel's
    # title says the rest (规上工业增加值 under 累计增速); what its headline compares with; and
    # whether its headline shows the period under way (an alarm now is news now) rather than the
    # newest complete one.
    short_name_zh: str | None = None
    short_name_en: str | None = None
    compare: str = "previous_period"
    live: bool = False

    @property
    def kind(self) -> str:
        return "measure" if self.measure else "formula" if self.formula else "composite"

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def short_name(self, lang: str) -> str:
        return (self.short_name_zh if lang == "zh" else self.short_name_en) or self.name(lang)


@dataclass(frozen=True)
class IndicatorSystem:
    id: str
    name_zh: str
    name_en: str
    description: str
    owner: str
    file: str
    indicators: tuple[Indicator, ...]
    headline: tuple[str, ...] = ()  # indicator ids shown first (home page, cards)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en
