"""The indicator engine end to end on a hand-made lake: every number below is computed by hand.

Lake: monthly retail sales for three counties, Jan 2025 – Mar 2026:
  上城区 330102 (杭州): 10 a month in 2025, 12 in 2026
  拱墅区 330105 (杭州): 20 a month in 2025, 21 in 2026
  海曙区 330203 (宁波):  5 a month in 2025,  6 in 2026
New market entities: 1 a month in every county. Population 2025: 100, 200, 50 (万人); 2024: 90,
  190, 45 (a yearly reference figure from before the event data begins).
Sensors at 上城区 installed 2020-05-10 and 2025-02-03 (a stock, no event since).
Service cases: March 2026 上城区 3 cases, 2 online; 拱墅区 1 case, not online; 1 April 海曙区 1 online.
  Items: 上城区 营业执照 ×2 and 食品经营许可 ×1, 拱墅区 营业执照, 海曙区 社保 (the breakdown's categories).
IoT readings: S1 报警 on 30 March; S2 预警 on 20 March and 正常 on 31 March, the last reading.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cockpit import duck
from cockpit.feeds.ingest import ingest_frame
from cockpit.indicators import refresh as engine
from cockpit.indicators import snapshot
from cockpit.indicators.definitions import DefinitionError
from cockpit.query.snapshot import Snapshot

MONTHS = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 4)]
RETAIL = {"330102": (10, 12), "330105": (20, 21), "330203": (5, 6)}

SYSTEM = """
system:
  id: t
  name_zh: 测试
  name_en: Test
  description: Hand-computed fixture.
  owner: 测试局
  frequencies: [month, year]
  levels: [province, city, county]
  headline: [retail]
indicators:
  - {id: retail, name_zh: 零售, name_en: Retail, unit: 亿元, polarity: higher_better, description: d,
     measure: {feed: economy_monthly, value: sum(retail_sales)}}
  - {id: retail_avg, name_zh: 平均零售, name_en: Mean retail, unit: 亿元, description: d,
     measure: {feed: economy_monthly, value: avg(retail_sales)}}
  - {id: retail_big_share, name_zh: 大额占比, name_en: Share of big months, unit: '%', description: d,
     measure: {feed: economy_monthly, value: "100.0 * count(*) / nullif(count(*), 0)", filter: retail_sales >= 12}}
  - {id: retail_ytd, name_zh: 累计零售, name_en: Retail YTD, unit: 亿元, description: d, frequencies: [month],
     formula: ytd(retail)}
  - {id: retail_ytd_growth, name_zh: 累计增速, name_en: YTD growth, unit: '%', description: d, frequencies: [month],
     formula: yoy(ytd(retail))}
  - {id: retail_ytd_1_2, name_zh: 累计零售（1–2月合并）, name_en: Retail YTD (Jan–Feb together), unit: 亿元,
     description: d, frequencies: [month], formula: ytd(retail), jan_feb_combined: true}
  - {id: retail_yoy, name_zh: 同比, name_en: YoY, unit: '%', description: d, formula: yoy(retail)}
  - {id: retail_mom, name_zh: 环比, name_en: MoM, unit: '%', description: d, frequencies: [month], formula: mom(retail)}
  - {id: retail_roll3, name_zh: 滚动, name_en: Rolling, unit: 亿元, description: d, frequencies: [month],
     formula: "rolling_sum(retail, 3)"}
  - {id: retail_prev, name_zh: 上期, name_en: Previous, unit: 亿元, description: d, formula: prev(retail)}
  - {id: retail_diff_ly, name_zh: 同比差, name_en: Diff, unit: 亿元, description: d, formula: yoy_diff(retail)}
  - {id: entities_total, name_zh: 主体累计, name_en: Entities to date, unit: 户, description: d, frequencies: [month],
     measure: {feed: economy_monthly, value: sum(new_market_entities), accumulate: true}}
  - {id: sensors, name_zh: 设备数, name_en: Sensors, unit: 台, description: d, frequencies: [month],
     measure: {feed: iot_sensors, time: installed_on, value: count(*), accumulate: true},
     thresholds: [{severity: warning, on: value, above: 1, live: true}]}
  - {id: pop, name_zh: 人口, name_en: Population, unit: 万人, description: d, frequencies: [year],
     measure: {feed: population_annual, value: sum(resident_population)}}
  - {id: retail_per_capita, name_zh: 人均零售, name_en: Retail per head, unit: 元, description: d,
     frequencies: [month], formula: "retail * 10000 / nullif(pop, 0)"}
  - {id: cases, name_zh: 办件量, name_en: Cases, unit: 件, description: d,
     measure: {feed: service_cases, value: count(*), breakdown: item_name}}
  - {id: online_rate, name_zh: 网办率, name_en: Online rate, unit: '%', polarity: higher_better, description: d,
     measure: {feed: service_cases, value: "100.0 * count(*) filter (where online) / nullif(count(*), 0)"},
     thresholds: [{severity: alarm, on: value, below: 60}]}
