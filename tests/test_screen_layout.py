"""The big screen as the server builds it (no browser): every panel says when its data is late,
and the whole screen is drawn from the snapshot alone."""

from __future__ import annotations

import pytest

from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import default_viewer
from cockpit.ui import bigscreen
from cockpit.ui.format import format_value
from cockpit.ui.theme import colour
from cockpit.views import screen as views
from cockpit.views.screens import screens

IDS = bigscreen.CanvasIds(canvas="screen-canvas", snapshot="screen-snapshot", map="screen-map",
                          ranking="screen-ranking", prefix="screen")


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def _text(component) -> str:
    """The text a component shows, its children's included."""
    children = component if isinstance(component, str) else getattr(component, "children", None)
    if isinstance(children, str):
        return children
    return "".join(_text(c) for c in children or [] if c is not None) if isinstance(children, list | tuple) else ""


def _panels(canvas) -> dict[str, tuple[str, str]]:
    """Panel id → (class names, the note in its title)."""
    out = {}
    for c in _walk(canvas):
        classes = getattr(c, "className", "") or ""
        if "bs-panel" in classes.split():
            title = c.children[0]
            out[c.id] = (classes, title.children[1].children)
    return out


def _canvas(theme: str = "overview", region: str = "330000", lang: str = "zh"):
    reader = Reader.current(default_viewer(lang))
    return bigscreen.canvas(reader, views.scope(reader, region), screens()[theme], IDS)


def _graph(canvas, panel: str):
    """The chart of a panel (rankings carry pattern-matching ids, the others `<panel>-graph`)."""
    return next(c for c in _walk(canvas) if getattr(c, "id", None) in (f"{panel}-graph", IDS.ranking_graph(panel)))


@pytest.mark.parametrize("theme", ["overview", "economy", "governance", "environment", "waste_free", "infrastructure"])
def test_on_the_demo_day_no_panel_is_late(use_demo_lake, theme):
    panels = _panels(_canvas(theme))
    assert len(panels) >= 6
    assert not [pid for pid, (classes, _) in panels.items() if "bs-panel-late" in classes]


def test_when_feeds_stop_arriving_panels_say_since_when(use_demo_lake, monkeypatch):
    # Ten days after the demo's last day: the hotline (due daily), air and IoT feeds are overdue;
    # the monthly economy (October, due by 25 December) is not.
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-30T09:00")
    panels = _panels(_canvas())
    classes, note = panels["screen-funnel"]
    assert "bs-panel-late" in classes and note == "数据滞后 · 截至11-20"
    assert "bs-panel-late" in panels["screen-topics"][0]
    assert "bs-panel-late" in panels["screen-environment"][0]
    assert "bs-panel-late" not in panels["screen-economy"][0]
    late_tiles = [c.children[1].id for c in _walk(_canvas(lang="en")) if "bs-kpi-late" in (getattr(c, "className", "") or "")]
    assert "screen-kpi-hotline_orders" in late_tiles and "screen-kpi-gdp_ytd" not in late_tiles
    en = _panels(_canvas(lang="en"))
    assert en["screen-funnel"][1] == "Late · data to 11-20"


def test_the_screen_reads_the_snapshot_not_the_lake(use_demo_lake, tmp_path, monkeypatch):
    """Hot topics and sensors come from the snapshot, so a screen is drawn without the lake."""
    expected = _panels(_canvas("infrastructure"))
    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(tmp_path / "no-lake"))
    assert _panels(_canvas("infrastructure")) == expected
    canvas = _canvas()
    topics = _graph(canvas, "screen-topics")
    assert len(topics.figure["data"][0]["y"]) == 6


def test_every_unit_a_definition_uses_has_an_english_form():
    from cockpit.indicators.definitions import read_systems
    from cockpit.indicators.units import UNITS_EN

    systems, _ = read_systems()
    units = {i.unit or "" for s in systems for i in s.indicators}
    assert units - set(UNITS_EN) == set()
    assert format_value(6.97e4, "亿元", 1, "en") == "¥6.97T"
    assert format_value(5432.1, "亿元", 1, "en") == "¥543.2B"
    assert format_value(12.5, "吨/日", 1, "en") == "12.5 t/day"
    assert format_value(1234, "件", 0, "en") == "1,234"


def test_the_english_screen_shows_no_chinese_units(use_demo_lake):
    import re

    canvas = _canvas(lang="en")
    tiles = [c for c in _walk(canvas) if str(getattr(c, "id", "") or "").startswith("screen-kpi-")]
    texts = [_text(c) for c in tiles]
    assert texts and not [t for t in texts if re.search(r"[件分吨台元]", t)]
    # the number large, its unit smaller beside it; the text reads as format_value writes it
    zh = {c.id: c for c in _walk(_canvas()) if str(getattr(c, "id", "") or "").startswith("screen-kpi-")}
    orders = zh["screen-kpi-hotline_orders"]
    assert re.fullmatch(r"[\d,]+ 件", _text(orders)) and orders.children[1].className == "bs-kpi-unit"


def test_the_english_screen_names_regions_and_categories_in_english(use_demo_lake):
    canvas = _canvas(lang="en", region="330100")
    title = next(c for c in _walk(canvas) if getattr(c, "id", None) == "screen-title")
    assert title.children.startswith("Hangzhou")
    topics = _graph(canvas, "screen-topics")
    assert all(label.isascii() for label in topics.figure["data"][0]["y"])
    ranking = _graph(_canvas(lang="en"), "screen-index")
    assert all(label.isascii() for label in ranking.figure["data"][0]["y"])


