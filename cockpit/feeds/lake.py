"""The feed lake: one folder of immutable Parquet part files a table.

Layout under the lake directory:

    <table>/part-<UTC yyyymmddTHHMMSSffffff>-<8 hex>.parquet       rows loaded by one ingest, storage types
    <table>/compacted-<UTC …>-<8 hex>.parquet                       a compaction's rows: one version a key
    <table>/_history/part-<UTC …>-<8 hex>.parquet                   versions a compaction found superseded
    <table>/_manifest.json                                          which compacted and history parts count,
                                                                    which parts a compaction made obsolete
    <table>/.lock                                                   held while a table is written to
    _quarantine/<table>/part-….parquet                              rejected rows as text + reason
    _ingest_log.jsonl                                               one line an ingest

A file is written under a temporary name (`.tmp-….partial`, which `*.parquet` globs do not
match), fsync'd, then renamed into place, so any number of readers (DuckDB, the app's worker
processes) can read the lake while ingest appends and never see half a file. Files are never
rewritten. Read a table through `table_source` (its records) or `history_source` (every stored
version), never by globbing its folder: the manifest decides which files count.

A table whose contract says `updates: latest` keeps every version of a key: an ingest adds the
versions newer than the stored one, and `table_source` keeps the latest version of each key
(the highest `version_column`; a tie goes to the later part). `compact` rewrites a table's parts
into one compacted part holding the latest version of each key, plus a history part with the
superseded ones. Its single commit point is the manifest's atomic replacement: before it, the
new files do not count and the old ones do; after it, the reverse. The old parts are deleted
only `OBSOLETE_GRACE` later (by the next ingest or compaction of the table), so a reader that
listed them just before the commit can still read them. While a table holds only compacted
parts, `table_source` reads them as they are, without the dedup window.

A compacted part is laid out for slices (`layout_order`): rows sorted by the month of the time
column, then the region column (hierarchical codes, so a subtree is one run), then the time, in
row groups of `COMPACTED_ROW_GROUP_ROWS`; a region-and-month read skips most row groups by their
statistics. An append-only table held in one ingested part is rewritten into this layout too.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import cockpit.duck as duck
from cockpit.duck import quote
from cockpit.feeds.contracts import TableContract, load_contracts

PART_GLOB = "part-*.parquet"
COMPACTED_GLOB = "compacted-*.parquet"
TEMPORARY_GLOB = ".tmp-*.partial"
HISTORY_DIR = "_history"
MANIFEST = "_manifest.json"
QUARANTINE_DIR = "_quarantine"
INGEST_LOG = "_ingest_log.jsonl"
LOCK_FILE = ".lock"
# How long a part made obsolete by a compaction stays on disk: longer than any refresh or page
# takes between listing a table's files and reading them.
OBSOLETE_GRACE = timedelta(hours=1)
# The column DuckDB adds with each row's part file path, to break ties between versions.
_PART_COLUMN = "_cockpit_part"
# Rows a row group of a compacted part holds. Each row group carries min/max statistics per
# column, so DuckDB skips those outside a query's filters: a month and a region subtree of a
# compacted part (sorted by month, then region) reads a few row groups, not the file.
COMPACTED_ROW_GROUP_ROWS = 122_880
# What a compaction's DuckDB may hold in memory before it works on disk.
COMPACT_MEMORY_LIMIT = "2GB"

# Quarantine files hold the contract's columns as text plus these. `_source_sha256` (of the
# source file's bytes, or of the ingested frame) with `_line` identifies a rejected row, so
# retrying a file does not quarantine its rows again.
QUARANTINE_EXTRA_FIELDS = (
    pa.field("_reason", pa.string()),
    pa.field("_source_file", pa.string()),
    pa.field("_line", pa.int64()),
    pa.field("_ingested_at", pa.timestamp("us")),
    pa.field("_source_sha256", pa.string()),
)


class LakeError(RuntimeError):
    """The lake holds something it should not (a damaged manifest): one line naming the file."""


def table_dir(lake_dir: Path, table: str) -> Path:
    return Path(lake_dir) / table


def history_dir(lake_dir: Path, table: str) -> Path:
    return table_dir(lake_dir, table) / HISTORY_DIR


def quarantine_dir(lake_dir: Path, table: str) -> Path:
    return Path(lake_dir) / QUARANTINE_DIR / table


# -- the manifest --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Manifest:
    """What the table's last compaction committed. Names are file names in the table's folder
    (`history`: in its `_history/` folder); `obsolete` maps each to when it stopped counting."""

    compacted: frozenset[str] = frozenset()
    history: frozenset[str] = frozenset()
    obsolete: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> str:
        return json.dumps({"compacted": sorted(self.compacted), "history": sorted(self.history),
                           "obsolete": dict(sorted(self.obsolete.items()))}, indent=1) + "\n"


def read_manifest(lake_dir: Path, table: str) -> Manifest:
    """The table's manifest; an empty one when no compaction has run. Raises LakeError if damaged."""
    path = table_dir(lake_dir, table) / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Manifest()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LakeError(f"{path}: damaged compaction manifest ({exc}); the table cannot be read safely") from None
    try:
        return Manifest(compacted=frozenset(map(str, raw["compacted"])), history=frozenset(map(str, raw["history"])),
                        obsolete={str(k): str(v) for k, v in raw["obsolete"].items()})
    except (KeyError, TypeError, AttributeError) as exc:
        raise LakeError(f"{path}: damaged compaction manifest (bad or missing field {exc})") from None


