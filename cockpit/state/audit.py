"""The audit trail: who did what, to what, when and from where; append-only and tamper-evident.

Every entry stores `hash = SHA-256(previous entry's hash + the entry's canonical JSON)` (the first
entry's previous hash is 64 zeros), so editing, deleting or inserting an entry by hand breaks the
chain at that entry: `verify` walks it and names the first one. The table also refuses UPDATE and
DELETE through a trigger (see the migration), which keeps honest mistakes out; the chain is what
catches someone who drops the trigger. A chain alone cannot show that its newest entries were cut
off or re-written with fresh hashes by someone who knows this scheme: keep the head that `verify`
prints (or an export) somewhere else, and compare.

Appends are serialised: one write transaction reads the last entry and inserts the next sequence
number (on SQLite `BEGIN IMMEDIATE` makes writers queue, on PostgreSQL a transaction-scoped
advisory lock does; the sequence number's primary key would refuse a second writer anyway), so
concurrent writers never fork the chain.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select
from sqlalchemy import text as sql

from cockpit.state import store
from cockpit.state.schema import audit

GENESIS = "0" * 64
CSV_COLUMNS = ("seq", "at", "actor", "action", "target", "address", "details", "hash")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula
_APPEND_LOCK_KEY = 0x61756469  # "audi": PostgreSQL's advisory lock held by the transaction appending


def utc(moment: datetime | None = None) -> datetime:
    """`moment` (default now) as the store keeps times: naive UTC."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def details_json(details: dict | None) -> str:
    return json.dumps(details or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def printable(value: str | None, limit: int) -> str | None:
    """`value` as a column of the trail may hold it: control characters (a NUL typed at sign-in,
    which PostgreSQL refuses) as "?", cut to the column's width."""
    if value is None:
        return None
    return "".join("?" if not ch.isprintable() else ch for ch in str(value))[:limit]


def canonical(seq: int, at: datetime, actor: str, action: str, target: str | None, details: str,
              address: str | None) -> str:
    """The text an entry's hash covers: every field but the hashes, in a fixed form."""
    return json.dumps({"seq": seq, "at": utc(at).isoformat(timespec="microseconds"), "actor": actor,
                       "action": action, "target": target, "details": details, "address": address},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, text: str) -> str:
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def append(connection: Connection, actor: str, action: str, target: str | None = None,
           details: dict | None = None, address: str | None = None, *, at: datetime | None = None) -> int:
    """Append an entry inside the caller's write transaction (`store.write`), so a change and its
    entry are committed together or not at all. Its sequence number."""
    if connection.dialect.name == "postgresql":  # appenders queue here until the holder commits
        connection.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})
    last = connection.execute(select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = utc(at)
    actor, action = printable(actor, 64) or "?", printable(action, 64) or "?"
    target, address = printable(target, 256), printable(address, 64)
    body = details_json(details)
    row = {"seq": seq, "at": at, "actor": actor, "action": action, "target": target, "details": body,
           "address": address, "prev_hash": prev}
    row["hash"] = chain_hash(prev, canonical(seq, at, actor, action, target, body, address))
    connection.execute(insert(audit).values(**row))
    return seq


def record(actor: str, action: str, target: str | None = None, details: dict | None = None,
           address: str | None = None, *, at: datetime | None = None, url: str | None = None) -> int:
    """Append one entry in its own transaction; its sequence number."""
    return store.write(lambda connection: append(connection, actor, action, target, details, address, at=at), url)


@dataclass(frozen=True)
class Verdict:
    entries: int
    head_seq: int | None
    head_hash: str
    problem: str | None = None
    """What is wrong, naming the first entry edited, inserted or deleted; None: the chain holds."""
    seq: int | None = None
    """That entry's sequence number."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(url: str | None = None) -> Verdict:
    """Walk the whole chain, oldest first; stop at the first entry that breaks it."""
    expected_seq, prev, count = 1, GENESIS, 0
    with store.read(url) as connection:
        rows = connection.execution_options(yield_per=2000).execute(select(audit).order_by(audit.c.seq))
        for row in rows:
            if row.seq != expected_seq:
                if row.seq > expected_seq:
                    missing = (f"#{expected_seq}" if row.seq == expected_seq + 1
                               else f"#{expected_seq} to #{row.seq - 1}")
                    return Verdict(count, expected_seq - 1 or None, prev,
                                   f"entry {missing} is missing: deleted (the next entry is #{row.seq})",
                                   expected_seq)
                return Verdict(count, expected_seq - 1 or None, prev,
                               f"entry #{row.seq} is out of sequence: inserted by hand", row.seq)
            if row.prev_hash != prev:
                if row.seq == 1:
                    return Verdict(count, None, prev, "entry #1 does not start the chain: edited or inserted", 1)
                return Verdict(count, row.seq - 1, prev,
                               f"entry #{row.seq} does not follow entry #{row.seq - 1}: #{row.seq - 1} was "
                               f"edited or inserted by hand (its hash recomputed), or an entry between them deleted",
                               row.seq - 1)
            text = canonical(row.seq, row.at, row.actor, row.action, row.target, row.details, row.address)
            if chain_hash(prev, text) != row.hash:
                return Verdict(count, row.seq - 1 or None, prev,
                               f"entry #{row.seq} does not match its hash: it was edited, or inserted by hand",
                               row.seq)
            prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
    return Verdict(count, count or None, prev)


def entries(since: datetime | None = None, actor: str | None = None, action: str | None = None,
            limit: int | None = None, url: str | None = None) -> Iterator[dict]:
    """Entries oldest first, filtered; `action` matches exactly or, ending in `*`, as a prefix
    (`sign_in*` gives sign-ins and failed sign-ins). `limit` keeps the newest that many."""
    query = select(audit)
    if since is not None:
        query = query.where(audit.c.at >= utc(since))
    if actor is not None:
        query = query.where(audit.c.actor == actor)
    if action is not None:
        query = query.where(audit.c.action.startswith(action[:-1], autoescape=True) if action.endswith("*")
                            else audit.c.action == action)
    if limit is not None:
        newest = query.order_by(audit.c.seq.desc()).limit(limit).subquery()
        query = select(newest)
        order = newest.c.seq
    else:
        order = audit.c.seq
    with store.read(url) as connection:
        for row in connection.execution_options(yield_per=2000).execute(query.order_by(order)):
            entry = dict(row._mapping)
            entry["details"] = json.loads(entry["details"])
            yield entry


def _cell(value) -> str:
    text = "" if value is None else value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text  # a name typed at sign-in is not a formula


def export_csv(path: Path, since: datetime | None = None, actor: str | None = None,
               action: str | None = None, url: str | None = None) -> int:
    """Write the entries to `path` as CSV (UTF-8 with a BOM, for Excel); written under a temporary
    name and renamed, so a failed export leaves nothing half-written. The number of entries."""
    path = Path(path)
    count = 0
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(CSV_COLUMNS)
            for entry in entries(since, actor, action, url=url):
                entry["at"] = entry["at"].isoformat(timespec="seconds") + "Z"
                entry["details"] = details_json(entry["details"])
                writer.writerow([_cell(entry[c]) for c in CSV_COLUMNS])
                count += 1
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
