"""The demo generator: deterministic, true to the contracts, inside its 36 months, with its incidents.

Runs at a small scale with a fixed end date; the contract checker here is independent of the
ingest module on purpose, so a generator bug cannot hide behind an ingest bug. Tables whose
records evolve (`updates: latest`) come as every version; `orders` is their final state, the last
version of each order (tests/test_demo_versions.py follows orders through their versions).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from cockpit.demo.generate import INCIDENTS, generate, generate_parts
from cockpit.feeds.contracts import TableContract, load_contracts
from cockpit.regions.hierarchy import Hierarchy, load_hierarchy

SCALE = 0.03
SEED = 7
END = date(2026, 11, 20)
START = date(2023, 12, 1)  # the first day of the 36 months ending November 2026
LAST_INSTANT = datetime(2026, 11, 20, 23, 59, 59)

# Tables whose contracts leave the region level open: the levels the generator promises.
REGION_LEVELS = {
    "hotline_orders": {"grid"},
    "service_cases": {"county", "street"},
    "waste_manifests": {"street"},
    "waste_facilities": {"county"},
    "waste_free_cells": {"street", "community"},
    "iot_sensors": {"street", "grid"},
    "iot_readings": {"street", "grid"},
    "security_events": {"city", "county"},
}
EVENT_TABLES = ("hotline_orders", "grid_events", "service_cases", "waste_manifests", "waste_free_cells")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return dict(generate(SCALE, seed=SEED, end=END))


@pytest.fixture(scope="module")
def orders(frames) -> pd.DataFrame:
    return latest_versions(frames["hotline_orders"], load_contracts().table("hotline_orders"))


@pytest.fixture(scope="module")
def hierarchy() -> Hierarchy:
    return load_hierarchy()


def latest_versions(frame: pd.DataFrame, contract: TableContract) -> pd.DataFrame:
    """Each key's version with the highest version column: the record as it stands."""
    return (frame.sort_values(contract.version_column, kind="stable")
            .drop_duplicates(list(contract.natural_key), keep="last").reset_index(drop=True))


def contract_problems(contract: TableContract, frame: pd.DataFrame, hierarchy: Hierarchy) -> list[str]:
    """Every way the frame breaks its contract: columns, types, nulls, allowed values, bounds,
    patterns, region codes and levels, natural key (with the version column when keys have versions)."""
    where = contract.name
    if list(frame.columns) != contract.column_names:
        return [f"{where}: columns {list(frame.columns)} are not {contract.column_names}"]
    problems = []
    for column in contract.columns:
        series = frame[column.name]
        values = series[series.notna()]
        at = f"{where}.{column.name}"
        if column.required and len(values) < len(series):
            problems.append(f"{at}: {len(series) - len(values)} missing values in a required column")
        if not _typed(column.type, series, values):
            problems.append(f"{at}: dtype {series.dtype} (or its values) does not fit type {column.type}")
            continue
        if column.allowed is not None and not values.isin(column.allowed).all():
            problems.append(f"{at}: values outside {column.allowed}: {sorted(set(values) - set(column.allowed))[:5]}")
        if column.min is not None and (values < column.min).any():
            problems.append(f"{at}: below the minimum {column.min}: {values.min()}")
        if column.max is not None and (values > column.max).any():
            problems.append(f"{at}: above the maximum {column.max}: {values.max()}")
        if column.pattern is not None and not values.str.fullmatch(column.pattern).all():
            problems.append(f"{at}: values not matching {column.pattern}")
    codes = frame[contract.region_column].unique()
    unknown = [c for c in codes if c not in hierarchy]
    if unknown:
        problems.append(f"{where}: region codes not in the hierarchy: {unknown[:5]}")
    levels = set(contract.region_levels or ()) or REGION_LEVELS.get(contract.name)
    wrong = [c for c in codes if c in hierarchy and levels and hierarchy.level(c) not in levels]
    if wrong:
        problems.append(f"{where}: region codes not at level {levels}: {wrong[:5]}")
    key = [*contract.natural_key, *([contract.version_column] if contract.keeps_latest else [])]
    duplicates = frame.duplicated(subset=key).sum()
    if duplicates:
        problems.append(f"{where}: {duplicates} duplicate keys {key}")
    return problems