def _write_manifest(lake_dir: Path, table: str, manifest: Manifest) -> None:
    """Replace the manifest atomically: the commit point of a compaction."""
    directory = table_dir(lake_dir, table)
    temporary = directory / f".tmp-{MANIFEST}.partial"
    try:
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(manifest.as_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, directory / MANIFEST)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_path(directory)


# -- what counts -----------------------------------------------------------------------------------

def table_files(lake_dir: Path, table: str) -> list[Path]:
    """The table's current part files, oldest first: its compacted part, then the parts ingested since.

    Parts a compaction made obsolete (kept a while for readers) and a crashed compaction's
    uncommitted files are not among them.
    """
    # The manifest is read before the folder is listed: a compaction that commits in between
    # only adds files this listing does not count yet and obsoletes none it deletes (the grace).
    manifest = read_manifest(lake_dir, table)
    directory = table_dir(lake_dir, table)
    compacted = sorted(p for p in directory.glob(COMPACTED_GLOB) if p.name in manifest.compacted)
    parts = sorted(p for p in directory.glob(PART_GLOB) if p.name not in manifest.obsolete)
    return compacted + parts


def history_files(lake_dir: Path, table: str) -> list[Path]:
    """The parts holding versions a compaction found superseded, oldest first."""
    manifest = read_manifest(lake_dir, table)
    return sorted(p for p in history_dir(lake_dir, table).glob(PART_GLOB) if p.name in manifest.history)


def _contract_of(table: str, contract: TableContract | None) -> TableContract | None:
    """The table's contract: the one given, else the deployment's; None for a table no contract declares."""
    if contract is not None:
        return contract
    contracts = load_contracts()
    return contracts.table(table) if table in contracts else None


