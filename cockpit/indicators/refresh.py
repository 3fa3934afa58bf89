"""Refresh: compute every indicator for every region level and period, and publish a snapshot.

Stages, each its own module: definitions (read) → validate (check) → measures (one DuckDB scan
per feed) → formulas (SQL over the values so far) → composites (normalise, weight, explain)
→ ranks (one rule for every value and every explanation) → alerts (targets and thresholds) →
snapshot (write, then swap the pointer).

Analysts' SQL runs on the sandboxed connection of cockpit.duck: only the lake directory is
readable, nothing else on disk or network, no extension can load, and the configuration is
locked before any definition's SQL is run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

import cockpit.duck as duck
from cockpit.config import paths
from cockpit.duck import quote
from cockpit.feeds.contracts import Contracts, load_contracts
from cockpit.feeds.lake import demo_marker, table_source
from cockpit.indicators import formulas, measures, ranks, snapshot
from cockpit.indicators.composite import compute_composite, explain_changes
from cockpit.indicators.definitions import DefinitionError, read_systems
from cockpit.indicators.graph import Graph, dependencies  # noqa: F401 - dependencies: for callers
from cockpit.indicators.model import Indicator, IndicatorSystem
from cockpit.indicators.periods import MONTHS
from cockpit.indicators.status import sensor_status
from cockpit.indicators.validate import check_systems, first_line
from cockpit.regions import Hierarchy, load_hierarchy

VALUE_COLUMNS = ["indicator", "level", "frequency", "region", "period_start", "value"]
# The order the big tables are written in, so that DuckDB's zone maps skip most row groups without
# an index: a department page reads one system (or one indicator's split) at one place or at the
# children of one place, and a place's children are neighbours in code order within their level.
SORTED_TABLES = {"indicator_values": "system, level, region, indicator, frequency, period_start",
                 "breakdowns": "level, region, indicator, frequency, breakdown"}
# What an analyst's SQL or a composite can raise on data that `cockpit check` could not foresee
# (a cast meeting text, an overflow, a date out of range): the indicator fails, not the refresh.
# Anything else (a full disk, a bug) still stops the refresh and publishes nothing.
DATA_ERRORS = (duckdb.Error, ValueError, ArithmeticError)


DEMO_FACTS = ("seed", "scale", "end", "built_at")  # of the lake's demo marker, kept in the snapshot's meta


class RefreshError(RuntimeError):
    pass


@dataclass(frozen=True)
class Failure:
    """An indicator that could not be computed at this refresh, and what is shown instead."""

    indicator: str
    system: str
    stage: str  # measure | breakdown | formula | composite | dependency (it reads one that failed)
    message: str
    file: str
    line: int
    kept_from: str | None = None  # the snapshot whose values it keeps; None: it has none yet
    kept_computed_at: pd.Timestamp | None = None  # when those values were computed

    def __str__(self) -> str:
        kept = (f"values of snapshot {self.kept_from} kept" if self.kept_from else "no previous values to keep")
        return f"{self.file}:{self.line}: indicator {self.indicator}: {self.stage} failed: {self.message} ({kept})"


@dataclass
class RefreshReport:
    snapshot_id: str
    path: Path
    seconds: float
    indicators: int
    values: int
    computed: list[str]
    copied: list[str]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    failed: list[Failure] = field(default_factory=list)  # published without these: their previous values are kept


def load_valid_systems(directory: Path | None = None, contracts: Contracts | None = None,
                       hierarchy: Hierarchy | None = None) -> list[IndicatorSystem]:
    systems, problems = read_systems(directory)
    contracts = contracts or load_contracts()
    hierarchy = hierarchy or load_hierarchy()
    problems = problems + check_systems(systems, contracts, hierarchy.levels, run=False)
    if problems:
        raise DefinitionError(sorted(problems, key=lambda p: (p.file, p.line)))
    return systems


def feed_sources(lake: Path, feeds: Iterable[str]) -> dict[str, str]:
    """DuckDB source expressions of the feeds that have data: only finished part files."""
    return {feed: source for feed in feeds if (source := table_source(lake, feed)) is not None}


def refresh(
    only: str | None = None,
    feeds: Iterable[str] | None = None,
    lake_dir: Path | None = None,
    snapshot_dir: Path | None = None,
    definitions_dir: Path | None = None,
    retention: int = snapshot.DEFAULT_RETENTION,
) -> RefreshReport:
    """Compute and publish a new snapshot.

    `only`: recompute one system (and what it reads); `feeds`: recompute what those feeds
    affect (after an ingest). Either way the other indicators' values are carried over from the
    current snapshot, so the new one is complete. Without either, everything is recomputed.

    An indicator whose SQL or composite fails on the data (a cast that meets text, a date out
    of range) fails alone: it and everything that reads it keep their values of the current
    snapshot, recorded in `refresh_failures`, and the rest publish. When every indicator
    computed fails, nothing is published (RefreshError): a snapshot of nothing but the old
    values, all marked failed, would only hide the last good one behind a new id.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    lake = Path(lake_dir or paths().lake)
    contracts, hierarchy = load_contracts(), load_hierarchy()
    systems = load_valid_systems(definitions_dir, contracts, hierarchy)
    indicators = {i.id: i for s in systems for i in s.indicators}
    graph = Graph(indicators)
    if only is not None and only not in {s.id for s in systems}:
        raise RefreshError(f"unknown indicator system {only!r}; systems are: {', '.join(s.id for s in systems)}")
    previous = snapshot.current_path(snapshot_dir)
    to_compute = set(indicators)
    if (only or feeds) and previous is not None:
        if only:
            to_compute = graph.upstream(i.id for i in indicators.values() if i.system == only)
        else:
            changed = {i.id for i in indicators.values() if i.measure and i.measure.feed in set(feeds or ())}
            to_compute = graph.upstream(graph.downstream(changed))
    timings["definitions"] = time.perf_counter() - started

    con = duck.sandbox([lake])  # analysts' SQL runs here: it reads the lake and nothing else
    frame = hierarchy.frame()
    con.register("regions_frame", frame)
    con.execute("CREATE TABLE regions AS SELECT * FROM regions_frame")
    con.unregister("regions_frame")
    ranks.register(con, indicators.values())
    order = [i for i in graph.order() if i in to_compute]
    used_feeds = {indicators[i].measure.feed for i in order if indicators[i].measure}  # type: ignore[union-attr]
    sources = feed_sources(lake, used_feeds)
    feed_as_of = _feed_as_of(con, contracts, sources)
    window = _data_window(con, contracts, sources, feed_as_of)

    t = time.perf_counter()
    store = ValueStore(con)
    computed = [indicators[i] for i in order]
    failed: dict[str, tuple[str, str]] = {}  # indicator → (stage, message)
    splits = BreakdownStore(con, contracts)
    _compute_measures(con, [i for i in computed if i.measure], contracts, sources, hierarchy.levels, window, store,
                      splits, failed)
    sensors = sensor_status(con, lake)
    timings["measures"] = time.perf_counter() - t

    t = time.perf_counter()
    parent_of = dict(zip(frame["code"], frame["parent_code"], strict=True))
    names = dict(zip(frame["code"], frame["name"], strict=True))
    names_en = dict(zip(frame["code"], frame["name_en"], strict=True))
    composite_parts, explanations = _compute_derived(con, [indicators[i] for i in order if not indicators[i].measure],
                                                     graph, store, parent_of, names, names_en, failed, splits)
    timings["formulas_composites"] = time.perf_counter() - t
    if failed and not set(to_compute) - set(failed):
        con.close()
        raise RefreshError("every indicator failed, nothing was published (the current snapshot stays):\n"
                           + "\n".join(str(f) for f in _failures(failed, indicators, None)))

    t = time.perf_counter()
    _finish_values(con, graph, feed_as_of)  # the table `finished`: values stay in DuckDB to the end
    copied = set(indicators) - to_compute
    failures = _failures(failed, indicators, None)
    if (copied or failed) and previous is not None:
        composite_parts, explanations, old_breakdowns, failures = _carry_over(
            con, previous, copied, failed, indicators, composite_parts, explanations, [])
        splits.add(_concat(old_breakdowns))
    alerts = _alerts(con, indicators, names, names_en)
    values = con.sql("SELECT * FROM finished ORDER BY indicator, frequency, level, region").to_arrow_table()
    breakdowns = splits.table()
    con.close()
    timings["ranks_alerts"] = time.perf_counter() - t

    t = time.perf_counter()
    ident = snapshot.new_snapshot_id()
    try:
        with snapshot.writer_lock(snapshot_dir):
            snapshot.discard_partials(snapshot_dir)  # what a killed refresh left behind
            partial = snapshot.partial_path(ident, snapshot_dir)
            try:
                _write(partial, ident, systems, values, {
                    "composite_parts": _concat(composite_parts), "explanations": _concat(explanations),
                    "alerts": alerts, "breakdowns": breakdowns, "sensor_status": sensors,
                    "refresh_failures": _failure_table(failures)},
                    frame, feed_as_of, contracts, timings, demo=demo_marker(lake))
                final = snapshot.publish(partial, snapshot_dir, retention)
            finally:
                for leftover in partial.parent.glob(partial.name + "*"):
                    leftover.unlink(missing_ok=True)
    except (OSError, duckdb.IOException) as exc:
        # A full disk (or a folder that cannot be written) while the snapshot is written or its
        # pointer swapped: `publish` leaves CURRENT as it was, so say that in one line the
        # operator can act on, not as a bug's traceback (DuckDB's own is an IOException).
        kept = (f"snapshot {previous.name.removesuffix(snapshot.SUFFIX)} is still the current one" if previous
                else "there is still no snapshot")
        raise RefreshError(f"could not write the snapshot in {snapshot.snapshot_dir(snapshot_dir)}: "
                           f"{first_line(exc)}; nothing was published ({kept})") from exc
    timings["publish"] = time.perf_counter() - t
    return RefreshReport(snapshot_id=ident, path=final, seconds=time.perf_counter() - started,
                         indicators=len(indicators), values=values.num_rows, computed=sorted(to_compute - set(failed)),
                         copied=sorted(copied), stage_seconds=timings,
                         failed=[f for f in failures if f.indicator in failed])


