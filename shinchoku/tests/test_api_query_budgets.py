"""Query budgets of the API (``core/testing/budgets.py``): every list and detail operation spends the
same number of queries with 10 items as with 1,000 — anonymously (published data), with a planning
division's token and with a department editor's token (the editor's scope of progress entries differs)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shinchoku.audits.models import Audit, Finding, Response
from shinchoku.core.access import Access
from shinchoku.core.actions import create_api_token
from shinchoku.core.models import Department, Membership, Role
from shinchoku.core.testing.budgets import Budget, check_budgets
from shinchoku.demo.synthetic import build_ward
from shinchoku.indicators.models import Indicator
from shinchoku.plans.models import PlanNode, ProgressEntry

pytestmark = pytest.mark.django_db
SYSTEM = Access.system(name="budget setup")


def _findings(plan, n: int, department) -> Finding:
    """``n`` findings of one audit, each with a department and an approved response (tests may write)."""
    m = plan.municipality
    audit = Audit.objects.create(municipality=m, kind="security", fiscal_year=2023, theme=f"情報セキュリティ {n}")
    findings = Finding.objects.bulk_create(
        Finding(municipality=m, audit=audit, kind="shiteki", number=i + 1, title=f"指摘 {i + 1}", order=i) for i in range(n)
    )
    Finding.departments.through.objects.bulk_create(
        Finding.departments.through(finding_id=f.pk, department_id=department.pk) for f in findings
    )
    Response.objects.bulk_create(
        Response(municipality=m, finding=f, text="措置中", date=dt.date(2024, 1, 5), state="in_progress", review="approved")
        for f in findings
    )
    return findings[0]


def build(n: int):
    plan = build_ward(n, name="架空区")
    plan.is_published = True
    plan.save()
    department = Department.objects.filter(ownerships__node__plan=plan).order_by("name").first()
    User = get_user_model()
    tokens = {}
    for role, departments in ((Role.PLANNING, []), (Role.DEPARTMENT_EDITOR, [department])):
        user, _ = User.objects.get_or_create(username=f"budget-api-{role}")
        membership, _ = Membership.objects.get_or_create(user=user, defaults={"municipality_id": plan.municipality_id, "role": role})
        membership.departments.set(departments)
        tokens[role] = create_api_token(SYSTEM, user, "budget")[1]
    return SimpleNamespace(
        plan=plan, department=department, tokens=tokens, users={},
        node=PlanNode.objects.filter(plan=plan, depth=2).order_by("path").first(),
        entry=ProgressEntry.objects.filter(node__plan=plan).order_by("pk").first(),
        indicator=Indicator.objects.filter(plan=plan).order_by("pk").first(),
        finding=_findings(plan, n, department),
    )


def client_for(data, role: str) -> Client:
    return Client()  # the API signs in with the token, not a session


def bearer(role: str):
    return lambda d: {"HTTP_AUTHORIZATION": f"Bearer {d.tokens[role]}"}


# What authentication costs: the token and its user, the membership, its departments — and for an
# editor the municipality's departments, to resolve those below its own (部 → 課).
TOKEN_QUERIES = {Role.PLANNING: 3, Role.DEPARTMENT_EDITOR: 4}

# (operation, URL from the built data, queries of the operation itself, anonymous callers allowed)
OPERATIONS = [
    ("municipalities", lambda d: "/api/municipalities", 2, True),
    ("municipality", lambda d: f"/api/municipalities/{d.plan.municipality_id}", 1, True),
    ("departments", lambda d: "/api/departments?limit=500", 2, True),
    ("department", lambda d: f"/api/departments/{d.department.pk}", 1, True),
    ("plans", lambda d: "/api/plans", 3, True),
    ("plan", lambda d: f"/api/plans/{d.plan.pk}", 2, True),
    ("nodes", lambda d: f"/api/nodes?plan={d.plan.pk}", 3, True),
    ("node", lambda d: f"/api/nodes/{d.node.pk}", 2, True),
    ("progress-entries", lambda d: f"/api/progress-entries?plan={d.plan.pk}", 2, True),
    ("progress-entry", lambda d: f"/api/progress-entries/{d.entry.pk}", 1, True),
    ("indicators", lambda d: f"/api/indicators?plan={d.plan.pk}", 2, True),
    ("indicator", lambda d: f"/api/indicators/{d.indicator.pk}", 2, True),
    ("indicator-values", lambda d: f"/api/indicator-values?plan={d.plan.pk}", 2, True),
    ("findings", lambda d: "/api/findings", 3, False),  # members only
    ("finding", lambda d: f"/api/findings/{d.finding.pk}", 3, False),
]


def _budgets() -> dict[str, Budget]:
    budgets = {}
    for name, url, queries, anonymous in OPERATIONS:
        if anonymous:
            budgets[f"GET {name}"] = Budget(url, queries=queries, user="")
        for role, label in ((Role.PLANNING, "planning"), (Role.DEPARTMENT_EDITOR, "editor")):
            budgets[f"GET {name} ({label})"] = Budget(url, queries=queries + TOKEN_QUERIES[role], user="", headers=bearer(role))
    return budgets


def test_api_operations_spend_the_same_queries_at_10_and_1000_items():
    check_budgets(_budgets(), build, client_for)