def table_source(lake_dir: Path, table: str, contract: TableContract | None = None) -> str | None:
    """A DuckDB expression reading the table's records (None when it has no part file).

    For an `updates: latest` table, the latest version of each natural key; read as they are
    when the table holds only its compacted part (one version a key). `contract` defaults to
    the deployment's contract of `table`.
    """
    files = table_files(lake_dir, table)
    if not files:
        return None
    contract = _contract_of(table, contract)
    if (contract is None or not contract.keeps_latest or _one_version_per_key(files)
            or not _any_has_column(files, str(contract.version_column))):
        return _read_parquet(files)
    keys = [quote(k) for k in contract.natural_key]
    version = quote(str(contract.version_column))
    if not files[0].name.startswith("compacted-"):
        return f"({_latest_versions(files, keys, version)})"
    # The compacted part and the parts ingested since: ingest adds only versions newer than
    # the stored latest, so a key in the newer parts has its latest version there. The dedup
    # window then runs over the few new rows, the compacted rows are only anti-joined.
    compacted, newer = files[:1], files[1:]
    latest = _latest_versions(newer, keys, version)
    on = " AND ".join(f"c.{k} IS NOT DISTINCT FROM n.{k}" for k in keys)
    return (f"(SELECT c.* FROM {_read_parquet(compacted)} AS c ANTI JOIN "
            f"(SELECT DISTINCT {', '.join(keys)} FROM {_read_parquet(newer)}) AS n ON {on} "
            f"UNION ALL BY NAME {latest})")


def _any_has_column(files: Sequence[Path], column: str) -> bool:
    """Whether a part holds the column. Parts written before a table declared `updates: latest`
    have no version column: they hold one row a key (append-only then), and a version of the key
    loaded since wins over it (a null version sorts last)."""
    return any(column in pq.read_schema(f).names for f in reversed(files))  # the newest part first: it has it


def _latest_versions(files: Sequence[Path], keys: Sequence[str], version: str) -> str:
    """The latest version of each key in the files; a tie goes to the later part file."""
    part = quote(_PART_COLUMN)
    return (f"SELECT * EXCLUDE ({part}) FROM {_read_parquet(files, with_part=True)} "
            f"QUALIFY row_number() OVER (PARTITION BY {', '.join(keys)} ORDER BY {version} DESC, {part} DESC) = 1")


def history_source(lake_dir: Path, table: str) -> str | None:
    """A DuckDB expression reading every stored version of the table's records (None when empty).

    "When did this order close?": the versions of a key ordered by the version column. For an
    append-only table, its records, as `table_source`.
    """
    files = history_files(lake_dir, table) + table_files(lake_dir, table)
    return _read_parquet(files) if files else None


def _one_version_per_key(files: Sequence[Path]) -> bool:
    # A compacted part holds one version a key; only parts ingested since can add more.
    return len(files) == 1 and files[0].name.startswith("compacted-")


def _read_parquet(files: Sequence[Path], *, with_part: bool = False) -> str:
    part = f", filename = '{_PART_COLUMN}'" if with_part else ""
    return f"read_parquet({[str(f.resolve()) for f in files]!r}, union_by_name = true{part})"


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
    quoted = [quote(n) for n in names]
    sql = f"SELECT {', '.join(quoted)}, min(_pos) AS _pos FROM incoming GROUP BY ALL"
    parameters: list[object] = []
    if files:
        on = " AND ".join(f"f.{q} IS NOT DISTINCT FROM l.{q}" for q in quoted)
        sql = (f"WITH firsts AS ({sql}) SELECT f._pos FROM firsts f "
               f"ANTI JOIN read_parquet(?, union_by_name = true) l ON {on}")
        parameters.append([str(f) for f in files])
    with duck.memory() as connection:
        connection.register("incoming", incoming)
        positions = connection.execute(f"SELECT _pos FROM ({sql}) ORDER BY _pos", parameters).fetchnumpy()["_pos"]
    return np.asarray(positions, dtype=np.int64)


@dataclass(frozen=True)
class NewVersions:
    """Which incoming rows of an `updates: latest` table to load, and what the others were."""

    load: np.ndarray  # positions of the rows to load, ascending
    updated: int  # of those, rows that are not the first version of their key in the lake
    duplicates: int  # the stored latest version again, or a version the rows repeat
    superseded: int  # older than the stored latest version of their key


