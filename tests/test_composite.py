"""Composite indices on tiny hand-computed fixtures: every expected number is worked out in the
comment next to it, not by running the implementation."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from cockpit.indicators.composite import compute_composite, explain_changes
from cockpit.indicators.model import Child, Composite, Indicator, Normalisation, Target, Where
from tests.test_ranker import rank_values

W = Where("test.yaml", 1)
Y1, Y2 = date(2024, 1, 1), date(2025, 1, 1)
NAN = math.nan
PARENT = {"A": "P1", "B": "P1", "C": "P1", "D": "P2"}  # D is alone under P2


def ind(id_: str, polarity: str = "higher_better", unit: str = "%", *, composite: Composite | None = None,
        band: tuple[float, float] | None = None, targets: tuple[Target, ...] = (), name_zh: str | None = None,
        name_en: str | None = None, frequencies: tuple[str, ...] = ("year",)) -> Indicator:
    return Indicator(id=id_, system="test", name_zh=name_zh or id_, name_en=name_en or id_, unit=unit,
                     description="", owner="", frequencies=frequencies, levels=("city",), polarity=polarity,
                     where=W, composite=composite, band=band, targets=targets)


def composite(id_: str, weights: dict[str, float], norm: Normalisation | None = None, **kw) -> Indicator:
    children = tuple(Child(c, w, W) for c, w in weights.items())
    return ind(id_, composite=Composite(children=children, normalisation=norm or Normalisation("none"), **kw),
               unit="分")


def long_values(data: dict[str, dict[str, list[float]]], periods: tuple[date, ...] = (Y1, Y2),
                frequency: str = "year") -> pd.DataFrame:
    """{indicator: {region: [value per period]}} as the engine's long table (lists may be shorter)."""
    rows = [{"indicator": i, "region": r, "level": "city", "frequency": frequency, "period_start": p, "value": v}
            for i, by_region in data.items() for r, vs in by_region.items() for p, v in zip(periods, vs, strict=False)]
    return pd.DataFrame(rows)


def run(comp: Indicator, children: list[Indicator], data: dict, parent_of=PARENT, **kw):
    return compute_composite(comp, {c.id: c for c in children}, long_values(data, **kw), parent_of)


def by_region(frame: pd.DataFrame, column: str = "value", period: date = Y1, child: str | None = None) -> dict:
    rows = frame[frame["period_start"] == period]
    if child is not None:
        rows = rows[rows["child"] == child]
    return dict(zip(rows["region"], rows[column], strict=True))


# --- normalisations -----------------------------------------------------------------------------


def test_minmax_higher_and_lower_better_with_and_without_floor():
    x, y = ind("x"), ind("y", "lower_better")
    data = {"x": {"A": [10], "B": [20], "C": [30]}, "y": {"A": [1], "B": [3], "C": [5]}}
    plain = run(composite("idx", {"x": 0.6, "y": 0.4}, Normalisation("minmax")), [x, y], data)
    # x: (10-10)/20=0, (20-10)/20=50, 100; y reversed: (5-1)/4=100, (5-3)/4=50, 0
    assert by_region(plain.parts, "score", child="x") == pytest.approx({"A": 0, "B": 50, "C": 100})
    assert by_region(plain.parts, "score", child="y") == pytest.approx({"A": 100, "B": 50, "C": 0})
    # A 0.6*0+0.4*100=40; B 0.6*50+0.4*50=50; C 0.6*100+0=60
    assert by_region(plain.values) == pytest.approx({"A": 40, "B": 50, "C": 60})

    floored = run(composite("idx", {"x": 0.6, "y": 0.4}, Normalisation("minmax", floor=60)), [x, y], data)
    # 60 + 40*rel: x 60, 80, 100; y 100, 80, 60 → A 36+40=76, B 48+32=80, C 60+24=84
    assert by_region(floored.values) == pytest.approx({"A": 76, "B": 80, "C": 84})


