"""Ingest: source rows → contract check → the lake, rejected rows → quarantine.

`ingest_file` reads a CSV, XLSX, Parquet or JSON-lines file (`readers`); `ingest_frame` takes
a DataFrame someone already has (the demo generator). Both run the same path:

1. match headers to the contract (English name or label_zh); a missing required column is fatal;
2. convert and check every row (`validate`); failing rows get a reason and go to quarantine;
3. under the table's lock, remove what a killed ingest left (`lake.clean_leftovers`), then
   drop the rows the lake already holds: for an append-only table, rows whose natural key the
   file repeats or the lake holds (`lake.unseen_rows`); for an `updates: latest` table, versions
   not newer than the stored latest of their key (`lake.new_versions`: older ones are counted as
   superseded, every newer one is loaded, so the lake keeps each key's history). Rows the
   quarantine already holds from the same source content and line are not quarantined again;
4. publish the quarantine and lake part files atomically, the lake part last;
5. append a line to the ingest log;
6. compact the table when it holds more than `AUTO_COMPACT_PARTS` part files.

Every row read is loaded, quarantined, a duplicate or superseded. A fatal problem raises
`IngestError` before anything is written, so the lake is untouched; a failure after the rows
are in the lake (the log line, the compaction) is a warning on the result, never an error
that would make the caller load them again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from cockpit.config import paths
from cockpit.feeds import lake
from cockpit.feeds.contracts import Contracts, TableContract, load_contracts
from cockpit.feeds.readers import ReadError, read_source
from cockpit.feeds.validate import LOCAL_TIMEZONE, as_text, check_rows, header_check, match_columns
from cockpit.regions.hierarchy import Hierarchy, load_hierarchy

SAMPLE_PROBLEM_COUNT = 5
# Past this many part files a table is compacted after an ingest: each is opened by every query
# of the table, and for an `updates: latest` table the dedup window grows with the versions they hold.
AUTO_COMPACT_PARTS = 64


class IngestError(Exception):
    """A problem that stops an ingest: one line naming the file, the line (when one applies) and the problem."""

    def __init__(self, source: str, problem: str, line: int | None = None):
        self.source = source
        self.problem = " ".join(problem.split())  # one line, whatever the underlying error said
        self.line = line
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {self.problem}")


@dataclass
class IngestResult:
    table: str
    source: str
    rows_read: int
    loaded: int
    quarantined: int
    duplicates: int
    superseded: int = 0
    """Versions older than the one the lake holds for their key (`updates: latest` tables)."""
    updated: int = 0
    """Of the loaded rows, newer versions of a key already in the lake (or loaded just before them)."""
    already_quarantined: int = 0
    """Of the quarantined rows, those an earlier ingest of the same content already put there."""
    compacted: bool = False
    warnings: list[str] = field(default_factory=list)
    """What went wrong after the rows were safely in the lake, e.g. the log line not written."""
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    lake_file: Path | None = None
    quarantine_file: Path | None = None
    sample_problems: list[str] = field(default_factory=list)
    """The first few reasons rows were quarantined, each starting with its line."""

    def summary(self) -> str:
        """One line for the command line."""
        text = f"{self.source} → {self.table}: {self.rows_read} rows read, {self.loaded} loaded"
        if self.updated:
            text += f" ({self.updated} update{'s' if self.updated != 1 else ''})"
        text += f", {self.quarantined} quarantined"
        if self.already_quarantined:
            text += f" ({self.already_quarantined} already in quarantine)"
        text += f", {self.duplicates} duplicates"
        if self.superseded:
            text += f", {self.superseded} superseded"
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
        if self.compacted:
            text += "; table compacted"
        for warning in self.warnings:
            text += f"; warning: {warning}"
        return text

    def log_entry(self) -> dict[str, object]:
        entry = asdict(self)
        for key in ("lake_file", "quarantine_file"):
            entry[key] = str(entry[key]) if entry[key] is not None else None
        return {"time": datetime.now(UTC).isoformat(timespec="seconds"), **entry}


def ingest_file(table: str, path: str | Path, *, encoding: str | None = None, lake_dir: Path | None = None,
                contracts: Contracts | None = None, hierarchy: Hierarchy | None = None) -> IngestResult:
    """Read one source file and ingest it into `table`. Raises IngestError on a fatal problem."""
    path = Path(path)
    source = str(path)
    contract = _contract(contracts, table, source)
    try:
        raw = read_source(path, encoding, header_check(contract))
    except ReadError as exc:
        raise IngestError(source, exc.problem, exc.line) from None
    except OSError as exc:
        raise IngestError(source, f"cannot read the file ({exc.strerror or exc})") from None
    return _ingest(contract, raw.frame, raw.line_numbers, source=source, encoding=raw.encoding,
                   header_line=raw.header_line, read_problems=raw.row_problems,
                   lake_dir=lake_dir, hierarchy=hierarchy, source_sha256=lambda: _file_sha256(path))


def ingest_frame(table: str, df: pd.DataFrame, *, source: str, lake_dir: Path | None = None,
                 contracts: Contracts | None = None, hierarchy: Hierarchy | None = None,
                 line_numbers: Sequence[int] | np.ndarray | None = None, now: datetime | None = None) -> IngestResult:
    """Ingest rows already in a DataFrame (text or typed values). `line_numbers` default to 1, 2, …;
    `now` is the time values may not lie beyond (default: the clock, see `validate.check_rows`)."""
    contract = _contract(contracts, table, source)
    if line_numbers is None:
        lines = np.arange(1, len(df) + 1, dtype=np.int64)
    else:
        lines = np.asarray(line_numbers, dtype=np.int64)
        if len(lines) != len(df):
            raise ValueError(f"line_numbers has {len(lines)} entries for {len(df)} rows")
    return _ingest(contract, df, lines, source=source, encoding=None, header_line=None, read_problems={},
                   lake_dir=lake_dir, hierarchy=hierarchy, source_sha256=lambda: _frame_sha256(df), now=now)


def _contract(contracts: Contracts | None, table: str, source: str) -> TableContract:
    contracts = contracts if contracts is not None else load_contracts()
    if table not in contracts:
        known = ", ".join(sorted(t.name for t in contracts.tables))
        raise IngestError(source, f"unknown feed {table!r}; known feeds: {known}")
    return contracts.table(table)


def _ingest(contract: TableContract, frame: pd.DataFrame, lines: np.ndarray, *, source: str,
            encoding: str | None, header_line: int | None, read_problems: dict[int, str],
            lake_dir: Path | None, hierarchy: Hierarchy | None, source_sha256: Callable[[], str],
            now: datetime | None = None) -> IngestResult:
    match = match_columns(list(frame.columns), contract)
    if match.conflicts:
        raise IngestError(source, match.conflicts[0], header_line)
    if match.missing_required:
        names = ", ".join(f"{c.name} ({c.label_zh})" for c in match.missing_required)
        plural = "s" if len(match.missing_required) > 1 else ""
        raise IngestError(source, f"missing required column{plural} {names}", header_line)

    checked = check_rows(frame, match, contract, hierarchy if hierarchy is not None else load_hierarchy(), now=now)
    problems = _merge_problems(read_problems, checked.problems)
    bad = np.fromiter(problems, dtype=np.int64, count=len(problems))
    good = checked.table
    if len(bad):
        good_mask = np.ones(len(frame), dtype=bool)
        good_mask[bad] = False
        good = good.filter(pa.array(good_mask))
    # Hashing the source costs a read of it: only a file with rejected rows needs it.
    try:
        digest = source_sha256() if len(bad) else ""
    except OSError as exc:
        raise IngestError(source, f"cannot read the file again to identify its rejected rows ({exc})") from None
    quarantine = (_quarantine_table(contract, frame, match.positions, bad, problems, lines, source, digest)
                  if len(bad) else None)

    lake_dir = Path(lake_dir) if lake_dir is not None else paths().lake
    try:
        with lake.table_lock(lake_dir, contract.name):
            lake.clean_leftovers(lake_dir, contract.name)
            existing = lake.table_files(lake_dir, contract.name)
            if contract.keeps_latest:
                versions = lake.new_versions(
                    existing, good.select([*contract.natural_key, str(contract.version_column)]),
                    str(contract.version_column))
                load, updated, superseded = versions.load, versions.updated, versions.superseded
            else:
                load = lake.unseen_rows(existing, good.select(list(contract.natural_key)))
                updated, superseded = 0, 0
            # Taking every row copies every column: skip it in the common case of all-new rows.
            new_rows = good if len(load) == good.num_rows else good.take(pa.array(load))
            already = 0
            if quarantine is not None:
                seen = lake.quarantined_lines(lake_dir, contract.name, digest)
                if seen:
                    fresh = ~np.isin(quarantine.column("_line").to_numpy(), list(seen))
                    already = quarantine.num_rows - int(fresh.sum())
                    quarantine = quarantine.filter(pa.array(fresh)) if already < quarantine.num_rows else None
            parts = []
            # The lake part last: if publishing it fails, the quarantine file is taken back.
            if quarantine is not None:
                parts.append((lake.quarantine_dir(lake_dir, contract.name), quarantine))
            if new_rows.num_rows:
                parts.append((lake.table_dir(lake_dir, contract.name), new_rows))
            published = lake.publish(parts)
    except OSError as exc:
        raise IngestError(source, f"could not write to the lake at {lake_dir} ({exc})") from None
    except lake.LakeError as exc:
        raise IngestError(source, f"the lake cannot take rows: {exc}") from None
    # From here on the rows are in the lake: nothing may report the ingest as failed.
    result = IngestResult(
        table=contract.name, source=source, rows_read=len(frame), loaded=new_rows.num_rows,
        quarantined=len(bad), duplicates=good.num_rows - new_rows.num_rows - superseded,
        superseded=superseded, updated=updated, already_quarantined=already,
        ignored_columns=match.ignored, encoding=encoding,
        quarantine_file=published[0] if quarantine is not None else None,
        lake_file=published[-1] if new_rows.num_rows else None,
        sample_problems=[f"line {lines[row]}: {problems[row]}" for row in bad[:SAMPLE_PROBLEM_COUNT]],
    )
    try:
        lake.append_ingest_log(lake_dir, result.log_entry())
    except OSError as exc:
        result.warnings.append(f"the ingest log line could not be written to {lake_dir / lake.INGEST_LOG} "
                               f"({exc}); the rows are in the lake, do not load them again")
    _compact_if_many_parts(lake_dir, contract, result)
    return result


def _compact_if_many_parts(lake_dir: Path, contract: TableContract, result: IngestResult) -> None:
    try:
        if len(lake.table_files(lake_dir, contract.name)) > AUTO_COMPACT_PARTS:
            lake.compact(lake_dir, contract.name, contract)
            result.compacted = True
    except (OSError, lake.LakeError, duckdb.Error) as exc:
        result.warnings.append(f"the table could not be compacted ({exc}); it stays readable as it is")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _frame_sha256(frame: pd.DataFrame) -> str:
    """A hash of a frame's column names and values: the same rows give the same hash."""
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode("utf-8"))
    try:
        rows = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:  # unhashable cells (lists, dicts): hash their text instead
        rows = pd.util.hash_pandas_object(frame.astype(str), index=False)
    digest.update(rows.to_numpy().tobytes())
    return digest.hexdigest()