"""

OTHER = """
system: {id: u, name_zh: 其他, name_en: Other, description: d, owner: o, frequencies: [month], levels: [province]}
indicators:
  - {id: retail_sum_again, name_zh: 零售2, name_en: Retail 2, unit: 亿元, description: d,
     measure: {feed: economy_monthly, value: sum(retail_sales)}}
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("engine")
    lake, defs = root / "lake", root / "indicators"
    defs.mkdir()
    (defs / "t.yaml").write_text(SYSTEM, encoding="utf-8")
    (defs / "u.yaml").write_text(OTHER, encoding="utf-8")
    rows = []
    for county, (v2025, v2026) in RETAIL.items():
        for m in MONTHS:
            rows.append({"region_code": county, "month": m, "retail_sales": float(v2025 if m.year == 2025 else v2026),
                         "new_market_entities": 1})
    monthly = pd.DataFrame(rows)
    for column in ("industrial_value_added", "fixed_asset_investment", "budget_revenue", "imports", "exports",
                   "electricity_consumption"):
        monthly[column] = 1.0
    ingest_frame("economy_monthly", monthly, source="fixture", lake_dir=lake)
    ingest_frame("population_annual", pd.DataFrame({
        "region_code": ["330102", "330105", "330203"] * 2, "year": [2025, 2025, 2025, 2024, 2024, 2024],
        "resident_population": [100.0, 200.0, 50.0, 90.0, 190.0, 45.0], "urbanization_rate": 80.0}),
        source="fixture", lake_dir=lake)
    ingest_frame("iot_sensors", pd.DataFrame({
        "sensor_id": ["S1", "S2"], "sensor_type": "水位", "region_code": "330102", "lon": 120.2, "lat": 30.2,
        "unit": "m", "warn_threshold": 3.0, "alarm_threshold": 4.0,
        "installed_on": [date(2020, 5, 10), date(2025, 2, 3)]}), source="fixture", lake_dir=lake)
    ingest_frame("service_cases", pd.DataFrame({
        "case_id": ["a", "b", "c", "d", "e"], "item_name": ["营业执照", "营业执照", "食品经营许可", "营业执照", "社保"], "department": "市场监管局",
        "region_code": ["330102", "330102", "330102", "330105", "330203"], "online": [True, True, False, False, True],
        "submitted_at": [datetime(2026, 3, d, 10) for d in (2, 3, 4, 5)] + [datetime(2026, 4, 1, 9)],
        "completed_at": [datetime(2026, 3, d, 15) for d in (2, 3, 4, 5)] + [datetime(2026, 4, 1, 11)],
        "promised_days": 1, "status": "已办结"}), source="fixture", lake_dir=lake)
    ingest_frame("iot_readings", pd.DataFrame({
        "sensor_id": ["S1", "S2", "S2"], "region_code": "330102", "value": [4.5, 3.2, 1.0],
        "reading_at": [datetime(2026, 3, 30, 8), datetime(2026, 3, 20, 8), datetime(2026, 3, 31, 8)],
        "alert_level": ["报警", "预警", "正常"]}), source="fixture", lake_dir=lake)
    return {"lake": lake, "defs": defs, "snapshots": root / "snapshots"}


