"""生态环境's view models against the session demo: indicator numbers equal the Reader's, the
stations and sections are their feeds' rows in the viewer's scope, the grade counts agree with
the snapshot's share, drill-down goes province → city → county and stops there."""

from __future__ import annotations

import pytest

from cockpit.query.reader import Reader
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views import environment
from cockpit.views.workbench import parse_query, value_at

PROVINCE = "330000"


@pytest.fixture()
def reader(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("zh"))


def _q(**args):
    return parse_query({k: v for k, v in args.items() if v is not None}, environment.SPEC)


def test_headlines_trends_and_children_are_the_readers(reader):
    page = environment.environment_page(reader, _q())
    period = page.frame.period.chosen
    assert period == reader.periods("good_air_day_ratio", "month")[0]
    assert [h.indicator for h in page.headlines] == list(environment.HEADLINES)
    for h in page.headlines:
        assert h.value == value_at(reader, h.indicator, PROVINCE, "month", period)
    good_air = page.trends[0]
    assert good_air.indicator == "good_air_day_ratio" and good_air.target == 90.0
    assert good_air.periods[-1] == period
    assert good_air.values[-1] == page.headlines[0].value
    table = page.children
    assert table is not None and table.columns[0].indicator == "good_air_day_ratio"
    ranked = reader.ranking("pm25_mean", PROVINCE, "month", period).set_index("region")["value"]
    pm25 = [c.indicator for c in table.columns].index("pm25_mean")
    assert {r.code for r in table.rows} == set(ranked.index) | {r.code for r in table.rows}
    for row in table.rows:
        if row.code in ranked.index:
            assert row.values[pm25] == ranked[row.code]
            assert row.meets[pm25] == (ranked[row.code] <= 28.0)


def test_target_comparison_uses_the_declared_targets(reader):
    page = environment.environment_page(reader, _q(cmp="target"))
    by_id = {h.indicator: h for h in page.headlines}
    assert by_id["good_air_day_ratio"].reference == 90.0
    assert by_id["pm25_mean"].reference == 28.0
    assert by_id["water_good_section_ratio"].reference == 95.0
    assert by_id["o3_mean"].reference is None  # no target declared


def test_stations_are_the_feeds_rows_with_their_latest_reading(reader):
    page = environment.environment_page(reader, _q())
    listed = reader.records("air_stations", {"region": PROVINCE}, limit=1000).rows
    assert {s.station_id for s in page.stations.rows} == set(listed["station_id"])
    assert page.stations.total == len(listed)
    latest = reader.records("air_quality_hourly", {"region": PROVINCE}, sort=[("ts", "desc")], limit=1).rows
    assert page.stations.latest_hour == latest["ts"].iloc[0]
    read = [s for s in page.stations.rows if s.aqi is not None]
    assert read, "some station reported in the feed's last hours"
    s = read[0]
    row = reader.records("air_quality_hourly", {"station_id": s.station_id, "ts": s.reading_at}, limit=1).rows.iloc[0]
    assert (s.aqi, s.pm25) == (float(row["aqi"]), float(row["pm25"]))
    assert [x.aqi for x in read] == sorted((x.aqi for x in read), reverse=True)
    assert "station_id=" + s.station_id in s.records


def test_sections_by_grade_agree_with_the_snapshot(reader):
    page = environment.environment_page(reader, _q())
    found = page.sections
    assert found.month is not None and found.rows
    total = sum(g.sections for g in found.grades)
    assert total == len(found.rows)
    assert total == value_at(reader, "water_sections_monitored", PROVINCE, "month", found.month)
    good = sum(g.sections for g in found.grades if g.grade in environment.GOOD_GRADES)
    assert found.good_share == pytest.approx(100.0 * good / total)
    order = [environment.GRADES.index(s.grade) for s in found.rows]
    assert order == sorted(order, reverse=True)  # worst first
    yearly = environment.environment_page(reader, _q(frequency="year")).sections
    assert yearly.month is not None and yearly.month.startswith(environment.environment_page(
        reader, _q(frequency="year")).frame.period.chosen)


