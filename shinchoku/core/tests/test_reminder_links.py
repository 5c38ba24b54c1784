"""Links in reminder e-mails (core/notify.py: base_url): the request's address when sent from the web,
else SHINCHOKU_BASE_URL, else the local server on PORT."""

import os
import subprocess
import sys

from django.test import RequestFactory

from shinchoku.core.notify import base_url, link


def test_from_the_web_the_link_is_the_address_the_browser_used(settings):
    settings.SHINCHOKU_BASE_URL = "https://configured.example.jp"
    request = RequestFactory().get("/rounds/", HTTP_HOST="127.0.0.1:8123")
    assert link("/rounds/1/", base_url(request)) == "http://127.0.0.1:8123/rounds/1/"
    secure = RequestFactory().get("/rounds/", HTTP_HOST="localhost", secure=True)
    assert base_url(secure) == "https://localhost"


def test_from_the_command_line_the_configured_address_is_used(settings):
    settings.SHINCHOKU_BASE_URL = "https://shinchoku.city.example.jp/"
    assert link("/audits/") == "https://shinchoku.city.example.jp/audits/"


def test_without_a_configured_address_the_local_server_on_port(settings):
    settings.SHINCHOKU_BASE_URL = ""
    settings.SHINCHOKU_PORT = 8123
    assert link("/meetings/dashboard/") == "http://127.0.0.1:8123/meetings/dashboard/"


def test_port_comes_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SHINCHOKU_BASE_URL", "DATABASE_URL")}
    env.update(PORT="8765", SHINCHOKU_DATA_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "shinchoku", "shell", "--no-imports", "-c", "from shinchoku.core.notify import link; print(link('/x/'))"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip() == "http://127.0.0.1:8765/x/"
