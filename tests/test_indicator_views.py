"""The indicator page's view model against the session demo: every indicator of the catalogue
renders, the numbers are the reader's, drill-down and coverage follow the hierarchy."""

from __future__ import annotations

import pytest

from cockpit.query.reader import Reader
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.ui import indicator_view
from cockpit.views import indicator as views


@pytest.fixture()
def reader(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("zh"))


def _first_child_with(reader: Reader, indicator: str, region: str, frequency: str) -> str:
    ranked = reader.ranking(indicator, region, frequency)
    assert len(ranked), f"{indicator} has no values below {region}"
    return str(ranked["region"].iloc[0])


def test_every_indicator_of_the_catalogue_renders(reader):
    ids = views.catalogue_ids(reader)
    assert len(ids) == len(reader.indicators()) >= 150
    english = Reader.current(default_viewer("en"))
    kinds: dict[str, str] = {}
    for ident in ids:
        view = views.indicator_page(reader, ident, {})
        assert view.definition.indicator == ident
        assert view.definition.formula, f"{ident}: no definition text"
        assert view.lineage is not None and view.lineage.layers
        assert indicator_view.page(view, "zh").id == "ind-page"
        kinds.setdefault(view.definition.kind, ident)
    assert set(kinds) == {"measure", "formula", "composite"}
    for ident in kinds.values():  # one of each kind in English too
        assert indicator_view.page(views.indicator_page(english, ident, {}), "en").id == "ind-page"


def test_unknown_and_hidden_indicators_are_refused(reader, use_demo_lake):
    with pytest.raises(views.UnknownIndicator):
        views.indicator_page(reader, "no_such_indicator", {})
    with pytest.raises(views.UnknownIndicator):
        views.indicator_page(reader, "../etc/passwd", {})
    hotline_only = Reader.current(Viewer(role="staff", region=None, themes=frozenset({"hotline"}), lang="zh"))
    with pytest.raises(views.UnknownIndicator):
        views.indicator_page(hotline_only, "gdp", {})
    seen = views.indicator_page(hotline_only, "hotline_closure_rate", {})
    assert all(n.ref is None or n.ref.indicator.startswith("hotline") for layer in seen.lineage.layers for n in layer)


def test_the_value_is_the_readers_and_compares_as_asked(reader):
    ident, region = "hotline_closure_rate", reader.root
    view = views.indicator_page(reader, ident, {"region": region, "cmp": "yoy"})
    series = reader.series(ident, region, "month").set_index("period")["value"]
    period = view.choice.chosen
    assert period == reader.periods(ident, "month")[0]
    assert view.headline.value == pytest.approx(series[period])
    before = views.year_before(period)
    assert view.headline.reference == pytest.approx(series[before])
    assert view.headline.delta == pytest.approx(series[period] - series[before])
    assert view.headline.delta_pct is None  # a rate changes in points
    mom = views.indicator_page(reader, ident, {"cmp": "mom"})
    earlier = series.index[list(series.index).index(period) - 1]
    assert mom.headline.reference_period == earlier and mom.headline.reference == pytest.approx(series[earlier])
    target = views.indicator_page(reader, ident, {"cmp": "target"})
    assert target.headline.reference == 95.0  # hotline.yaml: targets [{value: 95}, …]
    older = reader.periods(ident, "month")[3]
    assert views.indicator_page(reader, ident, {"period": older}).headline.value == pytest.approx(series[older])
    # the records behind a rate: its numerator's and its denominator's rows, each with its value
    keys = {link.href.split("key=")[-1] if "key=" in link.href else "value": link for link in view.records}
    assert set(keys) == {"numerator", "denominator"}
    assert keys["denominator"].value == pytest.approx(
        reader.series("hotline_orders", region, "month").set_index("period")["value"][period])
    assert f"region={region}" in keys["numerator"].href and f"period={period}" in keys["numerator"].href


def test_drill_down_goes_one_level_and_ranks_the_children(reader):
    ident = "hotline_orders"
    top = views.indicator_page(reader, ident, {})
    assert top.place.level == "province" and not top.comparison.among_peers
    assert top.comparison.level == "city"
    period = top.choice.chosen
    ranked = reader.ranking(ident, reader.root, "month", period)
    assert [r.region for r in top.comparison.rows] == ranked["region"].tolist()
    assert top.map is not None and top.map.values == dict(zip(ranked["region"], ranked["value"], strict=True))
    city = top.comparison.rows[0].region
    assert top.comparison.rows[0].drill
    assert indicator_view.href(top, region=city) == f"/indicator/{ident}?region={city}"
    down = views.indicator_page(reader, ident, {"region": city})
    assert [c.code for c in down.place.path] == [reader.root, city]
    assert down.comparison.level == "county"
    assert down.headline.rank is None  # a volume (neutral polarity) has no rank
    rate = views.indicator_page(reader, "hotline_closure_rate", {"region": city})
    peers = reader.ranking("hotline_closure_rate", reader.root, "month", rate.choice.chosen)
    mine = peers[peers["region"] == city]
    assert rate.headline.rank == int(mine["rank"].iloc[0]) and rate.headline.peer_count == len(peers)
    # walk down to the grid: every level is counted for the hotline's orders
    here = city
    for level in ("county", "street", "community", "grid"):
        here = _first_child_with(reader, ident, here, "month")
        view = views.indicator_page(reader, ident, {"region": here})
        assert view.place.level == level and view.coverage is None
    # at a grid there is nothing below: the grid is shown among its peers, highlighted
    assert view.comparison.among_peers and view.comparison.selected == here


