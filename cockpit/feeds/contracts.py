"""Feed contracts: what each table of each feed family must look like.

Contracts are data (`data/contracts/*.yaml`, described in that folder's README), loaded into
frozen dataclasses. A contract file with a problem is reported with its path and the table and
column at fault, all problems at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from cockpit.config import paths
from cockpit.regions.hierarchy import LEVELS
from cockpit.safe_yaml import load_yaml

COLUMN_TYPES = ("string", "integer", "float", "boolean", "timestamp", "date", "month", "quarter")

# How a table's records evolve. append_only: a key, once stored, never changes (a repeat is a
# duplicate). latest: the source sends a record again at each step of its life; every version is
# kept, and the one with the highest `version_column` value is the record.
UPDATE_MODES = ("append_only", "latest")
VERSION_COLUMN_TYPES = ("timestamp", "integer")

TIME_TYPES = ("timestamp", "date", "month", "quarter")

# Plausible time, unless a table or column declares otherwise: no feed holds records from
# before 2000, nor (clocks of source systems drift, exports run late at night) more than a day
# ahead of now. A typo year (2206, 9999) would otherwise stretch every period series.
DEFAULT_VALID_FROM = date(2000, 1, 1)
DEFAULT_FUTURE_TOLERANCE_DAYS = 1.0
# Characters a text value may hold unless its column declares `max_length`: room for a long
# complaint, not for a file's worth of lines swallowed by a stray quote.
DEFAULT_MAX_LENGTH = 100_000
# Kinds of personal data a text column may hold (`personal:` in a contract): the reader masks
# them for every viewer not allowed personal data (`cockpit.query.masking`), and such a viewer
# may neither filter nor sort on them.
PERSONAL_KINDS = ("name", "phone", "id_number", "address", "free_text")

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
    max_length: int = DEFAULT_MAX_LENGTH  # characters, for string columns
    # Time columns: overrides of the table's plausible time (a deadline may lie weeks ahead).
    valid_from: date | None = None
    future_tolerance_days: float | None = None
    personal: str | None = None  # one of PERSONAL_KINDS: the column holds personal data of that kind

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
    updates: str = "append_only"  # one of UPDATE_MODES
    # Plausible time for every time column: not before valid_from, not after now + tolerance.
    valid_from: date = DEFAULT_VALID_FROM
    future_tolerance_days: float = DEFAULT_FUTURE_TOLERANCE_DAYS
    version_column: str | None = None  # set exactly when updates is "latest"

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def keeps_latest(self) -> bool:
        """Whether a key holds several versions, the latest of which is the record."""
        return self.updates == "latest"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def personal_columns(self) -> dict[str, str]:
        """Column → kind of personal data (`personal:`), in contract order."""
        return {c.name: c.personal for c in self.columns if c.personal is not None}

    def plausible_time(self, column: Column) -> tuple[date, float]:
        """The earliest date and the days ahead of now a value of a time column may be."""
        return (column.valid_from or self.valid_from,
                self.future_tolerance_days if column.future_tolerance_days is None else column.future_tolerance_days)

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
                         "labels_en", "max_length", "valid_from", "future_tolerance_days", "personal"}
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
    max_length = raw.get("max_length", DEFAULT_MAX_LENGTH)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length <= 0:
        problems.append(f"{where}: max_length must be a positive number of characters, not {max_length!r}")
        max_length = DEFAULT_MAX_LENGTH
    elif "max_length" in raw and ctype != "string":
        problems.append(f"{where}: max_length applies to string columns, not {ctype}")
    personal = raw.get("personal")
    if personal is not None:
        if personal not in PERSONAL_KINDS:
            problems.append(f"{where}: personal {personal!r} is not one of {'|'.join(PERSONAL_KINDS)}")
            personal = None
        elif ctype != "string":
            problems.append(f"{where}: personal applies to string columns, not {ctype}")
            personal = None
    valid_from, tolerance = _plausible_time(raw, where, problems)
    if (valid_from is not None or tolerance is not None) and ctype not in TIME_TYPES:
        problems.append(f"{where}: valid_from and future_tolerance_days apply to time columns "
                        f"({', '.join(TIME_TYPES)}), not {ctype}")
    return Column(
        name=str(name), type=ctype, label_zh=str(raw.get("label_zh", name)), label_en=str(raw.get("label_en", name)),
        required=bool(raw.get("required", False)),
        allowed=tuple(str(v) for v in allowed) if allowed is not None else None,
        min=raw.get("min"), max=raw.get("max"), pattern=pattern, unit=raw.get("unit"), labels_en=labels_en,
        max_length=max_length, valid_from=valid_from, future_tolerance_days=tolerance, personal=personal,
    )


def _plausible_time(raw: dict, where: str, problems: list[str]) -> tuple[date | None, float | None]:
    """`valid_from` (a date) and `future_tolerance_days` (days >= 0) as declared, None where not."""
    valid_from = raw.get("valid_from")
    if valid_from is not None and (not isinstance(valid_from, date) or hasattr(valid_from, "hour")):
        try:
            valid_from = date.fromisoformat(str(valid_from))
        except ValueError:
            problems.append(f"{where}: valid_from must be a date (YYYY-MM-DD), not {valid_from!r}")
            valid_from = None
    tolerance = raw.get("future_tolerance_days")
    if tolerance is not None and (isinstance(tolerance, bool) or not isinstance(tolerance, int | float)
                                  or not 0 <= tolerance <= 36_600):
        problems.append(f"{where}: future_tolerance_days must be a number of days from 0 to 36600, not {tolerance!r}")
        tolerance = None
    return valid_from, float(tolerance) if tolerance is not None else None


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
    for c in columns:
        if c.personal is not None and c.name in key:
            # records are ordered by their key: a personal key would let a masked viewer sort on it
            problems.append(f"{where}, column {c.name}: a personal column cannot be part of the natural_key")
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
    updates, version_column = _updates(raw, columns, key, where, problems)
    valid_from, tolerance = _plausible_time(raw, where, problems)
    return TableContract(
        name=name, family=family, label_zh=str(raw.get("label_zh", name)), label_en=str(raw.get("label_en", name)),
        description=str(raw.get("description", "")).strip(), columns=tuple(columns), natural_key=key,
        region_column=str(region_column), time_column=time_column,
        region_levels=tuple(levels) if levels else None, source=str(path),
        stale_after_days=float(stale_after) if stale_after is not None else None,
        updates=updates, version_column=version_column,
        valid_from=valid_from or DEFAULT_VALID_FROM,
        future_tolerance_days=DEFAULT_FUTURE_TOLERANCE_DAYS if tolerance is None else tolerance,
    )


def _updates(raw: dict, columns: list[Column], key: tuple, where: str,
             problems: list[str]) -> tuple[str, str | None]:
    """The table's `updates` mode and `version_column`, checked against its columns."""
    updates = raw.get("updates", "append_only")
    version_column = raw.get("version_column")
    if updates not in UPDATE_MODES:
        problems.append(f"{where}: updates {updates!r} is not one of {', '.join(UPDATE_MODES)}")
        return "append_only", None
    if updates == "append_only":
        if version_column is not None:
            problems.append(f"{where}: version_column {version_column!r} needs updates: latest")
        return updates, None
    if version_column is None:
        problems.append(f"{where}: updates: latest needs a version_column (the column that orders a key's versions)")
        return updates, None
    by_name = {c.name: c for c in columns}
    column = by_name.get(version_column)
    if column is None:
        problems.append(f"{where}: version_column {version_column!r} is not a column")
    elif column.type not in VERSION_COLUMN_TYPES:
        problems.append(f"{where}: version_column {version_column} is a {column.type}; "
                        f"it must be one of {', '.join(VERSION_COLUMN_TYPES)}")
    elif not column.required:
        problems.append(f"{where}: version_column {version_column} must be required: true "
                        "(a version without one cannot be ordered)")
    elif version_column in key:
        problems.append(f"{where}: version_column {version_column} cannot be part of the natural_key "
                        "(each version would be a new record)")
    return updates, str(version_column)


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
            raw = load_yaml(path)  # size- and alias-limited: a contract cannot exhaust the machine
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
