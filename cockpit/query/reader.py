"""The one door to the data: a reader bound to a viewer and one immutable snapshot.

Pages, view models, exports and reports read everything through a `Reader`: indicator values,
rankings, series, breakdowns, alerts, regions and their names, geometry, units, provenance, feed
status and record pages. Every `region` argument goes through `_scoped`, in this one place: a
region outside the viewer's subtree raises `OutOfScope` and nothing is returned, never a wider
answer. `Reader.region()` hides a parent outside the subtree, so a view cannot fall back to
peers the viewer may not see. Themes likewise: every `indicator` argument goes through
`_check_indicator`, and a feed's records through `_check_feed`; one of a system the viewer may
not see raises `OutOfTheme` (a KeyError, as an unknown indicator), and catalogues, values, alerts
and lineage leave such indicators out.

Caching: the snapshot's query cache (`query.snapshot`) holds unscoped results keyed by their
full SQL parameters (a region code among them) and is reached only after the scope check; any
cache of scoped results must include `viewer.key()`, as `Reader.memo` does (it keeps them with
the snapshot's results, so `clear_cached_results` forgets both).
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

import cockpit.duck as duck
from cockpit.config import now, paths
from cockpit.duck import quote
from cockpit.feeds.contracts import TableContract, load_contracts
from cockpit.feeds.lake import table_source
from cockpit.indicators import periods
from cockpit.indicators.units import unit_label
from cockpit.query import lake as lake_status
from cockpit.query.lake import DemoInfo
from cockpit.query.masking import mask_frame
from cockpit.query.records import RecordSet, load_definitions, record_sets
from cockpit.query.snapshot import Snapshot, current_snapshot
from cockpit.query.viewer import Viewer

T = TypeVar("T")
RECORDS_PAGE_LIMIT = 1000  # rows one record page may hold: a grid pages, it never downloads a feed
# DuckDB's memory for one record query: beyond it, an export's sort goes to disk, so a whole-feed
# export holds bounded memory (the issue's 200,000 rows under 500 MB). A sort that spills needs one
# thread within this limit (with two, DuckDB runs out of it instead); a page sorts little and keeps two.
RECORDS_MEMORY_LIMIT = "256MB"
# An export's stream (one thread, Parquet prefetching off: prefetched row groups count against the
# limit and ran it out) sorts within the first of these that is enough; it goes on to the next when
# DuckDB runs out before the first batch (a feed of wider rows). 128 MB sorts the 12345 orders, all
# 25 columns, and keeps a 200,000-row export under 500 MB resident (BENCHMARKS.md, "Records").
RECORDS_STREAM_MEMORY_LIMITS = ("160MB", RECORDS_MEMORY_LIMIT)
SENSOR_FEEDS = ("iot_sensors", "iot_readings")  # what the snapshot's sensor status is made from (indicators.status)


class OutOfScope(LookupError):
    """A region outside the viewer's subtree: the reader returns nothing for it."""

    def __init__(self, region: object, viewer: Viewer):
        super().__init__(f"region {region!r} is outside this viewer's scope ({viewer.region or 'everything'})")
        self.region = region


