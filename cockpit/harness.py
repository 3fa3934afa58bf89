"""Running the cockpit as a user meets it, for tests, benchmarks and README screenshots: a
`cockpit serve` process on a free port, and Debian's headless Chromium with the flags every
caller uses (no sandbox, no GPU, nothing fetched from the internet).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cockpit.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Account:
    """A user the harness makes in the server's state store, to sign in as."""
    name: str
    role: str = "leader"
    region: str | None = None  # None: the snapshot's root, the whole hierarchy
    department: str | None = None
    personal_data: bool = False
    password: str = field(default_factory=lambda: "Hx-" + secrets.token_urlsafe(12) + "9a")


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    accounts: tuple[Account, ...] = ()
    state_url: str | None = None

    def worker_pids(self) -> list[int]:
        """The gunicorn workers' process ids (the children of the master, `pid`)."""
        found = []
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
        return sorted(found)

    def wait_for_workers(self, count: int, timeout: float = 60) -> list[int]:
        """The workers' process ids once `count` of them run (the first answers before the last has
        started; a killed one is replaced within seconds)."""
        deadline = time.monotonic() + timeout
        while len(found := self.worker_pids()) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return found

    def account(self, name: str | None = None) -> Account:
        return next(a for a in self.accounts if name is None or a.name == name)

    def sign_in(self, context, name: str | None = None) -> None:
        """Sign a Playwright browser context in (its cookies then carry the session)."""
        account = self.account(name)
        sign_in(context, self.url, account.name, account.password)

    def opener(self, name: str | None = None) -> urllib.request.OpenerDirector:
        """A urllib opener signed in as the account (its cookie jar carries the session)."""
        from http.cookiejar import CookieJar
        from urllib.parse import urlencode

        account = self.account(name)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        opener.open(self.url + "/login", data=urlencode({"username": account.name,
                                                        "password": account.password}).encode(), timeout=30).read()
        return opener


def sign_in(context, url: str, name: str, password: str) -> None:
    """Sign a Playwright browser context in to the cockpit at `url`, posting the sign-in form's
    fields as a script would; its cookies then carry the session."""
    answer = context.request.post(url.rstrip("/") + "/login", form={"username": name, "password": password},
                                  max_redirects=0)
    if answer.status != 303:
        raise RuntimeError(f"signing in as {name} answered {answer.status}: {answer.text()[:300]}")


def credentials(name: str | None) -> tuple[str, str] | None:
    """(name, password) for scripts run against a served cockpit: the account named (`--user`)
    and the password in COCKPIT_PASSWORD, so it is in no command line or shell history."""
    if not name:
        return None
    password = os.environ.get("COCKPIT_PASSWORD")
    if not password:
        raise SystemExit("set COCKPIT_PASSWORD to the password of the account given with --user")
    return name, password


def add_accounts(accounts: tuple[Account, ...], env: dict[str, str]) -> None:
    """Make the accounts with `cockpit users add`, as an administrator would (the password twice on
    standard input)."""
    root = None
    for account in accounts:
        region = account.region
        if region is None:
            if root is None:
                from pathlib import Path

                from cockpit.query.snapshot import current_snapshot

                directory = env.get("COCKPIT_SNAPSHOT_DIR") or os.environ.get("COCKPIT_SNAPSHOT_DIR")
                roots = current_snapshot(Path(directory) if directory else None).roots()
                root = roots[0]
            region = root
        command = [sys.executable, "-m", "cockpit.cli", "users", "add", account.name, "--role", account.role,
                   "--region", region]
        if account.department:
            command += ["--department", account.department]
        if account.personal_data:
            command.append("--personal-data")
        done = subprocess.run(command, input=f"{account.password}\n{account.password}\n", text=True,
                              capture_output=True, env={**os.environ, **env}, cwd=REPO_ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"cockpit users add {account.name} failed: {done.stdout}{done.stderr}")


@contextmanager
def served(env: dict[str, str], timeout: float = 90,
           accounts: tuple[Account, ...] = (Account("harness-leader"),), workers: int = 1) -> Iterator[Server]:
    """`cockpit serve` with `workers` workers in its own process with `env` added to the environment, until the block ends,
    with `accounts` made in its state store to sign in as (a throw-away SQLite store unless `env`
    names one in COCKPIT_STATE_URL). Raises RuntimeError with the server's output when it does not
    answer within `timeout` seconds."""
    import tempfile

    port = free_port()
    scratch = None
    if "COCKPIT_STATE_URL" not in env:
        scratch = tempfile.TemporaryDirectory(prefix="cockpit-state-")
        env = {**env, "COCKPIT_STATE_URL": f"sqlite:///{scratch.name}/state.sqlite"}
    if "COCKPIT_SECRET_KEY" not in env and "COCKPIT_SECRET_KEY_FILE" not in env:
        env = {**env, "COCKPIT_SECRET_KEY": secrets.token_urlsafe(48)}  # not a file in the data directory
    add_accounts(accounts, env)
    proc = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "serve", "--port", str(port),
                             "--workers", str(workers)],
                            env={**os.environ, **env}, cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    raise RuntimeError(f"the cockpit server did not start:\n{out}") from None
                time.sleep(0.3)
        # The server's log is not read while it runs: drain it so a chatty server never blocks.
        if proc.stdout:
            import threading

            threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield Server(url, proc.pid, accounts, env["COCKPIT_STATE_URL"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if scratch is not None:
            scratch.cleanup()
