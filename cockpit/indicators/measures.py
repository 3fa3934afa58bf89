"""Measures: analysts' aggregates over one feed, computed for every region level and period.

All measures that read the same feed (with the same region and time columns) are computed
together, each measure's filter pushed into its aggregates as `FILTER (WHERE …)`, and every
level groups the raw rows by that level's ancestor code, so sums, counts and averages are
recomputed at every level, never averaged from children. Two plans:

- Decomposable measures (built of count, sum, min, max and avg, filtered or not: nearly all)
  take two steps. One scan of the feed aggregates the rows to partial results per region code
  and finest period; `GROUPING SETS` then rolls those partials up to every (level, frequency),
  count and sum by summing, min and max by their min and max, avg as sum ÷ count. Each raw row
  is hashed once, not once per level and frequency.
- The others (count(distinct …), median, quantiles) are grouped from the raw rows by
  `GROUPING SETS` directly, in one query per measure filter with the filter as WHERE, so such a
  measure reads only its own rows; a region and period without any of them gets the measure's
  value over no rows (0 for counts), as in one query over all rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from cockpit.duck import quote
from cockpit.feeds.contracts import Contracts
from cockpit.indicators.model import Grain, Indicator
from cockpit.indicators.periods import bucket_sql

DIALECT = "duckdb"


def with_filter(value_sql: str, filter_sql: str | None) -> str:
    """The aggregate expression with `filter_sql` applied to every aggregate in it."""
    tree = sqlglot.parse_one(value_sql, read=DIALECT)
    if not filter_sql:
        return tree.sql(dialect=DIALECT)
    condition = sqlglot.parse_one(filter_sql, read=DIALECT)

    def push(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Filter):
            where = node.expression
            combined = exp.and_(exp.paren(where.this.copy()), exp.paren(condition.copy()))
            return exp.Filter(this=node.this.copy(), expression=exp.Where(this=combined))
        if isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Filter):
            return exp.Filter(this=node.copy(), expression=exp.Where(this=exp.paren(condition.copy())))
        return node

    return tree.transform(push, copy=True).sql(dialect=DIALECT)


@dataclass(frozen=True)
class FeedBatch:
    """Measures that can share one scan of a feed (and grain)."""

    feed: str
    region_column: str
    time_column: str
    time_type: str
    indicators: tuple[Indicator, ...]
    grain: Grain | None = None


def batches(indicators: list[Indicator], contracts: Contracts) -> list[FeedBatch]:
    grouped: dict[tuple[str, str, str, Grain | None], list[Indicator]] = defaultdict(list)
    for ind in indicators:
        if ind.measure is None:
            continue
        contract = contracts.table(ind.measure.feed)
        region = ind.measure.region or contract.region_column
        time = ind.measure.time or contract.time_column
        grouped[(contract.name, region, time, ind.measure.grain)].append(ind)
    out = []
    for (feed, region, time, grain), inds in grouped.items():
        contract = contracts.table(feed)
        time_type = "timestamp" if grain else contract.column(time).type
        out.append(FeedBatch(feed, region, time, time_type, tuple(inds), grain))
    return out


def grain_source_sql(batch: FeedBatch, source_sql: str) -> str:
    """The feed aggregated to the batch's grain, keeping the region and time column names."""
    grain = batch.grain
    if grain is None:
        return source_sql
    region, time = quote(batch.region_column), quote(batch.time_column)
    keys = [region, *(quote(b) for b in grain.by)]
    columns = ",\n    ".join(f"{sqlglot.parse_one(expr, read=DIALECT).sql(dialect=DIALECT)} AS {quote(name)}"
                              for name, expr in grain.columns)
    return f"""(
  -- grain: one row per {', '.join([batch.region_column, *grain.by])} and {grain.time}
  SELECT {', '.join(keys)}, date_trunc('{grain.time}', {time}) AS {time},
    {columns}
  FROM {source_sql} AS raw
  GROUP BY ALL
)"""