def _typed(kind: str, series: pd.Series, values: pd.Series) -> bool:
    if kind == "string":
        return pd.api.types.is_string_dtype(series.dtype) and values.map(type).eq(str).all()
    if kind == "integer":
        return str(series.dtype) in ("int64", "Int64")
    if kind == "float":
        return series.dtype == np.float64
    if kind == "boolean":
        return str(series.dtype) in ("bool", "boolean")
    if kind == "timestamp":
        return series.dtype == "datetime64[us]"
    dates = values.map(type).eq(date).all()  # a datetime is a date too: the type must be exact
    if kind == "month":
        return dates and values.map(lambda d: d.day == 1).all()
    if kind == "quarter":
        return dates and values.map(lambda d: d.day == 1 and d.month in (1, 4, 7, 10)).all()
    return dates


def test_same_inputs_give_the_same_frames_and_another_seed_does_not(frames):
    again = dict(generate(SCALE, seed=SEED, end=END))
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, again[name], obj=name)
    other = dict(generate(SCALE, seed=SEED + 1, end=END))
    same = [name for name, frame in frames.items() if frame.equals(other[name])]
    assert not same, f"tables unchanged by a different seed: {same}"


def test_every_contract_table_comes_with_its_columns_in_order(frames):
    contracts = load_contracts()
    assert list(frames) == [t.name for t in contracts.tables]
    for table in contracts.tables:
        assert list(frames[table.name].columns) == table.column_names, table.name
        assert len(frames[table.name]) > 0, table.name


def test_values_satisfy_the_contracts(frames, hierarchy):
    contracts = load_contracts()
    problems = [p for t in contracts.tables for p in contract_problems(t, frames[t.name], hierarchy)]
    assert not problems, "\n".join(problems)


def test_the_checker_catches_broken_frames(frames, hierarchy):
    contract = load_contracts().table("hotline_orders")
    good = frames["hotline_orders"]
    broken = {
        "a value outside allowed": good.assign(status="lost"),
        "a grid code at county level": good.assign(region_code="330102"),
        "a duplicate key": pd.concat([good, good.head(1)], ignore_index=True),
        "nanosecond timestamps": good.assign(created_at=good["created_at"].astype("datetime64[ns]")),
    }
    for what, frame in broken.items():
        assert contract_problems(contract, frame, hierarchy), what


def test_records_span_the_36_months_and_nothing_is_after_end(frames):
    contracts = load_contracts()
    for table in contracts.tables:
        frame = frames[table.name]
        for column in table.columns:
            if column.type == "timestamp" and column.name != "due_at":  # deadlines may lie ahead
                stamps = frame[column.name].dropna()
                assert stamps.max() <= pd.Timestamp(LAST_INSTANT), f"{table.name}.{column.name} after end"
                assert stamps.min() >= pd.Timestamp(START), f"{table.name}.{column.name} before the period"
            elif column.type == "date":
                assert frame[column.name].max() <= END, f"{table.name}.{column.name} after end"
    for name, column in [("hotline_orders", "created_at"), ("grid_events", "reported_at"),
                         ("service_cases", "submitted_at"), ("air_quality_hourly", "ts"),
                         ("waste_manifests", "created_at"), ("iot_readings", "reading_at")]:
        stamps = frames[name][column]
        assert stamps.min() < pd.Timestamp(START) + pd.Timedelta(days=3), f"{name} starts late"
        assert stamps.max() >= pd.Timestamp(END), f"{name} stops before end"
    for name in ("cloud_usage_daily", "data_platform_daily"):
        assert frames[name]["date"].min() == START and frames[name]["date"].max() == END
    # Statistics cover completed periods only.
    assert _span(frames["economy_monthly"]["month"]) == (START, date(2026, 10, 1))
    assert _span(frames["economy_quarterly"]["quarter"]) == (date(2024, 1, 1), date(2026, 7, 1))
    assert _span(frames["water_quality_monthly"]["month"]) == (START, date(2026, 10, 1))
    assert sorted(frames["population_annual"]["year"].unique()) == [2023, 2024, 2025]


