"""One indicator's page as data: what it is, where it comes from, how it has moved, how the
regions compare on it and, for a composite, what it is made of.

Pure functions of a `Reader` returning frozen dataclasses (no Dash). Every number is the
snapshot's, read through the reader in the viewer's scope and language; the words that explain a
definition (frequencies, levels, direction) are i18n keys the renderer translates, so the view
model holds no interface text of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

import pandas as pd

from cockpit.query.reader import Reader
from cockpit.views.screen import _target, judged
from cockpit.views.workbench import (
    Crumb,
    PageSpec,
    PeriodChoice,
    Place,
    WorkbenchQuery,
    breakdown_columns,
    category_value,
    parse_query,
    period_choice,
    place,
    records_href,
    trend_window,
)

COMPARISONS = ("yoy", "mom", "target")
KINDS = ("measure", "formula", "composite")
IDENT = re.compile(r"[a-z][a-z0-9_]*")


class UnknownIndicator(LookupError):
    """The id names no indicator this viewer may see: the page says so (the 404 look)."""


def _float(value: object) -> float | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else float(value)


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


# -- the catalogue -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    """An indicator named on the page (a formula's operand, a lineage node), linkable."""

    indicator: str
    name: str
    kind: str
    unit: str


def _catalogue(reader: Reader) -> dict[str, dict]:
    """The indicators the viewer may see, by id (kept per snapshot and viewer)."""
    return reader.memo("indicator-catalogue", (),
                       lambda: {r["indicator"]: r for r in reader.indicators().to_dict("records")})


def _ref(reader: Reader, ident: str) -> Ref | None:
    row = _catalogue(reader).get(ident)
    if row is None:
        return None
    return Ref(ident, row["name_en" if reader.viewer.lang == "en" else "name_zh"], row["kind"], row["unit"])


def catalogue_ids(reader: Reader) -> tuple[str, ...]:
    """Every indicator id the viewer may see, in system and definition order."""
    return tuple(_catalogue(reader))


@dataclass(frozen=True)
class Token:
    """A piece of a definition's text: plain, or an indicator's id (shown by name, linked)."""

    text: str
    ref: Ref | None = None


@dataclass(frozen=True)
class TargetRule:
    value: float
    region: str | None
    region_name: str | None
    year: int | None


@dataclass(frozen=True)
class ThresholdRule:
    severity: str  # warning | alarm
    on: str  # value | change | pct_change | yoy_pct
    above: float | None
    below: float | None


@dataclass(frozen=True)
class Part:
    """A composite's declared child and its weight."""

    ref: Ref
    weight: float


@dataclass(frozen=True)
class Definition:
    indicator: str
    name: str
    other_name: str  # the name in the other language (analysts search by either)
    system: str
    system_name: str
    kind: str  # measure | formula | composite
    description: str
    unit: str
    owner: str
    frequencies: tuple[str, ...]
    levels: tuple[str, ...]  # top first
    polarity: str
    band: tuple[float, float] | None
    decimals: int
    formula: tuple[Token, ...]  # the computation as written, ids linked
    parts: tuple[Part, ...]  # a composite's children
    feeds: tuple[str, ...]  # the feeds its value is read from, through everything it is built from
    targets: tuple[TargetRule, ...]
    thresholds: tuple[ThresholdRule, ...]
    source: str  # definition file and line ("economy.yaml:25")
    headline: bool


def tokens(reader: Reader, text: str) -> tuple[Token, ...]:
    """A definition's text cut into plain pieces and indicator ids (which the viewer may see)."""
    out: list[Token] = []
    last = 0
    for found in IDENT.finditer(text):
        ref = _ref(reader, found.group())
        if ref is None:
            continue
        if found.start() > last:
            out.append(Token(text[last:found.start()]))
        out.append(Token(found.group(), ref))
        last = found.end()
    if last < len(text):
        out.append(Token(text[last:]))
    return tuple(out)


def _source(value: object) -> str:
    text = _text(value)
    if ", line " in text:
        file, line = text.rsplit(", line ", 1)
        return f"{PurePath(file).name}:{line}"
    return PurePath(text).name if text else ""


def _rules(raw: object) -> list[dict]:
    text = _text(raw)
    if not text:
        return []
    found = json.loads(text)
    return found if isinstance(found, list) else []


def definition(reader: Reader, indicator: str) -> Definition:
    """The indicator as its definition file declares it (UnknownIndicator when the viewer may not see it)."""
    meta = _catalogue(reader).get(indicator)
    if meta is None:
        raise UnknownIndicator(indicator)
    lang = reader.viewer.lang
    systems = reader.systems().set_index("system")
    system_name = str(systems.loc[meta["system"], f"name_{lang}"]) if meta["system"] in systems.index else meta["system"]
    targets = []
    for rule in _rules(meta.get("targets")):
        region = rule.get("region")
        name = None
        if region is not None and reader.in_scope(region):
            name = reader.region_name(region)
        elif region is not None:
            continue  # a target for a region this viewer may not see
        targets.append(TargetRule(float(rule["value"]), region, name,
                                  int(rule["year"]) if rule.get("year") is not None else None))
    # thresholds: published with the catalogue by snapshots that carry them
    thresholds = tuple(ThresholdRule(str(r.get("severity")), str(r.get("on", "value")), _float(r.get("above")),
                                     _float(r.get("below"))) for r in _rules(meta.get("thresholds")))
    parts = []
    for child in _rules(meta.get("children")):
        ref = _ref(reader, child["indicator"])
        if ref is not None:
            parts.append(Part(ref, float(child["weight"])))
    low, high = _float(meta.get("band_low")), _float(meta.get("band_high"))
    return Definition(
        indicator=indicator, name=meta["name_en" if lang == "en" else "name_zh"],
        other_name=meta["name_zh" if lang == "en" else "name_en"], system=meta["system"], system_name=system_name,
        kind=meta["kind"], description=_text(meta.get("description")), unit=meta["unit"],
        owner=_text(meta.get("owner")), frequencies=tuple(f for f in _text(meta["frequencies"]).split(",") if f),
        levels=tuple(v for v in _text(meta["levels"]).split(",") if v), polarity=meta["polarity"],
        band=(low, high) if low is not None and high is not None else None, decimals=int(meta["decimals"]),
        formula=tokens(reader, _text(meta.get("definition"))), parts=tuple(parts),
        feeds=tuple(f for f in _text(meta.get("feeds")).split(",") if f), targets=tuple(targets),
        thresholds=thresholds, source=_source(meta.get("source")), headline=bool(meta.get("headline")))


# -- lineage -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    key: str  # an indicator id, or "feed:<name>"
    label: str
    kind: str  # feed | measure | formula | composite
    layer: int  # columns left to right: feeds, what it reads (-2, -1), the indicator (0), what reads it (1, 2)
    ref: Ref | None  # None for a feed
    current: bool


@dataclass(frozen=True)
class Lineage:
    layers: tuple[tuple[Node, ...], ...]  # left to right; empty columns left out
    edges: tuple[tuple[str, str], ...]  # (from, to): `from` is read by `to`; feeds by key "feed:<name>"
    feeds: tuple[str, ...]
    inputs: tuple[Ref, ...]
    used_by: tuple[Ref, ...]


def lineage(reader: Reader, indicator: str) -> Lineage:
    """The indicator's neighbourhood in the dependency graph, two reads up and down, in layers; the
    feeds on the left, attached to the measures among the upstream nodes that read them."""
    found = reader.lineage(indicator)
    edges = [tuple(e) for e in found["edges"]]
    depth: dict[str, int] = {indicator: 0}
    for sign, pick in ((-1, 0), (1, 1)):  # upstream: follow edges backwards; downstream: forwards
        frontier = [indicator]
        for step in (1, 2):
            nxt = []
            for node in frontier:
                for e in edges:
                    near, far = (e[1], e[0]) if pick == 0 else (e[0], e[1])
                    if near == node and far not in depth:
                        depth[far] = sign * step
                        nxt.append(far)
            frontier = nxt
    cat = _catalogue(reader)
    nodes: dict[int, list[Node]] = {}
    for ident, layer in depth.items():
        ref = _ref(reader, ident)
        if ref is None:
            continue
        nodes.setdefault(layer, []).append(Node(ident, ref.name, ref.kind, layer, ref, ident == indicator))
    feed_edges = []
    feeds = tuple(found["feeds"])
    upstream = [i for i, d in depth.items() if d <= 0]
    for ident in upstream:
        row = cat.get(ident)
        if row is not None and row["kind"] == "measure" and _text(row.get("feeds")):
            for feed in _text(row["feeds"]).split(","):
                if feed in feeds:
                    feed_edges.append((f"feed:{feed}", ident))
    lowest = min(nodes) if nodes else 0
    feed_layer = lowest - 1
    if feeds:
        nodes[feed_layer] = [Node(f"feed:{f}", f, "feed", feed_layer, None, False) for f in feeds]
    order = {ident: n for n, ident in enumerate(cat)}
    layers = tuple(tuple(sorted(nodes[k], key=lambda n: (order.get(n.key, -1), n.key))) for k in sorted(nodes))
    refs = lambda ids: tuple(r for r in (_ref(reader, i) for i in ids) if r is not None)  # noqa: E731
    return Lineage(layers=layers, edges=tuple(sorted(set(edges) | set(feed_edges))), feeds=feeds,
                   inputs=refs(found["inputs"]), used_by=refs(found["used_by"]))


# -- where and when ----------------------------------------------------------------------------

def page_spec(reader: Reader, the: Definition) -> PageSpec:
    """The page's address: /indicator/<id>, its periods the indicator's own, in its frequencies;
    its cross filters the columns the indicator is broken down by (a category, a department)."""
    return PageSpec(path=f"/indicator/{the.indicator}", lead=the.indicator, frequencies=the.frequencies,
                    cross=breakdown_columns(reader, the.indicator))


Category = tuple[str, str]  # a cross filter: (breakdown column, category)
RANKED_BY_CATEGORY = 60  # regions whose category values a filtered ranking looks up, one query each


def _values(reader: Reader, the: Definition, region: str, frequency: str, category: Category | None) -> pd.DataFrame:
    """period, value, provisional over time at `region`: the indicator's, or one category's."""
    if category is None:
        frame = reader.series(the.indicator, region, frequency)
    else:
        frame = reader.breakdown_series(the.indicator, region, frequency, category[0], [category[1]])
        frame = frame[frame["category"] == category[1]]
    return frame.dropna(subset=["value"]).sort_values("period_start").reset_index(drop=True)


def year_before(period: str) -> str | None:
    """The same period a year earlier: 2026-10 → 2025-10, 2026Q3 → 2025Q3, 2026 → 2025."""
    if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}|Q[1-4])?", period):
        return None
    return str(int(period[:4]) - 1) + period[4:]


