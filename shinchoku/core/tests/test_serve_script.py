"""scripts/serve.sh: the production server answers on PORT with DEBUG off and the product's own pages."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_serve_script_runs_gunicorn_on_port_with_debug_off(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHINCHOKU_") and k != "DATABASE_URL"}
    env.update(PORT=str(port), SHINCHOKU_DATA_DIR=str(tmp_path / "data"), WEB_CONCURRENCY="2")
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve.sh")], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        status, headers, body = get(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404 and headers["Server"].startswith("gunicorn")
        assert "ページが見つかりません" in body and "URLconf" not in body and "DEBUG = True" not in body
        status, headers, body = get(f"http://127.0.0.1:{port}/login/")
        assert status == 200 and "<h1>ログイン</h1>" in body and "default-src 'self'" in headers["Content-Security-Policy"]
        status, _, body = get(f"http://127.0.0.1:{port}/static/js/shinchoku.js")
        assert status == 200 and "data-autosubmit" in body
        assert (tmp_path / "data" / "static" / "js" / "shinchoku.js").is_file()  # collected into the data folder
        assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
        assert "gunicorn, 2 workers, SHINCHOKU_DEBUG=0" in (tmp_path / "serve.log").read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
