"""A subset of the shipped definitions: some indicators and everything they read, transitively.

Written as definition files of their own, so a refresh on them computes exactly that slice:
the benchmarks time the engine on the same slice as the pandas baseline, tests refresh one
system quickly without the others.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cockpit.indicators.definitions import plain_yaml, read_systems
from cockpit.indicators.refresh import dependencies


def write_subset(indicators: list[str], target: Path, source: Path | None = None,
                 systems_as: dict[str, dict] | None = None) -> set[str]:
    """Write to `target` the definition files holding `indicators` and what they depend on,
    keeping of each system only those indicators; `systems_as` overrides system keys (e.g.
    {"hotline": {"frequencies": ["month"]}}). Returns the indicator ids written."""
    systems, _ = read_systems(source)
    index = {i.id: i for s in systems for i in s.indicators}
    unknown = [i for i in indicators if i not in index]
    if unknown:
        raise KeyError(f"unknown indicators: {', '.join(unknown)}")
    needed, stack = set(), list(indicators)
    while stack:
        ident = stack.pop()
        if ident in needed or ident not in index:
            continue
        needed.add(ident)
        stack.extend(dependencies(index[ident]))
    target.mkdir(parents=True, exist_ok=True)
    for s in systems:
        keep = {i.id for i in s.indicators} & needed
        if not keep:
            continue
        raw = plain_yaml(Path(s.file))
        raw["indicators"] = [i for i in raw["indicators"] if i["id"] in keep]
        raw["system"].update((systems_as or {}).get(s.id, {}))
        headline = [h for h in raw["system"].get("headline") or [] if h in keep]
        raw["system"]["headline"] = headline
        if not headline:
            raw["system"].pop("headline")
        (target / Path(s.file).name).write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False),
                                                encoding="utf-8")
    return needed
