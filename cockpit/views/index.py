"""A composite index (the Waste-Free Index) as data: the peers ranked, and one region taken apart
into its dimensions, their indicators and the sentence on what moved it."""

from __future__ import annotations

import json
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


# -- the Waste-Free page on the workbench: a group of peers and one of them taken apart ----------

WASTE_FREE_INDEX = "waste_free_index"
DIMENSION = "dimension"  # the page's cross filter: one of the index's dimensions (its id)
HISTORY_PERIODS = {"month": 12, "quarter": 8, "year": 5}  # rank movement: this many periods up to the chosen one


@dataclass(frozen=True)
class HeatColumn:
    """A second-level indicator as a heatmap column, under its dimension."""

    indicator: str
    name: str
    dimension: str
    dimension_name: str
    unit: str
    decimals: int


@dataclass(frozen=True)
class HeatRow:
    """One region of the group: its normalised score on each column (0–100, higher is better
    whatever the indicator's direction) and the raw value behind each score."""

    region: str
    name: str
    rank: int | None
    scores: tuple[float | None, ...]
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Heatmap:
    columns: tuple[HeatColumn, ...]
    rows: tuple[HeatRow, ...]
    """In rank order (best first) of the indicator the group is ranked on."""


@dataclass(frozen=True)
class Radar:
    """A region's dimension scores against the mean of its peers (the group it is ranked in)."""

    region: str
    name: str
    dimensions: tuple[str, ...]
    names: tuple[str, ...]
    scores: tuple[float | None, ...]
    average: tuple[float | None, ...]
    """The simple mean over the peers with a score; all None when the viewer may not see the peers."""
    peer_count: int


@dataclass(frozen=True)
class RankLine:
    region: str
    name: str
    ranks: tuple[int | None, ...]


@dataclass(frozen=True)
class RankHistory:
    """Each region of the group's rank over the periods up to the chosen one (oldest first)."""

    indicator: str
    periods: tuple[str, ...]
    lines: tuple[RankLine, ...]
    peer_count: int


@dataclass(frozen=True)
class Explained:
    """What moved one region's score since the period before, in the viewer's language."""

    region: str
    name: str
    rank: int | None
    previous_rank: int | None
    value: float
    text: str | None


@dataclass(frozen=True)
class WasteFreeView:
    """The Waste-Free page at one place and period: the group of peers (the place's children
    where the index reaches them, else the place among its siblings), ranked on the index or on
    the dimension the cross filter names, and one region of it taken apart."""

    frequency: str
    period: str
    indicator: str
    """What the group is ranked on: the index, or the chosen dimension."""
    indicator_name: str
    dimension: str | None
    group_parent: str
    group_name: str
    group_level_name: str
    """The level of the regions ranked (市, 县（市、区）)."""
    ranking: Ranking
    detail: IndexDetail
    radar: Radar
    heatmap: Heatmap
    history: RankHistory
    explained: tuple[Explained, ...]


def dimension_choices(reader: Reader, indicator: str = WASTE_FREE_INDEX) -> tuple[tuple[str, str], ...]:
    """The index's dimensions (id, name in the viewer's language), in definition order."""

    meta = reader.indicator(indicator)
    lang = reader.viewer.lang
    ids = [c["indicator"] for c in json.loads(meta.get("children") or "[]")]
    return tuple((i, str(reader.indicator(i)[f"name_{lang}"])) for i in ids)


def _levels(reader: Reader, indicator: str) -> set[str]:
    return set(str(reader.indicator(indicator).get("levels") or "").split(","))


def waste_free_group(reader: Reader, code: str, level: str, parent: str | None,
                     child_level: str | None, indicator: str = WASTE_FREE_INDEX) -> tuple[str, str | None] | None:
    """(the region whose children are ranked, the region taken apart or None for the leader):
    the place's children when the index reaches their level, else the place among its siblings;
    None when the index reaches neither (below its deepest level)."""
    levels = _levels(reader, indicator)
    subject = code if level in levels else None
    if child_level is not None and child_level in levels:
        return code, subject
    if subject is not None and parent is not None:
        return parent, subject
    return None


def waste_free_view(reader: Reader, code: str, level: str, parent: str | None, child_level: str | None,
                    frequency: str, period: str | None, dimension: str | None = None,
                    level_name: str = "") -> WasteFreeView | None:
    """The page's panels at region `code` (its level, visible parent and children's level, as the
    workbench's `Place` holds them). `dimension`: a dimension id (the cross filter), else the index.
    None when there is nothing to draw: no period, a group without values, or below the index's levels."""
    group = waste_free_group(reader, code, level, parent, child_level)
    if group is None or period is None:
        return None
    dims = dimension_choices(reader)
    if dimension is not None and dimension not in dict(dims):
        raise ValueError(f"dimension: {dimension!r} is not a dimension of the Waste-Free Index")
    key = (code, frequency, period, dimension, level_name)
    return reader.memo("waste-free-view", key, lambda: _build_view(
        reader, group, frequency, period, dimension, dims, level_name))