def new_versions(files: Sequence[Path], rows: pa.Table, version: str) -> NewVersions:
    """Classify incoming versions against the stored latest version of each key.

    `rows` holds the natural key columns and the `version` column. A version newer than the
    stored one (or of a new key) is loaded, every such version a file holds (history); the
    stored latest version again, or one the rows repeat, is a duplicate; an older one is
    superseded. Call under `table_lock`, with `files` listed under it.
    """
    if rows.num_rows == 0:
        return NewVersions(np.zeros(0, dtype=np.int64), 0, 0, 0)
    keys = [quote(n) for n in rows.column_names if n != version]
    v = quote(version)
    incoming = rows.append_column("_pos", pa.array(np.arange(rows.num_rows, dtype=np.int64)))
    firsts = f"SELECT {', '.join(keys)}, {v}, min(_pos) AS _pos FROM incoming GROUP BY ALL"
    if files:
        on = " AND ".join(f"f.{q} IS NOT DISTINCT FROM s.{q}" for q in keys)
        # A stored row without a version (written before the table kept versions) is older than any.
        latest = f"max({v})" if _any_has_column(files, version) else "NULL"
        stored = (f"SELECT {', '.join(keys)}, {latest} AS _stored, true AS _present "
                  "FROM read_parquet(?, union_by_name = true) GROUP BY ALL")
        joined = f"SELECT f.*, s._stored, s._present FROM ({firsts}) f LEFT JOIN ({stored}) s ON {on}"
        parameters: list[object] = [[str(f) for f in files]]
    else:
        joined = f"SELECT f.*, NULL AS _stored, NULL AS _present FROM ({firsts}) f"
        parameters = []
    # One row per distinct incoming version: loaded when newer than the stored one; among the
    # loaded, the earliest version of a key not stored yet adds the key, every other updates it.
    sql = f"""
        SELECT _pos, _stored IS NULL OR {v} > _stored AS _load, coalesce({v} < _stored, false) AS _superseded,
               _present IS NOT NULL OR row_number() OVER (PARTITION BY {', '.join(keys)} ORDER BY {v}) > 1 AS _update
        FROM ({joined}) ORDER BY _pos"""
    with duck.memory() as connection:
        connection.register("incoming", incoming)
        result = connection.execute(sql, parameters).fetchnumpy()
    load_mask = np.asarray(result["_load"], dtype=bool)
    superseded = int(np.asarray(result["_superseded"], dtype=bool).sum())
    load = np.asarray(result["_pos"], dtype=np.int64)[load_mask]
    return NewVersions(load=load, updated=int(np.asarray(result["_update"], dtype=bool)[load_mask].sum()),
                       superseded=superseded, duplicates=rows.num_rows - len(load) - superseded)


def new_part_name(prefix: str = "part") -> str:
    return f"{prefix}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.parquet"


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


def quarantined_lines(lake_dir: Path, table: str, source_sha256: str) -> set[int]:
    """The lines of the source with this hash that the table's quarantine already holds."""
    # Quarantine files written before rows carried their source's hash cannot say.
    files = [f for f in quarantine_files(lake_dir, table) if "_source_sha256" in pq.read_schema(f).names]
    if not files:
        return set()
    with duck.memory() as connection:
        rows = connection.execute(
            "SELECT DISTINCT _line FROM read_parquet(?, union_by_name = true) WHERE _source_sha256 = ?",
            [[str(f) for f in files], source_sha256]).fetchall()
    return {line for (line,) in rows}


def clean_leftovers(lake_dir: Path, table: str, *, grace: timedelta = OBSOLETE_GRACE) -> list[Path]:
    """Remove what a killed ingest or compaction left and the parts obsolete for longer than `grace`.

    Call under `table_lock`: then no temporary file of the table is being written, and an
    uncommitted compacted or history part is a crashed compaction's. Returns the files removed.
    """
    directory, history = table_dir(lake_dir, table), history_dir(lake_dir, table)
    removed = [*directory.glob(TEMPORARY_GLOB), *history.glob(TEMPORARY_GLOB),
               *quarantine_dir(lake_dir, table).glob(TEMPORARY_GLOB)]
    manifest = read_manifest(lake_dir, table)
    # A compacted part neither committed nor made obsolete by a later compaction is a crashed one's.
    removed += [p for p in directory.glob(COMPACTED_GLOB)
                if p.name not in manifest.compacted and p.name not in manifest.obsolete]
    removed += [p for p in history.glob(PART_GLOB) if p.name not in manifest.history]
    deadline = datetime.now(UTC) - grace
    expired = {name for name, since in manifest.obsolete.items() if datetime.fromisoformat(since) <= deadline}
    for path in removed:
        path.unlink(missing_ok=True)
    if expired:
        # Forget them only once they are gone: a crash in between leaves names to delete again.
        for name in sorted(expired):
            (directory / name).unlink(missing_ok=True)
            removed.append(directory / name)
        _write_manifest(lake_dir, table, Manifest(
            compacted=manifest.compacted - expired, history=manifest.history,
            obsolete={n: t for n, t in manifest.obsolete.items() if n not in expired}))
    return removed


