"""Editors who save the same sheet at the same moment, on a real PostgreSQL server (the test script
starts one; SQLite serialises writers, so the race cannot happen there and the test is skipped).

N threads post the edit form with the same version: exactly one save wins (302), every other one is
told of the conflict (409), none fails (500), and the stored figures are the winner's.

The threads need committed rows, but a test's own connection sits in a transaction that is rolled
back at its end: the rows are written and removed again from a thread of their own.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
THREADS = 8
TRIALS = 20


def in_own_thread(fn):
    """Run ``fn`` on a connection of its own (committed on return) and give back its result."""
    box = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("result")


def _create():
    from django.contrib.auth import get_user_model

    from shinchoku.core.models import ChangeLog, Department, Membership, Municipality, Role
    from shinchoku.evaluations.models import BudgetYear, EvaluationSheet

    last_log = ChangeLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    town = Municipality.objects.create(code="990043", name="競合市")
    department = Department.objects.create(municipality=town, name="情報政策課")
    sheet = EvaluationSheet.objects.create(municipality=town, fiscal_year=2024, code="01-01-01", name="同時編集",
                                           department=department)
    BudgetYear.objects.create(municipality=town, sheet=sheet, fiscal_year=2023, budget=100, budget_raw="100")
    clients = []
    for k in range(THREADS):
        user = get_user_model().objects.create_user(f"race-editor-{k}")
        Membership.objects.create(user=user, municipality=town, role=Role.DEPARTMENT_EDITOR).departments.set([department])
        client = Client()
        client.force_login(user)
        clients.append(client)
    return town, sheet, clients, last_log


def _remove(town, clients, last_log):
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from shinchoku.core.models import ChangeLog

    Session.objects.filter(session_key__in=[c.session.session_key for c in clients]).delete()
    get_user_model().objects.filter(username__startswith="race-editor-").delete()
    town.delete()
    ChangeLog.objects.filter(pk__gt=last_log).delete()


def test_one_save_wins_the_others_get_409_and_none_500():
    from shinchoku.evaluations.models import EvaluationSheet

    if connection.vendor != "postgresql":
        pytest.skip("the race needs a server that runs writers concurrently (PostgreSQL)")
    town, sheet, clients, last_log = in_own_thread(_create)
    url = reverse("evaluations:sheet_edit", args=[sheet.pk])
    try:
        for trial in range(TRIALS):
            version = EvaluationSheet.objects.get(pk=sheet.pk).version
            barrier = threading.Barrier(THREADS)
            outcomes: dict[int, int] = {}

            def save(k: int) -> None:
                try:
                    barrier.wait()
                    response = clients[k].post(url, {"version": version, "budget_2023": str(100 + k),
                                                     "classification_reason": f"試行{trial} 編集者{k}"})
                    outcomes[k] = response.status_code
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=save, args=(k,)) for k in range(THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            statuses = sorted(outcomes.values())
            assert statuses == [302] + [409] * (THREADS - 1), f"trial {trial}: {statuses}"
            [winner] = [k for k, status in outcomes.items() if status == 302]
            stored = EvaluationSheet.objects.get(pk=sheet.pk)
            assert stored.version == version + 1
            assert stored.classification_reason == f"試行{trial} 編集者{winner}"
            assert stored.budget_years.get().budget == 100 + winner
    finally:
        in_own_thread(lambda: _remove(town, clients, last_log))
