"""Read-only access to the current indicator snapshot, for pages.

The snapshot file is opened read-only once per snapshot id and shared; each query takes its own
cursor (DuckDB cursors may be used from different threads). When a refresh publishes a new
snapshot, the next call sees the new CURRENT pointer and opens it; when CURRENT or its file is
damaged, the newest whole snapshot is shown instead and says so (`Snapshot.damage`).

A snapshot never changes once published, so query results are kept per snapshot (bounded, least
recently used first out): a screen that many people open, or that redraws every minute, asks
DuckDB once. Callers get a copy they may change.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

import cockpit.duck as duck
from cockpit.indicators import snapshot as store

_lock = threading.Lock()


class NoSnapshot(LookupError):
    """No snapshot has been published yet: `cockpit refresh` makes one."""


RESULTS_KEPT = 4096  # query results kept per snapshot; a big-screen view needs about thirty


@lru_cache(maxsize=2)
def _open(path: str) -> duckdb.DuckDBPyConnection:
    return duck.read_only(Path(path))


class _Results:
    """Query results of one immutable snapshot, least recently used dropped first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.frames: OrderedDict[tuple, pd.DataFrame] = OrderedDict()

    def get(self, key: tuple) -> pd.DataFrame | None:
        with self.lock:
            df = self.frames.get(key)
            if df is not None:
                self.frames.move_to_end(key)
            return df

    def put(self, key: tuple, df: pd.DataFrame) -> None:
        with self.lock:
            self.frames[key] = df
            while len(self.frames) > RESULTS_KEPT:
                self.frames.popitem(last=False)


@lru_cache(maxsize=2)
def _results(path: str) -> _Results:
    return _Results()


def clear_cached_results() -> None:
    """Forget every kept result (benchmarks measure the first view of a scope with this)."""
    _results.cache_clear()


def forget_open_snapshots() -> None:
    """Drop this process's DuckDB handles and kept results (a forked worker opens its own)."""
    _open.cache_clear()
    _results.cache_clear()


def _key(params: list) -> tuple:
    return tuple(tuple(p) if isinstance(p, list) else p for p in params)


