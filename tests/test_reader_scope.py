"""The read gateway's scope: a viewer of one county gets nothing of another, from every method.

The test enumerates the reader's public methods: each must be listed below as regional (called
with another county's code it raises OutOfScope, and called for its own county it answers) or as
not regional, with the reason. A new method that is in neither list fails the test, so it cannot
be added without deciding what its scope is.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cockpit.query.reader import OutOfScope, OutOfTheme, Reader, public_methods
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.state.accounts import User, viewer_for

OWN = "330602"  # 越城区, 绍兴市
OTHER = "330102"  # 上城区, 杭州市
OWN_CITY = "330600"
INDEX = "waste_free_index"

# method -> how to call it for a region (period comes from the snapshot)
REGIONAL = {
    "latest_values": lambda r, region, p: r.latest_values(["hotline_orders"], region, "month"),
    "headlines": lambda r, region, p: r.headlines(region),
    "series": lambda r, region, p: r.series("hotline_orders", region, "month"),
    "ranking": lambda r, region, p: r.ranking("hotline_orders", region, "month"),
    "ranks_over": lambda r, region, p: r.ranks_over("hotline_orders", region, "month", [p]),
    "composite_parts": lambda r, region, p: r.composite_parts(INDEX, region, "month", p),
    "children_values": lambda r, region, p: r.children_values(INDEX, region, "month", p),
    "explanation": lambda r, region, p: r.explanation(INDEX, region, "month", p),
    "breakdown": lambda r, region, p: r.breakdown("hotline_orders", region, "month"),
    "breakdown_series": lambda r, region, p: r.breakdown_series("hotline_orders", region, "month", "department",
                                                                ["越城区综合行政执法局"]),
    "sensor_points": lambda r, region, p: r.sensor_points(region),
    "alerts": lambda r, region, p: r.alerts(region),
    "region": lambda r, region, p: r.region(region),
    "region_name": lambda r, region, p: r.region_name(region),
    "children": lambda r, region, p: r.children(region),
    "geometry": lambda r, region, p: r.geometry(region),
    "records": lambda r, region, p: r.records("hotline_orders", {"region": region}, limit=5),
    "iter_records": lambda r, region, p: r.iter_records("hotline_orders", {"region": region}),
    "record_sets": lambda r, region, p: r.record_sets("hotline_closure_rate", region, "month", p),
    "indicator_records": lambda r, region, p: r.indicator_records("hotline_orders", region, "month", p, limit=5),
    "iter_indicator_records": lambda r, region, p: r.iter_indicator_records("hotline_orders", region, "month", p),
    "children_values_of": lambda r, region, p: r.children_values_of(INDEX, [region], "month", p),
    "children_category": lambda r, region, p: r.children_category("hotline_orders", region, "month", p,
                                                                   "category_l1", "城乡建设"),
    "descendant_values": lambda r, region, p: r.descendant_values("hotline_orders", region, "street", "month", p),
}
NOT_REGIONAL = {
    "in_scope": "answers whether a region is in scope; tested below",
    "memo": "a cache keyed by the viewer; tested below",
    "systems": "the catalogue of indicator systems (filtered by theme, not region)",
    "indicators": "the catalogue of indicators (filtered by theme, not region)",
    "indicator": "one indicator's definition",
    "unit_label": "a unit's label in the viewer's language",
    "periods": "the periods an indicator has values for",
    "failures": "which indicators failed at refresh (definitions, not values)",
    "late_since": "when a feed's data ends",
    "data_as_of": "when the snapshot's newest data ends",
    "provenance": "which snapshot, demo or not",
    "feed_status": "each feed's row count and freshness, the same for every viewer",
    "last_ingest": "the lake's newest ingest, the same for every viewer",
    "geometry_notice": "what the packaged map boundaries are, the same for every viewer",
    "level_counts": "counts the viewer's own subtree only; tested below",
    "record_columns": "a feed's columns and which hold personal data, from its contract",
    "feed_label": "a feed's name, from its contract",
    "breakdown_columns": "which columns an indicator is split by (its definition)",
    "lineage": "the dependency graph of the definitions: feeds and indicators, no values",
    "search_regions": "searches the viewer's own subtree only; tested below",
}


@pytest.fixture()
def readers(use_demo_lake):
    snap = current_snapshot()
    county = Reader(Viewer(role="staff", region=OWN), snap)
    return county, Reader(default_viewer(), snap)


def test_every_public_method_is_classified():
    assert set(public_methods()) == set(REGIONAL) | set(NOT_REGIONAL), (
        "classify each reader method as regional or not in tests/test_reader_scope.py")


@pytest.mark.parametrize("method", sorted(REGIONAL))
def test_a_county_viewer_gets_nothing_of_another_county(readers, method):
    county, province = readers
    period = province.periods(INDEX, "month")[0]
    with pytest.raises(OutOfScope):
        REGIONAL[method](county, OTHER, period)
    with pytest.raises(OutOfScope):  # nor of the city above it
        REGIONAL[method](county, OWN_CITY, period)
    REGIONAL[method](county, OWN, period)  # its own county answers
    REGIONAL[method](province, OTHER, period)  # and the province viewer sees both


def test_what_a_county_viewer_sees_by_default_stays_in_the_county(readers):
    county, province = readers
    subtree = set(current_snapshot().subtree(OWN))
    assert county.root == OWN and county.in_scope(OWN) and not county.in_scope(OTHER)
    assert not county.in_scope(None) and not county.in_scope(["330602"])  # type: ignore[arg-type]
    alerts = county.alerts()
    assert set(alerts["region"]) <= subtree
    assert len(province.alerts(limit=500)) >= len(alerts)
    page = county.records("hotline_orders", limit=1000)
    assert page.total > 0 and set(page.rows["region_code"]) <= subtree
    assert page.total < province.records("hotline_orders", limit=1).total
    # its parent is not offered as a way up: no peer fallback beyond the subtree
    assert county.region(OWN)["parent_code"] is None
    assert province.region(OWN)["parent_code"] == OWN_CITY
    counts = county.level_counts()
    assert list(counts)[0] == "county" and counts["county"] == 1 and sum(counts.values()) == len(subtree)
    # the region picker finds regions of its own subtree only: 上城区 is another city's
    assert set(county.search_regions("3306", limit=100)["code"]) <= subtree
    assert county.search_regions("上城").empty and not province.search_regions("上城").empty
    assert county.search_regions("越城")["code"].iloc[0] == OWN


def test_records_count_every_matching_row_and_page_in_a_stable_order(readers):
    _, province = readers
    one = province.records("hotline_orders", {"region": OWN, "status": ["已办结"]},
                           sort=[("created_at", "desc")], limit=7)
    two = province.records("hotline_orders", {"region": OWN, "status": ["已办结"]},
                           sort=[("created_at", "desc")], offset=7, limit=7)
    assert one.total == two.total > 14
    assert not set(one.rows["order_id"]) & set(two.rows["order_id"])
    assert (one.rows["status"] == "已办结").all()
    assert list(one.rows["created_at"]) == sorted(one.rows["created_at"], reverse=True)
    with pytest.raises(ValueError):
        province.records("hotline_orders", {"caller_id; DROP TABLE x": 1})
    with pytest.raises(ValueError):
        province.records("hotline_orders", sort=[("created_at", "sideways")])
    with pytest.raises(ValueError):
        province.records("hotline_orders", limit=10**6)


def test_the_viewer_is_part_of_every_cached_scoped_result(readers):
    county, province = readers
    built = []

    def build(who):
        built.append(who)
        return who

    assert county.memo("test", ("x",), lambda: build("county")) == "county"
    assert province.memo("test", ("x",), lambda: build("province")) == "province"
    assert county.memo("test", ("x",), lambda: build("again")) == "county"
    assert built == ["county", "province"]


def test_a_viewer_of_some_themes_sees_only_their_indicators(use_demo_lake):
    reader = Reader(Viewer(role="staff", themes=frozenset({"hotline"})), current_snapshot())
    assert set(reader.systems()["system"]) == {"hotline"}
    assert set(reader.indicators()["system"]) == {"hotline"}
    with pytest.raises(KeyError):
        reader.indicator(INDEX)
    assert set(reader.latest_values([INDEX, "hotline_orders"], reader.root)["indicator"]) == {"hotline_orders"}
    assert isinstance(reader.alerts(), pd.DataFrame) and set(reader.alerts()["system"]) <= {"hotline"}


def test_provenance_comes_from_the_snapshot_not_the_lake(use_demo_lake, monkeypatch, tmp_path):
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(tmp_path / "no-lake"))
    facts = Reader(default_viewer(), current_snapshot()).provenance()
    assert facts.demo is not None and facts.demo.seed == 7 and facts.snapshot_id and facts.damage is None


# -- themes: a department's staff get nothing of another department's themes ---------------------
#
# The viewers are made as sign-in makes them (`accounts.viewer_for`), so their themes are what
# data/departments.yaml gives their departments' kinds: a 供电公司 works with infrastructure and the
# hotline, a 综合行政执法局 with the hotline, the grid and waste. Each method below is called with an
# indicator (or feed) of the grid or the Waste-Free Index: the power company gets nothing, the
# enforcement bureau answers. A method that takes an indicator or a feed is in THEMED (it raises
# OutOfTheme) or FILTERED (it leaves such indicators out); every other is in NOT_THEMED, with why.

POWER = "国网越城区供电公司"
ENFORCEMENT = "越城区综合行政执法局"
GRID = "grid_events"  # the grid's: counted by event type, with records

THEMED = {
    "indicator": lambda r, root, p: r.indicator(GRID),
    "series": lambda r, root, p: r.series(GRID, root, "month"),
    "ranking": lambda r, root, p: r.ranking(GRID, root, "month"),
    "ranks_over": lambda r, root, p: r.ranks_over(GRID, root, "month", [p]),
    "periods": lambda r, root, p: r.periods(GRID, "month"),
    "composite_parts": lambda r, root, p: r.composite_parts(INDEX, root, "month", p),
    "children_values": lambda r, root, p: r.children_values(INDEX, root, "month", p),
    "children_values_of": lambda r, root, p: r.children_values_of(INDEX, [root], "month", p),
    "explanation": lambda r, root, p: r.explanation(INDEX, root, "month", p),
    "lineage": lambda r, root, p: r.lineage(INDEX),
    "breakdown_columns": lambda r, root, p: r.breakdown_columns(GRID),
    "breakdown": lambda r, root, p: r.breakdown(GRID, root, "month", by="event_type"),
    "breakdown_series": lambda r, root, p: r.breakdown_series(GRID, root, "month", "event_type", ["环境卫生"]),
    "children_category": lambda r, root, p: r.children_category(GRID, root, "month", p, "event_type", "环境卫生"),
    "descendant_values": lambda r, root, p: r.descendant_values(GRID, root, "county", "month", p),
    "record_sets": lambda r, root, p: r.record_sets(GRID, root, "month", p),
    "indicator_records": lambda r, root, p: r.indicator_records(GRID, root, "month", p, limit=5),
    "iter_indicator_records": lambda r, root, p: r.iter_indicator_records(GRID, root, "month", p),
    "records": lambda r, root, p: r.records("grid_events", limit=5),  # the grid's feed
    "iter_records": lambda r, root, p: r.iter_records("waste_manifests"),  # the Waste-Free Index's feed
}
FILTERED = {  # method -> the systems of what it answers the viewer
    "systems": lambda r, root: set(r.systems()["system"]),
    "indicators": lambda r, root: set(r.indicators()["system"]) | set(r.indicators("grid")["system"]),
    "latest_values": lambda r, root: {r.indicator(i)["system"] for i in
                                      r.latest_values([GRID, INDEX, "hotline_orders"], root)["indicator"]},
    "headlines": lambda r, root: set(r.headlines(root)["system"]),
    "alerts": lambda r, root: set(r.alerts(limit=500)["system"]),
    "failures": lambda r, root: set(r.failures().get("system", [])),
    "late_since": lambda r, root: {"grid"} if r.late_since([GRID]) is not None else set(),
    # the sensors' states are the infrastructure feeds': the enforcement bureau sees none of them
    "sensor_points": lambda r, root: {"infrastructure"} if len(r.sensor_points(root)) else set(),
}
NOT_THEMED = {
    "in_scope": "answers whether a region is in scope",
    "memo": "a cache keyed by the viewer, its themes included",
    "unit_label": "a unit's label in the viewer's language",
    "data_as_of": "when the snapshot's newest data ends",
    "provenance": "which snapshot, demo or not",
    "feed_status": "each feed's row count and freshness, the same for every viewer",
    "last_ingest": "the lake's newest ingest, the same for every viewer",
    "geometry_notice": "what the packaged map boundaries are",
    "level_counts": "the regions of the viewer's subtree",
    "record_columns": "a feed's columns, from its contract",
    "feed_label": "a feed's name, from its contract",
    "region": "a region, whatever the theme",
    "region_name": "a region's name",
    "children": "the regions below a region",
    "search_regions": "the region picker",
    "geometry": "the shapes of regions",
}


def _staff(department: str) -> User:
    return User(id=1, name="x", role="staff", region=current_snapshot().roots()[0], department=department,
                personal_data=False, disabled=False)


@pytest.fixture()
def departments(use_demo_lake):
    snap = current_snapshot()
    power, enforcement = (Reader(viewer_for(_staff(d)), snap) for d in (POWER, ENFORCEMENT))
    return power, enforcement, enforcement.periods(INDEX, "month")[0]


def test_a_staff_viewers_themes_are_their_departments(departments):
    power, enforcement, _ = departments
    assert power.viewer.themes == {"infrastructure", "hotline"}  # from data/departments.yaml
    assert enforcement.viewer.themes == {"hotline", "grid", "waste_free"}


def test_every_public_method_is_classified_by_theme():
    assert set(public_methods()) == set(THEMED) | set(FILTERED) | set(NOT_THEMED), (
        "classify each reader method by theme in tests/test_reader_scope.py")
    assert not set(THEMED) & set(FILTERED) and not (set(THEMED) | set(FILTERED)) & set(NOT_THEMED)


@pytest.mark.parametrize("method", sorted(THEMED))
def test_a_department_gets_nothing_of_another_departments_theme(departments, method):
    power, enforcement, period = departments
    with pytest.raises(OutOfTheme):
        THEMED[method](power, power.root, period)
    THEMED[method](enforcement, enforcement.root, period)  # the department whose theme it is answers


@pytest.mark.parametrize("method", sorted(FILTERED))
def test_what_a_department_is_answered_holds_only_its_themes(departments, method):
    power, enforcement, _ = departments
    assert FILTERED[method](power, power.root) <= power.viewer.themes
    assert FILTERED[method](enforcement, enforcement.root) <= enforcement.viewer.themes


def test_the_filtered_answers_are_not_empty_for_the_department_whose_theme_it_is(departments):
    power, enforcement, _ = departments
    assert {"grid", "waste_free"} <= FILTERED["systems"](enforcement, enforcement.root)
    assert FILTERED["latest_values"](enforcement, enforcement.root) == {"grid", "hotline"}  # the index is by city
    assert FILTERED["latest_values"](power, power.root) == {"hotline"}
    assert FILTERED["sensor_points"](power, power.root) == {"infrastructure"}
    assert power.indicators("grid").empty and not enforcement.indicators("grid").empty


def test_a_staff_member_of_no_declared_department_sees_no_theme(use_demo_lake):
    nobody = Reader(viewer_for(_staff("越城区某某办公室")), current_snapshot())
    assert nobody.viewer.themes == frozenset()
    assert nobody.systems().empty and nobody.indicators().empty and nobody.headlines(nobody.root).empty
    with pytest.raises(OutOfTheme):
        nobody.records("hotline_orders", limit=1)
    with pytest.raises(OutOfTheme):
        nobody.series("hotline_orders", nobody.root, "month")
    assert nobody.records("air_stations", limit=1).total > 0  # a list of stations is no theme's