@dataclass
class CompactionResult:
    table: str
    compacted: bool  # whether the parts were rewritten (False: already one compacted part)
    parts_before: int  # current part files before
    parts_after: int
    rows: int  # records (latest versions) in the compacted part
    history_rows: int  # superseded versions moved to the history
    pending_removal: int  # old parts kept `OBSOLETE_GRACE` for readers that listed them
    removed: int  # files removed: leftovers of killed runs, parts obsolete for longer than the grace
    seconds: float

    def summary(self) -> str:
        """One line for the command line."""
        if not self.compacted:
            text = f"{self.table}: already compact ({self.parts_after} part{'s' if self.parts_after != 1 else ''})"
        else:
            text = (f"{self.table}: {self.parts_before} parts → {self.parts_after}, {self.rows:,} records, "
                    f"{self.history_rows:,} superseded versions moved to the history")
        if self.pending_removal:
            minutes = OBSOLETE_GRACE.total_seconds() / 60
            text += (f"; {self.pending_removal} old parts kept {minutes:.0f} min for readers, "
                     "then removed by the next ingest or compaction")
        if self.removed:
            text += f"; {self.removed} old or leftover files removed"
        return text + f" ({self.seconds:.1f} s)"


def compact(lake_dir: Path, table: str, contract: TableContract, *,
            grace: timedelta = OBSOLETE_GRACE) -> CompactionResult:
    """Rewrite the table's current parts into one compacted part and, for an `updates: latest`
    table, a history part with the superseded versions. Safe to kill at any point.

    Both files are written fully under temporary names, then renamed into place, where they do
    not count until the manifest, replaced atomically, lists them and marks the old parts
    obsolete. The old parts stay `grace` for readers that listed them (pass zero when none can).
    """
    started = time.perf_counter()
    lake_dir = Path(lake_dir)
    with table_lock(lake_dir, table):
        removed = clean_leftovers(lake_dir, table, grace=grace)
        manifest = read_manifest(lake_dir, table)
        files = table_files(lake_dir, table)
        # One compacted part is the layout already; a single ingested part is rewritten into it.
        if not files or _one_version_per_key(files):
            return CompactionResult(table, False, len(files), len(files), 0, 0, len(manifest.obsolete), len(removed),
                                    time.perf_counter() - started)
        directory, history = table_dir(lake_dir, table), history_dir(lake_dir, table)
        current_name, history_name = new_part_name("compacted"), new_part_name("part")
        current_tmp, history_tmp = directory / f".tmp-{current_name}.partial", history / f".tmp-{history_name}.partial"
        try:
            rows, history_rows = _write_compacted(files, contract, current_tmp, history_tmp)
            if history_rows:
                os.replace(history_tmp, history / history_name)
                fsync_path(history)
            os.replace(current_tmp, directory / current_name)
            fsync_path(directory)
        finally:
            current_tmp.unlink(missing_ok=True)
            history_tmp.unlink(missing_ok=True)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        committed = Manifest(compacted=frozenset({current_name}),
                             history=manifest.history | ({history_name} if history_rows else set()),
                             obsolete={**manifest.obsolete, **{f.name: now for f in files}})
        _write_manifest(lake_dir, table, committed)
        if grace <= timedelta(0):
            removed += clean_leftovers(lake_dir, table, grace=grace)
        pending = len(read_manifest(lake_dir, table).obsolete)
    return CompactionResult(table, True, len(files), 1, rows, history_rows, pending, len(removed),
                            time.perf_counter() - started)


