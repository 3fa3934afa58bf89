"""Feed contracts: what each table of each feed family must look like.

Contracts are data (`data/contracts/*.yaml`, described in that folder's README), loaded into
frozen dataclasses. A contract file with a problem is reported with its path and the table and
column at fault, all problems at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from cockpit.config import paths
from cockpit.regions.hierarchy import LEVELS

COLUMN_TYPES = ("string", "integer", "float", "boolean", "timestamp", "date", "month", "quarter")

# DuckDB / Arrow storage type of each contract type.
STORAGE_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "float": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "month": "DATE",
    "quarter": "DATE",
}


class ContractError(ValueError):
    """One or more problems in contract files, each naming file, table and column."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    label_zh: str
    label_en: str
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    unit: str | None = None
    labels_en: dict[str, str] | None = None  # English for the column's values (categories), where known

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class TableContract:
    name: str
    family: str
    label_zh: str
    label_en: str
    description: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    region_column: str
    time_column: str | None = None
    region_levels: tuple[str, ...] | None = None
    source: str = ""
    # Days after the end of its latest data when the feed counts as late: its cadence plus the
    # usual publication delay (a month's statistics arrive around the 20th of the next month).
    stale_after_days: float | None = None

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")


@dataclass(frozen=True)
class Family:
    name: str
    label_zh: str
    label_en: str
    tables: tuple[TableContract, ...]
    source: str = ""

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Contracts:
    families: tuple[Family, ...]
    _tables: dict[str, TableContract] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for fam in self.families:
            for t in fam.tables:
                self._tables[t.name] = t

    @property
    def tables(self) -> list[TableContract]:
        return [t for fam in self.families for t in fam.tables]

    def table(self, name: str) -> TableContract:
        try:
            return self._tables[name]
        except KeyError:
            known = ", ".join(sorted(self._tables))
            raise KeyError(f"unknown feed {name!r}; known feeds: {known}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._tables


def _column(raw: object, where: str, problems: list[str]) -> Column | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a column must be a mapping, got {raw!r}")
        return None
    name = raw.get("name")
    if not name or not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
        problems.append(f"{where}: column name {name!r} must be lower_snake_case")
        return None
    where = f"{where}, column {name}"
    ctype = raw.get("type")
    if ctype not in COLUMN_TYPES:
        problems.append(f"{where}: type {ctype!r} is not one of {', '.join(COLUMN_TYPES)}")
        return None
    unknown = set(raw) - {"name", "type", "label_zh", "label_en", "required", "allowed", "min", "max", "pattern", "unit",
                         "labels_en"}
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("label_zh", "label_en"):
        if not raw.get(key):
            problems.append(f"{where}: missing {key}")
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"{where}: pattern {pattern!r} is not a regular expression ({exc})")
    allowed = raw.get("allowed")
    if allowed is not None and not isinstance(allowed, list):
        problems.append(f"{where}: allowed must be a list")
        allowed = None
    labels_en = raw.get("labels_en")
    if labels_en is not None and not (isinstance(labels_en, dict)
                                      and all(isinstance(k, str) and isinstance(v, str) for k, v in labels_en.items())):
        problems.append(f"{where}: labels_en must map each value to its English label")
        labels_en = None
    return Column(
        name=str(name), type=ctype, label_zh=str(raw.get("label_zh", name)), label_en=str(raw.get("label_en", name)),
        required=bool(raw.get("required", False)),
        allowed=tuple(str(v) for v in allowed) if allowed is not None else None,
        min=raw.get("min"), max=raw.get("max"), pattern=pattern, unit=raw.get("unit"), labels_en=labels_en,
    )


def _table(raw: object, family: str, path: Path, problems: list[str]) -> TableContract | None:
    if not isinstance(raw, dict) or not raw.get("name"):
        problems.append(f"{path}: every table needs a name")
        return None
    name = str(raw["name"])
    where = f"{path}, table {name}"
    columns = [c for i, rc in enumerate(raw.get("columns") or []) if (c := _column(rc, where, problems))]
    if not columns:
        problems.append(f"{where}: no columns")
    names = [c.name for c in columns]
    for dup in {n for n in names if names.count(n) > 1}:
        problems.append(f"{where}: column {dup} declared twice")
    key = tuple(raw.get("natural_key") or ())
    if not key:
        problems.append(f"{where}: natural_key is missing")
    for k in key:
        if k not in names:
            problems.append(f"{where}: natural_key column {k!r} is not a column")
    region_column = raw.get("region_column")
    if region_column not in names:
        problems.append(f"{where}: region_column {region_column!r} is not a column")
    time_column = raw.get("time_column")
    if time_column is not None and time_column not in names:
        problems.append(f"{where}: time_column {time_column!r} is not a column")
    levels = raw.get("region_levels")
    if levels is not None:
        bad = [lvl for lvl in levels if lvl not in LEVELS]
        if bad:
            problems.append(f"{where}: region_levels {bad} are not among {', '.join(LEVELS)}")
    for key_name in ("label_zh", "label_en"):
        if not raw.get(key_name):
            problems.append(f"{where}: missing {key_name}")
    stale_after = raw.get("stale_after_days")
    if stale_after is not None and (isinstance(stale_after, bool) or not isinstance(stale_after, int | float)
                                    or stale_after <= 0):
        problems.append(f"{where}: stale_after_days must be a positive number of days, not {stale_after!r}")
        stale_after = None
    if stale_after is not None and time_column is None:
        problems.append(f"{where}: stale_after_days needs a time_column to measure lateness from")
    return TableContract(
        name=name, family=family, label_zh=str(raw.get("label_zh", name)), label_en=str(raw.get("label_en", name)),
        description=str(raw.get("description", "")).strip(), columns=tuple(columns), natural_key=key,
        region_column=str(region_column), time_column=time_column,
        region_levels=tuple(levels) if levels else None, source=str(path),
        stale_after_days=float(stale_after) if stale_after is not None else None,
    )


def load_contracts(directory: Path | None = None) -> Contracts:
    """Every contract file in the directory; raises ContractError listing every problem."""
    directory = directory or paths().contracts
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    return _load(stamp)


@lru_cache(maxsize=4)
def _load(stamp: tuple) -> Contracts:
    problems: list[str] = []
    families = []
    seen: dict[str, str] = {}
    if not stamp:
        raise ContractError(["no contract files (*.yaml) found"])
    for filename, _ in stamp:
        path = Path(filename)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f", line {mark.line + 1}" if mark else ""
            problems.append(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})")
            continue
        if not isinstance(raw, dict) or not raw.get("family"):
            problems.append(f"{path}: a contract file needs a 'family' and a list of 'tables'")
            continue
        family = str(raw["family"])
        tables = [t for rt in raw.get("tables") or [] if (t := _table(rt, family, path, problems))]
        for t in tables:
            if t.name in seen:
                problems.append(f"{path}: table {t.name} is also declared in {seen[t.name]}")
            seen[t.name] = str(path)
        families.append(Family(name=family, label_zh=str(raw.get("label_zh", family)),
                               label_en=str(raw.get("label_en", family)), tables=tuple(tables), source=str(path)))
    if problems:
        raise ContractError(problems)
    order = {"economy": 0, "governance": 1, "environment": 2, "infrastructure": 3}
    families.sort(key=lambda f: (order.get(f.name, 99), f.name))
    return Contracts(families=tuple(families))