class Snapshot:
    """One published snapshot; methods are named for the question they answer."""

    def __init__(self, path: Path, damage: str | None = None):
        self.path = path
        self.id = path.name.removesuffix(store.SUFFIX)
        # Why the snapshot CURRENT names is not shown, when this older whole one stands in for it.
        self.damage = damage
        with _lock:
            self._con = _open(str(path))
            self._results = _results(str(path))

    def _df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        key = (sql, _key(params or []))
        df = self._results.get(key)
        if df is None:
            df = self._read(sql, params)
            self._results.put(key, df)
        return df.copy()

    def _read(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """One query, not kept (for reads whose result is kept in another form)."""
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def _by_system(self, key: tuple, sql: str, params: list) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
        """A read of every indicator of one system at once, kept: the rows without their
        `indicator` column (which `sql` selects first and orders by) and each indicator's range
        of rows.

        A department page asks for a dozen series, rankings and breakdowns of one system at the
        same place and period; each DuckDB query costs a few milliseconds however little it
        reads, so one read for the system answers them all and the rest of the page's."""
        def build() -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
            df = self._read(sql, params)
            names = df["indicator"].to_numpy()
            starts = [0] + [i for i in range(1, len(names)) if names[i] != names[i - 1]]
            ends = starts[1:] + [len(names)]
            ranges = {str(names[a]): (a, b) for a, b in zip(starts, ends, strict=True)} if len(names) else {}
            return df.iloc[:, 1:], ranges
        return self.kept(("by_system", *key), build)

    def _system(self, indicator: str) -> str | None:
        return self.indicator_systems().get(indicator)

    @staticmethod
    def _part(read: tuple[pd.DataFrame, dict[str, tuple[int, int]]], indicator: str) -> pd.DataFrame:
        rows, ranges = read
        start, end = ranges.get(indicator, (0, 0))
        return rows.iloc[start:end].reset_index(drop=True)

    def meta(self) -> dict[str, str]:
        return dict(self._df("SELECT key, value FROM meta").itertuples(index=False, name=None))

    def systems(self) -> pd.DataFrame:
        return self._df("SELECT * FROM systems ORDER BY ordinal")

    def indicators(self, system: str | None = None) -> pd.DataFrame:
        if system is None:
            return self._df("SELECT * FROM indicators ORDER BY system, ordinal")
        return self._df("SELECT * FROM indicators WHERE system = ? ORDER BY ordinal", [system])

    def latest_values(self, indicators: list[str], region: str, frequency: str | None = None,
                      complete_only: bool = False) -> pd.DataFrame:
        """Each indicator's newest value for a region (per frequency), with the one before it.

        `complete_only` skips periods still under way, whose rates and counts would compare
        unfairly with a whole period."""
        freq_clause = ("AND frequency = ?" if frequency else "") + (" AND NOT provisional" if complete_only else "")
        params: list = [indicators, region] + ([frequency] if frequency else [])
        return self._df(f"""
            WITH v AS (
              SELECT *, row_number() OVER (PARTITION BY indicator, frequency ORDER BY period_start DESC) AS n
              FROM indicator_values
              WHERE list_contains(?, indicator) AND region = ? AND value IS NOT NULL {freq_clause})
            SELECT cur.indicator, cur.frequency, cur.period, cur.value, cur.provisional, cur.rank, cur.peer_count,
                   prev.period AS previous_period, prev.value AS previous_value
            FROM v AS cur LEFT JOIN v AS prev
              ON prev.indicator = cur.indicator AND prev.frequency = cur.frequency AND prev.n = 2
            WHERE cur.n = 1""", params)

    def headlines(self, region: str) -> pd.DataFrame:
        """Each system's headline indicators at a region: newest value in the indicator's main
        period (its first frequency), the value before, and what is needed to show them."""
        meta = self._df("""SELECT i.*, s.ordinal AS system_ordinal FROM indicators AS i JOIN systems AS s USING (system)
                           WHERE i.headline ORDER BY s.ordinal, i.ordinal""")
        if meta.empty:
            return meta
        latest = self.latest_values(meta["indicator"].tolist(), region, complete_only=True)
        meta["frequency"] = meta["frequencies"].str.split(",").str[0]
        out = meta.merge(latest, on=["indicator", "frequency"], how="left")
        out["leader"] = None
        out["leader_en"] = None
        # An indicator not defined for the region itself (an index ranking its cities) shows
        # the leader among the region's children instead.
        for idx in out.index[out["value"].isna()]:
            ranking = self.ranking(out.at[idx, "indicator"], region, out.at[idx, "frequency"])
            if len(ranking):
                top = ranking.iloc[0]
                out.loc[idx, ["value", "period", "provisional", "leader", "leader_en"]] = [
                    top["value"], top["period"], top["provisional"], top["name"], top["name_en"]]
        return out

    def series(self, indicator: str, region: str, frequency: str) -> pd.DataFrame:
        """An indicator's values at a region over time, oldest first: period, period_start, value,
        provisional (read with the rest of its system's series at the region)."""
        system = self._system(indicator)
        parts = self._by_system(("series", system, region, frequency), """
            SELECT indicator, period, period_start, value, provisional FROM indicator_values
            WHERE system = ? AND region = ? AND frequency = ? ORDER BY indicator, period_start""",
                                [system, region, frequency])
        return self._part(parts, indicator)

    def ranking(self, indicator: str, parent: str, frequency: str, period: str | None = None) -> pd.DataFrame:
        """The children of `parent` ranked on an indicator in a period (default: the indicator's
        latest complete one), with each one's rank in the period before (read with the rest of its
        system's rankings of the same children)."""
        system = self._system(indicator)
        parts = self._by_system(("ranking", system, parent, frequency, period), f"""
            WITH v AS (SELECT * FROM indicator_values
                       WHERE system = ? AND parent = ? AND frequency = ? AND value IS NOT NULL),
                 p AS (SELECT indicator, coalesce(CAST(? AS VARCHAR),
                                                  max_by(period, period_start) FILTER (WHERE NOT provisional),
                                                  max_by(period, period_start)) AS period
                       FROM v GROUP BY indicator),
                 cur AS (SELECT v.* FROM v JOIN p USING (indicator, period)),
                 cur_start AS (SELECT indicator, min(period_start) AS s FROM cur GROUP BY indicator),
                 prev_start AS (SELECT v.indicator, max(v.period_start) AS s FROM v JOIN cur_start USING (indicator)
                                WHERE v.period_start < cur_start.s GROUP BY v.indicator),
                 prev AS (SELECT v.indicator, v.region, v.rank FROM v JOIN prev_start
                            ON v.indicator = prev_start.indicator AND v.period_start = prev_start.s)
            SELECT cur.indicator, cur.region, r.name, {self._name_en} AS name_en, cur.period, cur.value, cur.rank,
                   cur.peer_count, cur.percentile, cur.provisional, prev.rank AS previous_rank
            FROM cur JOIN regions AS r ON r.code = cur.region LEFT JOIN prev USING (indicator, region)
            ORDER BY cur.indicator, cur.rank NULLS LAST, cur.value DESC, cur.region""",
                                [system, parent, frequency, period])
        return self._part(parts, indicator)

    def ranks_over(self, indicator: str, parent: str, frequency: str, periods: list[str]) -> pd.DataFrame:
        """The ranks of `parent`'s children on an indicator in each of `periods`, in one read (rank
        movement over a year is a dozen rankings): period, region, name, name_en, rank, oldest
        period first and by rank within it, the rows `ranking` gives for each period."""
        return self._df(f"""
            SELECT v.period, v.region, r.name, {self._name_en} AS name_en, v.rank
            FROM indicator_values AS v JOIN regions AS r ON r.code = v.region
            WHERE v.indicator = ? AND v.parent = ? AND v.frequency = ? AND v.value IS NOT NULL
              AND list_contains(?, v.period)
            ORDER BY v.period_start, v.rank NULLS LAST, v.value DESC, v.region""",
                        [indicator, parent, frequency, list(periods)])

    def composite_parts(self, indicator: str, region: str, frequency: str, period: str) -> pd.DataFrame:
        return self._df("""SELECT * FROM composite_parts WHERE indicator = ? AND region = ? AND frequency = ?
                           AND period_start = (SELECT min(period_start) FROM indicator_values
                                               WHERE indicator = ? AND frequency = ? AND period = ?)
                           ORDER BY weight DESC""", [indicator, region, frequency, indicator, frequency, period])

    def indicator(self, indicator: str) -> dict:
        """One indicator's catalogue row (a copy: callers may change it)."""
        rows = self.kept(("indicator_rows",), lambda: {r["indicator"]: r for r in self.indicators().to_dict("records")})
        if indicator not in rows:
            raise KeyError(f"no indicator {indicator!r} in snapshot {self.id}")
        return dict(rows[indicator])

    def breakdown_columns(self, indicator: str) -> list[str]:
        """The columns an indicator is split by, the default first (its measure's `breakdown`, or
        for a formula the columns all it reads share); none for most indicators."""
        declared = self.indicator(indicator).get("breakdowns")
        if isinstance(declared, str):
            return [c for c in declared.split(",") if c]
        # a snapshot written before the catalogue listed them: the columns its rows are split by
        found = self._df("SELECT DISTINCT breakdown FROM breakdowns WHERE indicator = ? ORDER BY breakdown", [indicator])
        return found["breakdown"].dropna().tolist()

    def breakdown(self, indicator: str, region: str, frequency: str, limit: int = 6, by: str | None = None,
                  period: str | None = None) -> pd.DataFrame:
        """An indicator split by the categories of column `by` (default: the first it is split
        by) at a region in a period (default: the latest complete one), largest first: category,
        category_en, value, share (of the indicator's value at the region, for counts and sums;
        else missing) and period. Categories without a value (a rate over no orders) come last.
        Read with the rest of its system's splits by the same column at the region."""
        columns = self.breakdown_columns(indicator)
        if not columns:
            return pd.DataFrame(columns=["category", "category_en", "value", "share", "period"])
        column = by if by is not None else columns[0]
        system = self._system(indicator)
        # Each indicator's own latest complete period at the region (not the latest with
        # categories: a quiet street shows no department this month, not last year's).
        parts = self._by_system(("breakdown", system, region, frequency, column, period), """
            WITH v AS (SELECT indicator, period, period_start, provisional, value FROM indicator_values
                       WHERE system = ? AND region = ? AND frequency = ?),
                 p AS (SELECT indicator,
                              CASE WHEN CAST(? AS VARCHAR) IS NULL
                                   THEN coalesce(max(period_start) FILTER (WHERE NOT provisional), max(period_start))
                                   ELSE max(period_start) FILTER (WHERE period = ?) END AS s
                       FROM v GROUP BY indicator)
            SELECT b.indicator, b.category, b.category_en, b.value, v.value AS total, v.period
            FROM breakdowns AS b JOIN p ON b.indicator = p.indicator AND b.period_start = p.s
              JOIN v ON v.indicator = b.indicator AND v.period_start = b.period_start
            WHERE b.region = ? AND b.frequency = ? AND b.breakdown = ?
            ORDER BY b.indicator, b.value DESC NULLS LAST, b.category""",
                                [system, region, frequency, period, period, region, frequency, column])
        found = self._part(parts, indicator).head(limit)
        additive = bool(self.indicator(indicator).get("additive") is True)
        total = found.pop("total").astype("float64")
        share = found["value"].astype("float64") / total.where(total != 0) if additive else float("nan")
        found.insert(3, "share", share)
        return found.reset_index(drop=True)

    def children_category(self, indicator: str, parent: str, frequency: str, period: str, by: str,
                          category: str) -> pd.DataFrame:
        """One category's value (of column `by`) at every child of `parent` that the indicator has a
        value for in a period, in one read: region, value (0 for a count with no such rows, missing
        for a rate), and whether the child is split at all (`split`: false where breakdowns stop
        above the indicator's own levels)."""
        system = self._system(indicator)
        parts = self._by_system(("children_category", system, parent, frequency, period, by, category), """
            WITH v AS (SELECT indicator, region, level, period_start FROM indicator_values
                       WHERE system = ? AND parent = ? AND frequency = ? AND period = ?),
                 b AS (SELECT b.indicator, b.region, b.category, b.value FROM breakdowns AS b JOIN v
                         ON b.indicator = v.indicator AND b.region = v.region AND b.level = v.level
                        AND b.period_start = v.period_start
                       WHERE b.frequency = ? AND b.breakdown = ?)
            SELECT v.indicator, v.region, max(b.value) FILTER (WHERE b.category = ?) AS value,
                   count(b.category) > 0 AS split
            FROM v LEFT JOIN b USING (indicator, region) GROUP BY v.indicator, v.region
            ORDER BY v.indicator, v.region""", [system, parent, frequency, period, frequency, by, category])
        found = self._part(parts, indicator)
        found["value"] = found["value"].astype("float64")
        if self.indicator(indicator).get("additive") is True:  # a count: split but no such rows is 0
            found.loc[found["value"].isna() & found["split"], "value"] = 0.0
        return found

    def breakdown_series(self, indicator: str, region: str, frequency: str, by: str,
                         categories: list[str]) -> pd.DataFrame:
        """Categories of column `by` over time at a region: long rows (period, period_start,
        category, category_en, value, provisional), oldest first."""
        return self._df("""
            SELECT v.period, v.period_start, b.category, b.category_en, b.value, v.provisional
            FROM breakdowns AS b JOIN indicator_values AS v
              ON v.indicator = b.indicator AND v.region = b.region AND v.frequency = b.frequency
             AND v.period_start = b.period_start AND v.level = b.level
            WHERE b.indicator = ? AND b.region = ? AND b.frequency = ? AND b.breakdown = ?
              AND list_contains(?, b.category)
            ORDER BY v.period_start, list_position(?, b.category)""",
                        [indicator, region, frequency, by, categories, categories])

    def lineage_reads(self) -> dict[str, list[str]]:
        """Each indicator and the indicators it reads directly, as refresh wrote the dependency
        graph into the catalogue; with each one's own feeds (a measure's feed), for lineage."""
        rows = self.indicators()
        if "inputs" not in rows:
            raise LookupError(f"snapshot {self.id} was written before lineage was recorded: run cockpit refresh")
        return {r.indicator: [d for d in (r.inputs or "").split(",") if d] for r in rows.itertuples()}

    def sensor_points(self, area: str) -> pd.DataFrame:
        """IoT sensors in a region and below it, with whether each raised an alarm or a warning in
        the last days of data (`cockpit.indicators.status`)."""
        level = self.region(area)["level"]
        if not level.isidentifier():
            raise KeyError(f"bad region level {level!r}")
        return self._df(f"""SELECT s.* FROM sensor_status AS s JOIN regions AS r ON r.code = s.region_code
                             WHERE r.{level}_code = ? ORDER BY s.sensor_id""", [area])

    def periods(self, indicator: str, frequency: str, complete_only: bool = True) -> list[str]:
        """The periods an indicator has values for, newest first."""
        clause = "AND NOT provisional" if complete_only else ""
        df = self._df(f"""SELECT period, max(period_start) AS s FROM indicator_values
                          WHERE indicator = ? AND frequency = ? AND value IS NOT NULL {clause}
                          GROUP BY period ORDER BY s DESC""", [indicator, frequency])
        return df["period"].tolist()

    def _siblings_key(self, region: str) -> tuple[str, str]:
        """What a read about `region` is kept under so its siblings' reads share it: its parent's
        children (a ranking's peers, a heatmap's rows), or the region alone at the top."""
        parent = self.regions_parent(region)
        return ("parent", parent) if parent is not None else ("region", region)

    def _composite_parts_near(self, system: str | None, region: str, frequency: str,
                              period: str) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
        """Every composite's parts of a system at `region` and its siblings in a period, in one read
        (a page's detail, heatmap and radar ask for a dozen composites at the same peers)."""
        where, code = self._siblings_key(region)
        return self._by_system(("composite_parts", system, where, code, frequency, period), f"""
            SELECT p.indicator, p.region, p.child, p.child_value, p.score, p.weight AS effective_weight, p.share,
                   p.imputed
            FROM composite_parts AS p JOIN indicator_values AS v
              ON v.indicator = p.indicator AND v.region = p.region AND v.frequency = p.frequency
             AND v.period_start = p.period_start AND v.level = p.level
            WHERE v.system = ? AND v.{"parent" if where == "parent" else "region"} = ? AND p.frequency = ?
              AND v.period = ?
            ORDER BY p.indicator, p.region""", [system, code, frequency, period])

    def _composite_children(self, indicator: str) -> pd.DataFrame:
        """A composite's children in definition order (child, ordinal) with their catalogue names,
        units, decimals, polarity and kind; empty for an indicator that is not a composite. Kept:
        callers must not change it."""
        def build() -> pd.DataFrame:
            children = pd.DataFrame(json.loads(self.indicator(indicator)["children"] or "[]"))
            if children.empty:
                return children
            children["ordinal"] = range(len(children))
            catalogue = self.indicators()[["indicator", "name_zh", "name_en", "unit", "decimals", "polarity", "kind"]]
            return children.merge(catalogue, on="indicator", how="left").rename(columns={"indicator": "child"})
        return self.kept(("composite_children", indicator), build)

    def children_values(self, indicator: str, region: str, frequency: str, period: str) -> pd.DataFrame:
        """A composite's children at a region and period: their names, units, raw values, normalised
        scores, weights and shares, in the order the definition lists them."""
        found = self.children_values_of(indicator, [region], frequency, period)
        return found.drop(columns="region") if "region" in found else found

    def children_values_of(self, indicator: str, regions: list[str], frequency: str, period: str) -> pd.DataFrame:
        """`children_values` for several regions (a heatmap of the peers × the composite's children):
        the same columns and a `region` column, regions in code order and each one's children in
        definition order; a region without parts has its children with missing values."""
        base = self._composite_children(indicator)
        if base.empty or not regions:
            return pd.DataFrame()
        system = self._system(indicator)
        regions = sorted(regions)
        reads = {self._siblings_key(r): self._composite_parts_near(system, r, frequency, period) for r in regions}
        parts = pd.concat([self._part(read, indicator) for read in reads.values()], ignore_index=True)
        cells = pd.MultiIndex.from_product([regions, base["child"]], names=["region", "child"])
        values = parts.drop_duplicates(["region", "child"]).set_index(["region", "child"]).reindex(cells)
        rows = np.tile(np.arange(len(base)), len(regions))
        return pd.concat([pd.DataFrame({"region": np.repeat(regions, len(base))}),
                          base.iloc[rows].reset_index(drop=True), values.reset_index(drop=True)], axis=1)

    def explanation(self, indicator: str, region: str, frequency: str, period: str) -> dict | None:
        """The generated sentence on what changed since the previous period, and its driver (read
        with its siblings', which a ranking lists together)."""
        where, code = self._siblings_key(region)

        def build() -> dict[str, dict]:
            df = self._read(f"""SELECT e.* FROM explanations AS e JOIN indicator_values AS v
                                  ON v.indicator = e.indicator AND v.region = e.region AND v.frequency = e.frequency
                                 AND v.period_start = e.period_start AND v.level = e.level
                                WHERE e.indicator = ? AND v.{"parent" if where == "parent" else "region"} = ?
                                  AND e.frequency = ? AND v.period = ?
                                ORDER BY e.region, e.is_driver DESC""", [indicator, code, frequency, period])
            return {str(r): group.iloc[0].to_dict() for r, group in df.groupby("region", sort=False)}
        found = self.kept(("explanations", indicator, where, code, frequency, period), build).get(region)
        return None if found is None else dict(found)

    def regions_parent(self, region: str) -> str | None:
        row = self._region_rows().get(region)
        return None if row is None else row[3]

    def region(self, code: str) -> dict:
        """A region's code, name, level and parent; KeyError for a code the snapshot does not hold."""
        row = self._region_rows().get(code)
        if row is None:
            raise KeyError(f"unknown region code {code!r}")
        return {"code": code, "name": row[0], "name_en": row[1], "level": row[2], "parent_code": row[3]}

    def roots(self) -> tuple[str, ...]:
        """The codes of the hierarchy's top regions (one: the province)."""
        return self.kept(("roots",), lambda: tuple(
            self._df("SELECT code FROM regions WHERE parent_code IS NULL ORDER BY code")["code"]))

    def kept(self, key: tuple, build, epoch: object = None):
        """A value derived from this snapshot, built once and kept with its query results (the
        snapshot never changes): sets and lookups that scope checks and view models ask for on
        every request. Callers must not change what they get.

        `epoch` is for a value that also depends on the clock (a screen's "overdue" notes): a
        value kept at another epoch is built again and replaces it, so a long-running worker
        keeps one per key, not one per minute it has run."""
        key = ("kept", *key)
        found = self._results.get(key)
        if found is None or found[0] != epoch:
            found = (epoch, build())
            self._results.put(key, found)  # type: ignore[arg-type]
        return found[1]

    def subtree(self, region: str) -> frozenset[str]:
        """`region` and every region below it (empty for an unknown code)."""
        def build() -> frozenset[str]:
            try:
                level = self.region(region)["level"]
            except KeyError:
                return frozenset()
            if not str(level).isidentifier():
                raise KeyError(f"bad region level {level!r}")
            return frozenset(self._df(f"SELECT code FROM regions WHERE {level}_code = ?", [region])["code"].tolist())
        return self.kept(("subtree", region), build)

    def _region_rows(self) -> dict[str, tuple]:
        """Every region's (name, name_en, level, parent code, ancestor code at each level…), by code,
        built once a snapshot: scope checks and names are asked hundreds of times a page, one lookup each."""
        def build() -> dict[str, tuple]:
            levels = self.levels()
            codes = ", ".join(f"{lvl}_code" for lvl in levels)
            df = self._df(f"SELECT code, name, {self._name_en} AS name_en, level, parent_code, {codes} FROM regions AS r")
            columns = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns[1:]]
            return dict(zip(df["code"].tolist(), zip(*columns, strict=True), strict=True))
        return self.kept(("region_rows",), build)

    def ancestor(self, region: str, level: str) -> str | None:
        """The region at `level` that `region` lies in (itself, at its own level); None for an
        unknown code or a level above which it does not lie."""
        levels = self.levels()
        if level not in levels:
            return None
        row = self._region_rows().get(region)
        found = row[4 + levels.index(level)] if row is not None else None
        return None if found is None else str(found)

    def indicator_systems(self) -> dict[str, str]:
        """Each indicator's system: what a theme-scoped viewer's checks look up."""
        return self.kept(("indicator_systems",), lambda: dict(
            self._df("SELECT indicator, system FROM indicators").itertuples(index=False, name=None)))

    def children(self, region: str) -> pd.DataFrame:
        """The regions directly below `region`: code, name, name_en, level, in code order."""
        return self._df(f"""SELECT code, name, {self._name_en} AS name_en, level FROM regions AS r
                            WHERE parent_code = ? ORDER BY code""", [region])

    def levels(self) -> list[str]:
        """The hierarchy's levels, top first: the regions table has an ancestor column a level, in order."""
        def build() -> list[str]:
            columns = self._df("""SELECT column_name FROM information_schema.columns WHERE table_name = 'regions'
                                  ORDER BY ordinal_position""")["column_name"]
            return [c.removesuffix("_code") for c in columns if c.endswith("_code") and c != "parent_code"]
        return list(self.kept(("levels",), build))

    def level_counts(self, region: str) -> dict[str, int]:
        """How many regions of each level `region` and those below it hold, top level first."""
        level = self.region(region)["level"]
        if not str(level).isidentifier():
            raise KeyError(f"bad region level {level!r}")
        df = self._df(f"SELECT level, count(*) AS n FROM regions WHERE {level}_code = ? GROUP BY level", [region])
        counts = dict(zip(df["level"], df["n"].astype(int), strict=True))
        return {lvl: counts[lvl] for lvl in self.levels() if lvl in counts}

    def search_regions(self, root: str, text: str, limit: int) -> pd.DataFrame:
        """Regions under `root` (itself included) whose code starts with `text` or whose Chinese or
        English name contains it: code, name, name_en, level; higher levels first, then by code."""
        level = self.region(root)["level"]
        if not str(level).isidentifier():
            raise KeyError(f"bad region level {level!r}")
        depth = {name: i for i, name in enumerate(self.levels())}
        order = " ".join(f"WHEN '{name}' THEN {i}" for name, i in depth.items())
        return self._df(f"""SELECT code, name, {self._name_en} AS name_en, level FROM regions AS r
                            WHERE {level}_code = ? AND (starts_with(code, ?) OR contains(name, ?)
                                                        OR contains(lower({self._name_en}), lower(?)))
                            ORDER BY CASE level {order} END, code LIMIT ?""", [root, text, text, text, limit])

    def descendant_values(self, indicator: str, region: str, level: str, frequency: str,
                          period: str) -> pd.DataFrame:
        """An indicator's values at every region of `level` under `region` in a period, largest
        first: region, name, name_en, value, parent (the streets of a city by overdue orders)."""
        upper = self.region(region)["level"]
        if level not in self.levels() or not str(upper).isidentifier():
            raise KeyError(f"bad region level {level!r}")
        return self._df(f"""SELECT v.region, r.name, {self._name_en} AS name_en, v.value, r.parent_code AS parent
                            FROM indicator_values AS v JOIN regions AS r ON r.code = v.region
                            WHERE v.indicator = ? AND v.frequency = ? AND v.period = ? AND v.level = ?
                              AND r.{upper}_code = ? AND v.value IS NOT NULL
                            ORDER BY v.value DESC, v.region""", [indicator, frequency, period, level, region])

    def data_as_of(self) -> pd.Timestamp | None:
        """The newest data time among the feeds the snapshot was computed from."""
        latest = self._df("SELECT max(as_of) AS latest FROM feeds")["latest"].iloc[0]
        return None if pd.isna(latest) else pd.Timestamp(latest)

    def late_feeds(self, now: datetime) -> dict[str, pd.Timestamp]:
        """Feeds whose latest data is older than their contract allows (`stale_after_days`) at
        `now`, with the time their data ends."""
        def due_times() -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
            feeds = self._df("SELECT * FROM feeds")
            if "stale_after_days" not in feeds:  # a snapshot written before lateness was declared
                return []
            feeds = feeds.dropna(subset=["stale_after_days"])
            ends = pd.to_datetime(feeds["as_of"])
            due = ends + pd.to_timedelta(feeds["stale_after_days"], unit="D")
            return list(zip(feeds["feed"], ends, due, strict=True))
        at = pd.Timestamp(now)
        return {feed: end for feed, end, due in self.kept(("feed_due_times",), due_times) if due < at}

    def late_since(self, indicators: list[str], now: datetime) -> pd.Timestamp | None:
        """When the data behind these indicators ends, if any feed they read is late at `now`."""
        late = self.late_feeds(now)
        if not late:
            return None
        read = self.kept(("indicator_feeds",), lambda: {
            r.indicator: frozenset(f for f in (r.feeds or "").split(",") if f)
            for r in self._df("SELECT indicator, feeds FROM indicators").itertuples()})
        ends = [late[f] for f in set().union(*(read.get(i, frozenset()) for i in indicators)) if f in late]
        return min(ends) if ends else None

    def region_name(self, region: str, lang: str = "zh") -> str:
        row = self._region_rows().get(region)
        if row is None:
            return region
        return str(row[1] if lang == "en" and row[1] is not None else row[0])

    @property
    def _name_en(self) -> str:
        """The English-name column (snapshots written before regions had one: the Chinese name)."""
        columns = self._df("SELECT column_name FROM information_schema.columns WHERE table_name = 'regions'")
        return "r.name_en" if "name_en" in set(columns["column_name"]) else "r.name"

    def alerts(self, limit: int = 50, within: str | None = None) -> pd.DataFrame:
        """Threshold breaches, most severe and newest first; `within` keeps a region and those below it."""
        scope = ""
        params: list = [limit]
        if within is not None:
            scope = """WHERE a.region = ? OR a.region IN (
                         WITH RECURSIVE down(code) AS (SELECT code FROM regions WHERE parent_code = ?
                           UNION ALL SELECT r.code FROM regions AS r JOIN down ON r.parent_code = down.code)
                         SELECT code FROM down)"""
            params = [within, within, limit]
        return self._df(f"""SELECT a.* FROM alerts AS a {scope}
                            ORDER BY CASE a.severity WHEN 'alarm' THEN 0 ELSE 1 END, a.period_start DESC,
                                     a.indicator LIMIT ?""", params)

    def failures(self, indicators: list[str] | None = None) -> pd.DataFrame:
        """Indicators (of `indicators`, default all) that failed at the refresh that wrote this
        snapshot, or at an earlier one whose values they still show: stage, message, file, line,
        and the snapshot and time their kept values come from (NULL: they have none)."""
        def recorded() -> pd.DataFrame:
            present = self._df("SELECT 1 FROM information_schema.tables WHERE table_name = 'refresh_failures'")
            if present.empty:  # a snapshot written before failures were recorded
                return pd.DataFrame(columns=["indicator", "system", "stage", "message", "file", "line",
                                             "kept_from_snapshot", "kept_computed_at"])
            return self._df("SELECT * FROM refresh_failures ORDER BY file, line")
        found = self.kept(("refresh_failures",), recorded)
        if indicators is not None:
            found = found[found["indicator"].isin(indicators)]
        return found.reset_index(drop=True).copy()


def current_snapshot(directory: Path | None = None) -> Snapshot:
    """The snapshot the CURRENT pointer names, or the newest whole one when that is damaged
    (`Snapshot.damage` says why); NoSnapshot when none is published or none is whole."""
    current = store.resolve_current(directory)
    if current is None:
        raise NoSnapshot("no indicator snapshot has been published yet; run `cockpit refresh`")
    return Snapshot(current.path, current.damage)
