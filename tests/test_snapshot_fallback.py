"""A damaged snapshot or CURRENT pointer: the app shows the newest whole snapshot and says so, a
pointer never leads outside the snapshot folder, and a refresh carries values over from a whole one."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

import pytest

from cockpit import duck
from cockpit.indicators import snapshot as store
from cockpit.query.snapshot import NoSnapshot, current_snapshot

OLD, NEW = "20260101T000000000000Z-aaaa", "20261201T000000000000Z-bbbb"


@pytest.fixture()
def folder(tmp_path, use_demo_lake, demo_snapshots, monkeypatch) -> Path:
    """A snapshot folder holding two copies of the demo snapshot, CURRENT naming the newer one."""
    d = two_copies(demo_snapshots, tmp_path / "snapshots")
    monkeypatch.setenv("COCKPIT_SNAPSHOT_DIR", str(d))
    return d


def two_copies(demo_snapshots: Path, d: Path) -> Path:
    """`d` made to hold the demo snapshot as OLD and as NEW, CURRENT naming NEW."""
    source = store.current_path(demo_snapshots)
    d.mkdir()
    for ident in (OLD, NEW):
        shutil.copyfile(source, d / f"{ident}{store.SUFFIX}")
    (d / store.POINTER).write_text(NEW + "\n", encoding="utf-8")
    return d


def _truncate(d: Path) -> None:
    path = d / f"{NEW}{store.SUFFIX}"
    os.truncate(path, path.stat().st_size // 2)


def _flip(d: Path) -> None:
    """Bytes inverted inside a block that holds the values: the file still opens and lists its
    tables; that block's checksum fails. (The middle of the file, flipped before, could be a free
    block, depending on where DuckDB's writer put the tables: then nothing was damaged.)"""
    from cockpit import duck

    path = d / f"{NEW}{store.SUFFIX}"
    con = duck.read_only(path)  # as the app opens it (another configuration may not share its open file)
    try:
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        blocks = sorted(b for (b,) in con.execute(
            "SELECT DISTINCT block_id FROM pragma_storage_info('indicator_values') WHERE block_id >= 0").fetchall())
    finally:
        con.close()
    # a DuckDB file: three 4 KiB headers, then the blocks, each starting with its checksum
    start = 3 * 4096 + blocks[len(blocks) // 2] * block_size + 1024
    data = bytearray(path.read_bytes())
    data[start:start + 4096] = bytes(b ^ 0xFF for b in data[start:start + 4096])
    path.write_bytes(bytes(data))
    # as a worker that opens the file after the damage meets it: this process's open connection
    # has blocks of it in memory already (which blocks depends on the pages drawn before)
    import gc

    from cockpit.query import snapshot as opened

    opened._open.cache_clear()
    gc.collect()


def _garbage(d: Path) -> None:
    (d / f"{NEW}{store.SUFFIX}").write_bytes(os.urandom(64 * 1024))


def _empty_file(d: Path) -> None:
    (d / f"{NEW}{store.SUFFIX}").write_bytes(b"")


def _not_a_snapshot(d: Path) -> None:
    import duckdb

    path = d / f"{NEW}{store.SUFFIX}"
    path.unlink()
    duckdb.connect(str(path)).execute("CREATE TABLE x AS SELECT 1 AS y").close()


def _pointer(content: bytes):
    def damage(d: Path) -> None:
        (d / store.POINTER).write_bytes(content)
    return damage


def _outside(d: Path) -> None:
    """A whole snapshot outside the folder, and a pointer that tries to reach it."""
    shutil.copyfile(d / f"{NEW}{store.SUFFIX}", d.parent / f"outside{store.SUFFIX}")
    (d / store.POINTER).write_text("../outside\n", encoding="utf-8")


def _absolute(d: Path) -> None:
    shutil.copyfile(d / f"{NEW}{store.SUFFIX}", d.parent / f"outside{store.SUFFIX}")
    (d / store.POINTER).write_text(str(d.parent / "outside"), encoding="utf-8")


def _slash(d: Path) -> None:
    (d / "sub").mkdir()
    shutil.copyfile(d / f"{NEW}{store.SUFFIX}", d / "sub" / f"x{store.SUFFIX}")
    (d / store.POINTER).write_text("sub/x", encoding="utf-8")


# A damaged file: the older one is shown. A damaged pointer: the newest whole file in the folder.
DAMAGE = {
    "truncated": (_truncate, OLD), "checksum": (_flip, OLD), "garbage": (_garbage, OLD),
    "empty file": (_empty_file, OLD), "wrong tables": (_not_a_snapshot, OLD),
    "pointer not utf-8": (_pointer(b"\xff\xfe\x00bad"), NEW), "pointer empty": (_pointer(b""), NEW),
    "pointer blank": (_pointer(b"  \n"), NEW), "pointer huge": (_pointer(b"2" * 100_000), NEW),
    "pointer to a missing file": (_pointer(b"20261215T000000000000Z-cccc\n"), NEW),
    "pointer ../": (_outside, NEW), "pointer absolute": (_absolute, NEW), "pointer with a slash": (_slash, NEW),
    "pointer with a NUL": (_pointer(b"2026\x00x"), NEW),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_snapshot_or_pointer_falls_back_to_the_newest_whole_one(folder, damage, caplog):
    make, shown = DAMAGE[damage]
    make(folder)
    with caplog.at_level(logging.WARNING, logger="cockpit.indicators.snapshot"):
        for _ in range(3):
            snap = current_snapshot()
            assert snap.path == folder / f"{shown}{store.SUFFIX}"
            assert snap.damage
            assert store.current_path() == snap.path and store.current_id() == shown
    warnings = [r.getMessage() for r in caplog.records if r.name == "cockpit.indicators.snapshot"]
    assert len(warnings) == 1, warnings  # said once, not on every request
    assert str(folder / store.POINTER) in warnings[0] and shown in warnings[0]


def test_a_pointer_outside_the_folder_is_never_opened(folder, monkeypatch):
    _outside(folder)
    opened = []
    real = duck.read_only
    monkeypatch.setattr(duck, "read_only", lambda path: opened.append(Path(path)) or real(path))
    assert current_snapshot().id == NEW and current_snapshot().damage
    assert opened and all(p.parent == folder for p in opened)


def test_a_whole_snapshot_is_checked_once_per_file_version(folder, monkeypatch):
    checked = []
    real = store._inspect
    monkeypatch.setattr(store, "_inspect", lambda path: checked.append(Path(path).name) or real(path))
    for _ in range(5):
        assert current_snapshot().id == NEW and current_snapshot().damage is None
    assert checked == [f"{NEW}{store.SUFFIX}"]
    path = folder / f"{NEW}{store.SUFFIX}"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    current_snapshot()
    assert checked == [f"{NEW}{store.SUFFIX}"] * 2  # a file that changed is checked again


def test_requests_that_meet_a_new_snapshot_together_check_it_once(folder, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    checked = []
    real = store._inspect

    def slow(path):
        checked.append(Path(path).name)
        time.sleep(0.2)
        return real(path)

    monkeypatch.setattr(store, "_inspect", slow)
    with ThreadPoolExecutor(8) as pool:
        shown = list(pool.map(lambda _: current_snapshot().id, range(8)))
    assert shown == [NEW] * 8 and checked == [f"{NEW}{store.SUFFIX}"]


def test_with_no_whole_snapshot_the_pages_say_none_is_published(folder):
    _garbage(folder)
    (folder / f"{OLD}{store.SUFFIX}").write_bytes(b"DUCK" * 100)
    with pytest.raises(NoSnapshot):
        current_snapshot()
    assert store.current_path() is None and store.current_id() is None


def test_without_a_pointer_nothing_is_published(folder):
    """A first refresh killed before it swapped the pointer publishes nothing: the file is not shown."""
    (folder / store.POINTER).unlink()
    with pytest.raises(NoSnapshot):
        current_snapshot()


def _router_layout(client, path: str, search: str = "") -> str:
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return json.dumps(r.get_json(), ensure_ascii=False)


@pytest.mark.parametrize("path", ["/", "/screen", "/screen/economy", "/waste-free", "/governance", "/economy",
                                  "/environment", "/infrastructure", "/indicator/hotline_closure_rate"])
def test_pages_show_the_fallback_notice(folder, path, sign_in):
    from cockpit.web import create_app

    client = sign_in(create_app())
    assert client.get(path).status_code == 200
    assert "snapshot-fallback" not in _router_layout(client, path)  # nothing to say while all is well
    _flip(folder)
    assert client.get(path).status_code == 200
    text = _router_layout(client, path)
    assert "snapshot-fallback" in text and "快照损坏，显示" in text and "的上一版本" in text
    assert "Snapshot damaged" in _router_layout(client, path, "?lang=en")


@pytest.mark.parametrize("path", ["/", "/screen", "/waste-free"])
def test_pages_with_no_whole_snapshot_show_the_no_snapshot_view(folder, path, sign_in):
    from cockpit.web import create_app

    _garbage(folder)
    (folder / f"{OLD}{store.SUFFIX}").write_bytes(b"")
    client = sign_in(create_app())
    assert client.get(path).status_code == 200
    assert "尚未发布指标快照" in _router_layout(client, path)


def test_the_live_screen_redraws_with_the_notice_when_its_snapshot_breaks(folder, sign_in):
    """A screen left open: the next tick after the pointer breaks draws the older snapshot, saying so."""
    from cockpit.web import create_app

    client = sign_in(create_app())
    client.get("/")
    body = {"output": "screen-content.children", "outputs": {"id": "screen-content", "property": "children"},
            "inputs": [{"id": "screen-interval", "property": "n_intervals", "value": 3}],
            "state": [{"id": "screen-theme", "property": "data", "value": "overview"},
                      {"id": "screen-region", "property": "data", "value": "330000"},
                      {"id": "screen-snapshot", "property": "data", "value": NEW}],
            "changedPropIds": ["screen-interval.n_intervals"]}
    nothing_new = client.post("/_dash-update-component", json=body)
    assert nothing_new.status_code in (200, 204) and not (nothing_new.get_json() or {}).get("response")
    _truncate(folder)
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200
    content = json.loads(r.get_data(as_text=True))
    assert "snapshot-fallback" in json.dumps(content, ensure_ascii=False) and OLD in json.dumps(content)


def test_refresh_carries_values_over_from_a_whole_snapshot(folder, use_demo_lake):
    """`refresh --only` copies the other systems' values from the current snapshot: with CURRENT
    damaged, from the newest whole one, instead of failing."""
    from cockpit.indicators.refresh import refresh
    from cockpit.query.snapshot import Snapshot

    _flip(folder)
    report = refresh(lake_dir=use_demo_lake, snapshot_dir=folder, only="hotline")
    assert store.current_path(folder) == report.path
    fresh, old = Snapshot(report.path), Snapshot(folder / f"{OLD}{store.SUFFIX}")
    assert fresh.damage is None
    assert len(fresh.indicators()) == len(old.indicators())
    gdp = fresh.series("gdp_ytd", "330000", "quarter")
    assert len(gdp) and gdp.equals(old.series("gdp_ytd", "330000", "quarter"))


@pytest.mark.browser
def test_the_fallback_notice_is_seen_on_the_screen_and_the_home_page(folder, browser, demo_lake):
    from cockpit.harness import served
    from tests.conftest import DEMO_NOW, Visit, save_screenshot

    _truncate(folder)
    with served({"COCKPIT_LAKE_DIR": str(demo_lake), "COCKPIT_SNAPSHOT_DIR": str(folder),
                 "COCKPIT_NOW": DEMO_NOW}, timeout=60) as server:
        for path, name in (("/screen", "snapshot-fallback-screen"), ("/", "snapshot-fallback-home")):
            v = Visit(browser, server, 1920, 1080, user="harness-leader")
            try:
                page = v.goto(path)
                notice = page.wait_for_selector("#snapshot-fallback", state="visible", timeout=30_000)
                assert "快照损坏，显示" in notice.inner_text()
                box = notice.bounding_box()
                assert box and box["y"] >= 0 and box["y"] + box["height"] <= 1080
                # on top: the element at the notice's centre is the notice (or inside it)
                assert page.evaluate("""(() => { const n = document.querySelector('#snapshot-fallback');
                    const r = n.getBoundingClientRect();
                    return n.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); })()""")
                save_screenshot(page, name)
                assert v.external_requests == [] and v.console_errors == []
            finally:
                v.close()
