"""The big screen's view models, in-process on the demo snapshot: every number checked against
what the reader serves, the declared display properties honoured, the scope never widened; and
the one number rule shared by tiles and charts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views import screen as views
from cockpit.views.screens import MapLayer, screens

ROOT = Path(__file__).resolve().parents[1]


def _reader(lang: str = "zh", region: str | None = None) -> Reader:
    return Reader(Viewer(lang=lang, region=region), current_snapshot())


def test_view_models_import_no_dash():
    for path in (ROOT / "cockpit" / "views").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {m for m in imported if m.split(".")[0] in ("dash", "dash_bootstrap_components", "plotly")}, path


def test_the_display_properties_are_declared_in_the_snapshot(use_demo_lake):
    meta = current_snapshot().indicators().set_index("indicator")
    assert meta.loc["gdp_ytd", "compare"] == "same_period_last_year"
    assert meta.loc["hotline_orders", "compare"] == "previous_period"
    assert bool(meta.loc["sensors_in_alarm", "live"]) and not bool(meta.loc["hotline_orders", "live"])
    assert meta.loc["retail_sales_ytd_growth", "short_name_zh"] == "社会消费品零售总额"
    assert meta.loc["hotline_orders", "short_name_en"] == meta.loc["hotline_orders", "name_en"]  # none declared


def test_headlines_compare_as_declared(use_demo_lake):
    reader = _reader()
    snap = current_snapshot()
    where = views.scope(reader, "330000")
    heads = {h.indicator: h for h in views.headlines(reader, where, screens()["overview"].headlines)}

    # a year-to-date total against the same quarter a year before, not the quarter before
    gdp = heads["gdp_ytd"]
    series = snap.series("gdp_ytd", "330000", "quarter").set_index("period")["value"]
    assert gdp.value == pytest.approx(series[gdp.period])
    year_before = series[str(int(gdp.period[:4]) - 1) + gdp.period[4:]]
    assert gdp.comparison.previous == pytest.approx(year_before)
    assert gdp.comparison.kind == "percent"
    assert gdp.comparison.amount == pytest.approx(abs(gdp.value - year_before) / year_before * 100)

    # a rate against the period before, in points
    rate = heads["hotline_closure_rate"]
    latest = snap.latest_values(["hotline_closure_rate"], "330000", "month", complete_only=True).iloc[0]
    assert rate.period == latest["period"] and rate.comparison.kind == "points"
    assert rate.comparison.previous == pytest.approx(latest["previous_value"])
    better = latest["value"] > latest["previous_value"]  # higher is better for a closure rate
    assert rate.comparison.judgement == ("better" if better else "worse")

    # declared live: the month under way, which a complete-only headline would skip
    alarm = heads["sensors_in_alarm"]
    now = snap.latest_values(["sensors_in_alarm"], "330000", "month").iloc[0]
    complete = snap.latest_values(["sensors_in_alarm"], "330000", "month", complete_only=True).iloc[0]
    assert alarm.period == now["period"] and now["period"] != complete["period"]

    # an index the province itself has no value of: its leading city
    index = heads["waste_free_index"]
    top = snap.ranking("waste_free_index", "330000", "month").iloc[0]
    assert index.leader == top["name"] and index.value == pytest.approx(top["value"])


def test_a_county_is_ranked_among_its_peers_but_never_beyond_the_viewers_scope(use_demo_lake):
    snap = current_snapshot()
    everyone = _reader()
    yiwu = views.scope(everyone, "330782")
    ranking = views.ranking(everyone, yiwu, "gdp_real_growth", "quarter")
    peers = snap.ranking("gdp_real_growth", "330700", "quarter").dropna(subset=["rank"])
    assert ranking.area == "330700" and ranking.selected == "330782"
    assert [r.region for r in ranking.regions] == peers["region"].tolist()[: views.RANKED]
    assert [r.value for r in ranking.regions] == pytest.approx(peers["value"].tolist()[: views.RANKED])

    # a viewer whose subtree is 义乌市 itself: no parent to fall back to, so no peers shown
    own = _reader(region="330782")
    scoped = views.scope(own, "330782")
    assert scoped.parent is None
    alone = views.ranking(own, scoped, "gdp_real_growth", "quarter")
    assert alone.area == "330782" and all(own.in_scope(r.region) for r in alone.regions)
    layer = views.map_view(own, scoped, MapLayer("gdp_real_growth", "quarter"))
    assert layer.area == "330782" and all(own.in_scope(code) for code in layer.values)


def test_trends_use_the_declared_short_names_and_the_last_complete_periods(use_demo_lake):
    reader = _reader("en")
    where = views.scope(reader, "330000")
    panel = next(p for p in screens()["overview"].left if p.id == "screen-economy")
    trend = views.trend(reader, where, panel.indicators, panel.frequency)
    assert [line.name for line in trend.lines] == ["Industrial value added", "Retail sales", "Fixed-asset investment"]
    series = current_snapshot().series("retail_sales_ytd_growth", "330000", "month")
    series = series[~series["provisional"]].tail(18)
    line = trend.lines[1]
    assert list(line.periods) == series["period"].tolist()
    assert list(line.values) == pytest.approx(series["value"].tolist())
    assert trend.unit == "%" and trend.stale is None


def test_funnel_breakdown_dimensions_and_ticker_match_the_reader(use_demo_lake):
    reader = _reader()
    snap = current_snapshot()
    where = views.scope(reader, "330600")
    panel = next(p for p in screens()["overview"].right if p.kind == "funnel")
    funnel = views.funnel(reader, where, panel)
    latest = snap.latest_values(list(panel.indicators), "330600", "month", complete_only=True).set_index("indicator")
    assert [s.value for s in funnel.steps] == pytest.approx([latest.loc[i, "value"] for i in panel.indicators])
    assert [s.label for s in funnel.steps][0] == "funnel.received"

    topics = views.breakdown(reader, where, "hotline_orders", "month")
    expected = snap.breakdown("hotline_orders", "330600", "month")
    assert [c.name for c in topics.categories] == expected["category"].tolist()
    assert topics.period == expected["period"].iloc[0]

    dims = views.dimensions(reader, where, "waste_free_index", "month")
    assert dims.region == "330600" and len(dims.dimensions) == 9
    assert "工业固废" in [d.name for d in dims.dimensions]  # the declared short name, not 工业固废治理

    alerts = views.ticker(reader, where)
    assert len(alerts) == len(snap.alerts(30, within="330600"))


def test_the_map_names_regions_in_the_viewers_language(use_demo_lake):
    where = views.scope(_reader("en"), "330100")
    layer = views.map_view(_reader("en"), where, screens()["overview"].map)
    names = [f["properties"]["name"] for f in layer.geometry["features"]]
    assert names and all(n.isascii() and not n.endswith(" District") for n in names)
    ranking = current_snapshot().ranking("waste_free_index", "330100", "month")
    assert layer.values == pytest.approx(dict(zip(ranking["region"], ranking["value"], strict=True)))


def test_the_title_bar_says_demo_from_the_snapshot_even_without_the_lake(use_demo_lake, tmp_path, monkeypatch):
    reader = Reader.current(default_viewer())
    where = views.scope(reader, "330000")
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(tmp_path / "no-lake"))
    bar = views.title_bar(reader, where, screens()["overview"])
    assert bar.demo and bar.data_as_of == current_snapshot().data_as_of() and not bar.data_stale


def test_one_number_rule_for_tiles_and_charts():
    from cockpit.ui import screen_charts
    from cockpit.ui.format import LARGE, format_number, format_value

    assert format_number(LARGE - 1, 0, "zh") == "99,999" and format_number(LARGE, 0, "zh") == "10.0万"
    assert format_value(LARGE - 1, "件", 0, "zh") == "99,999 件" and format_value(LARGE, "件", 0, "en") == "100.0k"
    assert format_number(394_192, 0, "en") == "394.2k" and format_number(2_820_953, 0, "en") == "2.82M"
    assert format_value(123_456_789, "条", 0, "zh") == "1.23亿 条"
    assert format_value(100_000, "%", 1, "zh") == "100,000.0%"  # a share is never scaled
    # a chart below the rule keeps Plotly's ticks in full (20,000, not 20k); above it, the formatter writes them
    assert screen_charts.value_axis([12_000.0, 20_000.0], 0, "zh") == {"separatethousands": True,
                                                                      "exponentformat": "none"}
    axis = screen_charts.value_axis([150_000.0, 420_000.0], 0, "zh")
    assert axis["ticktext"] == [format_number(v, 0, "zh") for v in axis["tickvals"]]
    assert all(t.endswith("万") for t in axis["ticktext"])
    trend = views.Trend("month", "件", 0, (views.Line("x", "工单", ("2026-09", "2026-10"), (99_999.0, 123_456.0), None),),
                        None)
    figure = screen_charts.trend_lines(trend, 200, "zh")
    assert figure["data"][0]["name"] == "工单 12.3万 件"  # the legend as a tile writes it
    assert figure["data"][0]["text"] == ["99,999 件", "12.3万 件"]


def test_stale_and_failed_numbers_are_said(use_demo_lake, monkeypatch):
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-30T09:00")
    reader = _reader()
    late = views.stale(reader, ["hotline_orders"])
    assert late is not None and not late.failed and late.since.strftime("%m-%d") == "11-20"
    assert views.stale(reader, ["gdp_ytd"]) is None


def test_a_click_on_any_ranking_rescopes_the_screen(use_demo_lake, sign_in):
    """The rankings' charts carry pattern-matching ids; the re-scope callback hears them all, and
    the check of callback posts (cockpit.web) admits what Dash's renderer sends for them. In-process,
    through the app's own endpoint."""
    import json

    from cockpit.web import create_app

    app = create_app()
    client = sign_in(app)
    assert client.get("/screen").status_code == 200  # the app registers its callbacks on the first request

    def post(ranking: object, theme: str = "economy"):
        body = {"output": "screen-url.href", "outputs": {"id": "screen-url", "property": "href"},
                "inputs": [ranking, {"id": "screen-map-click", "property": "data", "value": None}],
                "state": [{"id": "screen-theme", "property": "data", "value": theme}],
                "changedPropIds": ['{"panel":"screen-rank-gdp","type":"screen-ranking"}.clickData']}
        return client.post("/_dash-update-component", json=body)

    clicked = [{"id": {"type": "screen-ranking", "panel": "screen-rank-gdp"}, "property": "clickData",
                "value": {"points": [{"customdata": "330600"}]}}]
    answer = post(clicked)
    assert answer.status_code == 200, answer.data
    assert json.loads(answer.data)["response"]["screen-url"]["href"] == "/screen/economy?region=330600"
    assert post("not a list").status_code == 400
    street = [{**clicked[0], "value": {"points": [{"customdata": "330602001"}]}}]  # below a county: no drill
    assert json.loads(post(street).data)["response"] == {}  # no update


