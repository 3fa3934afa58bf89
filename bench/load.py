"""Load on a served cockpit: many signed-in users at once, paced as people are, plus clients with
no pause at all; and the faults a production server meets while under that load.

    python -m bench.load [--users 100] [--unpaced 20] [--seconds 60] [--workers 2]
                         [--publish-at S] [--kill-worker-at S]

Runs `cockpit serve` (gunicorn, `--workers`) on the lake and snapshot the environment points at
(COCKPIT_LAKE_DIR, COCKPIT_SNAPSHOT_DIR), loopback only, with accounts of its own in a throw-away
state store. What a browser sends for each step is recorded once in headless Chromium (the page,
Dash's layout and dependencies, then every callback post the page's first draw makes), then
replayed by each simulated user over its own keep-alive connection with its own session: its
cookies, the CSRF header Dash's renderer sends and the Origin a browser sets. Scripts and CSS
are not replayed: a browser keeps them (they are served with long cache lifetimes).

The users (issue: sign-in and production serving):
- leaders (two in five of the paced users): open a big screen, then the screen's timer asks
  every 30-60 s whether a new snapshot is out (`_live`), and now and then another theme;
- staff (the rest): every 3-8 s a department page at another place, a records grid, or (one
  step in ten) a CSV export of a records list;
- unpaced clients: the same steps, one after another without a pause.

Reported: requests, errors (any answer but 200/204, and any failed connection), p50/p95/p99 of
each kind of request, the throughput, and the resident memory of each worker (peak, sampled once
a second). Faults on request: `--publish-at S` publishes a new snapshot (`cockpit refresh`) S
seconds in (the users go on until it has published), `--kill-worker-at S` kills one worker with
SIGKILL S seconds in; a request the kill cuts off is sent once more on a new connection, as a
browser does, and counted as retried. Errors include any 401 or redirect to /login: no user may
be signed out by a fault.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

UPDATE = "/_dash-update-component"

# The steps recorded in Chromium: (kind, account, address). The staff account's scope is 越城区.
LEADER_STEPS = (
    ("screen", "load-leader", "/screen"),
    ("screen", "load-leader", "/screen?region=330600"),
    ("screen", "load-leader", "/screen/economy?region=330100"),
    ("screen", "load-leader", "/screen/governance"),
)
STAFF_STEPS = (
    ("page", "load-clerk", "/governance"),
    ("page", "load-clerk", "/governance?period=2026-08"),
    ("page", "load-clerk", "/governance?frequency=quarter"),
    ("page", "load-clerk", "/economy"),
    ("page", "load-clerk", "/environment"),
    ("page", "load-clerk", "/indicator/hotline_closure_rate"),
    ("records", "load-clerk", "/records?indicator=hotline_orders&frequency=month"),
    ("records", "load-clerk", "/records?indicator=hotline_closure_rate&frequency=month&key=numerator"),
)
EXPORT = "/records/export?indicator=hotline_orders&frequency=month&format=csv"
IDLE_CLOSE_S = 4.0  # under gunicorn's keep-alive of 5 s (cockpit.web.serve)


def accounts(root: str):
    from cockpit.harness import Account

    return (Account("load-leader", role="leader", region=root),
            Account("load-clerk", role="staff", region="330602", department="越城区综合行政执法局"))


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None


@dataclass
class Step:
    kind: str
    account: str
    address: str
    requests: list[Request] = field(default_factory=list)


def record(server, steps, browser=None) -> list[Step]:
    """What Chromium asks of the server for each step's first draw, scripts and styles left out
    (in `browser`, a Playwright browser, when given: one process holds one Playwright)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        from cockpit.harness import CHROMIUM, CHROMIUM_ARGS

        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return record(server, steps, launched)
            finally:
                launched.close()
    recorded = []
    contexts = {}
    try:
        for kind, name, address in steps:
            if name not in contexts:
                contexts[name] = browser.new_context(viewport={"width": 1920, "height": 1080})
                server.sign_in(contexts[name], name)
            step = Step(kind, name, address)
            page = contexts[name].new_page()

            def keep(req, step=step):
                path = req.url[len(server.url):]
                if req.resource_type in ("document", "fetch", "xhr") and not path.startswith(
                        ("/assets/", "/_dash-component-suites/", "/_deckgl/", "/_favicon")):
                    step.requests.append(Request(req.method, path, req.post_data_buffer))

            page.on("request", keep)
            page.goto(server.url + address, wait_until="networkidle", timeout=120_000)
            page.wait_for_timeout(1500)  # a grid's first block and late callbacks
            page.close()
            recorded.append(step)
    finally:
        for context in contexts.values():
            context.close()
    return recorded


