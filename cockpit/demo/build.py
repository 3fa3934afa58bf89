"""Build the demo lake: generated frames pushed through the same contract checks as any ingest.

The new lake is assembled in a sibling staging directory and swapped in only when complete, so a
build that fails or is interrupted leaves the previous lake as it was. A lake that holds data
not made by the generator is never replaced unless the caller says so.

A table whose records evolve (`updates: latest`, the 12345 orders) is delivered as its feed
would be: its history first, every version sent before the last `DAILY_DELIVERIES` days, as when
the feed was connected with its history, loaded in whole months of records (`HISTORY_LOAD_ROWS`
rows a load at least); then one delivery a day of the versions sent that day, so the ingest sees
newer versions of stored records. The table is then compacted, so the lake served holds one
current row a record and its history apart. Every other table is compacted too: the lake served
is in the compacted layout (`feeds.lake.layout_order`), sorted by month and region in row groups
that a region-and-month read of records skips by their statistics.

Tables are generated a part at a time (`generate.generate_parts`: the 12345 orders a month of
orders at a time) and ingested before the parts after them are generated, so the build holds
one load (`HISTORY_LOAD_ROWS` rows, or a month of orders where a month holds more), not the table.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from cockpit.config import now as clock_now
from cockpit.config import paths
from cockpit.demo.generate import DEFAULT_SEED, generate_parts
from cockpit.feeds import lake as feed_lake
from cockpit.feeds.contracts import TableContract, load_contracts
from cockpit.feeds.ingest import IngestResult, ingest_frame
from cockpit.query.lake import demo_info
from cockpit.regions import load_hierarchy

DEMO_MARKER = feed_lake.DEMO_MARKER
# Days at the end delivered one by one: enough for daily updates of open orders to arrive, few
# enough that the ingest calls (each reads the stored keys) stay a small part of the build.
DAILY_DELIVERIES = 5
# Rows a load of a versioned table's history holds at least (whole parts, a month of records
# each): few loads for a small demo, a month a load for a large one, so the build holds about
# this many rows or a month, whichever is more, not the table.
HISTORY_LOAD_ROWS = 250_000


class DemoError(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoReport:
    lake: Path
    results: list[IngestResult]  # one a table, in contract order; a table's deliveries summed
    seconds: float
    records: dict[str, int]  # records (orders) of the tables that keep versions; their rows are versions

    @property
    def rows(self) -> int:
        """Rows stored: every version of a record that has several."""
        return sum(r.loaded for r in self.results)


def lake_has_data(lake: Path) -> bool:
    """Whether a table of the lake holds rows: ingested parts, or a compaction's (which replace them)."""
    return lake.is_dir() and any(next(lake.glob(f"*/{pattern}"), None) is not None
                                 for pattern in (feed_lake.PART_GLOB, feed_lake.COMPACTED_GLOB))


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
    # The city is generated as it stands on the evening of `end`: its rows are judged as of then,
    # so a demo ending in the future (a rehearsal for a coming meeting) is not "in the future".
    as_of = max(clock_now(), datetime.combine(end, datetime.max.time()))
    started = time.perf_counter()
    staging = lake.with_name(lake.name + ".building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        contracts, hierarchy = load_contracts(), load_hierarchy()
        results, records = [], {}
        source = f"demo(seed={seed}, scale={scale})"
        for table, parts in generate_parts(scale=scale, seed=seed, end=end):
            contract = contracts.table(table)
            delivered = []
            for what, rows in _deliveries(parts, contract, end):
                result = ingest_frame(table, rows, source=f"{source}{what}", lake_dir=staging,
                                      contracts=contracts, hierarchy=hierarchy, now=as_of)
                del rows  # not held while the next part is generated
                _check_delivery(result)
                delivered.append(result)
            # Every table is served in the compacted layout (sorted by month and region, in row
            # groups a slice can skip); nothing reads the staging lake, so the parts compacted
            # away can go at once.
            feed_lake.compact(staging, table, contract, grace=timedelta(0))
            if contract.keeps_latest:
                # Every row delivered was loaded (`_check_delivery`): the loaded rows that were not
                # updates are each a record's first version.
                records[table] = sum(r.loaded - r.updated for r in delivered)
            results.append(_summed(delivered, f"{source} in {len(delivered)} deliveries"))
            if on_table:
                on_table(table, results[-1])
        marker = {"seed": seed, "scale": scale, "end": end.isoformat(),
                  "built_at": datetime.now().isoformat(timespec="seconds"),
                  "rows": {r.table: {"records": records[r.table], "versions": r.loaded} if r.table in records
                           else r.loaded for r in results}}
        (staging / DEMO_MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=1), encoding="utf-8")
        _swap_in(staging, lake)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return DemoReport(lake=lake, results=results, seconds=time.perf_counter() - started, records=records)


