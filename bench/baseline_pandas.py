"""A straightforward pandas baseline of a slice of the indicators, to time the DuckDB engine against.

    python -m bench.baseline_pandas --lake DIR --snapshot FILE

What it covers (monthly values only):
- the 12345 assessment figures for every province, city, county and street: `hotline_orders`
  and the five assessment rates (`hotline_immediate_dispatch_rate`,
  `hotline_on_time_feedback_rate` over the orders *due* in the month, `hotline_closure_rate`,
  `hotline_satisfaction_rate`, `hotline_revisit_rate`);
- the Waste-Free Index (`waste_free_index`) of the 11 cities and its nine dimension scores, from
  the manifests, facilities, 无废细胞, 12345 orders, industrial value added and population:
  year-to-date flows, stocks as of the month's end, yearly population as of the month's year,
  min-max (floor 60) among the cities or 0-100 goalposts, missing indicators re-weighted away.

It is written the way an analyst would write it with pandas alone: `pd.read_parquet` of the
lake's part files (only the columns needed), the region hierarchy merged in, one `groupby` per
level and month, then pandas arithmetic. No DuckDB, no SQL and no call into the engine's
computation: the formulas of indicators/hotline.yaml and indicators/waste_free.yaml are written
out again by hand below. The YAML is only read for the composites' weights, normalisations,
polarities and bands (`cockpit.indicators.definitions`), the hierarchy comes from
`cockpit.regions` and the part files are listed by `cockpit.feeds.lake.table_files`.

How the benchmark harness uses it:
- `compute(lake_dir)` is the timed unit: long rows (indicator, region, frequency, period_start,
  value), one per region and month the engine publishes for the slice. A rate whose denominator
  is 0 is a row with a NaN value, as the engine stores a NULL there.
- `compare(baseline, snapshot_path)` checks the numbers against the engine's published snapshot
  (`indicator_values`): per indicator, rows compared, rows missing on either side, rows NULL on
  one side only, and the largest absolute difference. Two NULLs agree.
- the command line times `compute` once, prints its wall time, the process's peak RSS
  (`ru_maxrss`, before and after computing: the first is the interpreter with pandas, pyarrow
  and the cockpit modules imported) and the comparison; exit status 1 on disagreement.
The engine has to be timed on the same lake separately (`cockpit refresh`, `bench.refresh`);
note that a refresh computes every indicator system, of which this is a slice.

Rules of the engine this follows, beyond the formulas themselves:
- a row counts in a region through the hierarchy (its code's ancestor at that level); codes not
  in the hierarchy, or above the level, do not count there;
- a figure is published up to the last month all the feeds it reads cover (population, yearly,
  does not hold the months back; the facility register has no time of its own);
- `ytd(x)` sums x over the months of the year so far on which the region has data; a ratio's
  row exists where any of its inputs has one, so a month without data gets no value even if
  the year so far has some;
- stocks (facility capacity, certified cells) are running totals over all history, on every
  month from the first to the last month the event feeds cover (yearly population does not
  widen that window), for every region that has any; a capacity of a kind a region has none of
  is 0, and a capacity match (hazardous-waste plants, construction-waste sites) has no value
  where that capacity is 0. The engine spans that window over the event feeds of every system;
  the feeds of this slice give the same values in every month it publishes;
- a composite has a row where at least one child has a value; min-max compares the cities that
  have a value, and all-equal peers all score 100.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from cockpit.feeds.contracts import load_contracts
from cockpit.feeds.lake import table_files
from cockpit.indicators.definitions import indicator_dir, read_file
from cockpit.regions import load_hierarchy

HOTLINE_LEVELS = ("province", "city", "county", "street")
HOTLINE_FIGURES = (
    "hotline_orders",
    "hotline_immediate_dispatch_rate",
    "hotline_on_time_feedback_rate",
    "hotline_closure_rate",
    "hotline_satisfaction_rate",
    "hotline_revisit_rate",
)
WFI_DIMENSIONS = (
    "wfi_industrial",
    "wfi_hazardous",
    "wfi_household",
    "wfi_construction",
    "wfi_agricultural",
    "wfi_market",
    "wfi_facilities",
    "wfi_supervision",
    "wfi_participation",
)
WFI_LEVEL = "city"
# indicator → the region levels the baseline computes it at (all monthly)
SLICE: dict[str, tuple[str, ...]] = {
    **{ident: HOTLINE_LEVELS for ident in HOTLINE_FIGURES},
    **{ident: (WFI_LEVEL,) for ident in (*WFI_DIMENSIONS, "waste_free_index")},
}

# The feeds whose latest month bounds each figure (see the module docstring).
WFI_CUTOFF_FEEDS = {
    "wfi_industrial": ("waste_manifests", "economy_monthly"),  # intensity: industrial value added
    "wfi_hazardous": ("waste_manifests",),
    "wfi_household": ("waste_manifests",),
    "wfi_construction": ("waste_manifests",),
    "wfi_agricultural": ("waste_manifests",),
    "wfi_market": ("waste_manifests", "economy_monthly"),
    "wfi_facilities": ("waste_manifests",),
    "wfi_supervision": ("waste_manifests", "hotline_orders"),  # violation reports
    "wfi_participation": ("waste_free_cells", "hotline_orders"),
    "waste_free_index": ("waste_manifests", "economy_monthly", "hotline_orders", "waste_free_cells"),
}

UTILISED = ("再利用", "再生利用")
RATED = ("满意", "基本满意", "不满意")
SATISFIED = ("满意", "基本满意")
CLOSED = "已办结"
RETURNED = "已退回"
SOLID_WASTE = "固体废物"
VIOLATIONS = ("危废违规处置", "固废非法倾倒", "渣土乱倒", "渣土车撒漏")

HOTLINE_COLUMNS = ["region_code", "created_at", "dispatched_at", "first_feedback_at", "closed_at", "due_at",
                   "status", "satisfaction", "revisit_required", "revisit_done", "appeal_type", "category_l1",
                   "category_l3"]
MANIFEST_COLUMNS = ["producer_region_code", "receiver_region_code", "waste_class", "waste_code", "producer_id",
                    "tons", "created_at", "picked_up_at", "received_at", "due_at", "disposal_route", "status"]
FACILITY_COLUMNS = ["region_code", "facility_type", "capacity_tpd", "networked", "commissioned_on"]


# ---------------------------------------------------------------------------------------------
# reading


def read_feed(lake_dir: Path, table: str, columns: list[str]) -> pd.DataFrame:
    """The table's rows, only `columns` (NaN for a column a part file lacks).

    For a table that keeps every version of a record (`updates: latest`), the latest version of
    each key: the one with the highest version, a tie to the later part file.
    """
    contract = load_contracts().table(table)
    versioned = [*contract.natural_key, contract.version_column] if contract.keeps_latest else []
    wanted = list(dict.fromkeys([*columns, *versioned]))
    frames = []
    for path in table_files(lake_dir, table):  # oldest first
        present = set(pq.read_schema(path).names)
        frames.append(pd.read_parquet(path, columns=[c for c in wanted if c in present]))
    if not frames:
        return pd.DataFrame(columns=columns)
    rows = pd.concat(frames, ignore_index=True)
    if versioned:
        # A stable sort keeps the file order among equal versions, so "last" is the later part.
        rows = (rows.sort_values(contract.version_column, kind="stable")
                .drop_duplicates(subset=list(contract.natural_key), keep="last"))
    return rows.reindex(columns=columns).reset_index(drop=True)


def month_of(values: pd.Series) -> pd.Series:
    """The first day of each value's month (NaT stays NaT)."""
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def nullif_zero(den: pd.Series) -> pd.Series:
    return den.where(den != 0)