def _merge_problems(read_problems: dict[int, str], check_problems: dict[int, str]) -> dict[int, str]:
    """Reasons by row position, in row order; a reader's problem comes before the contract's."""
    rows = sorted(set(read_problems) | set(check_problems))
    return {row: "; ".join(p for p in (read_problems.get(row), check_problems.get(row)) if p) for row in rows}


def _quarantine_table(contract: TableContract, frame: pd.DataFrame, positions: dict[str, int], bad: np.ndarray,
                      problems: dict[int, str], lines: np.ndarray, source: str, source_sha256: str) -> pa.Table:
    rejected = frame.iloc[bad]
    columns: list[pa.Array] = []
    for column in contract.columns:
        position = positions.get(column.name)
        columns.append(as_text(rejected.iloc[:, position]) if position is not None else pa.nulls(len(bad), pa.string()))
    # Naive local time, like every timestamp in the lake.
    ingested_at = pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None).as_unit("us")
    columns += [
        pa.array([problems[row] for row in bad.tolist()], pa.string()),
        pa.array([source] * len(bad), pa.string()),
        pa.array(lines[bad], pa.int64()),
        pa.array([ingested_at] * len(bad), pa.timestamp("us")),
        pa.array([source_sha256] * len(bad), pa.string()),
    ]
    return pa.Table.from_arrays(columns, schema=lake.quarantine_schema(contract))
