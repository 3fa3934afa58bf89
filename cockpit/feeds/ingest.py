"""Ingest: source rows → contract check → the lake, rejected rows → quarantine.

`ingest_file` reads a CSV, XLSX, Parquet or JSON-lines file (`readers`); `ingest_frame` takes
a DataFrame someone already has (the demo generator). Both run the same path:

1. match headers to the contract (English name or label_zh); a missing required column is fatal;
2. convert and check every row (`validate`); failing rows get a reason and go to quarantine;
3. under the table's lock, drop rows whose natural key the file repeats or the lake already
   holds (`lake.unseen_rows`) and publish the quarantine and lake part files atomically;
4. append a line to the ingest log.

A fatal problem raises `IngestError` before anything is written, so the lake is untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from cockpit.config import paths
from cockpit.feeds import lake
from cockpit.feeds.contracts import Contracts, TableContract, load_contracts
from cockpit.feeds.readers import ReadError, read_source
from cockpit.feeds.validate import LOCAL_TIMEZONE, as_text, check_rows, match_columns
from cockpit.regions.hierarchy import Hierarchy, load_hierarchy

SAMPLE_PROBLEM_COUNT = 5


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
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    lake_file: Path | None = None
    quarantine_file: Path | None = None
    sample_problems: list[str] = field(default_factory=list)
    """The first few reasons rows were quarantined, each starting with its line."""

    def summary(self) -> str:
        """One line for the command line."""
        text = (f"{self.source} → {self.table}: {self.rows_read} rows read, {self.loaded} loaded, "
                f"{self.quarantined} quarantined, {self.duplicates} duplicates")
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
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
        raw = read_source(path, encoding)
    except ReadError as exc:
        raise IngestError(source, exc.problem, exc.line) from None
    except OSError as exc:
        raise IngestError(source, f"cannot read the file ({exc.strerror or exc})") from None
    return _ingest(contract, raw.frame, raw.line_numbers, source=source, encoding=raw.encoding,
                   header_line=raw.header_line, read_problems=raw.row_problems,
                   lake_dir=lake_dir, hierarchy=hierarchy)


def ingest_frame(table: str, df: pd.DataFrame, *, source: str, lake_dir: Path | None = None,
                 contracts: Contracts | None = None, hierarchy: Hierarchy | None = None,
                 line_numbers: Sequence[int] | np.ndarray | None = None) -> IngestResult:
    """Ingest rows already in a DataFrame (text or typed values). `line_numbers` default to 1, 2, …"""
    contract = _contract(contracts, table, source)
    if line_numbers is None:
        lines = np.arange(1, len(df) + 1, dtype=np.int64)
    else:
        lines = np.asarray(line_numbers, dtype=np.int64)
        if len(lines) != len(df):
            raise ValueError(f"line_numbers has {len(lines)} entries for {len(df)} rows")
    return _ingest(contract, df, lines, source=source, encoding=None, header_line=None, read_problems={},
                   lake_dir=lake_dir, hierarchy=hierarchy)


def _contract(contracts: Contracts | None, table: str, source: str) -> TableContract:
    contracts = contracts if contracts is not None else load_contracts()
    if table not in contracts:
        known = ", ".join(sorted(t.name for t in contracts.tables))
        raise IngestError(source, f"unknown feed {table!r}; known feeds: {known}")
    return contracts.table(table)


def _ingest(contract: TableContract, frame: pd.DataFrame, lines: np.ndarray, *, source: str,
            encoding: str | None, header_line: int | None, read_problems: dict[int, str],
            lake_dir: Path | None, hierarchy: Hierarchy | None) -> IngestResult:
    match = match_columns(list(frame.columns), contract)
    if match.conflicts:
        raise IngestError(source, match.conflicts[0], header_line)
    if match.missing_required:
        names = ", ".join(f"{c.name} ({c.label_zh})" for c in match.missing_required)
        plural = "s" if len(match.missing_required) > 1 else ""
        raise IngestError(source, f"missing required column{plural} {names}", header_line)

    checked = check_rows(frame, match, contract, hierarchy if hierarchy is not None else load_hierarchy())
    problems = _merge_problems(read_problems, checked.problems)
    bad = np.fromiter(problems, dtype=np.int64, count=len(problems))
    good = checked.table
    if len(bad):
        good_mask = np.ones(len(frame), dtype=bool)
        good_mask[bad] = False
        good = good.filter(pa.array(good_mask))
    quarantine = _quarantine_table(contract, frame, match.positions, bad, problems, lines, source) if len(bad) else None

    lake_dir = Path(lake_dir) if lake_dir is not None else paths().lake
    try:
        with lake.table_lock(lake_dir, contract.name):
            existing = lake.table_files(lake_dir, contract.name)
            unseen = lake.unseen_rows(existing, good.select(list(contract.natural_key)))
            # Taking every row copies every column: skip it in the common case of all-new rows.
            new_rows = good if len(unseen) == good.num_rows else good.take(pa.array(unseen))
            parts = []
            # Quarantine first: if publishing the lake file fails, the quarantine file is taken back.
            if quarantine is not None:
                parts.append((lake.quarantine_dir(lake_dir, contract.name), quarantine))
            if new_rows.num_rows:
                parts.append((lake.table_dir(lake_dir, contract.name), new_rows))
            published = lake.publish(parts)
            result = IngestResult(
                table=contract.name, source=source, rows_read=len(frame), loaded=new_rows.num_rows,
                quarantined=len(bad), duplicates=good.num_rows - new_rows.num_rows,
                ignored_columns=match.ignored, encoding=encoding,
                quarantine_file=published[0] if quarantine is not None else None,
                lake_file=published[-1] if new_rows.num_rows else None,
                sample_problems=[f"line {lines[row]}: {problems[row]}" for row in bad[:SAMPLE_PROBLEM_COUNT]],
            )
            lake.append_ingest_log(lake_dir, result.log_entry())
    except OSError as exc:
        raise IngestError(source, f"could not write to the lake at {lake_dir} ({exc})") from None
    return result


def _merge_problems(read_problems: dict[int, str], check_problems: dict[int, str]) -> dict[int, str]:
    """Reasons by row position, in row order; a reader's problem comes before the contract's."""
    rows = sorted(set(read_problems) | set(check_problems))
    return {row: "; ".join(p for p in (read_problems.get(row), check_problems.get(row)) if p) for row in rows}


def _quarantine_table(contract: TableContract, frame: pd.DataFrame, positions: dict[str, int], bad: np.ndarray,
                      problems: dict[int, str], lines: np.ndarray, source: str) -> pa.Table:
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
    ]
    return pa.Table.from_arrays(columns, schema=lake.quarantine_schema(contract))