def _compute_measures(con: duckdb.DuckDBPyConnection, inds: list[Indicator], contracts: Contracts,
                      sources: dict[str, str], levels: tuple[str, ...], window, store: ValueStore,
                      splits: BreakdownStore, failed: dict[str, tuple[str, str]]) -> None:
    """Every measure's values into the store, one scan per batch of a feed, and their values
    per category into `splits`. A measure that fails is added to `failed` and keeps nothing in
    either."""
    for batch in measures.batches(inds, contracts):
        if batch.feed not in sources:
            continue
        source = sources[batch.feed]
        used = [lvl for lvl in levels if any(lvl in i.levels for i in batch.indicators)]

        def values(part: tuple[Indicator, ...], batch=batch, source=source, used=used) -> None:
            measures.compute_batch(con, replace(batch, indicators=part), source, used, window, store)

        def split(part: tuple[Indicator, ...], batch=batch, source=source, used=used) -> None:
            measures.compute_breakdowns(con, replace(batch, indicators=part), source, used, splits)

        bad = _isolating(values, batch.indicators, store.discard)
        failed.update((i, ("measure", m)) for i, m in bad.items())
        bad = _isolating(split, tuple(i for i in batch.indicators if i.id not in failed), splits.discard)
        store.discard(list(bad))  # its values without its breakdown would be half an indicator
        failed.update((i, ("breakdown", m)) for i, m in bad.items())


