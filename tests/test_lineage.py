"""Lineage: where an indicator's value comes from and what reads it, from the one dependency graph."""

from __future__ import annotations

import pytest

from cockpit.indicators.definitions import read_systems
from cockpit.indicators.graph import Graph
from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer


def test_graph_lineage_walks_two_steps_each_way():
    graph = Graph.from_reads({"a": [], "b": ["a"], "c": ["b"], "d": ["c"], "e": ["d"], "x": ["a"]})
    found = graph.lineage("c", {"a": ["feed_a"]})
    assert found["feeds"] == ["feed_a"]  # through b and a
    assert found["inputs"] == ["b"] and found["used_by"] == ["d"]
    assert found["edges"] == [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]  # not x, nor beyond two steps
    with pytest.raises(KeyError):
        graph.lineage("nope", {})


def test_the_snapshot_graph_is_the_definitions_graph(use_demo_lake):
    systems, _ = read_systems()
    indicators = {i.id: i for s in systems for i in s.indicators}
    reader = Reader(default_viewer(), current_snapshot())
    graph = Graph(indicators)
    for ident in ("hotline_closure_rate", "waste_free_index", "hotline_orders"):
        found = reader.lineage(ident)
        assert found["inputs"] == graph.reads[ident]
        assert found["used_by"] == graph.read_by[ident]
        assert found["feeds"] == sorted(graph.gather(lambda i: {i.measure.feed} if i.measure else set())[ident])


def test_reader_lineage_of_a_rate(use_demo_lake):
    found = Reader(default_viewer(), current_snapshot()).lineage("hotline_closure_rate")
    assert found["feeds"] == ["hotline_orders"]
    assert found["inputs"] == ["hotline_closed", "hotline_orders"]
    assert ("hotline_orders", "hotline_closure_rate") in found["edges"]
    assert ("hotline_closed", "hotline_closure_rate") in found["edges"]


def test_lineage_hides_indicators_of_themes_the_viewer_may_not_see(use_demo_lake):
    snap = current_snapshot()
    everyone = Reader(default_viewer(), snap).lineage("hotline_waste_orders")
    users = everyone["used_by"]
    assert users  # the waste-free index and the solid-waste closure rate read it
    systems = snap.indicator_systems()
    other = sorted({systems[u] for u in users} - {"hotline"})
    assert other
    viewer = Viewer(role="staff", themes=frozenset({"hotline"}))
    hidden = Reader(viewer, snap).lineage("hotline_waste_orders")
    assert all(systems[u] == "hotline" for u in hidden["used_by"])
    assert all(systems[a] == "hotline" and systems[b] == "hotline" for a, b in hidden["edges"])
