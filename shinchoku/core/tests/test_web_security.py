"""Secure by default on the web: private responses are not cached, a Content-Security-Policy that the
pages pass, the product's own 404 page, failed logins throttled and logged."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

from shinchoku.core.middleware import client_ip
from shinchoku.demo.loader import DEMO_PASSWORD


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


# --------------------------------------------------------------------------- Cache-Control


def test_pages_for_a_logged_in_user_and_their_downloads_are_never_stored(planner_client, nakano_plan):
    for url in (
        reverse("plans:detail", args=[nakano_plan.pk]),
        reverse("reports:report", args=[nakano_plan.pk, "progress-list"]) + "?fy=2023",
        reverse("reports:report", args=[nakano_plan.pk, "progress-list"]) + "?fy=2023&format=xlsx",
        reverse("reports:report", args=[nakano_plan.pk, "progress-list"]) + "?fy=2023&format=csv",
        reverse("reports:report", args=[nakano_plan.pk, "summary"]) + "?fy=2023&format=json",
        reverse("plans:workbook_export", args=[nakano_plan.pk]),
    ):
        response = planner_client.get(url)
        assert response.status_code == 200, url
        assert {"no-store", "private"} <= cache_directives(response), (url, response.get("Cache-Control"))


def test_an_api_answer_to_a_token_is_never_stored(nakano_plan):
    from shinchoku.reports.tokens import create_token

    token = create_token(get_user_model().objects.get(username="planning"), name="test")[1]
    response = Client().get("/api/plans", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and "no-store" in cache_directives(response)


def test_public_pages_keep_ordinary_caching(client, nakano_plan):
    for url in (reverse("public:index"), reverse("public:index-csv")):
        response = client.get(url)
        assert response.status_code == 200 and "no-store" not in cache_directives(response), url


# --------------------------------------------------------------------------- Content-Security-Policy


class PageParts(HTMLParser):
    """What a Content-Security-Policy without 'unsafe-inline' would block, and the links to follow."""

    def __init__(self):
        super().__init__()
        self.blocked: list[str] = []
        self.links: list[str] = []
        self.meta_htmx_config = None
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.startswith("on") or name == "style":
                self.blocked.append(f"<{tag} {name}=…>")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self._inline_script = True
        if tag == "style":
            self.blocked.append("<style>")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "meta" and attrs.get("name") == "htmx-config":
            self.meta_htmx_config = attrs.get("content")
        for name in ("href", "src", "action"):
            if (attrs.get(name) or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:…>")

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.blocked.append(f"<script>{data.strip()[:40]}…")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False


def test_csp_header_allows_nothing_inline():
    response = Client().get(reverse("login"))
    policy = dict(
        (d.strip().split(" ", 1) + [""])[:2] for d in response["Content-Security-Policy"].split(";") if d.strip()
    )
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"] and "unsafe-eval" not in response["Content-Security-Policy"]


SKIP = re.compile(r"^/(admin|api|logout)/|format=(xlsx|pdf|csv|json)|\.(csv|json|xlsx|pdf)$|/download|/export|/template")


@pytest.mark.parametrize("username", ["planning", "digital", "auditor", None])
def test_every_reachable_page_passes_the_csp(client, nakano_plan, username):
    """Walk the site as a person would (same-site links from the start page, up to 120 pages): every HTML
    page carries the policy and nothing that it would block."""
    import datetime as dt

    from shinchoku.core.access import Access
    from shinchoku.rounds import actions as round_actions

    round_actions.open_round(Access.system(name="test"), nakano_plan, 2024, dt.date(2024, 6, 30))
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    start = "/" if username else reverse("public:index")
    queue, seen, pages, problems = [start], {start}, 0, []
    while queue and pages < 120:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        assert response.status_code == 200, url
        assert "default-src 'self'" in response["Content-Security-Policy"], url
        parts = PageParts()
        parts.feed(response.content.decode())
        problems += [f"{url}: {b}" for b in parts.blocked]
        if "<html" in response.content.decode()[:200].lower() and "/api/docs" not in url:
            assert parts.meta_htmx_config == '{"includeIndicatorStyles": false}', url
        for href in parts.links:
            target = urljoin(url, href)
            split = urlsplit(target)
            if split.netloc or not split.path.startswith("/"):
                continue
            path = split.path + (f"?{split.query}" if split.query else "")
            if path not in seen and not SKIP.search(path):
                seen.add(path)
                queue.append(path)
    assert problems == []
    assert pages >= (20 if username else 3), pages


def test_the_404_page_is_the_products_own(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "ページが見つかりません" in html and "/no-such-page/" in html
    assert "URLconf" not in html and "Django" not in html and "default-src 'self'" in response["Content-Security-Policy"]


# --------------------------------------------------------------------------- failed logins


def attempt(client, username, password, ip="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_failed_logins_are_throttled_for_that_username_and_address(nakano_plan, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "planning", "wrong-password")
        assert response.status_code == 200 and "利用者名またはパスワードが正しくありません" in response.content.decode()
    locked = attempt(client, "planning", "wrong-password")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "ログインを一時停止しています" in text and "15分間" in text and "5回" in text
    # now even the right password is refused from that address …
    assert attempt(client, "planning", DEMO_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # … while the same person from another address, and a colleague behind the same address, log in
    assert attempt(Client(), "planning", DEMO_PASSWORD, ip="192.0.2.99").status_code == 302
    assert attempt(Client(), "digital", DEMO_PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(nakano_plan, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "planning", "wrong-password")
    assert attempt(client, "planning", DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(seconds=1))
    assert attempt(client, "planning", DEMO_PASSWORD).status_code == 302


def test_every_failed_login_is_logged_with_username_and_address(nakano_plan, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        attempt(Client(), "planning", "wrong-1", ip="198.51.100.7")
        attempt(Client(), "planning", "wrong-2", ip="198.51.100.7")
        attempt(Client(), "no-such-user", "x", ip="203.0.113.5")
    failures = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage()]
    assert len(failures) == 3
    assert "planning" in failures[0] and "198.51.100.7" in failures[0]
    assert "no-such-user" in failures[2] and "203.0.113.5" in failures[2]
    assert all("wrong-" not in message for message in failures)  # never the password


def test_behind_the_tls_proxy_the_address_is_the_one_the_proxy_appended(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.44")
    settings.SHINCHOKU_HTTPS = False
    assert client_ip(request) == "127.0.0.1"  # without a proxy the header is the client's own claim
    settings.SHINCHOKU_HTTPS = True
    assert client_ip(request) == "192.0.2.44"