@pytest.fixture(scope="module")
def published(world) -> Snapshot:
    report = engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"], definitions_dir=world["defs"])
    assert report.indicators == 18
    return Snapshot(report.path)


def value(snap: Snapshot, indicator: str, region: str, period: str, frequency: str = "month") -> float:
    df = snap._df("SELECT value FROM indicator_values WHERE indicator = ? AND region = ? AND period = ? "
                  "AND frequency = ?", [indicator, region, period, frequency])
    assert len(df) == 1, (indicator, region, period, df)
    return float(df["value"].iloc[0])


def test_measures_roll_up_from_the_rows_at_every_level(published):
    assert value(published, "retail", "330102", "2026-03") == 12
    assert value(published, "retail", "330100", "2026-03") == 33  # 12 + 21
    assert value(published, "retail", "330000", "2026-03") == 39  # 12 + 21 + 6
    assert value(published, "retail", "330100", "2025", "year") == 360  # (10 + 20) × 12
    assert value(published, "retail_avg", "330000", "2026-03") == 13  # 39 / 3 rows


def test_filters_apply_to_every_aggregate(published):
    # only rows with retail_sales >= 12 pass the filter, so the share of them among them is 100
    assert value(published, "retail_big_share", "330100", "2026-03") == 100
    df = published._df("SELECT * FROM indicator_values WHERE indicator = 'retail_big_share' AND region = '330203'")
    assert len(df) and df["value"].isna().all()  # 海曙区 never reaches 12: no row passes, 0 ÷ 0 is missing


def test_ratios_are_recomputed_from_their_parts_not_averaged(published):
    assert value(published, "online_rate", "330102", "2026-03") == pytest.approx(200 / 3)
    assert value(published, "online_rate", "330105", "2026-03") == 0
    # the city is 2 online of 4 cases = 50 %, not the mean of 66.7 % and 0 %
    assert value(published, "online_rate", "330100", "2026-03") == 50


def test_time_functions(published):
    assert value(published, "retail_ytd", "330100", "2026-03") == 99  # 33 × 3
    assert value(published, "retail_ytd", "330100", "2025-12") == 360
    assert value(published, "retail_ytd_growth", "330100", "2026-03") == pytest.approx(10.0)  # 99 / 90 − 1
    assert value(published, "retail_yoy", "330100", "2026-02") == pytest.approx(10.0)  # 33 / 30 − 1
    assert value(published, "retail_mom", "330100", "2026-01") == pytest.approx(10.0)  # 33 / 30 (Dec)
    assert value(published, "retail_mom", "330100", "2026-02") == 0
    assert value(published, "retail_roll3", "330100", "2026-02") == 96  # 30 + 33 + 33
    assert value(published, "retail_prev", "330100", "2026-01") == 30
    assert value(published, "retail_diff_ly", "330000", "2026-03") == 4  # 39 − 35
    df = published._df("SELECT value FROM indicator_values WHERE indicator = 'retail_yoy' AND period = '2025-01'")
    assert df["value"].isna().all()  # no January 2024 to compare with


def test_january_published_with_february_has_no_value_of_its_own(published):
    periods = published._df("SELECT DISTINCT period FROM indicator_values WHERE indicator = 'retail_ytd_1_2' "
                            "AND frequency = 'month' ORDER BY period")["period"].tolist()
    assert "2026-01" not in periods and "2025-01" not in periods
    assert {"2025-12", "2026-02", "2026-03"} <= set(periods)
    # February's year to date still counts January, and the same sum without the key keeps January
    assert value(published, "retail_ytd_1_2", "330100", "2026-02") == 66  # 33 + 33
    assert value(published, "retail_ytd", "330100", "2026-01") == 33