def test_a_screen_is_built_once_per_snapshot_scope_language_and_minute(use_demo_lake, state_store, monkeypatch):
    """Many walls show the same screen: the first view builds it, the others get that build; a
    viewer of another scope or language, or the next minute (overdue notes), builds its own."""
    import dash

    from cockpit.query.snapshot import clear_cached_results
    from cockpit.state.accounts import User
    from cockpit.ui import access, bigscreen
    from cockpit.web import create_app

    app = create_app()
    screen = next(p for p in dash.page_registry.values() if p["path"] == "/screen")
    builds = []
    real_canvas = bigscreen.canvas
    monkeypatch.setattr(bigscreen, "canvas", lambda reader, *a: builds.append(reader.viewer.key()) or real_canvas(reader, *a))
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-30T09:00")
    clear_cached_results()

    def view(scope: str, lang: str = "zh", **kwargs):
        with app.server.test_request_context("/screen"):
            access.act_as(User(id=1, name="x", role="leader", region=scope, department=None,
                               personal_data=False, disabled=False))
            return screen["layout"](lang=lang, **kwargs)

    province = current_snapshot().roots()[0]
    first = view(province)
    assert len(builds) == 1
    assert view(province).children[-1].children is first.children[-1].children and len(builds) == 1  # a second wall
    view(province, region="330600")
    assert len(builds) == 2  # another region shown
    view("330600")
    view(province, lang="en")
    assert len(builds) == 4 and len(set(builds)) == 3  # a city's leader and the English screen: builds of their own
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-30T09:01")
    view(province)
    assert len(builds) == 5  # the next minute: built again (a feed may have fallen overdue)
