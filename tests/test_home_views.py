"""The view models of the home and Waste-Free pages, in-process on the session's demo: what they
hold is what the snapshot and the lake hold, in the viewer's language and within its scope."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views.home import home_view
from cockpit.views.index import choose_period, detail, index_page, ranking

INDEX = "waste_free_index"
PROVINCE, SHAOXING, YUECHENG, HANGZHOU = "330000", "330600", "330602", "330100"


@pytest.fixture()
def zh(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("zh"))


@pytest.fixture()
def en(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("en"))


def _frozen(obj) -> None:
    """Every view object is a frozen dataclass, all the way down (a report cannot change a number)."""
    if dataclasses.is_dataclass(obj):
        assert obj.__dataclass_params__.frozen, type(obj).__name__
        for f in dataclasses.fields(obj):
            _frozen(getattr(obj, f.name))
    elif isinstance(obj, tuple):
        for item in obj:
            _frozen(item)


# -- home ---------------------------------------------------------------------------------------------


def test_home_headlines_are_the_snapshots_in_the_viewers_language(zh, en):
    snap = current_snapshot()
    expected = snap.headlines(PROVINCE).set_index("indicator")
    view = home_view(en)
    _frozen(view)
    assert [s.system for s in view.systems] == snap.systems()["system"].tolist()
    shown = {h.indicator: h for s in view.systems for h in s.headlines}
    assert set(shown) == set(expected.index)
    for indicator, row in expected.iterrows():
        item = shown[indicator]
        assert item.value == pytest.approx(row["value"]) and item.name == row["name_en"]
        assert item.unit == row["unit"] and item.period == row["period"]
    leaders = {h.indicator: h.leader for s in home_view(zh).systems for h in s.headlines}
    # the index is not defined for the province: its first city is shown, by name
    assert leaders[INDEX] == snap.ranking(INDEX, PROVINCE, "month")["name"].iloc[0]
    assert shown[INDEX].leader == snap.ranking(INDEX, PROVINCE, "month")["name_en"].iloc[0]
    assert shown["hotline_orders"].leader is None


def test_home_feeds_and_regions_add_up(zh):
    from cockpit.query.lake import feed_status
    from cockpit.regions import load_hierarchy

    status = feed_status()
    view = home_view(zh)
    feeds = [f for family in view.feeds.families for f in family.feeds]
    assert [f.table for f in feeds] == status["table"].tolist()
    assert view.feeds.rows == status["rows"].sum() > 0 and view.feeds.tables_loaded == view.feeds.tables == len(status)
    assert view.feeds.latest == status["latest"].max()
    assert view.feeds.last_ingest is not None and view.feeds.last_ingest.loaded > 0
    assert view.regions.total == len(load_hierarchy())
    assert [lvl for lvl, _ in view.regions.levels] == ["province", "city", "county", "street", "community", "grid"]
    assert dict(view.regions.levels)["city"] == 11


def test_home_says_what_it_shows_from_the_snapshot_alone(use_demo_lake, monkeypatch, tmp_path):
    """A deployment holding snapshots and no lake: still demo data, and the same headlines."""
    with_lake = home_view(Reader.current(default_viewer()))
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(tmp_path / "no-lake"))
    view = home_view(Reader.current(default_viewer()))
    assert view.provenance.demo is not None and view.provenance.demo.seed == 7
    assert view.systems == with_lake.systems
    assert view.feeds.rows == 0 and view.feeds.tables_loaded == 0 and view.feeds.last_ingest is None


def test_a_city_viewer_sees_its_citys_headlines_and_regions(use_demo_lake):
    reader = Reader.current(Viewer(region=SHAOXING))
    view = home_view(reader)
    snap = current_snapshot()
    values = {h.indicator: h.value for s in view.systems for h in s.headlines}
    expected = snap.headlines(SHAOXING).set_index("indicator")["value"]
    assert values["hotline_orders"] == pytest.approx(expected["hotline_orders"])
    assert view.regions.levels[0] == ("city", 1)
    assert view.regions.total == len(snap.subtree(SHAOXING))


# -- the index --------------------------------------------------------------------------------------------


def test_choose_period():
    assert choose_period(["2026-10", "2026-09"], None) == "2026-10"
    assert choose_period(["2026-10", "2026-09"], "2026-09") == "2026-09"
    assert choose_period(["2026-10"], "1999-01") is None  # said, not replaced by another period
    assert choose_period([], None) is None


def test_index_page_ranks_the_cities_and_takes_the_first_apart(zh):
    snap = current_snapshot()
    period = snap.periods(INDEX, "month")[0]
    expected = snap.ranking(INDEX, PROVINCE, "month", period)
    view = index_page(zh, INDEX, "month", None)
    _frozen(view)
    assert view.period == period and view.frequency == "month"
    assert [r.region for r in view.ranking.rows] == expected["region"].tolist()
    assert [r.rank for r in view.ranking.rows] == list(range(1, 12))
    assert [r.value for r in view.ranking.rows] == pytest.approx(expected["value"].tolist())
    leader = expected.iloc[0]
    assert view.ranking.selected == view.detail.region == leader["region"]
    assert view.detail.name == leader["name"] and view.detail.value == pytest.approx(leader["value"])
    assert (view.detail.rank, view.detail.peer_count) == (1, 11)
    assert len(view.detail.dimensions) == 9 and all(len(d.parts) == 3 for d in view.detail.dimensions)
    assert sum(d.weight for d in view.detail.dimensions) == pytest.approx(1.0, abs=1e-6)
    why = snap.explanation(INDEX, leader["region"], "month", period)
    assert view.detail.explanation == why["text_zh"]


def test_index_page_takes_the_chosen_city_apart_in_english(en):
    snap = current_snapshot()
    period = snap.periods(INDEX, "year")[0]
    view = index_page(en, INDEX, "year", period, SHAOXING)
    expected = snap.ranking(INDEX, PROVINCE, "year", period).set_index("region").loc[SHAOXING]
    assert view.ranking.selected == SHAOXING and view.detail.name == "Shaoxing"
    assert view.detail.rank == expected["rank"] and view.detail.value == pytest.approx(expected["value"])
    parts = snap.children_values(INDEX, SHAOXING, "year", period)
    assert [d.name for d in view.detail.dimensions] == parts["name_en"].tolist()
    # a dimension without a score (no data for it at this scale) is None, not NaN
    assert [d.score for d in view.detail.dimensions] == [None if pd.isna(s) else pytest.approx(s) for s in parts["score"]]
    assert all(r.name.isascii() for r in view.ranking.rows)


def test_index_page_has_nothing_for_an_unknown_period_or_region(zh):
    assert index_page(zh, INDEX, "month", "1999-01") is None
    assert index_page(zh, INDEX, "month", None, "999999") is None


def test_a_county_viewer_gets_nothing_of_another_city_and_no_peers_above_it(use_demo_lake):
    reader = Reader.current(Viewer(region=YUECHENG))
    assert index_page(reader, INDEX, "month", None, HANGZHOU) is None
    period = reader.periods(INDEX, "month")[0]
    own = detail(reader, INDEX, YUECHENG, "month", period)
    # its parent (the city) is outside its scope: no rank among peers it may not see
    assert own is not None and own.rank is None and own.peer_count is None and own.value is None
    assert len(own.dimensions) == 9


def test_a_city_viewer_ranks_its_counties(use_demo_lake):
    reader = Reader.current(Viewer(region=SHAOXING))
    view = index_page(reader, INDEX, "month", None)
    counties = current_snapshot().children(SHAOXING)["code"]
    assert view is not None and {r.region for r in view.ranking.rows} <= set(counties) and len(view.ranking.rows) > 1
    assert view.detail.rank == 1 and view.detail.peer_count == len(view.ranking.rows)
    assert ranking(reader, INDEX, SHAOXING, "month", view.period, "999").selected is None