class OutOfTheme(KeyError):
    """An indicator, or a feed's records, of a theme (indicator system) the viewer may not see: the
    reader returns nothing of it. A KeyError, as an unknown indicator is, so whatever answers one
    answers the other; a page that tells them apart says which."""

    def __init__(self, what: str, systems: Sequence[str]):
        super().__init__(f"{what} is outside this viewer's themes (it belongs to {', '.join(sorted(systems))})")
        self.what = what
        self.systems = tuple(sorted(systems))


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

    def memo(self, name: str, args: tuple, build: Callable[[], T], epoch: object = None) -> T:
        """A scoped result kept with the snapshot's results and keyed by the viewer too: views are
        built once per snapshot, scope and language, not once per request (and once per `epoch`
        for one that depends on the clock, see `Snapshot.kept`)."""
        return self._snap.kept(("memo", self.viewer.key(), name, args), build, epoch)

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
        """The indicator, if the snapshot holds it (else KeyError) and the viewer may see its system
        (else OutOfTheme)."""
        system = self._snap.indicator_systems().get(indicator) if isinstance(indicator, str) else None
        if system is None:
            raise KeyError(f"no indicator {indicator!r} for this viewer")
        if not self.viewer.may_see_theme(system):
            raise OutOfTheme(f"indicator {indicator!r}", [system])
        return indicator

    def _feed_themes(self, feed: str) -> frozenset[str]:
        """The systems whose measures read `feed` (none for a feed no indicator reads)."""
        return self._snap.kept(("feed_systems",), lambda: self._feed_systems(self._snap.indicators())).get(
            feed, frozenset())

    def _may_read(self, feed: str) -> bool:
        """Whether the viewer may see the rows of `feed`: they belong to the themes computed from
        them. A feed no indicator reads (the lists of monitoring stations and sections) is no
        theme's, and open to every viewer in scope."""
        systems = self._feed_themes(feed)
        return self.viewer.themes is None or not systems or any(self.viewer.may_see_theme(s) for s in systems)

    def _check_feed(self, feed: str) -> str:
        """The feed, if the viewer may read it (`_may_read`), else OutOfTheme."""
        if not self._may_read(feed):
            raise OutOfTheme(f"the records of {feed!r}", self._feed_themes(feed))
        return feed

    @staticmethod
    def _feed_systems(catalogue: pd.DataFrame) -> dict[str, frozenset[str]]:
        """Each feed, and the systems whose measures read it."""
        found: dict[str, set[str]] = {}
        for row in catalogue.itertuples():
            if row.kind == "measure" and isinstance(row.feeds, str) and row.feeds:
                found.setdefault(row.feeds, set()).add(row.system)
        return {feed: frozenset(systems) for feed, systems in found.items()}

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

    def ranks_over(self, indicator: str, region: str, frequency: str, periods: Sequence[str]) -> pd.DataFrame:
        """The ranks of `region`'s children on an indicator in several periods, in one read."""
        if isinstance(periods, str) or len(periods) > 500:
            raise ValueError("periods: a list of at most 500 periods")
        return self._snap.ranks_over(self._check_indicator(indicator), self._scoped(region), frequency, list(periods))

    def composite_parts(self, indicator: str, region: str, frequency: str, period: str) -> pd.DataFrame:
        return self._snap.composite_parts(self._check_indicator(indicator), self._scoped(region), frequency, period)

    def children_values(self, indicator: str, region: str, frequency: str, period: str) -> pd.DataFrame:
        return self._snap.children_values(self._check_indicator(indicator), self._scoped(region), frequency, period)

    def children_values_of(self, indicator: str, regions: Sequence[str], frequency: str, period: str) -> pd.DataFrame:
        """A composite's children at several regions in one read (each must be in scope), with a `region` column."""
        if isinstance(regions, str) or len(regions) > 500:
            raise ValueError("regions: a list of at most 500 region codes")
        return self._snap.children_values_of(self._check_indicator(indicator), [self._scoped(r) for r in regions],
                                             frequency, period)

    def explanation(self, indicator: str, region: str, frequency: str, period: str) -> dict | None:
        return self._snap.explanation(self._check_indicator(indicator), self._scoped(region), frequency, period)

    # -- breakdowns (values per category, computed by refresh) and lineage -------------------------

    BREAKDOWN_LIMIT = 5000  # categories one breakdown may return: every department of the province
    BREAKDOWN_SERIES_CATEGORIES = 50  # categories one trend may follow

    def breakdown_columns(self, indicator: str) -> list[str]:
        """The columns an indicator is split by (the default first); empty when it is not split."""
        return self._snap.breakdown_columns(self._check_indicator(indicator))

    def _breakdown_column(self, indicator: str, by: object) -> str | None:
        columns = self._snap.breakdown_columns(indicator)
        if by is not None and by not in columns:
            raise ValueError(f"by: {by!r} is not a column {indicator} is split by; "
                             f"it is split by: {', '.join(columns) or 'none'}")
        return by  # type: ignore[return-value]

    def breakdown(self, indicator: str, region: str, frequency: str, limit: int = 6, by: str | None = None,
                  period: str | None = None) -> pd.DataFrame:
        """The indicator per category of `by` (default: its first breakdown column) at a region in
        `period` (default: the latest complete one), largest first: category, category_en,
        value, share (of the indicator's value, for counts and sums), period."""
        indicator = self._check_indicator(indicator)
        region = self._scoped(region)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= self.BREAKDOWN_LIMIT:
            raise ValueError(f"limit: must be a whole number from 1 to {self.BREAKDOWN_LIMIT}, got {limit!r}")
        if period is not None and not isinstance(period, str):
            raise ValueError(f"period: must be a period label such as 2026-10, got {period!r}")
        return self._snap.breakdown(indicator, region, frequency, limit, self._breakdown_column(indicator, by), period)

    def children_category(self, indicator: str, region: str, frequency: str, period: str, by: str,
                          category: str) -> pd.DataFrame:
        """One category of column `by` at every child of `region` in a period, in one read (a table
        of the children narrowed by a cross filter): region, value, split (false where the child
        is not split by `by`)."""
        indicator = self._check_indicator(indicator)
        region = self._scoped(region)
        if not isinstance(period, str) or not isinstance(category, str) or by is None:
            raise ValueError("period, by and category: one period label, breakdown column and category each")
        return self._snap.children_category(indicator, region, frequency, period,
                                            self._breakdown_column(indicator, by), category)  # type: ignore[arg-type]

    def breakdown_series(self, indicator: str, region: str, frequency: str, by: str,
                         categories: Sequence[str]) -> pd.DataFrame:
        """Chosen categories of column `by` over time at a region ("categories with their
        trend"): long rows period, period_start, category, category_en, value, provisional."""
        indicator = self._check_indicator(indicator)
        region = self._scoped(region)
        if by is None:
            raise ValueError("by: a breakdown column is needed")
        column = self._breakdown_column(indicator, by)
        if (isinstance(categories, str) or not isinstance(categories, Sequence)
                or not all(isinstance(c, str) for c in categories)):
            raise ValueError(f"categories: must be a list of category names, got {categories!r}")
        if not 1 <= len(categories) <= self.BREAKDOWN_SERIES_CATEGORIES:
            raise ValueError(f"categories: between 1 and {self.BREAKDOWN_SERIES_CATEGORIES} are followed, "
                             f"got {len(categories)}")
        return self._snap.breakdown_series(indicator, region, frequency, column, list(dict.fromkeys(categories)))  # type: ignore[arg-type]

    def lineage(self, indicator: str) -> dict:
        """Where an indicator comes from and what it feeds, from the one dependency graph
        (`cockpit.indicators.graph`, as the snapshot's catalogue records it): feeds (read through
        everything it is built from), inputs (the indicators it reads directly), used_by (those
        reading it directly) and edges (from, to) of its neighbourhood two steps up and down.
        Indicators of themes the viewer may not see are left out."""
        from cockpit.indicators.graph import Graph

        indicator = self._check_indicator(indicator)
        rows = self._snap.indicators()
        own_feeds = {r.indicator: [r.feeds] for r in rows.itertuples() if r.kind == "measure" and r.feeds}
        found = Graph.from_reads(self._snap.lineage_reads()).lineage(indicator, own_feeds)
        visible = set(self._visible(list(rows["indicator"])))
        return {"feeds": found["feeds"],
                "inputs": [i for i in found["inputs"] if i in visible],
                "used_by": [i for i in found["used_by"] if i in visible],
                "edges": [(a, b) for a, b in found["edges"] if a in visible and b in visible]}

    def periods(self, indicator: str, frequency: str, complete_only: bool = True) -> list[str]:
        return self._snap.periods(self._check_indicator(indicator), frequency, complete_only)

    def sensor_points(self, region: str) -> pd.DataFrame:
        """The IoT sensors under `region` with their alert state; none for a viewer who may not read
        the feeds the state is made from."""
        found = self._snap.sensor_points(self._scoped(region))
        return found if any(self._may_read(feed) for feed in SENSOR_FEEDS) else found.iloc[0:0]

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

    def search_regions(self, text: str, limit: int = 20) -> pd.DataFrame:
        """Regions of the viewer's subtree whose code starts with `text` or whose name contains it
        (the region picker): code, name, name_en, level, higher levels first."""
        text = str(text).strip()[:40]
        if not text:
            return pd.DataFrame(columns=["code", "name", "name_en", "level"])
        return self._snap.search_regions(self.root, text, max(1, min(int(limit), 100)))

    def descendant_values(self, indicator: str, region: str, level: str, frequency: str, period: str,
                          limit: int | None = None) -> pd.DataFrame:
        """An indicator's values at every region of `level` under `region` (the streets of a city),
        largest first, with a rank among them (1 = largest)."""
        found = self._snap.descendant_values(self._check_indicator(indicator), self._scoped(region), level,
                                             frequency, period)
        found = found.assign(rank=found["value"].rank(method="min", ascending=False).astype("Int64"))
        return found if limit is None else found.head(int(limit))

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

    # -- records ----------------------------------------------------------------------------

    def records(self, feed: str, filters: Mapping[str, Any] | None = None,
                sort: Sequence[tuple[str, str]] | None = None, offset: int = 0, limit: int = 100) -> RecordPage:
        """A page of a feed's rows (the latest version of each record) in the viewer's scope.

        `filters`: column → a value, a list of values, or {"from": a, "to": b} (from inclusive, to
        exclusive), on the feed's own columns; a `region` filter must be in scope and keeps that
        region and everything below it. `sort`: (column, "asc" | "desc") pairs. Values are always
        bound as parameters, never pasted into SQL. Rows of departments the viewer may not see are
        left out; personal data is masked unless the viewer may see it (`cockpit.query.masking`).
        A feed only systems the viewer may not see read raises OutOfTheme."""
        asked = dict(filters or {})
        region = asked.pop("region", self.root)
        return self._record_page(self._record_query(self._check_feed(feed), region, asked, sort), offset, limit)

    def iter_records(self, feed: str, filters: Mapping[str, Any] | None = None,
                     sort: Sequence[tuple[str, str]] | None = None, batch_rows: int = 10_000) -> Iterator[pd.DataFrame]:
        """The rows `records()` pages through, in the same order, masked the same way, streamed
        from DuckDB in batches of at most `batch_rows` (an export of 200k rows holds one batch in
        memory). Everything is checked here, before the first batch: a bad filter or a region
        out of scope raises now, not when the stream is read."""
        asked = dict(filters or {})
        region = asked.pop("region", self.root)
        return self._record_stream(self._record_query(self._check_feed(feed), region, asked, sort), batch_rows)

    def record_columns(self, feed: str) -> list[dict]:
        """What a grid and an export show of a feed: each column's name, label in the viewer's
        language, contract type, kind of personal data (None) and whether it is hidden (free text
        for a viewer not allowed personal data), in contract order."""
        contract = load_contracts().table(feed)  # KeyError for an unknown feed
        return [{"name": c.name, "label": c.label(self.viewer.lang), "type": c.type, "personal": c.personal,
                 "hidden": c.personal == "free_text" and not self.viewer.personal_data}
                for c in contract.columns]

    def record_sets(self, indicator: str, region: str, frequency: str, period: str) -> list[dict]:
        """The sets of rows behind an indicator's value at a region and period: for a measure its
        own rows; for a rate the numerator's and the denominator's; each with the measure's name
        in the viewer's language and its value there (None when the snapshot has none)."""
        region = self._scoped(region)
        self._period_bounds(frequency, period)  # ValueError for a bad frequency or period
        out = []
        for found in self._record_sets(indicator):
            meta = self._snap.indicator(found.indicator)
            out.append({"key": found.key, "indicator": found.indicator, "feed": found.feed, "counts": found.counts,
                        "label": meta["name_zh"] if self.viewer.lang == "zh" else meta["name_en"],
                        "value": self._value_at(found.indicator, region, frequency, period),
                        "accumulate": found.accumulate, "year_to_date": found.year_to_date})
        return out

    def feed_label(self, feed: str) -> str:
        """A feed's name in the viewer's language (KeyError for an unknown feed)."""
        return load_contracts().table(feed).label(self.viewer.lang)

    def indicator_records(self, indicator: str, region: str, frequency: str, period: str, key: str = "value",
                          filters: Mapping | None = None, sort: Sequence[tuple[str, str]] | None = None,
                          offset: int = 0, limit: int = 100) -> RecordPage:
        """The rows of record set `key` of `indicator` in `region`'s subtree and `period`, with
        cross-filters on the feed's columns (as `records()` takes them), sorted, masked; `total`
        counts every matching row (for a count measure, the indicator's value)."""
        return self._record_page(self._indicator_query(indicator, region, frequency, period, key, filters, sort),
                                 offset, limit)

    def iter_indicator_records(self, indicator: str, region: str, frequency: str, period: str, key: str = "value",
                               filters: Mapping | None = None, sort: Sequence[tuple[str, str]] | None = None,
                               batch_rows: int = 10_000) -> Iterator[pd.DataFrame]:
        """The rows `indicator_records()` pages through, streamed in batches (see `iter_records`)."""
        return self._record_stream(self._indicator_query(indicator, region, frequency, period, key, filters, sort),
                                   batch_rows)

    def _record_sets(self, indicator: str) -> list[RecordSet]:
        self._check_indicator(indicator)
        found = self._snap.kept(("record_sets", indicator),
                                lambda: tuple(record_sets(indicator, load_definitions(), load_contracts())))
        visible = set(self._visible([s.indicator for s in found]))
        return [s for s in found if s.indicator in visible]

    def _value_at(self, indicator: str, region: str, frequency: str, period: str) -> float | None:
        series = self._snap.series(indicator, region, frequency)
        hit = series.loc[series["period"] == period, "value"]
        return None if hit.empty or pd.isna(hit.iloc[0]) else float(hit.iloc[0])

    @staticmethod
    def _period_bounds(frequency: str, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """[start, end) of a period label ('2026-10', '2026Q3', '2026') of the given frequency."""
        if frequency not in periods.MONTHS:
            raise ValueError(f"frequency {frequency!r} is not one of {', '.join(periods.MONTHS)}")
        if not isinstance(period, str):
            raise ValueError(f"period {period!r} is not a period label")
        kind, start = periods.parse(period)  # ValueError naming the label
        if kind != frequency:
            raise ValueError(f"period {period!r} is a {kind}, not a {frequency}")
        return pd.Timestamp(start), periods.end(start, frequency)

    def _indicator_query(self, indicator: str, region: str, frequency: str, period: str, key: str,
                         filters: Mapping | None, sort: Sequence[tuple[str, str]] | None) -> _RecordQuery:
        sets = {s.key: s for s in self._record_sets(indicator)}
        if key not in sets:
            raise KeyError(f"indicator {indicator!r} has no record set {key!r}"
                           + (f"; its sets are {', '.join(sets)}" if sets else "; it has no records (a composite)"))
        found = sets[key]
        start, end = self._period_bounds(frequency, period)
        if found.year_to_date:
            start = pd.Timestamp(start.year, 1, 1)
        asked = dict(filters or {})
        if "region" in asked:
            raise ValueError("the region of an indicator's records is its region argument, not a filter")
        contract = load_contracts().table(found.feed)
        column = contract.column(found.time_column)
        time_sql = f"f.{quote(found.time_column)}"
        # A column coarser than the period (a yearly population under a monthly rate) holds the
        # value of the year or quarter the period lies in.
        if column.type == "integer":  # a year column
            bounds = [start.year, (end - pd.Timedelta(microseconds=1)).year + 1]
        elif column.type == "quarter" and frequency == "month":
            bounds = [pd.Timestamp(start.year, 3 * ((start.month - 1) // 3) + 1, 1).date(), end.date()]
        elif column.type == "timestamp":
            bounds = [start.to_pydatetime(), end.to_pydatetime()]
        else:
            bounds = [start.date(), end.date()]
        conditions = [(f"{time_sql} IS NOT NULL", [])]
        if not found.accumulate:
            conditions.append((f"{time_sql} >= ?", [bounds[0]]))
        conditions += [(f"{time_sql} < ?", [bounds[1]]), (f"({found.condition_sql})", [])]
        return self._record_query(found.feed, region, asked, sort, region_column=found.region_column,
                                  conditions=conditions)

    def _record_query(self, feed: str, region: object, filters: Mapping[str, Any],
                      sort: Sequence[tuple[str, str]] | None, region_column: str | None = None,
                      conditions: Sequence[tuple[str, list]] = ()) -> _RecordQuery:
        """Every check of a record read, and its SQL: the region's subtree, the viewer's
        departments, the filters and the order, values as parameters."""
        contract = load_contracts().table(feed)  # KeyError for an unknown feed
        columns = {c.name for c in contract.columns}
        personal = contract.personal_columns
        region = self._scoped(region)
        where: list[str] = []
        params: list = []
        for column, wanted in filters.items():
            if column not in columns:
                raise ValueError(f"{feed} has no column {column!r}")
            if column in personal and not self.viewer.personal_data:
                raise ValueError(f"{feed}.{column} holds personal data ({personal[column]}): "
                                 "this viewer may not filter on it")
            name = f"f.{quote(column)}"
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
            if column in personal and not self.viewer.personal_data:
                raise ValueError(f"{feed}.{column} holds personal data ({personal[column]}): "
                                 "this viewer may not sort on it")
            order.append(f"f.{quote(column)} {direction.upper()} NULLS LAST")
        order += [f"f.{quote(c)}" for c in contract.natural_key]  # a stable order, so pages do not overlap
        if self.viewer.departments is not None and "department" in columns:
            # a viewer of some departments sees only their records: not returned, counted or exported
            where.append("list_contains(?, f.department)")
            params.append(sorted(self.viewer.departments))
        for sql, values in conditions:
            where.append(sql)
            params.extend(values)
        region_column = region_column or contract.region_column
        if region_column not in columns and region != self._snap.roots()[0]:
            # rows that name no region (sensor readings name their sensor) cannot be scoped by region:
            # only a viewer of the whole hierarchy reads them as records
            raise OutOfScope(region, self.viewer)
        scope = None
        if region_column in columns:
            scope = sorted(self._snap.subtree(region))
            where.insert(0, f"f.{quote(region_column)} IN (SELECT code FROM scope_codes)")
        return _RecordQuery(contract, table_source(self._lake, feed, contract), where, params, order, scope,
                            None if self.viewer.personal_data else personal, self.viewer.lang)

    @staticmethod
    def _record_connection(q: _RecordQuery | None, threads: int = 2, memory_limit: str = RECORDS_MEMORY_LIMIT,
                           prefetch: bool = True):
        """A connection configured for record reads, with `q`'s scope registered (none for None)."""
        con = duck.memory()
        # a whole-feed export sorts every matching row: past this much, DuckDB sorts on disk, so an
        # export's memory stays bounded however large the slice (the 200,000 rows, 500 MB)
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET temp_directory = ?", [str(Path(tempfile.gettempdir()) / "cockpit-duckdb")])
        con.execute(f"SET threads = {int(threads)}")
        if not prefetch:
            con.execute("SET disable_parquet_prefetching = true")
        if q is not None and q.scope is not None:
            con.register("scope_codes", pd.DataFrame({"code": q.scope}))
        return con

    @classmethod
    def _page_connection(cls, q: _RecordQuery) -> duckdb.DuckDBPyConnection:
        """The calling thread's connection for record pages, with `q`'s scope registered: opening
        and configuring a DuckDB connection costs more than a page's two queries, and a grid asks
        for a page at every scroll. Nothing of one query stays for the next (the scope table is
        replaced, the rest are settings)."""
        con = getattr(_page_connections, "con", None)
        if con is None:
            con = _page_connections.con = cls._record_connection(None)
        if q.scope is not None:
            con.register("scope_codes", pd.DataFrame({"code": q.scope}))
        return con

    def _record_page(self, q: _RecordQuery, offset: int, limit: int) -> RecordPage:
        if not 0 <= int(limit) <= RECORDS_PAGE_LIMIT or int(offset) < 0:
            raise ValueError(f"a record page holds 0 to {RECORDS_PAGE_LIMIT} rows from a non-negative offset")
        feed = q.contract.name
        if q.source is None:
            return RecordPage(feed, pd.DataFrame(columns=q.contract.column_names), 0, offset, limit)

        def read() -> RecordPage:
            con = self._page_connection(q)
            try:
                total = con.execute(f"SELECT count(*) {q.base}", q.params).fetchone()[0]
                rows = con.execute(f"SELECT f.* {q.base} ORDER BY {', '.join(q.order)} LIMIT ? OFFSET ?",
                                   [*q.params, int(limit), int(offset)]).df()
            except BaseException:
                _page_connections.con = None  # an interrupted query: the next page opens a fresh connection
                con.close()
                raise
            finally:
                if q.scope is not None and getattr(_page_connections, "con", None) is con:
                    con.unregister("scope_codes")
            return RecordPage(feed, q.masked(rows), int(total), int(offset), int(limit))

        # Kept for the viewer (masking and scope are theirs) and this exact read: the source names
        # the table's part files, which the lake never changes in place (an ingest or a compaction
        # adds or replaces files), so a page of the same files is the same page. A records list
        # that many staff open, or a grid scrolled back, costs no query.
        key = (q.base, tuple(tuple(p) if isinstance(p, list) else p for p in q.params), tuple(q.order),
               tuple(q.scope) if q.scope is not None else None, int(offset), int(limit))
        found = self.memo("record-page", key, read)
        return dataclasses.replace(found, rows=found.rows.copy())  # the caller may change its copy

    def _record_stream(self, q: _RecordQuery, batch_rows: int) -> Iterator[pd.DataFrame]:
        if isinstance(batch_rows, bool) or not isinstance(batch_rows, int) or not 1 <= batch_rows <= 100_000:
            raise ValueError(f"batch_rows must be a whole number from 1 to 100000, not {batch_rows!r}")

        def stream() -> Iterator[pd.DataFrame]:
            if q.source is None:
                return
            sql = f"SELECT f.* {q.base} ORDER BY {', '.join(q.order)}"
            for limit in RECORDS_STREAM_MEMORY_LIMITS:
                con = self._record_connection(q, threads=1, memory_limit=limit, prefetch=False)
                try:
                    try:  # the sort runs before the first batch: running out here, nothing is sent yet
                        batches = con.sql(sql, params=q.params).to_arrow_reader(batch_rows)
                        batch = batches.read_next_batch()
                    except StopIteration:
                        return
                    except duckdb.OutOfMemoryException:
                        if limit == RECORDS_STREAM_MEMORY_LIMITS[-1]:
                            raise
                        continue
                    while True:  # DuckDB hands over one batch at a time
                        # nothing of a batch is kept once it is handed on (not even while suspended)
                        frames = [q.masked(batch.to_pandas())] if batch.num_rows else []
                        batch = None
                        if frames:
                            yield frames.pop()
                        try:
                            batch = batches.read_next_batch()
                        except StopIteration:
                            return
                finally:
                    con.close()

        return stream()


@dataclass(frozen=True)
class _RecordQuery:
    """A checked record read: the feed's source, conditions and their parameters, the order, the
    region codes in scope, and what to mask (None: nothing, for a viewer allowed personal data)."""

    contract: TableContract
    source: str | None
    where: list[str]
    params: list
    order: list[str]
    scope: list[str] | None
    mask: dict[str, str] | None
    lang: str

    @property
    def base(self) -> str:
        return f"FROM {self.source} AS f" + (" WHERE " + " AND ".join(self.where) if self.where else "")

    def masked(self, rows: pd.DataFrame) -> pd.DataFrame:
        return mask_frame(rows, self.mask, self.lang) if self.mask else rows


# Each serving thread's connection for record pages (`Reader._page_connection`).
_page_connections = threading.local()


def public_methods() -> list[str]:
    """The reader's public methods: what the scope test enumerates, so a new one cannot be forgotten."""
    return sorted(n for n, v in vars(Reader).items() if callable(v) and not n.startswith("_") and n != "current")
