"""Definitions cannot exhaust the machine: YAML documents are bounded in size, aliases and depth
(indicator files and contract files alike), dependency chains are walked without recursion, and
ids are plain lower_snake_case ASCII, each refusal at its file and line."""

from __future__ import annotations

import shutil
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cockpit.config import REPO_ROOT
from cockpit.feeds.contracts import ContractError, load_contracts
from cockpit.feeds.ingest import ingest_frame
from cockpit.indicators import refresh as engine
from cockpit.indicators.definitions import read_file, read_systems
from cockpit.indicators.graph import Graph
from cockpit.indicators.validate import check_directory
from cockpit.query.snapshot import Snapshot
from cockpit.safe_yaml import MAX_ALIASES, MAX_BYTES, YamlLimitError, load_yaml

HEAD = """\
system:
  id: {system}
  name_zh: 测试
  name_en: Test
  description: d
  owner: 测试局
  frequencies: [month]
  levels: [province]
indicators:
"""

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def indicator(ident: str, body: str) -> str:
    return f"  - {{id: {ident}, name_zh: 指标, name_en: I, unit: 件, description: d, {body}}}\n"


def bounded(action, seconds: float = 5.0, megabytes: float = 50.0):
    """Run `action`, asserting it takes little time and little memory; its result."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < seconds
    assert peak < megabytes * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return result


# -- YAML limits -------------------------------------------------------------------------------
def test_an_alias_bomb_in_an_indicator_file_is_refused_fast_at_its_line(tmp_path):
    """A billion laughs in a description: today `cockpit check` turns it to text, past 3 GB."""
    path = tmp_path / "bomb.yaml"
    path.write_text(HEAD.format(system="bomb") + "  - id: n\n    name_zh: 指标\n    name_en: I\n    unit: 件\n"
                    "    measure: {feed: economy_monthly, value: count(*)}\n    lols:\n"
                    + "".join(f"      {line}\n" for line in BOMB.splitlines())
                    + "    description: *i\n", encoding="utf-8")
    systems, problems = bounded(lambda: read_systems(tmp_path))
    assert systems == []
    (problem,) = problems
    assert problem.file == str(path)
    assert "aliases" in problem.message and "values" in problem.message
    assert problem.line == 21  # the list `f`, where the expansion first goes over the limit
    assert bounded(lambda: check_directory(tmp_path)) == [problem]


def test_an_alias_bomb_in_a_contract_file_is_refused_fast(tmp_path):
    for source in (REPO_ROOT / "data" / "contracts").glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    (tmp_path / "zz_bomb.yaml").write_text("family: bomb\n" + BOMB + "tables: *i\n", encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        bounded(lambda: load_contracts(tmp_path))
    (problem,) = caught.value.problems
    assert "zz_bomb.yaml, line" in problem and "aliases" in problem


def test_documents_beyond_size_alias_count_and_depth_are_refused_with_the_line(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("x: '" + "a" * MAX_BYTES + "'\n", encoding="utf-8")
    with pytest.raises(YamlLimitError, match="larger than 2 MB"):
        load_yaml(big)
    many = tmp_path / "many.yaml"
    many.write_text("a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n", encoding="utf-8")
    with pytest.raises(YamlLimitError, match="aliases") as caught:
        load_yaml(many)
    assert caught.value.line == 2
    deep = tmp_path / "deep.yaml"
    deep.write_text("x: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    with pytest.raises(YamlLimitError, match="nested more than"):
        load_yaml(deep)
    loop = tmp_path / "loop.yaml"
    loop.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(YamlLimitError, match="contains it"):
        load_yaml(loop)


def test_a_few_aliases_are_still_fine_and_every_shipped_file_reads(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("levels: &l [province, city]\nother: *l\n", encoding="utf-8")
    assert load_yaml(ok) == {"levels": ["province", "city"], "other": ["province", "city"]}
    for path in [*(REPO_ROOT / "indicators").glob("*.yaml"), *(REPO_ROOT / "data" / "contracts").glob("*.yaml")]:
        assert load_yaml(path), path


# -- ids ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ident", ["零售额", "retail_é", "Retail", "1retail", "retail-sales", "x" * 65])
def test_indicator_ids_are_lower_snake_case_ascii(tmp_path, ident):
    path = tmp_path / "ids.yaml"
    path.write_text(HEAD.format(system="ids") + "  - id: ok\n    name_zh: 好\n    name_en: ok\n    unit: 件\n"
                    "    description: d\n    measure: {feed: economy_monthly, value: count(*)}\n"
                    f"  - id: '{ident}'\n    name_zh: 坏\n    name_en: bad\n    unit: 件\n"
                    "    description: d\n    measure: {feed: economy_monthly, value: count(*)}\n", encoding="utf-8")
    system, problems = read_file(path)
    (problem,) = problems
    assert (problem.file, problem.line) == (str(path), 16)
    assert "indicator id" in problem.message
    assert "lower_snake_case ASCII" in problem.message or "more than 64" in problem.message
    assert [i.id for i in system.indicators] == ["ok"]


def test_system_ids_are_lower_snake_case_ascii(tmp_path):
    path = tmp_path / "sys.yaml"
    path.write_text(HEAD.format(system="经济") + indicator("n", "measure: {feed: economy_monthly, value: count(*)}"),
                    encoding="utf-8")
    system, problems = read_file(path)
    assert system is None
    (problem,) = problems
    assert (problem.line, problem.message.split(" '")[0]) == (2, "system id")


# -- long chains -------------------------------------------------------------------------------
CHAIN = 1500


def chain_file(directory: Path) -> None:
    body = indicator("step_0", "measure: {feed: economy_monthly, value: sum(retail_sales)}")
    body += "".join(indicator(f"step_{n}", f"formula: step_{n - 1} + 1") for n in range(1, CHAIN + 1))
    directory.mkdir(exist_ok=True)
    (directory / "chain.yaml").write_text(HEAD.format(system="chain") + body, encoding="utf-8")


def test_a_chain_of_1500_formulas_validates_and_orders_without_recursion(tmp_path):
    chain_file(tmp_path)
    assert check_directory(tmp_path) == []
    systems, _ = read_systems(tmp_path)
    graph = Graph({i.id: i for i in systems[0].indicators})
    order = graph.order()
    assert order[0] == "step_0" and order[-1] == f"step_{CHAIN}"
    assert graph.upstream([f"step_{CHAIN}"]) == set(order)
    assert graph.downstream(["step_0"]) == set(order)


def test_a_cycle_at_the_end_of_a_long_chain_is_reported_once(tmp_path):
    chain_file(tmp_path)
    path = tmp_path / "chain.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("formula: step_0 + 1", f"formula: step_{CHAIN} + 1"),
                    encoding="utf-8")
    problems = check_directory(tmp_path)
    assert [p.message.split(":")[0] for p in problems] == ["indicator step_1"]
    assert problems[0].message.endswith(f"dependency cycle step_1 → step_{CHAIN} → step_{CHAIN - 1} → step_{CHAIN - 2} → "
                                        f"step_{CHAIN - 3} → step_{CHAIN - 4} → … 1,489 more … → "
                                        "step_6 → step_5 → step_4 → step_3 → step_2 → step_1")


def test_a_chain_of_1500_formulas_refreshes(tmp_path):
    defs, lake = tmp_path / "defs", tmp_path / "lake"
    chain_file(defs)
    monthly = pd.DataFrame({"region_code": ["330102", "330203"], "month": [date(2026, 3, 1)] * 2,
                            "retail_sales": [10.0, 5.0], "new_market_entities": 1})
    for column in ("industrial_value_added", "fixed_asset_investment", "budget_revenue", "imports", "exports",
                   "electricity_consumption"):
        monthly[column] = 1.0
    ingest_frame("economy_monthly", monthly, source="fixture", lake_dir=lake)
    report = engine.refresh(lake_dir=lake, snapshot_dir=tmp_path / "snapshots", definitions_dir=defs)
    assert report.failed == []
    snap = Snapshot(report.path)
    df = snap._df("SELECT value FROM indicator_values WHERE indicator = ? AND region = '330000'", [f"step_{CHAIN}"])
    assert df["value"].tolist() == [15.0 + CHAIN]