def _compute_derived(con: duckdb.DuckDBPyConnection, inds: list[Indicator], graph: Graph, store: ValueStore,
                     parent_of: dict, names: dict, names_en: dict, failed: dict[str, tuple[str, str]],
                     splits: BreakdownStore | None = None) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Formulas and composites, in dependency order, into the store (and a formula's values per
    category into `splits`, where every indicator it reads is split by the same column); returns
    the composites' parts and explanations. One that fails, or reads one that failed, is added
    to `failed`."""
    parts, explanations = [], []
    columns = graph.breakdowns() if splits is not None else {}
    for ind in inds:
        broken = [d for d in graph.reads[ind.id] if d in failed]
        if broken:  # computed from stale inputs it would be wrong, not stale: it keeps its own values
            failed[ind.id] = ("dependency", f"reads {', '.join(broken)}, which failed")
            continue
        try:
            if ind.formula:
                _compute_formula(con, ind, graph.indicators, store)
                if columns.get(ind.id):
                    splits.add_formula(ind, graph.indicators, list(columns[ind.id]))  # type: ignore[union-attr]
                continue
            assert ind.composite is not None
            children = {c.indicator: graph.indicators[c.indicator] for c in ind.composite.children}
            result = compute_composite(ind, children, store.of(list(children)), parent_of)
            store.add(result.values)
            # the ranks the snapshot stores (the same SQL, over the same values and peers), so
            # that "rose 2 places" says what the ranking panel shows
            ranked = con.execute(ranks.ranked_sql("(SELECT * FROM vals WHERE indicator = ?)"), [ind.id]).df()
            explained = explain_changes(ind, result.parts, ranked, children, names, region_names_en=names_en)
        except DATA_ERRORS as exc:
            store.discard([ind.id])
            if splits is not None:
                splits.discard([ind.id])
            failed[ind.id] = ("formula" if ind.formula else "composite", first_line(exc))
            continue
        parts.append(result.parts)
        explanations.append(explained)
    return parts, explanations


def _isolating(run: Callable[[tuple[Indicator, ...]], None], inds: tuple[Indicator, ...],
               undo: Callable[[list[str]], None]) -> dict[str, str]:
    """Run `run` over `inds` together (one scan of their feed); if the data makes it fail, undo
    what it stored and run each indicator alone, so that one bad measure does not take its
    batch-mates down. Returns the message of each indicator that fails on its own."""
    if not inds:
        return {}
    try:
        run(inds)
        return {}
    except DATA_ERRORS as exc:
        undo([i.id for i in inds])
        if len(inds) == 1:
            return {inds[0].id: first_line(exc)}
    failed = {}
    for ind in inds:
        try:
            run((ind,))
        except DATA_ERRORS as exc:
            undo([ind.id])
            failed[ind.id] = first_line(exc)
    return failed


def _failures(failed: dict[str, tuple[str, str]], indicators: dict[str, Indicator],
              kept: dict[str, tuple[str | None, pd.Timestamp | None]] | None) -> list[Failure]:
    out = []
    for ident, (stage, message) in failed.items():
        ind = indicators[ident]
        kept_from, kept_at = (kept or {}).get(ident, (None, None))
        out.append(Failure(ident, ind.system, stage, message, ind.where.file, ind.where.line, kept_from, kept_at))
    return out


def _failure_table(failures: list[Failure]) -> pd.DataFrame:
    return pd.DataFrame([{"indicator": f.indicator, "system": f.system, "stage": f.stage, "message": f.message,
                          "file": f.file, "line": f.line, "kept_from_snapshot": f.kept_from,
                          "kept_computed_at": f.kept_computed_at} for f in failures])


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = df[VALUE_COLUMNS].copy()
    out["period_start"] = pd.to_datetime(out["period_start"])
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["imputed"] = df["imputed"].astype(bool).to_numpy() if "imputed" in df else False
    return out


def _feed_as_of(con: duckdb.DuckDBPyConnection, contracts: Contracts, sources: dict[str, str]) -> dict[str, pd.Timestamp]:
    """The latest data time of each feed: periods after it are provisional."""
    out = {}
    for feed, source in sources.items():
        column = contracts.table(feed).time_column
        if not column:
            continue
        latest = con.execute(f"SELECT max({quote(column)}) FROM {source}").fetchone()[0]
        if latest is None:
            continue
        # The last instant the data covers: a month column's value covers its whole month.
        kind = contracts.table(feed).column(column).type
        if kind == "integer":  # a year column
            latest = pd.Timestamp(int(latest), 1, 1) + pd.DateOffset(years=1)
        elif kind in ("month", "quarter"):
            latest = pd.Timestamp(latest) + pd.DateOffset(months=MONTHS[kind])
        elif kind == "date":
            latest = pd.Timestamp(latest) + pd.Timedelta(days=1)
        else:
            latest = pd.Timestamp(latest) + pd.Timedelta(microseconds=1)
        latest = latest - pd.Timedelta(microseconds=1)
        out[feed] = pd.Timestamp(latest)
    return out


class ValueStore:
    """The values computed so far, in a DuckDB table that formulas read with SQL."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        con.execute("""CREATE TABLE vals (indicator VARCHAR, level VARCHAR, frequency VARCHAR, region VARCHAR,
                       period_start DATE, value DOUBLE, imputed BOOLEAN)""")

    def add(self, df: pd.DataFrame) -> None:
        if len(df):
            self.con.register("incoming", _normalise(df))
            self.con.execute("INSERT INTO vals BY NAME SELECT * FROM incoming")
            self.con.unregister("incoming")

    def insert_rows(self, sql: str, indicator: str) -> None:
        """Insert (level, frequency, region, period_start, value) rows a query returns, as one indicator's values."""
        self.con.execute(f"""INSERT INTO vals SELECT ?, level, frequency, region, CAST(period_start AS DATE),
                             CAST(value AS DOUBLE), false FROM ({sql})""", [indicator])

    def insert_sql(self, sql: str, indicator: str, frequency: str) -> None:
        """Insert (level, region, period_start, value) rows a query returns, as one indicator's values."""
        self.con.execute(f"""INSERT INTO vals SELECT ?, level, ?, region, CAST(period_start AS DATE), value, false
                             FROM ({sql})""", [indicator, frequency])

    def discard(self, indicators: list[str]) -> None:
        """Forget what these indicators stored (a batch that failed half-way)."""
        if indicators:
            self.con.execute("DELETE FROM vals WHERE list_contains(?, indicator)", [indicators])

    def of(self, indicators: list[str]) -> pd.DataFrame:
        df = self.con.execute("SELECT * FROM vals WHERE list_contains(?, indicator)", [indicators]).df()
        return _normalise(df)


