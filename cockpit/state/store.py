"""The state store's engine, its migrations and its write transactions.

One engine per URL and process. On SQLite every connection gets WAL mode (readers never wait for
the writer), foreign keys on and a busy timeout, and SQLAlchemy's own transaction handling is
replaced by explicit `BEGIN` so that a write transaction can be `BEGIN IMMEDIATE`: it takes the
write lock before it reads, so two writers queue instead of both reading the audit trail's last
entry. On PostgreSQL the same code runs, and the audit trail's appends take a transaction-scoped
advisory lock (see `audit.append`) for the same effect.

The schema is applied by the Alembic migrations in `migrations/` on first use in a process, under
a lock (a file lock beside an SQLite file, an advisory lock on PostgreSQL), so two workers starting
together do not both migrate. `cockpit state upgrade` does the same on demand.

An SQLite file this process has used is never created again: deleted, or its folder removed, while
the cockpit runs, every request meets a StateError (the app answers 503) instead of an empty store.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError, SQLAlchemyError

from cockpit.config import state_url

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5000
WRITE_ATTEMPTS = 30
_ADVISORY_LOCK_KEY = 0x636F636B  # "cock": the PostgreSQL advisory lock held while migrating

T = TypeVar("T")
_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
# SQLite files this process has migrated or found migrated. Kept across dispose_all (a forked
# worker's parent saw the file too): a file once in use is opened, never created again.
_sqlite_files: set[str] = set()
_lock = threading.Lock()


class StateError(Exception):
    """The state store cannot be reached or is not in a usable shape: said in one line."""


def describe(url: str) -> str:
    """The URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_file(engine: Engine) -> str | None:
    """The absolute path of an SQLite engine's database file; None in memory or for a `file:` URI."""
    database = engine.url.database
    if database in (None, "", ":memory:") or engine.url.query.get("uri") or database.startswith("file:"):
        return None
    return os.path.abspath(database)


def _sqlite_events(engine: Engine) -> None:
    path = _sqlite_file(engine)

    @event.listens_for(engine, "do_connect")
    def on_do_connect(_dialect, _record, cargs, cparams) -> None:
        # A store file deleted (or its folder removed) while the cockpit runs must be an error:
        # SQLite would quietly make a new empty one, in which every user and session is gone and
        # the audit trail starts again. Once this process has used the file, it is opened, never
        # created (`mode=rw`); the first use of a new installation still creates it.
        if path is not None and path in _sqlite_files and not cparams.get("uri"):
            cargs[0] = f"file:{quote(path)}?mode=rw"
            cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves (see on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed entry's integrity
        cursor.close()
        if path is not None:
            record.info["sqlite_file"] = _file_identity(path)

    @event.listens_for(engine, "checkout")
    def on_checkout(_dbapi_connection, record, _proxy) -> None:
        # A pooled connection keeps reading and writing the file it opened, even once that file
        # is deleted or replaced: what it wrote would be lost with the unlinked file. The file at
        # the path must still be the one the connection opened; if not, the pool drops the
        # connection and opens the path again (which fails when the file is gone: a StateError).
        if path is not None and record.info.get("sqlite_file") != _file_identity(path):
            raise DisconnectionError(f"the state store file {path} was deleted or replaced")

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def raw_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default COCKPIT_STATE_URL), without applying migrations."""
    url = url or state_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            try:
                parsed = make_url(url)
                if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, pool_pre_ping=parsed.get_backend_name() != "sqlite")
            except (SQLAlchemyError, ImportError, ValueError) as exc:
                raise StateError(f"COCKPIT_STATE_URL is not a database URL the cockpit can use ({exc}); "
                                 "e.g. sqlite:////var/lib/cockpit/state.sqlite or "
                                 "postgresql+psycopg://cockpit@/cockpit?host=/run/postgresql") from None
            if engine.dialect.name == "sqlite":
                _sqlite_events(engine)
            _engines[url] = engine
        return engine


def engine(url: str | None = None) -> Engine:
    """The engine for `url` (default COCKPIT_STATE_URL), its schema brought up to date on first use."""
    url = url or state_url()
    found = raw_engine(url)
    if url not in _migrated:
        upgrade(url)
    return found


def dispose_all() -> None:
    """Close every engine (tests switch URLs; a forked worker must not share its parent's sockets)."""
    with _lock:
        for found in _engines.values():
            found.dispose()
        _engines.clear()
        _migrated.clear()


def _alembic_config(connection: Connection):
    from alembic.config import Config

    config = Config()  # no alembic.ini: everything it would say is said here
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(url: str | None = None) -> str | None:
    """The revision the store's schema is at; None for an empty store."""
    from alembic.runtime.migration import MigrationContext

    with raw_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _migration_lock(found: Engine) -> Iterator[None]:
    """Held while migrating, across processes."""
    if found.dialect.name == "sqlite":
        database = found.url.database
        if database in (None, "", ":memory:"):
            yield
            return
        import fcntl

        with open(f"{database}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif found.dialect.name == "postgresql":
        from sqlalchemy import text

        with found.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK_KEY})
                connection.commit()
    else:
        yield


