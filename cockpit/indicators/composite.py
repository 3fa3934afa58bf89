"""Composite indices: normalise each child across its peers, weight, aggregate and explain.

The definition format is in indicators/README.md ("composite"). A composite is computed for
every (level, frequency) of the indicator and every period, in four steps over a wide matrix
(one row per region and period, one column per child):

1. **score** each child across its peer group (the regions sharing a parent, or the whole level)
   in that period, with polarity applied so that a higher score is always better;
2. **fill** missing scores as the `missing` policy says (peer mean, the region's previous score),
   flagging them as imputed; what cannot be filled is dropped and the weights re-scaled;
3. **aggregate**: arithmetic Σ w·s or geometric Π s^w;
4. keep every child's score, weight and share next to the value (`parts`) so that a page can
   show why a region scores what it does, and `explain_changes` can say why it moved.

Decisions where the brief was silent (also in the docstrings below):
- A region whose children are all missing gets no row (not a NaN row) in `values` or `parts`.
- `parts` has a row for every declared child of every value; a child that was missing and not
  imputed has score NaN, weight 0 and share 0, so a page can show it as "no data".
- With `renormalise_weights: false` and weights that do not sum to 1, re-weighting keeps the
  declared total: the weights used sum to the declared sum (validation reports the mismatch).
- Scores of the `target` method are clipped to [0, 100]; a non-positive target for a
  higher_better child gives no score (the ratio says nothing).
- `goalposts` clips before taking logarithms (so a value ≤ 0 scores as the low goalpost), and
  a band child scores 100 inside its band, falling linearly to 0 at the goalposts.
- `reference` ratios are not capped; a zero denominator or a band child gives no score, and a
  `reference_period` of another frequency than the row's gives no score.
- `impute_peer_mean` also computes regions that have no child value in a period but do have
  one in another period at that level and frequency (members of the peer group); their value is
  the peer mean of every child, flagged imputed. `impute_previous` does not add such rows.
- Geometric aggregation raises scores ≤ 0 to 1e-6 before the power (a zero child then drags
  the index to near 0 visibly instead of erasing it); pair it with a normalisation whose
  scores are positive (minmax with a floor, goalposts, target), not zscore.
- A share whose ratio is undefined (value 0; geometric value 1) is the child's weight.
- Ranks are not computed here: a composite is ranked like every indicator
  (cockpit.indicators.ranks), and `explain_changes` is given those ranks, so the rank change it
  explains is the one the ranking shows. It returns one long table (one row per child, the
  sentences repeated on each) rather than two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cockpit.indicators.model import Composite, Indicator, Normalisation
from cockpit.indicators.periods import STEP, parse
from cockpit.indicators.units import unit_label

KEYS = ["level", "frequency", "period_start", "region"]
PEERS = ["level", "frequency", "period_start", "peer"]
VALUE_COLUMNS = ["indicator", "region", "level", "frequency", "period_start", "value", "imputed"]
PART_COLUMNS = ["indicator", "child", "region", "level", "frequency", "period_start", "child_value", "score",
                "weight", "share", "imputed"]
EXPLAIN_COLUMNS = ["indicator", "region", "level", "frequency", "period_start", "previous_start", "value_change",
                   "rank_change", "child", "contribution", "contribution_points", "child_change", "is_driver",
                   "text_zh", "text_en"]

# Geometric aggregation raises scores ≤ 0 to this floor before the power: a zero child then pulls
# the index down hard (0.000001^w) instead of erasing it to exactly 0 without a trace.
GEOMETRIC_FLOOR = 1e-6
ROOT = ""  # peer key of regions without a parent (they are siblings of each other)
# Relative spread below which a peer group counts as all equal: means of identical floats can
# differ from them in the last bit, which would otherwise turn noise into z-scores of ±1.
EQUAL_TOLERANCE = 1e-12


@dataclass(frozen=True)
class CompositeResult:
    values: pd.DataFrame  # VALUE_COLUMNS: the composite's own values
    parts: pd.DataFrame  # PART_COLUMNS: one row per value and declared child


# ---------------------------------------------------------------------------------------------
# compute


def compute_composite(indicator: Indicator, children: dict[str, Indicator], values: pd.DataFrame,
                      parent_of: Mapping[str, str | None]) -> CompositeResult:
    """The composite's values and parts for every level × frequency of the indicator.

    `values` is a long table (indicator, region, level, frequency, period_start, value) holding
    at least every child's rows; `parent_of` maps a region code to its parent's code.
    """
    comp = _composite_of(indicator)
    child_ids = [c.indicator for c in comp.children]
    unknown = [c for c in child_ids if c not in children]
    if unknown:
        raise KeyError(f"{indicator.id}: children {unknown} are not in `children`")
    frame = _child_matrix(values, child_ids, indicator.levels, indicator.frequencies,
                          extend=comp.missing == "impute_peer_mean")
    if frame.empty:
        return CompositeResult(pd.DataFrame(columns=VALUE_COLUMNS), pd.DataFrame(columns=PART_COLUMNS))
    frame["peer"] = peer_keys(frame["region"], comp.peer_group, parent_of)

    score = _score_method(comp.normalisation.method)
    scores = pd.DataFrame({c: score(frame, c, children[c], comp.normalisation) for c in child_ids},
                          index=frame.index)
    scores, imputed = _fill_missing(frame, scores, comp.missing)
    weights = _effective_weights(scores, comp)
    kept = weights.sum(axis=1) > 0  # no child left to weigh: no value
    frame, scores, imputed, weights = frame[kept], scores[kept], imputed[kept], weights[kept]

    value, terms, log_scale = _aggregate(scores, weights, comp.aggregation)
    share = _shares(value, terms, weights, log_scale)
    # only parts actually used count as imputed (a zero-weight imputed child changes nothing)
    imputed = imputed & (weights > 0)

    out = frame[["region", "level", "frequency", "period_start"]].assign(
        indicator=indicator.id, value=value, imputed=imputed.any(axis=1))
    out = out[VALUE_COLUMNS].sort_values(KEYS, ignore_index=True)
    parts = _parts_long(indicator.id, frame, child_ids, score=scores, weight=weights, share=share,
                        imputed=imputed)
    return CompositeResult(out, parts)


def _composite_of(indicator: Indicator) -> Composite:
    if indicator.composite is None:
        raise ValueError(f"{indicator.id} is a {indicator.kind}, not a composite")
    return indicator.composite


def _as_date(series: pd.Series) -> pd.Series:
    """Period starts as datetime.date, whatever the caller used (date, Timestamp, string)."""
    return pd.to_datetime(series).dt.date


def _child_matrix(values: pd.DataFrame, child_ids: list[str], levels: tuple[str, ...],
                  frequencies: tuple[str, ...], extend: bool) -> pd.DataFrame:
    """One row per (level, frequency, period_start, region), one float column per child.

    Rows are the regions with at least one child value in the period; with `extend`, every region
    with a child value in any period of that level and frequency, in every such period.
    """
    rows = values[values["indicator"].isin(child_ids) & values["level"].isin(levels)
                  & values["frequency"].isin(frequencies)].copy()
    rows["period_start"] = _as_date(rows["period_start"])
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype(float)
    rows = rows.drop_duplicates(KEYS + ["indicator"], keep="last")
    wide = rows.pivot(index=KEYS, columns="indicator", values="value").reindex(columns=child_ids)
    wide.columns.name = None
    wide = wide.astype(float)[wide.notna().any(axis=1)].reset_index()
    if extend and not wide.empty:
        members = wide[["level", "frequency", "region"]].drop_duplicates()
        periods = wide[["level", "frequency", "period_start"]].drop_duplicates()
        grid = periods.merge(members, on=["level", "frequency"])
        wide = grid.merge(wide, on=KEYS, how="left")
    return wide.sort_values(KEYS, ignore_index=True)


def peer_keys(regions: pd.Series, peer_group: str, parent_of: Mapping[str, str | None]) -> pd.Series:
    """The peer group of each region within its level: its parent's code, or one group per level."""
    if peer_group == "level":
        return pd.Series(ROOT, index=regions.index, dtype=object)
    if peer_group != "siblings":
        raise ValueError(f"unknown peer group {peer_group!r}")

    def parent(code: str) -> str:
        p = parent_of.get(code)
        return ROOT if p is None or (isinstance(p, float) and math.isnan(p)) else str(p)

    lookup = {code: parent(code) for code in regions.unique()}
    return regions.map(lookup).astype(object)


