"""The state tests' databases: an SQLite file, and a throw-away PostgreSQL cluster.

`state_url` is parametrised over both: a test that takes it runs once on SQLite and once on
PostgreSQL, each time on a fresh, empty database set as COCKPIT_STATE_URL. The cluster is made by
Debian's `initdb` in a temporary directory, listens on a unix socket in that directory only (no
TCP), runs with fsync off (nothing in it is kept), and is stopped when the session ends; it never
touches the distribution's own cluster. Without PostgreSQL's programs the PostgreSQL runs are
skipped, unless COCKPIT_TEST_REQUIRE_POSTGRES=1 (scripts/test.sh, hence CI) makes them fail, so a
missing server can never pass silently.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ENGINES = ("sqlite", "postgresql")
PG_USER = "cockpit"
_databases = itertools.count(1)


def _pg_bin() -> Path | None:
    """The directory of initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _as_cluster_owner(argv: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run PostgreSQL's programs as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root needs runuser (util-linux) to start PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--", *argv]


class Cluster:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))  # short: a socket path has ~100 characters
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        if os.geteuid() == 0:
            import pwd

            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    def _run(self, *argv: str) -> None:
        result = subprocess.run(_as_cluster_owner([str(self.bin / argv[0]), *argv[1:]]), capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()} {log}")

    def start(self) -> None:
        import stat

        if not stat.S_ISCHR(os.stat("/dev/null").st_mode):  # initdb's shell writes to it as postgres
            raise RuntimeError("/dev/null is not the null device but a file: something renamed a file onto "
                               "it as root (a test writing to the path '/dev/null' atomically)")
        self._run("initdb", "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-locale",
                  "--no-sync")
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.root}' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@/{database}?host={self.root}"

    def create_database(self) -> str:
        import psycopg

        name = f"state_{os.getpid()}_{next(_databases)}"
        with psycopg.connect(host=str(self.root), user=PG_USER, dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def postgres_programs() -> Path:
    """Where initdb and pg_ctl are; without them the test is skipped, or fails when
    COCKPIT_TEST_REQUIRE_POSTGRES=1."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        message = ("PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install postgresql; "
                   "scripts/test.sh installs it)")
        if os.environ.get("COCKPIT_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + ", and COCKPIT_TEST_REQUIRE_POSTGRES=1 asks for the PostgreSQL runs")
        pytest.skip(message)
    return bin_dir


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL cluster for the session (see the module's note)."""
    cluster = Cluster(postgres_programs())
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture(params=ENGINES)
def state_url(request, tmp_path, monkeypatch) -> str:
    """A fresh, empty state store on each engine, set as COCKPIT_STATE_URL for the test."""
    from cockpit.state import store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_cluster").create_database()
    monkeypatch.setenv("COCKPIT_STATE_URL", url)
    store.dispose_all()
    yield url
    store.dispose_all()  # closes the pool: the next test's database is another one


@pytest.fixture()
def fast_hashes(monkeypatch):
    """Cheap argon2 parameters: the tests check what is hashed and verified, not how slowly."""
    from argon2 import PasswordHasher

    from cockpit.state import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(accounts, "_dummy", [])