def _span(values: pd.Series) -> tuple[date, date]:
    return values.min(), values.max()


def test_hotline_steps_are_in_order_and_match_the_status(orders):
    h = orders
    steps = ["created_at", "dispatched_at", "first_feedback_at", "closed_at"]
    for earlier, later in zip(steps, steps[1:], strict=False):
        both = h[earlier].notna() & h[later].notna()
        assert (h.loc[both, earlier] <= h.loc[both, later]).all(), f"{earlier} after {later}"
    assert (h["created_at"] <= h["first_feedback_at"]).where(h["first_feedback_at"].notna(), True).all()
    closed = h["status"] == "已办结"
    assert h.loc[closed, "closed_at"].notna().all() and h.loc[~closed, "closed_at"].isna().all()
    assert h.loc[h["status"] == "待派单", "dispatched_at"].isna().all()
    assert h.loc[h["status"] == "已退回", "first_feedback_at"].notna().all()  # sent back with the feedback
    assert h.loc[~closed, "satisfaction"].isna().all() and h.loc[~closed, "revisit_done"].isna().all()
    assert (h["due_at"] > h["created_at"]).all()
    # Recent orders are still being handled, old ones mostly on time.
    recent = h["created_at"] > pd.Timestamp(END) - pd.Timedelta(days=3)
    assert (~closed[recent]).mean() > 0.3
    old = h[~recent & closed]
    assert 0.85 < (old["closed_at"] <= old["due_at"]).mean() < 0.99


def test_repeat_callers_exist(orders):
    h = orders.dropna(subset=["caller_id"]).sort_values("created_at")
    gaps = h.groupby(["caller_id", "category_l3"])["created_at"].diff()
    assert (gaps <= pd.Timedelta(days=30)).sum() > 0.02 * len(h)


def test_the_incidents_are_in_the_data(frames, orders):
    incidents = {i.name: i for i in INCIDENTS}
    readings = frames["iot_readings"].merge(frames["iot_sensors"], on=["sensor_id", "region_code"])
    for name in ("flood_season_breach", "water_level_alarm"):
        incident = incidents[name]
        first, last = incident.window(END)
        rows = readings[readings["sensor_id"] == incident.rows["sensor_id"]]
        assert rows["region_code"].str.startswith(incident.region_code).all()
        assert rows["sensor_type"].eq("水位").all()
        inside = rows["reading_at"].dt.date.between(first, last)
        assert inside.sum() >= min(3, (last - first).days + 1), name
        assert (rows.loc[inside, "value"] > rows.loc[inside, "alarm_threshold"]).all(), name
    assert incidents["flood_season_breach"].window(END) == (date(2026, 8, 8), date(2026, 8, 11))
    # Alarms are the incidents: no other sensor passes its alarm threshold.
    high = readings["alarm_threshold"] >= readings["warn_threshold"]
    alarm = np.where(high, readings["value"] >= readings["alarm_threshold"], readings["value"] <= readings["alarm_threshold"])
    assert set(readings.loc[alarm, "sensor_id"]) == {"SW3310820001", "SW3303810001"}

    overdue = incidents["overdue_hazardous_transfer"]
    m = frames["waste_manifests"]
    match = m[np.logical_and.reduce([m[k] == v for k, v in overdue.rows.items()])
              & (m["created_at"].dt.date == overdue.window(END)[0])]
    assert len(match) == 1
    row = match.iloc[0]
    assert row["producer_region_code"].startswith(overdue.region_code)
    assert pd.notna(row["picked_up_at"]) and pd.isna(row["received_at"])
    assert row["due_at"] < pd.Timestamp(END - timedelta(days=10))
    stale = m[(m["status"] == "运输中") & (m["created_at"] < pd.Timestamp(END - timedelta(days=20)))]
    assert len(stale) == 1  # the only transfer that old still on the road

    surge = incidents["hotline_surge"]
    h = orders
    same = h[np.logical_and.reduce([h[k] == v for k, v in surge.rows.items()])
             & h["region_code"].str.startswith(surge.region_code)]
    first, _ = surge.window(END)
    in_window = (same["created_at"] >= pd.Timestamp(first)).sum()
    before = same["created_at"].between(pd.Timestamp(first - timedelta(days=90)), pd.Timestamp(first), inclusive="left")
    assert in_window >= 10
    assert in_window >= 3 * before.sum() / 9  # per ten days, against the 90 days before


