"""The administrative hierarchy: province → city → county → street → community → grid.

Loaded from CSV files (columns code, name, level, parent_code, lon, lat; optional name_en), so a deployment swaps
in another province, a single city, or any set of peer units without code changes. A hierarchy
may use fewer levels than the six the cockpit knows; levels keep their order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from cockpit.config import paths

LEVELS: tuple[str, ...] = ("province", "city", "county", "street", "community", "grid")

LEVEL_LABELS: dict[str, dict[str, str]] = {
    "province": {"zh": "省", "en": "Province"},
    "city": {"zh": "市", "en": "City"},
    "county": {"zh": "区县", "en": "County / district"},
    "street": {"zh": "街镇", "en": "Street / town"},
    "community": {"zh": "村社", "en": "Community / village"},
    "grid": {"zh": "网格", "en": "Grid"},
}


class UnknownRegion(KeyError):
    """A region code or name that the hierarchy does not hold."""

    def __init__(self, key: str, what: str = "code"):
        super().__init__(key)
        self.key = key
        self.what = what

    def __str__(self) -> str:
        return f"unknown region {self.what} {self.key!r}"


class HierarchyError(ValueError):
    """A hierarchy file that cannot be used: names the file, line and problem."""


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str | None
    lon: float
    lat: float
    name_en: str = ""  # the English name (file column name_en); the Chinese one when a file has none

    @property
    def depth(self) -> int:
        return LEVELS.index(self.level)

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


class Hierarchy:
    """An immutable region tree with lookups by code and name."""

    def __init__(self, regions: Iterable[Region]):
        self._by_code: dict[str, Region] = {}
        self._children: dict[str | None, list[str]] = {}
        for region in regions:
            if region.code in self._by_code:
                raise HierarchyError(f"duplicate region code {region.code!r}")
            self._by_code[region.code] = region
            self._children.setdefault(region.parent_code, []).append(region.code)
        for region in self._by_code.values():
            if region.parent_code is not None:
                parent = self._by_code.get(region.parent_code)
                if parent is None:
                    raise HierarchyError(
                        f"region {region.code} ({region.name}): parent {region.parent_code!r} is not in the hierarchy"
                    )
                if parent.depth >= region.depth:
                    raise HierarchyError(
                        f"region {region.code} ({region.name}) is a {region.level} under a {parent.level}"
                    )
        self._by_name: dict[str, list[str]] = {}
        for region in self._by_code.values():
            self._by_name.setdefault(region.name, []).append(region.code)
        self._frame: pd.DataFrame | None = None
        self.levels: tuple[str, ...] = tuple(
            lvl for lvl in LEVELS if any(r.level == lvl for r in self._by_code.values())
        )

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def from_csv(cls, files: Iterable[Path]) -> Hierarchy:
        return cls(region for f in files for region in _read_csv(Path(f)))

    # -- lookups ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Region:
        try:
            return self._by_code[str(code)]
        except KeyError:
            raise UnknownRegion(str(code)) from None

    def level(self, code: str) -> str:
        return self.get(code).level

    def roots(self) -> list[Region]:
        return [self._by_code[c] for c in self._children.get(None, [])]

    def children(self, code: str) -> list[Region]:
        self.get(code)
        return [self._by_code[c] for c in self._children.get(code, [])]

    def ancestors(self, code: str) -> list[Region]:
        """Parents of `code` from the nearest up to the root."""
        out = []
        region = self.get(code)
        while region.parent_code is not None:
            region = self._by_code[region.parent_code]
            out.append(region)
        return out

    def path(self, code: str) -> list[Region]:
        """The root first, `code` last: what a breadcrumb shows."""
        return [*reversed(self.ancestors(code)), self.get(code)]

    def at_level(self, level: str, within: str | None = None) -> list[Region]:
        """Every region of a level, optionally only those under `within`."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; levels are {', '.join(LEVELS)}")
        if within is None:
            return [r for r in self._by_code.values() if r.level == level]
        out, stack = [], [within]
        self.get(within)
        while stack:
            code = stack.pop()
            for child in self._children.get(code, []):
                region = self._by_code[child]
                if region.level == level:
                    out.append(region)
                elif region.depth < LEVELS.index(level):
                    stack.append(child)
        return sorted(out, key=lambda r: r.code)

    def find(self, name: str, within: str | None = None) -> list[Region]:
        """Regions called `name` (also without its suffix: 杭州 finds 杭州市), optionally under `within`."""
        codes = list(self._by_name.get(name, []))
        if not codes:
            codes = [c for n, cs in self._by_name.items() if _strip_suffix(n) == name for c in cs]
        found = [self._by_code[c] for c in codes]
        if within is not None:
            found = [r for r in found if r.code == within or any(a.code == within for a in self.ancestors(r.code))]
        return sorted(found, key=lambda r: r.code)

    def by_name(self, name: str, within: str | None = None) -> Region:
        """The one region called `name`; an error names the ambiguity or the missing name."""
        found = self.find(name, within)
        if not found:
            raise UnknownRegion(name, "name")
        if len(found) > 1:
            where = ", ".join(f"{r.code} ({self.display_name(r.code)})" for r in found[:5])
            raise UnknownRegion(f"{name} is ambiguous: {where}", "name")
        return found[0]

    def display_name(self, code: str, depth: int = 2) -> str:
        """The name with its nearest ancestors below the root, e.g. 杭州市西湖区."""
        chain = [r.name for r in self.path(code)[1:]][-depth:] or [self.get(code).name]
        return "".join(chain)

    def frame(self) -> pd.DataFrame:
        """One row a region with its ancestor at each level, for joins in DuckDB (a copy: the
        hierarchy is immutable, so the table is built once)."""
        if self._frame is None:
            self._frame = self._build_frame()
        return self._frame.copy()

    def _build_frame(self) -> pd.DataFrame:
        rows = []
        for region in self._by_code.values():
            row = {"code": region.code, "name": region.name, "name_en": region.name_en or region.name,
                   "level": region.level,
                   "parent_code": region.parent_code, "lon": region.lon, "lat": region.lat}
            for ancestor in [region, *self.ancestors(region.code)]:
                row[f"{ancestor.level}_code"] = ancestor.code
            rows.append(row)
        columns = ["code", "name", "name_en", "level", "parent_code", "lon", "lat"] + [f"{lvl}_code" for lvl in self.levels]
        return pd.DataFrame(rows, columns=columns)


