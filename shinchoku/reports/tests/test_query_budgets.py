"""Query budgets of the report pages (``core/testing/budgets.py``): the same number of queries for a
plan of 10 items as of 1,000 — on screen and as the CSV and JSON downloads."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shinchoku.core.models import Membership, Role
from shinchoku.core.testing.budgets import Budget, check_budgets
from shinchoku.demo.synthetic import build_ward

pytestmark = pytest.mark.django_db
FY = 2024


def build(n: int):
    plan = build_ward(n, name="架空区")
    user, _ = get_user_model().objects.get_or_create(username="budget-planning")
    Membership.objects.get_or_create(user=user, defaults={"municipality_id": plan.municipality_id, "role": Role.PLANNING})
    return SimpleNamespace(plan=plan, users={"planning": user})


def client_for(data, role: str) -> Client:
    client = Client()
    if role:
        client.force_login(data.users[role])
    return client


def _report(kind: str, query: str = ""):
    return lambda d: reverse("reports:report", args=[d.plan.pk, kind]) + f"?fy={FY}" + query


BUDGETS = {
    "reports:index": Budget(lambda d: reverse("reports:index"), queries=8),
    "reports:report summary": Budget(_report("summary"), queries=15),
    "reports:report progress-list": Budget(_report("progress-list"), queries=14),
    "reports:report progress-list (drafts)": Budget(_report("progress-list", "&drafts=1"), queries=14),
    "reports:report department": Budget(_report("department"), queries=13),
    "reports:report findings": Budget(_report("findings"), queries=10),
    "reports:report progress-list ?format=csv": Budget(_report("progress-list", "&format=csv"), queries=10),
    "reports:report summary ?format=json": Budget(_report("summary", "&format=json"), queries=12),
}


def test_report_pages_spend_the_same_queries_at_10_and_1000_items():
    check_budgets(BUDGETS, build, client_for)
