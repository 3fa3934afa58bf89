"""The one ranking rule (cockpit.indicators.ranks) on hand-computed cases, and a refresh whose stored
ranks and composite explanations must agree: every expected rank is worked out in the comment."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cockpit import duck
from cockpit.feeds.ingest import ingest_frame
from cockpit.indicators import ranks
from cockpit.indicators import refresh as engine
from cockpit.indicators.model import Indicator, Where

PERIOD = date(2026, 1, 1)
ONE_CITY = {"A": "P1", "B": "P1", "C": "P1", "D": "P1", "E": "P1"}


def rank_values(values: pd.DataFrame, indicators: Iterable[Indicator],
                parent_of: Mapping[str, str | None]) -> pd.DataFrame:
    """`values` with rank, peer_count and percentile, by the SQL refresh runs."""
    with duck.memory() as con:
        ranks.register(con, indicators)
        con.register("regions", pd.DataFrame({"code": list(parent_of), "parent_code": list(parent_of.values())}))
        con.register("source", values.assign(_row=range(len(values))))
        out = con.execute(ranks.ranked_sql("source") + " ORDER BY _row").df()
    return values.assign(**{c: out[c].to_numpy() for c in ("rank", "peer_count", "percentile")})


def ind(polarity: str = "higher_better", decimals: int = 1, band: tuple[float, float] | None = None) -> Indicator:
    return Indicator(id="x", system="t", name_zh="x", name_en="x", unit="%", description="", owner="",
                     frequencies=("month",), levels=("county",), polarity=polarity, where=Where("t.yaml", 1),
                     band=band, decimals=decimals)


def ranked(by_region: dict[str, float | None], indicator: Indicator, parent_of=ONE_CITY,
           column: str = "rank") -> dict[str, float]:
    values = pd.DataFrame([{"indicator": "x", "level": "county", "frequency": "month", "region": r,
                            "period_start": PERIOD, "value": v} for r, v in by_region.items()])
    out = rank_values(values, [indicator], parent_of)
    return {r: (None if pd.isna(v) else float(v)) for r, v in zip(out["region"], out[column], strict=True)}


def test_ties_share_the_lowest_rank_and_the_percentile_counts_the_peers():
    values = {"A": 80, "B": 90, "C": 90, "D": 70}
    # 90, 90 share 1st; 80 is 3rd (two did better), 70 4th
    assert ranked(values, ind()) == {"A": 3, "B": 1, "C": 1, "D": 4}
    # (4-1)/3·100 = 100; (4-3)/3·100 = 33.3; (4-4)/3 = 0
    assert ranked(values, ind(), column="percentile") == pytest.approx({"A": 33.333333, "B": 100, "C": 100, "D": 0})


def test_values_are_compared_as_they_are_shown():
    # both are shown 97.3: a 1st and a 2nd beside two equal numbers could not be explained
    assert ranked({"A": 97.30000001, "B": 97.3, "C": 97.2}, ind()) == {"A": 1, "B": 1, "C": 3}
    # 0.1 + 0.2 is 0.30000000000000004, shown 0.3 at any precision the definitions allow
    assert ranked({"A": 0.1 + 0.2, "B": 0.3}, ind(decimals=6)) == {"A": 1, "B": 1}
    # the indicator's decimals are the precision: 10.4 and 10.2 are both 10 at 0 decimals
    assert ranked({"A": 10.4, "B": 10.2}, ind(decimals=0)) == {"A": 1, "B": 1}
    assert ranked({"A": 10.4, "B": 10.2}, ind(decimals=1)) == {"A": 1, "B": 2}


def test_rounding_is_the_one_the_screen_shows():
    # 0.15 is stored as 0.1499999…: shown 0.1, as 0.1 is (not 0.2, as rounding 0.15 × 10 would say);
    # 0.25 is exact and rounds half to even: 0.2; 0.16 is shown 0.2
    assert (f"{0.15:.1f}", f"{0.25:.1f}", f"{0.16:.1f}") == ("0.1", "0.2", "0.2")
    assert ranked({"A": 0.15, "B": 0.1, "C": 0.25, "D": 0.16}, ind()) == {"A": 3, "B": 3, "C": 1, "D": 1}
    # -0.04 is shown -0.0: the same number as 0.0
    assert ranked({"A": -0.04, "B": 0.0, "C": 0.3}, ind("lower_better")) == {"A": 1, "B": 1, "C": 3}


def test_lower_better_ranks_the_smallest_first():
    assert ranked({"A": 3, "B": 1, "C": 1, "D": 2}, ind("lower_better")) == {"A": 4, "B": 1, "C": 1, "D": 3}


def test_band_ranks_by_the_distance_outside_the_band():
    band = ind("band", band=(1.0, 1.5))
    # distances: A 1.2 → 0, E 1.5 → 0 (inside: both 1st), B 0.9 → 0.1, C 1.6 → 0.1 (tied 3rd although
    # 1.0 - 0.9 is 0.09999999999999998 and 1.6 - 1.5 is 0.10000000000000009), D 2.0 → 0.5
    assert 1.0 - 0.9 != 1.6 - 1.5
    values = {"A": 1.2, "B": 0.9, "C": 1.6, "D": 2.0, "E": 1.5}
    assert ranked(values, band) == {"A": 1, "B": 3, "C": 3, "D": 5, "E": 1}
    # as shown: 1.54 is shown 1.5, inside the band
    assert ranked({"A": 1.54, "B": 1.2}, band) == {"A": 1, "B": 1}


def test_neutral_and_missing_values_have_no_rank_and_are_not_counted():
    assert ranked({"A": 1.0, "B": 2.0}, ind("neutral")) == {"A": None, "B": None}
    values = {"A": 5.0, "B": None, "C": math.nan, "D": math.inf, "E": 4.0}
    # only A and E are numbers to show: two peers
    assert ranked(values, ind()) == {"A": 1, "B": None, "C": None, "D": None, "E": 2}
    assert ranked(values, ind(), column="peer_count") == {"A": 2, "B": None, "C": None, "D": None, "E": 2}


def test_peers_are_the_regions_of_one_parent():
    two_cities = {"A": "P1", "B": "P1", "C": "P2", "D": "P2", "E": "P3"}
    values = {"A": 10, "B": 20, "C": 30, "D": 50, "E": 1}
    assert ranked(values, ind(), two_cities) == {"A": 2, "B": 1, "C": 2, "D": 1, "E": 1}
    # E is alone under P3: the best of one, at the 100th percentile
    assert ranked(values, ind(), two_cities, "percentile")["E"] == 100


# --- a refresh: the stored ranks are the ones the explanations speak of -----------------------

SYSTEM = """
system: {id: t, name_zh: 测试, name_en: Test, description: d, owner: o, frequencies: [month], levels: [county],
         headline: [retail]}
