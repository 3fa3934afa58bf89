"""The feed lake: one folder of append-only Parquet part files a table.

Layout under the lake directory:

    <table>/part-<UTC yyyymmddTHHMMSSffffff>-<8 hex>.parquet   loaded rows, storage types
    <table>/.lock                                               held while a table is appended to
    _quarantine/<table>/part-….parquet                          rejected rows as text + reason
    _ingest_log.jsonl                                           one line an ingest

A part file is written under a temporary name that `*.parquet` globs do not match, fsync'd,
then renamed into place, so any number of readers (DuckDB, the app's worker processes) can
read the lake while ingest appends and never see half a file. Files are never rewritten.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cockpit.feeds.contracts import TableContract

PART_GLOB = "part-*.parquet"
QUARANTINE_DIR = "_quarantine"
INGEST_LOG = "_ingest_log.jsonl"
LOCK_FILE = ".lock"

# Quarantine files hold the contract's columns as text plus these.
QUARANTINE_EXTRA_FIELDS = (
    pa.field("_reason", pa.string()),
    pa.field("_source_file", pa.string()),
    pa.field("_line", pa.int64()),
    pa.field("_ingested_at", pa.timestamp("us")),
)


def table_dir(lake_dir: Path, table: str) -> Path:
    return Path(lake_dir) / table


def quarantine_dir(lake_dir: Path, table: str) -> Path:
    return Path(lake_dir) / QUARANTINE_DIR / table


def table_files(lake_dir: Path, table: str) -> list[Path]:
    """The table's finished part files, oldest first (names start with their UTC write time)."""
    return sorted(table_dir(lake_dir, table).glob(PART_GLOB))


def table_source(lake_dir: Path, table: str) -> str | None:
    """A DuckDB expression reading the table's finished part files (None when it has none)."""
    files = table_files(lake_dir, table)
    return f"read_parquet({[str(f.resolve()) for f in files]!r}, union_by_name = true)" if files else None


def quarantine_files(lake_dir: Path, table: str) -> list[Path]:
    """The table's finished quarantine files, oldest first."""
    return sorted(quarantine_dir(lake_dir, table).glob(PART_GLOB))


def quarantine_schema(contract: TableContract) -> pa.Schema:
    return pa.schema([pa.field(c.name, pa.string()) for c in contract.columns] + list(QUARANTINE_EXTRA_FIELDS))


@contextmanager
def table_lock(lake_dir: Path, table: str) -> Iterator[None]:
    """Exclusive, across processes, for one table: hold it from reading existing keys to publishing."""
    directory = table_dir(lake_dir, table)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def unseen_rows(files: Sequence[Path], keys: pa.Table) -> np.ndarray:
    """Positions of the rows of `keys` to load: the first of each key, if no file holds it yet.

    Keys compare with IS NOT DISTINCT FROM, so a null key part matches a null. Call under
    `table_lock`, with `files` listed under it, so no other ingest adds keys meanwhile.
    """
    if keys.num_rows == 0:
        return np.zeros(0, dtype=np.int64)
    names = keys.column_names
    incoming = keys.append_column("_pos", pa.array(np.arange(keys.num_rows, dtype=np.int64)))
    quoted = [_quote_identifier(n) for n in names]
    sql = f"SELECT {', '.join(quoted)}, min(_pos) AS _pos FROM incoming GROUP BY ALL"
    parameters: list[object] = []
    if files:
        on = " AND ".join(f"f.{q} IS NOT DISTINCT FROM l.{q}" for q in quoted)
        sql = (f"WITH firsts AS ({sql}) SELECT f._pos FROM firsts f "
               f"ANTI JOIN read_parquet(?, union_by_name = true) l ON {on}")
        parameters.append([str(f) for f in files])
    with duckdb.connect() as connection:
        connection.register("incoming", incoming)
        positions = connection.execute(f"SELECT _pos FROM ({sql}) ORDER BY _pos", parameters).fetchnumpy()["_pos"]
    return np.asarray(positions, dtype=np.int64)


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def new_part_name() -> str:
    return f"part-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.parquet"


def publish(parts: Sequence[tuple[Path, pa.Table]]) -> list[Path]:
    """Write each table as a new part file in its directory: all of them appear, or none.

    Every file is written and fsync'd under a temporary name first; only then are they renamed
    into place, in the order given. If a rename fails, the files already renamed are removed
    again, so put the file readers care most about last. Temporary files never outlive the call.
    """
    staged: list[tuple[Path, Path]] = []
    published: list[Path] = []
    try:
        for directory, table in parts:
            directory.mkdir(parents=True, exist_ok=True)
            final = directory / new_part_name()
            temporary = directory / f".tmp-{final.name}.partial"
            staged.append((temporary, final))
            _write_synced(temporary, table)
        for temporary, final in staged:
            os.replace(temporary, final)
            published.append(final)
        for directory in {final.parent for final in published}:
            fsync_path(directory)
        return published
    except BaseException:
        for final in published:
            final.unlink(missing_ok=True)
        raise
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def _write_synced(path: Path, table: pa.Table) -> None:
    with open(path, "wb") as f:
        # Microseconds, not pandas' nanoseconds: Spark cannot read nanosecond timestamps.
        pq.write_table(table, f, coerce_timestamps="us", allow_truncated_timestamps=False)
        f.flush()
        os.fsync(f.fileno())


def fsync_path(path: Path) -> None:
    """Flush a file, or a directory's entries, to disk: after a rename, a crash must not bring
    back a directory without the file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append_ingest_log(lake_dir: Path, entry: dict[str, object]) -> None:
    """One JSON line, written with a single O_APPEND write so concurrent ingests do not interleave."""
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    Path(lake_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(Path(lake_dir) / INGEST_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_ingest_log(lake_dir: Path, limit: int = 100) -> list[dict]:
    """The last `limit` ingests, newest first; a torn or foreign line is skipped."""
    path = Path(lake_dir) / INGEST_LOG
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as f:
        last_lines = deque(f, maxlen=limit)
    entries = []
    for line in reversed(last_lines):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