def upgrade(url: str | None = None) -> str:
    """Apply every migration not yet applied; the revision the store is at afterwards."""
    from alembic import command

    url = url or state_url()
    found = raw_engine(url)
    head = head_revision()
    try:
        if current_revision(url) != head:
            with _migration_lock(found):
                if current_revision(url) != head:  # another process may have migrated while we waited
                    with found.connect() as connection:
                        command.upgrade(_alembic_config(connection), "head")
                        connection.commit()
        at = current_revision(url)
    except SQLAlchemyError as exc:
        raise _unusable(url, exc) from exc
    if at != head:
        raise StateError(f"the state store at {describe(url)} is at revision {at}, not {head}: "
                         "it was written by a newer cockpit")
    _migrated.add(url)
    if found.dialect.name == "sqlite" and (path := _sqlite_file(found)) is not None:
        _sqlite_files.add(path)
    return head


def table_names(url: str | None = None) -> list[str]:
    return sorted(inspect(raw_engine(url)).get_table_names())


def _unusable(url: str, exc: SQLAlchemyError) -> StateError:
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return StateError(f"the state store at {describe(url)} cannot be used: {first}")


def write(work: Callable[[Connection], T], url: str | None = None) -> T:
    """Run `work(connection)` in one write transaction and commit it; retried from the start when
    the database could not serve it (SQLite still busy after its timeout, PostgreSQL's
    serialisation failure or deadlock, a dropped connection), so `work` must only touch the
    database. A unique key taken (IntegrityError) is the caller's to say in its words; what still
    fails after the retries is a StateError in one line."""
    url = url or state_url()
    found = engine(url)
    # Retries are for a store that answered at once that it could not serve (a serialisation
    # failure, a busy snapshot, a dropped connection); a lock held past the busy timeout has been
    # waited for already, and waiting for it WRITE_ATTEMPTS times over would hold the request for
    # minutes before it answers 503. So the retries stop when the busy timeout has passed.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with found.connect().execution_options(write=True) as connection, connection.begin():
                return work(connection)
        except IntegrityError:
            raise
        except OperationalError as exc:
            if attempt == WRITE_ATTEMPTS or time.monotonic() >= deadline:
                raise _unusable(url, exc) from exc
            time.sleep(random.uniform(0.001, 0.005) * min(attempt, 10))
        except SQLAlchemyError as exc:
            raise _unusable(url, exc) from exc
    raise AssertionError("unreachable")


@contextmanager
def read(url: str | None = None) -> Iterator[Connection]:
    """A connection in a read transaction (a consistent view on SQLite in WAL mode and PostgreSQL).
    A database that cannot be read is a StateError in one line."""
    url = url or state_url()
    try:
        with engine(url).connect() as connection, connection.begin():
            yield connection
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        raise _unusable(url, exc) from exc
