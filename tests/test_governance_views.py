"""城市治理's view models against the session demo: every number is the Reader's, cross filters
change the numbers through the breakdowns (and panels that cannot be filtered say so), and the
panels follow the drill-down through the levels."""

from __future__ import annotations

import pandas as pd
import pytest

from cockpit.query.reader import OutOfScope, Reader
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views import governance as gov
from cockpit.views.workbench import TREND_PERIODS, value_at

PROVINCE = "330000"


@pytest.fixture()
def reader(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("zh"))


@pytest.fixture()
def period(reader) -> str:
    return reader.periods(gov.ORDERS, "month")[0]


def _city(reader: Reader) -> str:
    return str(reader.children(PROVINCE)["code"].iloc[0])


def _busiest(reader: Reader, indicator: str, region: str, by: str, period: str) -> str:
    split = reader.breakdown(indicator, region, "month", limit=50, by=by, period=period)
    return str(split["category"].iloc[0])


def test_funnel_steps_are_the_readers_values_and_narrow(reader, period):
    city = _city(reader)
    whole = gov.funnel(reader, city, "month", period)
    assert [s.indicator for s in whole.steps] == [i for i, _ in gov.FUNNEL]
    for step in whole.steps:
        assert step.value == value_at(reader, step.indicator, city, "month", period)
    values = [s.value for s in whole.steps]
    assert values[0] > 0 and all(a >= b for a, b in zip(values, values[1:], strict=False))
    assert whole.steps[0].of_first == 100.0 and whole.ignored == ()

    category = _busiest(reader, gov.ORDERS, city, "category_l1", period)
    narrowed = gov.funnel(reader, city, "month", period, {"category_l1": category})
    assert narrowed.steps[0].value < whole.steps[0].value
    split = reader.breakdown("hotline_dispatched", city, "month", limit=50, by="category_l1", period=period)
    assert narrowed.steps[1].value == float(split.loc[split["category"] == category, "value"].iloc[0])


def test_counts_split_by_category_add_up(reader, period):
    city = _city(reader)
    split = reader.breakdown(gov.ORDERS, city, "month", limit=gov.MANY, by="category_l1", period=period)
    parts = [gov.narrowed(reader, gov.ORDERS, city, "month", period, {"category_l1": c}).value
             for c in split["category"]]
    assert sum(parts) == value_at(reader, gov.ORDERS, city, "month", period)
    # a category nobody called about counts nothing, it is not missing
    nobody = gov.narrowed(reader, gov.ORDERS, city, "month", period, {"category_l1": "没有这个分类"})
    assert nobody.value == 0.0 and nobody.applied == ("category_l1",)
    # a rate of no orders has no value
    assert gov.narrowed(reader, gov.RATES[2], city, "month", period, {"category_l1": "没有这个分类"}).value is None


def test_two_filters_follow_the_department_and_say_so(reader, period):
    city = _city(reader)
    department = _busiest(reader, gov.ORDERS, city, "department", period)
    both = gov.narrowed(reader, gov.ORDERS, city, "month", period, {"department": department, "category_l1": "教育"})
    alone = gov.narrowed(reader, gov.ORDERS, city, "month", period, {"department": department})
    assert both.value == alone.value and both.applied == ("department",) and both.ignored == ("category_l1",)
    # an indicator not split at all honours no filter
    repeat = gov.narrowed(reader, gov.REPEAT, city, "month", period, {"department": department})
    assert repeat.applied == () and repeat.ignored == ("department",)
    assert repeat.value == value_at(reader, gov.REPEAT, city, "month", period)


def test_unknown_filter_is_refused_by_name(reader, period):
    with pytest.raises(ValueError, match="cross filter channel"):
        gov.funnel(reader, PROVINCE, "month", period, {"channel": "电话"})


def test_rates_by_department_are_the_breakdowns_with_targets(reader, period):
    city = _city(reader)
    table = gov.rates_by_department(reader, city, "month", period)
    assert [c.indicator for c in table.columns] == list(gov.RATES)
    assert [c.target for c in table.columns] == [95.0, 95.0, 95.0, 90.0, 90.0]  # indicators/hotline.yaml
    assert 0 < len(table.rows) <= gov.DEPARTMENT_ROWS
    orders = [r.orders for r in table.rows]
    assert orders == sorted(orders, reverse=True)
    closure = reader.breakdown("hotline_closure_rate", city, "month", limit=gov.MANY, by="department",
                               period=period).set_index("category")["value"]
    for row in table.rows:
        cell = row.cells[2]
        assert cell.value == (None if pd.isna(closure.get(row.key)) else float(closure[row.key]))
        if cell.value is not None:
            assert cell.met == (cell.value >= 95.0)
    assert table.total.orders == value_at(reader, gov.ORDERS, city, "month", period)
    assert table.ignored == ()

    chosen = table.rows[-1].key
    marked = gov.rates_by_department(reader, city, "month", period, {"department": chosen})
    assert [r.key for r in marked.rows if r.selected] == [chosen]
    assert marked.total.orders == table.rows[-1].orders  # the total follows the department
    by_category = gov.rates_by_department(reader, city, "month", period, {"category_l1": "教育"})
    assert by_category.ignored == ("category_l1",)  # a department's rates cannot be split by category too