def batch_sql(batch: FeedBatch, source_sql: str, levels: list[str], breakdown: str | None = None,
              where: str | None = None) -> str:
    """One query grouping the raw rows for every measure of the batch at every level and
    frequency it needs; with `breakdown`, each group is split further by that column's
    categories; with `where`, only the rows meeting that condition are read."""
    frequencies = sorted({f for ind in batch.indicators for f in ind.frequencies})
    time_sql = f"f.{quote(batch.time_column)}"
    buckets = {f: bucket_sql(time_sql, batch.time_type, f) for f in frequencies}
    select_periods = ",\n  ".join(f"{sql} AS p_{f}" for f, sql in buckets.items())
    select_codes = ",\n  ".join(f"r.{lvl}_code AS c_{lvl}" for lvl in levels)
    measures = ",\n  ".join(
        f"{with_filter(ind.measure.value, ind.measure.filter)} AS {quote(ind.id)}"  # type: ignore[union-attr]
        for ind in batch.indicators)
    split = f", f.{quote(breakdown)}" if breakdown else ""
    category = f"\n  f.{quote(breakdown)} AS category," if breakdown else ""
    category_present = " AND category IS NOT NULL" if breakdown else ""
    sets = ", ".join(f"(p_{f}, c_{lvl}{split})" for f in frequencies for lvl in levels)
    columns = ", ".join(f"f.{quote(c)}" for c in _columns_used(batch))
    source_sql = grain_source_sql(batch, source_sql)
    return f"""-- measures over feed {batch.feed}: {', '.join(i.id for i in batch.indicators)}
WITH src AS (
  SELECT {columns},
  {select_periods},
  {select_codes}
  FROM {source_sql} AS f
  JOIN regions AS r ON r.code = f.{quote(batch.region_column)}
  WHERE {time_sql} IS NOT NULL{f" AND ({_qualified(where, 'f')})" if where else ""}
)
SELECT
  {_grouping_columns(levels, frequencies)},{category}
  {measures}
FROM src AS f
GROUP BY GROUPING SETS ({sets})
HAVING region IS NOT NULL{category_present}"""


def _qualified(condition_sql: str, table: str) -> str:
    """The condition with its columns read from `table` (the feed, not the regions joined to it)."""
    tree = sqlglot.parse_one(condition_sql, read=DIALECT)
    for column in tree.find_all(exp.Column):
        if not column.table:
            column.set("table", exp.to_identifier(table))
    return tree.sql(dialect=DIALECT)


def _columns_used(batch: FeedBatch) -> list[str]:
    names: set[str] = {batch.time_column, batch.region_column}
    for ind in batch.indicators:
        m = ind.measure
        names |= set(m.breakdown)  # type: ignore[union-attr]
        for sql in (m.value, m.filter):  # type: ignore[union-attr]
            if sql:
                names |= {c.name for c in sqlglot.parse_one(sql, read=DIALECT).find_all(exp.Column)}
    return sorted(names)


class ValueSink(Protocol):
    """Where computed values go (refresh's value store, a DuckDB table)."""

    def insert_rows(self, sql: str, indicator: str) -> None: ...  # rows: level, frequency, region, period_start, value

    def add(self, df: pd.DataFrame) -> None: ...  # long rows with an indicator column