def region_table() -> pd.DataFrame:
    """code, parent_code and the code of each ancestor level (<level>_code)."""
    frame = load_hierarchy().frame()
    return frame.drop(columns=["name", "lon", "lat"])


# ---------------------------------------------------------------------------------------------
# 12345 assessment figures


def hotline_assessment(orders: pd.DataFrame, last_month: pd.Timestamp) -> pd.DataFrame:
    """hotline_orders and the five assessment rates, every level and month (long rows).

    `orders` carries the <level>_code columns of its region."""
    dispatched = orders["dispatched_at"].notna()
    closed = orders["status"].eq(CLOSED)
    revisit_required = orders["revisit_required"].eq(True)
    # counted in the month the order was accepted
    accepted = pd.DataFrame({
        "orders": 1,
        "dispatch_needed": dispatched | orders["closed_at"].isna(),
        "dispatched_promptly": (orders["dispatched_at"] - orders["created_at"]) <= pd.Timedelta(hours=2),
        "closed": closed,
        "rated": orders["satisfaction"].isin(RATED),
        "satisfied": orders["satisfaction"].isin(SATISFIED),
        "revisit_required": revisit_required & closed,
        "revisited": revisit_required & closed & orders["revisit_done"].eq(True),
    }).astype("int64")
    # counted in the month the order was due
    due = pd.DataFrame({
        "due": dispatched,
        "fed_back_on_time": dispatched & (orders["first_feedback_at"] <= orders["due_at"]),
    }).astype("int64")
    accepted_month = month_of(orders["created_at"]).rename("period_start")
    due_month = month_of(orders["due_at"]).rename("period_start")

    out = []
    for level in HOTLINE_LEVELS:
        region = orders[f"{level}_code"].rename("region")
        a = accepted.groupby([region, accepted_month]).sum()  # rows without a code or month drop out
        d = due.groupby([region, due_month]).sum()
        figures = pd.DataFrame({
            "hotline_orders": a["orders"].astype("float64"),
            "hotline_immediate_dispatch_rate": 100.0 * a["dispatched_promptly"] / nullif_zero(a["dispatch_needed"]),
            "hotline_closure_rate": 100.0 * a["closed"] / nullif_zero(a["orders"]),
            "hotline_satisfaction_rate": 100.0 * a["satisfied"] / nullif_zero(a["rated"]),
            "hotline_revisit_rate": 100.0 * a["revisited"] / nullif_zero(a["revisit_required"]),
        })
        on_time = (100.0 * d["fed_back_on_time"] / nullif_zero(d["due"])).rename("hotline_on_time_feedback_rate")
        for frame in (figures, on_time.to_frame()):
            long = frame.reset_index().melt(id_vars=["region", "period_start"], var_name="indicator")
            out.append(long[long["period_start"] <= last_month])
    return pd.concat(out, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Waste-Free Index: the inputs per city and month


def manifest_flows(m: pd.DataFrame) -> pd.DataFrame:
    """Manifests by producer city and month created: tons by class and route, batches, producers."""
    tons, route, code = m["tons"], m["disposal_route"], m["waste_code"]
    utilised = route.isin(UTILISED)
    industrial = m["waste_class"].eq("工业固废")
    hazardous = m["waste_class"].eq("危险废物")
    household = m["waste_class"].eq("生活垃圾")
    construction = m["waste_class"].eq("建筑垃圾")
    agricultural = m["waste_class"].eq("农业废弃物")
    main_agri = agricultural & code.isin(["秸秆", "畜禽粪污", "废旧农膜"])
    straw = agricultural & code.eq("秸秆")
    film = agricultural & code.isin(["废旧农膜", "农药包装废弃物"])
    flows = pd.DataFrame({
        "region": m["producer_city"],
        "period_start": month_of(m["created_at"]),
        "wfi_ind_tons": tons.where(industrial, 0.0),
        "wfi_ind_utilised_tons": tons.where(industrial & utilised, 0.0),
        "wfi_ind_landfill_storage_tons": tons.where(industrial & route.isin(["填埋", "贮存"]), 0.0),
        "wfi_haz_tons": tons.where(hazardous, 0.0),
        "wfi_hh_tons": tons.where(household, 0.0),
        "wfi_hh_recycled_tons": tons.where(household & utilised, 0.0),
        "wfi_hh_landfilled_tons": tons.where(household & route.eq("填埋"), 0.0),
        "wfi_con_tons": tons.where(construction, 0.0),
        "wfi_con_utilised_tons": tons.where(construction & utilised, 0.0),
        "wfi_agri_tons": tons.where(main_agri, 0.0),
        "wfi_agri_utilised_tons": tons.where(main_agri & utilised, 0.0),
        "wfi_straw_tons": tons.where(straw, 0.0),
        "wfi_straw_utilised_tons": tons.where(straw & utilised, 0.0),
        "wfi_film_tons": tons.where(film, 0.0),
        "wfi_film_treated_tons": tons.where(film & route.isin([*UTILISED, "焚烧"]), 0.0),
        "wfi_ind_utilisation_batches": (industrial & utilised).astype("int64"),
    })
    keys = ["region", "period_start"]
    out = flows.groupby(keys).sum()
    served = (flows[keys].assign(producer=m["producer_id"])[hazardous & m["picked_up_at"].notna()]
              .groupby(keys)["producer"].nunique())
    out["wfi_haz_producers_served"] = served.reindex(out.index, fill_value=0)
    # date_diff(first of the first month, first of the month after the last) in days: a month's length
    out["wfi_period_days"] = out.index.get_level_values("period_start").days_in_month.astype("float64")
    return out


def manifest_punctuality(m: pd.DataFrame) -> pd.DataFrame:
    """Manifests by producer city and month due: receipts on time, closed loops, overdue warnings."""
    received, due = m["received_at"], m["due_at"]
    hazardous_due = m["waste_class"].eq("危险废物") & m["status"].ne(RETURNED) & m["status"].notna()
    late = received > due
    counts = pd.DataFrame({
        "region": m["producer_city"],
        "period_start": month_of(due),
        "wfi_haz_due": hazardous_due,
        "wfi_haz_received_on_time": hazardous_due & (received <= due),
        "wfi_manifests_due": True,
        "wfi_manifests_closed_loop": ((m["picked_up_at"] >= m["created_at"]) & (received >= m["picked_up_at"])
                                      & (received <= due)),
        "wfi_overdue_warnings": late | (received.isna() & m["status"].ne(RETURNED) & m["status"].notna()),
        "wfi_overdue_warnings_resolved": late & ((received - due) <= pd.Timedelta(hours=72)),
    })
    keys = ["region", "period_start"]
    out = counts.groupby(keys).sum().astype("int64")
    producers = (counts[keys].assign(producer=m["producer_id"])[hazardous_due]
                 .groupby(keys)["producer"].nunique())
    out["wfi_haz_producers_due"] = producers.reindex(out.index, fill_value=0)
    return out


def manifest_receipts(m: pd.DataFrame) -> pd.DataFrame:
    """Tons received by the facilities of the receiving city, by month received."""
    tons = pd.DataFrame({
        "region": m["receiver_city"],
        "period_start": month_of(m["received_at"]),
        "wfi_received_tons": m["tons"],
        "wfi_utilisation_received_tons": m["tons"].where(m["disposal_route"].isin(UTILISED), 0.0),
    })
    return tons.groupby(["region", "period_start"]).sum()


def running_totals(added: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    """Stocks as of each month's end from additions by (region, month): all history summed, on
    every month from the first addition to the window's end, reported from the window's start."""
    if added.empty:
        return added
    wide = added.unstack("region")
    months = pd.date_range(wide.index.min(), max(wide.index.max(), window[1]), freq="MS")
    stock = wide.reindex(months).fillna(0.0).cumsum()
    stock = stock[stock.index >= window[0]].rename_axis("period_start")
    return stock.stack("region", future_stack=True).swaplevel().sort_index()


def facility_stocks(facilities: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    """Design capacity in service by city and month, by kind of facility."""
    cap, kind = facilities["capacity_tpd"], facilities["facility_type"]
    networked = facilities["networked"].eq(True)
    construction = kind.eq("建筑垃圾消纳")
    added = pd.DataFrame({
        "region": facilities["city"],
        "period_start": month_of(facilities["commissioned_on"]),
        "wfi_capacity_tpd": cap,
        "wfi_haz_capacity_tpd": cap.where(kind.eq("危废利用处置"), 0.0),
        "wfi_con_capacity_tpd": cap.where(construction, 0.0),
        "wfi_con_capacity_networked_tpd": cap.where(construction & networked, 0.0),
        "wfi_utilisation_capacity_tpd": cap.where(kind.isin(["资源化利用", "餐厨处理", "农业废弃物利用"]), 0.0),
        "wfi_capacity_networked_tpd": cap.where(networked, 0.0),
    }).groupby(["region", "period_start"]).sum()
    return running_totals(added, window)


def waste_appeals(orders: pd.DataFrame) -> pd.DataFrame:
    """12345 solid-waste appeals by city and month accepted."""
    waste = orders["category_l1"].eq(SOLID_WASTE)
    counts = pd.DataFrame({
        "region": orders["city_code"],
        "period_start": month_of(orders["created_at"]),
        "hotline_waste_orders": waste,
        "hotline_waste_closed": waste & orders["status"].eq(CLOSED),
        "wfi_waste_violation_reports": (waste & orders["appeal_type"].isin(["投诉", "举报"])
                                        & orders["category_l3"].isin(VIOLATIONS)),
        "wfi_waste_orders_rated": waste & orders["satisfaction"].isin(RATED),
        "wfi_waste_orders_satisfied": waste & orders["satisfaction"].isin(SATISFIED),
    })
    return counts.groupby(["region", "period_start"]).sum().astype("int64")


def ytd(frame: pd.DataFrame, column: str) -> pd.Series:
    """Sum from January to each month over the months the region has data (NaN if none yet);
    `frame` is sorted by region and month."""
    x = frame[column]
    groups = [frame["region"], frame["period_start"].dt.year]
    total = x.fillna(0.0).groupby(groups).cumsum()
    seen = x.notna().astype("int64").groupby(groups).cumsum()
    return total.where(seen > 0)


def coalesce_zero(x: pd.Series) -> pd.Series:
    return x.fillna(0.0)


def waste_free_indicators(w: pd.DataFrame) -> pd.DataFrame:
    """The 27 second-level indicators per city and month from the inputs `w` (one row per city and
    month with data, sorted; `_<source>` columns say which sources have a row there)."""
    created, due, received = w["_created"], w["_due"], w["_received"]
    stocks, cells, appeals, economy = w["_stocks"], w["_cells"], w["_appeals"], w["_economy"]
    y = {c: ytd(w, c) for c in [
        "wfi_ind_tons", "wfi_ind_utilised_tons", "wfi_ind_landfill_storage_tons", "industrial_value_added",
        "wfi_haz_tons", "wfi_period_days", "wfi_haz_received_on_time", "wfi_haz_due", "wfi_haz_producers_due",
        "wfi_hh_tons", "wfi_hh_recycled_tons", "wfi_hh_landfilled_tons", "wfi_con_tons", "wfi_con_utilised_tons",
        "wfi_agri_tons", "wfi_agri_utilised_tons", "wfi_straw_tons", "wfi_straw_utilised_tons", "wfi_film_tons",
        "wfi_film_treated_tons", "wfi_utilisation_received_tons", "wfi_haz_producers_served",
        "wfi_ind_utilisation_batches", "wfi_received_tons", "wfi_manifests_closed_loop", "wfi_manifests_due",
        "wfi_overdue_warnings_resolved", "wfi_overdue_warnings", "wfi_waste_violation_reports",
        "wfi_waste_orders_satisfied", "wfi_waste_orders_rated", "hotline_waste_closed", "hotline_waste_orders",
    ]}
    days_positive = w["wfi_period_days"] > 0
    population = w["population"]
    out = pd.DataFrame(index=w.index)

    def rate(num: str, den: str) -> pd.Series:
        return 100.0 * y[num] / nullif_zero(y[den])

    # 1 industrial
    out["wfi_ind_generation_intensity"] = (y["wfi_ind_tons"] / nullif_zero(y["industrial_value_added"] * 10000)
                                           ).where(created | economy)
    out["wfi_ind_utilisation_rate"] = rate("wfi_ind_utilised_tons", "wfi_ind_tons").where(created)
    out["wfi_ind_landfill_storage_share"] = rate("wfi_ind_landfill_storage_tons", "wfi_ind_tons").where(created)
    # 2 hazardous
    out["wfi_haz_capacity_match"] = (nullif_zero(w["wfi_haz_capacity_tpd"]) * y["wfi_period_days"]
                                     / nullif_zero(y["wfi_haz_tons"])).where(stocks | created)
    out["wfi_haz_on_time_receipt_rate"] = rate("wfi_haz_received_on_time", "wfi_haz_due").where(due)
    out["wfi_haz_overdue_per_100_producers"] = (100.0 * (y["wfi_haz_due"] - y["wfi_haz_received_on_time"])
                                                / nullif_zero(y["wfi_haz_producers_due"])).where(due)
    # 3 household
    out["wfi_hh_per_capita_collection"] = (1000.0 * y["wfi_hh_tons"]
                                           / nullif_zero(population * 10000 * y["wfi_period_days"])).where(created)
    out["wfi_hh_recycling_rate"] = rate("wfi_hh_recycled_tons", "wfi_hh_tons").where(created)
    out["wfi_hh_landfill_share"] = rate("wfi_hh_landfilled_tons", "wfi_hh_tons").where(created)
    # 4 construction
    out["wfi_con_utilisation_rate"] = rate("wfi_con_utilised_tons", "wfi_con_tons").where(created)
    out["wfi_con_capacity_match"] = (nullif_zero(w["wfi_con_capacity_tpd"]) * y["wfi_period_days"]
                                     / nullif_zero(y["wfi_con_tons"])).where(stocks | created)
    out["wfi_con_networked_capacity_share"] = (
        100.0 * coalesce_zero(w["wfi_con_capacity_networked_tpd"]) / nullif_zero(w["wfi_con_capacity_tpd"])
    ).where(days_positive & (stocks | created))
    # 5 agricultural
    out["wfi_agri_utilisation_rate"] = rate("wfi_agri_utilised_tons", "wfi_agri_tons").where(created)
    out["wfi_straw_utilisation_rate"] = rate("wfi_straw_utilised_tons", "wfi_straw_tons").where(created)
    out["wfi_film_packaging_treatment_rate"] = rate("wfi_film_treated_tons", "wfi_film_tons").where(created)
    # 6 market: throughput growth on the same months a year before, only when they were all on record
    base = created | received
    before = (w.loc[base, ["region", "period_start"]]
              .assign(ly_days=y["wfi_period_days"][base], ly_received=y["wfi_utilisation_received_tons"][base]))
    before["period_start"] = before["period_start"] + pd.DateOffset(years=1)
    ly = w[["region", "period_start"]].merge(before, on=["region", "period_start"], how="left")
    ly.index = w.index
    growth = (y["wfi_utilisation_received_tons"] / nullif_zero(ly["ly_received"]) - 1) * 100
    out["wfi_recycling_throughput_growth"] = growth.where(ly["ly_days"] >= y["wfi_period_days"] - 1).where(base)
    out["wfi_collection_coverage"] = (100.0 * y["wfi_haz_producers_served"]
                                      / nullif_zero(y["industrial_value_added"])).where(created | economy)
    out["wfi_utilisation_trades"] = (100.0 * y["wfi_ind_utilisation_batches"]
                                     / nullif_zero(y["industrial_value_added"])).where(created | economy)
    # 7 facilities
    out["wfi_facility_load_rate"] = (100.0 * y["wfi_received_tons"]
                                     / nullif_zero(w["wfi_capacity_tpd"] * y["wfi_period_days"])
                                     ).where(received | stocks | created)
    ordinary = (w["wfi_capacity_tpd"] - coalesce_zero(w["wfi_haz_capacity_tpd"])
                - coalesce_zero(w["wfi_con_capacity_tpd"]))
    out["wfi_utilisation_capacity_share"] = (
        100.0 * coalesce_zero(w["wfi_utilisation_capacity_tpd"]) / nullif_zero(ordinary)
    ).where(days_positive & (stocks | created))
    out["wfi_facility_networked_rate"] = (
        100.0 * coalesce_zero(w["wfi_capacity_networked_tpd"]) / nullif_zero(w["wfi_capacity_tpd"])
    ).where(days_positive & (stocks | created))
    # 8 supervision
    out["wfi_closed_loop_rate"] = rate("wfi_manifests_closed_loop", "wfi_manifests_due").where(due)
    out["wfi_warning_timely_rate"] = rate("wfi_overdue_warnings_resolved", "wfi_overdue_warnings").where(due)
    out["wfi_violation_reports_per_100k"] = (y["wfi_waste_violation_reports"] * 10 * 365
                                             / nullif_zero(population * y["wfi_period_days"])
                                             ).where(appeals | created)
    # 9 participation
    out["wfi_cells_per_10k"] = (coalesce_zero(w["wfi_cells"]) / nullif_zero(population)).where(cells)
    out["wfi_waste_satisfaction_rate"] = rate("wfi_waste_orders_satisfied", "wfi_waste_orders_rated").where(appeals)
    out["wfi_waste_closure_rate"] = rate("hotline_waste_closed", "hotline_waste_orders").where(appeals)
    return pd.concat([w[["region", "period_start", "parent"]], out], axis=1)


# ---------------------------------------------------------------------------------------------
# Waste-Free Index: scores and aggregation


def child_scores(frame: pd.DataFrame, composite, children: dict) -> pd.DataFrame:
    """Each child's 0-100 score (NaN: no value), 100 the best, per the composite's normalisation."""
    norm = composite.normalisation
    peers = [frame["parent"], frame["period_start"]]
    scores = {}
    for child in composite.children:
        x, definition = frame[child.indicator], children[child.indicator]
        if norm.method == "minmax":
            higher_is_better = definition.polarity not in ("lower_better", "band")
            if definition.polarity == "band":  # compared by the distance outside the band
                lo, hi = definition.band
                x = (lo - x).clip(lower=0) + (x - hi).clip(lower=0)
            worst = x.groupby(peers).transform("min")
            best = x.groupby(peers).transform("max")
            span = best - worst
            rel = ((x - worst) if higher_is_better else (best - x)) / span.where(span > 0)
            rel = rel.where(span > 0, 1.0).where(x.notna())  # all peers equal: all score 100
            scores[child.indicator] = norm.floor + (100.0 - norm.floor) * rel
        elif norm.method == "goalposts" and not norm.log:
            low, high = float(norm.low), float(norm.high)
            x = x.clip(low, high)
            if definition.polarity == "band":  # 100 inside the band, down to 0 at the goalposts
                b_lo, b_hi = (min(max(b, low), high) for b in definition.band)
                below = (x - low) / (b_lo - low) * 100.0 if b_lo > low else 100.0
                above = (high - x) / (high - b_hi) * 100.0 if b_hi < high else 100.0
                score = pd.Series(100.0, index=x.index).where(x >= b_lo, below).where(x <= b_hi, above)
                scores[child.indicator] = score.where(x.notna())
            else:
                rel = (x - low) / (high - low)
                scores[child.indicator] = 100.0 * (1.0 - rel if definition.polarity == "lower_better" else rel)
        elif norm.method == "none":
            scores[child.indicator] = x
        else:
            raise NotImplementedError(f"the baseline has no {norm.method!r} normalisation")
    return pd.DataFrame(scores, index=frame.index)


def composite_values(frame: pd.DataFrame, composite, children: dict) -> pd.DataFrame:
    """region, period_start, parent, value of a weighted arithmetic composite, re-weighting missing
    children; a row where every child is missing has no value."""
    if composite.aggregation != "arithmetic" or composite.missing != "reweight":
        raise NotImplementedError("the baseline does arithmetic means with re-weighting only")
    ids = [c.indicator for c in composite.children]
    frame = frame.dropna(subset=ids, how="all")
    scores = child_scores(frame, composite, children)
    declared = pd.Series({c.indicator: float(c.weight) for c in composite.children})
    if composite.renormalise_weights and declared.sum() > 0:
        declared = declared / declared.sum()
    present = scores.notna() * declared
    weights = present.div(present.sum(axis=1), axis=0) * declared.sum()
    value = (weights * scores).sum(axis=1)
    return frame[["region", "period_start", "parent"]].assign(value=value)


def waste_free_index(w: pd.DataFrame, cutoffs: dict[str, pd.Timestamp]) -> pd.DataFrame:
    """The index and its nine dimensions per city and month (long rows)."""
    system, problems = read_file(indicator_dir() / "waste_free.yaml")
    if system is None:
        raise ValueError(f"indicators/waste_free.yaml: {problems}")
    defs = {i.id: i for i in system.indicators}
    index = defs["waste_free_index"].composite
    if tuple(c.indicator for c in index.children) != WFI_DIMENSIONS:
        raise ValueError("the index's dimensions changed: update the baseline")
    second_level = waste_free_indicators(w)
    dimensions = second_level[["region", "period_start", "parent"]].copy()
    out = []
    for dim in WFI_DIMENSIONS:
        comp = defs[dim].composite
        values = composite_values(second_level, comp, {c.indicator: defs[c.indicator] for c in comp.children})
        dimensions[dim] = values["value"]
        out.append(values.assign(indicator=dim))
    out.append(composite_values(dimensions, index, {d: defs[d] for d in WFI_DIMENSIONS})
               .assign(indicator="waste_free_index"))
    long = pd.concat(out, ignore_index=True)
    return long[long["period_start"] <= long["indicator"].map(cutoffs)]


def waste_free_inputs(feeds: dict[str, pd.DataFrame], regions: pd.DataFrame,
                      window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    """One row per city and month with any input: every measure the index reads, population as of
    the month's year, and a `_<source>` flag per source that has a row there."""
    city_of = regions.set_index("code")["city_code"]
    manifests = feeds["waste_manifests"].assign(
        producer_city=lambda m: m["producer_region_code"].map(city_of),
        receiver_city=lambda m: m["receiver_region_code"].map(city_of))
    facilities = feeds["waste_facilities"].assign(city=lambda f: f["region_code"].map(city_of))
    cells = feeds["waste_free_cells"]
    certified = (pd.DataFrame({"region": cells["region_code"].map(city_of),
                               "period_start": month_of(cells["certified_on"])})
                 .groupby(["region", "period_start"]).size().rename("wfi_cells").astype("float64").to_frame())
    economy = feeds["economy_monthly"]
    value_added = (economy.assign(region=economy["region_code"].map(city_of), period_start=month_of(economy["month"]))
                   .groupby(["region", "period_start"])[["industrial_value_added"]].sum(min_count=1))
    people = feeds["population_annual"]
    population = (people.assign(region=people["region_code"].map(city_of),
                                year_start=pd.to_datetime(people["year"].astype(str) + "-01-01"))
                  .groupby(["region", "year_start"])["resident_population"].sum(min_count=1)
                  .rename("population").reset_index().astype({"year_start": "datetime64[ns]"})
                  .sort_values("year_start"))

    sources = {
        "_created": manifest_flows(manifests),
        "_due": manifest_punctuality(manifests),
        "_received": manifest_receipts(manifests),
        "_stocks": facility_stocks(facilities, window),
        "_cells": running_totals(certified, window),
        "_appeals": waste_appeals(feeds["hotline_orders"]),
        "_economy": value_added,
    }
    w = pd.concat([frame.assign(**{flag: True}) for flag, frame in sources.items()], axis=1)
    w[list(sources)] = w[list(sources)].notna()
    w = w.reset_index().sort_values(["period_start", "region"])
    w = pd.merge_asof(w, population, left_on="period_start", right_on="year_start", by="region")
    w["parent"] = w["region"].map(regions.set_index("code")["parent_code"])
    return w.sort_values(["region", "period_start"], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# the slice


def read_feeds(lake_dir: Path) -> dict[str, pd.DataFrame]:
    """The columns the slice reads of each feed."""
    return {
        "hotline_orders": read_feed(lake_dir, "hotline_orders", HOTLINE_COLUMNS),
        "waste_manifests": read_feed(lake_dir, "waste_manifests", MANIFEST_COLUMNS),
        "waste_facilities": read_feed(lake_dir, "waste_facilities", FACILITY_COLUMNS),
        "waste_free_cells": read_feed(lake_dir, "waste_free_cells", ["region_code", "certified_on"]),
        "economy_monthly": read_feed(lake_dir, "economy_monthly", ["region_code", "month", "industrial_value_added"]),
        "population_annual": read_feed(lake_dir, "population_annual", ["region_code", "year", "resident_population"]),
    }


def data_months(feeds: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]:
    """The month of each event feed's latest data (read from all its rows, as the engine does), and
    the window of months the event feeds cover, for the stocks. Population, a yearly figure, is
    no event feed: its years do not widen the window."""
    times = {"hotline_orders": "created_at", "waste_manifests": "created_at", "waste_free_cells": "certified_on",
             "economy_monthly": "month"}
    firsts, lasts = {}, {}
    for feed, column in times.items():
        firsts[feed], lasts[feed] = month_of(feeds[feed][column].agg(["min", "max"]))
    return lasts, (min(firsts.values()), max(lasts.values()))


def compute(lake_dir: Path) -> pd.DataFrame:
    """The slice's monthly values: long rows (indicator, region, frequency, period_start, value)."""
    regions = region_table()
    feeds = read_feeds(Path(lake_dir))
    lasts, window = data_months(feeds)
    # each order with the code of its region's ancestor at every level (codes not in the hierarchy drop out)
    feeds["hotline_orders"] = feeds["hotline_orders"].merge(
        regions[["code", *(f"{lvl}_code" for lvl in HOTLINE_LEVELS)]], left_on="region_code", right_on="code")

    hotline = hotline_assessment(feeds["hotline_orders"], lasts["hotline_orders"])
    inputs = waste_free_inputs(feeds, regions, window)
    cutoffs = {ident: min(lasts[f] for f in sources) for ident, sources in WFI_CUTOFF_FEEDS.items()}
    wfi = waste_free_index(inputs, cutoffs)

    out = pd.concat([hotline, wfi[["indicator", "region", "period_start", "value"]]], ignore_index=True)
    out["frequency"] = "month"
    out["period_start"] = out["period_start"].dt.date
    out["value"] = out["value"].astype("float64")
    return out[["indicator", "region", "frequency", "period_start", "value"]]


# ---------------------------------------------------------------------------------------------
# checking against the engine


def snapshot_values(snapshot_path: Path) -> pd.DataFrame:
    """The engine's monthly values of the slice, at the levels the baseline computes."""
    from cockpit import duck

    con = duck.read_only(Path(snapshot_path))
    try:
        df = con.execute("""SELECT indicator, level, region, period_start, value FROM indicator_values
                            WHERE frequency = 'month' AND list_contains(?, indicator)""", [list(SLICE)]).df()
    finally:
        con.close()
    scope = pd.DataFrame([(i, lvl) for i, levels in SLICE.items() for lvl in levels], columns=["indicator", "level"])
    return df.merge(scope, on=["indicator", "level"]).drop(columns="level")


def compare(baseline: pd.DataFrame, snapshot_path: Path) -> dict[str, dict]:
    """Per indicator of the slice: rows of each side, rows compared (on both sides), rows missing on
    either side, rows NULL on one side only, and the largest absolute difference of the others."""
    keys = ["indicator", "region", "period_start"]
    mine = baseline[keys + ["value"]].assign(period_start=pd.to_datetime(baseline["period_start"]))
    engine = snapshot_values(snapshot_path)
    engine["period_start"] = pd.to_datetime(engine["period_start"])
    both = mine.merge(engine, on=keys, how="outer", suffixes=("_baseline", "_engine"), indicator=True)
    report = {}
    for ident in SLICE:
        rows = both[both["indicator"] == ident]
        matched = rows[rows["_merge"] == "both"]
        a, b = matched["value_baseline"].astype(float), matched["value_engine"].astype(float)
        diff = (a - b).abs()
        report[ident] = {
            "baseline_rows": int((rows["_merge"] != "right_only").sum()),
            "snapshot_rows": int((rows["_merge"] != "left_only").sum()),
            "compared": len(matched),
            "missing_in_baseline": int((rows["_merge"] == "right_only").sum()),
            "missing_in_snapshot": int((rows["_merge"] == "left_only").sum()),
            "both_null": int((a.isna() & b.isna()).sum()),
            "null_mismatch": int((a.isna() != b.isna()).sum()),
            "max_abs_diff": float(diff.max()) if diff.notna().any() else 0.0,
        }
    return report


def agrees(report: dict[str, dict], tolerance: float = 1e-6) -> bool:
    return all(r["compared"] > 0 and r["missing_in_baseline"] == 0 and r["missing_in_snapshot"] == 0
               and r["null_mismatch"] == 0 and r["max_abs_diff"] < tolerance for r in report.values())


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline_pandas", description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, required=True, help="the lake directory")
    parser.add_argument("--snapshot", type=Path, required=True, help="the engine's snapshot (.duckdb) of that lake")
    args = parser.parse_args(argv)

    rss_before = _peak_rss_mib()
    started = time.perf_counter()
    baseline = compute(args.lake)
    seconds = time.perf_counter() - started
    rss_after = _peak_rss_mib()
    print(f"compute: {seconds:.2f} s, {len(baseline)} rows")
    print(f"peak RSS: {rss_after:.0f} MiB (after imports, before compute: {rss_before:.0f} MiB)")

    report = compare(baseline, args.snapshot)
    columns = ["compared", "missing_in_baseline", "missing_in_snapshot", "both_null", "null_mismatch"]
    print(f"{'indicator':34} " + " ".join(f"{c:>19}" for c in columns) + f" {'max_abs_diff':>13}")
    for ident, r in report.items():
        print(f"{ident:34} " + " ".join(f"{r[c]:>19}" for c in columns) + f" {r['max_abs_diff']:>13.3g}")
    ok = agrees(report)
    print("agrees with the snapshot" if ok else "DISAGREES with the snapshot")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
