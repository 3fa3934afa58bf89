"""How pages read the snapshot: a system's series, rankings and breakdowns at one place come from
one query each (a DuckDB query costs milliseconds however little it reads, and a department page
asks for dozens), and what each indicator gets is exactly its own single-indicator answer."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cockpit.query.snapshot import Snapshot, clear_cached_results, current_snapshot

PROVINCE = "330000"


@pytest.fixture()
def snap(use_demo_lake) -> Snapshot:
    clear_cached_results()
    return current_snapshot()


@pytest.fixture()
def reads(monkeypatch) -> list[str]:
    """Every query that reaches DuckDB (kept results are not counted)."""
    seen: list[str] = []
    original = Snapshot._read

    def counted(self, sql, params=None):
        seen.append(" ".join(sql.split())[:80])
        return original(self, sql, params)

    monkeypatch.setattr(Snapshot, "_read", counted)
    return seen


def _hotline(snap: Snapshot) -> list[str]:
    rows = snap.indicators("hotline")
    return rows.loc[rows["frequencies"].str.contains("month"), "indicator"].tolist()


def _county(snap: Snapshot) -> str:
    city = str(snap.children(PROVINCE)["code"].iloc[0])
    return str(snap.children(city)["code"].iloc[0])


def _direct(snap: Snapshot, sql: str, params: list) -> pd.DataFrame:
    return snap._read(sql, params)  # the snapshot's own read-only connection, nothing kept


def test_a_systems_series_rankings_and_breakdowns_are_one_read_each(snap, reads):
    indicators = _hotline(snap)
    county = _county(snap)
    assert len(indicators) > 10
    snap.indicator_systems()
    snap.breakdown_columns(indicators[0])
    earlier = snap.periods(indicators[0], "month")[1]
    before = len(reads)
    for name in indicators:
        snap.series(name, county, "month")
    assert len(reads) - before == 1, reads[before:]
    before = len(reads)
    for name in indicators:
        snap.ranking(name, county, "month")
    assert len(reads) - before == 1, reads[before:]
    before = len(reads)
    for name in indicators:
        if "department" in snap.breakdown_columns(name):
            snap.breakdown(name, county, "month", limit=6, by="department")
    assert len(reads) - before == 1, reads[before:]
    # another place or period is another read
    snap.ranking(indicators[0], county, "month", period=earlier)
    assert len(reads) - before == 2


def test_each_indicator_gets_exactly_its_own_answer(snap):
    county = _county(snap)
    sample = _hotline(snap)[:6] + ["grid_events", "service_cases"]
    period = snap.periods("hotline_orders", "month")[0]
    for name in sample:
        for region in (PROVINCE, county):
            got = snap.series(name, region, "month")
            want = _direct(snap, """SELECT period, period_start, value, provisional FROM indicator_values
                                    WHERE indicator = ? AND region = ? AND frequency = 'month'
                                    ORDER BY period_start""", [name, region])
            pd.testing.assert_frame_equal(got, want, check_dtype=False)

            ranked = snap.ranking(name, region, "month", period)
            want = _direct(snap, """SELECT region, value, rank FROM indicator_values
                                    WHERE indicator = ? AND parent = ? AND frequency = 'month' AND period = ?
                                      AND value IS NOT NULL ORDER BY rank NULLS LAST, value DESC, region""",
                           [name, region, period])
            pd.testing.assert_frame_equal(ranked[["region", "value", "rank"]], want, check_dtype=False)
            assert (ranked["period"] == period).all()

            for by in snap.breakdown_columns(name):
                split = snap.breakdown(name, region, "month", limit=5, by=by, period=period)
                want = _direct(snap, """SELECT b.category, b.value FROM breakdowns AS b JOIN indicator_values AS v
                                          ON v.indicator = b.indicator AND v.region = b.region
                                         AND v.frequency = b.frequency AND v.period_start = b.period_start
                                        WHERE b.indicator = ? AND b.region = ? AND b.frequency = 'month'
                                          AND b.breakdown = ? AND v.period = ?
                                        ORDER BY b.value DESC NULLS LAST, b.category LIMIT 5""",
                               [name, region, by, period])
                pd.testing.assert_frame_equal(split[["category", "value"]], want, check_dtype=False)
                total = snap.series(name, region, "month").set_index("period")["value"].get(period)
                if snap.indicator(name).get("additive") is True and total:
                    assert split["share"].tolist() == pytest.approx((split["value"] / total).tolist())
                else:
                    assert split["share"].isna().all()


def test_a_page_gets_a_copy_it_may_change(snap):
    county = _county(snap)
    first = snap.series("hotline_orders", county, "month")
    first["value"] = -1.0
    again = snap.series("hotline_orders", county, "month")
    assert len(again) and (again["value"] >= 0).all()
    assert snap.series("no_such_indicator", county, "month").empty
    assert snap.ranking("no_such_indicator", county, "month").empty


def _first_view_queries(path: str, query: dict, monkeypatch) -> list[str]:
    """The snapshot queries a page's layout makes for an address seen for the first time (the
    catalogue and hierarchy kept from a view before, as a running server has them)."""
    import dash
    from plotly.utils import PlotlyJSONEncoder

    from cockpit.ui.access import act_as_province_leader
    from cockpit.web import create_app

    app = create_app()
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    with app.server.test_request_context(path, query_string=query):
        act_as_province_leader()
        json.dumps(page["layout"](**query), cls=PlotlyJSONEncoder)  # catalogue and hierarchy, once
        clear_cached_results()
        queries: list[str] = []
        original_read = Snapshot._read
        monkeypatch.setattr(Snapshot, "_read", lambda self, sql, params=None: (
            queries.append(sql), original_read(self, sql, params))[1])
        json.dumps(page["layout"](**query), cls=PlotlyJSONEncoder)
        monkeypatch.undo()
    return queries


@pytest.mark.parametrize(("path", "query", "most"), [
    # about a hundred before the reads by system: one series, ranking and breakdown an indicator
    ("/governance", {"region": "county"}, 30),
    # a department's orders at each street: one breakdown read a street before (43 at this scale)
    ("/governance", {"region": "county", "department": "department"}, 26),
    # one ranking a period for rank movement, composite parts and an explanation a region before
    ("/waste-free", {}, 15),
])
def test_a_page_on_first_view_reads_the_snapshot_in_few_queries(use_demo_lake, monkeypatch, path, query, most):
    snap = current_snapshot()
    county = _county(snap)
    if query.get("region") == "county":
        query = {**query, "region": county}
    if query.get("department") == "department":
        split = snap.breakdown("hotline_orders", county, "month", by="department")
        query = {**query, "department": str(split["category"].iloc[0])}
    queries = _first_view_queries(path, query, monkeypatch)
    assert 0 < len(queries) <= most, (len(queries), queries)
