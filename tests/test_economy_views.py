"""经济运行's view models against the session demo: every number equals the Reader's value, the
year-to-date figures follow the bureau's conventions (1–2月 together), drill-down goes province
→ city → county and stops there with the coverage notice."""

from __future__ import annotations

import pytest

from cockpit.query.reader import Reader
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views import economy
from cockpit.views.workbench import page_href, parse_query, value_at

PROVINCE = "330000"


@pytest.fixture()
def reader(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("zh"))


def _q(**args):
    return parse_query({k: v for k, v in args.items() if v is not None}, economy.SPEC)


def test_month_page_numbers_are_the_readers(reader):
    page = economy.economy_page(reader, _q())
    period = page.frame.period.chosen
    assert period == reader.periods(economy.LEADS["month"], "month")[0]
    assert page.frame.coverage is None
    assert [h.indicator for h in page.headlines] == list(economy.HEADLINES["month"])
    for h in page.headlines:
        assert h.value == value_at(reader, h.indicator, PROVINCE, "month", period)
        assert h.value is not None
    earlier = f"{int(period[:4]) - 1}{period[4:]}"
    h = page.headlines[0]
    assert h.reference == value_at(reader, h.indicator, PROVINCE, "month", earlier)
    for row in page.ytd.rows:
        for cell in (row.current, row.total, row.growth):
            if cell is not None:
                assert cell.value == value_at(reader, cell.indicator, PROVINCE, "month", period)
    assert page.ytd.rows[1].total is not None and page.ytd.rows[1].total.indicator == "fixed_asset_investment_ytd"
    assert page.ytd.label == f"{period[:4]}年1–{int(period[5:7])}月"
    assert page.ytd.rows[0].current.records.startswith("/records?indicator=industrial_value_added&region=330000")


def test_january_has_no_growth_of_its_own_and_february_reads_jan_feb(reader):
    january = next(p for p in reader.periods("industrial_value_added", "month") if p.endswith("-01"))
    assert january not in reader.periods("retail_sales_ytd_growth", "month")
    page = economy.economy_page(reader, _q(period=january))
    assert page.frame.january_alone and page.frame.period.chosen == reader.periods("retail_sales_ytd_growth", "month")[0]
    assert all(row.combined for row in page.ytd.rows)
    trend = economy.economy_page(reader, _q()).trend
    assert trend.combined_note
    for line in trend.lines:
        assert not any(p.endswith("-01") for p in line.periods)  # no January point of its own
        assert all("-02" not in p for p in line.periods)  # February is labelled 1–2月
    assert any(p.endswith("-1/2") for p in trend.lines[0].periods)
    feb = [p for p in reader.periods("retail_sales_ytd_growth", "month") if p.endswith("-02")][0]
    assert economy.period_label(feb, "month", "zh") == f"{feb[:4]}年1–2月"
    assert economy.period_label(feb, "month", "en") == f"Jan–Feb {feb[:4]}"


def test_quarter_shows_gdp_by_quarter_and_year_names_the_year(reader):
    page = economy.economy_page(reader, _q(frequency="quarter"))
    period = page.frame.period.chosen
    assert "Q" in period
    line = page.trend.lines[0]
    assert line.indicator == "gdp"
    series = reader.series("gdp", PROVINCE, "quarter")
    series = series[~series["provisional"]].set_index("period")["value"]
    assert list(line.values) == [series[p] for p in line.periods]
    assert line.periods[-1] == period
    assert page.headlines[0].indicator == "gdp_ytd"
    assert page.ytd.label.endswith("季度")
    yearly = economy.economy_page(reader, _q(frequency="year"))
    assert yearly.headlines[0].name == "地区生产总值（全年）"  # not the indicator's 当季


def test_ranking_is_the_readers_and_drills_one_level(reader):
    page = economy.economy_page(reader, _q())
    period = page.frame.period.chosen
    expected = reader.ranking(economy.RANKED["month"], PROVINCE, "month", period)
    assert [r.code for r in page.ranking.rows] == expected["region"].tolist()
    assert [r.value for r in page.ranking.rows] == expected["value"].tolist()
    assert len(page.ranking.rows) == 11
    assert set(page.ranking.values) == {f["properties"]["code"] for f in page.ranking.geometry["features"]}
    city = page.ranking.rows[0]
    assert city.href == page_href(economy.SPEC, page.frame.query, region=city.code)

    down = economy.economy_page(reader, _q(region=city.code))
    assert down.frame.place.code == city.code and [c.code for c in down.frame.place.path] == [PROVINCE, city.code]
    assert down.headlines[0].value == value_at(reader, down.headlines[0].indicator, city.code, "month",
                                               down.frame.period.chosen)
    assert down.headlines[0].value != page.headlines[0].value
    county = down.ranking.rows[0]
    assert len(down.ranking.rows) == len(reader.ranking(economy.RANKED["month"], city.code, "month", period))

    at_county = economy.economy_page(reader, _q(region=county.code))
    assert at_county.frame.coverage is None and at_county.headlines
    assert at_county.ranking.rows == ()  # its streets are not counted: the panel says so

    street = reader.children(county.code)["code"].iloc[0]
    below = economy.economy_page(reader, _q(region=street))
    assert below.frame.coverage is not None
    assert below.frame.coverage.nearest.code == county.code
    assert below.headlines == () and below.ranking.rows == ()


def test_no_cross_filters_and_hostile_queries_fall_back(reader):
    q = _q(region="999999", period="2026-13x", category_l1="x", frequency="hourly")
    assert q.filters == () and q.frequency == "month" and q.period is None
    page = economy.economy_page(reader, q)
    assert page.frame.place.code == PROVINCE and page.frame.place.asked_out_of_scope
    scoped = Reader.current(Viewer(region="330100", lang="en"))
    elsewhere = economy.economy_page(scoped, _q(region="330200"))  # 宁波 is outside 杭州's scope
    assert elsewhere.frame.place.code == "330100" and elsewhere.frame.place.asked_out_of_scope
    assert all(r.code.startswith("3301") for r in elsewhere.ranking.rows)