def test_running_totals_and_yearly_references(published):
    assert value(published, "entities_total", "330100", "2025-03") == 6  # 2 counties × 3 months
    assert value(published, "entities_total", "330000", "2026-03") == 45  # 3 × 15
    # a stock counts all history, is reported over the data window (Jan 2025 – Apr 2026), and
    # runs on to the window's end although nothing was installed after February 2025; the 2024
    # population, a yearly reference figure, does not widen the window back to January 2024
    assert value(published, "sensors", "330102", "2025-01") == 1
    assert value(published, "sensors", "330102", "2026-04") == 2
    df = published._df("SELECT min(period) AS first, max(period) AS last, count(*) AS n FROM indicator_values "
                       "WHERE indicator = 'sensors' AND region = '330102'")
    assert (df["first"].iloc[0], df["last"].iloc[0], df["n"].iloc[0]) == ("2025-01", "2026-04", 16)
    assert value(published, "pop", "330100", "2024", "year") == 280  # the 2024 figure itself is there
    # 2026 has no population yet: the 2025 figure is used as of the year
    assert value(published, "retail_per_capita", "330100", "2026-03") == pytest.approx(33 * 10000 / 300)
    assert value(published, "retail_per_capita", "330203", "2025-06") == pytest.approx(5 * 10000 / 50)


