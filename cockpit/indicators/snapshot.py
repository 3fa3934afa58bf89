"""Published snapshots: immutable DuckDB files and the CURRENT pointer the app follows.

A refresh writes `<id>.duckdb.partial`, closes it, renames it to `<id>.duckdb`, and only then
points `CURRENT` at it with `os.replace` (atomic on POSIX). A refresh that fails or is killed at
any step leaves CURRENT, and so everything the app shows, as it was. Old snapshots beyond the
retention count are pruned; the current one never is.

Readers follow CURRENT only to a whole snapshot (`resolve_current`): a pointer that is not a
snapshot id (empty, not UTF-8, a path such as `../x`) is refused without opening anything, and a
file that does not open read-only, lacks a table or fails DuckDB's block checksums is passed
over; the newest whole snapshot in the folder is shown instead, and the damage is logged once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cockpit.duck as duck
from cockpit.config import paths
from cockpit.duck import quote
from cockpit.feeds.lake import fsync_path

log = logging.getLogger(__name__)

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
    # Indicators that could not be computed (stage: measure, breakdown, formula, composite, or
    # dependency when one they read failed), at their definition's file and line; their values
    # are those of snapshot kept_from_snapshot, computed at kept_computed_at (NULL: none yet).
    "refresh_failures": """indicator VARCHAR, system VARCHAR, stage VARCHAR, message VARCHAR, file VARCHAR,
        line INTEGER, kept_from_snapshot VARCHAR, kept_computed_at TIMESTAMP""",
}


def snapshot_dir(directory: Path | None = None) -> Path:
    return Path(directory or paths().snapshots)


def new_snapshot_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(2)


def partial_path(snapshot_id: str, directory: Path | None = None) -> Path:
    d = snapshot_dir(directory)
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{snapshot_id}{SUFFIX}.partial"


# What CURRENT may hold: a snapshot id as new_snapshot_id makes them. Never a path, so the
# pointer cannot lead a reader out of the snapshot folder; longer pointers are not read.
SNAPSHOT_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,99}")
POINTER_MAX_BYTES = 256

# The catalogue a refresh writes beside the SCHEMAS tables; the app reads all of them.
CATALOGUE_TABLES = frozenset({"indicators", "systems", "regions", "feeds", "meta"})
# Tables added after snapshots were first published: a snapshot written before them is whole,
# and its readers take their absence as "nothing of the kind" (no indicator failed).
LATER_TABLES = frozenset({"refresh_failures"})


def required_tables() -> frozenset[str]:
    """The tables without which a snapshot file is damaged, not merely old."""
    return (frozenset(SCHEMAS) - LATER_TABLES) | CATALOGUE_TABLES


@dataclass(frozen=True)
class Current:
    """The snapshot readers show. `damage` says why it is not the one CURRENT names (None when it
    is): the newest whole snapshot in the folder stands in for a damaged one."""

    path: Path
    damage: str | None = None

    @property
    def id(self) -> str:
        return self.path.name.removesuffix(SUFFIX)


def _pointer_target(d: Path) -> tuple[str | None, str | None]:
    """(snapshot id, problem) as CURRENT names it: (None, None) when nothing was ever published."""
    pointer = d / POINTER
    try:
        with pointer.open("rb") as handle:
            raw = handle.read(POINTER_MAX_BYTES + 1)
    except FileNotFoundError:
        return None, None
    except OSError as e:
        return None, f"cannot be read ({e.strerror})"
    if len(raw) > POINTER_MAX_BYTES:
        return None, f"is longer than {POINTER_MAX_BYTES} bytes: not a snapshot id"
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    if not text:
        return None, "is empty"
    if not SNAPSHOT_ID.fullmatch(text):
        # refused without touching the file system: `../x`, `/etc/x`, `sub/x` are paths, not ids
        return None, f"holds {text[:60]!r}, which is not a snapshot id; only {d} is read"
    return text, None


_checked: OrderedDict[tuple[str, int, int], str | None] = OrderedDict()
_checked_lock = threading.Lock()
_inspect_lock = threading.Lock()
CHECKS_KEPT = 64  # (file, size, mtime) versions remembered; a folder holds about five snapshots


def check_snapshot(path: Path) -> str | None:
    """None when `path` is a whole snapshot, else what is wrong with it in a few words.

    Whole: it opens read-only, holds `required_tables()`, and every row of every table reads back
    (DuckDB verifies each block's checksum as it reads, so a truncated or overwritten file that
    still opens and lists its tables fails here, not on a page). The answer is kept per file
    size and modification time: pages ask on every request, and a snapshot never changes."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "is missing"
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _checked_lock:
        if key in _checked:
            _checked.move_to_end(key)
            return _checked[key]
    # One check at a time: the requests that meet a newly published snapshot together wait for
    # the first one's answer instead of each reading the whole file.
    with _inspect_lock:
        with _checked_lock:
            if key in _checked:
                return _checked[key]
        problem = _inspect(path)
        with _checked_lock:
            _checked[key] = problem
            while len(_checked) > CHECKS_KEPT:
                _checked.popitem(last=False)
    return problem