def live_tick(screen: Step) -> Request:
    """The post a screen's timer makes: whether a newly published snapshot is out (`_live`)."""
    posts = [json.loads(r.body) for r in screen.requests if r.method == "POST" and r.path == UPDATE]
    query = dict(p.split("=", 1) for p in urlsplit(screen.address).query.split("&") if "=" in p)
    theme = urlsplit(screen.address).path.removeprefix("/screen").strip("/") or "overview"
    snapshot = next((p["inputs"][0].get("value") for p in posts if p["output"].startswith("screen-snapshot")), None)
    body = {"output": "screen-content.children", "outputs": {"id": "screen-content", "property": "children"},
            "inputs": [{"id": "screen-interval", "property": "n_intervals", "value": 1}],
            "state": [{"id": "screen-theme", "property": "data", "value": theme},
                      {"id": "screen-region", "property": "data", "value": query.get("region")},
                      {"id": "screen-snapshot", "property": "data", "value": snapshot}],
            "changedPropIds": ["screen-interval.n_intervals"]}
    return Request("POST", UPDATE, json.dumps(body).encode())


class Client:
    """One simulated user: a keep-alive connection, a session of its own, timings of what it asked."""

    def __init__(self, url: str, name: str, password: str, results: Results):
        split = urlsplit(url)
        self.host, self.port, self.origin = split.hostname, split.port, url
        self.name, self.password, self.results = name, password, results
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0.0

    def _send(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes, list]:
        if self.conn is not None and time.monotonic() - self.used > IDLE_CLOSE_S:
            # the server has closed a connection idle this long (gunicorn's keep-alive): a browser
            # sees that close and opens a new one, so does this user
            self.conn.close()
            self.conn = None
        for attempt in (1, 2):  # a keep-alive connection the server dropped (a worker killed) is opened again
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                answer = self.conn.getresponse()
                data = answer.read()
                self.used = time.monotonic()
                if answer.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return answer.status, data, answer.getheaders()
            except (http.client.RemoteDisconnected, http.client.IncompleteRead, ConnectionResetError, BrokenPipeError):
                # as a browser does when a kept-alive connection dies under it (a worker replaced):
                # once again on a new connection; the report counts these
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                self.results.retry()
        raise AssertionError("unreachable")

    def sign_in(self) -> None:
        status, _data, headers = self._send("POST", "/login", urlencode(
            {"username": self.name, "password": self.password}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})
        if status != 303:
            raise RuntimeError(f"{self.name} could not sign in: {status}")
        self._keep_cookies(headers)

    def _keep_cookies(self, headers) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value

    def ask(self, kind: str, request: Request) -> None:
        from cockpit.ui.access import CSRF_COOKIE, CSRF_HEADER

        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if request.method == "POST":
            headers.update({"Content-Type": "application/json", "Origin": self.origin,
                            CSRF_HEADER: self.cookies.get(CSRF_COOKIE, "")})
        started = time.perf_counter()
        try:
            status, data, answer_headers = self._send(request.method, request.path, request.body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.results.add(kind, time.perf_counter() - started, f"{type(error).__name__}: {request.path[:60]}")
            return
        self._keep_cookies(answer_headers)
        location = dict((k.lower(), v) for k, v in answer_headers).get("location", "")
        problem = None
        if status == 401 or "/login" in location:
            problem = "signed out"
        elif status not in (200, 204):
            problem = f"{status} {request.path[:40]}: {data[:120].decode(errors='replace').strip()}"
        self.results.add(kind, time.perf_counter() - started, problem)


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.retried = 0
        self.recording = False

    def retry(self) -> None:
        with self.lock:
            self.retried += 1

    def add(self, kind: str, seconds: float, problem: str | None) -> None:
        if not self.recording:
            return
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            if problem is not None:
                self.errors.append(problem)


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _kind(step_kind: str, request: Request) -> str:
    """What the request is, for the report: the page's HTML, Dash's shell layout or dependencies,
    or a callback (the page router's, which draws the page, or another)."""
    if request.path.startswith(UPDATE):
        return f"{step_kind} callback"
    if request.path.startswith("/_dash-"):
        return request.path.removeprefix("/_dash-")
    return f"{step_kind} html"


class Clock:
    """How long the users go on: `seconds`, and past them until a fault under way (a refresh
    publishing) has finished, so that it happens under load."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds
        self.pending = 0

    def running(self) -> bool:
        return self.pending > 0 or time.monotonic() < self.end

    def sleep(self, seconds: float) -> None:
        wake = time.monotonic() + seconds
        while self.running() and (left := wake - time.monotonic()) > 0:
            time.sleep(min(0.5, left))


def run_user(client: Client, steps: dict[str, list[Step]], ticks: dict[str, Request], role: str,
             paced: bool, clock: Clock, rng: random.Random) -> None:
    def do(step: Step) -> None:
        for request in step.requests:
            if not clock.running():
                return
            client.ask(_kind(step.kind, request), request)

    if role == "leader":
        screen = rng.choice(steps["screen"])
        do(screen)
        while clock.running():
            if paced:
                clock.sleep(rng.uniform(30, 60))
            if not clock.running():
                return
            if rng.random() < 0.2:  # someone switches the wall to another theme or city
                screen = rng.choice(steps["screen"])
                do(screen)
            else:
                client.ask("screen timer", ticks[screen.address])
        return
    while clock.running():
        if rng.random() < 0.1:
            client.ask("export", Request("GET", EXPORT))
        else:
            do(rng.choice(steps["page"] + steps["records"]))
        if paced:
            clock.sleep(rng.uniform(3, 8))


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass  # the worker just exited
    return 0.0


def run(server, users: int, unpaced: int, seconds: float, publish_at: float | None = None,
        kill_worker_at: float | None = None, env: dict | None = None, seed: int = 7,
        steps: tuple = LEADER_STEPS + STAFF_STEPS, browser=None) -> dict:
    """Drive `server` (a `cockpit.harness.Server` with `accounts(...)` made) and report. `steps`
    need one of each kind (screen, page, records); `browser`: see `record`."""
    recorded = record(server, steps, browser)
    steps = {kind: [s for s in recorded if s.kind == kind] for kind in ("screen", "page", "records")}
    ticks = {s.address: live_tick(s) for s in steps["screen"]}
    results = Results()
    rng = random.Random(seed)
    plan = [("leader" if i < users * 2 // 5 else "staff", True) for i in range(users)]
    plan += [("leader" if i % 5 == 0 else "staff", False) for i in range(unpaced)]
    clients = []
    for role, _paced in plan:
        account = server.account("load-leader" if role == "leader" else "load-clerk")
        client = Client(server.url, account.name, account.password, results)
        client.sign_in()
        clients.append(client)

    memory: dict[int, float] = {}
    faults: list[str] = []
    done = threading.Event()

    def watch(started: float) -> None:
        published = killed = False
        while not done.wait(1.0):
            for pid in server.worker_pids():
                memory[pid] = max(memory.get(pid, 0.0), _rss_mib(pid))
            elapsed = time.monotonic() - started
            if publish_at is not None and not published and elapsed >= publish_at:
                published = True
                clock.pending += 1  # the users go on until it has published
                threading.Thread(target=_publish, args=(env or {}, faults, clock), daemon=True).start()
            if kill_worker_at is not None and not killed and elapsed >= kill_worker_at:
                killed = True
                victim = server.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                faults.append(f"worker {victim} killed at {elapsed:.0f} s")

    results.recording = True
    started = time.monotonic()
    clock = Clock(seconds)
    threads = [threading.Thread(target=run_user, daemon=True,
                                args=(c, steps, ticks, role, paced, clock, random.Random(rng.random())))
               for c, (role, paced) in zip(clients, plan, strict=True)]
    watcher = threading.Thread(target=watch, args=(started,), daemon=True)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()  # each request times out after 60 s, and the clock ends
    elapsed = time.monotonic() - started
    done.set()
    watcher.join()
    results.recording = False
    everything = [t for times in results.times.values() for t in times]
    kinds = {kind: {"n": len(times), "p50_ms": statistics.median(times) * 1000,
                    "p95_ms": percentile(times, 0.95) * 1000, "p99_ms": percentile(times, 0.99) * 1000}
             for kind, times in sorted(results.times.items())}
    return {"users": users, "unpaced": unpaced, "seconds": round(elapsed, 1), "workers": len(server.worker_pids()),
            "requests": len(everything), "per_second": len(everything) / elapsed,
            "errors": len(results.errors), "error_examples": sorted(set(results.errors))[:10],
            "signed_out": results.errors.count("signed out"), "retried": results.retried,
            "p50_ms": statistics.median(everything) * 1000 if everything else None,
            "p95_ms": percentile(everything, 0.95) * 1000 if everything else None,
            "p99_ms": percentile(everything, 0.99) * 1000 if everything else None,
            "kinds": kinds, "worker_peak_rss_mib": sorted(memory.values(), reverse=True), "faults": faults}


def _publish(env: dict, faults: list[str], clock: Clock) -> None:
    """A new snapshot, published by `cockpit refresh` as an operator's timer would."""
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "cockpit.cli", "refresh"], env={**os.environ, **env},
                              capture_output=True, text=True)
        faults.append(f"refresh exited {done.returncode} after {time.monotonic() - started:.0f} s"
                      + ("" if done.returncode == 0 else f": {done.stderr.strip()[-300:]}"))
    finally:
        clock.pending -= 1


