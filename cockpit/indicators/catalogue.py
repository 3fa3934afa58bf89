"""The indicator catalogue as tables: what a snapshot says each indicator and system is."""

from __future__ import annotations

import json

import pandas as pd

from cockpit.indicators.model import Indicator, IndicatorSystem


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


def indicator_table(systems: list[IndicatorSystem]) -> pd.DataFrame:
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
                "source": str(ind.where),
            })
    return pd.DataFrame(rows)


def system_table(systems: list[IndicatorSystem]) -> pd.DataFrame:
    return pd.DataFrame([{
        "system": s.id, "ordinal": n, "name_zh": s.name_zh, "name_en": s.name_en, "description": s.description,
        "owner": s.owner, "headline": ",".join(s.headline), "indicators": len(s.indicators), "file": s.file,
    } for n, s in enumerate(systems)])