def test_coverage_says_where_the_indicator_stops(reader):
    gdp = views.indicator_page(reader, "gdp", {})
    street = _first_child_with(reader, "hotline_orders",
                               _first_child_with(reader, "hotline_orders",
                                                 _first_child_with(reader, "hotline_orders", reader.root, "month"),
                                                 "month"), "month")
    below = views.indicator_page(reader, "gdp", {"region": street})
    assert below.coverage is not None and below.coverage.below
    assert below.coverage.nearest.level == "county"  # gdp is counted down to counties
    assert below.headline.value is None
    assert gdp.coverage is None
    # an index of cities at the province: not counted there, its cities compared instead
    index = views.indicator_page(reader, "waste_free_index", {})
    assert index.coverage is not None and not index.coverage.below
    assert index.headline.value is None and index.comparison.level == "city"
    assert index.breakdown is None


def test_a_composite_is_taken_apart(reader):
    ident = "waste_free_index"
    city = _first_child_with(reader, ident, reader.root, "month")
    view = views.indicator_page(reader, ident, {"region": city})
    parts = view.breakdown
    assert parts is not None and len(parts.parts) == 9
    stored = reader.children_values(ident, city, "month", view.choice.chosen)
    assert [p.ref.indicator for p in parts.parts] == stored["child"].tolist()
    assert [p.score for p in parts.parts] == pytest.approx(stored["score"].tolist())
    # the parts' points add up to the index (arithmetic aggregation, weights reweighted)
    assert sum(p.points for p in parts.parts) == pytest.approx(view.headline.value, abs=0.05)
    assert parts.explanation  # the generated sentence on what moved it
    assert view.records == ()  # scores have no rows of their own
    assert {p.ref.indicator for p in view.definition.parts} == set(stored["child"])


def test_formula_and_lineage_link_the_indicators_it_is_built_from(reader):
    view = views.indicator_page(reader, "hotline_closure_rate", {})
    linked = [tk.ref.indicator for tk in view.definition.formula if tk.ref is not None]
    assert linked == ["hotline_closed", "hotline_orders"]
    assert "".join(tk.text for tk in view.definition.formula) == reader.indicator("hotline_closure_rate")["definition"]
    graph = view.lineage
    assert {r.indicator for r in graph.inputs} == {"hotline_closed", "hotline_orders"}
    assert graph.feeds == ("hotline_orders",)
    layers = [[n.key for n in layer] for layer in graph.layers]
    assert layers[0] == ["feed:hotline_orders"] and layers[-1] == ["hotline_closure_rate"]
    assert ("feed:hotline_orders", "hotline_orders") in graph.edges
    # a measure read by others: what uses it is on the right
    used = views.indicator_page(reader, "hotline_orders", {}).lineage
    assert "hotline_closure_rate" in {r.indicator for r in used.used_by}
    right = [n.key for n in used.layers[-1]] + [n.key for n in used.layers[-2]]
    assert "hotline_closure_rate" in right


def test_hostile_queries_fall_back_and_say_so(reader):
    view = views.indicator_page(reader, "hotline_orders", {"region": "999999", "period": "1999-01",
                                                           "frequency": "hour", "cmp": "x"})
    assert view.place.code == reader.root and view.place.asked_out_of_scope
    assert view.choice.asked_missing and view.choice.chosen == reader.periods("hotline_orders", "month")[0]
    assert view.query.cmp == "yoy" and view.query.frequency == "month"
    for bad in ({"region": ["330100", "330200"]}, {"period": "2026-10'; drop table x"}, {"region": "33" * 40}):
        assert views.indicator_page(reader, "hotline_orders", bad).place.code == reader.root


def test_yearly_frequency_and_plain_words(reader):
    view = views.indicator_page(reader, "hotline_orders", {"frequency": "year"})
    assert view.choice.frequency == "year" and all(len(p) == 4 for p in view.series.periods)
    words = indicator_view.plain_words(view.definition, "zh")
    assert "按月、年统计" in words and "网格" in words
    assert "monthly, yearly" in indicator_view.plain_words(view.definition, "en")
