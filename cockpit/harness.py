"""Running the cockpit as a user meets it, for tests, benchmarks and README screenshots: a
`cockpit serve` process on a free port, and Debian's headless Chromium with the flags every
caller uses (no sandbox, no GPU, nothing fetched from the internet).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cockpit.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@contextmanager
def served(env: dict[str, str], timeout: float = 90) -> Iterator[Server]:
    """`cockpit serve` in its own process with `env` added to the environment, until the block ends.
    Raises RuntimeError with the server's output when it does not answer within `timeout` seconds."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cockpit.cli", "serve", "--port", str(port)],
                            env={**os.environ, **env}, cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=5).read()
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
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