def _deliveries(parts: Iterable[pd.DataFrame], contract: TableContract,
                end: date) -> Iterator[tuple[str, pd.DataFrame]]:
    """The generated rows as the feed delivers them: (what the delivery is, its rows), in order,
    each part of the table generated only once the deliveries before it are in.

    A table that keeps versions comes as its history, every version sent before the last
    DAILY_DELIVERIES days, in loads of whole parts (a month of records each) of at least
    HISTORY_LOAD_ROWS rows (the last one what is left); then a delivery for each of those days
    (none for a day without changes) with the versions of every part sent that day. Any other
    table comes as its parts, one load each.
    """
    if not contract.keeps_latest:
        for part in parts:
            yield "", part
            del part
        return
    last_day = end.date() if isinstance(end, datetime) else end
    days = [last_day - timedelta(days=back) for back in range(DAILY_DELIVERIES - 1, -1, -1)]
    version = str(contract.version_column)
    held: list[list[pd.DataFrame]] = [[] for _ in days]  # each day's versions, until the history is in
    history: list[pd.DataFrame] = []  # the history of the parts not loaded yet
    for part in parts:
        sent = part[version].to_numpy()
        # 0: sent before the first daily delivery; k: sent on the k-th day.
        delivery = np.searchsorted(np.array(days, dtype="datetime64[D]").astype(sent.dtype), sent, side="right")
        for k, rows in enumerate(held, start=1):
            if (delivery == k).any():
                rows.append(part[delivery == k])
        history.append(part if not delivery.any() else part[delivery == 0])  # no copy when no row waits
        del part, sent, delivery
        if sum(map(len, history)) >= HISTORY_LOAD_ROWS:
            yield _history_load(history, contract, days[0])
            history = []
    if sum(map(len, history)):
        yield _history_load(history, contract, days[0])
    del history
    yield from _daily(days, held, version)


def _history_load(parts: list[pd.DataFrame], contract: TableContract, first_day: date) -> tuple[str, pd.DataFrame]:
    rows = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    parts.clear()  # the rows are held once, in the load
    return f"{_records_of(rows, contract)}, {contract.version_column} before {first_day}", rows


def _records_of(rows: pd.DataFrame, contract: TableContract) -> str:
    """Which records a load holds, by the months of their time column: ', created_at in 2025-03',
    ', created_at 2023-12 to 2024-08'."""
    if not contract.time_column:
        return ""
    months = rows[contract.time_column].to_numpy().astype("datetime64[M]")
    first, last = str(months.min()), str(months.max())
    return f", {contract.time_column} in {first}" if first == last else f", {contract.time_column} {first} to {last}"


def _daily(days: list[date], held: list[list[pd.DataFrame]], version: str) -> list[tuple[str, pd.DataFrame]]:
    """One delivery a day of the versions sent that day, in the order sent, the days in order."""
    out = []
    for day, rows in zip(days, held, strict=True):
        if rows:
            sent = pd.concat(rows, ignore_index=True).sort_values(version, kind="stable", ignore_index=True)
            out.append((f", {version} on {day}", sent))
    return out


def _check_delivery(result: IngestResult) -> None:
    """The generator's rows must all be accepted: a rejected, repeated or out-of-order row is its bug."""
    problems = result.sample_problems[:3]
    if result.duplicates:
        problems.append(f"{result.duplicates} duplicates (a key, or a version, delivered twice)")
    if result.superseded:
        problems.append(f"{result.superseded} versions older than the stored ones")
    if result.quarantined or problems:
        raise DemoError(f"the demo generator delivered rows the ingest did not load in {result.table} "
                        f"({result.source}): {'; '.join(problems)}")


def _summed(results: list[IngestResult], source: str) -> IngestResult:
    """One table's deliveries as one result: counts summed, warnings kept, files of the last delivery."""
    if len(results) == 1:
        return results[0]
    # Every count of the result (rows read, loaded, updated, …) adds up over the deliveries.
    counts = {f.name: sum(getattr(r, f.name) for r in results) for f in fields(IngestResult)
              if type(getattr(results[-1], f.name)) is int}
    return replace(results[-1], source=source, compacted=any(r.compacted for r in results),
                   warnings=[w for r in results for w in r.warnings], **counts)


def _swap_in(staging: Path, lake: Path) -> None:
    """Put the finished staging lake in place of the old one; the old one goes only after."""
    retired = lake.with_name(lake.name + ".old")
    if retired.exists():
        shutil.rmtree(retired)
    if lake.exists():
        lake.rename(retired)
    staging.rename(lake)
    shutil.rmtree(retired, ignore_errors=True)
