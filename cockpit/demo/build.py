"""Build the demo lake: generated frames pushed through the same contract checks as any ingest.

The new lake is assembled in a sibling staging directory and swapped in only when complete, so a
build that fails or is interrupted leaves the previous lake as it was. A lake that holds data
not made by the generator is never replaced unless the caller says so.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from cockpit.config import paths
from cockpit.demo.generate import DEFAULT_SEED, generate
from cockpit.feeds.contracts import load_contracts
from cockpit.feeds.ingest import IngestResult, ingest_frame
from cockpit.query.lake import demo_info
from cockpit.regions import load_hierarchy

DEMO_MARKER = "_demo.json"


class DemoError(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoReport:
    lake: Path
    results: list[IngestResult]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(r.loaded for r in self.results)


def lake_has_data(lake: Path) -> bool:
    return lake.is_dir() and any(p.name.startswith("part-") for p in lake.glob("*/part-*.parquet"))


def build_demo(
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    end: date | None = None,
    lake_dir: Path | None = None,
    replace_real_data: bool = False,
    on_table: Callable[[str, IngestResult], None] | None = None,
) -> DemoReport:
    """Generate the demo city into the lake; returns what was loaded per table."""
    lake = Path(lake_dir or paths().lake)
    if lake_has_data(lake) and demo_info(lake) is None and not replace_real_data:
        raise DemoError(f"{lake} holds data that is not demo data; refusing to replace it "
                        "(use --force to replace it, or point COCKPIT_LAKE_DIR elsewhere)")
    end = end or date.today()
    started = time.perf_counter()
    staging = lake.with_name(lake.name + ".building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        contracts, hierarchy = load_contracts(), load_hierarchy()
        results = []
        for table, frame in generate(scale=scale, seed=seed, end=end):
            result = ingest_frame(table, frame, source=f"demo(seed={seed}, scale={scale})", lake_dir=staging,
                                  contracts=contracts, hierarchy=hierarchy)
            if result.quarantined or result.duplicates:
                raise DemoError(f"the demo generator produced rows its contract rejects in {table}: "
                                f"{'; '.join(result.sample_problems[:3]) or f'{result.duplicates} duplicate keys'}")
            results.append(result)
            if on_table:
                on_table(table, result)
        marker = {"seed": seed, "scale": scale, "end": end.isoformat(),
                  "built_at": datetime.now().isoformat(timespec="seconds"),
                  "rows": {r.table: r.loaded for r in results}}
        (staging / DEMO_MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=1), encoding="utf-8")
        _swap_in(staging, lake)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return DemoReport(lake=lake, results=results, seconds=time.perf_counter() - started)


def _swap_in(staging: Path, lake: Path) -> None:
    """Put the finished staging lake in place of the old one; the old one goes only after."""
    retired = lake.with_name(lake.name + ".old")
    if retired.exists():
        shutil.rmtree(retired)
    if lake.exists():
        lake.rename(retired)
    staging.rename(lake)
    shutil.rmtree(retired, ignore_errors=True)