def test_minmax_band_neutral_and_all_equal():
    z, n, e = ind("z", "band", band=(2, 4)), ind("n", "neutral"), ind("e")
    data = {"z": {"A": [1], "B": [3], "C": [7]}, "n": {"A": [5], "B": [10], "C": [0]},
            "e": {"A": [7], "B": [7], "C": [7]}}
    res = run(composite("idx", {"z": 0.5, "n": 0.25, "e": 0.25}, Normalisation("minmax")), [z, n, e], data)
    # band distances 1, 0, 3, lower better: (3-1)/3=66.667, 100, 0
    assert by_region(res.parts, "score", child="z") == pytest.approx({"A": 66.666667, "B": 100, "C": 0})
    # neutral read as higher_better: 5/10=50, 100, 0
    assert by_region(res.parts, "score", child="n") == pytest.approx({"A": 50, "B": 100, "C": 0})
    # max == min: every peer is the best
    assert by_region(res.parts, "score", child="e") == pytest.approx({"A": 100, "B": 100, "C": 100})
    # A 0.5*66.667 + 0.25*50 + 0.25*100 = 33.333+12.5+25 = 70.833
    assert by_region(res.values)["A"] == pytest.approx(70.833333)


def test_goalposts_clip_both_polarities():
    h, lo = ind("h"), ind("l", "lower_better")
    data = {"h": {"A": [-10], "B": [25], "C": [60]}, "l": {"A": [-10], "B": [25], "C": [60]}}
    res = run(composite("idx", {"h": 0.5, "l": 0.5}, Normalisation("goalposts", low=0, high=50)), [h, lo], data)
    # clipped to 0, 25, 50 → 0, 50, 100; lower_better 100, 50, 0
    assert by_region(res.parts, "score", child="h") == pytest.approx({"A": 0, "B": 50, "C": 100})
    assert by_region(res.parts, "score", child="l") == pytest.approx({"A": 100, "B": 50, "C": 0})


def test_goalposts_log_clips_before_the_logarithm():
    h, lo = ind("h"), ind("l", "lower_better")
    data = {"h": {"A": [10], "B": [1000], "C": [0.5]}, "l": {"A": [10], "B": [1000], "C": [0.5]}}
    norm = Normalisation("goalposts", low=1, high=100, log=True)
    res = run(composite("idx", {"h": 0.5, "l": 0.5}, norm), [h, lo], data)
    # ln10/ln100 = 0.5 → 50; 1000 clipped to 100 → 100; 0.5 clipped to 1 → ln1 = 0 → 0
    assert by_region(res.parts, "score", child="h") == pytest.approx({"A": 50, "B": 100, "C": 0})
    assert by_region(res.parts, "score", child="l") == pytest.approx({"A": 50, "B": 0, "C": 100})


def test_goalposts_band_is_a_trapezoid():
    b = ind("b", "band", band=(40, 60))
    data = {"b": {"A": [30], "B": [50], "C": [80], "D": [10]}}
    res = run(composite("idx", {"b": 1.0}, Normalisation("goalposts", low=20, high=100)), [b], data)
    # below the band: (30-20)/(40-20)=50; inside 100; above: (100-80)/(100-60)=50; 10 clipped to 20 → 0
    assert by_region(res.parts, "score") == pytest.approx({"A": 50, "B": 100, "C": 50, "D": 0})


def test_zscore_population_std_and_flat_group():
    h, lo, flat = ind("h"), ind("l", "lower_better"), ind("f")
    data = {"h": {"A": [1], "B": [2], "C": [3]}, "l": {"A": [1], "B": [2], "C": [3]},
            "f": {"A": [0.1], "B": [0.1], "C": [0.1]}}
    res = run(composite("idx", {"h": 0.4, "l": 0.3, "f": 0.3}, Normalisation("zscore")), [h, lo, flat], data)
    # mean 2, population std sqrt((1+0+1)/3) = 0.8164966 → z = ∓1.2247449
    assert by_region(res.parts, "score", child="h") == pytest.approx({"A": -1.2247449, "B": 0, "C": 1.2247449})
    assert by_region(res.parts, "score", child="l") == pytest.approx({"A": 1.2247449, "B": 0, "C": -1.2247449})
    assert by_region(res.parts, "score", child="f") == {"A": 0.0, "B": 0.0, "C": 0.0}  # std 0 → 0


