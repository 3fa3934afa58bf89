"""Faults met in service, each held (issue #13): a refresh killed part-way, a corrupt or truncated
file at ingest, the current snapshot file deleted or overwritten while the app serves it, a full
disk during ingest and during refresh, and the state store gone or locked.

What is held elsewhere is not repeated here: a damaged pointer or snapshot file at the resolver
(`test_snapshot_fallback.py`), a failing rename during ingest (`test_lake.py`), the fatal file
problems of a small lake (`test_ingest.py`), an unusable state store URL (`test_state_store.py`).

The full-disk tests fill a small tmpfs mounted for the test (root on Linux); where mounting is not
permitted they are skipped, saying why. The SIGKILL and full-disk tests run the `cockpit` command
in its own process, as an operator does.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from cockpit import duck
from cockpit.feeds import lake
from cockpit.feeds.contracts import load_contracts
from cockpit.feeds.ingest import IngestError, ingest_file
from cockpit.indicators import snapshot as store
from tests.test_ingest import hotline_row, write_csv
from tests.test_ingest import snapshot as file_hashes
from tests.test_server_hardening import UPDATE, body_for
from tests.test_snapshot_fallback import NEW, OLD, _garbage, _router_layout, two_copies

REPO_ROOT = Path(__file__).resolve().parents[1]
PROCESS_TIMEOUT = 180  # a loaded 2-core machine: the demo refresh takes about 10 s when idle


# -- helpers -------------------------------------------------------------------------------------

def cockpit(args: list[str], env: dict[str, str], **popen) -> subprocess.Popen:
    """The `cockpit` command in its own process, its output captured."""
    return subprocess.Popen([sys.executable, "-m", "cockpit.cli", *args], cwd=REPO_ROOT,
                            env={**os.environ, "COLUMNS": "200", **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def lake_counts(lake_dir: Path) -> dict[str, tuple[int, int, int]]:
    """Per table: (records, stored versions, quarantined rows)."""
    con = duck.memory()

    def rows(source: str | None) -> int:
        return 0 if source is None else con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]

    counts = {}
    for table in load_contracts().tables:
        quarantined = [str(p) for p in lake.quarantine_files(lake_dir, table.name)]
        counts[table.name] = (rows(lake.table_source(lake_dir, table.name)),
                              rows(lake.history_source(lake_dir, table.name)),
                              rows(f"read_parquet({quarantined!r})") if quarantined else 0)
    con.close()
    return counts


def copy_snapshot_folder(demo_snapshots: Path, target: Path) -> Path:
    """The current demo snapshot and its CURRENT pointer, copied into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    current = store.current_path(demo_snapshots)
    shutil.copyfile(current, target / current.name)
    shutil.copyfile(demo_snapshots / store.POINTER, target / store.POINTER)
    return target / current.name


def snapshot_folder_state(directory: Path) -> dict[str, str]:
    """What a snapshot folder holds, by content: its lock file aside (made by the first refresh)."""
    return {name: digest for name, digest in file_hashes(directory).items() if name != ".lock"}


def orders_csv(path: Path, count: int, first: int = 0) -> Path:
    """A hotline_orders CSV of new, good orders; each has request text that does not compress."""
    noise = random.Random(first)
    return write_csv(path, [{**hotline_row(i), "order_id": f"F{i:07d}", "request_text": noise.randbytes(100).hex()}
                            for i in range(first, first + count)])


@contextmanager
def small_disk(path: Path, size_bytes: int) -> Iterator[Path]:
    """A tmpfs of about `size_bytes` mounted at `path` for the block: a disk that can be filled."""
    path.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root and mount(8)")
    kib = size_bytes // 1024 + 1
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=0755", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill here ({mounted.stderr.strip() or mounted.returncode})")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk with a file, leaving about `leave` bytes free: a write larger than that fails
    part-way with ENOSPC, as on a disk that fills up."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        st = os.statvfs(disk)
        chunk = b"\0" * (1 << 20)
        free = st.f_bavail * st.f_frsize - leave
        while free > 0:
            free -= os.write(fd, chunk[:min(len(chunk), free)])
    finally:
        os.close(fd)
    st = os.statvfs(disk)
    assert st.f_bavail * st.f_frsize <= leave + 64 * 1024
    return filler


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