def test_drill_levels_and_manifests(reader):
    province = environment.environment_page(reader, _q())
    assert not province.manifests.counted_here  # manifests are counted by city and county
    city = province.frame.place.children[0].code
    down = environment.environment_page(reader, _q(region=city))
    assert [c.code for c in down.frame.place.path] == [PROVINCE, city]
    period = down.frame.period.chosen
    assert down.manifests.counted_here and len(down.manifests.classes) == 5
    for c in down.manifests.classes:
        assert c.tons == value_at(reader, c.indicator, city, "month", period)
        assert c.records.startswith(f"/records?indicator={c.indicator}&region={city}")
    assert all(s.station_id in set(reader.records("air_stations", {"region": city}).rows["station_id"])
               for s in down.stations.rows)
    counties = [r.code for r in down.children.rows] if down.children else []
    county = counties[0] if counties else down.frame.place.children[0].code
    at_county = environment.environment_page(reader, _q(region=county))
    assert at_county.frame.coverage is None
    street = reader.children(county)["code"].iloc[0]
    below = environment.environment_page(reader, _q(region=street))
    assert below.frame.coverage is not None and below.frame.coverage.nearest.code == county
    assert below.headlines == () and below.stations.rows == ()
    community = reader.children(street)["code"].iloc[0]
    grid = reader.children(community)["code"].iloc[0]
    at_grid = environment.environment_page(reader, _q(region=grid))
    assert at_grid.frame.coverage.records == f"/records?feed=waste_manifests&region={grid}"  # its own rows


def test_scope_holds_for_stations_and_sections(use_demo_lake):
    scoped = Reader.current(Viewer(region="330100", lang="en"))
    page = environment.environment_page(scoped, _q(region="330200"))
    assert page.frame.place.code == "330100" and page.frame.place.asked_out_of_scope
    assert all(s.station_id in set(scoped.records("air_stations", {"region": "330100"}).rows["station_id"])
               for s in page.stations.rows)
    assert all(not s.county.startswith("Ningbo") for s in page.sections.rows)


# -- the map and the cross filters ---------------------------------------------------------------

def test_map_is_the_children_filled_by_good_air_days_with_the_stations(reader):
    page = environment.environment_page(reader, _q())
    m = page.map
    period = page.frame.period.chosen
    assert m is not None and m.indicator == "good_air_day_ratio" and m.period == period and m.coverage is None
    ranked = reader.ranking("good_air_day_ratio", PROVINCE, "month", period)
    assert m.values == {str(c): float(v) for c, v in zip(ranked["region"], ranked["value"], strict=True)}
    assert len(m.values) == 11  # every city has stations
    assert {f["properties"]["code"] for f in m.geometry["features"]} == {c.code for c in page.frame.place.children}
    assert [s.station_id for s in m.points] == [s.station_id for s in page.stations.rows]
    assert len(m.points) == len(reader.records("air_stations", {"region": PROVINCE}, limit=1000).rows)


def test_map_at_a_county_says_its_streets_have_no_value(reader):
    county = reader.records("air_stations", {"region": PROVINCE}, limit=1).rows["region_code"].iloc[0]
    page = environment.environment_page(reader, _q(region=county))
    m = page.map
    assert page.frame.coverage is None and m is not None
    assert m.values == {}
    assert m.coverage is not None and m.coverage.level_name == "乡镇（街道）"
    assert m.coverage.deepest_level_name == "县（市、区）" and m.coverage.nearest.code == county
    assert len(m.geometry["features"]) == len(reader.children(county))
    assert {s.station_id for s in m.points} == set(reader.records("air_stations", {"region": county}).rows["station_id"])