# ---------------------------------------------------------------------------------------------
# normalisation: each returns the child's scores (NaN = no score), higher = better

Scorer = Callable[[pd.DataFrame, str, Indicator, Normalisation], pd.Series]


def _score_method(method: str) -> Scorer:
    methods: dict[str, Scorer] = {"minmax": _minmax, "goalposts": _goalposts, "zscore": _zscore,
                                  "target": _target, "reference": _reference, "none": _none}
    if method not in methods:
        raise ValueError(f"unknown normalisation {method!r}")
    return methods[method]


def _band_distance(x: pd.Series, child: Indicator) -> pd.Series:
    """How far outside the child's band a value is (0 inside)."""
    if child.band is None:
        raise ValueError(f"{child.id} has polarity band but no band")
    lo, hi = child.band
    return (lo - x).clip(lower=0) + (x - hi).clip(lower=0)


def _oriented(x: pd.Series, child: Indicator) -> tuple[pd.Series, int]:
    """The quantity to compare across peers and its direction (+1: higher is better).

    A band child is compared by its distance outside the band, lower being better; a neutral
    child has no better direction, so it is read as higher_better (the analyst chose to score it).
    """
    if child.polarity == "band":
        return _band_distance(x, child), -1
    return x, -1 if child.polarity == "lower_better" else 1