def test_rates_by_department_keep_to_the_viewers_departments(use_demo_lake, period):
    everyone = Reader.current(default_viewer("zh"))
    city = _city(everyone)
    some = gov.rates_by_department(everyone, city, "month", period).rows[:2]
    limited = Reader.current(Viewer(role="staff", departments=frozenset(r.key for r in some)))
    assert {r.key for r in gov.rates_by_department(limited, city, "month", period).rows} == {r.key for r in some}


def test_rates_by_region_drill_and_narrow(reader, period):
    city = _city(reader)
    table = gov.rates_by_region(reader, city, "month", period)
    ranking = reader.ranking(gov.RATES[3], city, "month", period).set_index("region")["value"]
    counted = set(reader.ranking(gov.ORDERS, city, "month", period)["region"])
    assert {r.key for r in table.rows} == counted and counted <= set(reader.children(city)["code"])
    for row in table.rows:
        if row.key in ranking.index:
            assert row.cells[3].value == pytest.approx(float(ranking[row.key]))
        else:  # no order of the county was rated
            assert row.cells[3].value is None
    category = _busiest(reader, gov.ORDERS, city, "category_l1", period)
    narrowed = gov.rates_by_region(reader, city, "month", period, {"category_l1": category})
    assert sum(r.orders for r in narrowed.rows) < sum(r.orders for r in table.rows)
    first = narrowed.rows[0]
    split = reader.breakdown(gov.ORDERS, first.key, "month", limit=50, by="category_l1", period=period)
    found = split.loc[split["category"] == category, "value"]
    assert first.orders == (float(found.iloc[0]) if len(found) else 0.0)

    county = table.rows[0].key
    streets = gov.rates_by_region(reader, county, "month", period)
    assert streets.rows and all(reader.region(r.key)["level"] == "street" for r in streets.rows)
    street = streets.rows[0].key
    communities = gov.rates_by_region(reader, street, "month", period).rows
    for row in communities:  # orders are counted down to the grid, the rates down to the street
        assert reader.region(row.key)["level"] == "community"
        assert row.orders == value_at(reader, gov.ORDERS, row.key, "month", period)
        assert all(cell.value is None for cell in row.cells)


def test_overdue_streets_are_the_readers_descendant_values(reader, period):
    found = gov.overdue_streets(reader, PROVINCE, "month", period, limit=10)
    expected = reader.descendant_values(gov.OVERDUE, PROVINCE, "street", "month", period)
    assert [r.code for r in found.rows] == expected["region"].head(10).tolist()
    assert [r.value for r in found.rows] == expected["value"].head(10).tolist()
    assert found.total == expected["value"].sum() and found.streets == len(expected)
    assert found.with_overdue == int((expected["value"] > 0).sum())
    assert all(r.county for r in found.rows)  # streets of many counties name theirs
    assert found.level == "street"
    street = found.rows[0].code  # below a street: its communities, then a community's grids
    communities = gov.overdue_streets(reader, street, "month", period)
    assert communities.level == "community"
    expected = reader.descendant_values(gov.OVERDUE, street, "community", "month", period)
    assert [r.code for r in communities.rows] == expected["region"].head(15).tolist()
    assert all(r.county is None for r in communities.rows)  # one parent: not named on every row
    assert gov.overdue_streets(reader, PROVINCE, "month", period, {"department": "x"}).ignored == ("department",)


def test_categories_and_their_trend(reader, period):
    city = _city(reader)
    cats = gov.categories(reader, city, "month", period)
    split = reader.breakdown(gov.ORDERS, city, "month", limit=10, by="category_l1", period=period)
    assert [r.category for r in cats.rows] == split["category"].tolist()
    assert [r.value for r in cats.rows] == split["value"].tolist()
    assert cats.lines and all(line.periods[-1] == period for line in cats.lines)
    first = cats.lines[0]
    series = reader.breakdown_series(gov.ORDERS, city, "month", "category_l1", [first.category])
    assert first.values[-1] == float(series.loc[series["period"] == period, "value"].iloc[0])

    chosen = cats.rows[-1].category
    picked = gov.categories(reader, city, "month", period, {"category_l1": chosen})
    assert [r.category for r in picked.rows if r.selected] == [chosen]
    assert picked.lines[0].category == chosen
    assert gov.categories(reader, city, "month", period, {"department": "x"}).ignored == ("department",)
    english = gov.categories(Reader.current(default_viewer("en")), city, "month", period)
    assert english.rows[0].label != english.rows[0].category  # 城乡建设 reads Urban construction