# -- the value and its comparison ----------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    value: float | None
    period: str | None
    provisional: bool
    cmp: str  # yoy | mom | target
    reference: float | None  # the value compared with
    reference_period: str | None  # the period compared with (None for a target)
    delta: float | None  # value - reference
    delta_pct: float | None  # for units other than %: the change in % of the reference
    tone: str  # good | bad | neutral
    rank: int | None  # among the region's siblings
    peer_count: int | None


@dataclass(frozen=True)
class Series:
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    provisional: tuple[bool, ...]
    targets: tuple[float | None, ...]  # the target that applies to each period's year, None without one


def _tone(value: float | None, reference: float | None, polarity: str, band: tuple[float, float] | None,
          decimals: int = 6) -> str:
    """good | bad | neutral by polarity, judged on the values as shown (a change that rounds away is none)."""
    if value is None or reference is None or round(value, decimals) == round(reference, decimals):
        return "neutral"
    if polarity == "band" and band is not None:
        off = lambda v: max(band[0] - v, v - band[1], 0.0)  # noqa: E731
        return "neutral" if off(value) == off(reference) else "good" if off(value) < off(reference) else "bad"
    verdict = judged(value, reference, polarity)
    return {"better": "good", "worse": "bad"}.get(verdict, "neutral")


def series(reader: Reader, the: Definition, region: str, frequency: str, category: Category | None = None,
           period: str | None = None, since: str | None = None) -> Series:
    meta = _catalogue(reader)[the.indicator]
    df = _values(reader, the, region, frequency, category)
    # the period under way is left out: a rate or count of a part period would read as a fall
    df = trend_window(df[~df["provisional"].astype(bool)], frequency, period, since)
    periods = tuple(str(p) for p in df["period"])
    return Series(periods=periods, values=tuple(_float(v) for v in df["value"]),
                  provisional=tuple(bool(p) for p in df["provisional"]),
                  targets=tuple(_target(meta.get("targets"), region, int(p[:4])) for p in periods))


