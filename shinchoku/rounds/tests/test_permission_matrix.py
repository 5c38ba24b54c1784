"""Survey rounds in the generated permission matrix (``core/testing/matrix.py``): every action of
``rounds.actions`` × every role × every door (action, screen, importer, command)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from shinchoku.core.access import Access
from shinchoku.core.testing.matrix import PLANNING, WRITERS, Case, matrix_params, run_case
from shinchoku.rounds import actions, queries, xlsx
from shinchoku.rounds.models import Round, RoundAnswer, RoundIndicatorActual, WorkflowState

pytestmark = pytest.mark.django_db
SYSTEM = Access.system(name="matrix setup")


def open_round(world, fiscal_year=2025) -> Round:
    return actions.open_round(SYSTEM, world.plan, fiscal_year, dt.date(2025, 6, 30))


def answered(world, state=WorkflowState.DRAFT) -> Round:
    """An open round with complete answers for both activities and the indicator's actual, in ``state``."""
    round = open_round(world)
    for node in (world.activity, world.activity2):
        actions.save_answer(SYSTEM, round, node, expected_version=0, status="○", result=f"{node.code} を実施")
    actions.save_actual(SYSTEM, round, world.indicator, expected_version=0, raw_text="120件")
    if state in (WorkflowState.SUBMITTED, WorkflowState.APPROVED):
        actions.submit_department(SYSTEM, round, world.owner)
    if state == WorkflowState.APPROVED:
        actions.approve_department(SYSTEM, round, world.owner)
    return round


def answer_of(world, round) -> RoundAnswer:
    answer = RoundAnswer.objects.get(round=round, node=world.activity)
    answer.round = round
    return answer


def answers(world, round):
    return sorted(RoundAnswer.objects.filter(round=round).values_list("node_id", "state", "version", "result"))


def round_rows(world, round):
    return list(Round.objects.filter(plan=world.plan).order_by("pk").values_list("pk", "state", "reminder_log"))


def everything(world, round):
    return (round_rows(world, round), answers(world, round),
            sorted(RoundIndicatorActual.objects.values_list("indicator_id", "state", "version", "raw_text")))


def form_with_result(world, round, text: str):
    """The department's exported form with the first answer's result changed, parsed."""
    data = xlsx.workbook_bytes(queries.department_form(round, world.owner))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["回答"]
    header = {c.value: i + 1 for i, c in enumerate(ws[1])}
    column = next(i for name, i in header.items() if name and str(name).startswith("取組結果（"))
    ws.cell(row=2, column=column, value=text)
    out = io.BytesIO()
    wb.save(out)
    raw = out.getvalue()
    return xlsx.parse_workbook(io.BytesIO(raw), round=round, department=world.owner,
                               status_symbols=["◎", "○", "△", "×"], size=len(raw), name="form.xlsx")


CASES = [
    Case(
        "rounds.open_round", PLANNING, build=lambda w: None, rows=round_rows,
        action=lambda a, w, t: actions.open_round(a, w.plan, 2026, dt.date(2026, 6, 30)),
        screen=lambda c, w, t: c.post(reverse("rounds:list"), {"plan": w.plan.pk, "fy": "令和8年度", "deadline": "2026-06-30"}),
        command=lambda w, t: call_command("round", "open", "--plan", str(w.plan.pk), "--fy", "2026", "--deadline", "2026-06-30",
                                       stdout=io.StringIO()),
    ),
    Case(
        "rounds.save_answer", WRITERS, build=open_round, rows=answers,
        action=lambda a, w, r: actions.save_answer(a, r, w.activity, expected_version=0, status="○", result="実施した"),
        screen=lambda c, w, r: c.post(reverse("rounds:save_answer", args=[r.pk, w.activity.pk]), {
            "version": 0, "status": "○", "result": "実施した", "next_year_plan": "", "later_plan": "", "change_reason": ""}),
    ),
    Case(
        "rounds.save_actual", WRITERS, build=open_round,
        rows=lambda w, r: sorted(RoundIndicatorActual.objects.filter(round=r).values_list("version", "raw_text")),
        action=lambda a, w, r: actions.save_actual(a, r, w.indicator, expected_version=0, raw_text="100件"),
        screen=lambda c, w, r: c.post(reverse("rounds:save_actual", args=[r.pk, w.indicator.pk]),
                                   {"version": 0, "raw_text": "100件", "note": ""}),
    ),
    Case(
        "rounds.submit_department", WRITERS, build=answered, rows=everything,
        action=lambda a, w, r: actions.submit_department(a, r, w.owner),
        screen=lambda c, w, r: c.post(reverse("rounds:submit", args=[r.pk, w.owner.pk]), {"confirm": "1"}),
    ),
    Case(
        "rounds.import_department_form", WRITERS, build=open_round, rows=answers,
        importer=lambda a, w, r: actions.import_department_form(a, r, w.owner, form_with_result(w, r, "様式から記入"),
                                                             dry_run=False),
    ),
    Case(
        "rounds.return_answer", PLANNING, build=lambda w: answered(w, WorkflowState.SUBMITTED), rows=answers,
        action=lambda a, w, r: actions.return_answer(a, answer_of(w, r), "理由を追記してください"),
        screen=lambda c, w, r: c.post(reverse("rounds:return", args=[r.pk, "answers", answer_of(w, r).pk]),
                                   {"comment": "理由を追記してください"}),
    ),
    Case(
        "rounds.approve_answer", PLANNING, build=lambda w: answered(w, WorkflowState.SUBMITTED), rows=answers,
        action=lambda a, w, r: actions.approve_answer(a, answer_of(w, r)),
        screen=lambda c, w, r: c.post(reverse("rounds:approve", args=[r.pk, "answers", answer_of(w, r).pk])),
    ),
    Case(
        "rounds.approve_department", PLANNING, build=lambda w: answered(w, WorkflowState.SUBMITTED), rows=everything,
        action=lambda a, w, r: actions.approve_department(a, r, w.owner),
        screen=lambda c, w, r: c.post(reverse("rounds:approve_department", args=[r.pk, w.owner.pk]), {"confirm": "1"}),
    ),
    Case(
        "rounds.close_round", PLANNING, build=lambda w: answered(w, WorkflowState.APPROVED), rows=everything,
        action=lambda a, w, r: actions.close_round(a, r),
        screen=lambda c, w, r: c.post(reverse("rounds:close", args=[r.pk]), {"confirm": "1"}),
        command=lambda w, r: call_command("round", "close", str(r.pk), stdout=io.StringIO()),
    ),
    Case(
        "rounds.reopen_round", PLANNING, build=lambda w: _closed(w), rows=round_rows,
        action=lambda a, w, r: actions.reopen_round(a, r, reason="追加の回答"),
        screen=lambda c, w, r: c.post(reverse("rounds:reopen", args=[r.pk]), {"reason": "追加の回答"}),
        command=lambda w, r: call_command("round", "reopen", str(r.pk), stdout=io.StringIO()),
    ),
    Case(
        "rounds.remind", PLANNING, build=open_round, rows=round_rows,
        action=lambda a, w, r: actions.remind(a, r),
        screen=lambda c, w, r: c.post(reverse("rounds:remind", args=[r.pk]), {"confirm": "1"}),
        command=lambda w, r: call_command("round", "remind", str(r.pk), stdout=io.StringIO()),
    ),
]


def _closed(world) -> Round:
    round = open_round(world)
    actions.close_round(SYSTEM, round)
    return round


@pytest.mark.parametrize(("case", "role", "door"), matrix_params(CASES))
def test_matrix(world, case, role, door):
    run_case(world, case, role, door)
