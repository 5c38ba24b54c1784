"""No lost update: two real sessions (two people, each logged in through the login backend with
their password) edit the same answer. The second save carries the version its page was rendered
with; it is refused with 409, shows the other person's values, keeps the typed text, and writes
nothing. The second person then decides (overwrite on purpose, or take the other's)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shinchoku.core.models import ChangeLog
from shinchoku.plans.models import PlanNode
from shinchoku.rounds.models import RoundAnswer, RoundIndicatorActual

from .conftest import as_access, SHOKUIN, login

pytestmark = pytest.mark.django_db


def form_of(html: str, node_pk: int) -> str:
    return re.search(rf'<form id="answer-{node_pk}".*?</form>', html, re.DOTALL).group(0)


def version_in(html: str, node_pk: int) -> int:
    return int(re.search(r'name="version" value="(\d+)"', form_of(html, node_pk)).group(1))


def post(client, round, dep, node, version, result, **extra):
    return client.post(reverse("rounds:save_answer", args=[round.pk, node.pk]), {
        "version": version, "department": dep.pk, "status": "○", "result": result,
        "next_year_plan": "", "later_plan": "", "change_reason": "",
    }, **extra)


def test_two_sessions_editing_one_answer(round24, nakano_plan, departments):
    dep = departments[SHOKUIN]
    node = PlanNode.objects.get(plan=nakano_plan, code="2-5-①-1")
    page_url = reverse("rounds:department", args=[round24.pk, dep.pk])
    editor, planner = login("shokuin"), login("planning")
    assert editor.session.session_key != planner.session.session_key

    # Both open the page: no answer yet (version 0).
    v_editor = version_in(editor.get(page_url).content.decode(), node.pk)
    v_planner = version_in(planner.get(page_url).content.decode(), node.pk)
    assert v_editor == v_planner == 0

    # The editor saves first.
    assert post(editor, round24, dep, node, v_editor, "職員課の入力: 研修を3回実施").status_code == 302
    answer = RoundAnswer.objects.get(round=round24, node=node)
    assert answer.version == 1

    # The planner saves from the stale page: refused, told, shown the other's value, nothing written.
    response = post(planner, round24, dep, node, v_planner, "企画課の入力: 研修を実施")
    html = response.content.decode()
    assert response.status_code == 409
    assert "他の人（shokuinさん）が更新しました" in html and "保存していません" in html
    conflict = form_of(html, node.pk)
    assert "職員課の入力: 研修を3回実施" in conflict  # the other's value
    assert "企画課の入力: 研修を実施" in conflict  # the planner's typing is kept on the page
    assert version_in(html, node.pk) == 1  # the form now carries the current version
    answer.refresh_from_db()
    assert answer.result == "職員課の入力: 研修を3回実施" and answer.version == 1
    assert ChangeLog.objects.filter(model="rounds.RoundAnswer", object_id=str(answer.pk)).count() == 1

    # The same refusal inline (htmx): 200 so that htmx swaps the row in, the outcome says 409.
    response = post(planner, round24, dep, node, 0, "企画課の入力（htmx）", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["X-Shinchoku-Outcome"] == "409"
    assert "<html" not in response.content.decode() and "職員課の入力: 研修を3回実施" in response.content.decode()
    answer.refresh_from_db()
    assert answer.result == "職員課の入力: 研修を3回実施"

    # The planner decides to overwrite, knowingly: saves against version 1.
    assert post(planner, round24, dep, node, 1, "企画課の入力: 研修を実施（職員課と調整済）").status_code == 302
    answer.refresh_from_db()
    assert answer.version == 2 and answer.result.startswith("企画課の入力")
    # Now the editor's page is stale in turn.
    response = post(editor, round24, dep, node, 1, "職員課の再入力")
    assert response.status_code == 409
    answer.refresh_from_db()
    assert answer.result.startswith("企画課の入力")

    # Every save is in the change log, with who, before and after — and visible on the entry.
    logs = list(ChangeLog.objects.filter(model="rounds.RoundAnswer", object_id=str(answer.pk)).order_by("id"))
    assert [(l.action, l.user.username) for l in logs] == [("create", "shokuin"), ("update", "planning")]
    assert logs[1].before["result"] == "職員課の入力: 研修を3回実施"
    history = editor.get(reverse("rounds:history", args=[round24.pk, "answers", answer.pk])).content.decode()
    assert "職員課の入力: 研修を3回実施" in history and "企画課の入力: 研修を実施（職員課と調整済）" in history


def test_two_sessions_creating_the_same_indicator_actual(round24, departments, indicator_owners):
    dep = departments[SHOKUIN]
    ind = indicator_owners["目標2-5"]
    url = reverse("rounds:save_actual", args=[round24.pk, ind.pk])
    a, b = login("shokuin"), login("planning")
    assert a.post(url, {"version": 0, "department": dep.pk, "raw_text": "31名", "note": ""}).status_code == 302
    response = b.post(url, {"version": 0, "department": dep.pk, "raw_text": "32名", "note": ""})
    assert response.status_code == 409 and "31名" in response.content.decode()
    assert RoundIndicatorActual.objects.get(round=round24, indicator=ind).raw_text == "31名"


def test_review_action_on_a_stale_page_is_refused(round24, nakano_plan, departments, users, indicator_owners):
    """Planning returns an answer the editor changed meanwhile (planning may correct submitted ones)."""
    from shinchoku.rounds import actions

    from .conftest import expected_codes, fill

    dep = departments[SHOKUIN]
    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in sorted(expected_codes(nakano_plan, SHOKUIN))]
    fill(users["shokuin"], round24, nodes)
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="30名")
    actions.submit_department(as_access(users["shokuin"]), round24, dep)
    answer = RoundAnswer.objects.get(round=round24, node=nodes[0])
    seen = answer.version
    actions.save_answer(as_access(users["admin"]), round24, nodes[0], expected_version=seen, result="管理者が修正")
    planner = login("planning")
    response = planner.post(reverse("rounds:return", args=[round24.pk, "answers", answer.pk]), {"version": seen, "comment": "直して"})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.state == "submitted" and answer.result == "管理者が修正"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("他の人" in m for m in messages)