def test_target_most_specific_wins_polarities_band_and_missing_target():
    # listed from most to least specific, to show the order in the file does not matter
    t = ind("t", targets=(Target(100, "B", 2025), Target(60, year=2025), Target(80, "B"), Target(50)))
    lo = ind("lo", "lower_better", targets=(Target(20),))
    bd = ind("bd", "band", band=(2, 4))  # the band is its own target
    nt = ind("nt")  # no target at all
    data = {"t": {"A": [40, 30], "B": [40, 90], "C": [60, 30]},
            "lo": {"A": [10, 10], "B": [40, 40], "C": [0, 0]},
            "bd": {"A": [3, 3], "B": [5, 5], "C": [8, 8]},
            "nt": {"A": [1, 1], "B": [2, 2], "C": [3, 3]}}
    comp = composite("idx", {"t": 0.25, "lo": 0.25, "bd": 0.25, "nt": 0.25}, Normalisation("target"))
    res = run(comp, [t, lo, bd, nt], data)
    # 2024: A 40/50=80; B 40/80 (region target)=50; C 60/50 capped → 100
    assert by_region(res.parts, "score", child="t") == pytest.approx({"A": 80, "B": 50, "C": 100})
    # 2025: A 30/60 (year target)=50; B 90/100 (region+year)=90; C 30/60=50
    assert by_region(res.parts, "score", Y2, child="t") == pytest.approx({"A": 50, "B": 90, "C": 50})
    # lower_better: min(20/10,1)=100; 20/40=50; x ≤ 0 → 100
    assert by_region(res.parts, "score", child="lo") == pytest.approx({"A": 100, "B": 50, "C": 100})
    # band width 2: inside 100; 5 is 1 outside → 50; 8 is 4 outside → 1-2 floored at 0
    assert by_region(res.parts, "score", child="bd") == pytest.approx({"A": 100, "B": 50, "C": 0})
    # no target: no score, weight 0; the other three share 1/3 each: A (80+100+100)/3 = 93.333
    nt_parts = res.parts[res.parts["child"] == "nt"]
    assert nt_parts["score"].isna().all() and (nt_parts["weight"] == 0).all()
    assert by_region(res.values)["A"] == pytest.approx(93.333333)


def test_all_children_missing_gives_no_value():
    nt = ind("nt")
    res = run(composite("idx", {"nt": 1.0}, Normalisation("target")), [nt], {"nt": {"A": [1], "B": [2]}})
    assert res.values.empty and res.parts.empty


def test_reference_region_and_reference_period():
    x, lo = ind("x"), ind("lo", "lower_better")
    data = {"x": {"A": [10, 15], "B": [20, 10], "C": [40, 40]}, "lo": {"A": [10, 15], "B": [20, 10], "C": [40, 40]}}
    by_c = run(composite("idx", {"x": 0.5, "lo": 0.5}, Normalisation("reference", reference_region="C")), [x, lo],
               data)
    # x/C*100: 10/40=25, 20/40=50, 100; lower_better C/x*100: 400, 200, 100
    assert by_region(by_c.parts, "score", child="x") == pytest.approx({"A": 25, "B": 50, "C": 100})
    assert by_region(by_c.parts, "score", child="lo") == pytest.approx({"A": 400, "B": 200, "C": 100})

    by_2024 = run(composite("idx", {"x": 1.0}, Normalisation("reference", reference_period="2024")), [x], data)
    # 2025 against the same region's 2024: 15/10=150, 10/20=50, 40/40=100; 2024 against itself: 100
    assert by_region(by_2024.values, period=Y2) == pytest.approx({"A": 150, "B": 50, "C": 100})
    assert by_region(by_2024.values) == pytest.approx({"A": 100, "B": 100, "C": 100})


# --- aggregation and weights --------------------------------------------------------------------


def test_arithmetic_with_shares():
    s1, s2 = ind("s1"), ind("s2")
    res = run(composite("idx", {"s1": 0.25, "s2": 0.75}), [s1, s2], {"s1": {"A": [20]}, "s2": {"A": [80]}})
    # 0.25*20 + 0.75*80 = 5 + 60 = 65; shares 5/65, 60/65
    assert by_region(res.values) == pytest.approx({"A": 65})
    assert by_region(res.parts, "share", child="s1") == pytest.approx({"A": 0.0769231})
    assert by_region(res.parts, "share", child="s2") == pytest.approx({"A": 0.9230769})


