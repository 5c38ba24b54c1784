"""Races on a real PostgreSQL server (``core/testing/races.py``).

1. Eight editors save the same answer (and the same indicator cell) from the same version at the same
   instant, twenty times: each time exactly one wins, the others get 409 with the winner's values —
   never a 500 — and the stored text is the winner's.
2. Fifty approvals and fifty saves race a close of the round: every answer that ends 承認済 is in the
   official progress, no save is accepted after the close, and every caller was told the truth.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.core.access import Access
from shinchoku.core.actions import StaleError
from shinchoku.core.changelog import acting_as
from shinchoku.core.testing.matrix import build_world
from shinchoku.core.testing.races import at_once, needs_postgresql
from shinchoku.indicators.models import IndicatorValue
from shinchoku.plans.models import NodeDepartment, PlanNode, ProgressEntry
from shinchoku.rounds import actions
from shinchoku.rounds.models import Round, RoundAnswer, WorkflowState

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql()]
SYSTEM = Access.system(name="race setup")
THREADS, TRIALS = 8, 20


def _world():
    with acting_as(None, name="race setup"):
        return build_world()


def _clients(world, n: int) -> list[Client]:
    users = [world.users["planning"], world.users["editor_owner"], world.users["editor_bureau"]]
    clients = []
    for i in range(n):
        client = Client()
        client.force_login(users[i % len(users)])
        clients.append(client)
    return clients


def test_eight_editors_save_one_answer_at_once():
    world = _world()
    with acting_as(None, name="race setup"):
        round = actions.open_round(SYSTEM, world.plan, 2025, dt.date(2025, 6, 30))
    url = reverse("rounds:save_answer", args=[round.pk, world.activity.pk])
    clients = _clients(world, THREADS)
    statuses: dict[int, int] = {}
    for trial in range(TRIALS):
        version = RoundAnswer.objects.filter(round=round, node=world.activity).values_list("version", flat=True).first() or 0

        def save(i: int):
            def call():
                response = clients[i].post(url, {
                    "version": version, "status": "○", "result": f"試行{trial} 入力者{i}", "next_year_plan": "",
                    "later_plan": "", "change_reason": "", "department": world.owner.pk,
                })
                return response.status_code, response.content.decode()
            return call

        outcomes = at_once([save(i) for i in range(THREADS)])
        codes = [o[0] if isinstance(o, tuple) else 500 for o in outcomes]
        for code in codes:
            statuses[code] = statuses.get(code, 0) + 1
        assert codes.count(302) == 1 and codes.count(409) == THREADS - 1, (trial, codes, outcomes)
        winner = codes.index(302)
        stored = RoundAnswer.objects.get(round=round, node=world.activity)
        assert stored.result == f"試行{trial} 入力者{winner}" and stored.version == version + 1
        for code, body in outcomes:
            if code == 409:
                assert "他の人" in body and f"試行{trial} 入力者{winner}" in body  # the winner's text is shown
    assert statuses.get(500, 0) == 0
    print(f"\nanswer race: {THREADS} threads × {TRIALS} trials → {statuses}")


def test_eight_editors_save_one_indicator_cell_at_once():
    world = _world()
    url = reverse("indicators:value_save", args=[world.indicator.pk])
    clients = _clients(world, THREADS)
    statuses: dict[int, int] = {}
    for trial in range(TRIALS):
        previous = IndicatorValue.objects.filter(indicator=world.indicator, fiscal_year=2025, kind="actual").values_list(
            "raw_text", flat=True).first() or ""

        def save(i: int):
            def call():
                response = clients[i].post(url, {"fiscal_year": "2025", "kind": "actual", "raw_text": f"{trial * 10 + i}件",
                                                 "previous": previous})
                return response.status_code
            return call

        codes = [c if isinstance(c, int) else 500 for c in at_once([save(i) for i in range(THREADS)])]
        for code in codes:
            statuses[code] = statuses.get(code, 0) + 1
        assert codes.count(302) == 1 and codes.count(409) == THREADS - 1, (trial, codes)
        stored = IndicatorValue.objects.get(indicator=world.indicator, fiscal_year=2025, kind="actual")
        assert stored.raw_text == f"{trial * 10 + codes.index(302)}件"
    assert statuses.get(500, 0) == 0
    print(f"\nindicator cell race: {THREADS} threads × {TRIALS} trials → {statuses}")


def _wide_world(n: int):
    """The matrix world with ``n`` more activities: the first half owned by the owning department, the
    second half by the other department (which answers while the first is reviewed)."""
    world = _world()
    with acting_as(None, name="race setup"):
        nodes = []
        for i in range(n):
            node = PlanNode.objects.create(
                municipality=world.municipality, plan=world.plan, parent=world.goal, code=f"1-{i + 3}",
                title=f"事業{i + 3}", depth=1, order=i + 3, path=f"00001.{i + 3:05d}",
            )
            department = world.owner if i < n // 2 else world.other
            NodeDepartment.objects.create(municipality=world.municipality, node=node, department=department)
            nodes.append(node)
    return world, nodes


@pytest.mark.parametrize("trial", range(4))
def test_approvals_and_saves_race_a_close(trial):
    world, nodes = _wide_world(100)
    with acting_as(None, name="race setup"):
        round = actions.open_round(SYSTEM, world.plan, 2025, dt.date(2025, 6, 30))
        submitted, fresh = nodes[:50], nodes[50:]
        for node in submitted:
            actions.save_answer(SYSTEM, round, node, expected_version=0, status="○", result=f"{node.code} を実施")
        for node in (world.activity, world.activity2):
            actions.save_answer(SYSTEM, round, node, expected_version=0, status="○", result=f"{node.code} を実施")
        actions.save_actual(SYSTEM, round, world.indicator, expected_version=0, raw_text="120件")
        actions.submit_department(SYSTEM, round, world.owner)
    planner = Access.for_user(world.users["planning"])
    editor = Access.for_user(world.users["editor_other"])
    answers = {a.node_id: a for a in RoundAnswer.objects.filter(round=round).select_related("node")}

    def approve(node):
        def call():
            answer = answers[node.pk]
            answer.round = round
            with acting_as(world.users["planning"]):
                return actions.approve_answer(planner, answer)
        return call

    def save(node):
        def call():
            with acting_as(world.users["editor_other"]):
                return actions.save_answer(editor, round, node, expected_version=0, status="○", result=f"{node.code} 締切間際")
        return call

    def close():
        with acting_as(world.users["planning"]):
            return actions.close_round(planner, round)

    calls = []
    for a, s in zip(submitted, fresh):
        calls += [approve(a), save(s)]
    calls.insert(4 + trial * 3, close)  # in the first wave: the close overlaps approvals and saves
    results = at_once(calls, workers=16)
    crashes = [r for r in results if isinstance(r, Exception) and not isinstance(r, (actions.RoundError, StaleError))]
    assert crashes == []
    closed = Round.objects.get(pk=round.pk)
    assert closed.state == Round.State.CLOSED
    summary = results[calls.index(close)]
    assert isinstance(summary, dict)

    approved = RoundAnswer.objects.filter(round=round, state=WorkflowState.APPROVED)
    official = {e.node_id: e for e in ProgressEntry.objects.filter(node__plan=world.plan, fiscal_year=2025)}
    # Every answer that ended 承認済 is in the official progress, with its text; nothing else is.
    assert {a.node_id for a in approved} == set(official)
    for answer in approved:
        assert official[answer.node_id].result == answer.result
    assert summary["answers_copied"] == approved.count()
    # Every approval reported as done is one of them; every refused one says the round is closed.
    for call, result in zip(calls, results):
        if call is close:
            continue
        if isinstance(result, RoundAnswer) and result.state == WorkflowState.APPROVED:
            assert result.node_id in official
        elif isinstance(result, RoundAnswer):
            # a save reported as done committed before the close
            assert RoundAnswer.objects.get(pk=result.pk).updated_at <= closed.closed_at
        else:
            assert isinstance(result, actions.RoundError) and re.search("締め切られています", result.message), result
    # No save was accepted after the close.
    late = RoundAnswer.objects.filter(round=round, updated_at__gt=closed.closed_at)
    assert not late.exists()
    refused = sum(1 for r in results if isinstance(r, actions.RoundError))
    print(f"\nclose race trial {trial}: approved {approved.count()}, copied {summary['answers_copied']}, refused after close {refused}")