_SUFFIXES = ("省", "市", "区", "县", "自治县", "街道", "镇", "乡", "社区", "村")


def _strip_suffix(name: str) -> str:
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _read_csv(path: Path) -> Iterator[Region]:
    required = ("code", "name", "level", "parent_code", "lon", "lat")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise HierarchyError(f"{path}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            level = (row["level"] or "").strip()
            if not code:
                raise HierarchyError(f"{path}, line {line}: empty code")
            if level not in LEVELS:
                raise HierarchyError(f"{path}, line {line}: level {level!r} is not one of {', '.join(LEVELS)}")
            try:
                lon, lat = float(row["lon"]), float(row["lat"])
            except ValueError:
                raise HierarchyError(f"{path}, line {line}: lon/lat {row['lon']!r}, {row['lat']!r} are not numbers") from None
            name = row["name"].strip()
            yield Region(code=code, name=name, level=level, parent_code=(row["parent_code"] or "").strip() or None,
                         lon=lon, lat=lat, name_en=(row.get("name_en") or "").strip() or name)


def hierarchy_files(directory: Path | None = None) -> list[Path]:
    directory = directory or paths().regions
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise HierarchyError(f"{directory}: no region files (*.csv)")
    return files


@lru_cache(maxsize=4)
def _cached(directory: str, stamp: tuple) -> Hierarchy:
    return Hierarchy.from_csv(hierarchy_files(Path(directory)))


def load_hierarchy(directory: Path | None = None) -> Hierarchy:
    """The hierarchy from every CSV in the regions directory, cached until a file changes."""
    files = hierarchy_files(directory)
    stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _cached(str(files[0].parent), stamp)
