"""A composite index (the Waste-Free Index) as data: the peers ranked, and one region taken apart
into its dimensions, their indicators and the sentence on what moved it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from cockpit.query.reader import OutOfScope, Reader
from cockpit.views.screen import RankedRegion, ranked_regions


@dataclass(frozen=True)
class Ranking:
    """The children of `parent` ranked on an index in one period, best first."""

    indicator: str
    parent: str
    frequency: str
    period: str
    unit: str
    decimals: int
    rows: tuple[RankedRegion, ...]
    selected: str | None
    """The region taken apart beside the ranking (highlighted), when it is one of the rows."""


@dataclass(frozen=True)
class Part:
    """A composite's child at one region and period: its raw value and its normalised score."""

    indicator: str
    name: str
    weight: float
    """The weight the definition declares (the effective one differs when a sibling is missing)."""
    value: float | None
    score: float | None
    unit: str
    decimals: int


@dataclass(frozen=True)
class Dimension:
    """A child of the index that is itself a composite, with its own children."""

    indicator: str
    name: str
    weight: float
    score: float | None
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class IndexDetail:
    """One region's index: score, rank among its peers, what moved it, its dimensions."""

    indicator: str
    region: str
    name: str
    frequency: str
    period: str
    value: float | None
    rank: int | None
    peer_count: int | None
    """Rank among the region's siblings; both None when the viewer may not see its parent."""
    unit: str
    decimals: int
    explanation: str | None
    """The generated sentence on the change since the period before; None without a period before."""
    dimensions: tuple[Dimension, ...]


@dataclass(frozen=True)
class IndexPage:
    """What the index page shows for one choice of frequency, period and region."""

    frequency: str
    period: str
    ranking: Ranking
    detail: IndexDetail


def choose_period(periods: list[str], asked: str | None) -> str | None:
    """The period a page shows: the one asked for when the index has it, the latest complete one
    when none is asked for, and None for a period the index does not have (said, not replaced)."""
    if asked is None:
        return periods[0] if periods else None
    return asked if asked in periods else None


def ranking(reader: Reader, indicator: str, parent: str, frequency: str, period: str,
            selected: str | None = None) -> Ranking:
    """The children of `parent` ranked on `indicator` in `period` (OutOfScope outside the viewer's subtree)."""
    meta = reader.indicator(indicator)
    found = reader.ranking(indicator, parent, frequency, period)
    rows = ranked_regions(found, reader.viewer.lang)
    return Ranking(indicator=indicator, parent=parent, frequency=frequency, period=period, unit=meta["unit"],
                   decimals=int(meta["decimals"]), rows=rows,
                   selected=selected if any(r.region == selected for r in rows) else None)


def detail(reader: Reader, indicator: str, region: str, frequency: str, period: str) -> IndexDetail | None:
    """`region` taken apart on `indicator` in `period`; None when the index has no parts there."""
    meta = reader.indicator(indicator)
    dims = reader.children_values(indicator, region, frequency, period)
    if dims.empty or dims["score"].isna().all():  # the children are declared; none was scored here
        return None
    lang = reader.viewer.lang
    parent = reader.region(region)["parent_code"]  # None outside the viewer's subtree: no rank, no peers
    value = rank = peers = None
    if parent is not None:
        peers_ranked = reader.ranking(indicator, parent, frequency, period)
        row = peers_ranked[peers_ranked["region"] == region]
        if len(row):
            value, rank, peers = float(row["value"].iloc[0]), _int(row["rank"].iloc[0]), _int(row["peer_count"].iloc[0])
    why = reader.explanation(indicator, region, frequency, period)
    dimensions = tuple(
        Dimension(indicator=d["child"], name=str(d[f"name_{lang}"]), weight=float(d["weight"]), score=_float(d["score"]),
                  parts=tuple(_part(p, lang) for _, p in
                              reader.children_values(d["child"], region, frequency, period).iterrows()))
        for _, d in dims.iterrows())
    return IndexDetail(indicator=indicator, region=region, name=reader.region_name(region), frequency=frequency,
                       period=period, value=value, rank=rank, peer_count=peers, unit=meta["unit"],
                       decimals=int(meta["decimals"]), explanation=why[f"text_{lang}"] if why else None,
                       dimensions=dimensions)


def index_page(reader: Reader, indicator: str, frequency: str, period: str | None,
               region: str | None = None) -> IndexPage | None:
    """The viewer's top region's children ranked in `period` (None: the latest complete one), and
    `region` taken apart (None: the first of the ranking). None when there is nothing to show: a
    period the index lacks, an empty ranking, or a region outside the viewer's scope or without
    parts in that period."""
    chosen = choose_period(reader.periods(indicator, frequency), period)
    if chosen is None:
        return None
    try:
        ranked = ranking(reader, indicator, reader.root, frequency, chosen, region)
        if not ranked.rows:
            return None
        if region is None:
            ranked = replace(ranked, selected=ranked.rows[0].region)
        taken_apart = detail(reader, indicator, region or ranked.rows[0].region, frequency, chosen)
    except OutOfScope:
        return None
    if taken_apart is None:
        return None
    return IndexPage(frequency=frequency, period=chosen, ranking=ranked, detail=taken_apart)


def _part(row: pd.Series, lang: str) -> Part:
    return Part(indicator=row["child"], name=str(row[f"name_{lang}"]), weight=float(row["weight"]),
                value=_float(row["child_value"]), score=_float(row["score"]), unit=row["unit"],
                decimals=int(row["decimals"]))


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _int(value: object) -> int | None:
    number = _float(value)
    return None if number is None else int(number)
