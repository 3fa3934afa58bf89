"""Where the cockpit keeps its files.

Reference data (contracts, regions, geometry) ships in the repository under `data/`. Generated
data (the feed lake and indicator snapshots) lives under the data directory too, git-ignored.
A deployment points the cockpit elsewhere with environment variables, so one code base serves
several installations and tests run against throw-away directories.

| variable               | default              | holds                                          |
|------------------------|----------------------|------------------------------------------------|
| COCKPIT_DATA_DIR       | <repo>/data          | reference data: contracts/, regions/, geo/     |
| COCKPIT_LAKE_DIR       | <data dir>/lake      | feed lake: one folder of Parquet files a table |
| COCKPIT_SNAPSHOT_DIR   | <data dir>/snapshots | published indicator snapshots                  |
| COCKPIT_NOW            | the clock            | the time screens judge lateness against        |
| COCKPIT_STATE_URL      | sqlite:///<data dir>/state.sqlite | the state store (users, sessions, audit): a SQLAlchemy URL, e.g. postgresql+psycopg://cockpit@/cockpit |
| COCKPIT_SESSION_IDLE_MINUTES | 30             | a session ends after this long without a request |
| COCKPIT_SESSION_MAX_HOURS    | 12             | and this long after sign-in, however busy      |

COCKPIT_NOW (ISO 8601, e.g. 2026-11-20T18:00) replays a day: tests and demonstrations on a demo
whose data ended some days ago show it as it looked then, not as late.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Paths:
    data: Path
    lake: Path
    snapshots: Path

    @property
    def contracts(self) -> Path:
        return self.data / "contracts"

    @property
    def regions(self) -> Path:
        return self.data / "regions"

    @property
    def geo(self) -> Path:
        return self.data / "geo"


def paths() -> Paths:
    """Resolve the directories from the environment at call time (tests change it)."""
    data = Path(os.environ.get("COCKPIT_DATA_DIR") or REPO_ROOT / "data")
    lake = Path(os.environ.get("COCKPIT_LAKE_DIR") or data / "lake")
    snapshots = Path(os.environ.get("COCKPIT_SNAPSHOT_DIR") or data / "snapshots")
    return Paths(data=data, lake=lake, snapshots=snapshots)


def state_url() -> str:
    """Where users, sessions and the audit trail are kept: COCKPIT_STATE_URL, or an SQLite file in
    the data directory beside the lake and the snapshots (mutable state is kept out of both)."""
    return os.environ.get("COCKPIT_STATE_URL") or f"sqlite:///{paths().data / 'state.sqlite'}"


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


def session_limits() -> SessionLimits:
    """How long a sign-in lasts: idle time without a request, and the absolute limit."""
    return SessionLimits(idle=timedelta(minutes=_positive("COCKPIT_SESSION_IDLE_MINUTES", os.environ.get("COCKPIT_SESSION_IDLE_MINUTES"), 30)),
                         absolute=timedelta(hours=_positive("COCKPIT_SESSION_MAX_HOURS", os.environ.get("COCKPIT_SESSION_MAX_HOURS"), 12)))


def _positive(name: str, value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise ValueError(f"{name}={value!r} is not a positive number")
    return number


def now() -> datetime:
    """The current local time, or COCKPIT_NOW when set."""
    fixed = os.environ.get("COCKPIT_NOW")
    return datetime.fromisoformat(fixed) if fixed else datetime.now()


def clock_minute() -> datetime:
    """`now()` to the minute: views that also depend on the clock ("overdue", "late") are kept
    for a snapshot, a viewer and this minute, then built again."""
    return now().replace(second=0, microsecond=0)
