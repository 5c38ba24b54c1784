"""The issue's end-to-end scenario on Nakano's imported plan for FY2024.

Three department editors (デジタル政策課, 戸籍住民課, 職員課) log in with real sessions; each sees
exactly its own activities, including co-owned ones (the expected sets come straight from
NodeDepartment). 職員課 answers on the web and is approved; 戸籍住民課 answers on the web (partly
inline with htmx), is returned and resubmits; デジタル政策課 submits through the XLSX round trip. After
every step the dashboard's counts — page, JSON command — match a model of the states kept by this test.
Closing the round makes the approved answers FY2024's official figures.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from shinchoku.core.models import ChangeLog
from shinchoku.indicators.models import IndicatorValue
from shinchoku.plans.models import NodeDepartment, PlanNode, ProgressEntry
from shinchoku.rounds.models import STATE_ORDER, Round, RoundAnswer

from .conftest import DIGITAL, KOSEKI, SHOKUIN, expected_codes, login, workbook_bytes

pytestmark = pytest.mark.django_db

EDITORS = {"digital": DIGITAL, "koseki": KOSEKI, "shokuin": SHOKUIN}


class Oracle:
    """What the dashboard must say: the state of every activity, kept independently by the test."""

    def __init__(self, plan):
        self.plan = plan
        self.state: dict[str, str] = {}
        self.owners: dict[str, set[str]] = {}
        for code, dep in NodeDepartment.objects.filter(
            node__plan=plan, node__relisted_from__isnull=True, node__children__isnull=True
        ).values_list("node__code", "department__name"):
            self.owners.setdefault(code, set()).add(dep)
            self.state[code] = "not_started"

    def set(self, codes, state):
        for c in codes:
            assert c in self.state, c
            self.state[c] = state

    def department(self, name) -> dict[str, int]:
        counts = Counter(s for c, s in self.state.items() if name in self.owners[c])
        return {s: counts.get(s, 0) for s in STATE_ORDER}

    def total(self) -> dict[str, int]:
        counts = Counter(self.state.values())
        return {s: counts.get(s, 0) for s in STATE_ORDER}


TRACE: list[tuple[str, dict]] = []


def check_dashboard(planner, rnd, oracle: Oracle, *, via_command=False, step=""):
    response = planner.get(reverse("rounds:dashboard", args=[rnd.pk]))
    assert response.status_code == 200
    data = response.context["dash"].as_dict()
    assert data["answers"]["total"] == 105
    assert data["answers"]["counts"] == oracle.total()
    by_name = {d["name"]: d for d in data["departments"]}
    for name in (DIGITAL, KOSEKI, SHOKUIN):
        expected = oracle.department(name)
        assert by_name[name]["counts"] == expected, name
        total = sum(expected.values())
        assert by_name[name]["percent"] == {s: round(100 * n / total, 1) for s, n in expected.items()}
    html = response.content.decode()
    row = re.search(r'<tr data-department="' + DIGITAL + r'".*?</tr>', html, re.DOTALL).group(0)
    for state, n in oracle.department(DIGITAL).items():
        assert re.search(rf'data-state="{state}">{n}<', row), (state, n)
    TRACE.append((step, {"全体": oracle.total(), **{n: oracle.department(n) for n in (DIGITAL, KOSEKI, SHOKUIN)}}))
    if via_command:
        out = StringIO()
        call_command("round", "status", str(rnd.pk), "--json", stdout=out)
        assert json.loads(out.getvalue()) == data
        assert planner.get(reverse("rounds:dashboard_json", args=[rnd.pk])).json() == data
    return data


def answer_codes(html: str) -> set[str]:
    return set(re.findall(r'<form id="answer-\d+" class="answer[^"]*"[^>]*?data-code="([^"]+)"', html, re.DOTALL))


def version_of(html: str, node_pk: int) -> int:
    form = re.search(rf'<form id="answer-{node_pk}".*?</form>', html, re.DOTALL).group(0)
    return int(re.search(r'name="version" value="(\d+)"', form).group(1))


def post_answer(client, round, dep, node, version, *, status="○", result="実施した", reason="", htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("rounds:save_answer", args=[round.pk, node.pk]), {
        "version": version, "department": dep.pk, "status": status, "result": result,
        "next_year_plan": "継続", "later_plan": "", "change_reason": reason,
    }, **headers)


def test_three_departments_end_to_end(nakano_plan, departments, indicator_owners):
    plan = nakano_plan
    oracle = Oracle(plan)
    planner = login("planning")

    # The planning division opens the round on the web.
    response = planner.post(reverse("rounds:list"), {"plan": plan.pk, "fy": "令和6年度", "deadline": "2024-06-30", "title": ""})
    round = Round.objects.get(plan=plan, fiscal_year=2024)
    assert response.status_code == 302 and response["Location"] == reverse("rounds:dashboard", args=[round.pk])
    check_dashboard(planner, round, oracle, via_command=True, step="1 opened")

    # Each editor logs in and sees exactly its own activities, co-owned ones included.
    clients = {u: login(u) for u in EDITORS}
    expected = {name: expected_codes(plan, name) for name in EDITORS.values()}
    assert len(expected[DIGITAL]) == 47 and len(expected[KOSEKI]) == 11 and len(expected[SHOKUIN]) == 6
    co_owned = {c for name in EDITORS.values() for c in expected[name] if len(oracle.owners[c]) > 1}
    assert {"2-2-①-1", "2-5-①-2", "2-3-①-10", "2-3-①-11"} <= co_owned
    pages = {}
    for user, name in EDITORS.items():
        dep = departments[name]
        listing = clients[user].get(reverse("rounds:list")).content.decode()
        assert reverse("rounds:department", args=[round.pk, dep.pk]) in listing
        html = clients[user].get(reverse("rounds:department", args=[round.pk, dep.pk])).content.decode()
        assert answer_codes(html) == expected[name], name
        assert "令和5年度（公式）" in html  # last year's official answer for reference
        pages[user] = html
        for other_user, other_name in EDITORS.items():
            if other_user != user:
                r = clients[user].get(reverse("rounds:department", args=[round.pk, departments[other_name].pk]))
                assert r.status_code == 403
        assert clients[user].get(reverse("rounds:dashboard", args=[round.pk])).status_code == 403

    nodes = {n.code: n for n in PlanNode.objects.filter(plan=plan)}

    # --- 職員課: answers on the web, one of them late with a reason, submits. -----------------------
    shokuin, dep = clients["shokuin"], departments[SHOKUIN]
    for i, code in enumerate(sorted(expected[SHOKUIN])):
        status = "△" if code == "2-5-②-2" else "○"
        r = post_answer(shokuin, round, dep, nodes[code], 0, status=status, result=f"{code} 職員課の取組結果",
                        reason="システム更改の時期を見直したため" if status == "△" else "")
        assert r.status_code == 302, r.content.decode()[:500]
    shokuin.post(reverse("rounds:save_actual", args=[round.pk, indicator_owners["目標2-5"].pk]),
                 {"version": 0, "department": dep.pk, "raw_text": "33名", "note": ""})
    oracle.set(expected[SHOKUIN], "draft")
    check_dashboard(planner, round, oracle, step="2 職員課 drafts")
    r = shokuin.post(reverse("rounds:submit", args=[round.pk, dep.pk]), {"confirm": "1"})
    assert r.status_code == 302
    oracle.set(expected[SHOKUIN], "submitted")
    check_dashboard(planner, round, oracle, step="3 職員課 submitted")

    # --- 戸籍住民課: inline (htmx) saves; a first submit with one activity missing is refused. --------
    koseki, dep = clients["koseki"], departments[KOSEKI]
    own = sorted(expected[KOSEKI] - expected[SHOKUIN])
    for code in own[:-1]:
        r = post_answer(koseki, round, dep, nodes[code], 0, result=f"{code} 戸籍住民課の取組結果", htmx=True)
        assert r.status_code == 200 and "保存しました" in r.content.decode() and "<html" not in r.content.decode()
    koseki.post(reverse("rounds:save_actual", args=[round.pk, indicator_owners["目標1-1"].pk]),
                {"version": 0, "department": dep.pk, "raw_text": "75.1%", "note": "保有率"})
    oracle.set(own[:-1], "draft")
    r = koseki.post(reverse("rounds:submit", args=[round.pk, dep.pk]), {"confirm": "1"})
    assert r.status_code == 400 and own[-1] in r.content.decode() and "未回答です" in r.content.decode()
    check_dashboard(planner, round, oracle, step="4 戸籍住民課 submit refused")  # nothing was submitted
    post_answer(koseki, round, dep, nodes[own[-1]], 0, result="戸籍住民課の取組結果")
    assert koseki.post(reverse("rounds:submit", args=[round.pk, dep.pk]), {"confirm": "1"}).status_code == 302
    oracle.set(own, "submitted")
    check_dashboard(planner, round, oracle, via_command=True, step="5 戸籍住民課 submitted")

    # --- デジタル政策課: XLSX round trip. -------------------------------------------------------------
    digital, dep = clients["digital"], departments[DIGITAL]
    export = digital.get(reverse("rounds:export", args=[round.pk, dep.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(export.content))
    ws = wb["回答"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    rows = {ws.cell(row=r, column=col["項目コード"]).value: r for r in range(2, ws.max_row + 1)}
    assert set(rows) == expected[DIGITAL]
    already = expected[DIGITAL] & (expected[SHOKUIN] | expected[KOSEKI])  # co-owned, submitted by the others
    for code in already:
        assert ws.cell(row=rows[code], column=col["回答の状態"]).value == "提出済"
    to_fill = sorted(expected[DIGITAL] - already)
    for code in to_fill:
        r = rows[code]
        ws.cell(row=r, column=col["進捗状況"], value="○")
        ws.cell(row=r, column=col["取組結果（令和6年度）"], value=f"{code} デジタル政策課の取組結果\n2行目")
        ws.cell(row=r, column=col["令和7年度の取組予定"], value="引き続き推進する")
    aws = wb["指標実績"]
    assert aws.cell(row=2, column=6).value == "目標2-2"
    aws.cell(row=2, column=13, value="9件")
    upload = SimpleUploadedFile("digital.xlsx", workbook_bytes(wb))
    before_logs = ChangeLog.objects.count()
    preview = digital.post(reverse("rounds:import", args=[round.pk, dep.pk]) + "?step=preview", {"file": upload, "submit": "1"})
    assert preview.status_code == 200, preview.content.decode()[-2000:]
    result = preview.context["result"]
    assert result.rows_changed == len(to_fill) + 1
    assert len(result.changes) == 3 * len(to_fill) + 1
    assert ChangeLog.objects.count() == before_logs and not RoundAnswer.objects.filter(round=round, node__code__in=to_fill).exists()
    check_dashboard(planner, round, oracle, step="6 XLSX dry run")  # the dry run changed nothing
    token = preview.context["token"]
    applied = digital.post(reverse("rounds:import", args=[round.pk, dep.pk]) + "?step=apply", {"token": token})
    assert applied.status_code == 302
    oracle.set(to_fill, "submitted")
    check_dashboard(planner, round, oracle, step="7 デジタル政策課 XLSX applied+submitted")
    a = RoundAnswer.objects.get(round=round, node__code=to_fill[0])
    assert a.result.endswith("2行目") and a.submitted_by.username == "digital" and a.state == "submitted"

    # --- Planning: approves 職員課, returns one of 戸籍住民課's answers. --------------------------------
    r = planner.post(reverse("rounds:approve_department", args=[round.pk, departments[SHOKUIN].pk]), {"confirm": "1"})
    assert r.status_code == 302
    oracle.set(expected[SHOKUIN], "approved")
    check_dashboard(planner, round, oracle, step="8 職員課 approved")
    review = planner.get(reverse("rounds:review", args=[round.pk]) + f"?department={departments[KOSEKI].pk}&state=submitted")
    assert review.status_code == 200
    target = RoundAnswer.objects.get(round=round, node__code=own[0])
    r = planner.post(reverse("rounds:return", args=[round.pk, "answers", target.pk]),
                     {"version": target.version, "comment": "件数を追記してください"})
    assert r.status_code == 302
    oracle.set([own[0]], "returned")
    check_dashboard(planner, round, oracle, via_command=True, step="9 戸籍住民課 one returned")

    # --- 戸籍住民課 sees the comment, corrects and resubmits. --------------------------------------------
    html = koseki.get(reverse("rounds:department", args=[round.pk, departments[KOSEKI].pk])).content.decode()
    assert "件数を追記してください" in html
    version = version_of(html, nodes[own[0]].pk)
    r = post_answer(koseki, round, departments[KOSEKI], nodes[own[0]], version, result="交付件数 12,345件")
    assert r.status_code == 302
    check_dashboard(planner, round, oracle, step="10 戸籍住民課 corrected (still returned)")  # still 差戻し until resubmitted
    assert koseki.post(reverse("rounds:submit", args=[round.pk, departments[KOSEKI].pk]), {"confirm": "1"}).status_code == 302
    oracle.set([own[0]], "submitted")
    check_dashboard(planner, round, oracle, step="11 戸籍住民課 resubmitted")
    r = planner.post(reverse("rounds:approve_department", args=[round.pk, departments[KOSEKI].pk]), {"confirm": "1"})
    oracle.set(expected[KOSEKI], "approved")  # 戸籍住民課's own and the co-owned ones it sees
    data = check_dashboard(planner, round, oracle, via_command=True, step="12 戸籍住民課 approved")
    assert {d["name"]: d["answered"] for d in data["departments"]}[SHOKUIN] is True

    # History of the returned answer: who did what, visible on the entry.
    answer = RoundAnswer.objects.get(round=round, node__code=own[0])
    history = koseki.get(reverse("rounds:history", args=[round.pk, "answers", answer.pk])).content.decode()
    for text in ("koseki", "planning", "件数を追記してください", "交付件数 12,345件", "差戻し", "承認済"):
        assert text in history, text

    # --- Closing makes the approved answers FY2024's official figures. --------------------------------
    assert planner.post(reverse("rounds:close", args=[round.pk]), {"confirm": "1"}).status_code == 302
    approved = {c for c, s in oracle.state.items() if s == "approved"}
    official = ProgressEntry.objects.filter(node__plan=plan, fiscal_year=2024)
    assert set(official.values_list("node__code", flat=True)) == approved
    assert official.get(node__code="2-5-②-2").status.symbol == "△"
    assert official.get(node__code=own[0]).result == "交付件数 12,345件"
    assert IndicatorValue.objects.get(indicator=indicator_owners["目標2-5"], fiscal_year=2024, kind="actual").raw_text == "33名"
    assert IndicatorValue.objects.get(indicator=indicator_owners["目標1-1"], fiscal_year=2024, kind="actual").value == Decimal("75.1")
    assert not IndicatorValue.objects.filter(indicator=indicator_owners["目標2-2"], fiscal_year=2024).exists()  # not approved
    # FY2023's published figures are untouched.
    assert ProgressEntry.objects.filter(node__plan=plan, fiscal_year=2023).count() == 105
    for step, counts in TRACE:  # shown with -s: the counts at every step
        print(step, json.dumps(counts, ensure_ascii=False))