def test_geometric_with_floor_and_shares():
    s1, s2 = ind("s1"), ind("s2")
    data = {"s1": {"A": [25], "B": [0], "C": [1]}, "s2": {"A": [100], "B": [100], "C": [1]}}
    res = run(composite("idx", {"s1": 0.5, "s2": 0.5}, aggregation="geometric"), [s1, s2], data)
    # A sqrt(25*100)=50; B floor: (1e-6)^0.5 * 100^0.5 = 0.001*10 = 0.01; C 1*1 = 1
    assert by_region(res.values) == pytest.approx({"A": 50, "B": 0.01, "C": 1})
    # A: 0.5*ln25/ln50 = 1.6094379/3.9120230 = 0.4114078; 0.5*ln100/ln50 = 2.3025851/3.9120230 = 0.5885922
    # B: 0.5*ln(1e-6)/ln(0.01) = -6.9077553/-4.6051702 = 1.5; 2.3025851/-4.6051702 = -0.5
    # C: value 1, ln 1 = 0 → shares are the weights
    assert by_region(res.parts, "share", child="s1") == pytest.approx({"A": 0.4114078, "B": 1.5, "C": 0.5})
    assert by_region(res.parts, "share", child="s2") == pytest.approx({"A": 0.5885922, "B": -0.5, "C": 0.5})
    assert by_region(res.parts, "score", child="s1")["B"] == 0  # the stored score is the real one


def test_weights_renormalised_or_used_as_declared():
    s1, s2 = ind("s1"), ind("s2")
    data = {"s1": {"A": [50], "B": [50]}, "s2": {"A": [100], "B": [NAN]}}
    scaled = run(composite("idx", {"s1": 2, "s2": 3}, renormalise_weights=True), [s1, s2], data)
    # 2/5=0.4, 3/5=0.6: A 0.4*50+0.6*100 = 20+60 = 80; B only s1 → weight 1 → 50
    assert by_region(scaled.values) == pytest.approx({"A": 80, "B": 50})
    assert by_region(scaled.parts, "weight", child="s1") == pytest.approx({"A": 0.4, "B": 1.0})

    as_is = run(composite("idx", {"s1": 0.5, "s2": 0.3}), [s1, s2], data)
    # weights kept at 0.5/0.3: A 25+30 = 55; B keeps the declared total 0.8 on s1: 0.8*50 = 40
    assert by_region(as_is.values) == pytest.approx({"A": 55, "B": 40})
    assert by_region(as_is.parts, "weight", child="s1") == pytest.approx({"A": 0.5, "B": 0.8})
    assert by_region(as_is.parts, "weight", child="s2") == pytest.approx({"A": 0.3, "B": 0.0})


# --- missing data -------------------------------------------------------------------------------

MISSING = {"c1": {"A": [50, 60], "B": [74, NAN], "C": [90, 80], "D": [30, NAN]},
           "c2": {"A": [40, 30], "B": [20, 50], "C": [NAN, 10], "D": [60, NAN]}}


def _missing(policy: str):
    comp = composite("idx", {"c1": 0.6, "c2": 0.4}, missing=policy, peer_group="level")
    return run(comp, [ind("c1"), ind("c2")], MISSING)


def test_missing_reweight():
    res = _missing("reweight")
    # 2024: A 30+16=46; B 44.4+8=52.4; C only c1 → 90; D 18+24=42
    assert by_region(res.values) == pytest.approx({"A": 46, "B": 52.4, "C": 90, "D": 42})
    # 2025: A 36+12=48; B only c2 → 50; C 48+4=52; D has nothing → no row
    assert by_region(res.values, period=Y2) == pytest.approx({"A": 48, "B": 50, "C": 52})
    assert not res.values["imputed"].any()


def test_missing_impute_peer_mean():
    res = _missing("impute_peer_mean")
    # 2024 C c2 = mean(40, 20, 60) = 40 → 54+16 = 70
    assert by_region(res.values)["C"] == pytest.approx(70)
    # 2025 B c1 = mean(60, 80) = 70 → 42+20 = 62; D: c1 70, c2 mean(30,50,10)=30 → 42+12 = 54
    assert by_region(res.values, period=Y2) == pytest.approx({"A": 48, "B": 62, "C": 52, "D": 54})
    assert by_region(res.values, "imputed", Y2) == {"A": False, "B": True, "C": False, "D": True}
    assert by_region(res.parts, "imputed", Y2, child="c1")["B"]
    assert not by_region(res.parts, "imputed", Y2, child="c2")["B"]
    assert math.isnan(by_region(res.parts, "child_value", Y2, child="c1")["B"])  # the raw value stays missing