def headline(reader: Reader, the: Definition, region: str, choice: PeriodChoice, cmp: str,
             parent: str | None, category: Category | None = None) -> Headline:
    """The value at `region` in the chosen period (of one category, with a cross filter) against a
    year before, the period before or the target; its rank among its siblings (none for a category)."""
    df = _values(reader, the, region, choice.frequency, category)
    by_period = {str(p): n for n, p in enumerate(df["period"])}
    value = reference = ref_period = None
    provisional = False
    if choice.chosen in by_period:
        n = by_period[choice.chosen]
        value, provisional = _float(df.at[n, "value"]), bool(df.at[n, "provisional"])
        if cmp == "yoy":
            ref_period = year_before(choice.chosen)
            if ref_period in by_period:
                reference = _float(df.at[by_period[ref_period], "value"])
        elif cmp == "mom":
            if n > 0:
                ref_period, reference = str(df.at[n - 1, "period"]), _float(df.at[n - 1, "value"])
        else:
            reference = _target(_catalogue(reader)[the.indicator].get("targets"), region, int(choice.chosen[:4]))
    delta = value - reference if value is not None and reference is not None else None
    pct = delta / abs(reference) * 100 if delta is not None and the.unit != "%" and reference else None
    rank = peers = None
    if parent is not None and choice.chosen is not None and value is not None and category is None:
        peer_rows = reader.ranking(the.indicator, parent, choice.frequency, choice.chosen)
        mine = peer_rows[peer_rows["region"] == region]
        if len(mine) and pd.notna(mine["rank"].iloc[0]):
            rank, peers = int(mine["rank"].iloc[0]), int(mine["peer_count"].iloc[0])
    return Headline(value=value, period=choice.chosen if value is not None else None, provisional=provisional,
                    cmp=cmp, reference=reference, reference_period=ref_period, delta=delta, delta_pct=pct,
                    tone=_tone(value, reference, the.polarity, the.band, the.decimals), rank=rank, peer_count=peers)


