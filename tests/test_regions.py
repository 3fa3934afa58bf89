"""The region hierarchy: real codes above county level, a consistent generated tree below."""

from __future__ import annotations

import pytest
import shapely

from cockpit.regions import LEVELS, Hierarchy, HierarchyError, UnknownRegion, load_hierarchy
from cockpit.regions.geometry import RegionGeometry


@pytest.fixture(scope="module")
def hierarchy() -> Hierarchy:
    return load_hierarchy()


def test_real_levels_hold_zhejiang_its_11_cities_and_90_counties(hierarchy):
    assert [r.code for r in hierarchy.roots()] == ["330000"]
    cities = hierarchy.children("330000")
    assert [c.code for c in cities] == [f"33{n:02d}00" for n in range(1, 12)]
    assert [c.name for c in cities][:3] == ["杭州市", "宁波市", "温州市"]
    assert hierarchy.get("331100").name == "丽水市"
    assert len(hierarchy.at_level("county")) == 90
    assert hierarchy.get("330106").name == "西湖区"
    assert hierarchy.get("330383").name == "龙港市"  # county-level city created in 2019
    for county in hierarchy.at_level("county"):
        assert county.parent_code == county.code[:4] + "00"
        assert 118 < county.lon < 123.5 and 27 < county.lat < 31.5


def test_generated_levels_extend_their_parents_codes(hierarchy):
    assert hierarchy.levels == LEVELS
    for level, length in (("street", 9), ("community", 12), ("grid", 15)):
        regions = hierarchy.at_level(level)
        assert regions, level
        for r in regions:
            assert len(r.code) == length and r.code.startswith(r.parent_code)
    for county in hierarchy.at_level("county"):
        assert 5 <= len(hierarchy.children(county.code)) <= 14
    streets = hierarchy.at_level("street")
    assert all(s.name.endswith(("街道", "镇", "乡")) for s in streets)
    communities = hierarchy.at_level("community")
    assert all(c.name.endswith(("社区", "村")) for c in communities)
    assert all(g.name.startswith("第") and g.name.endswith("网格") for g in hierarchy.at_level("grid"))


def test_lookup_by_code_name_children_ancestors(hierarchy):
    assert hierarchy.by_name("杭州").code == "330100"
    assert hierarchy.by_name("西湖区").code == "330106"
    grid = hierarchy.at_level("grid", within="330106")[0]
    assert [a.level for a in hierarchy.ancestors(grid.code)] == ["community", "street", "county", "city", "province"]
    assert hierarchy.path(grid.code)[0].code == "330000"
    assert hierarchy.level(grid.code) == "grid"
    assert all(g.code.startswith("330106") for g in hierarchy.at_level("grid", within="330106"))
    frame = hierarchy.frame()
    row = frame.set_index("code").loc[grid.code]
    assert row["county_code"] == "330106" and row["city_code"] == "330100"


def test_unknown_code_is_an_error_naming_the_code(hierarchy):
    with pytest.raises(UnknownRegion, match="339999"):
        hierarchy.get("339999")
    with pytest.raises(UnknownRegion, match="不存在"):
        hierarchy.by_name("不存在市")


def test_a_bad_hierarchy_file_names_file_and_line(tmp_path):
    bad = tmp_path / "regions.csv"
    bad.write_text("code,name,level,parent_code,lon,lat\n330000,浙江省,province,,120,30\n"
                   "330100,杭州市,metropolis,330000,120,30\n", encoding="utf-8")
    with pytest.raises(HierarchyError, match=r"regions.csv, line 3: level 'metropolis'"):
        Hierarchy.from_csv([bad])
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("code,name,level,parent_code,lon,lat\n330100,杭州市,city,330000,120,30\n", encoding="utf-8")
    with pytest.raises(HierarchyError, match="parent '330000' is not in the hierarchy"):
        Hierarchy.from_csv([orphan])


def test_a_hierarchy_may_have_fewer_levels(tmp_path):
    f = tmp_path / "city.csv"
    f.write_text("code,name,level,parent_code,lon,lat\n330600,绍兴市,city,,120.5,30\n"
                 "330602,越城区,county,330600,120.6,30\n330603,柯桥区,county,330600,120.5,30.1\n", encoding="utf-8")
    h = Hierarchy.from_csv([f])
    assert h.levels == ("city", "county")
    assert [r.code for r in h.children("330600")] == ["330602", "330603"]


def test_generated_cells_tile_their_parent(hierarchy):
    geometry = RegionGeometry(hierarchy)
    county = "330602"
    streets = hierarchy.children(county)
    cells = [geometry.shape(s.code) for s in streets]
    union = shapely.unary_union(cells)
    parent = geometry.shape(county)
    assert union.symmetric_difference(parent).area < 1e-9
    assert sum(c.area for c in cells) == pytest.approx(parent.area, rel=1e-6)  # no overlaps
    for street, cell in zip(streets, cells, strict=True):
        assert cell.contains(shapely.Point(street.lon, street.lat))
    assert geometry.source("county") == "boundary" and geometry.source("street") == "generated"
    fc = geometry.children_geojson(streets[0].code)
    assert {f["properties"]["level"] for f in fc["features"]} == {"community"}


@pytest.mark.parametrize(("name", "english"), [
    ("浙江省", "Zhejiang"), ("杭州市", "Hangzhou"), ("淳安县", "Chun'an County"), ("乐清市", "Yueqing"),
    ("上城区", "Shangcheng District"), ("景宁畲族自治县", "Jingning She Autonomous County"),
    ("湖头街道", "Hutou Subdistrict"), ("溪洋社区", "Xiyang Community"), ("第3网格", "Grid 3"),
])
def test_english_names_are_pinyin_with_the_english_suffix(name, english):
    from cockpit.regions.names import english_name

    assert english_name(name) == english


def test_every_shipped_region_has_an_english_name():
    from cockpit.regions import load_hierarchy

    hierarchy = load_hierarchy()
    assert all(r.name_en and r.name_en.isascii() for r in hierarchy)
    assert hierarchy.get("330100").label("en") == "Hangzhou" and hierarchy.get("330100").label("zh") == "杭州市"
    assert set(hierarchy.frame()["name_en"]) >= {"Zhejiang", "Hangzhou", "Yiwu"}


def test_short_english_names_drop_the_administrative_word():
    from cockpit.regions.names import short_english

    assert [short_english(n) for n in ("Gongshu District", "Chun'an County", "Jingning She Autonomous County",
                                       "Hangzhou", "Grid 3", "Hutou Subdistrict")] == [
        "Gongshu", "Chun'an", "Jingning", "Hangzhou", "Grid 3", "Hutou"]