def _peer_groups(frame: pd.DataFrame) -> list[pd.Series]:
    return [frame[k] for k in PEERS]


def _minmax(frame: pd.DataFrame, col: str, child: Indicator, norm: Normalisation) -> pd.Series:
    x, direction = _oriented(frame[col], child)
    g = x.groupby(_peer_groups(frame))
    lo, hi = g.transform("min"), g.transform("max")
    span = hi - lo
    rel = ((x - lo) if direction > 0 else (hi - x)) / span.where(span > 0)
    rel = rel.where(span > 0, 1.0).where(x.notna())  # all peers equal: all are the best
    return norm.floor + (100.0 - norm.floor) * rel


def _goalposts(frame: pd.DataFrame, col: str, child: Indicator, norm: Normalisation) -> pd.Series:
    if norm.low is None or norm.high is None or norm.high <= norm.low:
        raise ValueError(f"goalposts need low < high (got {norm.low}, {norm.high})")
    if norm.log and norm.low <= 0:
        raise ValueError("log goalposts need a positive low goalpost")
    low, high = float(norm.low), float(norm.high)
    # clip before the logarithm, so a value ≤ 0 scores as the low goalpost instead of -inf/NaN
    x = frame[col].clip(low, high)
    t: Callable[[pd.Series | float], pd.Series | float] = np.log if norm.log else (lambda v: v)
    if child.polarity == "band":
        return _goalposts_band(x, child, low, high, t)
    rel = (t(x) - t(low)) / (t(high) - t(low))
    return 100.0 * (1.0 - rel if child.polarity == "lower_better" else rel)


def _goalposts_band(x: pd.Series, child: Indicator, low: float, high: float,
                    t: Callable[[pd.Series | float], pd.Series | float]) -> pd.Series:
    """100 inside the band, falling linearly (on the log scale if asked) to 0 at each goalpost."""
    if child.band is None:
        raise ValueError(f"{child.id} has polarity band but no band")
    b_lo, b_hi = (min(max(b, low), high) for b in child.band)
    below = (t(x) - t(low)) / (t(b_lo) - t(low)) * 100.0 if b_lo > low else pd.Series(100.0, index=x.index)
    above = (t(high) - t(x)) / (t(high) - t(b_hi)) * 100.0 if b_hi < high else pd.Series(100.0, index=x.index)
    score = pd.Series(100.0, index=x.index).where(x >= b_lo, below).where(x <= b_hi, above)
    return score.where(x.notna())


def _zscore(frame: pd.DataFrame, col: str, child: Indicator, norm: Normalisation) -> pd.Series:
    x, direction = _oriented(frame[col], child)
    g = x.groupby(_peer_groups(frame))
    mean, std = g.transform("mean"), g.transform("std", ddof=0)  # population std
    flat = std <= EQUAL_TOLERANCE * np.maximum(1.0, mean.abs())
    z = ((x - mean) / std.where(~flat)).where(~flat, 0.0)
    return (direction * z).where(x.notna())


