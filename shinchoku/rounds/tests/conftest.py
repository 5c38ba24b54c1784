"""Fixtures for the survey-round tests: a round on Nakano's imported plan for FY2024, the demo users,
indicator owners (Nakano's plan does not name them), and helpers to fill answers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.models import Department, Membership, Municipality, Role
from shinchoku.demo.loader import DEMO_PASSWORD
from shinchoku.indicators.models import Indicator
from shinchoku.plans.models import NodeDepartment
from shinchoku.rounds import actions

NAKANO = "131148"
DIGITAL, KOSEKI, SHOKUIN = "デジタル政策課", "戸籍住民課", "職員課"
SYSTEM = Access.system(name="test")


def as_access(who) -> Access:
    """The access of a test's actor: a user, or already an Access (SYSTEM)."""
    return who if isinstance(who, Access) else Access.for_user(who)


# Nakano's indicator tables name no department; the tests give three of them an owner.
INDICATOR_OWNERS = {"目標2-2": DIGITAL, "目標1-1": KOSEKI, "目標2-5": SHOKUIN}


def expected_codes(plan, department_name: str) -> set[str]:
    """The activities a department answers for, straight from NodeDepartment: owned or co-owned,
    leaves of the tree, not 再掲 rows."""
    return set(
        NodeDepartment.objects.filter(
            department__name=department_name, node__plan=plan,
            node__relisted_from__isnull=True, node__children__isnull=True,
        ).values_list("node__code", flat=True)
    )


@pytest.fixture
def users(db):
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=["admin", "planning", "digital", "koseki", "shokuin", "executive", "auditor"])}


@pytest.fixture
def departments(db):
    return {d.name: d for d in Department.objects.filter(municipality__code=NAKANO, name__in=[DIGITAL, KOSEKI, SHOKUIN])}


@pytest.fixture
def indicator_owners(nakano_plan, departments):
    for code, name in INDICATOR_OWNERS.items():
        ind = Indicator.objects.get(plan=nakano_plan, code=code)
        ind.owner = departments[name]
        ind.save()
    return {code: Indicator.objects.get(plan=nakano_plan, code=code) for code in INDICATOR_OWNERS}


@pytest.fixture
def round24(nakano_plan, indicator_owners):
    with acting_as(None, name="test"):
        return actions.open_round(as_access(SYSTEM), nakano_plan, 2024, dt.date(2024, 6, 30))


def login(username: str) -> Client:
    """A real session: the login form's backend, password and session cookie."""
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD), username
    return client


@pytest.fixture
def other_municipality(db):
    """Another ward with its own planning user, department and round."""
    from shinchoku.demo.synthetic import build_ward

    plan = build_ward(12, name="架空区")
    User = get_user_model()
    user = User.objects.create(username="kakuu-planning", email="kp@example.invalid")  # force_login only
    Membership.objects.create(user=user, municipality=plan.municipality, role=Role.PLANNING)
    with acting_as(None, name="test"):
        other_round = actions.open_round(as_access(SYSTEM), plan, plan.period_start + 1, dt.date(2024, 6, 30))
    return {"plan": plan, "user": user, "round": other_round, "municipality": Municipality.objects.get(pk=plan.municipality_id)}


def fill(actor, round, nodes, *, symbol="○", text="実施した"):
    """Save a complete draft answer for each node (through the service)."""
    from shinchoku.rounds.models import RoundAnswer

    for node in nodes:
        current = RoundAnswer.objects.filter(round=round, node=node).first()
        with acting_as(actor if not isinstance(actor, Access) else None, name="test"):
            actions.save_answer(as_access(actor), round, node, expected_version=current.version if current else 0,
                status=symbol, result=f"{node.code} {text}", next_year_plan="継続して取り組む", later_plan="",
                change_reason="予算の都合で遅れた" if symbol in ("△", "×") else "",
            )


def workbook_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
