"""Breakdowns through the indicator engine: values per category of one or more columns, computed
by refresh for measures and for the formulas over them, read through the scoped reader."""

from __future__ import annotations

import pandas as pd
import pytest

import cockpit.duck as duck
from cockpit.feeds.lake import table_source
from cockpit.indicators.definitions import read_systems
from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import default_viewer
from cockpit.regions import load_hierarchy
from tests.test_validate import at, check, ind, one, write

CITY = "330600"  # 绍兴市


@pytest.fixture()
def reader(use_demo_lake) -> Reader:
    return Reader(default_viewer(), current_snapshot())


def _lake_orders(lake) -> pd.DataFrame:
    """The hotline orders as the lake holds them now (latest version of each), with their regions."""
    con = duck.sandbox([lake])
    try:
        orders = con.execute(f"SELECT region_code, department, category_l1, created_at, status "
                             f"FROM {table_source(lake, 'hotline_orders')} AS f").df()
    finally:
        con.close()
    frame = load_hierarchy().frame()
    return orders.merge(frame[["code", "city_code", "street_code"]], left_on="region_code", right_on="code")


def _month(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(period + "-01")
    return start, start + pd.offsets.MonthBegin(1)


@pytest.mark.parametrize("level", ["city", "street"])
def test_department_breakdown_of_a_count_is_a_group_by_of_the_lake(reader, use_demo_lake, level):
    period = reader.periods("hotline_orders", "month")[0]  # the latest complete month: the default
    start, end = _month(period)
    orders = _lake_orders(use_demo_lake)
    month = orders[(orders["created_at"] >= start) & (orders["created_at"] < end) & (orders["city_code"] == CITY)]
    region = CITY if level == "city" else month["street_code"].value_counts().index[0]  # the busiest street
    found = reader.breakdown("hotline_orders", region, "month", limit=5000, by="department")
    assert set(found["period"]) == {period}
    rows = month[month[f"{level}_code"] == region]
    expected = rows.groupby("department").size()
    assert len(expected) >= 1
    assert found.set_index("category")["value"].to_dict() == {k: float(v) for k, v in expected.items()}
    assert found["value"].is_monotonic_decreasing
    # the share is of the indicator's value: orders without a department count in it, not in a category
    total = reader.series("hotline_orders", region, "month").set_index("period")["value"][period]
    assert total == len(rows)
    assert found["share"].tolist() == pytest.approx((found["value"] / total).tolist())


def test_a_formula_is_split_by_the_columns_its_measures_share(reader):
    assert reader.breakdown_columns("hotline_closure_rate") == ["category_l1", "department"]
    assert reader.breakdown_columns("hotline_orders") == ["category_l1", "department"]
    assert reader.breakdown_columns("hotline_complaints") == []
    rate = reader.breakdown("hotline_closure_rate", CITY, "month", limit=5000, by="department")
    period = rate["period"].iloc[0]
    closed = reader.breakdown("hotline_closed", CITY, "month", limit=5000, by="department", period=period)
    orders = reader.breakdown("hotline_orders", CITY, "month", limit=5000, by="department", period=period)
    both = orders.merge(closed, on="category", suffixes=("_orders", "_closed"))
    expected = (100.0 * both["value_closed"] / both["value_orders"]).to_numpy()
    assert len(both) == len(rate) > 1
    assert rate.set_index("category").loc[both["category"], "value"].to_numpy() == pytest.approx(expected)
    assert rate["share"].isna().all()  # a rate is no part of a total
    # a formula with a time function is not split (yoy per category is not offered)
    assert reader.breakdown_columns("hotline_waste_closure_rate") == []


def test_breakdown_defaults_to_the_first_column_and_checks_its_arguments(reader):
    first = reader.breakdown("hotline_orders", CITY, "month")
    assert len(first) == 6
    assert first.equals(reader.breakdown("hotline_orders", CITY, "month", by="category_l1"))
    assert set(first.columns) >= {"category", "category_en", "value", "share", "period"}
    earlier = reader.periods("hotline_orders", "month")[3]
    assert set(reader.breakdown("hotline_orders", CITY, "month", period=earlier)["period"]) == {earlier}
    with pytest.raises(ValueError, match="by: 'status' is not a column hotline_orders is split by"):
        reader.breakdown("hotline_orders", CITY, "month", by="status")
    with pytest.raises(ValueError, match="limit"):
        reader.breakdown("hotline_orders", CITY, "month", limit=0)


def test_breakdown_series_follows_chosen_categories(reader):
    top = reader.breakdown("hotline_orders", CITY, "month", limit=2)["category"].tolist()
    series = reader.breakdown_series("hotline_orders", CITY, "month", "category_l1", top)
    assert set(series["category"]) == set(top)
    assert series.groupby("category")["period"].nunique().min() > 12
    one_month = series[series["period"] == series["period"].iloc[-1]]
    latest = reader.breakdown("hotline_orders", CITY, "month", limit=20, period=one_month["period"].iloc[0])
    month = latest.set_index("category")["value"]
    assert one_month.set_index("category")["value"].to_dict() == {c: month[c] for c in top if c in month}
    with pytest.raises(ValueError, match="categories"):
        reader.breakdown_series("hotline_orders", CITY, "month", "category_l1", [])
    with pytest.raises(ValueError, match="by"):
        reader.breakdown_series("hotline_orders", CITY, "month", "nope", top)


def test_orders_drill_to_community_and_grid(reader):
    codes = load_hierarchy().frame()
    grid = codes[(codes["level"] == "grid") & (codes["city_code"] == CITY)]["code"]
    grid_values = [reader.series("hotline_orders", g, "month") for g in grid.head(50)]
    assert any(len(s) for s in grid_values)
    assert reader.series("hotline_closure_rate", grid.iloc[0], "month").empty  # rates stop at the street


# -- definitions -----------------------------------------------------------------------------------
def test_a_list_of_columns_is_checked_column_by_column(tmp_path):
    problems = check(tmp_path, ind("by", "measure: {feed: orders, value: count(*), breakdown: [status, staus, tons]}"))
    at(tmp_path, one(problems, "indicator by", "unknown column 'staus'", "did you mean status"), "by")
    at(tmp_path, one(problems, "indicator by", "tons is a float column", "needs a text column"), "by")
    assert len(problems) == 2
    assert check(tmp_path, ind("by", "measure: {feed: orders, value: count(*), breakdown: [status]}")) == []


def test_breakdown_levels_must_be_the_indicators_own(tmp_path):
    problems = check(tmp_path, ind("by", "levels: [province, city]\n"
                                         "measure: {feed: orders, value: count(*), breakdown: status, "
                                         "breakdown_levels: [city, county]}"))
    at(tmp_path, one(problems, "indicator by", "breakdown_levels", "county not among"), "by")


@pytest.mark.parametrize(("value", "words"), [
    ("[]", "must be a column name or a non-empty list"),
    ("[status, status]", "lists status more than once"),
    ("{a: b}", "must be a column name or a non-empty list"),
])
def test_a_malformed_breakdown_is_named_with_its_line(tmp_path, value, words):
    write(tmp_path, "test.yaml", ind("by", f"measure: {{feed: orders, value: count(*), breakdown: {value}}}"))
    _, problems = read_systems(tmp_path)
    problem = one(problems, "indicator by", "measure breakdown", words)
    assert problem.file == str(tmp_path / "test.yaml") and problem.line > 1
