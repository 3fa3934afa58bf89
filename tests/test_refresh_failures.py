"""One bad indicator does not stop the rest: an indicator whose SQL fails on the data (which an
empty table at `cockpit check` could not show) fails alone, keeps its previous values marked
stale, takes what reads it along, and every other indicator publishes.

Lake: monthly retail sales of two counties, January to March 2026 (上城区 10, 11, 12; 海曙区 5, 6, 7).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cockpit.feeds.ingest import ingest_frame
from cockpit.indicators import refresh as engine
from cockpit.indicators import snapshot
from cockpit.query.snapshot import Snapshot

HEAD = """\
system:
  id: f
  name_zh: 测试
  name_en: Test
  description: d
  owner: 测试局
  frequencies: [month]
  levels: [province, county]
indicators:
"""


def entry(ident: str, body: str) -> str:
    return f"  - {{id: {ident}, name_zh: 指标, name_en: I, unit: 件, description: d, {body}}}\n"


def definitions(month_shift: int = 0, scale: str = "1") -> str:
    """With a shift of 11, make_date meets month 13 from February on; with a scale of 1e30, the
    cast to integer overflows: both only on data."""
    return HEAD + "".join([
        entry("retail", "measure: {feed: economy_monthly, value: sum(retail_sales)}"),
        entry("months_dated", "measure: {feed: economy_monthly, value: 'count(*) filter (where "
                              f"make_date(2026, month(month) + {month_shift}, 1) IS NOT NULL)'}}"),
        entry("retail_rows", "measure: {feed: economy_monthly, value: count(*)}"),
        entry("dated_share", "formula: '100.0 * months_dated / nullif(retail_rows, 0)'"),
        entry("dated_share_doubled", "formula: 2 * dated_share"),
        entry("retail_int", f"formula: cast(retail * {scale} as integer)"),
        entry("retail_doubled", "formula: 2 * retail"),
    ])


@pytest.fixture
def world(tmp_path) -> dict[str, Path]:
    lake, defs = tmp_path / "lake", tmp_path / "defs"
    defs.mkdir()
    rows = [{"region_code": code, "month": date(2026, m, 1), "retail_sales": float(base + m - 1),
             "new_market_entities": 1} for code, base in (("330102", 10), ("330203", 5)) for m in (1, 2, 3)]
    monthly = pd.DataFrame(rows)
    for column in ("industrial_value_added", "fixed_asset_investment", "budget_revenue", "imports", "exports",
                   "electricity_consumption"):
        monthly[column] = 1.0
    ingest_frame("economy_monthly", monthly, source="fixture", lake_dir=lake)
    return {"lake": lake, "defs": defs, "snapshots": tmp_path / "snapshots", "file": defs / "f.yaml"}


def run(world, **definition) -> engine.RefreshReport:
    world["file"].write_text(definitions(**definition), encoding="utf-8")
    return engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"], definitions_dir=world["defs"])


def values(snap: Snapshot, indicator: str) -> dict[str, float]:
    df = snap._df("SELECT period, value FROM indicator_values WHERE indicator = ? AND region = '330000' "
                  "ORDER BY period", [indicator])
    return dict(zip(df["period"], df["value"], strict=True))


def line_of(path: Path, ident: str) -> int:
    return next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if f"id: {ident}," in text)


def test_one_failing_indicator_keeps_its_values_and_the_others_publish(world):
    good = run(world)
    assert good.failed == []
    before = Snapshot(good.path)
    assert values(before, "dated_share") == {"2026-01": 100.0, "2026-02": 100.0, "2026-03": 100.0}

    # the sales grow: every good indicator must show it, the failing ones must not pretend to
    ingest_frame("economy_monthly", pd.DataFrame([{
        "region_code": "330105", "month": date(2026, 3, 1), "retail_sales": 100.0, "new_market_entities": 1,
        "industrial_value_added": 1.0, "fixed_asset_investment": 1.0, "budget_revenue": 1.0, "imports": 1.0,
        "exports": 1.0, "electricity_consumption": 1.0}]), source="fixture", lake_dir=world["lake"])
    report = run(world, month_shift=11, scale="1e30")
    failed = {f.indicator: f for f in report.failed}
    assert set(failed) == {"months_dated", "dated_share", "dated_share_doubled", "retail_int"}
    assert failed["months_dated"].stage == "measure" and "Date out of range" in failed["months_dated"].message
    assert failed["retail_int"].stage == "formula" and "out of range" in failed["retail_int"].message
    assert failed["dated_share"].stage == "dependency" and "months_dated" in failed["dated_share"].message
    assert failed["dated_share_doubled"].message == "reads dated_share, which failed"
    for ident, f in failed.items():
        assert (f.file, f.line) == (str(world["file"]), line_of(world["file"], ident))
        assert f.kept_from == before.id
        assert str(f).startswith(f"{world['file']}:{f.line}: indicator {ident}: {f.stage} failed: ")
    assert sorted(report.computed) == ["retail", "retail_doubled", "retail_rows"]

    after = Snapshot(report.path)
    assert snapshot.current_path(world["snapshots"]) == report.path
    assert values(after, "retail")["2026-03"] == 12 + 7 + 100  # its batch-mate failed; it published
    assert values(after, "retail_rows")["2026-03"] == 3
    assert values(after, "retail_doubled")["2026-03"] == 2 * 119
    for ident in failed:  # the values of the snapshot before, not a mix
        assert values(after, ident) == values(before, ident)
    recorded = after.failures().set_index("indicator")
    assert set(recorded.index) == set(failed)
    assert recorded.loc["retail_int", "line"] == line_of(world["file"], "retail_int")
    assert (recorded["kept_from_snapshot"] == before.id).all()
    assert recorded["kept_computed_at"].notna().all()
    assert list(after.failures(["retail", "retail_int"])["indicator"]) == ["retail_int"]

    # failing again keeps the same, older values: the second snapshot only carried them
    again = run(world, month_shift=11, scale="1e30")
    assert {f.kept_from for f in again.failed} == {before.id}
    assert values(Snapshot(again.path), "dated_share") == values(before, "dated_share")

    # a refresh of another feed copies these indicators: still failed, still the same old values
    other = engine.refresh(feeds=["population_annual"], lake_dir=world["lake"], snapshot_dir=world["snapshots"],
                           definitions_dir=world["defs"])
    assert other.failed == [] and other.computed == []
    carried = Snapshot(other.path).failures()
    assert set(carried["indicator"]) == set(failed) and (carried["kept_from_snapshot"] == before.id).all()

    fixed = run(world, scale="1")
    assert fixed.failed == [] and Snapshot(fixed.path).failures().empty
    assert values(Snapshot(fixed.path), "retail_int")["2026-03"] == 119


def test_an_indicator_without_previous_values_fails_and_the_rest_publish(world):
    report = run(world, scale="1e30")
    (failure,) = report.failed
    assert (failure.indicator, failure.kept_from) == ("retail_int", None)
    snap = Snapshot(report.path)
    assert values(snap, "retail_int") == {}
    assert values(snap, "retail")["2026-03"] == 19
    assert "no previous values" in str(failure)


def test_a_refresh_in_which_every_indicator_fails_publishes_nothing(world):
    good = run(world)
    world["file"].write_text(HEAD + entry("retail_int", "measure: {feed: economy_monthly, value: "
                                                        "'sum(cast(retail_sales * 1e30 as integer))'}"), encoding="utf-8")
    with pytest.raises(engine.RefreshError, match=r"every indicator failed.*\n.*f.yaml:10: indicator retail_int"):
        engine.refresh(lake_dir=world["lake"], snapshot_dir=world["snapshots"], definitions_dir=world["defs"])
    assert snapshot.current_path(world["snapshots"]) == good.path


def test_cockpit_refresh_prints_the_failures_and_exits_3_after_publishing(world):
    world["file"].write_text(definitions(scale="1e30"), encoding="utf-8")
    code = ("import sys; from pathlib import Path; from cockpit import cli; from cockpit.indicators import refresh\n"
            "run = refresh.refresh\n"
            f"refresh.refresh = lambda **k: run(definitions_dir=Path({str(world['defs'])!r}), **k)\n"
            "sys.argv = ['cockpit', 'refresh']; cli.main()\n")
    env = {"COCKPIT_LAKE_DIR": str(world["lake"]), "COCKPIT_SNAPSHOT_DIR": str(world["snapshots"]),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    *said, last = result.stderr.strip().splitlines()
    assert "1 failed" in " ".join(said)
    assert last.startswith(f"failed: {world['file']}:{line_of(world['file'], 'retail_int')}: indicator "
                           "retail_int: formula failed: Conversion Error: Type DOUBLE with value ")
    assert last.endswith("out of range for the destination type INT32 (no previous values to keep)")
    assert snapshot.current_path(world["snapshots"]) is not None


def test_the_big_screen_says_which_numbers_failed_and_whose_values_it_shows(use_demo_lake, monkeypatch):
    """As late panels say 数据滞后, a panel or tile whose indicator failed says so, with the day its
    kept values were computed (or that it has none)."""
    from cockpit.query.snapshot import clear_cached_results
    from tests.test_screen_layout import _canvas, _panels, _walk

    recorded = pd.DataFrame([
        {"indicator": "hotline_orders", "system": "hotline", "stage": "measure", "message": "m", "file": "f",
         "line": 1, "kept_from_snapshot": "old", "kept_computed_at": pd.Timestamp("2026-11-20 06:00")},
        {"indicator": "good_air_day_ratio", "system": "environment", "stage": "formula", "message": "m",
         "file": "f", "line": 2, "kept_from_snapshot": None, "kept_computed_at": pd.NaT}])
    monkeypatch.setattr(Snapshot, "failures", lambda self, ids=None: recorded[recorded["indicator"].isin(ids)])
    clear_cached_results()  # views kept from earlier tests were judged without these failures
    for lang, failed, none in (("zh", "计算失败 · 沿用11-20结果", "计算失败 · 暂无结果"),
                               ("en", "Failed · showing values of 11-20", "Failed · no values yet")):
        canvas = _canvas("overview", "330000", lang)
        panels = _panels(canvas)
        assert panels["screen-topics"] == (panels["screen-topics"][0], failed)
        assert "bs-panel-late" in panels["screen-topics"][0]
        assert panels["screen-environment"][1] == none
        assert "bs-panel-late" not in panels["screen-economy"][0]
        tiles = {c.children[1].id: c for c in _walk(canvas) if "bs-kpi" in (getattr(c, "className", "") or "").split()}
        assert "bs-kpi-late" in tiles["screen-kpi-hotline_orders"].className
        assert tiles["screen-kpi-hotline_orders"].children[2].children[1].children == failed
        assert "bs-kpi-late" not in tiles["screen-kpi-gdp_ytd"].className
    clear_cached_results()  # nor may later tests see views judged with them


def test_a_snapshot_from_before_failures_were_recorded_has_none(world):
    report = run(world)
    with duckdb.connect(str(report.path)) as con:  # as written before the table existed
        con.execute("DROP TABLE refresh_failures")
    assert Snapshot(report.path).failures().empty
