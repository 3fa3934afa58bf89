"""`cockpit serve` as production runs it: several gunicorn workers under load from signed-in
users (`bench.load`, a few seconds of it), a refresh publishing while they work, a worker killed
while they work. Loopback only; the figures at full load are in BENCHMARKS.md."""

from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from bench import load
from cockpit.harness import served
from cockpit.query.snapshot import current_snapshot
from tests.conftest import DEMO_NOW

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# One step of each kind keeps the recording short; the load repeats them.
STEPS = (load.LEADER_STEPS[0], load.STAFF_STEPS[0], load.STAFF_STEPS[-2])


@pytest.fixture()
def own_demo(demo_lake, demo_snapshots, tmp_path) -> dict:
    """A copy of the demo lake and snapshots this test may publish into."""
    shutil.copytree(demo_lake, tmp_path / "lake")
    shutil.copytree(demo_snapshots, tmp_path / "snapshots")
    return {"COCKPIT_LAKE_DIR": str(tmp_path / "lake"), "COCKPIT_SNAPSHOT_DIR": str(tmp_path / "snapshots"),
            "COCKPIT_NOW": DEMO_NOW}


def _serve(env: dict, workers: int = 2):
    return served(env, accounts=load.accounts(_published(env).roots()[0]), workers=workers)


def _published(env: dict):
    return current_snapshot(Path(env["COCKPIT_SNAPSHOT_DIR"]))


def _snapshot_served(server, account: str) -> str:
    """The snapshot a worker answers from, as an export names it (a new connection: any worker)."""
    opener = server.opener(account)
    with opener.open(server.url + load.EXPORT, timeout=60) as answer:
        answer.read()
        return answer.headers["X-Cockpit-Snapshot"]


def test_serve_runs_the_workers_asked_for_and_answers_the_probes(own_demo):
    with _serve(own_demo, workers=3) as server:
        assert len(server.wait_for_workers(3)) == 3
        assert urllib.request.urlopen(server.url + "/readyz", timeout=10).read() == b"ready\n"


def test_a_refresh_publishing_under_load_fails_no_request_and_every_worker_picks_it_up(own_demo, browser):
    with _serve(own_demo) as server:
        server.wait_for_workers(2)
        before = _snapshot_served(server, "load-clerk")
        report = load.run(server, users=6, unpaced=4, seconds=20, publish_at=2, env=own_demo, steps=STEPS,
                          browser=browser)
        assert report["errors"] == 0, report["error_examples"]
        assert any(f.startswith("refresh exited 0") for f in report["faults"]), report["faults"]
        after = _published(own_demo).id
        assert after != before
        # every worker reads the CURRENT pointer per request: none keeps serving the old snapshot
        assert {_snapshot_served(server, "load-clerk") for _ in range(8)} == {after}


def test_a_worker_killed_under_load_is_replaced_and_no_one_is_signed_out(own_demo, browser):
    with _serve(own_demo) as server:
        first = server.wait_for_workers(2)
        report = load.run(server, users=6, unpaced=4, seconds=12, kill_worker_at=4, env=own_demo, steps=STEPS,
                          browser=browser)
        assert report["signed_out"] == 0 and report["errors"] == 0, report["error_examples"]
        now = server.wait_for_workers(2, timeout=30)
        assert len(now) == 2 and set(now) != set(first)  # the killed one replaced by a new process
        assert report["kinds"], "the load asked for nothing"


def test_a_replaced_workers_first_requests_may_be_callbacks_arriving_together(own_demo):
    """The walls' timers posting at once to a worker that has just replaced a killed one: Dash's
    set-up of a first request is done when the app is made (`cockpit.web.create_app`); left to the
    worker's first requests, those arriving together found callbacks missing and answered 400."""
    import os
    import signal
    import threading

    with _serve(own_demo, workers=1) as server:
        [first] = server.wait_for_workers(1)
        results = load.Results()
        results.recording = True
        walls = [load.Client(server.url, "load-leader", server.account("load-leader").password, results)
                 for _ in range(16)]
        for wall in walls:
            wall.sign_in()
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while server.worker_pids() in ([], [first]) and time.monotonic() < deadline:
            time.sleep(0.05)
        tick = load.live_tick(load.Step("screen", "load-leader", "/screen"))
        together = threading.Barrier(len(walls))

        def post(wall):
            together.wait()
            wall.ask("screen timer", tick)

        threads = [threading.Thread(target=post, args=(wall,)) for wall in walls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert results.errors == [] and len(results.times["screen timer"]) == len(walls), results.errors
