"""The demo's 12345 orders come in versions over their life and reach the lake as a feed sends them.

An order is sent when accepted (待派单), dispatched (办理中), first answered and closed (已办结) or
returned (已退回), each time with `updated_at` the time of that step; orders still open at the
end are sent up to their last step. The demo delivers their history in loads of whole months,
then day by day, and compacts the table: the lake serves one current row an order and keeps the
rest as history. The generator side runs on the frames at the session demo lake's seed, scale
and end, so the two can be compared row for row.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from cockpit.demo.build import DAILY_DELIVERIES, DEMO_MARKER, DemoError, build_demo, lake_has_data
from cockpit.demo.generate import _hotline_versions, generate
from cockpit.duck import memory as connect
from cockpit.feeds import lake
from cockpit.feeds.contracts import load_contracts
from tests.conftest import DEMO_END, DEMO_SCALE, DEMO_SEED

TABLE = "hotline_orders"
KEY = "order_id"
STEPS = ["created_at", "dispatched_at", "first_feedback_at", "closed_at"]
# How far along an order is: a version never goes back.
PROGRESS = {"待派单": 0, "办理中": 1, "已办结": 2, "已退回": 2}
# What is known about an order from acceptance on and never changes.
FIXED = ["order_id", "channel", "appeal_type", "category_l1", "category_l2", "category_l3", "region_code",
         "lon", "lat", "created_at", "due_at", "revisit_required", "caller_id"]


def hotline_versions(scale: float = DEMO_SCALE, seed: int = DEMO_SEED) -> pd.DataFrame:
    return next(frame for table, frame in generate(scale, seed=seed, end=DEMO_END) if table == TABLE)


def latest(versions: pd.DataFrame) -> pd.DataFrame:
    """Each order's last version; the versions come in the order they were sent."""
    return versions.drop_duplicates(KEY, keep="last").sort_values(KEY).reset_index(drop=True)


@pytest.fixture(scope="module")
def versions() -> pd.DataFrame:
    return hotline_versions()


@pytest.fixture(scope="module")
def orders(versions) -> pd.DataFrame:
    return latest(versions)


def test_orders_come_in_versions_in_the_order_they_were_sent(versions, orders):
    assert versions["updated_at"].is_monotonic_increasing
    by_order = versions.groupby(KEY, sort=False)
    assert (by_order["updated_at"].diff().dropna() > pd.Timedelta(0)).all(), "two versions of an order at one instant"
    assert (by_order["status"].transform(lambda s: s.map(PROGRESS).diff().fillna(0)) >= 0).all(), "status went back"
    first = versions.drop_duplicates(KEY, keep="first")
    assert len(first) == len(orders)
    assert first["status"].eq("待派单").all() and first["updated_at"].eq(first["created_at"]).all()
    assert first[["dispatched_at", "first_feedback_at", "closed_at", "department", "satisfaction",
                  "revisit_done"]].isna().all().all()
    count = by_order.size()
    closed = orders.set_index(KEY)["status"].eq("已办结")
    dispatched = orders.set_index(KEY)["dispatched_at"].notna()
    # Dispatched and closed: accepted, dispatched, answered, closed. Answered on the call: accepted, closed.
    assert count[closed & dispatched].eq(4).all()
    assert count[closed & ~dispatched].eq(2).all() and (closed & ~dispatched).any()
    assert 3.5 < len(versions) / len(orders) < 4


def test_each_version_is_sent_at_its_step_and_holds_what_was_known_then(versions, orders):
    step_at = np.select(
        [versions["status"].eq("已办结"), versions["status"].eq("已退回"),
         versions["status"].eq("办理中") & versions["first_feedback_at"].notna(), versions["status"].eq("办理中")],
        [versions["closed_at"], versions["first_feedback_at"], versions["first_feedback_at"], versions["dispatched_at"]],
        versions["created_at"])
    assert (versions["updated_at"].to_numpy() == step_at).all()
    final = orders.set_index(KEY).loc[versions[KEY]].reset_index()
    pd.testing.assert_frame_equal(versions[FIXED].reset_index(drop=True), final[FIXED])
    for column in ["dispatched_at", "first_feedback_at", "closed_at", "department", "satisfaction", "revisit_done"]:
        known = versions[column].notna().to_numpy()
        assert (versions[column].to_numpy()[known] == final[column].to_numpy()[known]).all(), column
    for column in STEPS:
        assert (versions[column].isna() | (versions[column] <= versions["updated_at"])).all(), column
    assert versions.loc[versions["status"] != "已办结", ["satisfaction", "revisit_done"]].isna().all().all()


def test_open_orders_are_sent_up_to_their_last_step_only(orders):
    as_of = pd.Timestamp(datetime.combine(DEMO_END, datetime.max.time()))
    assert (orders["updated_at"] <= as_of).all()
    recent = orders[orders["created_at"] > as_of - pd.Timedelta(days=2)]
    assert recent["status"].isin(["待派单", "办理中"]).mean() > 0.3
    still_open = orders[orders["status"].isin(["待派单", "办理中"])]
    assert still_open[["closed_at", "satisfaction", "revisit_done"]].isna().all().all()