def _inspect(path: Path) -> str | None:
    import duckdb

    try:
        con = duck.read_only(path)
    except duckdb.Error as e:
        return f"does not open as a DuckDB file ({_first_line(e)})"
    try:
        tables = {name for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        missing = sorted(required_tables() - tables)
        if missing:
            return f"lacks the table(s) {', '.join(missing)}"
        for table in sorted(tables):
            con.execute(f"SELECT max(hash(COLUMNS(*))) FROM {quote(table)}").fetchall()
    except duckdb.Error as e:
        return f"is damaged ({_first_line(e)})"
    finally:
        con.close()
    return None


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


_reported: set[tuple[str, str, str | None]] = set()
_reported_lock = threading.Lock()


def _report_once(pointer: Path, problem: str, shown: Path | None) -> None:
    """Log a damaged pointer or snapshot the first time this process meets it, not per request."""
    key = (str(pointer), problem, None if shown is None else shown.name)
    with _reported_lock:
        if key in _reported:
            return
        _reported.add(key)
    instead = f"showing {shown.name}, the newest whole snapshot" if shown else "no whole snapshot to show"
    log.warning("snapshot pointer %s: %s; %s", pointer, problem, instead)


def resolve_current(directory: Path | None = None) -> Current | None:
    """The snapshot to show: the one CURRENT names when it is whole, else the newest whole one in
    the folder (with why); None when nothing was published or no snapshot is whole."""
    d = snapshot_dir(directory)
    ident, problem = _pointer_target(d)
    if ident is None and problem is None:
        return None
    if ident is not None:
        named = d / f"{ident}{SUFFIX}"
        problem = check_snapshot(named)
        if problem is None:
            return Current(named)
        problem = f"names {named.name}, which {problem}"
    candidates = sorted((p for p in d.glob(f"*{SUFFIX}") if SNAPSHOT_ID.fullmatch(p.name.removesuffix(SUFFIX))),
                        key=lambda p: p.name, reverse=True)  # ids start with their UTC time: newest first
    shown = next((p for p in candidates if p.name != f"{ident}{SUFFIX}" and check_snapshot(p) is None), None)
    _report_once(d / POINTER, problem, shown)
    return None if shown is None else Current(shown, problem)


def current_id(directory: Path | None = None) -> str | None:
    """The id of the snapshot readers show (see resolve_current)."""
    current = resolve_current(directory)
    return None if current is None else current.id


def current_path(directory: Path | None = None) -> Path | None:
    """The snapshot readers show, and a refresh carries values over from (see resolve_current)."""
    current = resolve_current(directory)
    return None if current is None else current.path


def publish(partial: Path, directory: Path | None = None, retention: int = DEFAULT_RETENTION) -> Path:
    """Finish a written snapshot and make it current; prune old ones."""
    d = snapshot_dir(directory)
    final = partial.with_name(partial.name.removesuffix(".partial"))
    fsync_path(partial)
    os.replace(partial, final)
    tmp = d / f".{POINTER}.{secrets.token_hex(4)}"
    try:
        tmp.write_text(final.name.removesuffix(SUFFIX) + "\n", encoding="utf-8")
        fsync_path(tmp)
        os.replace(tmp, d / POINTER)
    except BaseException:
        # The pointer could not be swapped (a full disk): the new file was never current, so it
        # goes too, and the folder is as it was. Left behind, it would be "the newest whole
        # snapshot" that a damaged CURRENT falls back to, and hold the space the disk lacks.
        tmp.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise
    # Published from here on: what fails now must not report the refresh as failed.
    try:
        fsync_path(d)  # the directory entry too, so the new pointer survives a crash
        prune(d, retention)
    except OSError as e:
        log.warning("snapshot %s is published, but %s could not be synced or pruned: %s", final.name, d, e)
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