def target_values(frame: pd.DataFrame, child: Indicator) -> pd.Series:
    """The child's target for each row: region+year > region > year > default (NaN: none)."""
    out = pd.Series(np.nan, index=frame.index)
    if not child.targets:
        return out
    year = pd.to_datetime(frame["period_start"]).dt.year
    region = frame["region"].astype(str)

    def specificity(t) -> int:
        return 2 * (t.region is not None) + (t.year is not None)

    # least specific first, so that more specific targets overwrite (ties: the later one wins)
    for t in sorted(child.targets, key=specificity):
        mask = pd.Series(True, index=frame.index)
        if t.region is not None:
            mask &= region == str(t.region)
        if t.year is not None:
            mask &= year == int(t.year)
        out[mask] = float(t.value)
    return out


def _target(frame: pd.DataFrame, col: str, child: Indicator, norm: Normalisation) -> pd.Series:
    x = frame[col]
    if child.polarity == "band":  # the band is the target: no Target needed
        lo, hi = child.band or (np.nan, np.nan)
        width = hi - lo
        dist = _band_distance(x, child)
        score = 100.0 * (1.0 - dist / width) if width > 0 else 100.0 * (dist == 0)
        return pd.Series(score, index=x.index).clip(lower=0.0).where(x.notna())
    tgt = target_values(frame, child)
    if child.polarity == "lower_better":
        ratio = (tgt / x.where(x > 0)).where(x > 0, 1.0)  # at or below zero: nothing left to reduce
    else:
        ratio = x / tgt.where(tgt > 0)  # a ratio to a target ≤ 0 says nothing
    return (ratio.clip(upper=1.0) * 100.0).clip(lower=0.0).where(x.notna() & tgt.notna())


def _reference(frame: pd.DataFrame, col: str, child: Indicator, norm: Normalisation) -> pd.Series:
    x = frame[col]
    ref = _reference_values(frame, col, norm)
    if child.polarity == "band":  # a ratio to a reference has no meaning for a band
        return pd.Series(np.nan, index=x.index)
    if child.polarity == "lower_better":
        return ref / x.where(x != 0) * 100.0
    return x / ref.where(ref != 0) * 100.0


def _reference_values(frame: pd.DataFrame, col: str, norm: Normalisation) -> pd.Series:
    """Each row's reference: the reference region's value in the same period, or the same
    region's value in the reference period (same frequency)."""
    if norm.reference_region:
        on = ["level", "frequency", "period_start"]
        refs = frame.loc[frame["region"] == norm.reference_region, on + [col]]
    elif norm.reference_period:
        on = ["level", "frequency", "region"]
        frequency, start = parse(norm.reference_period)
        chosen = (frame["frequency"] == frequency) & (frame["period_start"] == start)
        refs = frame.loc[chosen, on + [col]]
    else:
        raise ValueError("reference normalisation needs reference_region or reference_period")
    looked_up = frame[on].merge(refs.rename(columns={col: "_ref"}), on=on, how="left")
    return pd.Series(looked_up["_ref"].to_numpy(dtype=float), index=frame.index)


def _none(frame: pd.DataFrame, col: str, child: Indicator, norm: Normalisation) -> pd.Series:
    return frame[col]


# ---------------------------------------------------------------------------------------------
# missing data, weights, aggregation


