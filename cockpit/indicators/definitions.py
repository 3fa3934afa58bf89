"""Read indicator-system files (indicators/*.yaml) into the model, reporting every shape problem.

This stage checks only the shape of each entry (keys, types, allowed words) and keeps the line
each came from; `cockpit.indicators.validate` checks meaning (feeds, columns, references,
cycles, weights, SQL safety) over everything this stage could read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cockpit.config import REPO_ROOT
from cockpit.indicators.model import (
    AGGREGATIONS,
    COMPARES,
    FREQUENCIES,
    GRAIN_TIMES,
    MISSING_POLICIES,
    NORMALISATIONS,
    PEER_GROUPS,
    POLARITIES,
    SEVERITIES,
    THRESHOLD_ON,
    Child,
    Composite,
    Grain,
    Indicator,
    IndicatorSystem,
    Measure,
    Normalisation,
    Target,
    Threshold,
    Where,
    id_problem,
)
from cockpit.regions.hierarchy import LEVELS
from cockpit.safe_yaml import YamlLimitError, load_yaml

LINE = "__line__"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DefinitionError(ValueError):
    """Raised by callers that need valid definitions; lists every problem."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping under the key `__line__`.

    It also reads `on`, `off`, `yes` and `no` as text (YAML 1.2), not as booleans: thresholds
    have a key called `on`, and analysts should not have to quote it.
    """


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml_with_lines(path: Path) -> Any:
    """A YAML file of the cockpit's own (definitions, the screen configuration) as the reader
    sees it: every mapping carries its line under `LINE`, `on` is text, the size limits hold."""
    return load_yaml(path, _LineLoader)


def plain_yaml(path: Path) -> Any:
    """A definition file's data as the reader sees it (`on` is text, not a boolean), without
    the line numbers: for tools that rewrite definitions."""
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != LINE}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(load_yaml(path, _LineLoader))


def indicator_dir() -> Path:
    return REPO_ROOT / "indicators"


class MappingChecker:
    """Collects the problems of one YAML file read with line numbers (`read_yaml_with_lines`),
    each at the line of the mapping it is about, instead of stopping at the first. Definition
    files and the screen configuration are both read this way."""

    unknown_keys_fail = False
    """Whether `keys` reports a mapping with an unknown key as unusable (not only as a problem)."""

    def __init__(self, file: Path):
        self.file = str(file)
        self.problems: list[Problem] = []

    def problem(self, raw: Any, message: str) -> None:
        line = raw.get(LINE, 1) if isinstance(raw, dict) else 1
        self.problems.append(Problem(self.file, line, message))

    def keys(self, raw: dict, allowed: set[str] | frozenset[str], required: set[str] | frozenset[str],
             what: str) -> bool:
        """Report unknown and missing keys; whether the mapping can be used."""
        unknown = {str(k) for k in raw} - allowed - {LINE}
        if unknown:
            self.problem(raw, f"{what}: unknown key(s) {', '.join(sorted(unknown))}")
        missing = required - set(raw)
        if missing:
            self.problem(raw, f"{what}: missing {', '.join(sorted(missing))}")
        return not missing and not (self.unknown_keys_fail and unknown)


class _Reader(MappingChecker):
    """Turns one file's raw mappings into model objects, collecting problems instead of stopping."""

    def choice(self, raw: dict, key: str, options: tuple[str, ...], default: str, what: str) -> str:
        value = raw.get(key, default)
        if value not in options:
            self.problem(raw, f"{what}: {key} {value!r} is not one of {', '.join(options)}")
            return default
        return value

    def choices(self, raw: dict, key: str, options: tuple[str, ...], default: tuple[str, ...], what: str) -> tuple[str, ...]:
        value = raw.get(key, list(default))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.problem(raw, f"{what}: {key} must be a non-empty list")
            return default
        bad = [v for v in value if v not in options]
        if bad:
            self.problem(raw, f"{what}: {key} {bad} not among {', '.join(options)}")
            return tuple(v for v in value if v in options) or default
        return tuple(value)

    def number(self, raw: dict, key: str, what: str, default: float | None = None) -> float | None:
        value = raw.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(raw, f"{what}: {key} must be a number, got {value!r}")
            return default
        return float(value)

    def flag(self, raw: dict, key: str, what: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.problem(raw, f"{what}: {key} must be true or false, got {value!r}")
            return False
        return value

    def optional_text(self, raw: dict, key: str, what: str) -> str | None:
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.problem(raw, f"{what}: {key} must be text, got {value!r}")
            return None
        return value.strip() if value else None

    def whole(self, raw: dict, key: str, what: str, default: int, low: int, high: int) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(raw, f"{what}: {key} must be a whole number from {low} to {high}, got {value!r}")
            return default
        return value

    # -- parts ---------------------------------------------------------------------------
    def measure(self, raw: Any, what: str) -> Measure | None:
        if not isinstance(raw, dict):
            self.problem({}, f"{what}: measure must be a mapping")
            return None
        if not self.keys(raw, {"feed", "value", "filter", "time", "region", "accumulate", "grain", "breakdown",
                               "breakdown_levels"},
                         {"feed", "value"}, what):
            return None
        for key in ("value", "filter", "time", "region", "feed"):
            if key in raw and not isinstance(raw[key], str):
                self.problem(raw, f"{what}: measure {key} must be text")
                return None
        breakdown = self.breakdown(raw, what)
        if breakdown is None:
            return None
        levels: tuple[str, ...] = ()
        if "breakdown_levels" in raw:
            levels = self.choices(raw, "breakdown_levels", LEVELS, (), f"{what}: measure")
            if not breakdown:
                self.problem(raw, f"{what}: measure breakdown_levels needs a breakdown")
        grain = self.grain(raw["grain"], what) if "grain" in raw else None
        return Measure(feed=raw["feed"], value=raw["value"].strip(), filter=(raw.get("filter") or "").strip() or None,
                       time=raw.get("time"), region=raw.get("region"), accumulate=self.flag(raw, "accumulate", what),
                       grain=grain, breakdown=breakdown, breakdown_levels=levels)

    def breakdown(self, raw: dict, what: str) -> tuple[str, ...] | None:
        """A measure's breakdown columns: one column name or a list of distinct ones; None
        (after a problem) when it is neither."""
        value = raw.get("breakdown")
        if value is None:
            return ()
        names = [value] if isinstance(value, str) else value
        if (not isinstance(names, list) or not names
                or not all(isinstance(n, str) and n.strip() for n in names)):
            self.problem(raw, f"{what}: measure breakdown must be a column name or a non-empty list of "
                              f"column names, got {value!r}")
            return None
        names = [n.strip() for n in names]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            self.problem(raw, f"{what}: measure breakdown lists {', '.join(repeated)} more than once")
            return None
        return tuple(names)

    def grain(self, raw: Any, what: str) -> Grain | None:
        if not isinstance(raw, dict) or not self.keys(raw, {"time", "by", "columns"}, {"time", "columns"},
                                                     f"{what}: grain"):
            return None
        time = self.choice(raw, "time", GRAIN_TIMES, "day", f"{what}: grain")
        by = raw.get("by") or []
        columns = raw.get("columns")
        if not isinstance(by, list) or not all(isinstance(b, str) for b in by):
            self.problem(raw, f"{what}: grain by must be a list of column names")
            return None
        if not isinstance(columns, dict) or not columns or not all(isinstance(v, str) for k, v in columns.items() if k != LINE):
            self.problem(raw, f"{what}: grain columns must map names to aggregate expressions")
            return None
        return Grain(time=time, by=tuple(by), columns=tuple((k, v.strip()) for k, v in columns.items() if k != LINE))

    def composite(self, raw: Any, what: str) -> Composite | None:
        if not isinstance(raw, dict):
            self.problem({}, f"{what}: composite must be a mapping")
            return None
        allowed = {"children", "normalisation", "aggregation", "missing", "peer_group", "renormalise_weights"}
        if not self.keys(raw, allowed, {"children"}, what):
            return None
        children = []
        for item in raw.get("children") or []:
            if not isinstance(item, dict) or not self.keys(item, {"indicator", "weight"}, {"indicator", "weight"},
                                                             f"{what}: child"):
                continue
            weight = self.number(item, "weight", f"{what}: child {item.get('indicator')}")
            if weight is not None and weight < 0:
                self.problem(item, f"{what}: child {item['indicator']} has a negative weight")
            children.append(Child(str(item["indicator"]), weight or 0.0, Where(self.file, item[LINE])))
        if not children:
            self.problem(raw, f"{what}: a composite needs children")
        norm_raw = raw.get("normalisation", {"method": "minmax"})
        if isinstance(norm_raw, str):
            norm_raw = {"method": norm_raw, LINE: raw[LINE]}
        norm_keys = {"method", "low", "high", "log", "floor", "reference_region", "reference_period"}
        self.keys(norm_raw, norm_keys, {"method"}, f"{what}: normalisation")
        method = self.choice(norm_raw, "method", NORMALISATIONS, "minmax", f"{what}: normalisation")
        norm = Normalisation(
            method=method, low=self.number(norm_raw, "low", what), high=self.number(norm_raw, "high", what),
            log=bool(norm_raw.get("log", False)), floor=self.number(norm_raw, "floor", what, 0.0) or 0.0,
            reference_region=norm_raw.get("reference_region"),
            reference_period=str(norm_raw["reference_period"]) if "reference_period" in norm_raw else None,
        )
        if method == "goalposts" and (norm.low is None or norm.high is None or norm.low >= norm.high):
            self.problem(norm_raw, f"{what}: goalposts need low < high")
        if method == "goalposts" and norm.log and norm.low is not None and norm.low <= 0:
            self.problem(norm_raw, f"{what}: log goalposts need low > 0")
        if method == "reference" and not (norm.reference_region or norm.reference_period):
            self.problem(norm_raw, f"{what}: reference normalisation needs reference_region or reference_period")
        return Composite(
            children=tuple(children), normalisation=norm,
            aggregation=self.choice(raw, "aggregation", AGGREGATIONS, "arithmetic", what),
            missing=self.choice(raw, "missing", MISSING_POLICIES, "reweight", what),
            peer_group=self.choice(raw, "peer_group", PEER_GROUPS, "siblings", what),
            renormalise_weights=self.flag(raw, "renormalise_weights", f"{what}: composite"),
        )

    def targets(self, raw: Any, what: str) -> tuple[Target, ...]:
        if raw is None:
            return ()
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return (Target(value=float(raw)),)
        out = []
        for item in raw if isinstance(raw, list) else [raw]:
            if not isinstance(item, dict) or not self.keys(item, {"value", "region", "year"}, {"value"}, f"{what}: target"):
                continue
            value = self.number(item, "value", f"{what}: target")
            if value is not None:
                year = item.get("year")
                out.append(Target(value=value, region=str(item["region"]) if "region" in item else None,
                                  year=int(year) if year is not None else None))
        return tuple(out)

    def thresholds(self, raw: Any, what: str) -> tuple[Threshold, ...]:
        out = []
        for item in raw or []:
            if not isinstance(item, dict) or not self.keys(item, {"severity", "on", "above", "below", "live"}, {"severity"},
                                                             f"{what}: threshold"):
                continue
            above, below = self.number(item, "above", what), self.number(item, "below", what)
            if above is None and below is None:
                self.problem(item, f"{what}: a threshold needs above or below")
                continue
            out.append(Threshold(severity=self.choice(item, "severity", SEVERITIES, "warning", f"{what}: threshold"),
                                 on=self.choice(item, "on", THRESHOLD_ON, "value", f"{what}: threshold"),
                                 above=above, below=below, live=self.flag(item, "live", f"{what}: threshold")))
        return tuple(out)

    def indicator(self, raw: Any, system: dict, system_id: str) -> Indicator | None:
        if not isinstance(raw, dict):
            self.problem({}, "an indicator must be a mapping")
            return None
        ident = raw.get("id")
        what = f"indicator {ident}"
        allowed = {"id", "name_zh", "name_en", "unit", "description", "owner", "frequencies", "levels",
                   "polarity", "band", "measure", "formula", "composite", "targets", "thresholds", "decimals",
                   "jan_feb_combined", "short_name_zh", "short_name_en", "compare", "live"}
        if not self.keys(raw, allowed, {"id", "name_zh", "name_en", "unit", "description"}, what):
            return None
        wrong = id_problem(ident)
        if wrong:
            self.problem(raw, f"indicator id {wrong}")
            return None
        kinds = [k for k in ("measure", "formula", "composite") if k in raw]
        if len(kinds) != 1:
            self.problem(raw, f"{what}: needs exactly one of measure, formula, composite (has {', '.join(kinds) or 'none'})")
            return None
        owner = raw.get("owner") or system.get("owner")
        if not owner:
            self.problem(raw, f"{what}: no owner (set it on the indicator or the system)")
        polarity = self.choice(raw, "polarity", POLARITIES, "neutral", what)
        band = raw.get("band")
        if polarity == "band":
            if not (isinstance(band, list) and len(band) == 2 and all(isinstance(b, int | float) for b in band)
                    and band[0] < band[1]):
                self.problem(raw, f"{what}: polarity band needs band: [low, high] with low < high")
                band = None
        elif band is not None:
            self.problem(raw, f"{what}: band is only for polarity band")
            band = None
        formula = raw.get("formula")
        if formula is not None and not isinstance(formula, str):
            self.problem(raw, f"{what}: formula must be text")
            return None
        return Indicator(
            id=ident, system=system_id, name_zh=str(raw["name_zh"]), name_en=str(raw["name_en"]),
            unit=str(raw["unit"]), description=str(raw["description"]).strip(), owner=str(owner or ""),
            frequencies=self.choices(raw, "frequencies", FREQUENCIES, tuple(system.get("frequencies") or ("month",)), what),
            levels=self.choices(raw, "levels", LEVELS, tuple(system.get("levels") or ("province", "city", "county")), what),
            polarity=polarity, band=tuple(band) if band else None, where=Where(self.file, raw[LINE]),
            measure=self.measure(raw["measure"], what) if "measure" in raw else None,
            formula=formula.strip() if formula else None,
            composite=self.composite(raw["composite"], what) if "composite" in raw else None,
            targets=self.targets(raw.get("targets"), what), thresholds=self.thresholds(raw.get("thresholds"), what),
            decimals=self.whole(raw, "decimals", what, 1, 0, 6),
            jan_feb_combined=self.flag(raw, "jan_feb_combined", what),
            short_name_zh=self.optional_text(raw, "short_name_zh", what),
            short_name_en=self.optional_text(raw, "short_name_en", what),
            compare=self.choice(raw, "compare", COMPARES, "previous_period", what),
            live=self.flag(raw, "live", what),
        )

    def system(self, raw: Any) -> IndicatorSystem | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("system"), dict):
            self.problem(raw if isinstance(raw, dict) else {}, "a definition file needs a 'system' mapping and an 'indicators' list")
            return None
        head = raw["system"]
        self.keys(raw, {"system", "indicators"}, {"system", "indicators"}, "file")
        ok = self.keys(head, {"id", "name_zh", "name_en", "description", "owner", "frequencies", "levels", "headline"},
                       {"id", "name_zh", "name_en", "description"}, "system")
        wrong = id_problem(head["id"]) if "id" in head else None
        if wrong:
            self.problem(head, f"system id {wrong}")
            ok = False
        if not ok:
            return None
        self.choices(head, "frequencies", FREQUENCIES, ("month",), "system")
        self.choices(head, "levels", LEVELS, ("province",), "system")
        indicators = [i for item in raw.get("indicators") or [] if (i := self.indicator(item, head, str(head["id"])))]
        return IndicatorSystem(
            id=str(head["id"]), name_zh=str(head["name_zh"]), name_en=str(head["name_en"]),
            description=str(head["description"]).strip(), owner=str(head.get("owner", "")), file=self.file,
            indicators=tuple(indicators), headline=tuple(head.get("headline") or ()),
        )


def read_file(path: Path) -> tuple[IndicatorSystem | None, list[Problem]]:
    reader = _Reader(path)
    try:
        raw = load_yaml(path, _LineLoader)
    except YamlLimitError as exc:
        return None, [Problem(str(path), exc.line, f"refused: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(str(path), mark.line + 1 if mark else 1, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    except UnicodeDecodeError:
        return None, [Problem(str(path), 1, "not UTF-8 text")]
    system = reader.system(raw)
    return system, reader.problems


def read_systems(directory: Path | None = None) -> tuple[list[IndicatorSystem], list[Problem]]:
    """Every system in the directory, and every shape problem found on the way."""
    directory = directory or indicator_dir()
    systems, problems = [], []
    files = sorted(directory.glob("*.yaml"))
    if not files:
        problems.append(Problem(str(directory), 0, "no indicator definition files (*.yaml)"))
    for path in files:
        system, found = read_file(path)
        problems.extend(found)
        if system:
            systems.append(system)
    return systems, problems