# -- regions compared ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    region: str
    name: str
    value: float
    rank: int | None
    drill: bool  # the region has regions below it where the indicator is defined


@dataclass(frozen=True)
class Comparison:
    """Regions compared on the indicator in the chosen period: the place's children (a click
    drills), or, where they have no values, the place among its peers (siblings)."""

    area: str  # whose children these are
    area_name: str
    level: str  # the level of the rows
    among_peers: bool  # True: the rows are the place's siblings, the place highlighted
    selected: str | None
    rows: tuple[Row, ...]  # best first (by the stored rank; a neutral indicator: largest first)
    category: Category | None = None  # the rows are this category's values (ordered by polarity, unranked)


def _levels_below(the: Definition, level: str, levels: list[str]) -> list[str]:
    if level not in levels:
        return []
    return [v for v in levels[levels.index(level) + 1:] if v in the.levels]


def comparison(reader: Reader, the: Definition, where: Place, choice: PeriodChoice,
               category: Category | None = None) -> Comparison | None:
    """None when no region around the place has a value in the period. With a cross filter, the
    same regions by that category's value (regions without it left out)."""
    found = _comparison(reader, the, where, choice)
    if found is None or category is None or len(found.rows) > RANKED_BY_CATEGORY:
        return found
    rows = []
    for row in found.rows:
        value = category_value(reader, the.indicator, row.region, choice.frequency, choice.chosen, *category)
        if value is not None:
            rows.append(replace(row, value=value, rank=None))
    rows.sort(key=lambda r: r.value, reverse=the.polarity != "lower_better")
    return replace(found, rows=tuple(rows), category=category) if rows else None


def _comparison(reader: Reader, the: Definition, where: Place, choice: PeriodChoice) -> Comparison | None:
    if choice.chosen is None:
        return None
    levels = _hierarchy_levels(reader)
    name = "name_en" if reader.viewer.lang == "en" else "name"
    child_level = levels[levels.index(where.level) + 1] if levels.index(where.level) + 1 < len(levels) else None

    def rows_of(frame: pd.DataFrame, level: str) -> tuple[Row, ...]:
        deeper = bool(_levels_below(the, level, levels))
        return tuple(Row(str(r["region"]), str(r[name]), float(r["value"]),
                         None if pd.isna(r["rank"]) else int(r["rank"]), deeper)
                     for r in frame.to_dict("records"))

    if child_level is not None:
        kids = reader.ranking(the.indicator, where.code, choice.frequency, choice.chosen)
        if len(kids):
            return Comparison(where.code, where.name, child_level, False, None, rows_of(kids, child_level))
    if where.parent is not None:
        peers = reader.ranking(the.indicator, where.parent.code, choice.frequency, choice.chosen)
        if len(peers):
            return Comparison(where.parent.code, where.parent.name, where.level, True, where.code,
                              rows_of(peers, where.level))
    return None


