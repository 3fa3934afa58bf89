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

COCKPIT_NOW (ISO 8601, e.g. 2026-11-20T18:00) replays a day: tests and demonstrations on a demo
whose data ended some days ago show it as it looked then, not as late.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
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


def now() -> datetime:
    """The current local time, or COCKPIT_NOW when set."""
    fixed = os.environ.get("COCKPIT_NOW")
    return datetime.fromisoformat(fixed) if fixed else datetime.now()
