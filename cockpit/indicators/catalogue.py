"""The indicator catalogue as tables: what a snapshot says each indicator and system is."""

from __future__ import annotations

import json

import pandas as pd
import sqlglot

from cockpit.indicators.graph import Graph
from cockpit.indicators.model import Indicator, IndicatorSystem
from cockpit.indicators.validate import is_additive


def _definition(ind: Indicator) -> str:
    """The computation in words an analyst recognises: the measure, formula or composite."""
    if ind.measure:
        m = ind.measure
        text = f"{m.feed}: {m.value}"
        return text + (f" WHERE {m.filter}" if m.filter else "") + (" (running total)" if m.accumulate else "")
    if ind.formula:
        return ind.formula
    c = ind.composite
    children = ", ".join(f"{ch.indicator}×{ch.weight:g}" for ch in c.children)  # type: ignore[union-attr]
    return f"{c.aggregation} of {c.normalisation.method} scores: {children}"  # type: ignore[union-attr]


def _feeds_read(systems: list[IndicatorSystem]) -> dict[str, list[str]]:
    """The feeds each indicator's value comes from, through formulas and composites: a screen
    says a number is late when one of them is."""
    graph = Graph({i.id: i for s in systems for i in s.indicators})
    feeds = graph.gather(lambda ind: {ind.measure.feed} if ind.measure else set())
    return {ident: sorted(found) for ident, found in feeds.items()}


def _additive(ind: Indicator) -> bool:
    """Whether the value adds up over categories and regions (a count or sum): then a category's
    share of the total means something."""
    if ind.measure is None:
        return False
    try:
        return is_additive(sqlglot.parse_one(ind.measure.value, read="duckdb"))
    except sqlglot.errors.ParseError:
        return False


def indicator_table(systems: list[IndicatorSystem]) -> pd.DataFrame:
    feeds = _feeds_read(systems)
    graph = Graph({i.id: i for s in systems for i in s.indicators})
    # the one dependency graph, as the snapshot keeps it: what each indicator reads directly
    # (lineage) and which columns its values are split by (breakdowns)
    splits = graph.breakdowns()
    rows = []
    for system in systems:
        for order, ind in enumerate(system.indicators):
            rows.append({
                "indicator": ind.id, "system": system.id, "ordinal": order, "kind": ind.kind,
                "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit, "description": ind.description,
                "owner": ind.owner, "frequencies": ",".join(ind.frequencies), "levels": ",".join(ind.levels),
                "polarity": ind.polarity, "band_low": ind.band[0] if ind.band else None,
                "band_high": ind.band[1] if ind.band else None, "decimals": ind.decimals,
                "definition": _definition(ind), "headline": ind.id in system.headline,
                "children": json.dumps([{"indicator": c.indicator, "weight": c.weight} for c in ind.composite.children])
                if ind.composite else None,
                "targets": json.dumps([t.__dict__ for t in ind.targets]) if ind.targets else None,
                "source": str(ind.where), "feeds": ",".join(feeds[ind.id]),
                "short_name_zh": ind.short_name("zh"), "short_name_en": ind.short_name("en"),
                "compare": ind.compare, "live": ind.live, "jan_feb_combined": ind.jan_feb_combined,
                "inputs": ",".join(graph.reads[ind.id]), "breakdowns": ",".join(splits[ind.id]),
                "additive": _additive(ind),
            })
    return pd.DataFrame(rows)


def system_table(systems: list[IndicatorSystem]) -> pd.DataFrame:
    return pd.DataFrame([{
        "system": s.id, "ordinal": n, "name_zh": s.name_zh, "name_en": s.name_en, "description": s.description,
        "owner": s.owner, "headline": ",".join(s.headline), "indicators": len(s.indicators), "file": s.file,
    } for n, s in enumerate(systems)])
