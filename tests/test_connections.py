"""Every DuckDB connection comes from cockpit/duck.py, locked down as it says, and SQL names columns
and tables through its one quoter."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cockpit import duck
from cockpit.config import REPO_ROOT
from cockpit.feeds import lake

PRODUCT = [*(REPO_ROOT / "cockpit").rglob("*.py"), *(REPO_ROOT / "pages").glob("*.py"),
           *(REPO_ROOT / "bench").glob("*.py"), *(REPO_ROOT / "scripts").rglob("*.py"), REPO_ROOT / "app.py"]
FACTORY = REPO_ROOT / "cockpit" / "duck.py"


def _offenders(pattern: str) -> list[str]:
    found = []
    for path in PRODUCT:
        if path == FACTORY or not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    return found


def test_only_the_factory_opens_duckdb():
    assert _offenders(r"\bduckdb\.connect\(|from duckdb import .*\bconnect\b") == []


def test_only_the_factory_quotes_identifiers():
    # a quoter of one's own doubles the double quotes; pasting '"' around a name does not even that
    assert _offenders(r"""replace\(\s*'"'\s*,\s*'""'\s*\)|FROM "\{|\(\s*"\{[a-z_]+\}"\s*\)""") == []


def test_a_name_holding_a_quote_is_one_identifier():
    name = 'sales "net"; DROP TABLE t; --'
    assert duck.quote(name) == '"sales ""net""; DROP TABLE t; --"'
    with duck.memory() as con:
        con.execute(f"CREATE TABLE t ({duck.quote(name)} INTEGER)")
        con.execute("INSERT INTO t VALUES (1), (2)")
        assert con.execute(f"SELECT sum({duck.quote(name)}) FROM t").fetchone()[0] == 3
        assert [c[0] for c in con.execute("SELECT * FROM t").description] == [name]


def test_the_lake_reads_a_column_named_with_a_quote(tmp_path):
    # the lake's key comparison over a stored part whose key column is named with a double quote
    column = 'order "id"'
    stored = tmp_path / "part.parquet"
    pq.write_table(pa.table({column: [1, 2]}), stored)
    incoming = pa.table({column: [2, 3, 3, 4]})
    # 2 is stored; 3 twice: its first row; 4 is new
    assert lake.unseen_rows([stored], incoming).tolist() == [1, 3]


def test_no_connection_loads_an_extension(tmp_path):
    path = tmp_path / "s.duckdb"
    with duck.writable(path) as con:
        con.execute("CREATE TABLE x AS SELECT 1 AS y")
    for con in (duck.memory(), duck.sandbox(), duck.read_only(path)):
        with con:
            settings = dict(con.execute("""SELECT name, value FROM duckdb_settings() WHERE name IN
                ('autoinstall_known_extensions', 'autoload_known_extensions')""").fetchall())
            assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_the_sandbox_reads_its_directories_and_nothing_else(tmp_path):
    inside, outside = tmp_path / "lake", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    for d in (inside, outside):
        pq.write_table(pa.table({"a": np.arange(3)}), d / "t.parquet")
    with duck.sandbox([inside]) as con:
        assert con.execute(f"SELECT count(*) FROM read_parquet('{inside / 't.parquet'}')").fetchone()[0] == 3
        for statement in (f"SELECT * FROM read_parquet('{outside / 't.parquet'}')",
                          "SELECT * FROM read_csv('/etc/passwd')",
                          f"SET allowed_directories = ['{outside}/']", "SET enable_external_access = true",
                          f"ATTACH '{tmp_path / 'x.duckdb'}'", "INSTALL spatial", "LOAD httpfs"):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
    with duck.sandbox() as con, pytest.raises(duckdb.Error):  # no directory: no file at all
        con.execute(f"SELECT * FROM read_parquet('{inside / 't.parquet'}')")


def test_a_snapshot_opened_read_only_cannot_be_changed(tmp_path):
    path = tmp_path / "s.duckdb"
    with duck.writable(path) as con:
        con.execute("CREATE TABLE x AS SELECT 1 AS y")
    first, second = duck.read_only(path), duck.read_only(path)  # one configuration: many readers
    try:
        with pytest.raises(duckdb.Error):
            first.execute("INSERT INTO x VALUES (2)")
        assert second.execute("SELECT y FROM x").fetchall() == [(1,)]
    finally:
        first.close()
        second.close()


def test_the_factory_imports_nothing_of_ours():
    text = FACTORY.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import) cockpit", text, re.M)
    assert Path(duck.__file__) == FACTORY
