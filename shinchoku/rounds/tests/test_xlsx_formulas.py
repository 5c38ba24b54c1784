"""Issue 18: formula text in the round answer form. Typed on the web, it is exported as string cells
(no formula) and the re-import changes nothing; typed into the form's cells, it is imported as that
text — not as an empty cell (the preview used to say 取込後（空欄）)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shinchoku.core.cellsafety import put
from shinchoku.core.tests.fuzzing import FORMULA_PAYLOADS, assert_xlsx_carries_payloads
from shinchoku.plans.models import PlanNode
from shinchoku.rounds import actions
from shinchoku.rounds.models import RoundAnswer, RoundIndicatorActual

from .conftest import SHOKUIN, as_access, expected_codes
from .test_xlsx import columns, export, parse, state

pytestmark = pytest.mark.django_db
FIELDS = ("result", "next_year_plan", "later_plan", "change_reason")


def stored(payload: str) -> str:
    """What the answer form stores for a typed text (line ends as LF, surrounding blanks trimmed)."""
    return payload.replace("\r\n", "\n").replace("\r", "\n").strip()


def test_payloads_typed_on_the_web_go_out_as_text_and_come_back_unchanged(round24, departments, users, nakano_plan, indicator_owners):
    dep = departments[SHOKUIN]
    editor = as_access(users["shokuin"])
    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in sorted(expected_codes(nakano_plan, SHOKUIN))]
    for i, node in enumerate(nodes):
        texts = {f: FORMULA_PAYLOADS[(i + k) % len(FORMULA_PAYLOADS)] for k, f in enumerate(FIELDS)}
        actions.save_answer(editor, round24, node, expected_version=0, status="△", **texts)
    actions.save_actual(editor, round24, indicator_owners["目標2-5"], expected_version=0, raw_text="30名",
                         note=FORMULA_PAYLOADS[0])
    saved = {getattr(a, f) for a in RoundAnswer.objects.filter(round=round24) for f in FIELDS}
    assert saved == {stored(p) for p in FORMULA_PAYLOADS}
    assert RoundIndicatorActual.objects.get(round=round24).note == FORMULA_PAYLOADS[0]

    data = export(round24, dep)
    assert_xlsx_carries_payloads(data, saved)
    before = state()
    result = actions.import_department_form(editor, round24, dep, parse(data, round24, dep), dry_run=False)
    assert result.changes == [] and state() == before


def test_payloads_typed_into_the_form_are_imported_as_text(round24, departments, users, nakano_plan):
    dep = departments[SHOKUIN]
    book = load_workbook(io.BytesIO(export(round24, dep)))
    ws = book["回答"]
    col = columns(ws)
    rows = range(2, ws.max_row + 1)
    for i, r in enumerate(rows):
        put(ws, r, col["進捗状況"], "△")
        put(ws, r, col["取組結果（令和6年度）"], FORMULA_PAYLOADS[i % len(FORMULA_PAYLOADS)])
        put(ws, r, col["スケジュールの変更理由"], FORMULA_PAYLOADS[(i + 1) % len(FORMULA_PAYLOADS)])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = actions.import_department_form(as_access(users["shokuin"]), round24, dep, parse(buffer.getvalue(), round24, dep), dry_run=True)
    typed = {c.after for c in preview.changes if c.column.startswith(("P", "O"))}
    assert typed == {stored(p) for p in FORMULA_PAYLOADS}, "no typed text may be read as empty"
    actions.import_department_form(as_access(users["shokuin"]), round24, dep, parse(buffer.getvalue(), round24, dep), dry_run=False)
    assert {a.result for a in RoundAnswer.objects.filter(round=round24)} == {stored(p) for p in FORMULA_PAYLOADS}
    again = export(round24, dep)
    assert_xlsx_carries_payloads(again, {stored(p) for p in FORMULA_PAYLOADS})
    assert actions.import_department_form(as_access(users["shokuin"]), round24, dep, parse(again, round24, dep), dry_run=True).changes == []
