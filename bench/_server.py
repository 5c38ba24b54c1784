"""Helpers for benchmarks: a throw-away data folder, a real server on loopback, a logged-in client."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHINCHOKU = [sys.executable, "-m", "shinchoku"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SHINCHOKU_DATA_DIR=str(data_dir),
        SHINCHOKU_DEBUG="0",
        SHINCHOKU_SECRET_KEY=secrets.token_urlsafe(64),  # production mode refuses short or published keys
    )
    env.pop("DATABASE_URL", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run([*SHINCHOKU, *args], env=env, check=True, capture_output=True, text=True, cwd=ROOT).stdout


@contextmanager
def fresh_data_dir():
    with tempfile.TemporaryDirectory(prefix="shinchoku-bench-") as tmp:
        yield Path(tmp)


@contextmanager
def running_server(env: dict[str, str]):
    port = free_port()
    proc = subprocess.Popen(
        [*SHINCHOKU, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=30) as resp:
            return resp.status, resp.read()

    def login(self, username: str, password: str) -> None:
        _, body = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
        req = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        with self.opener.open(req, timeout=30) as resp:
            if "/login/" in resp.url:
                raise RuntimeError("login failed")


def measure(client: Client, path: str, repeat: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        client.get(path)
    times = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        status, body = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
        size = len(body)
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
        "max_ms": times[-1],
        "bytes": size,
    }