def _hierarchy_levels(reader: Reader) -> list[str]:
    """The hierarchy's levels, top first (from the viewer's subtree: its root's level first)."""
    return list(reader.level_counts())


# -- categories (the cross filter's source) -------------------------------------------------------

@dataclass(frozen=True)
class CategoryValue:
    category: str  # as stored (the filter's value)
    label: str  # in the viewer's language
    value: float
    share: float | None  # % of the indicator's value, for counts and sums


@dataclass(frozen=True)
class Categories:
    dim: str  # the breakdown column
    rows: tuple[CategoryValue, ...]  # largest first
    selected: str | None  # the category the cross filter names
    more: int  # categories beyond those shown


CATEGORIES_SHOWN = 12


def categories(reader: Reader, the: Definition, where: Place, choice: PeriodChoice, dim: str,
               selected: str | None) -> Categories | None:
    """The indicator per category of `dim` at the place and period, largest first (None without any)."""
    if choice.chosen is None:
        return None
    frame = reader.breakdown(the.indicator, where.code, choice.frequency, limit=reader.BREAKDOWN_LIMIT, by=dim,
                             period=choice.chosen)
    if frame.empty:
        return None
    label = "category_en" if reader.viewer.lang == "en" else "category"
    rows = tuple(CategoryValue(str(r["category"]), _text(r.get(label)) or str(r["category"]), float(r["value"]),
                               _float(r["share"]) * 100 if "share" in r and _float(r["share"]) is not None else None)
                 for r in frame.to_dict("records") if _float(r["value"]) is not None)
    shown = rows[:CATEGORIES_SHOWN]
    if selected is not None and selected not in {r.category for r in shown}:
        shown = shown + tuple(r for r in rows if r.category == selected)
    return Categories(dim=dim, rows=shown, selected=selected, more=len(rows) - len(shown))


# -- coverage -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """The indicator is not counted at the place's level: the nearest region that has it."""

    level: str  # the place's
    levels: tuple[str, ...]  # where the indicator is counted
    nearest: Crumb | None  # the nearest ancestor at a counted level
    below: bool  # the place lies below every counted level (else above, or between)


def coverage(the: Definition, where: Place) -> Coverage | None:
    if where.level in the.levels:
        return None
    counted = [c for c in where.path if c.level in the.levels]
    return Coverage(level=where.level, levels=the.levels, nearest=counted[-1] if counted else None,
                    below=bool(counted))


# -- a composite taken apart --------------------------------------------------------------------

@dataclass(frozen=True)
class Contribution:
    ref: Ref
    weight: float  # declared
    effective_weight: float | None  # after reweighting over the children present
    value: float | None  # the child's own value
    unit: str
    decimals: int
    score: float | None  # its normalised score, 0-100
    points: float | None  # what it adds to the composite: effective weight × score
    share: float | None  # its share of the composite's value, %
    imputed: bool


@dataclass(frozen=True)
class Breakdown:
    region: str
    region_name: str
    period: str
    value: float | None
    parts: tuple[Contribution, ...]
    explanation: str | None  # the generated sentence on what moved it since the period before


def breakdown(reader: Reader, the: Definition, where: Place, choice: PeriodChoice,
              value: float | None) -> Breakdown | None:
    """A composite's children at the place; None for other kinds or when none was scored there."""
    if the.kind != "composite" or choice.chosen is None:
        return None
    rows = reader.children_values(the.indicator, where.code, choice.frequency, choice.chosen)
    if rows.empty or rows["score"].isna().all():
        return None
    lang = reader.viewer.lang
    parts = []
    for r in rows.to_dict("records"):
        ref = _ref(reader, r["child"])
        if ref is None:
            continue
        weight, score = _float(r.get("effective_weight")), _float(r.get("score"))
        share = _float(r.get("share"))
        parts.append(Contribution(ref=ref, weight=float(r["weight"]), effective_weight=weight,
                                  value=_float(r.get("child_value")), unit=_text(r.get("unit")),
                                  decimals=int(r["decimals"]) if pd.notna(r.get("decimals")) else 1, score=score,
                                  points=weight * score if weight is not None and score is not None else None,
                                  share=share * 100 if share is not None else None,
                                  imputed=bool(r.get("imputed")) if pd.notna(r.get("imputed")) else False))
    why = reader.explanation(the.indicator, where.code, choice.frequency, choice.chosen)
    return Breakdown(region=where.code, region_name=where.name, period=choice.chosen, value=value,
                     parts=tuple(parts), explanation=_text(why.get(f"text_{lang}")) or None if why else None)