def test_the_last_version_of_an_order_is_its_final_state():
    def ts(text: str | None) -> np.datetime64:
        return np.datetime64(text, "s") if text else np.datetime64("NaT", "s")

    final = pd.DataFrame({
        "order_id": ["closed", "answered", "returned", "open", "new"],
        "department": pd.array(["城管", None, "住建", "环保", None], dtype="str"),
        "created_at": [ts("2026-11-01T09:00"), ts("2026-11-01T10:00"), ts("2026-11-02T08:00"),
                       ts("2026-11-20T21:00"), ts("2026-11-20T23:50")],
        "dispatched_at": [ts("2026-11-01T09:10"), ts(None), ts("2026-11-02T08:30"), ts("2026-11-20T21:05"), ts(None)],
        "first_feedback_at": [ts("2026-11-02T12:00"), ts("2026-11-01T10:09"), ts("2026-11-03T09:00"), ts(None), ts(None)],
        "closed_at": [ts("2026-11-04T16:00"), ts("2026-11-01T10:09"), ts(None), ts(None), ts(None)],
        "status": pd.array(["已办结", "已办结", "已退回", "办理中", "待派单"], dtype="str"),
        "satisfaction": pd.array(["满意", "基本满意", None, None, None], dtype="str"),
        "revisit_done": pd.array([True, None, None, None, None], dtype="boolean"),
    })
    versions = _hotline_versions(final)
    assert versions.groupby("order_id", sort=False)["status"].agg(list).to_dict() == {
        "closed": ["待派单", "办理中", "办理中", "已办结"], "answered": ["待派单", "已办结"],
        "returned": ["待派单", "办理中", "已退回"], "open": ["待派单", "办理中"], "new": ["待派单"]}
    assert versions["updated_at"].is_monotonic_increasing
    dispatched = versions[(versions["order_id"] == "closed") & (versions["status"] == "办理中")].iloc[0]
    assert dispatched["department"] == "城管" and pd.isna(dispatched["first_feedback_at"])
    assert dispatched["updated_at"] == pd.Timestamp("2026-11-01T09:10")
    last = versions.drop_duplicates("order_id", keep="last").set_index("order_id").loc[final["order_id"]]
    pd.testing.assert_frame_equal(last.drop(columns="updated_at").reset_index(), final)
    assert last["updated_at"].tolist() == [pd.Timestamp(t) for t in
                                           ("2026-11-04T16:00", "2026-11-01T10:09", "2026-11-03T09:00",
                                            "2026-11-20T21:05", "2026-11-20T23:50")]


def test_the_same_seed_gives_the_same_versions_and_another_does_not(versions):
    pd.testing.assert_frame_equal(hotline_versions(), versions)
    other = hotline_versions(seed=DEMO_SEED + 1)
    assert not other.equals(versions)