# -- 1. a refresh killed part-way ----------------------------------------------------------------

def _partial_bytes(folder: Path) -> int:
    """How much of a new snapshot is written (its file and its WAL, under their temporary names)."""
    written = 0
    for path in folder.glob(f"*{store.SUFFIX}.partial*"):
        try:
            written += path.stat().st_size
        except FileNotFoundError:  # renamed or removed since it was listed
            pass
    return written


@pytest.mark.slow
def test_a_refresh_killed_while_writing_its_snapshot_leaves_the_current_one_and_the_next_publishes(
        tmp_path, demo_lake, demo_snapshots, monkeypatch):
    from cockpit.indicators.refresh import refresh
    from cockpit.query.snapshot import Snapshot, current_snapshot

    lake_copy, folder = tmp_path / "lake", tmp_path / "snapshots"
    shutil.copytree(demo_lake, lake_copy)
    current = copy_snapshot_folder(demo_snapshots, folder)
    before = snapshot_folder_state(folder)
    process = cockpit(["refresh"], {"COCKPIT_LAKE_DIR": str(lake_copy), "COCKPIT_SNAPSHOT_DIR": str(folder),
                                    "COCKPIT_STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}"})
    deadline = time.monotonic() + PROCESS_TIMEOUT
    try:
        # killed in the middle of writing the new snapshot: its file has begun, nothing is swapped
        while _partial_bytes(folder) < 512 * 1024:
            assert process.poll() is None, f"the refresh ended before it was killed: {process.communicate()}"
            assert time.monotonic() < deadline, "the refresh never began writing its snapshot"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=PROCESS_TIMEOUT)
    assert process.returncode == -signal.SIGKILL

    # a half-written file is left, under its temporary name; nothing names it
    assert list(folder.glob(f"*{store.SUFFIX}.partial*"))
    assert [p.name for p in folder.glob(f"*{store.SUFFIX}")] == [current.name]
    assert {k: v for k, v in snapshot_folder_state(folder).items() if ".partial" not in k} == before
    assert store.resolve_current(folder) == store.Current(current)  # whole, and no damage to say
    monkeypatch.setenv("COCKPIT_SNAPSHOT_DIR", str(folder))
    shown = current_snapshot()
    assert shown.id == current.name.removesuffix(store.SUFFIX) and shown.damage is None
    indicators = len(shown.indicators())
    assert indicators and len(shown.series("gdp_ytd", "330000", "quarter"))

    # the next refresh clears what the killed one left and publishes, carrying values over from it
    report = refresh(lake_dir=lake_copy, snapshot_dir=folder, only="services")
    assert store.current_path(folder) == report.path != current
    assert not list(folder.glob("*.partial*"))
    assert len(Snapshot(report.path).indicators()) == indicators


# -- 2. a corrupt or truncated file at ingest ----------------------------------------------------

def _parquet(tmp: Path) -> bytes:
    path = tmp / "whole.parquet"
    pd.DataFrame([{**hotline_row(i), "order_id": f"P{i:06d}"} for i in range(500)]).to_parquet(path)
    return path.read_bytes()