def test_yearly_figures_do_not_widen_the_stock_window(tmp_path):
    """Stocks are reported over the months the event feeds cover: population years before or
    after them (2024 … 2027 around Jan – Mar 2025) widen the window at neither end; only without
    any other feed do their years make it."""
    from cockpit.feeds.contracts import load_contracts

    lake = tmp_path / "lake"
    ingest_frame("population_annual", pd.DataFrame({
        "region_code": "330102", "year": [2024, 2025, 2026, 2027], "resident_population": 100.0}),
        source="fixture", lake_dir=lake)
    contracts = load_contracts()

    def window(feeds: list[str]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        con = duck.sandbox([lake])
        sources = engine.feed_sources(lake, feeds)
        return engine._data_window(con, contracts, sources, engine._feed_as_of(con, contracts, sources))

    last_instant = pd.Timedelta(microseconds=1)
    assert window(["population_annual"]) == (pd.Timestamp(2024, 1, 1), pd.Timestamp(2028, 1, 1) - last_instant)
    ingest_frame("economy_monthly", pd.DataFrame({
        "region_code": "330102", "month": [date(2025, m, 1) for m in (1, 2, 3)], "retail_sales": 1.0}),
        source="fixture", lake_dir=lake)
    assert window(["population_annual", "economy_monthly"]) == (pd.Timestamp(2025, 1, 1),
                                                                pd.Timestamp(2025, 4, 1) - last_instant)


def test_periods_flags_ranks_and_alerts(published):
    df = published._df("SELECT period, provisional FROM indicator_values WHERE indicator = 'retail' "
                       "AND region = '330000' ORDER BY period_start, frequency")
    flags = dict(zip(df["period"], df["provisional"], strict=True))
    assert flags["2026-03"] is False or flags["2026-03"] == False  # noqa: E712 - numpy bool
    assert bool(flags["2026"]) is True  # the year is not over in the data
    ranking = published.ranking("retail", "330000", "month", "2026-03")
    assert list(ranking["region"]) == ["330100", "330200"] and list(ranking["rank"]) == [1, 2]
    assert list(ranking["peer_count"]) == [2, 2] and list(ranking["percentile"]) == [100, 0]
    # alerts judge the latest complete month (March; April is under way): 拱墅区 0 %, 杭州 and the
    # province 50 %, all below the 60 % alarm line; 上城区 at 66.7 % is fine
    alerts = published.alerts()
    alerts = alerts[alerts["indicator"] == "online_rate"].sort_values("region")
    assert list(alerts["region"]) == ["330000", "330100", "330105"]
    assert set(alerts["period"]) == {"2026-03"} and set(alerts["severity"]) == {"alarm"}
    text = alerts.set_index("region").loc["330105", "text_zh"]
    assert text == "拱墅区网办率0.0%，低于报警线60.0%（2026-03）"


def test_live_thresholds_also_judge_the_period_under_way(published):
    alerts = published.alerts()
    live = alerts[alerts["indicator"] == "sensors"]
    assert set(live["period"]) == {"2026-04"} and set(live["region"]) == {"330000", "330100", "330102"}


def test_breakdowns_split_a_measure_by_category_at_every_level(published):
    rows = published._df("""SELECT region, category, value FROM breakdowns
                            WHERE indicator = 'cases' AND frequency = 'month' AND period_start = DATE '2026-03-01'""")
    got = {(r.region, r.category): r.value for r in rows.itertuples()}
    assert got == {("330102", "营业执照"): 2, ("330102", "食品经营许可"): 1, ("330105", "营业执照"): 1,
                   ("330100", "营业执照"): 3, ("330100", "食品经营许可"): 1,
                   ("330000", "营业执照"): 3, ("330000", "食品经营许可"): 1}
    # The latest complete month (April is under way: the feed ends on 1 April), largest first.
    top = published.breakdown("cases", "330000", "month")
    assert top.drop(columns="category_en").to_dict("records") == [  # share: of the cases counted that month
        {"category": "营业执照", "value": 3.0, "share": 0.75, "period": "2026-03"},
        {"category": "食品经营许可", "value": 1.0, "share": 0.25, "period": "2026-03"}]
    year = published.breakdown("cases", "330000", "year")  # the year is under way: shown as it stands
    assert dict(zip(year["category"], year["value"], strict=True)) == {"营业执照": 3, "食品经营许可": 1, "社保": 1}


def test_sensor_status_marks_alarms_within_the_last_days_of_data(published):
    points = published.sensor_points("330100").set_index("sensor_id")
    assert points.loc["S1", "alarm"] and not points.loc["S1", "warning"]
    assert not points.loc["S2", "alarm"] and not points.loc["S2", "warning"]  # its warning is 11 days old
    assert published.sensor_points("330200").empty


def test_a_failed_refresh_changes_nothing_users_see(world, published, monkeypatch):
    before = snapshot.current_id(world["snapshots"])
    files_before = sorted(p.name for p in world["snapshots"].iterdir())

    def crash(*_args, **_kwargs):
        raise OSError("disk full (injected)")

    monkeypatch.setattr(snapshot, "publish", crash)  # the snapshot file is written, then the swap fails
    with pytest.raises(engine.RefreshError, match="disk full .injected.; nothing was published"):
        engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"], definitions_dir=world["defs"])
    monkeypatch.undo()
    monkeypatch.setattr(engine, "_compute_formula", crash)  # fails mid-computation
    with pytest.raises(OSError, match="injected"):
        engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"], definitions_dir=world["defs"])
    assert snapshot.current_id(world["snapshots"]) == before
    assert sorted(p.name for p in world["snapshots"].iterdir()) == files_before
    assert value(Snapshot(snapshot.current_path(world["snapshots"])), "retail", "330000", "2026-03") == 39


def test_a_killed_refresh_leaves_a_partial_that_the_next_one_removes(world, published):
    stale = world["snapshots"] / "20000101T000000000000Z-dead.duckdb.partial"
    stale.write_bytes(b"half a file")
    before = snapshot.current_id(world["snapshots"])
    assert snapshot.current_id(world["snapshots"]) == before  # readers ignore partial files
    engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"], definitions_dir=world["defs"])
    assert not stale.exists()


def test_retention_prunes_old_snapshots_but_never_the_current(world, published):
    for _ in range(3):
        report = engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"],
                                definitions_dir=world["defs"], retention=2)
    done = sorted(world["snapshots"].glob("*.duckdb"))
    assert len(done) == 2
    assert report.path in done and snapshot.current_path(world["snapshots"]) == report.path


def test_only_one_system_recomputes_it_and_carries_the_others(world, published):
    report = engine.refresh(only="u", lake_dir=world["lake"], snapshot_dir=world["snapshots"],
                            definitions_dir=world["defs"])
    assert report.computed == ["retail_sum_again"]
    assert "retail_ytd_growth" in report.copied
    snap = Snapshot(report.path)
    assert value(snap, "retail_ytd_growth", "330100", "2026-03") == pytest.approx(10.0)
    assert value(snap, "retail_sum_again", "330000", "2026-03") == 39
    assert snap.breakdown("cases", "330000", "month")["value"].tolist() == [3, 1]  # carried over too
    incremental = engine.refresh(feeds=["service_cases"], lake_dir=world["lake"], snapshot_dir=world["snapshots"],
                                 definitions_dir=world["defs"])
    assert incremental.computed == ["cases", "online_rate"]


