"""The Waste-Free page's view model on the session's demo: the group of peers, the heatmap of the
27 scores, the radar against the peers' mean, rank movement and explanations hold what the
snapshot holds; the dimension cross filter changes what is ranked; drill levels."""

from __future__ import annotations

import dataclasses

import pytest

from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views import workbench as wb
from cockpit.views.index import DIMENSION, WASTE_FREE_INDEX, dimension_choices, waste_free_view

PROVINCE, SHAOXING, YUECHENG = "330000", "330600", "330602"


@pytest.fixture()
def zh(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("zh"))


def _frozen(obj) -> None:
    if dataclasses.is_dataclass(obj):
        assert obj.__dataclass_params__.frozen, type(obj).__name__
        for f in dataclasses.fields(obj):
            _frozen(getattr(obj, f.name))
    elif isinstance(obj, tuple):
        for item in obj:
            _frozen(item)


def _view(reader: Reader, region: str | None, dimension: str | None = None, frequency: str = "month"):
    where = wb.place(reader, region)
    choice = wb.period_choice(reader, WASTE_FREE_INDEX, frequency, None)
    return where, choice, waste_free_view(
        reader, where.code, where.level, where.parent.code if where.parent else None,
        where.children[0].level if where.children else None, frequency, choice.chosen, dimension,
        where.child_level_name or "")


def test_province_ranks_the_cities_and_takes_the_leader_apart(zh):
    snap = current_snapshot()
    where, choice, view = _view(zh, None)
    _frozen(view)
    expected = snap.ranking(WASTE_FREE_INDEX, PROVINCE, "month", choice.chosen)
    assert [r.region for r in view.ranking.rows] == expected["region"].tolist()
    assert [r.value for r in view.ranking.rows] == pytest.approx(expected["value"].tolist())
    assert view.detail.region == expected["region"].iloc[0] and view.detail.rank == 1
    assert view.group_parent == PROVINCE
    # heatmap: 11 rows × 27 columns, each cell the score the dimension gave that city
    assert len(view.heatmap.rows) == 11 and len(view.heatmap.columns) == 27
    col = 4  # wfi_haz_on_time_receipt_rate or whichever is fifth
    c = view.heatmap.columns[col]
    for row in view.heatmap.rows:
        parts = snap.children_values(c.dimension, row.region, "month", choice.chosen).set_index("child")
        score = parts.loc[c.indicator, "score"]
        assert (row.scores[col] is None) == (score != score)  # NaN
        if row.scores[col] is not None:
            assert row.scores[col] == pytest.approx(score)
    # radar: nine dimensions; the average is the mean of the 11 cities' dimension scores
    assert len(view.radar.dimensions) == 9 and view.radar.peer_count == 11
    dim = view.radar.dimensions[2]
    peers = snap.ranking(dim, PROVINCE, "month", choice.chosen)
    assert view.radar.average[2] == pytest.approx(peers["value"].mean())
    assert view.radar.scores[2] == pytest.approx(peers.set_index("region").loc[view.detail.region, "value"])
    # rank movement: the last period's ranks are the ranking's
    assert view.history.periods[-1] == choice.chosen
    last = {line.region: line.ranks[-1] for line in view.history.lines}
    assert last == {r.region: r.rank for r in view.ranking.rows}
    # explanations: each city's sentence from the snapshot
    for e in view.explained:
        why = snap.explanation(WASTE_FREE_INDEX, e.region, "month", choice.chosen)
        assert e.text == (why["text_zh"] if why else None)


def test_a_dimension_filter_ranks_on_that_dimension_and_narrows_the_heatmap(zh):
    snap = current_snapshot()
    dims = dict(dimension_choices(zh))
    assert len(dims) == 9
    _, choice, whole = _view(zh, None)
    _, _, view = _view(zh, None, "wfi_hazardous")
    expected = snap.ranking("wfi_hazardous", PROVINCE, "month", choice.chosen)
    assert view.indicator == "wfi_hazardous" and view.indicator_name == dims["wfi_hazardous"]
    assert [r.value for r in view.ranking.rows] == pytest.approx(expected["value"].tolist())
    assert [r.value for r in view.ranking.rows] != [r.value for r in whole.ranking.rows]
    assert {c.dimension for c in view.heatmap.columns} == {"wfi_hazardous"} and len(view.heatmap.columns) == 3
    assert view.history.indicator == "wfi_hazardous"
    with pytest.raises(ValueError, match="dimension"):
        _view(zh, None, "not_a_dimension")


def test_drill_levels_city_county_and_below(zh):
    snap = current_snapshot()
    where, choice, city = _view(zh, SHAOXING)
    # at a city: its counties are ranked, the city itself is taken apart among the 11
    assert city.group_parent == SHAOXING
    counties = snap.ranking(WASTE_FREE_INDEX, SHAOXING, "month", choice.chosen)
    assert [r.region for r in city.ranking.rows] == counties["region"].tolist()
    assert city.detail.region == SHAOXING and city.detail.peer_count == 11
    cities = snap.ranking(WASTE_FREE_INDEX, PROVINCE, "month", choice.chosen).set_index("region")
    assert city.detail.rank == int(cities.loc[SHAOXING, "rank"])
    # at a county: it is shown among its siblings, the counties of its city
    _, _, county = _view(zh, YUECHENG)
    assert county.group_parent == SHAOXING and county.ranking.selected == YUECHENG
    assert county.detail.region == YUECHENG
    # below the county the index has no values: nothing to draw, and the workbench says so
    street = where.children and wb.place(zh, wb.place(zh, YUECHENG).children[0].code)
    assert street.level == "street"
    _, _, none = _view(zh, street.code)
    assert none is None
    said = wb.coverage(zh, [WASTE_FREE_INDEX], street)
    assert said is not None and said.nearest is not None and said.nearest.code == YUECHENG


def test_a_viewer_of_one_city_sees_its_counties_and_no_peers(use_demo_lake):
    reader = Reader.current(Viewer(region=SHAOXING))
    where, choice, view = _view(reader, None)
    assert where.code == SHAOXING and view.group_parent == SHAOXING
    assert view.detail.rank is None and all(a is None for a in view.radar.average)
    assert DIMENSION == "dimension"