def test_missing_impute_previous_falls_back_to_reweight():
    res = _missing("impute_previous")
    # 2025 B c1 = its 2024 score 74 → 44.4+20 = 64.4
    assert by_region(res.values, period=Y2) == pytest.approx({"A": 48, "B": 64.4, "C": 52})
    assert by_region(res.values, "imputed", Y2)["B"]
    # 2024 C c2 has no earlier score: re-weighted to c1 alone → 90, not imputed
    assert by_region(res.values)["C"] == pytest.approx(90)
    assert not by_region(res.values, "imputed")["C"]


# --- nesting and peer groups --------------------------------------------------------------------


def test_nested_composite_of_composites():
    a, b, c = ind("a"), ind("b", "lower_better"), ind("c")
    inner1 = composite("inner1", {"a": 0.5, "b": 0.5}, Normalisation("minmax"))
    inner2 = composite("inner2", {"c": 1.0}, Normalisation("minmax"))
    outer = composite("outer", {"inner1": 0.5, "inner2": 0.5})  # normalisation none: children are scores
    raw = long_values({"a": {"A": [10], "B": [20], "C": [30]}, "b": {"A": [5], "B": [1], "C": [3]},
                       "c": {"A": [3], "B": [2], "C": [1]}})
    r1 = compute_composite(inner1, {"a": a, "b": b}, raw, PARENT)
    r2 = compute_composite(inner2, {"c": c}, raw, PARENT)
    # a: 0, 50, 100; b reversed over [1, 5]: 0, 100, 50 → inner1: 0, 75, 75
    # c higher_better over [1, 3]: 100, 50, 0 → inner2
    assert by_region(r1.values) == pytest.approx({"A": 0, "B": 75, "C": 75})
    assert by_region(r2.values) == pytest.approx({"A": 100, "B": 50, "C": 0})
    values = pd.concat([raw, r1.values.drop(columns="imputed"), r2.values.drop(columns="imputed")])
    res = compute_composite(outer, {"inner1": inner1, "inner2": inner2}, values, PARENT)
    # A (0+100)/2 = 50; B (75+50)/2 = 62.5; C (75+0)/2 = 37.5
    assert by_region(res.values) == pytest.approx({"A": 50, "B": 62.5, "C": 37.5})
    ranked = rank_values(res.values, [outer], PARENT)
    assert by_region(ranked, "rank") == {"A": 2, "B": 1, "C": 3}


def test_siblings_and_level_peer_groups():
    two_parents = {"A": "P1", "B": "P1", "C": "P2", "D": "P2"}
    x = ind("x")
    data = {"x": {"A": [10], "B": [20], "C": [30], "D": [50]}}
    sib = run(composite("idx", {"x": 1.0}, Normalisation("minmax"), peer_group="siblings"), [x], data, two_parents)
    # P1: A 10→0, B 20→100; P2: C 30→0, D 50→100
    assert by_region(sib.values) == pytest.approx({"A": 0, "B": 100, "C": 0, "D": 100})
    lvl = run(composite("idx", {"x": 1.0}, Normalisation("minmax"), peer_group="level"), [x], data, two_parents)
    # one group over [10, 50]: 0, 25, 50, 100
    assert by_region(lvl.values) == pytest.approx({"A": 0, "B": 25, "C": 50, "D": 100})

    # the peer group is whom a child is normalised across; ranks are among siblings either way,
    # as every indicator's (what a ranking panel lists): P1 A 0 < B 25, P2 C 50 < D 100
    for result in (sib, lvl):
        ranked = rank_values(result.values, [composite("idx", {"x": 1.0})], two_parents)
        assert by_region(ranked, "rank") == {"A": 2, "B": 1, "C": 2, "D": 1}
        assert by_region(ranked, "peer_count") == {"A": 2, "B": 2, "C": 2, "D": 2}


# --- explanations -------------------------------------------------------------------------------

