"""The read gateway's scope: a viewer of one county gets nothing of another, from every method.

The test enumerates the reader's public methods: each must be listed below as regional (called
with another county's code it raises OutOfScope, and called for its own county it answers) or as
not regional, with the reason. A new method that is in neither list fails the test, so it cannot
be added without deciding what its scope is.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cockpit.query.reader import OutOfScope, Reader, public_methods
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer

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