# -- the map --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapData:
    area: str
    area_name: str
    values: dict[str, float]
    geometry: dict
    highlight: str | None
    notice: str


def map_data(reader: Reader, compared: Comparison | None) -> MapData | None:
    """The compared regions' shapes filled by their values (None without values or shapes)."""
    if compared is None:
        return None
    geometry = reader.geometry(compared.area)
    if not geometry.get("features"):
        return None
    return MapData(area=compared.area, area_name=compared.area_name,
                   values={r.region: r.value for r in compared.rows}, geometry=geometry,
                   highlight=compared.selected, notice=reader.geometry_notice())


# -- records ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordLink:
    """A set of rows behind the value (a rate has two: its numerator's and its denominator's)."""

    ref: Ref  # the measure whose rows they are
    href: str
    value: float | None  # that measure's value at the place and period


def record_links(reader: Reader, the: Definition, region: str, choice: PeriodChoice,
                 category: Category | None = None) -> tuple[RecordLink, ...]:
    """The record sets behind the value at the place (`Reader.record_sets`); none without a period
    (a composite's scores have no rows of their own: its parts do, on their own pages)."""
    if choice.chosen is None:
        return ()
    out = []
    for found in reader.record_sets(the.indicator, region, choice.frequency, choice.chosen):
        ref = _ref(reader, found["indicator"])
        if ref is None:
            continue
        value = _float(found.get("value"))
        if category is not None:  # the rows of one category: their number is that category's
            value = category_value(reader, found["indicator"], region, choice.frequency, choice.chosen, *category) \
                if category[0] in breakdown_columns(reader, found["indicator"]) else None
        out.append(RecordLink(ref, records_href(the.indicator, region, choice.frequency, choice.chosen,
                                                filters=(category,) if category else (), key=str(found["key"])),
                              value))
    return tuple(out)


# -- the page ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorPage:
    spec: PageSpec
    query: WorkbenchQuery
    definition: Definition
    place: Place
    choice: PeriodChoice
    headline: Headline
    series: Series
    coverage: Coverage | None
    comparison: Comparison | None
    map: MapData | None
    breakdown: Breakdown | None
    lineage: Lineage | None  # None: the snapshot predates recorded lineage
    records: tuple[RecordLink, ...]
    category: Category | None  # the cross filter the numbers honour (the first the address names)
    categories: tuple[Categories, ...]  # one panel per breakdown column


def indicator_page(reader: Reader, indicator: str, args: Mapping[str, Any]) -> IndicatorPage:
    """Everything the page shows for the address's query `args` (as a hostile client may send
    it); UnknownIndicator for an id the viewer may not see. A region out of scope shows the
    viewer's root, a period the indicator lacks its newest: the page says both."""
    the = definition(reader, indicator)
    spec = page_spec(reader, the)
    q = parse_query(args, spec)
    where = place(reader, q.region)
    choice = period_choice(reader, indicator, q.frequency, q.period)
    category = next(((d, q.filter(d)) for d in spec.cross if q.filter(d) is not None), None)
    head = headline(reader, the, where.code, choice, q.cmp, where.parent.code if where.parent else None, category)
    compared = comparison(reader, the, where, choice, category)
    split = tuple(found for dim in spec.cross
                  if (found := categories(reader, the, where, choice, dim, q.filter(dim))) is not None)
    try:
        graph = lineage(reader, indicator)
    except LookupError:  # a snapshot written before lineage was recorded
        graph = None
    return IndicatorPage(spec=spec, query=q, definition=the, place=where, choice=choice, headline=head,
                         series=series(reader, the, where.code, choice.frequency, category, choice.chosen, q.since),
                         coverage=coverage(the, where),
                         comparison=compared, map=map_data(reader, compared),
                         breakdown=breakdown(reader, the, where, choice, head.value), lineage=graph,
                         records=record_links(reader, the, where.code, choice, category), category=category,
                         categories=split)
