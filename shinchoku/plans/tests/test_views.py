"""Pages of the plan: login, tree with status counts, 別紙 progress list with filters — and fixed
query counts that do not grow with the plan's size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.demo.synthetic import build_ward

pytestmark = pytest.mark.django_db


def test_pages_require_login(client, nakano_plan):
    for url in (reverse("plans:list"), reverse("plans:detail", args=[nakano_plan.pk]),
                reverse("plans:progress", args=[nakano_plan.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_login_page_is_japanese(client):
    response = client.get(reverse("login"))
    assert "ログイン" in response.content.decode()


def test_plan_page_shows_tree_and_published_counts(planner_client, nakano_plan):
    response = planner_client.get(reverse("plans:detail", args=[nakano_plan.pk]) + "?fy=令和5年度")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1-1-①" in html and "マイナンバーカードの普及促進" in html and "2-5-③" in html
    assert 'data-symbol="○">105<' in html
    assert 'data-symbol="◎">0<' in html
    assert "再掲 1-1-③" in html


def test_progress_list_filters(planner_client, nakano_plan):
    url = reverse("plans:progress", args=[nakano_plan.pk])
    html = planner_client.get(url + "?fy=2023").content.decode()
    assert "コンビニ交付サービスの利用促進" in html and "取組結果（令和5年度）" in html
    html = planner_client.get(url + "?fy=2023&department=職員課").content.decode()
    assert "人材マネジメントシステムの導入、活用" in html
    assert "コンビニ交付サービスの利用促進" not in html
    html = planner_client.get(url + "?fy=2023&status=△").content.decode()
    assert "該当する取組はありません" in html


def test_progress_list_htmx_returns_the_table_only(planner_client, nakano_plan):
    url = reverse("plans:progress", args=[nakano_plan.pk])
    html = planner_client.get(url + "?fy=2023", HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in html and "<html" not in html


def test_bad_fiscal_year_is_reported(planner_client, nakano_plan):
    html = planner_client.get(reverse("plans:progress", args=[nakano_plan.pk]) + "?fy=平成99年度").content.decode()
    assert "存在しません" in html


def test_other_municipality_plan_is_not_found(planner_client):
    foreign = build_ward(10)
    assert planner_client.get(reverse("plans:detail", args=[foreign.pk])).status_code == 404


def test_indicator_table_shows_published_text(planner_client, nakano_plan):
    html = planner_client.get(reverse("indicators:plan", args=[nakano_plan.pk])).content.decode()
    assert "約 179 万件" in html or "約179万件" in html
    assert "0/15" in html and "※1" in html


@pytest.mark.parametrize("view", ["plans:detail", "plans:progress", "indicators:plan"])
def test_query_count_does_not_grow_with_plan_size(client, view):
    from django.contrib.auth import get_user_model

    from shinchoku.core.models import Membership

    small = build_ward(10, seed=2)
    user = get_user_model().objects.create_user("counter", password="x" * 12)
    Membership.objects.create(user=user, municipality=small.municipality, role="planning")
    client.force_login(user)
    counts = []
    for plan in (small, build_ward(200, seed=3)):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(view, args=[plan.pk]) + "?fy=2023").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
