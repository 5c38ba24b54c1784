"""Query budgets of the survey-round pages (``core/testing/budgets.py``): the same number of queries
with 10 activities as with 1,000."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shinchoku.core.access import Access
from shinchoku.core.models import Department, Membership, Role
from shinchoku.core.testing.budgets import Budget, check_budgets
from shinchoku.demo.synthetic import build_ward
from shinchoku.rounds import actions, queries
from shinchoku.rounds.models import RoundAnswer

pytestmark = pytest.mark.django_db
SYSTEM = Access.system(name="budget setup")


def build(n: int):
    plan = build_ward(n, name="架空区")
    round = actions.open_round(SYSTEM, plan, plan.period_start + 1, dt.date(2030, 6, 30))
    ownership = queries.plan_ownership(plan)
    department = max(ownership.departments(), key=lambda d: len(ownership.node_ids_of(d.id)))
    nodes = [node for node in ownership.nodes if node.pk in set(ownership.node_ids_of(department.id))]
    for node in nodes[: max(1, len(nodes) // 2)]:
        actions.save_answer(SYSTEM, round, node, expected_version=0, status="○", result=f"{node.code} を実施")
    answer = RoundAnswer.objects.filter(round=round).first()
    User = get_user_model()
    users = {}
    for role, departments in (("planning", []), ("editor", [department.id])):
        user, _ = User.objects.get_or_create(username=f"budget-{role}")
        membership, _ = Membership.objects.get_or_create(user=user, defaults={"municipality_id": plan.municipality_id, "role": role})
        membership.departments.set(Department.objects.filter(pk__in=departments))
        users[role] = user
    return SimpleNamespace(plan=plan, round=round, department=department, answer=answer, users=users)


def client_for(data, role: str) -> Client:
    client = Client()
    if role:
        client.force_login(data.users[role])
    return client


BUDGETS = {
    "rounds:list": Budget(lambda d: reverse("rounds:list"), queries=8),
    "rounds:dashboard": Budget(lambda d: reverse("rounds:dashboard", args=[d.round.pk]), queries=17),
    "rounds:dashboard_json": Budget(lambda d: reverse("rounds:dashboard_json", args=[d.round.pk]), queries=13),
    "rounds:review": Budget(lambda d: reverse("rounds:review", args=[d.round.pk]) + "?state=all", queries=20),
    "rounds:department": Budget(lambda d: reverse("rounds:department", args=[d.round.pk, d.department.id]), queries=15),
    "rounds:department (editor)": Budget(
        lambda d: reverse("rounds:department", args=[d.round.pk, d.department.id]), queries=16, user="editor"
    ),
    "rounds:history": Budget(lambda d: reverse("rounds:history", args=[d.round.pk, "answers", d.answer.pk]), queries=14),
}


def test_round_pages_spend_the_same_queries_at_10_and_1000_items():
    check_budgets(BUDGETS, build, client_for)