NAMES = {"330100": "杭州市", "330200": "宁波市", "330600": "绍兴市"}
NAMES_EN = {"330100": "Hangzhou", "330200": "Ningbo", "330600": "Shaoxing"}
CITY_PARENT = {"330100": "330000", "330200": "330000", "330600": "330000"}
UTIL = ind("util", name_zh="一般工业固废综合利用率", name_en="Utilisation rate of general industrial solid waste")
INTENSITY = ind("inten", "lower_better", "吨/万元", name_zh="工业固废产生强度",
                name_en="Industrial solid waste generation intensity")
WFI = composite("wfi", {"util": 0.5, "inten": 0.5}, Normalisation("goalposts", low=0, high=100))
# Scores: util as is; intensity 100 - x.
#            util 2024→2025   intensity 2024→2025    value 2024            value 2025             rank
# 杭州 330100   90 → 80         30 → 35 (70 → 65)    (90+70)/2 = 80        (80+65)/2 = 72.5      1 → 3
# 宁波 330200   80 → 76         25 → 30 (75 → 70)    (80+75)/2 = 77.5      (76+70)/2 = 73        2 → 2
# 绍兴 330600   80 → 85.1       40 → 38 (60 → 62)    (80+60)/2 = 70        (85.1+62)/2 = 73.55   3 → 1
WFI_DATA = {"util": {"330100": [90, 80], "330200": [80, 76], "330600": [80, 85.1]},
            "inten": {"330100": [30, 35], "330200": [25, 30], "330600": [40, 38]}}


def _explained(names=NAMES, ranked: bool = True) -> pd.DataFrame:
    res = run(WFI, [UTIL, INTENSITY], WFI_DATA, CITY_PARENT)
    table = rank_values(res.values, [WFI], CITY_PARENT) if ranked else res.values
    return explain_changes(WFI, res.parts, table, {"util": UTIL, "inten": INTENSITY}, names)


def test_explanation_contributions_sum_to_the_value_change():
    ex = _explained()
    assert set(ex["period_start"]) == {Y2}  # 2024 has no previous year
    assert set(ex["previous_start"]) == {Y1}
    sx = ex[ex["region"] == "330600"].set_index("child")
    # util 0.5*85.1 - 0.5*80 = 2.55; intensity 0.5*62 - 0.5*60 = 1.0; value 73.55 - 70 = 3.55
    assert sx["contribution"].to_dict() == pytest.approx({"util": 2.55, "inten": 1.0})
    assert sx["value_change"].iloc[0] == pytest.approx(3.55)
    assert sx["rank_change"].iloc[0] == 2
    for _, rows in ex.groupby("region"):
        assert rows["contribution"].sum() == pytest.approx(rows["value_change"].iloc[0])
    # Hangzhou: util 40 - 45 = -5, intensity 32.5 - 35 = -2.5, total -7.5
    hz = ex[ex["region"] == "330100"].set_index("child")
    assert hz["contribution"].to_dict() == pytest.approx({"util": -5.0, "inten": -2.5})


def test_explanation_sentences_name_the_driver_with_sign_and_unit():
    ex = _explained().drop_duplicates("region").set_index("region")
    # Shaoxing: up 3 → 1; util contributes 2.55 > 1.0, raw change 85.1 - 80 = +5.1 points
    assert ex.loc["330600", "text_zh"] == "绍兴市上升2位，主要因为一般工业固废综合利用率提高5.1个百分点"
    # Hangzhou: down 1 → 3; util -5 is the largest fall, raw 90 → 80
    assert ex.loc["330100", "text_zh"] == "杭州市下降2位，主要因为一般工业固废综合利用率下降10.0个百分点"
    # Ningbo: stays 2nd, value -4.5; intensity -2.5 beats util -2.0; raw 25 → 30 吨/万元 (a rise: worse)
    assert ex.loc["330200", "text_zh"] == "宁波市排名持平（第2位），得分下降4.5分，主要因为工业固废产生强度提高5.0吨/万元"

    en = _explained(NAMES_EN).drop_duplicates("region").set_index("region")
    assert en.loc["330600", "text_en"] == ("Shaoxing rose 2 places, mainly because the utilisation rate of "
                                           "general industrial solid waste rose by 5.1 percentage points")
    assert en.loc["330200", "text_en"] == ("Ningbo held 2nd place, its score fell by 4.5 points, mainly because "
                                           "the industrial solid waste generation intensity rose by 5.0 t per 10k yuan")
    # the caller's names pass through untouched, even Chinese ones in English sentences
    assert _explained().set_index("region").loc["330600", "text_en"].iloc[0].startswith("绍兴市 rose 2 places")