def _data_window(con: duckdb.DuckDBPyConnection, contracts: Contracts, sources: dict[str, str],
                 feed_as_of: dict[str, pd.Timestamp]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """From the earliest to the latest time the event feeds cover (those with a time column finer
    than a year): the periods stocks (running totals) are reported for. Yearly reference figures
    (a year column: population) do not widen it, at either end: a year's figure says nothing of
    which months have data. Only when no other feed has a time do their years make the window."""
    if not feed_as_of:
        return None

    def yearly(feed: str) -> bool:
        table = contracts.table(feed)
        return table.column(table.time_column).type == "integer"

    feeds = [f for f in feed_as_of if not yearly(f)] or list(feed_as_of)
    firsts = []
    for feed in feeds:
        column = contracts.table(feed).time_column
        first = con.execute(f"SELECT min({quote(column)}) FROM {sources[feed]}").fetchone()[0]
        if isinstance(first, int | np.integer):
            first = pd.Timestamp(int(first), 1, 1)
        firsts.append(pd.Timestamp(first))
    return min(firsts), max(feed_as_of[f] for f in feeds)


class BreakdownStore:
    """Values per category computed so far, in a DuckDB table (`bvals`, the columns of the
    snapshot's breakdowns table) that formulas per category read with SQL; they stay in DuckDB
    until the snapshot is written. Categories get their English labels from the feed's contract
    (`labels_en`), else stay as they are."""

    def __init__(self, con: duckdb.DuckDBPyConnection, contracts: Contracts):
        self.con = con
        self.levels: dict[str, tuple[str, ...]] = {}  # the levels each formula is split at
        con.execute(f"CREATE TABLE bvals ({snapshot.SCHEMAS['breakdowns']})")
        con.execute("CREATE TEMP TABLE category_labels (feed VARCHAR, breakdown VARCHAR, category VARCHAR, "
                    "category_en VARCHAR)")
        labels = [(t.name, c.name, value, label) for t in contracts.tables for c in t.columns
                  for value, label in (c.labels_en or {}).items()]
        if labels:
            con.executemany("INSERT INTO category_labels VALUES (?, ?, ?, ?)", labels)

    def insert_breakdown(self, sql: str, indicator: str, column: str, feed: str) -> None:
        """Insert (level, frequency, region, period_start, category, value) rows a query returns,
        as one indicator's values per category of `column` of `feed`."""
        self.con.execute(f"""INSERT INTO bvals
            SELECT ?, ?, s.category, coalesce(l.category_en, s.category), s.level, s.frequency, s.region,
                   CAST(s.period_start AS DATE), CAST(s.value AS DOUBLE)
            FROM ({sql}) AS s LEFT JOIN category_labels AS l
              ON l.feed = ? AND l.breakdown = ? AND l.category = s.category""", [indicator, column, feed, column])

    def add(self, frame: pd.DataFrame) -> None:
        """Rows of the breakdowns table (carried over from the current snapshot)."""
        if len(frame):
            self.con.register("incoming_breakdown", frame)
            self.con.execute("INSERT INTO bvals BY NAME SELECT * FROM incoming_breakdown")
            self.con.unregister("incoming_breakdown")

    def add_formula(self, ind: Indicator, indicators: dict[str, Indicator], columns: list[str]) -> None:
        """A plain formula per category of `columns` (every indicator it reads is split by them),
        at each frequency where all of them are computed (not as of a yearly figure)."""
        refs = formulas.references(ind.formula)  # type: ignore[arg-type]
        levels = [lvl for lvl in ind.levels if all(lvl in self.split_levels(indicators[r]) for r in refs)]
        self.levels[ind.id] = tuple(levels)
        if not levels:
            return
        for frequency in ind.frequencies:
            if not all(frequency in indicators[r].frequencies for r in refs):
                continue
            sql = formulas.breakdown_sql(ind.formula, frequency, levels, refs, columns)  # type: ignore[arg-type]
            self.con.execute(f"""INSERT INTO bvals SELECT ?, breakdown, category, category_en, level, ?, region,
                                 period_start, value FROM ({sql})""", [ind.id, frequency])

    def split_levels(self, ind: Indicator) -> tuple[str, ...]:
        """The levels an indicator is split at: a measure's `breakdown_levels` (default: all its
        levels), a formula's those all it reads are split at."""
        if ind.measure is not None:
            return ind.measure.breakdown_levels or ind.levels
        return self.levels.get(ind.id, ())

    def discard(self, indicators: list[str]) -> None:
        if indicators:
            self.con.execute("DELETE FROM bvals WHERE list_contains(?, indicator)", [indicators])

    def table(self) -> pa.Table:
        return self.con.sql("SELECT * FROM bvals").to_arrow_table()


def _compute_formula(con: duckdb.DuckDBPyConnection, ind: Indicator, indicators: dict[str, Indicator],
                     store: ValueStore) -> None:
    refs = formulas.references(ind.formula)  # type: ignore[arg-type]
    for frequency in ind.frequencies:
        here = [r for r in refs if frequency in indicators[r].frequencies]
        yearly = [r for r in refs if r not in here and "year" in indicators[r].frequencies]
        if not here:
            continue
        sql = formulas.formula_sql(ind.formula, frequency, list(ind.levels), here, yearly)  # type: ignore[arg-type]
        store.insert_sql(sql, ind.id, frequency)


def _finish_values(con: duckdb.DuckDBPyConnection, graph: Graph, feed_as_of: dict[str, pd.Timestamp]) -> None:
    """The table `finished`: the computed values with system, period label, provisional flag,
    parent, and rank and percentile among siblings (the rule of cockpit.indicators.ranks), in the
    columns of the snapshot's indicator_values. Periods starting after the data ends (deadlines in the future)
    are dropped, and so is January where it is published with February (formulas still read it:
    February's year to date includes it); a period ending after it is provisional: its value can
    still change."""
    indicators = graph.indicators
    pairs = con.execute("SELECT DISTINCT indicator, frequency FROM vals").fetchall()
    cutoffs = {f: _cutoffs(graph, f, feed_as_of) for f in {f for _, f in pairs}}
    con.register("cutoffs", pd.DataFrame(
        [(i, f, cutoffs[f].get(i)) for i, f in pairs],
        columns=["indicator", "frequency", "cutoff"]).astype({"cutoff": "datetime64[us]"}))
    con.register("meta", pd.DataFrame([(i, ind.system, ind.jan_feb_combined) for i, ind in indicators.items()],
                                      columns=["indicator", "system", "jan_feb_combined"]))
    months = " ".join(f"WHEN '{f}' THEN {m}" for f, m in MONTHS.items())
    con.execute(f"""
        CREATE TEMP TABLE finished AS
        WITH v AS (
          SELECT v.*, m.system, v.period_start + to_months(CASE v.frequency {months} END) AS period_end, c.cutoff
          FROM vals AS v JOIN meta AS m USING (indicator)
          LEFT JOIN cutoffs AS c USING (indicator, frequency)
          WHERE (c.cutoff IS NULL OR v.period_start <= c.cutoff)
            AND NOT (m.jan_feb_combined AND v.frequency = 'month' AND month(v.period_start) = 1)),
        -- a dropped period is dropped whole, so these are the ranks the composites explained
        ranked AS ({ranks.ranked_sql("v")})
        SELECT indicator, level, frequency, region, period_start, value, imputed, system, parent,
          CASE frequency WHEN 'month' THEN strftime(period_start, '%Y-%m')
                         WHEN 'quarter' THEN CAST(year(period_start) AS VARCHAR) || 'Q' || CAST(quarter(period_start) AS VARCHAR)
                         ELSE CAST(year(period_start) AS VARCHAR) END AS period,
          coalesce(period_end > cutoff + INTERVAL 1 SECOND, false) AS provisional,
          rank, peer_count, percentile
        FROM ranked""")
    con.unregister("cutoffs")
    con.unregister("meta")


def _cutoffs(graph: Graph, frequency: str, feed_as_of: dict[str, pd.Timestamp]) -> dict[str, pd.Timestamp]:
    """Where the data behind each indicator at one frequency ends: the earliest end among the
    feeds of the measures it reads at that frequency. A yearly figure used as of its year
    (population in a monthly per-capita rate) does not hold the months back."""
    feeds = graph.gather(lambda ind: {ind.measure.feed} if ind.measure and frequency in ind.frequencies else set())
    return {ident: min(feed_as_of[f] for f in found if f in feed_as_of)
            for ident, found in feeds.items() if any(f in feed_as_of for f in found)}


def _carry_over(con: duckdb.DuckDBPyConnection, previous: Path, copied: set[str], failed: dict[str, tuple[str, str]],
                indicators: dict[str, Indicator], composite_parts, explanations, breakdowns):
    """From the current snapshot, the indicators not recomputed (`copied`) and those that failed:
    their values into `finished`, their parts, explanations and breakdowns added to the lists.
    Returns those lists and the failures to record: this refresh's, each with the snapshot whose
    values it keeps (an older one when the current snapshot already kept them), and those the
    current snapshot recorded for the copied indicators, which are still as stale as they were."""
    old = duck.read_only(previous)
    try:
        ids = sorted(copied | set(failed))
        old_values = old.sql("SELECT * FROM indicator_values WHERE list_contains(?, indicator)",
                             params=[ids]).to_arrow_table()
        old_parts = old.execute("SELECT * FROM composite_parts WHERE list_contains(?, indicator)", [ids]).df()
        old_expl = old.execute("SELECT * FROM explanations WHERE list_contains(?, indicator)", [ids]).df()
        old_breakdowns = _optional(old, "breakdowns", ids)  # a snapshot written before breakdowns existed
        old_failures = _optional(old, "refresh_failures", ids)
        meta = dict(old.execute("SELECT key, value FROM meta").fetchall())
    finally:
        old.close()
    con.register("old_values", old_values)
    con.execute("INSERT INTO finished BY NAME SELECT * FROM old_values")
    con.unregister("old_values")
    had_values = set(old_values.column("indicator").to_pylist())
    previous_id = previous.name.removesuffix(snapshot.SUFFIX)
    made_at = pd.Timestamp(meta["created_at"]) if meta.get("created_at") else None
    # an indicator that had already failed shows what the current snapshot kept, from further back
    earlier = {r.indicator: (_known(r.kept_from_snapshot), _known(r.kept_computed_at))
               for r in old_failures.itertuples()}
    kept = {ident: earlier[ident] if ident in earlier else (previous_id, made_at) if ident in had_values
            else (None, None) for ident in failed}
    failures = _failures(failed, indicators, kept)
    failures += [Failure(r.indicator, r.system, r.stage, r.message, r.file, int(r.line), *earlier[r.indicator])
                 for r in old_failures.itertuples() if r.indicator in copied]
    return (composite_parts + [old_parts], explanations + [old_expl], breakdowns + [old_breakdowns], failures)


def _known(value):
    """None for a missing value (NaN, NaT, None) read back from a snapshot."""
    return None if pd.isna(value) else value


def _optional(con: duckdb.DuckDBPyConnection, table: str, ids: list[str]) -> pd.DataFrame:
    """A snapshot table's rows of these indicators; empty for a snapshot written before it existed."""
    try:
        return con.execute(f"SELECT * FROM {table} WHERE list_contains(?, indicator)", [ids]).df()
    except duckdb.CatalogException:
        return pd.DataFrame()


def _alerts(con: duckdb.DuckDBPyConnection, indicators: dict[str, Indicator], names: dict,
            names_en: dict) -> pd.DataFrame:
    """Threshold breaches in each indicator's latest period, with a sentence in both languages."""
    from cockpit.indicators.alerts import ALERT_LEVELS, evaluate_thresholds

    watched = sorted(i for i, ind in indicators.items() if ind.thresholds)
    values = con.execute("SELECT * FROM finished WHERE list_contains(?, indicator) AND list_contains(?, level)",
                         [watched, list(ALERT_LEVELS)]).df()
    return evaluate_thresholds(values, indicators, names, names_en)


def _write(path: Path, ident: str, systems: list[IndicatorSystem], values: pa.Table,
           derived: dict[str, pd.DataFrame], regions: pd.DataFrame, feed_as_of: dict[str, pd.Timestamp],
           contracts: Contracts, timings: dict[str, float], demo: dict | None = None) -> None:
    """Write the snapshot file: the values, the `derived` tables named in snapshot.SCHEMAS
    (composite parts, explanations, alerts, breakdowns, sensor status), and the catalogue."""
    from cockpit.indicators.catalogue import indicator_table, system_table

    con = duck.writable(path)
    try:
        tables = {
            "indicator_values": values, **derived,
            "indicators": indicator_table(systems), "systems": system_table(systems), "regions": regions,
            "feeds": pd.DataFrame({"feed": list(feed_as_of), "as_of": list(feed_as_of.values()),
                                   "stale_after_days": [contracts.table(f).stale_after_days for f in feed_as_of]}),
            # the demo marker travels with the values: screens say "demo data" from the snapshot alone
            "meta": pd.DataFrame({"key": ["snapshot_id", "created_at", *[f"seconds_{k}" for k in timings],
                                          *[f"demo_{k}" for k in DEMO_FACTS if demo]],
                                  "value": [ident, pd.Timestamp.now().isoformat(timespec="seconds"),
                                            *[f"{v:.3f}" for v in timings.values()],
                                            *[str(demo.get(k, "")) for k in DEMO_FACTS if demo]]}),
        }
        for name, df in tables.items():
            if name in snapshot.SCHEMAS:
                con.execute(f"CREATE TABLE {name} ({snapshot.SCHEMAS[name]})")
                if len(df):
                    con.register("frame", df)
                    order = f"ORDER BY {SORTED_TABLES[name]}" if name in SORTED_TABLES else ""
                    con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame {order}")
                    con.unregister("frame")
                continue
            con.register("frame", df)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
        con.execute("CHECKPOINT")
    finally:
        con.close()
