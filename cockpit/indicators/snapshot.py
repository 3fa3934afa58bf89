"""Published snapshots: immutable DuckDB files and the CURRENT pointer the app follows.

A refresh writes `<id>.duckdb.partial`, closes it, renames it to `<id>.duckdb`, and only then
points `CURRENT` at it with `os.replace` (atomic on POSIX). A refresh that fails or is killed at
any step leaves CURRENT, and so everything the app shows, as it was. Old snapshots beyond the
retention count are pruned; the current one never is.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from cockpit.config import paths
from cockpit.feeds.lake import fsync_path

POINTER = "CURRENT"
SUFFIX = ".duckdb"
DEFAULT_RETENTION = 5

# The tables of a snapshot file: the app's contract with the engine. Written empty when a
# refresh has nothing for them (no composites yet, no alert breached).
SCHEMAS: dict[str, str] = {
    "indicator_values": """indicator VARCHAR, level VARCHAR, frequency VARCHAR, region VARCHAR, period_start DATE,
        value DOUBLE, imputed BOOLEAN, system VARCHAR, period VARCHAR, provisional BOOLEAN, parent VARCHAR,
        rank DOUBLE, peer_count DOUBLE, percentile DOUBLE""",
    "composite_parts": """indicator VARCHAR, child VARCHAR, region VARCHAR, level VARCHAR, frequency VARCHAR,
        period_start DATE, child_value DOUBLE, score DOUBLE, weight DOUBLE, share DOUBLE, imputed BOOLEAN""",
    "explanations": """indicator VARCHAR, region VARCHAR, level VARCHAR, frequency VARCHAR, period_start DATE,
        previous_start DATE, value_change DOUBLE, rank_change DOUBLE, child VARCHAR, contribution DOUBLE,
        contribution_points DOUBLE, child_change DOUBLE, is_driver BOOLEAN, text_zh VARCHAR, text_en VARCHAR""",
    "breakdowns": """indicator VARCHAR, breakdown VARCHAR, category VARCHAR, category_en VARCHAR, level VARCHAR,
        frequency VARCHAR,
        region VARCHAR, period_start DATE, value DOUBLE""",
    "sensor_status": """sensor_id VARCHAR, sensor_type VARCHAR, region_code VARCHAR, lon DOUBLE, lat DOUBLE,
        alarm BOOLEAN, warning BOOLEAN""",
    "alerts": """indicator VARCHAR, system VARCHAR, region VARCHAR, region_name VARCHAR, level VARCHAR,
        frequency VARCHAR, period VARCHAR, period_start DATE, severity VARCHAR, "on" VARCHAR, observed DOUBLE,
        threshold DOUBLE, direction VARCHAR, value DOUBLE, text_zh VARCHAR, text_en VARCHAR""",
}


def open_read_only(path: Path):
    """A read-only connection to a published snapshot. Every reader uses this one configuration:
    DuckDB refuses a second connection to a file open in this process with different settings."""
    import duckdb

    return duckdb.connect(str(path), read_only=True, config={"autoinstall_known_extensions": False,
                                                             "autoload_known_extensions": False})


def snapshot_dir(directory: Path | None = None) -> Path:
    return Path(directory or paths().snapshots)


def new_snapshot_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(2)


def partial_path(snapshot_id: str, directory: Path | None = None) -> Path:
    d = snapshot_dir(directory)
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{snapshot_id}{SUFFIX}.partial"


def current_id(directory: Path | None = None) -> str | None:
    pointer = snapshot_dir(directory) / POINTER
    try:
        value = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def current_path(directory: Path | None = None) -> Path | None:
    ident = current_id(directory)
    if ident is None:
        return None
    path = snapshot_dir(directory) / f"{ident}{SUFFIX}"
    return path if path.exists() else None


def publish(partial: Path, directory: Path | None = None, retention: int = DEFAULT_RETENTION) -> Path:
    """Finish a written snapshot and make it current; prune old ones."""
    d = snapshot_dir(directory)
    final = partial.with_name(partial.name.removesuffix(".partial"))
    fsync_path(partial)
    os.replace(partial, final)
    tmp = d / f".{POINTER}.{secrets.token_hex(4)}"
    tmp.write_text(final.name.removesuffix(SUFFIX) + "\n", encoding="utf-8")
    fsync_path(tmp)
    os.replace(tmp, d / POINTER)
    fsync_path(d)  # the directory entry too, so the new pointer survives a crash
    prune(d, retention)
    return final


def prune(directory: Path | None = None, retention: int = DEFAULT_RETENTION) -> list[Path]:
    """Delete all but the newest `retention` snapshots (never the current one) and stale partials."""
    d = snapshot_dir(directory)
    current = current_id(d)
    done = sorted(d.glob(f"*{SUFFIX}"), key=lambda p: p.name, reverse=True)
    removed = []
    for old in done[max(retention, 1):]:
        if old.name.removesuffix(SUFFIX) != current:
            old.unlink(missing_ok=True)
            Path(str(old) + ".wal").unlink(missing_ok=True)
            removed.append(old)
    return removed


@contextmanager
def writer_lock(directory: Path | None = None) -> Iterator[None]:
    """One refresh at a time per snapshot directory; a second one waits for the first."""
    d = snapshot_dir(directory)
    d.mkdir(parents=True, exist_ok=True)
    with (d / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discard_partials(directory: Path | None = None) -> None:
    """Remove what a killed refresh left half-written (call only while holding writer_lock)."""
    for partial in snapshot_dir(directory).glob(f"*{SUFFIX}.partial*"):
        partial.unlink(missing_ok=True)

