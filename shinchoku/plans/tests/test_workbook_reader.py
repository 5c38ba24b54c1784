"""Plan workbook pieces: the core XLSX reader agrees with openpyxl, formulas without a result, header aliases, the 注記 lines,
moving an item by re-import, renamed departments, and an export whose query count does not grow."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from shinchoku.core import filereaders
from shinchoku.core.importing import ImportFailed
from shinchoku.core.models import Department
from shinchoku.demo.synthetic import build_ward
from shinchoku.plans.models import PlanNode
from shinchoku.plans.tests.test_workbook_fictional_ward import WORKBOOK
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook import reader
from shinchoku.plans.workbook.importer import import_workbook
from shinchoku.plans.workbook.notes import compose_notes, parse_notes
from shinchoku.plans.workbook.writer import export_plan, export_template

pytestmark = pytest.mark.django_db


def _openpyxl_text(cell) -> str:
    """The reference: a cell's text as openpyxl reads it (what the core reader must agree with)."""
    import datetime as dt
    from decimal import Decimal

    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if "%" in (cell.number_format or ""):
        return filereaders.number_text(number * 100) + "%"
    return filereaders.number_text(number)


def _same_tables(data: bytes) -> None:
    ours = {t.name: [(n, _trimmed(cells)) for n, cells in t.rows] for t in reader._xlsx_tables(data, "x").values()}
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    theirs = {}
    for name in ours:
        rows = [(i, _trimmed([_openpyxl_text(c) for c in row])) for i, row in enumerate(book[name].iter_rows(), start=1)]
        theirs[name] = [(i, cells) for i, cells in rows if cells]
    book.close()
    assert ours == theirs


