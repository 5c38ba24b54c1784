"""Query budgets of the effects page (``core/testing/budgets.py``): the same number of queries with 10
effects as with 1,000 — the page with every computation and roll-up, and its data twins."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shinchoku.core.models import Membership, Role
from shinchoku.core.testing.budgets import Budget, check_budgets
from shinchoku.demo.synthetic import build_ward
from shinchoku.effects.models import Effect
from shinchoku.plans.models import PlanNode

pytestmark = pytest.mark.django_db


def build(n: int):
    plan = build_ward(n, name="架空区")
    activities = list(PlanNode.objects.filter(plan=plan, depth=2).select_related("plan").order_by("path")[:n])
    Effect.objects.bulk_create(
        Effect(municipality_id=plan.municipality_id, plan=plan, node=node, fiscal_year=2024, kind=Effect.Kind.EFFECT,
               raw_value="3,600千円/年", amount=Decimal(3600000), unit="円", period="year", name=f"RPA {node.code}",
               hours_saved=Decimal(120), period_unit="month", hourly_rate=Decimal(2500))
        for node in activities
    )
    user, _ = get_user_model().objects.get_or_create(username="effects-budget-planning")
    Membership.objects.get_or_create(user=user, defaults={"municipality_id": plan.municipality_id, "role": Role.PLANNING})
    return SimpleNamespace(plan=plan, users={"planning": user})


def client_for(data, role: str) -> Client:
    client = Client()
    if role:
        client.force_login(data.users[role])
    return client


BUDGETS = {
    "effects:list": Budget(lambda d: reverse("effects:list"), queries=9),
    "effects:list ?format=csv": Budget(lambda d: reverse("effects:list") + "?format=csv", queries=5),
    "effects:list ?format=json": Budget(lambda d: reverse("effects:list") + "?format=json", queries=5),
}


def test_effects_page_spends_the_same_queries_at_10_and_1000_items():
    check_budgets(BUDGETS, build, client_for)
