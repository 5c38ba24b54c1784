"""Issue 18: text that a spreadsheet would run as a formula, typed into every free-text column of the
plan workbook, is imported as that text, exported as a string cell (XLSX) or a neutralised field
(CSV-zip), and read back identical by the importer — the re-import changes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from shinchoku.core.cellsafety import put
from shinchoku.core.tests.fuzzing import (
    FORMULA_PAYLOADS,
    assert_csv_neutralises_payloads,
    assert_xlsx_carries_payloads,
)
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.importer import import_workbook
from shinchoku.plans.workbook.writer import export_plan, plan_tables

pytestmark = pytest.mark.django_db

# The columns whose text is stored as typed (not parsed, not a key).
TEXT_COLUMNS = {
    "items": ("title", "description"),
    "progress": ("result", "next_year_plan", "later_plan", "change_reason"),
    "indicators": ("name", "definition", "source"),
    "indicator_values": ("notes",),
    "effects": ("basis", "notes"),
}


def typed_workbook(plan) -> bytes:
    """The plan's workbook with the payloads typed (as text) into every free-text column, six rows each."""
    book = load_workbook(io.BytesIO(export_plan(plan, "xlsx")))
    effects = book[fmt.EFFECTS_SHEET.label]
    code = plan_tables(plan)["items"][-1][0]
    for r, _ in enumerate(FORMULA_PAYLOADS, start=2):  # a few effects to carry the payloads
        for c, value in enumerate([code, f"令和{r}年度", "", "削減時間", f"{r}時間"], start=1):
            put(effects, r, c, value)
    for key, fields in TEXT_COLUMNS.items():
        sheet = fmt.SHEET_BY_KEY[key]
        ws = book[sheet.label]
        for field in fields:
            column = [c.key for c in sheet.columns].index(field) + 1
            for r, payload in enumerate(FORMULA_PAYLOADS, start=2):
                put(ws, r, column, payload)
    plan_sheet = book[fmt.PLAN_SHEET.label]
    row = next(r for r in range(1, plan_sheet.max_row + 1) if plan_sheet.cell(r, 1).value == fmt.PLAN_KEY["description"].label)
    put(plan_sheet, row, 2, FORMULA_PAYLOADS[0])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def payload_cells(tables) -> dict[tuple[str, int, str], str]:
    """(sheet, row, field) → text of the cells :func:`typed_workbook` filled."""
    out = {}
    for key, fields in TEXT_COLUMNS.items():
        keys = [c.key for c in fmt.SHEET_BY_KEY[key].columns]
        for field in fields:
            for i, row in enumerate(tables[key][: len(FORMULA_PAYLOADS)]):
                out[(key, i, field)] = row[keys.index(field)]
    return out


def test_formula_payloads_round_trip_through_xlsx_and_csv_zip(nakano_plan):
    imported = import_workbook(typed_workbook(nakano_plan), dry_run=False, filename="typed.xlsx")
    plan = Plan.objects.get(pk=imported.plan_id)
    tables = plan_tables(plan)
    stored = payload_cells(tables)
    assert len(stored) == 12 * len(FORMULA_PAYLOADS)
    assert set(stored.values()) == set(FORMULA_PAYLOADS), "the importer stores the text as typed"
    assert sorted(v for (k, i, f), v in stored.items() if (k, f) == ("progress", "result")) == sorted(FORMULA_PAYLOADS)
    assert plan.description == FORMULA_PAYLOADS[0]

    xlsx = export_plan(plan, "xlsx")
    assert_xlsx_carries_payloads(xlsx, FORMULA_PAYLOADS, formula_sheets=(fmt.CHOICES_SHEET,))
    csv_zip = export_plan(plan, "csv-zip")
    with zipfile.ZipFile(io.BytesIO(csv_zip)) as archive:
        text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert_csv_neutralises_payloads(text, FORMULA_PAYLOADS)

    for data, name in ((xlsx, "again.xlsx"), (csv_zip, "again.zip")):
        result = import_workbook(data, dry_run=False, filename=name)
        assert result.plan_id == plan.pk and result.created == {} and result.updated == {}, (name, result.updated)
        assert plan_tables(Plan.objects.get(pk=plan.pk)) == tables
