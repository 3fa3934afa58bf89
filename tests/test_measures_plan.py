"""Measures computed in two steps (partials rolled up) give exactly what one GROUPING SETS
query over the raw rows gives, for every shipped measure on the demo lake."""

from __future__ import annotations

import pandas as pd
import pytest

from cockpit import duck
from cockpit.feeds.contracts import load_contracts
from cockpit.indicators import measures
from cockpit.indicators.refresh import feed_sources, load_valid_systems
from cockpit.regions import load_hierarchy


@pytest.mark.parametrize(("value", "rollup"), [
    ("count(*)", 'SUM("__rows")'),  # the same aggregate as the row count: one partial
    ("100.0 * count(*) filter (where a = 1) / nullif(count(*), 0)", '100.0 * SUM("__p1") / NULLIF(SUM("__rows"), 0)'),
    ("avg(x)", 'SUM("__p1") / NULLIF(SUM("__p2"), 0)'),
    ("max(x) - min(x)", 'MAX("__p1") - MIN("__p2")'),
])
def test_decomposable_values_become_expressions_over_partials(value, rollup):
    partials = {"__rows": "COUNT(*)"}
    assert measures._decompose(value, partials) == rollup


@pytest.mark.parametrize("value", ["count(distinct caller_id)", "median(x)", "count(*) - count(distinct a)",
                                   "quantile_cont(x, 0.9)"])
def test_other_aggregates_are_grouped_from_the_rows(value):
    assert measures._decompose(value, {"__rows": "COUNT(*)"}) is None


class _Collect:
    def __init__(self, con):
        self.con, self.frames = con, []

    def insert_rows(self, sql: str, indicator: str) -> None:
        self.frames.append(self.con.execute(sql).df().assign(indicator=indicator))

    def add(self, df: pd.DataFrame) -> None:
        self.frames.append(df)


def test_two_step_plan_equals_one_query_over_the_rows(demo_lake):
    contracts, hierarchy = load_contracts(), load_hierarchy()
    indicators = [i for s in load_valid_systems() for i in s.indicators if i.measure]
    con = duck.sandbox([demo_lake])
    con.register("regions_frame", hierarchy.frame())
    con.execute("CREATE TABLE regions AS SELECT * FROM regions_frame")
    checked = 0
    for batch in measures.batches(indicators, contracts):
        sources = feed_sources(demo_lake, [batch.feed])
        if batch.feed not in sources or any(i.measure.accumulate for i in batch.indicators):
            continue
        levels = [lvl for lvl in hierarchy.levels if any(lvl in i.levels for i in batch.indicators)]
        sink = _Collect(con)
        measures.compute_batch(con, batch, sources[batch.feed], levels, None, sink)
        planned = pd.concat(sink.frames).set_index(["indicator", "level", "frequency", "region", "period_start"])
        wide = con.execute(measures.batch_sql(batch, sources[batch.feed], levels)).df()
        for ind in batch.indicators:
            one = wide[wide["level"].isin(ind.levels) & wide["frequency"].isin(ind.frequencies)]
            one = one.assign(indicator=ind.id).set_index(["indicator", "level", "frequency", "region", "period_start"])
            mine = planned.loc[ind.id]["value"].astype(float).sort_index()
            theirs = one.loc[ind.id][ind.id].astype(float).sort_index()
            assert mine.index.equals(theirs.index), ind.id
            pd.testing.assert_series_equal(mine, theirs, check_names=False, rtol=1e-9, atol=1e-9, obj=ind.id)
            checked += 1
    assert checked > 60


def test_a_filtered_distinct_count_is_not_rolled_up():
    value = measures.with_filter("count(*) - count(distinct caller_id)", "appeal_type = '投诉'")
    assert measures._decompose(value, {"__rows": "COUNT(*)"}) is None