def compute_batch(con: duckdb.DuckDBPyConnection, batch: FeedBatch, source_sql: str, levels: list[str],
                  window: tuple[pd.Timestamp, pd.Timestamp] | None, sink: ValueSink) -> None:
    """Compute one batch and put every measure's values (each at its own levels and frequencies)
    into `sink`. Results stay in DuckDB: only running totals, which need a gap-free calendar,
    pass through pandas."""
    plan = plan_batch(batch)
    partial, rolled = "measure_partial", "measure_rolled"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {partial} AS {plan.partial_sql(source_sql)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {rolled} AS {plan.rollup_sql(partial, levels)}")
    tables = []
    try:
        where = {ind.id: rolled for ind in plan.decomposed}
        for n, (condition, inds) in enumerate(plan.direct.items()):
            table = f"measure_direct_{n}"
            tables.append(table)
            sub = FeedBatch(batch.feed, batch.region_column, batch.time_column, batch.time_type, tuple(inds), batch.grain)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {batch_sql(sub, source_sql, levels, where=condition)}")
            where.update({ind.id: table for ind in inds})
        for ind in batch.indicators:
            levels_sql = ", ".join(f"'{lvl}'" for lvl in ind.levels)
            frequencies_sql = ", ".join(f"'{f}'" for f in ind.frequencies)
            value = quote(ind.id)
            if where[ind.id] != rolled:  # every region and period with rows, the value over none where it has none
                value = f"coalesce(d.{value}, ({plan.empty_sql(ind, source_sql)}))"
            rows = (f"SELECT k.level, k.frequency, k.region, k.period_start, {value} AS value FROM {rolled} AS k "
                    + ("" if where[ind.id] == rolled else
                       f"LEFT JOIN {where[ind.id]} AS d USING (level, frequency, region, period_start) ")
                    + f"WHERE k.level IN ({levels_sql}) AND k.frequency IN ({frequencies_sql})")
            if ind.measure.accumulate:  # type: ignore[union-attr]
                sink.add(_accumulate(con.execute(rows).df(), window).assign(indicator=ind.id))
            else:
                sink.insert_rows(rows, ind.id)
    finally:
        for table in (partial, rolled, *tables):
            con.execute(f"DROP TABLE IF EXISTS {table}")


ROWS = "__rows"  # the partial every plan has: rows per region and period (the groups that exist)
_COMBINE = {exp.Count: "sum", exp.Sum: "sum", exp.Min: "min", exp.Max: "max"}


@dataclass
class BatchPlan:
    """How a batch is computed: partial aggregates rolled up, or grouped directly."""

    batch: FeedBatch
    partials: dict[str, str]  # partial column → its aggregate over raw rows
    decomposed: list[Indicator]
    rollups: dict[str, str]  # indicator → its value from the partials
    direct: dict[str | None, list[Indicator]]  # measure filter → measures grouped from raw rows

    @property
    def frequencies(self) -> list[str]:
        return sorted({f for ind in self.batch.indicators for f in ind.frequencies})

    def finest(self) -> str:
        return next(f for f in ("month", "quarter", "year") if f in self.frequencies)

    def partial_sql(self, source_sql: str) -> str:
        b = self.batch
        time_sql = f"f.{quote(b.time_column)}"
        partials = ",\n  ".join(f"{sql} AS {quote(name)}" for name, sql in self.partials.items())
        return f"""-- partial aggregates of feed {b.feed} per region code and {self.finest()}
SELECT f.{quote(b.region_column)} AS region_code, {bucket_sql(time_sql, b.time_type, self.finest())} AS p,
  {partials}
FROM {grain_source_sql(b, source_sql)} AS f
WHERE {time_sql} IS NOT NULL
GROUP BY ALL"""

    def rollup_sql(self, partial_table: str, levels: list[str]) -> str:
        frequencies = self.frequencies
        finest = self.finest()
        periods = ",\n    ".join(
            ("p" if f == finest else f"CAST(date_trunc('{f}', p) AS DATE)") + f" AS p_{f}" for f in frequencies)
        codes = ",\n    ".join(f"r.{lvl}_code AS c_{lvl}" for lvl in levels)
        values = ",\n  ".join([f"sum({quote(ROWS)}) AS {quote(ROWS)}"]
                               + [f"{sql} AS {quote(ident)}" for ident, sql in self.rollups.items()])
        return f"""-- measures of feed {self.batch.feed} rolled up from partials: {', '.join(self.rollups)}
WITH src AS (
  SELECT x.*,
    {periods},
    {codes}
  FROM {partial_table} AS x JOIN regions AS r ON r.code = x.region_code
)
SELECT
  {_grouping_columns(levels, frequencies)},
  {values}
FROM src
GROUP BY GROUPING SETS ({", ".join(f"(p_{f}, c_{lvl})" for f in frequencies for lvl in levels)})
HAVING region IS NOT NULL"""

    def empty_sql(self, ind: Indicator, source_sql: str) -> str:
        """The measure's value over no rows (count 0, sum NULL, …), as a scalar subquery."""
        value = with_filter(ind.measure.value, ind.measure.filter)  # type: ignore[union-attr]
        return f"SELECT {value} FROM {grain_source_sql(self.batch, source_sql)} AS f WHERE false"


def plan_batch(batch: FeedBatch) -> BatchPlan:
    partials: dict[str, str] = {ROWS: "count(*)"}
    rollups: dict[str, str] = {}
    decomposed: list[Indicator] = []
    direct: dict[str | None, list[Indicator]] = defaultdict(list)
    for ind in batch.indicators:
        m = ind.measure
        rollup = _decompose(with_filter(m.value, m.filter), partials)  # type: ignore[union-attr]
        if rollup is None:
            direct[m.filter].append(ind)  # type: ignore[union-attr]
        else:
            rollups[ind.id] = rollup
            decomposed.append(ind)
    return BatchPlan(batch, partials, decomposed, rollups, dict(direct))


def _decompose(value_sql: str, partials: dict[str, str]) -> str | None:
    """The value as an expression over partial aggregates (added to `partials`), or None when an
    aggregate in it cannot be rolled up from partials (distinct counts, medians, …)."""
    tree = sqlglot.parse_one(value_sql, read=DIALECT)
    for node in tree.find_all(exp.AggFunc):  # filtered or not
        if type(node) not in (*_COMBINE, exp.Avg) or isinstance(node.this, exp.Distinct):
            return None

    def partial(node: exp.Expression) -> str:
        sql = node.sql(dialect=DIALECT)
        for name, existing in partials.items():
            if existing == sql:
                return quote(name)
        name = f"__p{len(partials)}"
        partials[name] = sql
        return quote(name)

    def swap(node: exp.Expression) -> exp.Expression:
        agg = node.this if isinstance(node, exp.Filter) else node
        if not isinstance(agg, exp.AggFunc) or (isinstance(node.parent, exp.Filter) and node is node.parent.this):
            return node
        where = node.expression if isinstance(node, exp.Filter) else None

        def filtered(a: exp.Expression) -> exp.Expression:
            return exp.Filter(this=a, expression=where.copy()) if where is not None else a

        if isinstance(agg, exp.Avg):  # the mean of the rows = their sum ÷ their count
            total = partial(filtered(exp.Sum(this=agg.this.copy())))
            count = partial(filtered(exp.Count(this=agg.this.copy())))
            return sqlglot.parse_one(f"sum({total}) / nullif(sum({count}), 0)", read=DIALECT)
        return sqlglot.parse_one(f"{_COMBINE[type(agg)]}({partial(node)})", read=DIALECT)

    return tree.transform(swap, copy=True).sql(dialect=DIALECT)


def _grouping_columns(levels: list[str], frequencies: list[str]) -> str:
    level_case = " ".join(f"WHEN grouping(c_{lvl}) = 0 THEN '{lvl}'" for lvl in levels)
    freq_case = " ".join(f"WHEN grouping(p_{f}) = 0 THEN '{f}'" for f in frequencies)
    region = "coalesce(" + ", ".join(f"c_{lvl}" for lvl in levels) + ")" if len(levels) > 1 else f"c_{levels[0]}"
    period = "coalesce(" + ", ".join(f"p_{f}" for f in frequencies) + ")" if len(frequencies) > 1 else f"p_{frequencies[0]}"
    return (f"CASE {level_case} END AS level,\n  CASE {freq_case} END AS frequency,\n  {region} AS region,\n"
            f"  {period} AS period_start")


class BreakdownSink(Protocol):
    """Where values per category go (refresh's breakdown store, a DuckDB table)."""

    def insert_breakdown(self, sql: str, indicator: str, column: str, feed: str) -> None: ...
    # rows: level, frequency, region, period_start, category, value


def compute_breakdowns(con: duckdb.DuckDBPyConnection, batch: FeedBatch, source_sql: str,
                       levels: list[str], sink: BreakdownSink) -> None:
    """Put into `sink` the values per category of the measures of a batch that declare
    breakdowns: one extra scan per breakdown column and set of levels (a measure drilled to the
    grid does not make its batch-mates split there). Results stay in DuckDB.

    Every measure split by a column is grouped by the same categories (those with rows of the
    feed in the region and period), so a filtered count is 0, not missing, where a category has
    rows but none that pass its filter: a formula per category then divides by what it should."""
    by_column: dict[tuple[str, tuple[str, ...]], list[Indicator]] = defaultdict(list)
    for ind in batch.indicators:
        split = ind.measure.breakdown_levels or ind.levels  # type: ignore[union-attr]
        own = tuple(lvl for lvl in levels if lvl in split)
        for column in ind.measure.breakdown:  # type: ignore[union-attr]
            by_column[(column, own)].append(ind)
    table = "measure_split"
    try:
        for (column, own), inds in by_column.items():
            if not own:
                continue
            sub = FeedBatch(batch.feed, batch.region_column, batch.time_column, batch.time_type, tuple(inds), batch.grain)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {batch_sql(sub, source_sql, list(own), breakdown=column)}")
            for ind in inds:
                frequencies = ", ".join(f"'{f}'" for f in ind.frequencies)
                sink.insert_breakdown(f"SELECT level, frequency, region, period_start, category, {quote(ind.id)} AS value "
                                      f"FROM {table} WHERE frequency IN ({frequencies})", ind.id, column, batch.feed)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _accumulate(flow: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.DataFrame:
    """Running totals as of each period's end, on a gap-free calendar.

    The totals count all history (a facility commissioned in 2003 is still in service), but are
    reported only for the periods of the data window: from the first to the last period any
    event feed covers, so a stock is known up to now even if nothing was added lately."""
    out = []
    for (level, frequency), part in flow.groupby(["level", "frequency"]):
        part = part.assign(period_start=pd.to_datetime(part["period_start"]))
        wide = part.pivot_table(index="period_start", columns="region", values="value", aggfunc="sum")
        first, last = wide.index.min(), wide.index.max()
        if window is not None:
            last = max(last, _period_of(window[1], frequency))
        calendar = pd.date_range(first, last, freq={"month": "MS", "quarter": "QS", "year": "YS"}[frequency])
        running = wide.reindex(calendar).fillna(0.0).cumsum()
        if window is not None:
            running = running[running.index >= _period_of(window[0], frequency)]
        long = running.stack().rename("value").reset_index()
        long.columns = ["period_start", "region", "value"]
        out.append(long.assign(level=level, frequency=frequency))
    return pd.concat(out, ignore_index=True) if out else flow


def _period_of(ts: pd.Timestamp, frequency: str) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    if frequency == "month":
        return pd.Timestamp(ts.year, ts.month, 1)
    if frequency == "quarter":
        return pd.Timestamp(ts.year, 3 * ((ts.month - 1) // 3) + 1, 1)
    return pd.Timestamp(ts.year, 1, 1)
