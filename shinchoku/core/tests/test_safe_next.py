"""Redirect targets named in a request stay on this site (core/web.py: safe_next)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from shinchoku.core.web import safe_next

OFF_SITE = ["//evil.example", "https://evil.example", "https://evil.example/plans/", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_target_gives_the_default(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", ["/plans/?fy=2023", "http://testserver/rounds/1/"])
def test_a_target_on_this_site_is_kept(target):
    assert safe_next(RequestFactory().post("/x/", {"next": target}), "/fallback/") == target
    assert safe_next(RequestFactory().get("/x/", {"next": target}), "/fallback/") == target


def test_an_http_target_from_an_https_page_is_refused():
    request = RequestFactory().post("/x/", {"next": "http://testserver/plans/"}, secure=True)
    assert safe_next(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_municipality_switch_stays_on_site(client, nakano_plan, target):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.post(reverse("switch_municipality"), {"municipality": nakano_plan.municipality_id, "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_login_stays_on_site(client, nakano_plan, target):
    from shinchoku.demo.loader import DEMO_PASSWORD

    response = client.post(reverse("login") + f"?next={target}", {"username": "planning", "password": DEMO_PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("home")