def test_a_county_is_compared_with_its_peers_where_its_streets_have_no_values(use_demo_lake):
    """Economic statistics stop at counties: 义乌市's screen maps and ranks the counties of 金华市,
    义乌市 highlighted, rather than an empty map of its streets."""
    canvas = _canvas("economy", region="330782")
    title = next(c for c in _walk(canvas) if getattr(c, "id", None) == "screen-map-panel").children[0]
    assert title.children[0].children.startswith("金华市")
    ranking = _graph(canvas, "screen-rank-gdp").figure["data"][0]
    assert len(ranking["customdata"]) >= 3 and "330782" in ranking["customdata"]
    assert ranking["marker"]["color"][ranking["customdata"].index("330782")] == colour("amber")  # the scope


@pytest.mark.parametrize("lang, says", [("zh", "本级暂无该项数据"), ("en", "No values at this level")])
def test_a_panel_whose_indicators_stop_above_the_scope_says_so_instead_of_an_empty_chart(use_demo_lake, lang, says):
    """Cloud use is reported by cities: a county's infrastructure screen says there is none at its
    level rather than drawing empty axes."""
    canvas = _canvas("infrastructure", region="330602", lang=lang)
    cloud = next(c for c in _walk(canvas) if getattr(c, "id", None) == "screen-cloud-trend")
    assert not [c for c in _walk(cloud) if getattr(c, "id", None) == "screen-cloud-trend-graph"]
    assert [c for c in _walk(cloud) if getattr(c, "children", None) == says]
    city = _graph(_canvas("infrastructure", region="330600", lang=lang), "screen-cloud-trend")  # the city has it
    assert any(v is not None for trace in city.figure["data"] for v in trace["y"])


def _ticks(canvas) -> list[str]:
    ticker = next(c for c in _walk(canvas) if getattr(c, "id", None) == "screen-ticker")
    return [c for c in _walk(ticker) if "bs-tick" in (getattr(c, "className", "") or "").split()]


def test_the_ticker_loops_its_alerts_and_says_once_when_there_are_none(use_demo_lake):
    snap = current_snapshot()
    province, quiet = "330000", None
    assert len(snap.alerts(30, within=province)) > 0
    ticks = _ticks(_canvas("overview", province))
    assert len(ticks) == 2 * len(snap.alerts(30, within=province))  # twice, for a seamless scroll
    for code in ("330602", "330603", "330604", "330624", "330681", "330683"):  # Shaoxing's counties
        if snap.alerts(30, within=code).empty:
            quiet = code
            break
    assert quiet, "the demo has a county without alerts"
    ticks = _ticks(_canvas("governance", quiet))
    assert [t.children for t in ticks] == ["当前无预警"]


def test_the_home_page_names_the_index_leader_in_the_readers_language(use_demo_lake):
    import sys

    import dash

    from cockpit.ui.i18n import in_language
    from cockpit.web import create_app

    create_app()  # registers the pages
    home = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/")]
    snap = current_snapshot()
    leaders = snap.headlines("330000").dropna(subset=["leader"])
    assert len(leaders)
    row = leaders.iloc[0]
    assert in_language(leaders, "en", "leader").iloc[0]["leader"] == row["leader_en"] != row["leader"]

    def text(lang: str) -> str:
        from cockpit.views.home import home_view

        view = home_view(Reader.current(default_viewer(lang)))
        return " ".join(str(c.children) for c in _walk(home._systems_section(view, lang))
                        if "headline-name" in (getattr(c, "className", "") or ""))

    assert f"(first: {row['leader_en']})" in text("en") and row["leader"] not in text("en")
    assert f"（第1名 {row['leader']}）" in text("zh")


def test_trend_legends_give_latest_values_to_the_indicators_decimals(use_demo_lake):
    import re

    snap = current_snapshot()
    canvas = _canvas("infrastructure")
    graph = _graph(canvas, "screen-security-trend")
    names = [trace["name"] for trace in graph.figure["data"]]
    # event counts are whole numbers: "网络安全事件数 177 起", never "177.0 起"; written as the tiles write them
    assert len(names) == 2 and all(re.search(r" [\d,]+ 起$", n) for n in names), names
    latest = snap.series("security_events", "330000", "month")
    latest = latest[~latest["provisional"]]["value"].iloc[-1]
    assert names[0].endswith(" " + format_value(latest, "起", 0, "zh"))
    # rates keep their decimal
    rates = _graph(canvas, "screen-sensor-trend")
    assert re.search(r" \d+\.\d%$", rates.figure["data"][0]["name"])


def test_year_to_date_growth_has_no_january_of_its_own(use_demo_lake):
    # published as 1–2月 (jan_feb_combined): the demo's Spring Festival moves from January 2025 to
    # February 2026, which made January 2026's growth leap to three times its trend
    graph = _graph(_canvas(), "screen-economy")
    periods = [p for trace in graph.figure["data"] for p in trace["x"]]
    assert periods and not [p for p in periods if p.endswith("-01")]
    assert any(p.endswith("-02") for p in periods)
