"""The one door to the data: a reader bound to a viewer and one immutable snapshot.

Pages, view models, exports and reports read everything through a `Reader`: indicator values,
rankings, series, breakdowns, alerts, regions and their names, geometry, units, provenance, feed
status and record pages. Every `region` argument goes through `_scoped`, in this one place: a
region outside the viewer's subtree raises `OutOfScope` and nothing is returned, never a wider
answer. `Reader.region()` hides a parent outside the subtree, so a view cannot fall back to
peers the viewer may not see.

Caching: the snapshot's query cache (`query.snapshot`) holds unscoped results keyed by their
full SQL parameters (a region code among them) and is reached only after the scope check; any
cache of scoped results must include `viewer.key()`, as `Reader.memo` does (it keeps them with
the snapshot's results, so `clear_cached_results` forgets both).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

import cockpit.duck as duck
from cockpit.config import now, paths
from cockpit.duck import quote
from cockpit.feeds.contracts import load_contracts
from cockpit.feeds.lake import table_source
from cockpit.indicators.units import unit_label
from cockpit.query import lake as lake_status
from cockpit.query.lake import DemoInfo
from cockpit.query.snapshot import Snapshot, current_snapshot
from cockpit.query.viewer import Viewer

T = TypeVar("T")
RECORDS_PAGE_LIMIT = 1000  # rows one record page may hold: a grid pages, it never downloads a feed


class OutOfScope(LookupError):
    """A region outside the viewer's subtree: the reader returns nothing for it."""

    def __init__(self, region: object, viewer: Viewer):
        super().__init__(f"region {region!r} is outside this viewer's scope ({viewer.region or 'everything'})")
        self.region = region


@dataclass(frozen=True)
class Provenance:
    """What the numbers shown are: which snapshot, computed when, from data up to when, demo or not,
    and why an older snapshot stands in when the current one is damaged. From the snapshot itself,
    so a deployment holding snapshots and no lake still says what it shows."""

    snapshot_id: str
    created_at: pd.Timestamp | None
    data_as_of: pd.Timestamp | None
    demo: DemoInfo | None
    damage: str | None


@dataclass(frozen=True)
class RecordPage:
    """One page of a feed's rows, in the viewer's scope, and how many rows match in all."""

    feed: str
    rows: pd.DataFrame
    total: int
    offset: int
    limit: int


