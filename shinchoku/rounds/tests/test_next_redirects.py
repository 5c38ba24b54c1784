"""Approve and return (without htmx) go back to the page named in ``next`` only when it is on this site."""

import pytest
from django.urls import reverse

from shinchoku.plans.models import PlanNode
from shinchoku.rounds import actions
from shinchoku.rounds.models import RoundAnswer

from .conftest import SHOKUIN, as_access, expected_codes, fill, login


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_approve_and_return_never_redirect_off_site(round24, nakano_plan, departments, users, indicator_owners, target):
    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in sorted(expected_codes(nakano_plan, SHOKUIN))]
    fill(users["shokuin"], round24, nodes)
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="30名")
    actions.submit_department(as_access(users["shokuin"]), round24, departments[SHOKUIN])
    a, b, c = (RoundAnswer.objects.get(round=round24, node=n) for n in nodes[:3])
    planner = login("planning")
    review = reverse("rounds:review", args=[round24.pk])

    response = planner.post(reverse("rounds:approve", args=[round24.pk, "answers", a.pk]), {"version": a.version, "next": target})
    assert response.status_code == 302 and response["Location"] == review
    assert RoundAnswer.objects.get(pk=a.pk).state == "approved"
    response = planner.post(reverse("rounds:return", args=[round24.pk, "answers", b.pk]),
                            {"version": b.version, "comment": "数値を確認してください", "next": target})
    assert response.status_code == 302 and response["Location"] == review
    assert RoundAnswer.objects.get(pk=b.pk).state == "returned"
    on_site = f"{review}?department={departments[SHOKUIN].pk}"
    response = planner.post(reverse("rounds:approve", args=[round24.pk, "answers", c.pk]), {"version": c.version, "next": on_site})
    assert response.status_code == 302 and response["Location"] == on_site
