"""Fixtures of the evaluation-sheet tests.

``arakawa`` imports the six published sheets once per test module (through the real importer, outside
the per-test transactions) and removes the municipality again at the end of the module, so other
apps' tests never see it. Tests change the data freely: each test's transaction is rolled back.
"""

from __future__ import annotations

import pytest

from shinchoku.core.access import Access
from shinchoku.demo import ARAKAWA_SHEETS

ARAKAWA = "131181"


@pytest.fixture(scope="module")
def arakawa(django_db_setup, django_db_blocker):
    from django.db import transaction

    from shinchoku.core.changelog import acting_as
    from shinchoku.core.importing import get_importer
    from shinchoku.core.models import ChangeLog, Municipality

    with django_db_blocker.unblock():
        with acting_as(None, name="test setup"):
            get_importer("arakawa-sheet").run(str(ARAKAWA_SHEETS), access=Access.system(), dry_run=False, options={})
    yield ARAKAWA
    with django_db_blocker.unblock(), transaction.atomic():
        pk = Municipality.objects.get(code=ARAKAWA).pk
        Municipality.objects.filter(pk=pk).delete()
        # the change log rows written by the cascade's delete signals still point at the municipality
        ChangeLog.objects.filter(municipality_id=pk).update(municipality=None)


@pytest.fixture
def sheets(arakawa, db):
    from shinchoku.evaluations.models import EvaluationSheet

    return {s.code: s for s in EvaluationSheet.objects.filter(municipality__code=arakawa)}


def make_user(username: str, role: str, municipality_code: str = ARAKAWA, departments=()):
    from django.contrib.auth import get_user_model

    from shinchoku.core.models import Department, Membership, Municipality

    municipality = Municipality.objects.get(code=municipality_code)
    user = get_user_model().objects.create_user(username, f"{username}@example.invalid")  # no password: no hashing
    membership = Membership.objects.create(user=user, municipality=municipality, role=role)
    if departments:
        membership.departments.set([
            Department.objects.get_or_create(municipality=municipality, name=name)[0] for name in departments
        ])
    return user


@pytest.fixture
def users(arakawa, db):
    from shinchoku.core.models import Role

    return {
        "planning": make_user("ak-planning", Role.PLANNING),
        "editor": make_user("ak-digital", Role.DEPARTMENT_EDITOR, departments=("デジタル推進課",)),
        "other_editor": make_user("ak-soumu", Role.DEPARTMENT_EDITOR, departments=("総務課",)),
        "auditor": make_user("ak-auditor", Role.AUDITOR),
        "executive": make_user("ak-executive", Role.EXECUTIVE),
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