def _build_view(reader: Reader, group: tuple[str, str | None], frequency: str, period: str,
                dimension: str | None, dims: tuple[tuple[str, str], ...], level_name: str) -> WasteFreeView | None:
    group_parent, subject = group
    lang = reader.viewer.lang
    ranked_on = dimension or WASTE_FREE_INDEX
    try:
        ranked = ranking(reader, ranked_on, group_parent, frequency, period, subject)
    except OutOfScope:
        return None
    if not ranked.rows:
        return None
    if subject is None:
        subject = ranked.rows[0].region
        ranked = replace(ranked, selected=subject)
    taken_apart = detail(reader, WASTE_FREE_INDEX, subject, frequency, period)
    if taken_apart is None:
        return None
    return WasteFreeView(
        frequency=frequency, period=period, indicator=ranked_on,
        indicator_name=str(reader.indicator(ranked_on)[f"name_{lang}"]), dimension=dimension,
        group_parent=group_parent, group_name=reader.region_name(group_parent), group_level_name=level_name,
        ranking=ranked, detail=taken_apart,
        radar=radar(reader, subject, frequency, period, dims),
        heatmap=heatmap(reader, ranked, frequency, period, dims, dimension),
        history=rank_history(reader, ranked_on, group_parent, frequency, period),
        explained=explained(reader, ranked, frequency, period))


def radar(reader: Reader, region: str, frequency: str, period: str,
          dims: tuple[tuple[str, str], ...] | None = None) -> Radar:
    """`region`'s dimension scores against the mean score of its siblings (itself included)."""
    dims = dims or dimension_choices(reader)
    parent = reader.region(region)["parent_code"]
    scores, average, peers = [], [], 0
    for dim, _ in dims:
        if parent is None:  # the viewer may not see the peers: the region alone
            value = reader.series(dim, region, frequency)
            found = value.loc[value["period"] == period, "value"]
            scores.append(_float(found.iloc[0]) if len(found) else None)
            average.append(None)
            continue
        peers_ranked = reader.ranking(dim, parent, frequency, period)
        own = peers_ranked.loc[peers_ranked["region"] == region, "value"]
        scores.append(_float(own.iloc[0]) if len(own) else None)
        values = peers_ranked["value"].dropna()
        average.append(float(values.mean()) if len(values) else None)
        peers = max(peers, len(values))
    return Radar(region=region, name=reader.region_name(region), dimensions=tuple(d for d, _ in dims),
                 names=tuple(n for _, n in dims), scores=tuple(scores), average=tuple(average), peer_count=peers)


def heatmap(reader: Reader, ranked: Ranking, frequency: str, period: str,
            dims: tuple[tuple[str, str], ...] | None = None, dimension: str | None = None) -> Heatmap:
    """The group's regions × the second-level indicators (of `dimension` only, when given): each
    cell the normalised score the dimension gave the region, among the same peers."""
    dims = dims or dimension_choices(reader)
    lang = reader.viewer.lang
    wanted = [(d, n) for d, n in dims if dimension is None or d == dimension]
    columns: list[HeatColumn] = []
    rows = []
    regions = [r.region for r in ranked.rows]
    by_dim = {dim: {code: frame for code, frame in reader.children_values_of(dim, regions, frequency, period)
                    .groupby("region", sort=False)} for dim, _ in wanted}  # one read a dimension, not a cell
    for r in ranked.rows:
        scores, values = [], []
        for dim, dim_name in wanted:
            parts = by_dim[dim].get(r.region)
            if parts is None:
                parts = reader.children_values(dim, r.region, frequency, period)
            if len(columns) < len(wanted) * 3 and not any(c.dimension == dim for c in columns):
                columns += [HeatColumn(indicator=str(p["child"]), name=str(p[f"name_{lang}"]), dimension=dim,
                                       dimension_name=dim_name, unit=str(p["unit"]), decimals=int(p["decimals"]))
                            for _, p in parts.iterrows()]
            scores += [_float(s) for s in parts["score"]]
            values += [_float(v) for v in parts["child_value"]]
        rows.append(HeatRow(region=r.region, name=r.name, rank=r.rank, scores=tuple(scores), values=tuple(values)))
    return Heatmap(columns=tuple(columns), rows=tuple(rows))


def rank_history(reader: Reader, indicator: str, parent: str, frequency: str, period: str) -> RankHistory:
    """The ranks of `parent`'s children on `indicator` over the periods up to `period` (complete
    periods, at most HISTORY_PERIODS of the frequency), oldest first; a region without a rank in
    a period has None there."""
    periods = reader.periods(indicator, frequency)
    if period in periods:
        periods = periods[periods.index(period):]
    periods = list(reversed(periods[:HISTORY_PERIODS.get(frequency, 12)]))
    name = "name_en" if reader.viewer.lang == "en" else "name"
    ranks: dict[str, dict[str, int | None]] = {}
    names: dict[str, str] = {}
    peers = 0
    found = reader.ranks_over(indicator, parent, frequency, periods)
    if len(found):
        peers = int(found.groupby("period").size().max())
    for row in found.to_dict("records"):
        names[str(row["region"])] = str(row[name])
        ranks.setdefault(str(row["region"]), {})[row["period"]] = _int(row["rank"])
    last = {code: r.get(periods[-1]) if periods else None for code, r in ranks.items()}
    order = sorted(ranks, key=lambda c: (last[c] is None, last[c] or 0, c))
    return RankHistory(indicator=indicator, periods=tuple(periods), peer_count=peers,
                       lines=tuple(RankLine(region=c, name=names[c], ranks=tuple(ranks[c].get(p) for p in periods))
                                   for c in order))


def explained(reader: Reader, ranked: Ranking, frequency: str, period: str) -> tuple[Explained, ...]:
    """Each ranked region's generated sentence on what moved its score (None without a period before)."""
    lang = reader.viewer.lang
    out = []
    for r in ranked.rows:
        why = reader.explanation(ranked.indicator, r.region, frequency, period)
        out.append(Explained(region=r.region, name=r.name, rank=r.rank, previous_rank=r.previous_rank, value=r.value,
                             text=why[f"text_{lang}"] if why else None))
    return tuple(out)
