"""Pages: inline (htmx) and plain forms, fixed query counts, the review and history pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.plans.models import PlanNode
from shinchoku.rounds import actions
from shinchoku.rounds.models import RoundAnswer

from .conftest import as_access, DIGITAL, SHOKUIN, expected_codes, fill, login

pytestmark = pytest.mark.django_db


def test_open_round_form_errors_are_japanese(nakano_plan):
    client = login("planning")
    r = client.post(reverse("rounds:list"), {"plan": nakano_plan.pk, "fy": "平成99年度", "deadline": "2024-06-30"})
    assert r.status_code == 400 and "存在しません" in r.content.decode()
    r = client.post(reverse("rounds:list"), {"plan": nakano_plan.pk, "fy": "2024", "deadline": "6/30"})
    assert r.status_code == 400 and "年-月-日" in r.content.decode()
    r = client.post(reverse("rounds:list"), {"plan": nakano_plan.pk, "fy": "2040", "deadline": "2040-06-30"})
    assert r.status_code == 400 and "計画期間" in r.content.decode()


def test_plain_form_save_redirects_and_htmx_save_swaps_the_row(round24, nakano_plan, departments):
    dep = departments[SHOKUIN]
    node = PlanNode.objects.get(plan=nakano_plan, code="2-5-①-1")
    client = login("shokuin")
    url = reverse("rounds:save_answer", args=[round24.pk, node.pk])
    data = {"version": 0, "department": dep.pk, "status": "△", "result": "一部実施", "change_reason": "",
            "next_year_plan": "", "later_plan": ""}
    r = client.post(url, data)
    assert r.status_code == 302 and r["Location"].endswith(f"#answer-{node.pk}")
    page = client.get(r["Location"].split("#")[0]).content.decode()
    assert "2-5-①-1 の回答を保存しました" in page
    r = client.post(url, {**data, "version": 1, "result": "一部実施（追記）"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and r["X-Shinchoku-Outcome"] == "200"
    assert html.lstrip().startswith(f'<form id="answer-{node.pk}"') and "保存しました（第2版）" in html
    assert 'hx-post="' in html and 'action="' in html  # works with and without JavaScript
    # an unknown status is refused with the allowed ones named, the typed text kept
    r = client.post(url, {**data, "version": 2, "status": "◯", "result": "入力した文"})
    assert r.status_code == 400 and "選べるのは ◎、○、△、×" in r.content.decode() and "入力した文" in r.content.decode()
    assert RoundAnswer.objects.get(node=node).version == 2


def test_department_page_shows_previous_year_and_status_scale_only(round24, departments):
    html = login("digital").get(reverse("rounds:department", args=[round24.pk, departments[DIGITAL].pk])).content.decode()
    assert html.count('<option value="◎"') == 47 and '<option value="A"' not in html
    assert "令和5年度（公式）" in html and "令和7年度の取組予定" in html
    assert "XLSXで出力" in html and "デジタル政策課の回答を提出する" in html


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_answers(round24, nakano_plan, departments, users):
    planner, digital = login("planning"), login("digital")
    urls = [
        (planner, reverse("rounds:dashboard", args=[round24.pk])),
        (planner, reverse("rounds:review", args=[round24.pk]) + "?state=all"),
        (digital, reverse("rounds:department", args=[round24.pk, departments[DIGITAL].pk])),
    ]
    before = [_count(c, u) for c, u in urls]
    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in sorted(expected_codes(nakano_plan, DIGITAL))]
    fill(users["digital"], round24, nodes[:30])
    after = [_count(c, u) for c, u in urls]
    assert after == before, (before, after)
    assert max(after) < 30, after
    print("query counts (dashboard, review, department):", after)


def test_review_page_filters_and_read_only_for_auditor(round24, nakano_plan, departments, users, indicator_owners):
    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in sorted(expected_codes(nakano_plan, SHOKUIN))]
    fill(users["shokuin"], round24, nodes)
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="30名")
    actions.submit_department(as_access(users["shokuin"]), round24, departments[SHOKUIN])
    url = reverse("rounds:review", args=[round24.pk]) + f"?department={departments[SHOKUIN].pk}&state=submitted"
    html = login("planning").get(url).content.decode()
    assert html.count('class="review card state-submitted"') == 7  # 6 answers + 1 actual
    assert "承認</button>" in html and "差し戻す" in html and "職員課の提出済をすべて承認する" in html
    auditor_html = login("auditor").get(url).content.decode()
    assert auditor_html.count('class="review card state-submitted"') == 7
    assert "承認</button>" not in auditor_html and "差し戻す" not in auditor_html
    # drafts are visible to the auditor too
    fill(users["digital"], round24, [PlanNode.objects.get(plan=nakano_plan, code="1-1-②-3")])
    drafts = login("auditor").get(reverse("rounds:review", args=[round24.pk]) + "?state=draft").content.decode()
    assert "1-1-②-3" in drafts


def test_htmx_approve_and_return_swap_the_row(round24, nakano_plan, departments, users, indicator_owners):
    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in sorted(expected_codes(nakano_plan, SHOKUIN))]
    fill(users["shokuin"], round24, nodes)
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="30名")
    actions.submit_department(as_access(users["shokuin"]), round24, departments[SHOKUIN])
    a, b = (RoundAnswer.objects.get(round=round24, node=n) for n in nodes[:2])
    planner = login("planning")
    r = planner.post(reverse("rounds:approve", args=[round24.pk, "answers", a.pk]), {"version": a.version}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'state-approved' in r.content.decode() and "<html" not in r.content.decode()
    r = planner.post(reverse("rounds:return", args=[round24.pk, "answers", b.pk]), {"version": b.version, "comment": ""}, HTTP_HX_REQUEST="true")
    assert r["X-Shinchoku-Outcome"] == "400" and "コメント" in r.content.decode()
    assert RoundAnswer.objects.get(pk=b.pk).state == "submitted"


def test_anonymous_and_menu(round24):
    from django.test import Client

    r = Client().get(reverse("rounds:list"))
    assert r.status_code == 302 and "/login/" in r["Location"]
    html = login("digital").get(reverse("rounds:list")).content.decode()
    assert '>照会</a>' in html and "デジタル政策課の回答" in html