def _truncated_parquet(tmp: Path) -> Path:
    data = _parquet(tmp)
    (path := tmp / "orders.parquet").write_bytes(data[:len(data) // 2])
    return path


def _parquet_without_its_last_bytes(tmp: Path) -> Path:
    (path := tmp / "orders.parquet").write_bytes(_parquet(tmp)[:-3])
    return path


def _csv_cut_inside_a_character(tmp: Path) -> Path:
    data = orders_csv(tmp / "whole.csv", 300).read_bytes()
    cut = data.rindex("已办结".encode()) + 1  # the first byte of 已's three
    (path := tmp / "orders.csv").write_bytes(data[:cut])
    return path


def _binary(name: str):
    def make(tmp: Path) -> Path:
        (path := tmp / name).write_bytes(random.Random(name).randbytes(64 * 1024))
        return path
    make.__name__ = f"_garbage_{name.replace('.', '_')}"
    return make


def _truncated_workbook(tmp: Path) -> Path:
    whole = tmp / "whole.xlsx"
    pd.DataFrame([hotline_row(i) for i in range(200)]).to_excel(whole, index=False)
    data = whole.read_bytes()
    (path := tmp / "orders.xlsx").write_bytes(data[:len(data) // 2])
    return path


CORRUPT = [
    # (make the file, the file name and line as the message shows them, the problem)
    (_truncated_parquet, "orders.parquet", "a truncated Parquet file: it starts with the PAR1 marker but does not end"),
    (_parquet_without_its_last_bytes, "orders.parquet", "a truncated Parquet file"),
    (_csv_cut_inside_a_character, "orders.csv, line 301", "ends in the middle of a UTF-8 character: it was cut short"),
    (_binary("orders.csv"), "orders.csv, line 1", "the bytes are neither UTF-8 nor GB18030"),
    (_binary("orders.jsonl"), "orders.jsonl, line 1", "the bytes are neither UTF-8 nor GB18030"),
    (_binary("orders.parquet"), "orders.parquet", "not a Parquet file: it starts with bytes"),
    (_binary("orders.xlsx"), "orders.xlsx, line 1", "not an Excel .xlsx workbook: it starts with bytes"),
    (_truncated_workbook, "orders.xlsx", "not a readable Excel .xlsx workbook, damaged or cut short"),
]


@pytest.fixture()
def lake_copy(tmp_path, demo_lake) -> Path:
    """A copy of the demo lake that a test may ingest into."""
    shutil.copytree(demo_lake, tmp_path / "lake")
    return tmp_path / "lake"


@pytest.mark.parametrize(("make", "where", "problem"), CORRUPT, ids=[c[0].__name__.strip("_") for c in CORRUPT])
def test_a_corrupt_or_truncated_file_is_refused_naming_it_and_the_lake_keeps_every_row(
        tmp_path, lake_copy, make, where: str, problem: str):
    counts, files = lake_counts(lake_copy), file_hashes(lake_copy)
    path = make(tmp_path)
    with pytest.raises(IngestError) as refused:
        ingest_file("hotline_orders", path, lake_dir=lake_copy)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path}/{where}: ") and problem in message, message
    assert "\n" not in message
    assert lake_counts(lake_copy) == counts  # records, versions and quarantine of every table
    assert file_hashes(lake_copy) == files  # not a byte changed, no file left behind


def test_a_csv_cut_mid_row_loads_the_whole_rows_and_quarantines_the_cut_one(tmp_path, lake_copy):
    counts = lake_counts(lake_copy)
    stored = set(duck.memory().execute(
        f"SELECT order_id, updated_at FROM {lake.table_source(lake_copy, 'hotline_orders')}").fetchall())
    data = orders_csv(tmp_path / "whole.csv", 300).read_bytes()
    cut = tmp_path / "orders.csv"
    cut.write_bytes(data[:data.rindex(b",2026-10-01 08:00:00") + 8])  # the last row stops inside its created_at
    result = ingest_file("hotline_orders", cut, lake_dir=lake_copy)
    assert (result.rows_read, result.loaded, result.quarantined) == (300, 299, 1)
    assert result.sample_problems[0].startswith("line 301: line has 8 fields, the header has 13")
    after = lake_counts(lake_copy)
    assert {t: c for t, c in after.items() if t != "hotline_orders"} == \
        {t: c for t, c in counts.items() if t != "hotline_orders"}
    records, versions, quarantined = counts["hotline_orders"]
    assert after["hotline_orders"] == (records + 299, versions + 299, quarantined + 1)
    kept = set(duck.memory().execute(
        f"SELECT order_id, updated_at FROM {lake.table_source(lake_copy, 'hotline_orders')}").fetchall())
    assert stored <= kept  # every record stored before is there, at its version


# -- 3. the current snapshot file deleted or overwritten while the app serves it -----------------

@pytest.fixture()
def served_folder(tmp_path, use_demo_lake, demo_snapshots, monkeypatch) -> Path:
    """Two whole copies of the demo snapshot, OLD and NEW, CURRENT naming NEW (as in
    test_snapshot_fallback), the app pointed at them."""
    folder = two_copies(demo_snapshots, tmp_path / "snapshots")
    monkeypatch.setenv("COCKPIT_SNAPSHOT_DIR", str(folder))
    return folder


def _delete(folder: Path) -> None:
    (folder / f"{NEW}{store.SUFFIX}").unlink()


@pytest.mark.parametrize(("damage", "said"), [(_delete, "is missing"), (_garbage, "")],
                         ids=["deleted", "overwritten with garbage"])
def test_the_snapshot_served_deleted_or_overwritten_the_pages_say_so_and_show_the_previous_whole_one(
        served_folder, sign_in, damage, said):
    from cockpit.query.snapshot import current_snapshot
    from cockpit.web import create_app

    client = sign_in(create_app())
    for path in ("/", "/screen", "/governance"):
        assert client.get(path).status_code == 200
        assert "snapshot-fallback" not in _router_layout(client, path)
    assert current_snapshot().id == NEW
    damage(served_folder)  # while this process has NEW open and its results kept
    shown = current_snapshot()
    assert shown.id == OLD and shown.damage.startswith(f"names {NEW}{store.SUFFIX}, which {said}")
    for path in ("/", "/screen", "/governance"):
        assert client.get(path).status_code == 200
        text = _router_layout(client, path)
        assert "snapshot-fallback" in text and "快照损坏，显示" in text, path
    assert "Snapshot damaged" in _router_layout(client, "/", "?lang=en")
    assert client.get("/readyz").status_code == 200  # a whole snapshot is served: the worker is ready


# -- 4. a full disk during ingest and during refresh ---------------------------------------------

def test_a_full_disk_during_ingest_is_one_line_and_the_lake_and_snapshot_are_as_they_were(
        tmp_path, demo_lake, demo_snapshots):
    lake_size = sum(p.stat().st_size for p in demo_lake.rglob("*") if p.is_file())
    source = orders_csv(tmp_path / "orders.csv", 3000)
    folder = tmp_path / "snapshots"
    copy_snapshot_folder(demo_snapshots, folder)
    with small_disk(tmp_path / "disk", lake_size + 4 * 1024 * 1024) as disk:
        lake_dir = disk / "lake"
        shutil.copytree(demo_lake, lake_dir)
        counts, files, snapshots = lake_counts(lake_dir), file_hashes(lake_dir), snapshot_folder_state(folder)
        filler = fill(disk, leave=64 * 1024)  # room for a few blocks, not for the new part (hundreds of kB)
        process = cockpit(["ingest", "hotline_orders", str(source)], {
            "COCKPIT_LAKE_DIR": str(lake_dir), "COCKPIT_SNAPSHOT_DIR": str(folder),
            "COCKPIT_STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}"})
        _, stderr = process.communicate(timeout=PROCESS_TIMEOUT)
        assert process.returncode == 1, stderr
        assert "Traceback" not in stderr
        [line] = error_lines(stderr)
        assert line.startswith(f"error: {source}: could not write to the lake at {lake_dir} ("), line
        assert "No space left on device" in line
        assert lake_counts(lake_dir) == counts and file_hashes(lake_dir) == files  # no part, no temporary file
        assert snapshot_folder_state(folder) == snapshots
        # with room again, the same file loads whole: nothing of it was half-stored
        filler.unlink()
        assert ingest_file("hotline_orders", source, lake_dir=lake_dir).loaded == 3000


@pytest.mark.slow
def test_a_full_disk_during_refresh_is_one_line_and_the_current_snapshot_stays(tmp_path, demo_lake, demo_snapshots):
    size = store.current_path(demo_snapshots).stat().st_size
    lake_files = file_hashes(demo_lake)
    with small_disk(tmp_path / "disk", size + 8 * 1024 * 1024) as disk:
        folder = disk / "snapshots"
        current = copy_snapshot_folder(demo_snapshots, folder)
        before = snapshot_folder_state(folder)
        fill(disk, leave=2 * 1024 * 1024)  # the new snapshot (as large as the current one) stops 2 MB in
        process = cockpit(["refresh", "--only", "services"], {
            "COCKPIT_LAKE_DIR": str(demo_lake), "COCKPIT_SNAPSHOT_DIR": str(folder),
            "COCKPIT_STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}"})
        _, stderr = process.communicate(timeout=PROCESS_TIMEOUT)
        assert process.returncode == 1, stderr
        assert "Traceback" not in stderr
        [line] = error_lines(stderr)
        assert line.startswith(f"error: could not write the snapshot in {folder}: "), line
        assert "No space left on device" in line
        assert line.endswith(f"nothing was published (snapshot {current.name.removesuffix(store.SUFFIX)} "
                             "is still the current one)"), line
        assert snapshot_folder_state(folder) == before  # CURRENT, the snapshot, and no partial file
        assert store.resolve_current(folder) == store.Current(current)
    assert file_hashes(demo_lake) == lake_files


def _enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_a_full_disk_at_the_pointer_swap_publishes_nothing_and_leaves_no_file(tmp_path, demo_snapshots,
                                                                             monkeypatch, failing):
    """The one write a tmpfs cannot be made to fail at on purpose: the new snapshot is whole on
    disk and the few bytes of the new pointer do not fit (or fail at fsync, as delayed allocation
    does). The new file goes too: left, it would be what a damaged CURRENT falls back to."""
    folder = tmp_path / "snapshots"
    current = copy_snapshot_folder(demo_snapshots, folder)
    before = snapshot_folder_state(folder)
    partial = store.partial_path(store.new_snapshot_id(), folder)
    shutil.copyfile(current, partial)
    if failing == "write":
        real_write = Path.write_text

        def write_text(self, *args, **kwargs):
            if self.name.startswith(f".{store.POINTER}."):
                self.touch()  # made, then full before its first byte
                _enospc()
            return real_write(self, *args, **kwargs)

        monkeypatch.setattr(Path, "write_text", write_text)
    else:
        real_fsync = store.fsync_path
        monkeypatch.setattr(store, "fsync_path", lambda path: _enospc() if Path(path).name.startswith(
            f".{store.POINTER}.") else real_fsync(path))
    with pytest.raises(OSError, match="No space left on device"):
        store.publish(partial, folder)
    partial.unlink(missing_ok=True)  # the caller's part (refresh removes it in its `finally`)
    assert snapshot_folder_state(folder) == before
    assert store.resolve_current(folder) == store.Current(current)


# -- 5. the state store gone or locked -----------------------------------------------------------

@pytest.fixture()
def signed_in(use_demo_lake, sign_in, tmp_path, monkeypatch):
    """(app, a client signed in as a province leader), the state store an SQLite file of its own
    folder (`state/state.sqlite`), so the folder can be taken away."""
    from cockpit.web import create_app

    monkeypatch.setenv("COCKPIT_STATE_URL", f"sqlite:///{tmp_path / 'state' / 'state.sqlite'}")
    app = create_app()
    client = sign_in(app)
    assert client.get("/").status_code == 200  # the first signed-in request registers the callbacks
    return app, client


def _grid_request(app) -> dict:
    """The records grid's first block: audited (a write to the state store) when it is sent."""
    from cockpit.query.snapshot import current_snapshot

    grid = next(o for o in app.callback_map if "records-grid.getRowsResponse" in o)
    period = current_snapshot().periods("hotline_orders", "year")[0]
    query = f"indicator=hotline_orders&region=330000&frequency=year&period={period}"
    return body_for(app, grid, [{"startRow": 0, "endRow": 100}], [query] * len(app.callback_map[grid]["state"]))


def _unavailable(response, lang: str = "zh") -> None:
    """A 503 page that says the store cannot be reached, in `lang`, and nothing of why or where."""
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:300]
    assert response.headers["Retry-After"]
    assert ("暂时无法登录或访问" if lang == "zh" else "Temporarily unavailable") in body
    assert f"lang='{'zh-CN' if lang == 'zh' else 'en'}'" in body
    for hidden in ("Traceback", "sqlite", "/tmp", "postgresql", "database is locked", "Error", "unable to open"):
        assert hidden not in body, hidden


def _sign_in_again(client):
    from tests.conftest import TEST_PASSWORD

    return client.post("/login", data={"username": "leader", "password": TEST_PASSWORD})


def _delete_the_file(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def _remove_the_folder(database: Path) -> None:
    shutil.rmtree(database.parent)


@pytest.mark.parametrize("take_away", [_delete_the_file, _remove_the_folder], ids=["file deleted", "folder removed"])
def test_a_state_store_gone_while_serving_answers_503_and_is_not_made_again_empty(signed_in, take_away):
    app, client = signed_in
    database = Path(os.environ["COCKPIT_STATE_URL"].removeprefix("sqlite:///"))
    take_away(database)
    _unavailable(client.get("/"))
    _unavailable(client.get("/governance?lang=en"), "en")
    _unavailable(client.post(UPDATE, json=_grid_request(app)))
    _unavailable(_sign_in_again(client))
    _unavailable(_sign_in_again(app.server.test_client()))
    assert client.get("/readyz").status_code == 503
    # a new empty store would have every user and session gone and the audit trail begun again
    assert not database.exists()


def test_a_state_store_on_a_closed_port_answers_503(signed_in, monkeypatch):
    pytest.importorskip("psycopg")
    from cockpit.state import store as state

    app, client = signed_in
    with socket.socket() as probe:  # a port nothing listens on: bound, then let go
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("COCKPIT_STATE_URL", f"postgresql+psycopg://cockpit:secret@127.0.0.1:{port}/cockpit")
    try:
        _unavailable(client.get("/"))
        _unavailable(client.get("/?lang=en"), "en")
        _unavailable(_sign_in_again(client))
        assert client.get("/readyz").status_code == 503
    finally:
        state.dispose_all()


@pytest.fixture()
def short_busy_timeout(monkeypatch) -> float:
    """The store's busy timeout cut to 0.3 s for the test, so a lock held "longer than it" is short."""
    from cockpit.state import store as state

    monkeypatch.setattr(state, "BUSY_TIMEOUT_MS", 300)
    state.dispose_all()  # connections take the timeout when they are made
    yield 0.3
    state.dispose_all()


def test_a_state_store_held_exclusively_by_another_process_answers_503(signed_in, short_busy_timeout):
    """Another connection holds the database in exclusive locking mode (an administrator's
    `sqlite3` shell, a backup tool) when this worker connects: nothing can be read."""
    app, client = signed_in
    holder = sqlite3.connect(os.environ["COCKPIT_STATE_URL"].removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("CREATE TABLE held (x)")
        _unavailable(client.get("/"))
        _unavailable(client.get("/?lang=en"), "en")
        _unavailable(_sign_in_again(client))
        assert client.get("/readyz").status_code == 503
    finally:
        holder.close()
    assert client.get("/").status_code == 200  # the lock let go, the same session is served again


def test_a_state_store_whose_writer_lock_is_held_serves_pages_and_refuses_sign_in_within_the_timeout(
        signed_in, short_busy_timeout):
    """Another connection holds the write lock (BEGIN EXCLUSIVE in WAL mode) past the busy
    timeout: pages that only read are served; sign-in and audited views answer 503 in about the
    timeout, not the timeout times every retry (30 × 5 s before this was fixed)."""
    app, client = signed_in
    holder = sqlite3.connect(os.environ["COCKPIT_STATE_URL"].removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("CREATE TABLE held (x)")
        assert client.get("/governance").status_code == 200
        started = time.monotonic()
        _unavailable(_sign_in_again(client))
        assert time.monotonic() - started < 10 * short_busy_timeout
        _unavailable(client.post(UPDATE, json=_grid_request(app)))  # a records view is audited, or not shown
    finally:
        holder.close()
    assert _sign_in_again(client).status_code == 303