def test_hot_spots_fill_the_children_and_narrow(reader, period):
    whole = gov.hot_spots(reader, PROVINCE, "month", period)
    ranking = reader.ranking(gov.ORDERS, PROVINCE, "month", period).set_index("region")["value"]
    assert {c: whole.values[c] for c in ranking.index} == {c: float(v) for c, v in ranking.items()}
    # a count: a child without a row had no orders (0), it is not unknown
    assert set(whole.values) == set(reader.children(PROVINCE)["code"])
    assert all(v == 0.0 for c, v in whole.values.items() if c not in ranking.index)
    assert {f["properties"]["code"] for f in whole.geometry["features"]} >= set(whole.values)
    category = _busiest(reader, gov.ORDERS, PROVINCE, "category_l1", period)
    narrowed = gov.hot_spots(reader, PROVINCE, "month", period, {"category_l1": category})
    assert narrowed.applied == ("category_l1",)
    assert all(narrowed.values[c] <= whole.values[c] for c in whole.values)
    assert sum(narrowed.values.values()) < sum(whole.values.values())


def test_repeat_complaints(reader, period):
    city = _city(reader)
    found = gov.repeat_complaints(reader, city, "month", period)
    assert found.value == value_at(reader, gov.REPEAT, city, "month", period)
    assert found.periods[-1] == period and len(found.periods) == TREND_PERIODS["month"]
    # a trend start asked in the address (?since=) starts the trend there
    start = found.periods[-6]
    assert gov.repeat_complaints(reader, city, "month", period, since=start).periods[0] == start
    values = [v for _, _, v in found.children]
    assert values == sorted(values, reverse=True)


def test_open_overdue_orders_are_open_and_past_due(reader):
    found = gov.open_overdue(reader, PROVINCE)
    assert found.as_of is not None
    assert sum(n for _, _, n in found.ages) == found.total
    for order in found.oldest:
        assert order.status in gov.OPEN_STATUSES and order.due_at < found.as_of and order.days_overdue > 0
    days = [o.days_overdue for o in found.oldest]
    assert days == sorted(days, reverse=True)
    page = reader.records(gov.FEED, {"status": list(gov.OPEN_STATUSES), "due_at": {"to": found.as_of}}, limit=0)
    assert found.total == page.total
    if found.oldest:  # a cross filter narrows the orders themselves
        category = found.oldest[0].category
        narrowed = gov.open_overdue(reader, PROVINCE, {"category_l1": category})
        assert 0 < narrowed.total <= found.total and all(o.category == category for o in narrowed.oldest)


def test_grid_events_and_services(reader, period):
    city = _city(reader)
    events = gov.grid_events(reader, city, "month", period)
    assert events.reported > 0 and events.closed + events.open == events.reported
    # the counts are the grid indicators' (indicators/grid.yaml), and the rows behind them count the same
    assert events.reported == value_at(reader, "grid_events", city, "month", period)
    assert events.reported == reader.indicator_records("grid_events", city, "month", period, limit=0).total
    assert events.closure_rate == pytest.approx(100 * events.closed / events.reported)

    here = gov.services(reader, city, "month", period)
    assert here.region == city
    assert [f.value for f in here.figures] == [value_at(reader, i, city, "month", period) for i in gov.SERVICES]
    assert here.figures[1].target == 80.0
    county = str(reader.children(city)["code"].iloc[0])
    street = str(reader.children(county)["code"].iloc[0])
    up = gov.services(reader, street, "month", period)  # counted to county level: the county's
    assert up.region == county and up.asked == street and up.figures[0].value is not None


def test_out_of_scope_region_is_refused(use_demo_lake, period):
    city_viewer = Reader.current(Viewer(region="330100"))
    with pytest.raises(OutOfScope):
        gov.funnel(city_viewer, "330200", "month", period)
    with pytest.raises(OutOfScope):
        gov.open_overdue(city_viewer, "330200")


@pytest.mark.parametrize("filters", [{}, {"department": None}, {"category_l1": None},
                                     {"department": None, "category_l1": None}, {"department": "没有这个部门"}])
def test_every_child_narrowed_at_once_is_each_child_narrowed_alone(reader, period, filters):
    """`narrowed_children` reads a filter's category at every child at once; it must give each
    child what `narrowed` gives it alone, for counts and rates, at the province and a county."""
    county = str(reader.children(str(reader.children(reader.root)["code"].iloc[0]))["code"].iloc[0])
    for region in (reader.root, county):
        asked = dict(filters)
        for dim in [d for d, v in asked.items() if v is None]:  # the busiest category at the region
            split = reader.breakdown(gov.ORDERS, region, "month", by=dim, period=period)
            asked[dim] = str(split["category"].iloc[0])
        compared = 0
        for indicator in (gov.ORDERS, gov.OVERDUE, *gov.RATES):
            together = gov.narrowed_children(reader, indicator, region, "month", period, asked)
            for child in reader.children(region)["code"]:
                alone = gov.narrowed(reader, indicator, child, "month", period, asked)
                got = together.values.get(child)
                assert (got is None) == (alone.value is None), (indicator, child, got, alone)
                if got is not None:
                    assert got == pytest.approx(alone.value), (indicator, child)
                    compared += 1
            if asked:
                assert set(together.applied) | set(together.ignored) == set(asked)
        assert compared > 10