def served_for_load(env: dict, workers: int):
    """`cockpit serve` with the load's accounts made (the snapshot's root for the leader)."""
    from cockpit.harness import served
    from cockpit.query.snapshot import current_snapshot

    directory = env.get("COCKPIT_SNAPSHOT_DIR")
    root = current_snapshot(Path(directory) if directory else None).roots()[0]
    return served(env, accounts=accounts(root), workers=workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--unpaced", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--publish-at", type=float, default=None)
    parser.add_argument("--kill-worker-at", type=float, default=None)
    parser.add_argument("--json", type=Path, default=None, help="Also write the report here.")
    args = parser.parse_args()
    env = {name: os.environ[name] for name in ("COCKPIT_LAKE_DIR", "COCKPIT_SNAPSHOT_DIR") if name in os.environ}
    with served_for_load(env, args.workers) as server:
        report = run(server, args.users, args.unpaced, args.seconds, args.publish_at, args.kill_worker_at, env)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"{report['users']} paced + {report['unpaced']} unpaced users, {report['workers']} workers, "
          f"{report['seconds']} s: {report['requests']} requests ({report['per_second']:.0f}/s), "
          f"{report['errors']} errors ({report['retried']} dropped connections retried), p50 {report['p50_ms']:.0f} ms, p95 {report['p95_ms']:.0f} ms, "
          f"p99 {report['p99_ms']:.0f} ms")
    for kind, k in report["kinds"].items():
        print(f"  {kind:14s} n={k['n']:6d}  p50 {k['p50_ms']:6.0f} ms  p95 {k['p95_ms']:6.0f} ms  p99 {k['p99_ms']:6.0f} ms")
    print("  worker peak resident: " + ", ".join(f"{m:.0f} MiB" for m in report["worker_peak_rss_mib"]))
    for line in report["faults"] + report["error_examples"]:
        print("  " + line)


if __name__ == "__main__":
    main()
