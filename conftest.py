"""Test fixtures shared by every app.

The Nakano report is imported once per test session (through the real importer) into the test
database; each test runs in a transaction that is rolled back, so tests may change it freely.
Tests that need ``transaction=True`` must not rely on it (the database is flushed after them).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from shinchoku.core.access import Access
from shinchoku.demo import NAKANO_PROGRESS

# Shared, noisy machines: no per-example deadline (a slow example is not a failure), and in CI no
# example database, so every run explores afresh and two concurrent runs never share state.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_configure(config):
    """Tests sign in hundreds of users: a fast hasher first (Django's own advice for tests); the slow
    default stays in the list so that any stored hash still verifies."""
    from django.conf import settings as django_settings

    django_settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from shinchoku.core.changelog import acting_as
    from shinchoku.core.importing import get_importer
    from shinchoku.core.models import Municipality
    from shinchoku.demo.loader import ensure_users

    with django_db_blocker.unblock():
        with acting_as(None, name="test setup"):
            get_importer("nakano-progress").run(str(NAKANO_PROGRESS), access=Access.system(), dry_run=False, options={})
            ensure_users(Municipality.objects.get(code="131148"))


@pytest.fixture
def nakano_plan(db):
    from shinchoku.plans.models import Plan

    return Plan.objects.get(municipality__code="131148")


@pytest.fixture
def planner_client(client, db):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="planning"))
    return client


@pytest.fixture
def world(db):
    """The permission matrix's world of two municipalities (``core/testing/matrix.py``)."""
    from shinchoku.core.changelog import acting_as
    from shinchoku.core.testing.matrix import build_world

    with acting_as(None, name="matrix setup"):
        return build_world()
