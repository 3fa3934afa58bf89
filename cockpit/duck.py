"""Every DuckDB connection this code opens, and the one way SQL names a column or a table.

Connections are made here and nowhere else (a test holds it), so that each kind is locked down
the same way wherever it is used:

- `memory()`: our own SQL over frames and files we name (the lake's bookkeeping, feed status).
- `sandbox(directories)`: analysts' SQL from the definitions (refresh, `cockpit check`). It can
  read and write the given directories and nothing else on disk or network, and its
  configuration is locked before any definition's SQL runs, so no statement can widen it again.
- `read_only(path)`: a published snapshot file, for every reader of snapshots.
- `writable(path)`: the snapshot file a refresh writes, before it is published.

None of them installs or loads an extension: an intranet has no extension repository (DuckDB
would try the internet), and an extension is code nobody here reviewed.

Imports nothing of ours, so that every layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

# DuckDB would otherwise fetch an extension from the internet the first time a query needs one.
_NO_EXTENSIONS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory connection for SQL we write ourselves; it never loads an extension."""
    con = duckdb.connect(":memory:", config=_NO_EXTENSIONS)
    con.execute("SET enable_progress_bar = false")  # a long query (a compaction) must not draw over the CLI's output
    return con


def sandbox(directories: Iterable[Path] = ()) -> duckdb.DuckDBPyConnection:
    """An in-memory connection for analysts' SQL: files only under `directories` (none: no file
    at all), no network, no extension, and a configuration no statement can change."""
    con = memory()
    allowed = [str(Path(d).resolve()) + "/" for d in directories]
    if allowed:
        con.execute("SET allowed_directories = ?", [allowed])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a snapshot file. Every reader opens snapshots with this one
    configuration: DuckDB refuses a second connection to a file already open in this process
    with different settings."""
    return duckdb.connect(str(path), read_only=True, config=_NO_EXTENSIONS)


def writable(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a database file that no reader has open yet (a snapshot being
    written under its temporary name)."""
    return duckdb.connect(str(path), config=_NO_EXTENSIONS)


def quote(name: str) -> str:
    """`name` as a SQL identifier: a column or table name that comes from data or definitions
    (a contract's column, an indicator id) may hold anything, a double quote included."""
    return '"' + name.replace('"', '""') + '"'
