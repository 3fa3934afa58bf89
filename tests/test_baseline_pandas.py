"""The pandas baseline of bench/baseline_pandas.py gives the engine's numbers on the session's demo lake.

The baseline is what the DuckDB engine is benchmarked against, so it must compute the same
figures: every region and month of the slice present on both sides, and the values within 1e-6.
Rows the engine stores as NULL (a rate whose denominator is 0, e.g. a street with no order rated
in a month) are rows with a NaN value in the baseline too: two NULLs agree, a NULL against a
number does not. Composites have no row where every child is missing, on either side.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bench.baseline_pandas import HOTLINE_LEVELS, SLICE, WFI_DIMENSIONS, agrees, compare, compute
from cockpit.indicators.snapshot import current_path
from cockpit.regions import load_hierarchy

TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def baseline(demo_lake) -> pd.DataFrame:
    return compute(demo_lake)


@pytest.fixture(scope="module")
def snapshot_file(demo_snapshots):
    path = current_path(demo_snapshots)
    assert path is not None, "the demo refresh published no snapshot"
    return path


def test_the_slice_is_the_assessment_figures_and_the_index_with_its_dimensions():
    assert {i for i, levels in SLICE.items() if levels == HOTLINE_LEVELS} == {
        "hotline_orders", "hotline_immediate_dispatch_rate", "hotline_on_time_feedback_rate",
        "hotline_closure_rate", "hotline_satisfaction_rate", "hotline_revisit_rate"}
    assert {i for i, levels in SLICE.items() if levels == ("city",)} == {"waste_free_index", *WFI_DIMENSIONS}
    assert len(WFI_DIMENSIONS) == 9


def test_baseline_rows_are_monthly_long_rows_of_the_slice(baseline):
    assert list(baseline.columns) == ["indicator", "region", "frequency", "period_start", "value"]
    assert set(baseline["indicator"]) == set(SLICE)
    assert set(baseline["frequency"]) == {"month"}
    assert not baseline.duplicated(["indicator", "region", "period_start"]).any()
    hierarchy = load_hierarchy()
    for ident in SLICE:
        regions = baseline.loc[baseline["indicator"] == ident, "region"].unique()
        assert {hierarchy.level(code) for code in regions} == set(SLICE[ident]), ident
    cities = {r.code for r in hierarchy.at_level("city")}
    assert len(cities) == 11
    index_regions = set(baseline.loc[baseline["indicator"] == "waste_free_index", "region"])
    assert index_regions == cities


def test_baseline_agrees_with_the_engine_snapshot(baseline, snapshot_file):
    report = compare(baseline, snapshot_file)
    assert set(report) == set(SLICE)
    problems = []
    for ident, r in report.items():
        if r["compared"] == 0:
            problems.append(f"{ident}: no rows compared")
        if r["missing_in_baseline"] or r["missing_in_snapshot"]:
            problems.append(f"{ident}: {r['missing_in_baseline']} rows missing in the baseline, "
                            f"{r['missing_in_snapshot']} missing in the snapshot")
        if r["null_mismatch"]:
            problems.append(f"{ident}: {r['null_mismatch']} rows NULL on one side only")
        if not r["max_abs_diff"] < TOLERANCE:
            problems.append(f"{ident}: values differ by up to {r['max_abs_diff']:.3g}")
    assert not problems, "\n".join(problems)
    assert agrees(report, TOLERANCE)


def test_compare_notices_a_different_value_a_missing_row_and_a_null(baseline, snapshot_file):
    changed = baseline.copy()
    index_rows = changed.index[(changed["indicator"] == "waste_free_index") & changed["value"].notna()]
    changed.loc[index_rows[0], "value"] += 0.01
    closure = changed.index[(changed["indicator"] == "hotline_closure_rate") & changed["value"].notna()]
    changed = changed.drop(index=closure[0])
    satisfaction = changed.index[(changed["indicator"] == "hotline_satisfaction_rate") & changed["value"].notna()]
    changed.loc[satisfaction[0], "value"] = float("nan")

    report = compare(changed, snapshot_file)
    assert math.isclose(report["waste_free_index"]["max_abs_diff"], 0.01, rel_tol=1e-6)
    assert report["hotline_closure_rate"]["missing_in_baseline"] == 1
    assert report["hotline_satisfaction_rate"]["null_mismatch"] == 1
    assert not agrees(report, TOLERANCE)