def test_the_12345_orders_are_generated_a_month_of_orders_at_a_time(frames, monkeypatch):
    import cockpit.demo.generate as generator

    months_built = []
    build_month = generator._hotline_frame
    monkeypatch.setattr(generator, "_hotline_frame", lambda *args: months_built.append(1) or build_month(*args))
    for table, parts in generate_parts(SCALE, seed=SEED, end=END):
        if table != "hotline_orders":
            assert len(list(parts)) == 1, table
            continue
        # A part is built when asked for, so a build holds one month of orders, not the table.
        first = next(parts)
        assert len(months_built) == 1
        chunks = [first, *parts]
        break
    assert len(months_built) == len(chunks) == 36
    for chunk in chunks:  # every version of the orders accepted in one month, in the order sent
        assert chunk["created_at"].dt.to_period("M").nunique() == 1
        assert chunk["updated_at"].is_monotonic_increasing
    assert [c["created_at"].min() for c in chunks] == sorted(c["created_at"].min() for c in chunks)
    # Put together in the order sent, the parts are the table as `generate` gives it.
    whole = pd.concat(chunks, ignore_index=True).sort_values("updated_at", kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(whole, frames["hotline_orders"])


def test_volumes_grow_linearly_with_scale(frames):
    double = {name: len(frame) for name, frame in generate(2 * SCALE, seed=SEED, end=END)}
    for name in EVENT_TABLES:
        assert 1.85 < double[name] / len(frames[name]) < 2.15, name
    for name in ("economy_monthly", "population_annual", "cloud_usage_daily"):
        assert double[name] == len(frames[name]), name


def test_ids_look_real(frames):
    assert frames["hotline_orders"]["order_id"].str.fullmatch(r"ZJ12345-20\d{4}-\d{6}").all()
    assert frames["waste_manifests"]["manifest_id"].str.fullmatch(r"(GY|WF|SH|JZ|NY)20\d{4}\d{6}").all()
    assert frames["air_stations"]["station_id"].str.fullmatch(r"\d{4}A").all()
    producers = frames["waste_manifests"]["producer_id"].unique()
    assert all(_valid_credit_code(code) for code in producers)


def _valid_credit_code(code: str) -> bool:
    """GB 32100-2015 check character of a 统一社会信用代码."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(ch) * w for ch, w in zip(code[:17], weights, strict=True))
    return len(code) == 18 and alphabet[(31 - total % 31) % 31] == code[17]


def test_waste_data_supports_the_waste_free_index(frames):
    m = frames["waste_manifests"]
    assert set(m["waste_class"]) == {"工业固废", "危险废物", "生活垃圾", "建筑垃圾", "农业废弃物"}
    share = m.pivot_table(index="waste_class", columns="disposal_route", values="tons", aggfunc="sum", fill_value=0)
    share = share.div(share.sum(axis=1), axis=0)
    assert share.loc["生活垃圾", "焚烧"] > 0.4 and share.loc["危险废物", ["焚烧", "再生利用"]].sum() > 0.6
    assert share.loc["工业固废", ["再利用", "再生利用"]].sum() > 0.7
    household = m[m["waste_class"] == "生活垃圾"]
    landfill = household["disposal_route"].eq("填埋").groupby(household["created_at"].dt.year).mean()
    assert landfill.iloc[-1] < landfill.iloc[0]
    received = m.dropna(subset=["received_at"])
    assert 0.9 < (received["received_at"] <= received["due_at"]).mean() < 0.99
    facilities = frames["waste_facilities"]
    assert set(facilities["facility_type"]) == set(load_contracts().table("waste_facilities").column("facility_type").allowed)
    assert set(m["receiver_id"]) <= set(facilities["facility_id"])


# -- personal data -------------------------------------------------------------------------------


def test_callers_have_plausible_names_phones_addresses_and_requests(frames, hierarchy):
    from cockpit.query.masking import mask_series

    versions = frames["hotline_orders"]
    # every version of an order carries the same personal data
    per_order = versions.groupby("order_id")[["caller_name", "caller_phone", "caller_address", "request_text"]]
    assert (per_order.nunique(dropna=False) == 1).all().all()
    named = versions.dropna(subset=["caller_id"])
    assert named["caller_name"].notna().all() and named["caller_phone"].notna().all()
    assert versions.loc[versions["caller_id"].isna(), "caller_name"].isna().all()  # who leaves no number, no name
    assert named["caller_phone"].str.fullmatch(r"1[3-9][0-9]{9}").all()
    assert named["caller_name"].str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()
    # the same caller keeps one name and one number over their calls
    assert (named.groupby("caller_id")[["caller_name", "caller_phone"]].nunique() == 1).all().all()
    # an address is the order's city, county and street, then the rest: masking cuts it there exactly
    names = hierarchy.frame().set_index("code")["name"]
    grids = hierarchy.frame().set_index("code").loc[named["region_code"]]
    head = (names.loc[grids["city_code"]].to_numpy() + names.loc[grids["county_code"]].to_numpy()
            + names.loc[grids["street_code"]].to_numpy())
    # masked as the reader masks the column (mask_address is the same rule for one value)
    assert (mask_series("address", named["caller_address"]).to_numpy() == head).all()
    assert (named["caller_address"].str.len() > pd.Series(head, index=named.index).str.len()).all()
    texts = versions["request_text"]
    assert texts.notna().all() and texts.str.len().max() <= 2000
    l3 = versions["category_l3"]
    mentions = [topic in text for topic, text in zip(l3, texts, strict=True)]
    assert np.mean(mentions) > 0.9  # the request names what it is about


def test_applicants_have_valid_resident_id_numbers(frames):
    cases = frames["service_cases"]
    ids = cases["applicant_id_number"]
    assert ids.str.fullmatch(r"[0-9]{17}[0-9X]").all()
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for number in ids.sample(500, random_state=1):
        total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
        assert number[17] == "10X98765432"[total % 11], number
    assert (ids.str[:6] == cases["region_code"].str[:6]).all()  # registered in the county of the case
    birth = pd.to_datetime(ids.str[6:14], format="%Y%m%d")
    age = (pd.to_datetime(cases["submitted_at"]) - birth).dt.days / 365.25
    assert age.between(17.9, 80.1).all()
    assert cases["applicant_name"].str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()


def test_personal_data_is_the_same_for_a_seed(frames):
    again = dict(generate(SCALE, seed=SEED, end=END))
    for table, columns in (("hotline_orders", ["caller_name", "caller_phone", "caller_address", "request_text"]),
                           ("service_cases", ["applicant_name", "applicant_id_number"])):
        pd.testing.assert_frame_equal(frames[table][columns], again[table][columns])
