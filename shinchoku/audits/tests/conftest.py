"""Fixtures of the audit register tests: Koto's report imported through the real importer, and one
user per role (planning, editors of DX推進課 and 職員課, auditor, executive)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import get_importer
from shinchoku.core.models import Department, Membership, Municipality, Role
from shinchoku.demo import KOTO_AUDIT


def make_user(username: str, municipality: Municipality, role: str, departments=(), email: str | None = None):
    user = get_user_model().objects.create_user(username, email if email is not None else f"{username}@example.invalid")
    membership = Membership.objects.create(user=user, municipality=municipality, role=role)
    if departments:
        membership.departments.set(Department.objects.filter(municipality=municipality, name__in=departments))
    return user


@pytest.fixture
def koto(db):
    with acting_as(None, name="test koto import"):
        result = get_importer("koto-audit-findings").run(str(KOTO_AUDIT), access=Access.system(), dry_run=False, options={})
    return result


@pytest.fixture
def koto_municipality(koto):
    return Municipality.objects.get(code="131083")


@pytest.fixture
def users(koto_municipality):
    m = koto_municipality
    return {
        "planning": make_user("koto-planning", m, Role.PLANNING),
        "dx": make_user("koto-dx", m, Role.DEPARTMENT_EDITOR, ["DX推進課"]),
        "shokuin": make_user("koto-shokuin", m, Role.DEPARTMENT_EDITOR, ["職員課"]),
        "auditor": make_user("koto-auditor", m, Role.AUDITOR),
        "executive": make_user("koto-exec", m, Role.EXECUTIVE),
    }
