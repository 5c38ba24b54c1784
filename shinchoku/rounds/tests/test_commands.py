"""``shinchoku round open|status|remind|close|reopen``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shinchoku.core.models import ChangeLog
from shinchoku.plans.models import PlanNode, ProgressEntry
from shinchoku.rounds import actions
from shinchoku.rounds.models import Round

from .conftest import as_access, SHOKUIN, expected_codes, fill

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("round", *args, stdout=out)
    return out.getvalue()


def test_open_status_remind_close(nakano_plan, users, departments, indicator_owners, mailoutbox):
    text = run("open", "--plan", str(nakano_plan.pk), "--fy", "2024", "--deadline", "2024-06-30")
    r = Round.objects.get(plan=nakano_plan, fiscal_year=2024)
    assert f"照会ID {r.pk}" in text
    log = ChangeLog.objects.get(model="rounds.Round", object_id=str(r.pk), action="create")
    assert log.actor == "shinchoku round open" and log.user is None

    status = json.loads(run("status", str(r.pk), "--json"))
    assert status["answers"]["total"] == 105 and status["answers"]["counts"]["not_started"] == 105
    assert status["departments_answered"] == 0 and status["round"]["fiscal_year"] == 2024
    shokuin = next(d for d in status["departments"] if d["name"] == SHOKUIN)
    assert shokuin["total"] == 6 and shokuin["percent"]["not_started"] == 100.0

    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in expected_codes(nakano_plan, SHOKUIN)]
    fill(users["shokuin"], r, nodes[:3])
    status = json.loads(run("status", str(r.pk), "--json"))
    shokuin = next(d for d in status["departments"] if d["name"] == SHOKUIN)
    assert shokuin["counts"]["draft"] == 3 and shokuin["percent"]["draft"] == 50.0
    assert "職員課\t6\t3\t3\t0\t0\t0" in run("status", str(r.pk))

    dry = run("remind", str(r.pk), "--dry-run")
    assert "デジタル政策課: 未提出 48件 → digital@example.invalid" in dry  # 47 activities + 1 indicator
    assert "企画課: 未提出 1件 → 宛先なし（送れません）" in dry and "送っていません" in dry
    assert mailoutbox == []
    sent = run("remind", str(r.pk))
    assert "3課に送信しました" in sent
    assert sorted(m.to[0] for m in mailoutbox) == ["digital@example.invalid", "koseki@example.invalid", "shokuin@example.invalid"]
    assert all("【照会】" in m.subject for m in mailoutbox)

    fill(users["shokuin"], r, nodes)
    actions.save_actual(as_access(users["shokuin"]), r, indicator_owners["目標2-5"], expected_version=0, raw_text="30名")
    actions.submit_department(as_access(users["shokuin"]), r, departments[SHOKUIN])
    actions.approve_department(as_access(users["planning"]), r, departments[SHOKUIN])
    closed = json.loads(run("close", str(r.pk), "--json"))
    assert closed == {"answers_copied": 6, "actuals_copied": 1, "answers_not_approved": 99, "actuals_not_approved": 9}
    assert ProgressEntry.objects.filter(node__plan=nakano_plan, fiscal_year=2024).count() == 6
    with pytest.raises(CommandError, match="締め切られて"):
        run("remind", str(r.pk), "--dry-run")
    assert "再開しました" in run("reopen", str(r.pk), "--reason", "追加の回答")
    assert Round.objects.get(pk=r.pk).reopen_history[0]["by"] == "system"


def test_command_errors_are_clear(nakano_plan, round24):
    with pytest.raises(CommandError, match="照会ID 999 はありません"):
        run("status", "999")
    with pytest.raises(CommandError, match="すでに受付中"):
        run("open", "--plan", str(nakano_plan.pk), "--fy", "令和6年度", "--deadline", "2024-06-30")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("open", "--plan", str(nakano_plan.pk), "--fy", "2025", "--deadline", "6月末")
    with pytest.raises(CommandError, match="年度"):
        run("open", "--plan", str(nakano_plan.pk), "--fy", "来年", "--deadline", "2025-06-30")