def test_explanation_driver_flag_and_lower_better_sign():
    ex = _explained()
    drivers = ex[ex["is_driver"]].set_index("region")["child"].to_dict()
    assert drivers == {"330100": "util", "330200": "inten", "330600": "util"}
    # Shaoxing's intensity fell 40 → 38 (raw -2) yet contributed +1.0: polarity is in the score
    sx = ex[(ex["region"] == "330600") & (ex["child"] == "inten")].iloc[0]
    assert sx["child_change"] == pytest.approx(-2.0) and sx["contribution"] == pytest.approx(1.0)


def test_explanation_without_rank_mentions_the_score_change():
    ex = _explained(ranked=False).drop_duplicates("region").set_index("region")
    # Hangzhou 80 → 72.5
    assert ex.loc["330100", "text_zh"] == "杭州市得分下降7.5分，主要因为一般工业固废综合利用率下降10.0个百分点"
    assert ex.loc["330100", "rank_change"] is pd.NA


def test_explanation_when_only_peers_moved():
    x = ind("x")
    comp = composite("idx", {"x": 1.0}, Normalisation("minmax"))
    data = {"x": {"A": [10, 10], "B": [20, 20], "C": [30, 50]}}
    res = run(comp, [x], data)
    ranked = rank_values(res.values, [comp], PARENT)
    ex = explain_changes(comp, res.parts, ranked, {"x": x}, {"B": "B区"}).drop_duplicates("region")
    # B: (20-10)/20 = 50 → (20-10)/40 = 25, rank 2 both years; its raw value did not move
    b = ex.set_index("region").loc["B"]
    assert b["text_zh"] == "B区排名持平（第2位），得分下降25.0分，主要因为x得分下降25.0分"
    assert b["text_en"] == "B区 held 2nd place, its score fell by 25.0 points, mainly because the score of the x fell by 25.0 points"


def test_explanation_geometric_on_log_scale():
    s1, s2 = ind("s1"), ind("s2")
    comp = composite("idx", {"s1": 0.5, "s2": 0.5}, aggregation="geometric")
    res = run(comp, [s1, s2], {"s1": {"A": [25, 100]}, "s2": {"A": [100, 100]}})
    ex = explain_changes(comp, res.parts, res.values, {"s1": s1, "s2": s2}, {})
    # value sqrt(25*100) = 50 → 100; s1: 0.5*ln100 - 0.5*ln25 = 0.5*ln4 = 0.6931472 = ln(100/50); s2: 0
    assert ex.set_index("child")["contribution"].to_dict() == pytest.approx({"s1": 0.6931472, "s2": 0})
    # in points: × logarithmic mean (100-50)/ln2 = 72.134752 → 50, the whole change
    assert ex.set_index("child")["contribution_points"].to_dict() == pytest.approx({"s1": 50, "s2": 0})
    assert ex["text_zh"].iloc[0] == "A得分提高50.0分，主要因为s1提高75.0个百分点"


def test_explanation_step_for_months():
    x = ind("x", frequencies=("month",))
    comp = ind("idx", unit="分", frequencies=("month",),
               composite=Composite(children=(Child("x", 1.0, W),), normalisation=Normalisation("none")))
    months = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    res = run(comp, [x], {"x": {"A": [10, 20, 40]}}, periods=months, frequency="month")
    previous = explain_changes(comp, res.parts, res.values, {"x": x}, {})
    # each month against the one before: Feb +10, Mar +20
    assert dict(zip(previous["period_start"], previous["value_change"], strict=True)) == {
        date(2026, 2, 1): 10, date(2026, 3, 1): 20}
    two_back = explain_changes(comp, res.parts, res.values, {"x": x}, {}, step={"month": "INTERVAL 2 MONTH"})
    # only March has a month two months before: 40 - 10 = 30
    assert two_back[["previous_start", "value_change"]].values.tolist() == [[date(2026, 1, 1), 30]]
