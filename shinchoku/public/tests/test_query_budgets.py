"""Query budgets of the public pages and their data twins (``core/testing/budgets.py``): the same number
of queries for a published plan of 10 items as of 1,000, and for an index of one plan as of two."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.core.testing.budgets import Budget, check_budgets
from shinchoku.demo.synthetic import build_ward

pytestmark = pytest.mark.django_db
FY = 2024


def build(n: int):
    plan = build_ward(n, name="架空区")
    plan.is_published = True
    plan.save()
    return SimpleNamespace(plan=plan, users={})


def client_for(data, role: str) -> Client:
    return Client()  # the public: nobody signs in


def _plan(d, query: str = "") -> str:
    return reverse("public:plan", args=[d.plan.pk]) + f"?fy={FY}" + query


BUDGETS = {
    "public:index": Budget(lambda d: reverse("public:index"), queries=2, user=""),
    "public:index ?format=csv": Budget(lambda d: reverse("public:index") + "?format=csv", queries=2, user=""),
    "public:index ?format=json": Budget(lambda d: reverse("public:index") + "?format=json", queries=2, user=""),
    "public:plan": Budget(_plan, queries=12, user=""),
    "public:plan ?format=csv": Budget(lambda d: _plan(d, "&format=csv"), queries=6, user=""),
    "public:plan ?format=csv&table=summary": Budget(lambda d: _plan(d, "&format=csv&table=summary"), queries=8, user=""),
    "public:plan ?format=json": Budget(lambda d: _plan(d, "&format=json"), queries=12, user=""),
    "public:dictionary": Budget(lambda d: reverse("public:dictionary"), queries=0, user=""),
}


def test_public_pages_spend_the_same_queries_at_10_and_1000_items():
    check_budgets(BUDGETS, build, client_for)
