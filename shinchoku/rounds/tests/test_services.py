"""The round services on their own: rules, states, versions, change log, closing and reopening."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from shinchoku.core.changelog import acting_as
from shinchoku.core.models import ChangeLog
from shinchoku.indicators.models import IndicatorValue
from shinchoku.plans.models import PlanNode, ProgressEntry
from shinchoku.core.actions import StaleError
from shinchoku.rounds import actions, queries
from shinchoku.rounds.models import Round, RoundAnswer, RoundIndicatorActual

from .conftest import SYSTEM, as_access, DIGITAL, KOSEKI, SHOKUIN, expected_codes, fill

pytestmark = pytest.mark.django_db


def node(plan, code):
    return PlanNode.objects.get(plan=plan, code=code)


def test_open_round_rules(nakano_plan, users):
    with pytest.raises(PermissionDenied):
        actions.open_round(as_access(users["digital"]), nakano_plan, 2024, dt.date(2024, 6, 30))
    with pytest.raises(actions.RoundError, match="計画期間"):
        actions.open_round(as_access(users["planning"]), nakano_plan, 2030, dt.date(2030, 6, 30))
    r = actions.open_round(as_access(users["planning"]), nakano_plan, 2024, dt.date(2024, 6, 30))
    assert r.is_open and r.opened_by == users["planning"] and r.municipality_id == nakano_plan.municipality_id
    with pytest.raises(actions.RoundError, match="すでに受付中"):
        actions.open_round(as_access(users["planning"]), nakano_plan, 2024, dt.date(2024, 7, 31))
    assert ChangeLog.objects.filter(model="rounds.Round", object_id=str(r.pk), action="create").count() == 1


def test_answerable_activities_are_the_non_relisted_leaves(round24, nakano_plan):
    ownership = queries.plan_ownership(nakano_plan)
    assert len(ownership.nodes) == 105  # the 105 rows with a status in the published report
    assert all(n.relisted_from_id is None for n in ownership.nodes)
    for name in (DIGITAL, KOSEKI, SHOKUIN):
        dep_id = next(o.id for o in ownership.departments() if o.name == name)
        codes = {n.code for n in ownership.nodes if n.pk in set(ownership.node_ids_of(dep_id))}
        assert codes == expected_codes(nakano_plan, name)


def test_save_answer_versions_and_change_log(round24, nakano_plan, users):
    n = node(nakano_plan, "2-5-①-1")
    with acting_as(users["shokuin"]):
        a = actions.save_answer(as_access(users["shokuin"]), round24, n, expected_version=0, status="○", result="研修を実施")
    assert (a.version, a.state, a.status.symbol) == (1, "draft", "○")
    with acting_as(users["shokuin"]):
        a = actions.save_answer(as_access(users["shokuin"]), round24, n, expected_version=1, result="研修を2回実施")
    assert a.version == 2
    # unchanged values: no new version, no change-log row
    with acting_as(users["shokuin"]):
        actions.save_answer(as_access(users["shokuin"]), round24, n, expected_version=2, result="研修を2回実施")
    logs = list(ChangeLog.objects.filter(model="rounds.RoundAnswer", object_id=str(a.pk)).order_by("id"))
    assert [l.action for l in logs] == ["create", "update"]
    assert logs[1].user == users["shokuin"]
    assert logs[1].before["result"] == "研修を実施" and logs[1].after["result"] == "研修を2回実施"
    # stale version: refused, nothing written
    with pytest.raises(StaleError) as exc:
        actions.save_answer(as_access(users["planning"]), round24, n, expected_version=1, result="上書き")
    assert exc.value.current.result == "研修を2回実施" and "他の人" in str(exc.value)
    assert RoundAnswer.objects.get(pk=a.pk).result == "研修を2回実施"


def test_status_must_be_on_the_plans_scale(round24, nakano_plan, users):
    n = node(nakano_plan, "2-5-①-1")
    with pytest.raises(actions.RoundError, match="進捗区分にありません"):
        actions.save_answer(as_access(users["shokuin"]), round24, n, expected_version=0, status="A")
    from shinchoku.plans.models import StatusScale, StatusSymbol

    other = StatusScale.objects.create(municipality_id=nakano_plan.municipality_id, name="他の区分")
    foreign = StatusSymbol.objects.create(municipality_id=nakano_plan.municipality_id, scale=other, symbol="実施済", meaning="")
    with pytest.raises(actions.RoundError):
        actions.save_answer(as_access(users["shokuin"]), round24, n, expected_version=0, status=foreign)
    assert not RoundAnswer.objects.filter(round=round24).exists()


def test_relisted_and_non_leaf_nodes_have_no_answer(round24, nakano_plan, users):
    relisted = PlanNode.objects.filter(plan=nakano_plan, relisted_from__isnull=False).first()
    initiative = node(nakano_plan, "2-5-①")
    for n in (relisted, initiative):
        with pytest.raises((actions.RoundError, PermissionDenied)):
            actions.save_answer(as_access(users["planning"]), round24, n, expected_version=0, status="○", result="x")


def test_submit_requires_complete_answers_and_a_reason_for_late(round24, nakano_plan, users, departments, indicator_owners):
    shokuin = departments[SHOKUIN]
    codes = sorted(expected_codes(nakano_plan, SHOKUIN))
    nodes = [node(nakano_plan, c) for c in codes]
    fill(users["shokuin"], round24, nodes[:-1])
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="集計中")
    with pytest.raises(actions.RoundError) as exc:
        actions.submit_department(as_access(users["shokuin"]), round24, shokuin)
    assert (codes[-1], "未回答です") in exc.value.problems
    assert not RoundAnswer.objects.filter(round=round24, state="submitted").exists()
    actions.save_answer(as_access(users["shokuin"]), round24, nodes[-1], expected_version=0, status="△", result="一部実施")
    with pytest.raises(actions.RoundError) as exc:
        actions.submit_department(as_access(users["shokuin"]), round24, shokuin)
    assert any("変更理由" in m for _, m in exc.value.problems)
    actions.save_answer(as_access(users["shokuin"]), round24, nodes[-1], expected_version=1, change_reason="調達が遅れたため")
    result = actions.submit_department(as_access(users["shokuin"]), round24, shokuin)
    assert result.answers == len(codes) and result.actuals == 1
    assert set(RoundAnswer.objects.filter(round=round24).values_list("state", flat=True)) == {"submitted"}
    # submitted answers are locked for the editor but planning may correct them
    with pytest.raises(actions.RoundError, match="提出済"):
        actions.save_answer(as_access(users["shokuin"]), round24, nodes[0], expected_version=2, result="修正")
    a = actions.save_answer(as_access(users["planning"]), round24, nodes[0], expected_version=2, result="企画課が修正")
    assert a.state == "submitted" and a.version == 3


def test_return_approve_close_reopen(round24, nakano_plan, users, departments, indicator_owners):
    shokuin = departments[SHOKUIN]
    nodes = [node(nakano_plan, c) for c in sorted(expected_codes(nakano_plan, SHOKUIN))]
    fill(users["shokuin"], round24, nodes)
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="31名")
    actions.submit_department(as_access(users["shokuin"]), round24, shokuin)
    first = RoundAnswer.objects.get(round=round24, node=nodes[0])
    with pytest.raises(PermissionDenied):
        actions.approve_answer(as_access(users["auditor"]), first)
    with pytest.raises(actions.RoundError, match="コメント"):
        actions.return_answer(as_access(users["planning"]), first, "  ")
    returned = actions.return_answer(as_access(users["planning"]), first, "数値を追記してください")
    assert returned.state == "returned" and returned.return_comment == "数値を追記してください"
    with pytest.raises(actions.RoundError, match="承認できません"):
        actions.approve_answer(as_access(users["planning"]), returned)
    actions.save_answer(as_access(users["shokuin"]), round24, nodes[0], expected_version=returned.version, result="受講者 120名")
    assert RoundAnswer.objects.get(pk=first.pk).state == "returned"  # stays returned until resubmitted
    assert actions.submit_department(as_access(users["shokuin"]), round24, shokuin).answers == 1
    assert actions.approve_department(as_access(users["planning"]), round24, shokuin) == len(nodes) + 1
    summary = actions.close_round(as_access(users["planning"]), round24)
    assert summary["answers_copied"] == len(nodes) and summary["actuals_copied"] == 1
    assert summary["answers_not_approved"] == 105 - len(nodes)
    official = ProgressEntry.objects.get(node=nodes[0], fiscal_year=2024)
    assert official.result == "受講者 120名" and official.status.symbol == "○" and official.submitted_by == users["shokuin"]
    value = IndicatorValue.objects.get(indicator=indicator_owners["目標2-5"], fiscal_year=2024, kind="actual")
    assert value.raw_text == "31名" and value.value == Decimal(31)
    round24.refresh_from_db()
    assert not round24.is_open and round24.closed_by == users["planning"]
    with pytest.raises(actions.RoundError, match="締め切られて"):
        actions.save_answer(as_access(users["planning"]), round24, nodes[0], expected_version=99, result="x")
    actions.reopen_round(as_access(users["planning"]), round24, reason="修正のため")
    round24.refresh_from_db()
    assert round24.is_open and round24.reopen_history[0]["reason"] == "修正のため"
    assert round24.reopen_history[0]["close_summary"]["answers_copied"] == len(nodes)
    # reopened: answers keep their states; a returned-and-approved-again answer updates the official entry on the next close
    a = RoundAnswer.objects.get(round=round24, node=nodes[0])
    a = actions.return_answer(as_access(users["planning"]), a, "再修正")
    actions.save_answer(as_access(users["shokuin"]), round24, nodes[0], expected_version=a.version, result="受講者 130名")
    actions.submit_department(as_access(users["shokuin"]), round24, shokuin)
    actions.approve_answer(as_access(users["planning"]), RoundAnswer.objects.get(round=round24, node=nodes[0]))
    actions.close_round(as_access(users["planning"]), round24)
    assert ProgressEntry.objects.get(node=nodes[0], fiscal_year=2024).result == "受講者 130名"
    assert ChangeLog.objects.filter(model="rounds.Round", object_id=str(round24.pk), action="update").count() >= 3


def test_actual_must_be_readable(round24, users, indicator_owners):
    with pytest.raises(actions.RoundError, match="数値として読めません"):
        actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="たくさん")
    a = actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="約 30 名")
    assert a.approximate and a.value == Decimal(30) and a.unit == "名"
    a = actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=1, raw_text="集計中")
    assert a.value is None and a.readable
    assert not RoundIndicatorActual.objects.exclude(pk=a.pk).exists()


def test_reminders_list_departments_not_submitted(round24, nakano_plan, users, departments, indicator_owners, mailoutbox):
    plan = actions.plan_reminders(round24)
    names = {r.department: r for r in plan}
    assert names[DIGITAL].recipients == ["digital@example.invalid"]
    assert names["企画課"].recipients == []  # no e-mail, no editor
    assert actions.remind(as_access(SYSTEM), round24, dry_run=True) and mailoutbox == []
    fill(users["shokuin"], round24, [node(nakano_plan, c) for c in expected_codes(nakano_plan, SHOKUIN)])
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="31名")
    actions.submit_department(as_access(users["shokuin"]), round24, departments[SHOKUIN])
    departments[KOSEKI].email = "koseki-ka@example.invalid"
    departments[KOSEKI].save()
    sent = actions.remind(as_access(users["planning"]), round24)
    assert SHOKUIN not in {r.department for r in sent}
    to = sorted(addr for m in mailoutbox for addr in m.to)
    assert to == ["digital@example.invalid", "koseki-ka@example.invalid"]
    assert "期限" in mailoutbox[0].subject and "/rounds/" in mailoutbox[0].body
    round24.refresh_from_db()
    assert len(round24.reminder_log) == 1
    with pytest.raises(PermissionDenied):
        actions.remind(as_access(users["digital"]), round24, dry_run=True)


def test_other_municipality_is_refused(round24, other_municipality, users, nakano_plan):
    foreign = other_municipality["user"]
    n = node(nakano_plan, "2-5-①-1")
    with pytest.raises(PermissionDenied):
        actions.save_answer(as_access(foreign), round24, n, expected_version=0, result="x")
    with pytest.raises(PermissionDenied):
        actions.close_round(as_access(foreign), round24)
    with pytest.raises(PermissionDenied):
        actions.open_round(as_access(users["planning"]), other_municipality["plan"], other_municipality["plan"].period_start, dt.date(2024, 1, 1))
    assert Round.objects.get(pk=round24.pk).is_open