def test_a_station_class_narrows_the_stations_and_the_map_not_the_indicators(reader):
    whole = environment.environment_page(reader, _q())
    listed = reader.records("air_stations", {"region": PROVINCE}, limit=1000).rows
    counts = listed["station_class"].value_counts().to_dict()
    assert dict(whole.stations.classes) == counts and sum(counts.values()) == len(listed) == whole.stations.total
    for cls in ("国控", "省控"):  # the session demo's stations are all national: one keeps them all, one none
        page = environment.environment_page(reader, _q(station_class=cls))
        assert page.frame.query.filters == (("station_class", cls),)
        of_class = set(listed.loc[listed["station_class"] == cls, "station_id"])
        assert len(of_class) == counts.get(cls, 0)
        assert {s.station_id for s in page.stations.rows} == of_class
        assert page.stations.selected == cls and page.stations.total == len(listed)
        assert dict(page.stations.classes) == counts  # the picker counts every station
        assert {s.station_id for s in page.map.points} == of_class
        assert page.map.values == whole.map.values  # the fill is every station's: not narrowed
        assert [h.value for h in page.headlines] == [h.value for h in whole.headlines]
        assert page.sections.rows == whole.sections.rows
        q = page.frame.query
        assert environment.not_narrowed(q, "stations") == ()
        assert environment.not_narrowed(q, "map-points") == ()
        for panel in ("headlines", "map", "sections", "manifests"):
            assert environment.not_narrowed(q, panel) == ("station_class",)
    assert counts.get("国控", 0) > 0 and counts.get("省控", 0) < len(listed)


def test_a_water_grade_narrows_the_sections_list_and_its_records(reader):
    whole = environment.environment_page(reader, _q()).sections
    page = environment.environment_page(reader, _q(grade="Ⅱ"))
    found = page.sections
    counts = {g.grade: g.sections for g in whole.grades}
    assert counts["Ⅱ"] > 0
    assert found.selected == "Ⅱ" and found.grades == whole.grades  # the chart still counts every grade
    assert {s.section_id for s in found.rows} == {s.section_id for s in whole.rows if s.grade == "Ⅱ"}
    assert len(found.rows) == counts["Ⅱ"] and all(s.grade == "Ⅱ" for s in found.rows)
    assert found.records.endswith("&grade=%E2%85%A1") and "indicator=water_sections_monitored" in found.records
    assert page.stations.rows == environment.environment_page(reader, _q()).stations.rows  # not narrowed by a grade
    assert environment.not_narrowed(page.frame.query, "stations") == ("grade",)
    assert environment.not_narrowed(page.frame.query, "sections") == ()
    none = environment.environment_page(reader, _q(grade="Ⅴ")).sections
    assert counts["Ⅴ"] == 0 and none.rows == () and none.grades == whole.grades


def test_a_waste_class_marks_the_class_and_draws_its_tons_over_time(reader):
    city = "330600"
    page = environment.environment_page(reader, _q(region=city, waste_class="危险废物"))
    found = page.manifests
    period = page.frame.period.chosen
    assert found.selected == "危险废物" and found.counted_here
    assert found.trend is not None and found.trend.indicator == "wfi_haz_tons"
    assert found.trend.periods[-1] == period and len(found.trend.periods) == 18
    series = reader.series("wfi_haz_tons", city, "month").set_index("period")["value"]
    assert found.trend.values == tuple(float(series[p]) for p in found.trend.periods)
    picked = next(c for c in found.classes if c.waste_class == "危险废物")
    assert found.trend.values[-1] == picked.tons
    assert environment.not_narrowed(page.frame.query, "manifests") == ()
    assert environment.not_narrowed(page.frame.query, "map") == ("waste_class",)
    assert environment.environment_page(reader, _q(region=city)).manifests.trend is None


def test_the_filters_are_part_of_the_address():
    q = _q(region="330600", grade="Ⅲ", station_class="国控", department="x")
    assert q.filters == (("grade", "Ⅲ"), ("station_class", "国控"))  # another page's filter is dropped
    href = environment.page_href(environment.SPEC, q, filters={"grade": None, "waste_class": "生活垃圾"})
    assert href.startswith("/environment?region=330600&")
    from urllib.parse import parse_qs, urlparse
    assert {k: v[0] for k, v in parse_qs(urlparse(href).query).items()} == {
        "region": "330600", "station_class": "国控", "waste_class": "生活垃圾"}