class Reader:
    """Everything a page may read, for one viewer, from one snapshot."""

    def __init__(self, viewer: Viewer, snapshot: Snapshot, lake_dir: Path | None = None):
        self.viewer = viewer
        self._snap = snapshot
        self._lake = Path(lake_dir) if lake_dir is not None else paths().lake
        self.snapshot_id = snapshot.id
        self.damage = snapshot.damage
        self.root = self._root()
        self._root_level = str(self._snap.region(self.root)["level"])

    @classmethod
    def current(cls, viewer: Viewer) -> Reader:
        """A reader of the snapshot published now (raises query.snapshot.NoSnapshot when there is none)."""
        return cls(viewer, current_snapshot())

    # -- scope -------------------------------------------------------------------------------

    def _root(self) -> str:
        if self.viewer.region is not None:
            self._snap.region(self.viewer.region)  # KeyError: a viewer for a region the snapshot lacks
            return self.viewer.region
        roots = self._snap.roots()
        if len(roots) != 1:
            raise LookupError(f"the snapshot's hierarchy has {len(roots)} roots; a viewer must name its region")
        return roots[0]

    def in_scope(self, region: object) -> bool:
        """Whether `region` is the viewer's root or lies below it (by its ancestor at the root's
        level: one lookup, no set of the subtree's codes)."""
        return isinstance(region, str) and self._snap.ancestor(region, self._root_level) == self.root

    def _scoped(self, region: object) -> str:
        if not self.in_scope(region):
            raise OutOfScope(region, self.viewer)
        return region  # type: ignore[return-value]

    def memo(self, name: str, args: tuple, build: Callable[[], T]) -> T:
        """A scoped result kept with the snapshot's results and keyed by the viewer too: views are
        built once per snapshot, scope and language, not once per request."""
        return self._snap.kept(("memo", self.viewer.key(), name, args), build)

    # -- catalogue (not regional) -----------------------------------------------------------------

    def systems(self) -> pd.DataFrame:
        systems = self._snap.systems()
        return systems[[self.viewer.may_see_theme(s) for s in systems["system"]]].reset_index(drop=True)

    def indicators(self, system: str | None = None) -> pd.DataFrame:
        if system is not None and not self.viewer.may_see_theme(system):
            return self._snap.indicators(system).iloc[0:0]
        found = self._snap.indicators(system)
        return found[[self.viewer.may_see_theme(s) for s in found["system"]]].reset_index(drop=True)

    def indicator(self, indicator: str) -> dict:
        self._check_indicator(indicator)
        return self._snap.indicator(indicator)

    def unit_label(self, unit: str | None) -> str:
        return unit_label(unit, self.viewer.lang)

    def _visible(self, indicators: Sequence[str]) -> list[str]:
        systems = self._snap.indicator_systems()
        return [i for i in indicators if i in systems and self.viewer.may_see_theme(systems[i])]

    def _check_indicator(self, indicator: str) -> str:
        """The indicator, if the snapshot holds it and the viewer may see its system (else KeyError)."""
        system = self._snap.indicator_systems().get(indicator)
        if system is None or not self.viewer.may_see_theme(system):
            raise KeyError(f"no indicator {indicator!r} for this viewer")
        return indicator

    # -- values -------------------------------------------------------------------------------

    def latest_values(self, indicators: Sequence[str], region: str, frequency: str | None = None,
                      complete_only: bool = False) -> pd.DataFrame:
        return self._snap.latest_values(self._visible(indicators), self._scoped(region), frequency, complete_only)

    def headlines(self, region: str) -> pd.DataFrame:
        found = self._snap.headlines(self._scoped(region))
        if found.empty:
            return found
        return found[[self.viewer.may_see_theme(s) for s in found["system"]]].reset_index(drop=True)

    def series(self, indicator: str, region: str, frequency: str) -> pd.DataFrame:
        return self._snap.series(self._check_indicator(indicator), self._scoped(region), frequency)

    def ranking(self, indicator: str, region: str, frequency: str, period: str | None = None) -> pd.DataFrame:
        """The children of `region` ranked on an indicator (each child is in the subtree when `region` is)."""
        return self._snap.ranking(self._check_indicator(indicator), self._scoped(region), frequency, period)

    def composite_parts(self, indicator: str, region: str, frequency: str, period: str) -> pd.DataFrame:
        return self._snap.composite_parts(self._check_indicator(indicator), self._scoped(region), frequency, period)

    def children_values(self, indicator: str, region: str, frequency: str, period: str) -> pd.DataFrame:
        return self._snap.children_values(self._check_indicator(indicator), self._scoped(region), frequency, period)

    def explanation(self, indicator: str, region: str, frequency: str, period: str) -> dict | None:
        return self._snap.explanation(self._check_indicator(indicator), self._scoped(region), frequency, period)

    def breakdown(self, indicator: str, region: str, frequency: str, limit: int = 6) -> pd.DataFrame:
        return self._snap.breakdown(self._check_indicator(indicator), self._scoped(region), frequency, limit)

    def periods(self, indicator: str, frequency: str, complete_only: bool = True) -> list[str]:
        return self._snap.periods(self._check_indicator(indicator), frequency, complete_only)

    def sensor_points(self, region: str) -> pd.DataFrame:
        return self._snap.sensor_points(self._scoped(region))

    def alerts(self, region: str | None = None, limit: int = 50) -> pd.DataFrame:
        """Breaches within `region` (default: the viewer's whole subtree), most severe and newest first."""
        found = self._snap.alerts(limit, within=self._scoped(region if region is not None else self.root))
        return found[[self.viewer.may_see_theme(s) for s in found["system"]]].reset_index(drop=True)

    def failures(self, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        found = self._snap.failures(None if indicators is None else list(indicators))
        return found[[self.viewer.may_see_theme(s) for s in found["system"]]].reset_index(drop=True)

    def late_since(self, indicators: Sequence[str]) -> pd.Timestamp | None:
        return self._snap.late_since(self._visible(indicators), now())

    def data_as_of(self) -> pd.Timestamp | None:
        return self._snap.data_as_of()

    # -- regions ------------------------------------------------------------------------------

    def region(self, region: str) -> dict:
        """Code, name, name_en, level and parent_code; the parent is None when the viewer may not see it."""
        row = dict(self._snap.region(self._scoped(region)))
        if row["parent_code"] is not None and not self.in_scope(row["parent_code"]):
            row["parent_code"] = None
        return row

    def region_name(self, region: str) -> str:
        return self._snap.region_name(self._scoped(region), self.viewer.lang)

    def children(self, region: str) -> pd.DataFrame:
        """The regions directly below `region`: code, name, name_en, level."""
        return self._snap.children(self._scoped(region))

    def level_counts(self) -> dict[str, int]:
        """How many regions of each level the viewer's subtree holds, top level first."""
        return self._snap.level_counts(self.root)

    def geometry(self, region: str) -> dict:
        """The shapes of `region`'s children as a GeoJSON FeatureCollection (what a drill-down map
        draws), each named as a map labels it, in the viewer's language: in English without the
        administrative word (Gongshu, Chun'an), since "District" after every label crowds the
        dense urban cores."""
        from cockpit.regions import load_hierarchy
        from cockpit.regions.geometry import RegionGeometry
        from cockpit.regions.names import short_english

        shapes = RegionGeometry(load_hierarchy()).children_geojson(self._scoped(region))
        if self.viewer.lang == "en":
            for feature in shapes["features"]:
                props = feature["properties"]
                props["name"] = short_english(props.get("name_en") or props["name"])
        return shapes

    # -- provenance ---------------------------------------------------------------------------

    def provenance(self) -> Provenance:
        meta = self._snap.meta()
        created = meta.get("created_at")
        demo = None
        if meta.get("demo_seed") is not None:
            demo = DemoInfo(seed=int(meta["demo_seed"]), scale=float(meta["demo_scale"]), end=meta["demo_end"],
                            built_at=meta.get("demo_built_at", ""))
        return Provenance(snapshot_id=self.snapshot_id, created_at=pd.Timestamp(created) if created else None,
                          data_as_of=self._snap.data_as_of(), demo=demo, damage=self.damage)

    # -- the lake -----------------------------------------------------------------------------

    def feed_status(self) -> pd.DataFrame:
        """Each feed's rows, latest data time, files and quarantined rows: facts about the feeds,
        not about a region, so the same for every viewer."""
        return lake_status.feed_status(self._lake)

    def last_ingest(self) -> dict | None:
        """The lake's newest ingest (table, time, rows loaded), None before the first: a fact about
        the lake, the same for every viewer."""
        return lake_status.last_ingest(self._lake)

    def geometry_notice(self) -> str:
        """What the packaged map boundaries are, in the viewer's language (审图号 rules: boundaries
        that are not an official map say so); "" when nothing needs saying."""
        from cockpit.regions.geometry import geometry_notice

        return geometry_notice().get(self.viewer.lang, "")

    def records(self, feed: str, filters: Mapping[str, Any] | None = None,
                sort: Sequence[tuple[str, str]] | None = None, offset: int = 0, limit: int = 100) -> RecordPage:
        """A page of a feed's rows (the latest version of each record) in the viewer's scope.

        `filters`: column → a value, a list of values, or {"from": a, "to": b} (from inclusive, to
        exclusive), on the feed's own columns; a `region` filter must be in scope and keeps that
        region and everything below it. `sort`: (column, "asc" | "desc") pairs. Values are always
        bound as parameters, never pasted into SQL."""
        contract = load_contracts().table(feed)  # KeyError for an unknown feed
        columns = {c.name for c in contract.columns}
        if not 0 <= int(limit) <= RECORDS_PAGE_LIMIT or int(offset) < 0:
            raise ValueError(f"a record page holds 0 to {RECORDS_PAGE_LIMIT} rows from a non-negative offset")
        asked = dict(filters or {})
        region = self._scoped(asked.pop("region", self.root))
        filters = asked
        where, params = [], []
        for column, wanted in filters.items():
            if column not in columns:
                raise ValueError(f"{feed} has no column {column!r}")
            name = quote(column)
            if isinstance(wanted, Mapping):
                if wanted.get("from") is not None:
                    where.append(f"{name} >= ?")
                    params.append(wanted["from"])
                if wanted.get("to") is not None:
                    where.append(f"{name} < ?")
                    params.append(wanted["to"])
            elif isinstance(wanted, list | tuple | set | frozenset):
                where.append(f"list_contains(?, {name})")
                params.append(list(wanted))
            else:
                where.append(f"{name} = ?")
                params.append(wanted)
        order = []
        for column, direction in sort or ():
            if column not in columns or direction not in ("asc", "desc"):
                raise ValueError(f"cannot sort {feed} by {column!r} {direction!r}")
            order.append(f"{quote(column)} {direction.upper()} NULLS LAST")
        order += [quote(c) for c in contract.natural_key]  # a stable order, so pages do not overlap
        source = table_source(self._lake, feed, contract)
        if contract.region_column is None and region != self._snap.roots()[0]:
            # rows that name no region (sensor readings name their sensor) cannot be scoped by region:
            # only a viewer of the whole hierarchy reads them as records
            raise OutOfScope(region, self.viewer)
        if source is None:
            return RecordPage(feed, pd.DataFrame(columns=[c.name for c in contract.columns]), 0, offset, limit)
        con = duck.memory()
        try:
            if contract.region_column is not None:
                con.register("scope_codes", pd.DataFrame({"code": sorted(self._snap.subtree(region))}))
                where.insert(0, f"{quote(contract.region_column)} IN (SELECT code FROM scope_codes)")
            base = f"FROM {source} AS f" + (" WHERE " + " AND ".join(where) if where else "")
            total = con.execute(f"SELECT count(*) {base}", params).fetchone()[0]
            rows = con.execute(f"SELECT * {base} ORDER BY {', '.join(order)} LIMIT ? OFFSET ?",
                               [*params, int(limit), int(offset)]).df()
        finally:
            con.close()
        return RecordPage(feed, rows, int(total), int(offset), int(limit))


def public_methods() -> list[str]:
    """The reader's public methods: what the scope test enumerates, so a new one cannot be forgotten."""
    return sorted(n for n, v in vars(Reader).items() if callable(v) and not n.startswith("_") and n != "current")