def test_invalid_definitions_stop_the_refresh_before_anything_is_written(world, tmp_path):
    bad = tmp_path / "defs"
    bad.mkdir()
    (bad / "bad.yaml").write_text(SYSTEM.replace("sum(retail_sales)}}", "sum(no_such_column)}}", 1), encoding="utf-8")
    before = snapshot.current_id(world["snapshots"])
    with pytest.raises(DefinitionError, match="no_such_column"):
        engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"], definitions_dir=bad)
    assert snapshot.current_id(world["snapshots"]) == before


def test_the_sandbox_reads_the_lake_and_nothing_else(world):
    con = duck.sandbox([world["lake"]])
    files = engine.feed_sources(world["lake"], ["economy_monthly"])["economy_monthly"]
    assert con.execute(f"SELECT count(*) FROM {files}").fetchone()[0] == 45
    for statement in ("SELECT * FROM read_csv('/etc/passwd')", "SET enable_external_access = true",
                      "ATTACH '/tmp/x.duckdb'", "INSTALL spatial"):
        with pytest.raises(duckdb.Error):
            con.execute(statement)


def test_a_refresh_killed_mid_way_changes_nothing_users_see(world, published):
    import os
    import signal
    import subprocess
    import sys
    import time

    before = snapshot.current_id(world["snapshots"])
    env = {**os.environ, "COCKPIT_LAKE_DIR": str(world["lake"]), "COCKPIT_SNAPSHOT_DIR": str(world["snapshots"])}
    code = ("import time; from pathlib import Path; from cockpit.indicators import refresh as r\n"
            "def stall(*a, **k):\n    time.sleep(30)\n"
            "r._compute_formula = stall\n"
            f"r.refresh(definitions_dir=Path({str(world['defs'])!r}))\n")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    time.sleep(4)  # definitions read, measures computed, stuck in the first formula
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert snapshot.current_id(world["snapshots"]) == before
    current = Snapshot(snapshot.current_path(world["snapshots"]))
    assert value(current, "retail", "330000", "2026-03") == 39


def test_return_visit_rate_counts_the_same_closed_orders_above_and_below(tmp_path):
    """indicators/hotline.yaml as shipped, on five orders of 上城区 in March 2026: two closed orders
    required a return visit and one of them was reached, so 50 %. A visit recorded on a returned
    or an open order (as a feed may carry) is not in the denominator, so not in the numerator."""
    from cockpit.indicators.definitions import indicator_dir

    defs, lake = tmp_path / "indicators", tmp_path / "lake"
    defs.mkdir()
    (defs / "hotline.yaml").write_text((indicator_dir() / "hotline.yaml").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    ingest_frame("hotline_orders", pd.DataFrame({
        "order_id": ["a", "b", "c", "d", "e"], "channel": "电话", "appeal_type": "投诉", "category_l1": "城乡建设",
        "region_code": "330102", "created_at": [datetime(2026, 3, d, 9) for d in (2, 3, 4, 5, 6)],
        "updated_at": [datetime(2026, 3, d, 18) for d in (2, 3, 4, 5, 6)],
        "status": ["已办结", "已办结", "已办结", "已退回", "办理中"],
        "revisit_required": [True, True, False, True, True],
        "revisit_done": [True, False, None, True, True]}), source="fixture", lake_dir=lake)
    report = engine.refresh(lake_dir=lake, snapshot_dir=tmp_path / "snapshots", definitions_dir=defs)
    snap = Snapshot(report.path)
    assert value(snap, "hotline_revisit_required", "330102", "2026-03") == 2  # a, b
    assert value(snap, "hotline_revisited", "330102", "2026-03") == 1  # a (not d, e)
    assert value(snap, "hotline_revisit_rate", "330102", "2026-03") == 50
    assert value(snap, "hotline_revisit_rate", "330000", "2026", "year") == 50