def _trimmed(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def test_core_reader_agrees_with_openpyxl(nakano_plan):
    for data in (WORKBOOK.read_bytes(), export_plan(nakano_plan), export_template()):
        _same_tables(data)


def test_core_reader_agrees_on_numbers_dates_and_booleans():
    import datetime as dt

    book = Workbook()
    book.active.title = "計画"
    for sheet in fmt.SHEETS[1:]:
        book.create_sheet(sheet.label).append([c.label for c in sheet.columns])
    ws = book["指標値"]
    ws.append(["A", 2024, "実績", 0.523, "x", ""])
    ws["D2"].number_format = "0.0%"
    ws.append(["B", 2024.0, "実績", 1e-7, True, dt.datetime(2024, 4, 1)])
    ws.append(["C", "令和6年度", "目標", "1+1", None, 12345678901234])
    ws.append(["D", "R6", "目標", 0.1 + 0.2, "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    _same_tables(buffer.getvalue())
    rows = reader._xlsx_tables(buffer.getvalue(), "x")["indicator_values"].rows
    assert rows[1][1][:5] == ["A", "2024", "実績", "52.3%", "x"]
    assert rows[2][1][4:] == ["TRUE", "2024-04-01"] and isinstance(rows[2][1][5], reader.DateText)


def test_formula_without_a_saved_result_is_a_problem_at_its_cell():
    """openpyxl (and LibreOffice in headless mode) write formulas without their result: reading one
    as empty would silently lose the value, so the cell is named instead."""
    book = Workbook()
    book.active.title = "計画"
    for sheet in fmt.SHEETS[1:]:
        book.create_sheet(sheet.label).append([c.label for c in sheet.columns])
    book["指標値"].append(["C", "令和6年度", "目標", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportFailed) as err:
        reader._xlsx_tables(buffer.getvalue(), "formula.xlsx")
    (problem,) = err.value.problems
    assert (problem.file, problem.sheet, problem.row, problem.column) == ("formula.xlsx", "指標値", 2, "D")
    assert problem.message.startswith("数式のセルに計算結果が保存されていません（=1+1）")
    assert "Excel で開いて保存し直してください" in problem.message


def test_furigana_runs_are_not_part_of_the_text():
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    si = ET.fromstring(
        f'<si xmlns="{ns}"><t>子ども・若者課</t><rPh sb="0" eb="3"><t>コドモ</t></rPh><phoneticPr fontId="1"/></si>'
    )
    assert filereaders._text_of(si) == "子ども・若者課"
    runs = ET.fromstring(f'<si xmlns="{ns}"><r><t>デジタル</t></r><r><rPr><b/></rPr><t>政策課</t></r></si>')
    assert filereaders._text_of(runs) == "デジタル政策課"


@pytest.mark.parametrize("header", ["名称", "title", "TITLE", "名称 [title]", "名称（title）", " 名 称 "])
def test_header_aliases(header):
    assert fmt.header_key(fmt.ITEMS_SHEET, header) == "title"


def test_header_that_is_not_in_the_format():
    assert fmt.header_key(fmt.ITEMS_SHEET, "取組名") is None
    assert fmt.sheet_for_name("indicator_values.csv") is fmt.INDICATOR_VALUES_SHEET
    assert fmt.sheet_for_name("指標値") is fmt.INDICATOR_VALUES_SHEET


def test_notes_lines_round_trip():
    text = (
        "【区分】目標1 ICTを活用した行政サービス\n【担当課】子ども・若者課\n【基準値】令和4年度: 5,900fm\n"
        "【最終目標年度】なし\n【累計起点】令和3年度\n【基準量】令和6年度: 12,000千円\n"
        "※1 令和5年5月に指標が交付率から保有率に変更\nなお、交付率は累計\n【定義変更】令和5年度: 交付率から保有率に変更"
    )
    notes = parse_notes(text)
    assert notes.group == "目標1 ICTを活用した行政サービス" and notes.owner == "子ども・若者課"
    assert (notes.baseline_set, notes.baseline_year, notes.baseline_text) == (True, 2022, "5,900fm")
    assert (notes.final_set, notes.final_target_year) == (True, None)
    assert notes.cumulative_since == 2021 and notes.references == [(2024, "12,000千円")]
    assert notes.footnotes == [{"mark": "※1", "text": "令和5年5月に指標が交付率から保有率に変更\nなお、交付率は累計"}]
    assert notes.changes == [(2023, "交付率から保有率に変更")]
    again = compose_notes(
        group=notes.group, owner=notes.owner, footnotes=notes.footnotes, changes=notes.changes,
        references=notes.references, baseline=(notes.baseline_year, notes.baseline_text),
        final_target_year=(notes.final_target_year,), cumulative_since=(notes.cumulative_since,),
    )
    assert again == text
    assert parse_notes("※3 令和3年度以降の累計").cumulative_since == 2021
    assert parse_notes("【定義変更】いつか: 変更").errors


def test_codes_may_not_hold_list_separators():
    def bad(book):
        book["項目"]["A3"] = "方針1、方針2"

    book = load_workbook(WORKBOOK)
    bad(book)
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(Exception) as err:
        import_workbook(buffer.getvalue(), dry_run=True, filename="x.xlsx")
    assert "「、」「;」や改行は使えません" in str(err.value)


def test_moving_an_item_by_reimport_moves_its_subtree(db):
    result = import_workbook(WORKBOOK, dry_run=False)
    book = load_workbook(WORKBOOK)
    ws = book["項目"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "2-2")
    row[1].value = "方針1"  # 施策 2-2 moves under 方針1
    buffer = io.BytesIO()
    book.save(buffer)
    moved = import_workbook(buffer.getvalue(), dry_run=False, filename="moved.xlsx")
    assert moved.plan_id == result.plan_id and moved.updated["項目"] >= 1
    node = PlanNode.objects.get(plan_id=result.plan_id, code="2-2")
    child = PlanNode.objects.get(plan_id=result.plan_id, code="2-2-①")
    assert node.parent.code == "方針1" and child.path.startswith(node.path + ".")
    codes = list(PlanNode.objects.filter(plan_id=result.plan_id).order_by("path").values_list("code", flat=True))
    assert codes.index("2-2") < codes.index("方針2")  # 方針1's subtree now ends with 2-2


def test_former_department_names_resolve_to_the_renamed_department(db):
    from shinchoku.core.models import Municipality

    municipality = Municipality.objects.create(code="990010", name="みどり区（架空）")
    renamed = Department.objects.create(
        municipality=municipality, name="こども家庭課", previous_names=[{"name": "子ども・若者課", "until_fiscal_year": 2023}]
    )
    result = import_workbook(WORKBOOK, dry_run=False)
    node = PlanNode.objects.get(plan_id=result.plan_id, code="1-1-②")
    assert node.ownerships.order_by("order").values_list("department_id", flat=True).first() == renamed.pk
    assert not Department.objects.filter(municipality=municipality, name="子ども・若者課").exists()


def test_export_runs_a_fixed_number_of_queries(db):
    counts = []
    for items in (10, 120):
        plan = build_ward(items, seed=items)
        with CaptureQueriesContext(connection) as ctx:
            export_plan(plan, "csv-zip")
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
