"""Measures: analysts' aggregates over one feed, computed for every region level and period.

All measures that read the same feed (with the same region and time columns) are computed in
one scan: each measure's filter is pushed into its aggregates as `FILTER (WHERE …)`, and one
`GROUPING SETS` query groups by every (level, frequency) pair at once. Each level groups the raw
rows by that level's ancestor code, so sums, counts and averages are recomputed at every level,
never averaged from children.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

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
    region, time = _quote(batch.region_column), _quote(batch.time_column)
    keys = [region, *(_quote(b) for b in grain.by)]
    columns = ",\n    ".join(f"{sqlglot.parse_one(expr, read=DIALECT).sql(dialect=DIALECT)} AS {_quote(name)}"
                              for name, expr in grain.columns)
    return f"""(
  -- grain: one row per {', '.join([batch.region_column, *grain.by])} and {grain.time}
  SELECT {', '.join(keys)}, date_trunc('{grain.time}', {time}) AS {time},
    {columns}
  FROM {source_sql} AS raw
  GROUP BY ALL
)"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def batch_sql(batch: FeedBatch, source_sql: str, levels: list[str], breakdown: str | None = None) -> str:
    """One query computing every measure of the batch at every level and frequency it needs;
    with `breakdown`, each group is split further by that column's categories."""
    frequencies = sorted({f for ind in batch.indicators for f in ind.frequencies})
    time_sql = f"f.{_quote(batch.time_column)}"
    buckets = {f: bucket_sql(time_sql, batch.time_type, f) for f in frequencies}
    select_periods = ",\n  ".join(f"{sql} AS p_{f}" for f, sql in buckets.items())
    select_codes = ",\n  ".join(f"r.{lvl}_code AS c_{lvl}" for lvl in levels)
    measures = ",\n  ".join(
        f"{with_filter(ind.measure.value, ind.measure.filter)} AS {_quote(ind.id)}"  # type: ignore[union-attr]
        for ind in batch.indicators)
    split = f", f.{_quote(breakdown)}" if breakdown else ""
    category = f"\n  f.{_quote(breakdown)} AS category," if breakdown else ""
    category_present = " AND category IS NOT NULL" if breakdown else ""
    sets = ", ".join(f"(p_{f}, c_{lvl}{split})" for f in frequencies for lvl in levels)
    level_case = " ".join(f"WHEN grouping(c_{lvl}) = 0 THEN '{lvl}'" for lvl in levels)
    freq_case = " ".join(f"WHEN grouping(p_{f}) = 0 THEN '{f}'" for f in frequencies)
    region_expr = "coalesce(" + ", ".join(f"c_{lvl}" for lvl in levels) + ")" if len(levels) > 1 else f"c_{levels[0]}"
    period_expr = "coalesce(" + ", ".join(f"p_{f}" for f in frequencies) + ")" if len(frequencies) > 1 else f"p_{frequencies[0]}"
    columns = ", ".join(f"f.{_quote(c)}" for c in _columns_used(batch))
    source_sql = grain_source_sql(batch, source_sql)
    return f"""-- measures over feed {batch.feed}: {', '.join(i.id for i in batch.indicators)}
WITH src AS (
  SELECT {columns},
  {select_periods},
  {select_codes}
  FROM {source_sql} AS f
  JOIN regions AS r ON r.code = f.{_quote(batch.region_column)}
  WHERE {time_sql} IS NOT NULL
)
SELECT
  CASE {level_case} END AS level,
  CASE {freq_case} END AS frequency,
  {region_expr} AS region,
  {period_expr} AS period_start,{category}
  {measures}
FROM src AS f
GROUP BY GROUPING SETS ({sets})
HAVING region IS NOT NULL{category_present}"""


def _columns_used(batch: FeedBatch) -> list[str]:
    names: set[str] = {batch.time_column, batch.region_column}
    for ind in batch.indicators:
        m = ind.measure
        if m.breakdown:  # type: ignore[union-attr]
            names.add(m.breakdown)  # type: ignore[union-attr]
        for sql in (m.value, m.filter):  # type: ignore[union-attr]
            if sql:
                names |= {c.name for c in sqlglot.parse_one(sql, read=DIALECT).find_all(exp.Column)}
    return sorted(names)


def compute_batch(con: duckdb.DuckDBPyConnection, batch: FeedBatch, source_sql: str, levels: list[str],
                  window: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.DataFrame:
    """Long rows (indicator, level, frequency, region, period_start, value) for one batch."""
    wide = con.execute(batch_sql(batch, source_sql, levels)).df()
    frames = []
    for ind in batch.indicators:
        part = wide[["level", "frequency", "region", "period_start", ind.id]].rename(columns={ind.id: "value"})
        part = part[part["level"].isin(ind.levels) & part["frequency"].isin(ind.frequencies)]
        if ind.measure.accumulate:  # type: ignore[union-attr]
            part = _accumulate(part, window)
        frames.append(part.assign(indicator=ind.id))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def compute_breakdowns(con: duckdb.DuckDBPyConnection, batch: FeedBatch, source_sql: str,
                       levels: list[str]) -> pd.DataFrame:
    """Long rows (indicator, breakdown, category, level, frequency, region, period_start, value)
    for the measures of a batch that declare a breakdown: one extra scan per breakdown column."""
    frames = []
    by_column: dict[str, list[Indicator]] = defaultdict(list)
    for ind in batch.indicators:
        if ind.measure.breakdown:  # type: ignore[union-attr]
            by_column[ind.measure.breakdown].append(ind)  # type: ignore[union-attr]
    for column, inds in by_column.items():
        sub = FeedBatch(batch.feed, batch.region_column, batch.time_column, batch.time_type, tuple(inds), batch.grain)
        wide = con.execute(batch_sql(sub, source_sql, levels, breakdown=column)).df()
        for ind in inds:
            part = wide[["level", "frequency", "region", "period_start", "category", ind.id]]
            part = part[part["level"].isin(ind.levels) & part["frequency"].isin(ind.frequencies)]
            frames.append(part.rename(columns={ind.id: "value"}).assign(indicator=ind.id, breakdown=column))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


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