def test_the_demo_lake_serves_one_current_row_an_order_and_keeps_the_rest_as_history(demo_lake, versions, orders):
    contract = load_contracts().table(TABLE)
    with connect() as con:
        current = con.execute(f"select * from {lake.table_source(demo_lake, TABLE, contract)}").df()
        every = con.execute(f"select {KEY}, updated_at from {lake.history_source(demo_lake, TABLE)}").df()
    # Compacted: one part, one row an order, the latest version of each; the history holds the rest.
    assert [p.name.split("-")[0] for p in lake.table_files(demo_lake, TABLE)] == ["compacted"]
    assert len(current) == len(orders) and not current[KEY].duplicated().any()
    current = current.sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(current[orders.columns], orders, check_dtype=False)
    history_rows = sum(int(pd.read_parquet(p, columns=[KEY]).shape[0]) for p in lake.history_files(demo_lake, TABLE))
    assert history_rows == len(versions) - len(orders)
    stored = every.sort_values([KEY, "updated_at"]).reset_index(drop=True)
    sent = versions[[KEY, "updated_at"]].sort_values([KEY, "updated_at"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(stored, sent, check_dtype=False)
    marker = json.loads((demo_lake / DEMO_MARKER).read_text(encoding="utf-8"))
    assert marker["rows"][TABLE] == {"records": len(orders), "versions": len(versions)}


def deliveries_of(lake_dir) -> list[dict]:
    """The ingest log's lines of the table, in the order delivered."""
    return [e for e in reversed(lake.read_ingest_log(lake_dir, limit=1000)) if e["table"] == TABLE]


def check_deliveries(deliveries: list[dict], versions: pd.DataFrame) -> int:
    """The history first, in loads of whole months of orders in order (every version sent before
    the daily deliveries), then a delivery a day; returns how many history loads there were."""
    days = [DEMO_END - timedelta(days=back) for back in range(DAILY_DELIVERIES - 1, -1, -1)]
    loads = [e for e in deliveries if e["source"].endswith(f", updated_at before {days[0]}")]
    assert loads and deliveries[:len(loads)] == loads
    history = versions[versions["updated_at"].dt.date < days[0]]
    month = history["created_at"].dt.to_period("M")
    spans = []
    for entry in loads:
        what = entry["source"].split(", ")[-2].removeprefix("created_at ")
        first, _, last = what.removeprefix("in ").partition(" to ")
        spans.append(pd.period_range(first, last or first, freq="M"))
        assert entry["loaded"] == month.isin(spans[-1]).sum(), what
    assert [m for span in spans for m in span] == sorted(month.unique())  # each month in one load, in order
    daily = deliveries[len(loads):]
    assert [e["source"].split(", ")[-1] for e in daily] == [f"updated_at on {d}" for d in days]
    assert sum(e["loaded"] for e in deliveries) == len(versions)
    assert all(e["quarantined"] == e["duplicates"] == e["superseded"] == 0 for e in deliveries)
    # Each day brings new versions of orders the lake already holds, and new orders.
    for entry, day in zip(daily, days, strict=True):
        sent = versions[versions["updated_at"].dt.date == day]
        assert entry["loaded"] == len(sent) and 0 < entry["updated"] < entry["loaded"], day
    return len(loads)


def test_the_versions_arrive_as_their_history_then_day_by_day(demo_lake, versions):
    assert check_deliveries(deliveries_of(demo_lake), versions) == 1  # a small demo's history in one load


def test_a_second_build_with_the_seed_gives_the_same_lake_in_however_many_loads(demo_lake, versions, tmp_path,
                                                                                  monkeypatch):
    import cockpit.demo.build as build

    again = tmp_path / "lake"
    monkeypatch.setattr(build, "HISTORY_LOAD_ROWS", 4_000)  # the history in several loads, as a large demo's
    report = build_demo(scale=DEMO_SCALE, seed=DEMO_SEED, end=DEMO_END, lake_dir=again)
    assert check_deliveries(deliveries_of(again), versions) > 3
    # One result a table, the deliveries of hotline_orders summed; rows count every version stored.
    assert [r.table for r in report.results] == [t.name for t in load_contracts().tables]
    hotline = next(r for r in report.results if r.table == TABLE)
    assert hotline.loaded == hotline.rows_read and hotline.superseded == 0 and hotline.updated > 0
    assert report.records == {TABLE: hotline.loaded - hotline.updated}
    rows = json.loads((again / DEMO_MARKER).read_text(encoding="utf-8"))["rows"]
    assert rows == json.loads((demo_lake / DEMO_MARKER).read_text(encoding="utf-8"))["rows"]
    assert report.rows == sum(v if isinstance(v, int) else v["versions"] for v in rows.values())
    with connect() as con:
        for source in (lake.table_source, lake.history_source):
            a, b = (con.execute(f"select * from {source(d, TABLE)} order by {KEY}, updated_at").df()
                    for d in (demo_lake, again))
            pd.testing.assert_frame_equal(a, b)



def test_versions_delivered_out_of_order_stop_the_build_and_keep_the_lake(demo_lake, tmp_path, monkeypatch):
    import cockpit.demo.build as build

    previous = tmp_path / "lake"
    build_demo(scale=DEMO_SCALE, seed=DEMO_SEED, end=DEMO_END, lake_dir=previous)
    marker = (previous / DEMO_MARKER).read_text(encoding="utf-8")
    daily = build._daily
    monkeypatch.setattr(build, "_daily", lambda *args: daily(*args)[::-1])  # the last day first
    with pytest.raises(DemoError, match=r"hotline_orders .*updated_at on .*versions older than the stored ones"):
        build_demo(scale=DEMO_SCALE, seed=DEMO_SEED + 1, end=DEMO_END, lake_dir=previous)
    assert (previous / DEMO_MARKER).read_text(encoding="utf-8") == marker
    assert not (tmp_path / "lake.building").exists()


def test_a_lake_of_compacted_tables_is_data_the_demo_does_not_replace(demo_lake, tmp_path):
    real = tmp_path / "lake"
    (real / TABLE).mkdir(parents=True)
    for part in lake.table_files(demo_lake, TABLE):  # a real lake after `cockpit compact`
        (real / TABLE / part.name).write_bytes(part.read_bytes())
    assert lake_has_data(real)
    with pytest.raises(DemoError, match="holds data that is not demo data"):
        build_demo(scale=DEMO_SCALE, seed=DEMO_SEED, end=DEMO_END, lake_dir=real)


def test_a_demo_ending_in_the_future_is_judged_as_of_its_own_last_day(tmp_path, monkeypatch):
    """A rehearsal for a coming meeting: the rows up to `--end` are not "in the future" for it."""
    monkeypatch.setenv("COCKPIT_NOW", "2026-12-02T09:00")
    report = build_demo(scale=0.005, seed=DEMO_SEED, end=datetime(2027, 1, 31).date(), lake_dir=tmp_path / "lake")
    latest = connect().execute(
        f"SELECT max(created_at) FROM {lake.table_source(tmp_path / 'lake', 'hotline_orders')}").fetchone()[0]
    assert report.rows > 0 and latest.date() == datetime(2027, 1, 31).date()
