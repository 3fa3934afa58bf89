"""The department pages' shared frame: the address as the state, the place, periods, headlines, coverage."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from cockpit.query.reader import Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views import workbench as wb

SPEC = wb.PageSpec(path="/governance", lead="hotline_orders", frequencies=("month", "year"),
                   cross=("department", "category_l1"))


def test_the_query_is_read_as_a_hostile_client_may_send_it():
    q = wb.parse_query({"region": "330602", "period": "2026-10", "cmp": "mom", "department": "住建局"}, SPEC)
    assert (q.region, q.frequency, q.period, q.cmp, q.filters) == ("330602", "month", "2026-10", "mom",
                                                                    (("department", "住建局"),))
    bad = wb.parse_query({"region": "33'; drop", "period": ["2026-10", "2026-09"], "cmp": "best",
                          "frequency": "decade", "category_l1": "x" * 500, "sql": "1=1"}, SPEC)
    assert bad == wb.WorkbenchQuery()  # every malformed or unknown parameter dropped, none an error
    assert wb.parse_query({"period": ["2026-10"]}, SPEC).period == "2026-10"  # a single repeated value is fine
    assert wb.parse_query({"period": "2026Q3"}, SPEC).period == "2026Q3"  # quarters as the snapshot labels them
    assert wb._shifted("2026Q1", "quarter", "mom") == "2025Q4" and wb._shifted("2026Q1", "quarter", "yoy") == "2025Q1"
    assert wb._shifted("2026-01", "month", "mom") == "2025-12" and wb._shifted("2026", "year", "yoy") == "2025"
    assert wb.parse_query({"since": "2025-06"}, SPEC).since == "2025-06"
    assert wb.parse_query({"since": "june"}, SPEC).since is None


def test_a_trend_runs_from_the_asked_start_to_the_chosen_period():
    import pandas as pd

    months = pd.DataFrame({"period": [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02"]})
    shown = wb.trend_window(months, "month", "2025-12", "2025-03")["period"].tolist()
    assert shown[0] == "2025-03" and shown[-1] == "2025-12" and len(shown) == 10
    assert len(wb.trend_window(months, "month", "2026-02", None)) == min(len(months), wb.TREND_PERIODS["month"])
    # a start the series lacks: the default window, never an empty trend
    assert wb.trend_window(months, "month", "2025-12", "2019-01")["period"].tolist()[-1] == "2025-12"
    choice = wb.PeriodChoice("month", ("2026-02", "2026-01", "2025-12"), "2026-01")
    assert wb.trend_starts(choice) == ("2025-12",)
    # another frequency forgets the start with the period
    q = wb.WorkbenchQuery(period="2026-01", since="2025-06")
    assert q.changed(frequency="year").since is None and wb.page_href(SPEC, q).endswith("since=2025-06")


def test_links_change_one_thing_and_leave_out_defaults():
    q = wb.parse_query({"region": "330602", "period": "2026-10", "department": "住建局"}, SPEC)
    href = wb.page_href(SPEC, q, region="330602001")
    parts = urlsplit(href)
    assert parts.path == "/governance"
    assert parse_qs(parts.query) == {"region": ["330602001"], "period": ["2026-10"], "department": ["住建局"]}
    # another frequency forgets the period (its periods are others); clearing a filter drops it
    assert parse_qs(urlsplit(wb.page_href(SPEC, q, frequency="year", filters={"department": None})).query) == {
        "region": ["330602"], "frequency": ["year"]}
    assert wb.page_href(SPEC, wb.WorkbenchQuery()) == "/governance"
    # and a link read back is the same query
    assert wb.parse_query({k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}, SPEC) == \
        q.changed(region="330602001")
    with pytest.raises(ValueError):
        q.changed(colour="red")
    records = parse_qs(urlsplit(wb.records_href("hotline_overdue", "330602", "month", "2026-10",
                                                (("department", "住建局"),), key="numerator")).query)
    assert records == {"indicator": ["hotline_overdue"], "region": ["330602"], "frequency": ["month"],
                       "period": ["2026-10"], "key": ["numerator"], "department": ["住建局"]}


def test_the_place_has_its_path_from_the_viewers_root_and_its_children(use_demo_lake):
    snap = current_snapshot()
    province = Reader(default_viewer(), snap)
    street = next(iter(sorted(c for c in snap.subtree("330602") if len(c) == 9)))
    here = wb.place(province, street)
    assert [c.level for c in here.path] == ["province", "city", "county", "street"]
    assert here.path[-1].code == street and here.parent.code == "330602"
    assert here.children and {c.level for c in here.children} == {"community"}
    assert not here.asked_out_of_scope
    # a county viewer's path starts at its county, and another county's code shows its own, said
    county = Reader(Viewer(role="staff", region="330602"), snap)
    assert [c.code for c in wb.place(county, street).path] == ["330602", street]
    elsewhere = wb.place(county, "330102")
    assert elsewhere.code == "330602" and elsewhere.asked_out_of_scope
    assert wb.place(county, "999999").asked_out_of_scope
    # English names in English
    assert wb.place(Reader(default_viewer("en"), snap), "330602").name != wb.place(province, "330602").name


def test_period_choice_takes_the_asked_period_or_says_it_is_missing(use_demo_lake):
    reader = Reader(default_viewer(), current_snapshot())
    latest = wb.period_choice(reader, "hotline_orders", "month", None)
    assert latest.chosen == latest.periods[0] and not latest.asked_missing
    older = latest.periods[3]
    assert wb.period_choice(reader, "hotline_orders", "month", older).chosen == older
    missing = wb.period_choice(reader, "hotline_orders", "month", "1999-01")
    assert missing.asked_missing and missing.chosen == latest.periods[0]


def test_headlines_compare_as_asked_and_link_their_records(use_demo_lake):
    reader = Reader(default_viewer(), current_snapshot())
    here = wb.place(reader, "330602")
    choice = wb.period_choice(reader, "hotline_orders", "month", None)
    period = choice.chosen
    series = reader.series("hotline_closure_rate", "330602", "month").set_index("period")["value"]
    year_before = f"{int(period[:4]) - 1}{period[4:]}"
    for cmp, reference in (("yoy", series.get(year_before)), ("mom", series.iloc[list(series.index).index(period) - 1])):
        q = wb.WorkbenchQuery(region="330602", cmp=cmp)
        (h,) = wb.headlines(reader, ["hotline_closure_rate"], here, q, choice)
        assert h.value == pytest.approx(series[period]) and h.reference == pytest.approx(reference)
        assert h.delta == pytest.approx(series[period] - reference) and h.delta_pct is None  # a rate: points
        assert h.tone == ("good" if h.delta > 0 else "bad" if h.delta < 0 else "neutral")
        assert parse_qs(urlsplit(h.records).query)["indicator"] == ["hotline_closure_rate"]
        assert h.link.startswith("/indicator/hotline_closure_rate")
    (target,) = wb.headlines(reader, ["hotline_closure_rate"], here, wb.WorkbenchQuery(cmp="target"), choice)
    assert target.reference == 95.0  # indicators/hotline.yaml: 办结率 target
    (orders,) = wb.headlines(reader, ["hotline_orders"], here, wb.WorkbenchQuery(), choice)
    if orders.reference:
        assert orders.delta_pct == pytest.approx((orders.value - orders.reference) / orders.reference * 100)
    assert wb.tone(5.0, 5.0, "higher_better") == "neutral" and wb.tone(4.0, 5.0, "lower_better") == "good"


def test_coverage_says_where_the_indicators_stop_and_offers_the_nearest_level(use_demo_lake):
    snap = current_snapshot()
    reader = Reader(default_viewer(), snap)
    assert wb.coverage(reader, ["gdp"], wb.place(reader, "330602")) is None
    street = next(iter(sorted(c for c in snap.subtree("330602") if len(c) == 9)))
    said = wb.coverage(reader, ["gdp"], wb.place(reader, street))
    assert said is not None and said.nearest.code == "330602" and said.deepest_level_name == "县（市、区）"
    grid = next(iter(sorted(c for c in snap.subtree(street) if len(c) == 15)))
    at_grid = wb.coverage(reader, ["gdp"], wb.place(reader, grid), records_feed="hotline_orders")
    assert at_grid.records == f"/records?feed=hotline_orders&region={grid}"
