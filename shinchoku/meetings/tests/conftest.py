"""Fixtures of the meetings tests: Toshima's meeting of 25 March 2024 entered by the demo function
(with Toshima's demo users: toshima = planning, toshima-joho = editor of 情報管理課, toshima-kumin =
editor of 区民部, toshima-kodomo = editor of 子ども家庭部, toshima-honbu = executive, toshima-audit =
auditor)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shinchoku.core.changelog import acting_as
from shinchoku.demo.toshima import load_toshima_meeting
from shinchoku.meetings.models import Meeting


@pytest.fixture
def toshima(db):
    with acting_as(None, name="test toshima demo"):
        load_toshima_meeting()
    return Meeting.objects.get(municipality__code="131164", body="行政情報化推進本部", fiscal_year=2023, number=2)


@pytest.fixture
def tusers(toshima):
    User = get_user_model()
    names = {"planning": "toshima", "joho": "toshima-joho", "kumin": "toshima-kumin", "kodomo": "toshima-kodomo",
             "executive": "toshima-honbu", "auditor": "toshima-audit"}
    return {k: User.objects.get(username=v) for k, v in names.items()}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The demo users get a password; hash it cheaply in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
