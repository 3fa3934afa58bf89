"""Read-only views of the feed lake for the app: what each feed holds and how fresh it is.

Pages never open DuckDB themselves; they call functions here. Results are cached per lake state
(the names, sizes and times of its files), so a page reload costs a directory listing, and an
ingest or a new demo build is seen on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

import cockpit.duck as duck
from cockpit.config import paths
from cockpit.duck import quote
from cockpit.feeds.contracts import load_contracts
from cockpit.feeds.lake import (
    MANIFEST,
    demo_marker,
    quarantine_files,
    read_ingest_log,
    table_files,
    table_source,
)


@dataclass(frozen=True)
class DemoInfo:
    seed: int
    scale: float
    end: str
    built_at: str


def demo_info(lake_dir: Path | None = None) -> DemoInfo | None:
    """The demo marker the generator leaves in a lake it built; None for real data. Screens take
    demo provenance from the snapshot (`Reader.provenance`); this is for the lake itself (the
    demo build refusing to replace real data)."""
    raw = demo_marker(lake_dir or paths().lake)
    if raw is None:
        return None
    return DemoInfo(seed=int(raw["seed"]), scale=float(raw["scale"]), end=str(raw["end"]), built_at=str(raw["built_at"]))


def _lake_stamp(lake: Path) -> tuple:
    """Changes whenever any finished Parquet file or compaction manifest in the lake appears,
    vanishes or changes (a compaction's commit changes only its manifest)."""
    if not lake.is_dir():
        return ()
    entries = []
    for f in sorted([*lake.glob("**/*.parquet"), *lake.glob(f"*/{MANIFEST}")]):
        st = f.stat()
        entries.append((str(f.relative_to(lake)), st.st_size, st.st_mtime_ns))
    return tuple(entries)


def feed_status(lake_dir: Path | None = None) -> pd.DataFrame:
    """One row a contract table: family, table, labels, rows, latest data time, files, quarantined.

    `rows` counts records: for a table that keeps every version of a key, the latest versions.
    """
    lake = lake_dir or paths().lake
    return _feed_status(str(lake), _lake_stamp(lake)).copy()


@lru_cache(maxsize=8)
def _feed_status(lake_str: str, stamp: tuple) -> pd.DataFrame:
    lake = Path(lake_str)
    contracts = load_contracts()
    con = duck.memory()
    rows = []
    for family in contracts.families:
        for table in family.tables:
            files = table_files(lake, table.name)
            quarantine = quarantine_files(lake, table.name)
            n_rows, latest = 0, None
            if (source := table_source(lake, table.name, table)) is not None:
                latest_sql = f"max({quote(table.time_column)})" if table.time_column else "NULL"
                n_rows, latest = con.execute(f"SELECT count(*), {latest_sql} FROM {source}").fetchone()
            n_quarantined = 0
            if quarantine:
                n_quarantined = con.execute(
                    f"SELECT count(*) FROM read_parquet({[str(f) for f in quarantine]!r}, union_by_name = true)").fetchone()[0]
            rows.append({
                "family": family.name, "family_zh": family.label_zh, "family_en": family.label_en,
                "table": table.name, "label_zh": table.label_zh, "label_en": table.label_en,
                "time_column": table.time_column,
                "time_type": table.column(table.time_column).type if table.time_column else None,
                "rows": int(n_rows), "latest": _as_timestamp(latest),
                "files": len(files), "quarantined": int(n_quarantined),
            })
    con.close()
    return pd.DataFrame(rows)


def _as_timestamp(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    if isinstance(value, int):  # a year column
        return pd.Timestamp(year=value, month=12, day=31)
    return pd.Timestamp(value)


def last_ingest(lake_dir: Path | None = None) -> dict | None:
    """The newest entry of the lake's ingest log, if any."""
    entries = read_ingest_log(lake_dir or paths().lake, limit=1)
    return entries[0] if entries else None
