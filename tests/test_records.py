"""The records behind a number: which rows an indicator counts, and that their count is its value.

The check that matters most runs over every count measure of the definitions, for regions of
each level and months and years of the demo: `indicator_records(...).total` is the snapshot's
value, row for row, or no rows where the snapshot has no value.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pandas as pd
import pytest

from cockpit.feeds.contracts import load_contracts
from cockpit.query.reader import OutOfScope, Reader
from cockpit.query.records import load_definitions, record_sets
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.regions import load_hierarchy
from cockpit.views.records import (
    RecordsQuery,
    parse_records_query,
    records_query_string,
    records_view,
)

PROVINCE, CITY, COUNTY = "330000", "330600", "330602"
MONTHS = ("2026-10", "2025-06")
YEARS = ("2025", "2026")


@pytest.fixture()
def reader(use_demo_lake) -> Reader:
    return Reader(default_viewer(), current_snapshot())


def _street() -> str:
    frame = load_hierarchy().frame()
    return str(frame[(frame["level"] == "street") & (frame["county_code"] == COUNTY)].sort_values("code")["code"].iloc[0])


def _count_measures() -> list[str]:
    definitions, contracts = load_definitions(), load_contracts()
    return [i for i, ind in definitions.items()
            if ind.measure is not None and record_sets(i, definitions, contracts)[0].counts]


# -- which rows: definitions only ----------------------------------------------------------------


def test_a_count_with_a_filter_clause_counts_the_rows_meeting_it():
    definitions, contracts = load_definitions(), load_contracts()
    [found] = record_sets("hotline_complaints", definitions, contracts)
    assert (found.key, found.indicator, found.feed, found.counts) == ("value", "hotline_complaints", "hotline_orders", True)
    assert found.condition_sql == """("f"."appeal_type" IN ('投诉', '举报'))"""
    assert (found.time_column, found.region_column, found.accumulate) == ("created_at", "region_code", False)


def test_a_rate_has_the_rows_of_its_numerator_and_of_its_denominator():
    definitions, contracts = load_definitions(), load_contracts()
    sets = {s.key: s for s in record_sets("hotline_closure_rate", definitions, contracts)}
    assert set(sets) == {"numerator", "denominator"}
    assert sets["numerator"].indicator == "hotline_closed" and sets["numerator"].counts
    assert sets["denominator"].indicator == "hotline_orders" and sets["denominator"].condition_sql == "TRUE"
    # a rate counted by deadline reads the deadline column
    due = {s.key: s for s in record_sets("hotline_on_time_feedback_rate", definitions, contracts)}
    assert due["denominator"].time_column == "due_at" and due["numerator"].indicator == "hotline_fed_back_on_time"


def test_sums_averages_distinct_counts_and_grains_are_rows_but_not_counts():
    definitions, contracts = load_definitions(), load_contracts()
    for ident in ("gdp", "hotline_handling_days", "hotline_repeat_complaints", "sensors_in_alarm", "good_air_day_ratio"):
        [found] = record_sets(ident, definitions, contracts)
        assert not found.counts, ident
    # an average's own filter still says which rows it is computed from
    [handling] = record_sets("hotline_handling_days", definitions, contracts)
    assert handling.condition_sql == '(NOT "f"."closed_at" IS NULL)'
    # a grain's filter reads the grain's columns (hours a day), not the feed's: every row of the feed
    [air] = record_sets("good_air_day_ratio", definitions, contracts)
    assert air.condition_sql == "TRUE"
    # a count(col) counts the rows where col is set; a running count has no start
    [installed] = record_sets("sensors_installed", definitions, contracts)
    assert installed.counts and installed.accumulate


def test_time_functions_lead_to_the_inner_measure_and_ytd_reads_from_january():
    definitions, contracts = load_definitions(), load_contracts()
    [growth] = record_sets("gdp_nominal_growth", definitions, contracts)  # yoy(ytd(gdp))
    assert (growth.indicator, growth.key, growth.year_to_date) == ("gdp", "value", True)
    [change] = record_sets("pm25_mean_change", definitions, contracts)  # yoy(pm25_mean)
    assert change.indicator == "pm25_mean" and not change.year_to_date
    per_capita = {s.key: s.indicator for s in record_sets("gdp_per_capita", definitions, contracts)}
    assert per_capita == {"numerator": "gdp", "denominator": "population"}


def test_a_composite_has_no_records_and_an_unknown_indicator_is_refused():
    definitions, contracts = load_definitions(), load_contracts()
    assert record_sets("waste_free_index", definitions, contracts) == []
    with pytest.raises(KeyError, match="no_such"):
        record_sets("no_such", definitions, contracts)


# -- the count is the value ------------------------------------------------------------------------


def test_every_count_measure_counts_as_many_rows_as_its_value(reader):
    regions = {"province": PROVINCE, "city": CITY, "county": COUNTY, "street": _street()}
    measures = _count_measures()
    assert len(measures) >= 30  # the hotline's, the services', the security events', the manifests' …
    checked = mismatches = 0
    problems = []
    for ident in measures:
        meta = reader.indicator(ident)
        levels, frequencies = meta["levels"].split(","), meta["frequencies"].split(",")
        for frequency, labels in (("month", MONTHS), ("year", YEARS)):
            if frequency not in frequencies:
                continue
            for level, region in regions.items():
                if level not in levels:
                    continue
                for period in labels:
                    [info] = reader.record_sets(ident, region, frequency, period)
                    page = reader.indicator_records(ident, region, frequency, period, limit=0)
                    expected = 0 if info["value"] is None else round(info["value"])
                    checked += 1
                    if page.total != expected:
                        mismatches += 1
                        problems.append(f"{ident} {region} {period}: {page.total} rows, value {info['value']}")
    assert checked >= 200
    assert not problems, "\n".join(problems[:20])
    assert mismatches == 0


def test_the_rows_of_a_rate_are_its_numerators_and_its_denominators(reader):
    sets = {s["key"]: s for s in reader.record_sets("hotline_closure_rate", PROVINCE, "month", "2026-10")}
    assert {k: s["indicator"] for k, s in sets.items()} == {"numerator": "hotline_closed", "denominator": "hotline_orders"}
    closed = reader.indicator_records("hotline_closure_rate", PROVINCE, "month", "2026-10", key="numerator", limit=1000)
    accepted = reader.indicator_records("hotline_closure_rate", PROVINCE, "month", "2026-10", key="denominator", limit=0)
    assert closed.total == sets["numerator"]["value"] > 0
    assert accepted.total == sets["denominator"]["value"] >= closed.total
    assert (closed.rows["status"] == "已办结").all()
    created = pd.to_datetime(closed.rows["created_at"])
    assert created.min() >= pd.Timestamp("2026-10-01") and created.max() < pd.Timestamp("2026-11-01")
    assert sets["numerator"]["label"] == "办结工单量"
    rate = reader.series("hotline_closure_rate", PROVINCE, "month").set_index("period")["value"]["2026-10"]
    assert rate == pytest.approx(100.0 * closed.total / accepted.total)


def test_cross_filters_sort_and_pages_of_an_indicators_rows(reader):
    everything = pd.concat(reader.iter_indicator_records("hotline_orders", PROVINCE, "month", "2026-10"), ignore_index=True)
    categories = everything["category_l1"].value_counts()
    filtered = reader.indicator_records("hotline_orders", PROVINCE, "month", "2026-10",
                                        filters={"category_l1": categories.index[0]}, limit=0)
    assert filtered.total == categories.iloc[0] < len(everything)
    both = reader.indicator_records("hotline_orders", PROVINCE, "month", "2026-10",
                                    filters={"category_l1": list(categories.index[:2]), "channel": "电话"}, limit=0)
    assert both.total == int(((everything["category_l1"].isin(categories.index[:2])) & (everything["channel"] == "电话")).sum())
    first = reader.indicator_records("hotline_orders", PROVINCE, "month", "2026-10", sort=[("created_at", "desc")], limit=7)
    second = reader.indicator_records("hotline_orders", PROVINCE, "month", "2026-10", sort=[("created_at", "desc")],
                                      offset=7, limit=7)
    assert first.rows["created_at"].is_monotonic_decreasing
    assert first.rows["created_at"].iloc[-1] >= second.rows["created_at"].iloc[0]
    assert not set(first.rows["order_id"]) & set(second.rows["order_id"])


def test_streaming_yields_the_same_rows_in_the_same_order_as_paging(reader):
    args = ("hotline_orders", PROVINCE, "year", "2025")
    sort = [("channel", "asc"), ("created_at", "desc")]
    total = reader.indicator_records(*args, limit=0).total
    paged = pd.concat([reader.indicator_records(*args, sort=sort, offset=o, limit=1000).rows
                       for o in range(0, total, 1000)], ignore_index=True)
    batches = list(reader.iter_indicator_records(*args, sort=sort, batch_rows=500))
    assert len(batches) >= 2 and all(len(b) <= 500 for b in batches)
    streamed = pd.concat(batches, ignore_index=True)
    assert len(streamed) == total
    assert streamed["order_id"].tolist() == paged["order_id"].tolist()
    assert streamed["caller_name"].tolist() == paged["caller_name"].tolist()  # masked the same way
    feed = pd.concat(reader.iter_records("hotline_orders", {"region": COUNTY}, batch_rows=5000), ignore_index=True)
    assert len(feed) == reader.records("hotline_orders", {"region": COUNTY}, limit=0).total


def test_a_stream_checks_everything_before_the_first_batch(reader):
    county = Reader(Viewer(role="staff", region=COUNTY), reader._snap)
    with pytest.raises(OutOfScope):
        county.iter_indicator_records("hotline_orders", "330102", "month", "2026-10")  # raised on the call itself
    with pytest.raises(OutOfScope):
        county.iter_records("hotline_orders", {"region": "330102"})
    with pytest.raises(ValueError, match="no column"):
        reader.iter_records("hotline_orders", {"no_such_column": 1})
    with pytest.raises(ValueError, match="batch_rows"):
        reader.iter_records("hotline_orders", batch_rows=0)


def test_bad_indicator_period_or_key_is_refused_with_a_message(reader):
    with pytest.raises(KeyError, match="no_such"):
        reader.indicator_records("no_such", PROVINCE, "month", "2026-10")
    with pytest.raises(KeyError, match="numerator, denominator"):
        reader.indicator_records("hotline_closure_rate", PROVINCE, "month", "2026-10", key="value")
    with pytest.raises(KeyError, match="composite"):
        reader.indicator_records("waste_free_index", PROVINCE, "month", "2026-10")
    with pytest.raises(ValueError, match="not a period"):
        reader.indicator_records("hotline_orders", PROVINCE, "month", "October")
    with pytest.raises(ValueError, match="is a year, not a month"):
        reader.indicator_records("hotline_orders", PROVINCE, "month", "2026")
    with pytest.raises(ValueError, match="frequency"):
        reader.record_sets("hotline_orders", PROVINCE, "week", "2026-10")
    with pytest.raises(ValueError, match="region argument"):
        reader.indicator_records("hotline_orders", PROVINCE, "month", "2026-10", filters={"region": COUNTY})


def test_quarters_years_to_date_and_running_totals(reader):
    # a year-to-date growth shows the rows of its measure from January to the period's end
    [ytd] = reader.record_sets("industrial_value_added_ytd_growth", CITY, "month", "2026-10")
    assert ytd["indicator"] == "industrial_value_added" and not ytd["counts"]
    rows = reader.indicator_records("industrial_value_added_ytd_growth", CITY, "month", "2026-10", limit=1000).rows
    months = pd.to_datetime(rows["month"])
    assert months.min() == pd.Timestamp("2026-01-01") and months.max() == pd.Timestamp("2026-10-01")
    # a running count holds every row up to the period's end
    [installed] = reader.record_sets("sensors_installed", PROVINCE, "year", "2025")
    total = reader.indicator_records("sensors_installed", PROVINCE, "year", "2025", limit=0).total
    assert installed["counts"] and total == round(installed["value"])


def test_a_viewer_of_some_departments_gets_only_their_records(reader):
    page = reader.indicator_records("hotline_orders", COUNTY, "month", "2026-10", limit=1000)
    departments = page.rows["department"].dropna().value_counts()
    mine = departments.index[0]
    staff = Reader(Viewer(role="staff", region=COUNTY, departments=frozenset({mine})), reader._snap)
    theirs = staff.indicator_records("hotline_orders", COUNTY, "month", "2026-10", limit=1000)
    assert theirs.total == departments.iloc[0] < page.total
    assert set(theirs.rows["department"]) == {mine}
    streamed = pd.concat(staff.iter_indicator_records("hotline_orders", COUNTY, "month", "2026-10"), ignore_index=True)
    assert set(streamed["department"]) == {mine} and len(streamed) == theirs.total
    assert staff.records("hotline_orders", limit=0).total < reader.records("hotline_orders", {"region": COUNTY}, limit=0).total
    # a feed without a department column is not restricted by it
    assert staff.records("grid_events", limit=0).total == reader.records("grid_events", {"region": COUNTY}, limit=0).total


# -- the records view: the URL and what the page shows -----------------------------------------------


def test_a_records_url_is_read_and_written_back():
    args = {"indicator": "hotline_closure_rate", "region": "330600", "period": "2026-10", "frequency": "month",
            "key": "numerator", "category_l1": "固体废物", "department": "越城区住建局",
            "sort": "created_at:desc,channel:asc"}
    q = parse_records_query(args)
    assert q == RecordsQuery("hotline_closure_rate", None, "330600", "month", "2026-10", "numerator",
                             {"category_l1": "固体废物", "department": "越城区住建局"},
                             (("created_at", "desc"), ("channel", "asc")))
    assert parse_records_query(dict(parse_qsl(records_query_string(q)))) == q
    assert parse_records_query({"feed": "grid_events", "period": "2026Q3"}) == RecordsQuery(feed="grid_events",
                                                                                            period="2026Q3")


@pytest.mark.parametrize("args", [
    {"indicator": ["a", "b"]},  # a repeated parameter
    {"indicator": "x" * 5000, "region": "1" * 500},  # huge
    {"indicator": "Robert'); DROP TABLE--", "region": "33 OR 1=1", "period": "2026-13", "frequency": "week"},
    {"sort": "created_at:sideways"}, {"sort": "created_at;drop:asc"}, {"sort": ["created_at:asc", "x:desc"]},
    {"sort": "a:asc,b:asc,c:asc,d:asc,e:asc"}, {"sort": "a:asc,a:desc"},
    {"key": "../../etc"}, {"key": 3}, {"period": {"$gt": ""}},
    {"filter with space": "x", "BadName": "x", "ok": ["a", "b"], "long": "x" * 300, "num": 7},
])
def test_hostile_records_urls_give_safe_defaults(args):
    q = parse_records_query(args)
    assert q.indicator is None and q.region is None and q.frequency is None and q.period is None
    assert q.sort == () and q.key == "value" and q.filters == {}


def test_hostile_input_of_other_shapes():
    assert parse_records_query(None) == RecordsQuery()  # type: ignore[arg-type]
    assert parse_records_query(["indicator"]) == RecordsQuery()  # type: ignore[arg-type]
    many = parse_records_query({f"c{i}": "v" for i in range(100)})
    assert 0 < len(many.filters) <= 12
    assert parse_records_query({"sort": "created_at"}).sort == (("created_at", "asc"),)


def test_the_view_of_a_rates_records(reader):
    q = parse_records_query({"indicator": "hotline_closure_rate", "region": PROVINCE, "period": "2025"})
    view = records_view(reader, q, limit=20)
    assert view.query.frequency == "year" and view.query.key == "numerator"  # the first set by default
    assert [(s["key"], s["active"]) for s in view.sets] == [("numerator", True), ("denominator", False)]
    assert view.counts and view.value == view.page.total > 0 and len(view.page.rows) == 20
    assert view.feed == "hotline_orders" and view.title == "办结工单量"
    assert view.subtitle == f"{reader.region_name(PROVINCE)} · 2025 · 办结率"
    assert "个人信息已脱敏" in view.notice
    assert [c["name"] for c in view.columns][0] == "order_id"
    denominator = records_view(reader, RecordsQuery(**{**q.__dict__, "key": "denominator"}), limit=0)
    assert denominator.value == denominator.page.total >= view.page.total
    # a sum says so; a cross-filter too; a bad key is refused with the sets it has
    sums = records_view(reader, parse_records_query({"indicator": "gdp", "region": CITY, "period": "2025Q2"}), limit=5)
    assert not sums.counts and "并非记录条数" in sums.notice and sums.page.total > 0
    with pytest.raises(KeyError, match="numerator, denominator"):
        records_view(reader, parse_records_query({"indicator": "hotline_closure_rate", "key": "nope"}))
    # no period: the latest complete one
    latest = records_view(reader, parse_records_query({"indicator": "hotline_orders", "frequency": "month"}), limit=0)
    assert latest.query.period == reader.periods("hotline_orders", "month")[0]
    assert latest.query.region == reader.root


def test_the_view_of_a_feeds_records(reader):
    view = records_view(reader, parse_records_query({"feed": "grid_events", "region": COUNTY, "sort": "reported_at:desc"}),
                        limit=10)
    assert view.title == "基层网格事件"  # the contract's label
    assert view.sets == [] and view.value is None and view.page.total > 0
    assert view.page.rows["reported_at"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="indicator or a feed"):
        records_view(reader, RecordsQuery())


def test_a_yearly_denominator_of_a_quarterly_rate_shows_the_years_rows(reader):
    sets = {s["key"]: s for s in reader.record_sets("gdp_per_capita", CITY, "quarter", "2025Q2")}
    assert sets["denominator"]["indicator"] == "population"
    rows = reader.indicator_records("gdp_per_capita", CITY, "quarter", "2025Q2", key="denominator", limit=100).rows
    assert len(rows) > 0 and set(rows["year"]) == {2025}
    gdp = reader.indicator_records("gdp_per_capita", CITY, "quarter", "2025Q2", key="numerator", limit=100).rows
    assert len(gdp) > 0 and set(pd.to_datetime(gdp["quarter"])) == {pd.Timestamp("2025-04-01")}


def test_a_record_page_kept_for_the_viewer_is_read_again_once_the_lake_changes(demo_lake, demo_snapshots, tmp_path):
    """Record pages are kept per viewer and exact read (`Reader._record_page`); the read names the
    table's part files, so rows ingested since are seen at once, by the same reader."""
    import shutil

    from cockpit.feeds.ingest import ingest_frame

    lake = tmp_path / "lake"
    shutil.copytree(demo_lake, lake)
    reader = Reader(Viewer(personal_data=True), current_snapshot(demo_snapshots), lake_dir=lake)
    first = reader.records("grid_events", filters={"region": COUNTY}, limit=5)
    assert reader.records("grid_events", filters={"region": COUNTY}, limit=5).rows.equals(first.rows)
    reader.records("grid_events", filters={"region": COUNTY}, limit=5).rows.drop(index=first.rows.index, inplace=True)
    assert len(reader.records("grid_events", filters={"region": COUNTY}, limit=5).rows) == len(first.rows)  # a copy
    contract = load_contracts().table("grid_events")
    key = contract.natural_key[0]
    more = first.rows.head(2).copy()
    more[key] = [f"{value}-again" for value in more[key]]
    result = ingest_frame("grid_events", more, source="test", lake_dir=lake)
    assert result.loaded == 2, result
    assert reader.records("grid_events", filters={"region": COUNTY}, limit=5).total == first.total + 2