indicators:
  - {id: retail, name_zh: 零售, name_en: Retail, unit: 亿元, polarity: higher_better, description: d,
     measure: {feed: economy_monthly, value: sum(retail_sales)}}
  - {id: retail_index, name_zh: 零售指数, name_en: Retail index, unit: 分, polarity: higher_better, description: d,
     composite: {normalisation: {method: goalposts, low: 0, high: 100},
                 children: [{indicator: retail, weight: 1.0}]}}
"""
# 上城区 330102 and 拱墅区 330105 are the counties of 杭州; the index is the retail figure itself
# (goalposts 0 to 100). January: 97.30000001 and 97.3, both shown 97.3: tied 1st. February:
# 上城区 falls to 90.0 (2nd, down 1 place), 拱墅区 stays at 97.3 (1st, as before: unchanged).
RETAIL = {"330102": (97.30000001, 90.0), "330105": (97.3, 97.3)}


@pytest.fixture(scope="module")
def near_tie(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ranks")
    (root / "indicators").mkdir()
    (root / "indicators" / "t.yaml").write_text(SYSTEM, encoding="utf-8")
    monthly = pd.DataFrame([{"region_code": county, "month": date(2026, m + 1, 1), "retail_sales": v,
                             "new_market_entities": 1}
                            for county, values in RETAIL.items() for m, v in enumerate(values)])
    for column in ("industrial_value_added", "fixed_asset_investment", "budget_revenue", "imports", "exports",
                   "electricity_consumption"):
        monthly[column] = 1.0
    ingest_frame("economy_monthly", monthly, source="fixture", lake_dir=root / "lake")
    report = engine.refresh(lake_dir=root / "lake", snapshot_dir=root / "snapshots",
                            definitions_dir=root / "indicators")
    assert not report.failed
    return report.path


def test_a_refresh_stores_the_near_tie_as_a_tie(near_tie):
    with duck.read_only(near_tie) as con:
        got = con.execute("SELECT indicator, period, region, rank FROM indicator_values "
                          "WHERE level = 'county' ORDER BY ALL").fetchall()
    assert got == [("retail", "2026-01", "330102", 1), ("retail", "2026-01", "330105", 1),
                   ("retail", "2026-02", "330102", 2), ("retail", "2026-02", "330105", 1),
                   ("retail_index", "2026-01", "330102", 1), ("retail_index", "2026-01", "330105", 1),
                   ("retail_index", "2026-02", "330102", 2), ("retail_index", "2026-02", "330105", 1)]


def test_explanations_speak_of_the_stored_ranks(near_tie):
    with duck.read_only(near_tie) as con:
        explained = con.execute("""
            SELECT DISTINCT e.region, e.rank_change, p.rank - c.rank AS stored_change, e.text_en
            FROM explanations AS e
            JOIN indicator_values AS c ON c.indicator = e.indicator AND c.region = e.region
              AND c.frequency = e.frequency AND c.period_start = e.period_start
            JOIN indicator_values AS p ON p.indicator = e.indicator AND p.region = e.region
              AND p.frequency = e.frequency AND p.period_start = e.previous_start
            WHERE e.level = 'county' ORDER BY e.region""").df()
    assert list(explained["region"]) == ["330102", "330105"]
    assert list(explained["rank_change"]) == list(explained["stored_change"]) == [-1, 0]
    # 拱墅区 did not move: no "rose 1 place" from a tie broken in the eighth decimal
    assert explained["text_en"].iloc[1] == "Gongshu District held 1st place, its score was unchanged"