def _write_compacted(files: Sequence[Path], contract: TableContract, current: Path,
                     history: Path) -> tuple[int, int]:
    """Write the latest version of each key to `current`, the other versions to `history`
    (fsync'd); for an append-only table every row to `current`. Returns both row counts.

    Every stored column is kept, declared or not: compaction moves data, it never drops any.
    """
    source = _read_parquet(files, with_part=True)
    part = quote(_PART_COLUMN)
    order = f" ORDER BY {layout_order(contract)}"
    options = f"(FORMAT parquet, ROW_GROUP_SIZE {COMPACTED_ROW_GROUP_ROWS})"
    history.parent.mkdir(parents=True, exist_ok=True)
    # The rank and the sort hold every row: past COMPACT_MEMORY_LIMIT they go to disk, so
    # compacting a large table (the 12345 orders' versions at demo scale 10: 15 M rows) does not
    # take the machine's memory. The spill directory is the compaction's own, removed once the
    # connection is closed.
    with tempfile.TemporaryDirectory(prefix="cockpit-compact-") as spill, duck.memory() as connection:
        connection.execute(f"SET memory_limit = '{COMPACT_MEMORY_LIMIT}'")
        connection.execute("SET temp_directory = ?", [spill])
        if not contract.keeps_latest or not _any_has_column(files, str(contract.version_column)):
            written = connection.execute(f"COPY (SELECT * EXCLUDE ({part}) FROM {source}{order}) "
                                         f"TO {_sql_string(current)} {options}").fetchone()[0]
            _fsync_file(current)
            return int(written), 0
        keys = ", ".join(quote(k) for k in contract.natural_key)
        version = quote(str(contract.version_column))
        # A version stored twice (only after a crash, in identical copies) is kept once; then
        # each key's versions are ranked, the latest first.
        connection.execute(f"""
            CREATE TEMP VIEW ranked AS
            SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY {version} DESC) AS _rank
            FROM (SELECT * EXCLUDE ({part}) FROM {source}
                  QUALIFY row_number() OVER (PARTITION BY {keys}, {version} ORDER BY {part} DESC) = 1)""")
        counts = []
        for target, condition in ((current, "_rank = 1"), (history, "_rank > 1")):
            counts.append(int(connection.execute(
                f"COPY (SELECT * EXCLUDE (_rank) FROM ranked WHERE {condition}{order}) "
                f"TO {_sql_string(target)} {options}").fetchone()[0]))
            _fsync_file(target)
        return counts[0], counts[1]


def layout_order(contract: TableContract) -> str:
    """The ORDER BY of a compacted part: month of the time column, region, time, natural key.

    Sorting by the timestamp alone would interleave every region within a month; by month
    first, a month's rows of one region subtree are one run, which row-group statistics find. A
    coarse time column (a month, quarter or year) is its own bucket; a table without one sorts by
    region.
    """
    keys = []
    if contract.time_column:
        time_column = quote(contract.time_column)
        if contract.column(contract.time_column).type in ("timestamp", "date"):
            keys.append(f"date_trunc('month', {time_column})")
        keys.append(time_column)
    keys.insert(1 if len(keys) == 2 else len(keys), quote(contract.region_column))
    keys += [quote(k) for k in contract.natural_key if quote(k) not in keys]
    return ", ".join(keys)


def _sql_string(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


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


DEMO_MARKER = "_demo.json"


def demo_marker(lake_dir: Path) -> dict | None:
    """What the demo generator wrote beside the tables of a lake it built (seed, scale, end, when);
    None for a lake of real data. Refresh copies it into the snapshot, which is what screens read."""
    marker = Path(lake_dir) / DEMO_MARKER
    try:
        raw = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return raw if isinstance(raw, dict) else None