def _fill_missing(frame: pd.DataFrame, scores: pd.DataFrame, missing: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores with the gaps the policy can fill filled, and which ones were filled.

    What stays missing is re-weighted away later, whatever the policy (the brief's fallback).
    """
    if missing == "reweight":
        fill = pd.DataFrame(np.nan, index=scores.index, columns=scores.columns)
    elif missing == "impute_peer_mean":
        # the mean of the peers' own (not imputed) scores for that child in that period
        fill = scores.groupby(_peer_groups(frame)).transform("mean")
    elif missing == "impute_previous":
        # the frame is sorted by period, so a forward fill per region carries its latest score
        fill = scores.groupby([frame["level"], frame["frequency"], frame["region"]]).ffill()
    else:
        raise ValueError(f"unknown missing policy {missing!r}")
    imputed = scores.isna() & fill.notna()
    return scores.where(~imputed, fill), imputed


def declared_weights(comp: Composite) -> pd.Series:
    """Child weights as declared, scaled to sum to 1 if the composite asks for it."""
    w = pd.Series([float(c.weight) for c in comp.children], index=[c.indicator for c in comp.children])
    total = w.sum()
    if comp.renormalise_weights and total > 0 and not math.isclose(total, 1.0):
        w = w / total
    return w


def _effective_weights(scores: pd.DataFrame, comp: Composite) -> pd.DataFrame:
    """Weights of the children present in each row, re-scaled to the declared total (1 when the
    definition is valid); 0 for missing children."""
    w = declared_weights(comp)
    present = scores.notna().mul(w, axis=1)
    present_total = present.sum(axis=1)
    return present.div(present_total.where(present_total > 0), axis=0).fillna(0.0) * w.sum()


def _aggregate(scores: pd.DataFrame, weights: pd.DataFrame, aggregation: str) -> tuple[pd.Series, pd.DataFrame, bool]:
    """The value, each child's term (w·s, or w·ln s for geometric) and whether terms are logs."""
    if aggregation == "arithmetic":
        terms = (weights * scores).where(weights > 0, 0.0)
        return terms.sum(axis=1), terms, False
    if aggregation == "geometric":
        logs = np.log(scores.clip(lower=GEOMETRIC_FLOOR))
        terms = (weights * logs).where(weights > 0, 0.0)
        return np.exp(terms.sum(axis=1)), terms, True
    raise ValueError(f"unknown aggregation {aggregation!r}")


def _shares(value: pd.Series, terms: pd.DataFrame, weights: pd.DataFrame, log_scale: bool) -> pd.DataFrame:
    """Each child's share of the value: its term over the total (ln of the total if geometric).

    Where that ratio is undefined (a value of 0, or a geometric value of 1), the weight stands in.
    """
    total = np.log(value.where(value > 0)) if log_scale else value
    defined = total.notna() & (total.abs() > EQUAL_TOLERANCE)
    share = terms.div(total.where(defined), axis=0)
    return share.where(defined, weights, axis=0)


def _parts_long(indicator_id: str, frame: pd.DataFrame, child_ids: list[str], **matrices: pd.DataFrame) -> pd.DataFrame:
    """The row × child matrices as one long table (row-major: each value's children together)."""
    n, k = len(frame), len(child_ids)
    long = {col: np.repeat(frame[col].to_numpy(), k) for col in ["region", "level", "frequency", "period_start"]}
    long["child"] = np.tile(np.asarray(child_ids, dtype=object), n)
    long["child_value"] = frame[child_ids].to_numpy(dtype=float).ravel()
    for name, matrix in matrices.items():
        long[name] = matrix[child_ids].to_numpy().ravel()
    parts = pd.DataFrame(long).assign(indicator=indicator_id)
    parts["imputed"] = parts["imputed"].astype(bool)
    return parts[PART_COLUMNS]  # already in the frame's order, children as declared


# ---------------------------------------------------------------------------------------------
# explanations


def explain_changes(indicator: Indicator, parts: pd.DataFrame, ranked: pd.DataFrame, children: dict[str, Indicator],
                    region_names: Mapping[str, str], step: dict[str, str] | None = None,
                    region_names_en: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Why each region's value and rank changed since the previous period, child by child.

    `ranked` is the composite's values with the ranks the snapshot stores (refresh ranks them
    with cockpit.indicators.ranks); without a `rank` column the sentences speak of the score only.
    One long table (EXPLAIN_COLUMNS), one row per (region, level, frequency, period_start, child)
    with a value in both periods, so a page can draw a waterfall; the sentences (text_zh, text_en)
    are repeated on each child row of the same region and period, and `is_driver` marks the child
    they name. `contribution` is w_t·s_t − w_{t−1}·s_{t−1} (geometric: on the ln scale, summing
    to ln v_t − ln v_{t−1}); `contribution_points` is the same in value units (geometric: scaled by
    the logarithmic mean of the two values, so it sums to value_change as well).
    `step` maps a frequency to the distance back to the period compared, in the form of
    periods.STEP ("INTERVAL 1 MONTH"); e.g. {"month": "INTERVAL 1 YEAR"} explains year-on-year.
    """
    comp = _composite_of(indicator)
    pairs = _period_pairs(ranked, _step_months(step))
    if pairs.empty or parts.empty:
        return pd.DataFrame(columns=EXPLAIN_COLUMNS)
    terms = _child_terms(parts, comp.aggregation)
    before = terms.rename(columns={"period_start": "previous_start", "child_value": "previous_child_value",
                                   "score": "previous_score", "term": "previous_term"})
    long = (pairs.merge(terms, on=KEYS)
            .merge(before, on=["level", "frequency", "previous_start", "region", "child"], how="left"))
    long["contribution"] = long["term"] - long["previous_term"].fillna(0.0)
    long["contribution_points"] = long["contribution"] * _points_factor(long, comp.aggregation)
    long["child_change"] = long["child_value"] - long["previous_child_value"]
    long["is_driver"] = _drivers(long)

    drivers = {tuple(getattr(d, k) for k in KEYS): d for d in long[long["is_driver"]].itertuples()}
    text = pd.DataFrame(
        [(*key, *_sentences(indicator, children, region_names, region_names_en or region_names, row,
                            drivers.get(key)))
         for row in pairs.itertuples() for key in [tuple(getattr(row, k) for k in KEYS)]],
        columns=KEYS + ["text_zh", "text_en"])
    long = long.merge(text, on=KEYS).assign(indicator=indicator.id)
    order = {c.indicator: i for i, c in enumerate(comp.children)}
    long = long.assign(_order=long["child"].map(order)).sort_values(KEYS + ["_order"], ignore_index=True)
    return long[EXPLAIN_COLUMNS]


def _step_months(step: Mapping[str, str] | None) -> dict[str, int]:
    """Months back to the compared period, per frequency, from periods.STEP-style intervals."""
    months = {}
    for frequency, interval in {**STEP, **(step or {})}.items():
        m = re.fullmatch(r"\s*(?:interval\s+)?'?(\d+)\s*(month|quarter|year)s?'?\s*", interval, re.IGNORECASE)
        if not m:
            raise ValueError(f"step for {frequency}: {interval!r} is not like 'INTERVAL 1 MONTH'")
        months[frequency] = int(m.group(1)) * {"month": 1, "quarter": 3, "year": 12}[m.group(2).lower()]
    return months


def _period_pairs(ranked: pd.DataFrame, months: dict[str, int]) -> pd.DataFrame:
    """One row per region and period having a value now and in the compared period before."""
    cur = ranked.loc[pd.to_numeric(ranked["value"], errors="coerce").notna()].copy()
    cur["value"] = cur["value"].astype(float)
    cur["rank"] = pd.to_numeric(cur["rank"], errors="coerce").astype(float) if "rank" in cur else np.nan
    cur = cur[KEYS + ["value", "rank"]]
    cur["period_start"] = _as_date(cur["period_start"])
    starts = pd.to_datetime(cur["period_start"])
    previous = pd.Series(pd.NaT, index=cur.index, dtype="datetime64[ns]")
    for frequency, back in months.items():
        mask = cur["frequency"] == frequency
        previous[mask] = starts[mask] - pd.DateOffset(months=back)
    cur["previous_start"] = previous.dt.date
    before = cur[KEYS + ["value", "rank"]].rename(columns={"period_start": "previous_start",
                                                           "value": "previous_value", "rank": "previous_rank"})
    pairs = cur.merge(before, on=["level", "frequency", "previous_start", "region"])
    pairs["value_change"] = pairs["value"] - pairs["previous_value"]
    pairs["rank_change"] = (pairs["previous_rank"] - pairs["rank"]).astype("Int64")  # positive: moved up
    return pairs


def _child_terms(parts: pd.DataFrame, aggregation: str) -> pd.DataFrame:
    """Each part's term of the aggregate (w·s, or w·ln s), 0 for children not used."""
    p = parts[KEYS + ["child", "child_value", "score", "weight"]].copy()
    p["period_start"] = _as_date(p["period_start"])
    score = p["score"].astype(float)
    if aggregation == "geometric":
        score = np.log(score.clip(lower=GEOMETRIC_FLOOR))
    p["term"] = (p["weight"] * score).where(p["weight"] > 0, 0.0).fillna(0.0)
    return p.drop(columns="weight")


def _points_factor(long: pd.DataFrame, aggregation: str) -> pd.Series | float:
    """1 for arithmetic; for geometric the logarithmic mean (v_t − v_p) / (ln v_t − ln v_p), which
    turns ln-scale contributions into value units that sum to the value change exactly."""
    if aggregation != "geometric":
        return 1.0
    v, p = long["value"], long["previous_value"]
    dlog = np.log(v) - np.log(p)
    return ((v - p) / dlog.where(dlog.abs() > EQUAL_TOLERANCE)).fillna(v)


def _drivers(long: pd.DataFrame) -> pd.Series:
    """The child with the largest contribution in the direction of the value change (by absolute
    size when the value did not change); none when no child moved that way."""
    direction = np.sign(long["value_change"].fillna(0.0))
    key = long["contribution"].where(direction == 0, long["contribution"] * direction)
    key = key.where(direction != 0, long["contribution"].abs())
    candidates = long.assign(_key=key)[key > EQUAL_TOLERANCE]
    top = candidates.sort_values("_key", ascending=False, kind="stable").drop_duplicates(KEYS)
    return long.index.isin(top.index)


# sentences -----------------------------------------------------------------------------------


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _the(name_en: str) -> str:
    """'Utilisation rate of …' → 'the utilisation rate of …' (acronyms such as PM2.5 kept)."""
    first, _, rest = name_en.partition(" ")
    if first[:1].isupper() and first[1:].islower():
        first = first.lower()
    return "the " + (f"{first} {rest}" if rest else first)


def _moved(change: float, decimals: int) -> bool:
    return pd.notna(change) and round(abs(change), decimals) > 0


def _score_change(change: float, decimals: int) -> tuple[str, str]:
    """('得分提高2.3分', 'rose by 2.3 points'), or unchanged at the shown precision."""
    if not _moved(change, decimals):
        return "得分持平", "was unchanged"
    amount = f"{abs(change):.{decimals}f}"
    if change > 0:
        return f"得分提高{amount}分", f"rose by {amount} points"
    return f"得分下降{amount}分", f"fell by {amount} points"


def _head(name: str, name_en: str, row, decimals: int) -> tuple[str, str]:
    """The region's move: its rank change, and its score change when the rank alone would mislead
    (no rank, rank unchanged, or rank and score moving opposite ways)."""
    score_zh, score_en = _score_change(row.value_change, decimals)
    if pd.isna(row.rank_change):
        return f"{name}{score_zh}", f"{name_en}'s score {score_en}"
    k = int(row.rank_change)
    if k == 0:
        zh, en = f"{name}排名持平（第{int(row.rank)}位）", f"{name_en} held {_ordinal(int(row.rank))} place"
    else:
        places = abs(k)
        verb_zh, verb_en = ("上升", "rose") if k > 0 else ("下降", "fell")
        zh = f"{name}{verb_zh}{places}位"
        en = f"{name_en} {verb_en} {places} place{'s' if places != 1 else ''}"
    opposite = _moved(row.value_change, decimals) and np.sign(row.value_change) != np.sign(k)
    if k == 0 or opposite:
        zh, en = f"{zh}，{score_zh}", f"{en}, its score {score_en}"
    return zh, en


def _driver_phrase(child: Indicator, d) -> tuple[str, str]:
    """What the driving child did: its raw change in its own unit, else its score change."""
    the = _the(child.name_en)
    if pd.isna(d.child_value):
        return f"{child.name_zh}本期无数据", f"{the} has no data this period"
    if _moved(d.child_change, child.decimals):
        amount = f"{abs(d.child_change):.{child.decimals}f}"
        if child.unit == "%":  # a change of a rate is in percentage points, not per cent
            unit_zh, unit_en = "个百分点", " percentage points"
        else:
            unit_zh, unit_en = child.unit, f" {unit_label(child.unit, 'en')}" if unit_label(child.unit, "en") else ""
        if d.child_change > 0:
            return f"{child.name_zh}提高{amount}{unit_zh}", f"{the} rose by {amount}{unit_en}"
        return f"{child.name_zh}下降{amount}{unit_zh}", f"{the} fell by {amount}{unit_en}"
    # the raw value did not move (or was missing before): its score moved with the peers'
    zh, en = _score_change(d.score - d.previous_score, child.decimals)
    return f"{child.name_zh}{zh}", f"the score of {the} {en}"


def _sentences(indicator: Indicator, children: dict[str, Indicator], region_names: Mapping[str, str],
               region_names_en: Mapping[str, str], row, driver) -> tuple[str, str]:
    """(text_zh, text_en) for one region and period; `driver` is its driving part, or None."""
    name = region_names.get(row.region, row.region)
    zh, en = _head(name, region_names_en.get(row.region, name), row, indicator.decimals)
    if driver is None:
        return zh, en
    d_zh, d_en = _driver_phrase(children[driver.child], driver)
    return f"{zh}，主要因为{d_zh}", f"{en}, mainly because {d_en}"
