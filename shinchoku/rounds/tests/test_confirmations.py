"""Closing a round, bulk approval, submitting and reminder mails each show one confirmation screen with
counts first; nothing happens until its button is pressed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.core.models import ChangeLog
from shinchoku.rounds.models import Round, RoundAnswer

from .conftest import SHOKUIN, fill, login

pytestmark = pytest.mark.django_db


def test_close_asks_first_with_the_counts(round24, nakano_plan, users, departments):
    from shinchoku.plans.models import PlanNode
    from shinchoku.rounds import queries

    nodes = [n for n in queries.plan_ownership(nakano_plan).nodes
             if n.pk in set(queries.plan_ownership(nakano_plan).node_ids_of(departments[SHOKUIN].pk))]
    fill(users["shokuin"], round24, nodes)
    planner = login("planning")
    url = reverse("rounds:close", args=[round24.pk])
    logged = ChangeLog.objects.count()
    for response in (planner.get(url), planner.post(url)):
        html = response.content.decode()
        assert response.status_code == 200 and 'data-testid="confirm"' in html
        assert "公式の進捗に反映する回答（承認済）" in html and "0件" in html
        # 105 activities: none submitted, the department's drafts, none returned, the rest not started
        assert f"105件（0・{len(nodes)}・0・{105 - len(nodes)}）" in html
    assert Round.objects.get(pk=round24.pk).is_open and ChangeLog.objects.count() == logged
    assert PlanNode.objects.filter(plan=nakano_plan).exists()
    response = planner.post(url, {"confirm": "1"})
    assert response.status_code == 302 and not Round.objects.get(pk=round24.pk).is_open


def test_remind_lists_departments_and_addresses_before_sending(round24, mailoutbox):
    planner = login("planning")
    url = reverse("rounds:remind", args=[round24.pk])
    html = planner.get(url).content.decode()
    assert "送る所管課" in html and "デジタル政策課: 未提出" in html and "宛先なし" in html
    assert mailoutbox == []
    planner.post(url, {"confirm": "1"})
    assert len(mailoutbox) == 3


def test_submit_and_bulk_approve_confirm_with_counts(round24, nakano_plan, users, departments, indicator_owners):
    from shinchoku.core.access import Access
    from shinchoku.rounds import actions, queries

    dep = departments[SHOKUIN]
    ownership = queries.plan_ownership(nakano_plan)
    nodes = [n for n in ownership.nodes if n.pk in set(ownership.node_ids_of(dep.pk))]
    fill(users["shokuin"], round24, nodes)
    actions.save_actual(Access.for_user(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="30名")
    editor = login("shokuin")
    submit = reverse("rounds:submit", args=[round24.pk, dep.pk])
    html = editor.post(submit).content.decode()
    assert "提出する回答（下書き・差戻し）" in html and f"{len(nodes)}件" in html
    assert not RoundAnswer.objects.filter(round=round24, state="submitted").exists()
    editor.post(submit, {"confirm": "1"})
    assert RoundAnswer.objects.filter(round=round24, state="submitted").count() == len(nodes)
    planner = login("planning")
    approve = reverse("rounds:approve_department", args=[round24.pk, dep.pk])
    html = planner.get(approve).content.decode()
    assert "承認する回答（提出済）" in html and nodes[0].code in html
    assert not RoundAnswer.objects.filter(round=round24, state="approved").exists()
    planner.post(approve, {"confirm": "1"})
    assert RoundAnswer.objects.filter(round=round24, state="approved").count() == len(nodes)
