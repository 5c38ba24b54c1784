"""Broken plan workbooks: each defect gives one clear message naming its place (file, sheet, row,
column), and nothing is written. Also the encodings a CSV may come in."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from shinchoku.core.importing import ImportFailed
from shinchoku.core.models import ChangeLog, Department, Municipality
from shinchoku.effects.models import Effect
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import Plan, PlanNode, ProgressEntry
from shinchoku.plans.tests.test_workbook_fictional_ward import WORKBOOK
from shinchoku.plans.workbook.importer import import_workbook
from shinchoku.plans.workbook.writer import export_plan, plan_tables, to_csv_zip

pytestmark = pytest.mark.django_db


def counts() -> tuple:
    return tuple(m.objects.count() for m in (Municipality, Department, Plan, PlanNode, ProgressEntry, Indicator,
                                             IndicatorValue, Effect, ChangeLog))


def edited(change, source: bytes | None = None) -> bytes:
    book = load_workbook(io.BytesIO(source) if source else WORKBOOK)
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def find_row(ws, column: int, value) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == value)


def only_problem(data: bytes, filename: str = "broken.xlsx"):
    before = counts()
    with pytest.raises(ImportFailed) as err:
        import_workbook(data, dry_run=False, filename=filename)
    assert counts() == before, "a broken workbook must write nothing"
    problems = err.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_missing_sheet():
    problem = only_problem(edited(lambda b: b.remove(b["効果"])))
    assert problem.sheet == "効果" and problem.file == "broken.xlsx"
    assert "シート「効果（effects）」がありません" in problem.message


def test_renamed_header():
    def rename(book):
        book["項目"]["D2"] = "取組名"  # 名称 (the header is on row 2, under a title line)

    problem = only_problem(edited(rename))
    assert (problem.sheet, problem.row, problem.column) == ("項目", 2, "D")
    assert "「名称」（title）がありません" in problem.message and "「取組名」（D列）" in problem.message


def test_unknown_parent_code():
    def orphan(book):
        ws = book["項目"]
        ws.cell(find_row(ws, 1, "2-2-①"), 2).value = "9-9"

    problem = only_problem(edited(orphan))
    assert (problem.sheet, problem.row, problem.column) == ("項目", 15, "B")
    assert problem.message == "親コード「9-9」の項目がありません"


def test_status_off_the_scale(nakano_plan):
    def bad_status(book):
        ws = book["進捗"]
        ws.cell(find_row(ws, 1, "1-1-①-2"), 3).value = "●"

    problem = only_problem(edited(bad_status, export_plan(nakano_plan)))
    assert (problem.sheet, problem.column) == ("進捗", "C") and problem.row > 1
    assert problem.message == "進捗状況「●」は進捗区分（◎・○・△・×）にありません"


def test_status_on_a_plan_without_scale():
    def status(book):
        ws = book["進捗"]
        ws.cell(2, 3).value = "○"

    problem = only_problem(edited(status))
    assert (problem.sheet, problem.row, problem.column) == ("進捗", 2, "C")
    assert "進捗区分がありません" in problem.message


def test_cycle():
    def cycle(book):
        ws = book["項目"]
        ws.cell(find_row(ws, 1, "方針2"), 2).value = "2-1"  # 2-1's parent is 方針2

    problem = only_problem(edited(cycle))
    assert (problem.sheet, problem.column) == ("項目", "B")
    assert problem.message == "親コードをたどると循環しています（方針2 → 2-1 → 方針2）"


def test_duplicate_code():
    def duplicate(book):
        book["項目"].append(["2-1-①", "2-1", "取組", "RPA・AIの活用（写し）", "業務改革課"])  # pasted twice

    problem = only_problem(edited(duplicate))
    assert (problem.sheet, problem.row, problem.column) == ("項目", 16, "A")
    assert problem.message == "コード「2-1-①」が重複しています（12行と同じ）"


def test_relisting_pointing_nowhere():
    def nowhere(book):
        ws = book["項目"]
        ws.cell(find_row(ws, 1, "1-2-②"), 6).value = "1-9-⑨"

    problem = only_problem(edited(nowhere))
    assert (problem.sheet, problem.column) == ("項目", "F")
    assert problem.message == "再掲元コード「1-9-⑨」の項目がありません"


def test_unreadable_year():
    def year(book):
        ws = book["進捗"]
        ws.cell(3, 2).value = "令和X年度"

    problem = only_problem(edited(year))
    assert (problem.sheet, problem.row, problem.column) == ("進捗", 3, "B")
    assert problem.message == "年度「令和X年度」を年度として読めません（令和5年度・R5・2023・元年度 のように書いてください）"


def test_year_that_does_not_exist():
    def year(book):
        book["指標値"].cell(2, 4).value = "平成35年度"  # column D holds 年度 in this workbook

    problem = only_problem(edited(year))
    assert (problem.sheet, problem.row, problem.column) == ("指標値", 2, "D")
    assert "平成35年度は存在しません" in problem.message


def test_date_in_code_column():
    import datetime as dt

    def date(book):
        book["項目"].cell(3, 1).value = dt.datetime(2024, 1, 1)  # Excel turned 1-1 into 1月1日

    problem = only_problem(edited(date))
    assert (problem.sheet, problem.row, problem.column) == ("項目", 3, "A")
    assert "日付" in problem.message


def test_effect_in_the_wrong_unit():
    def unit(book):
        ws = book["効果"]
        ws.cell(find_row(ws, 4, "削減時間"), 5).value = "1,400千円"

    problem = only_problem(edited(unit))
    assert (problem.sheet, problem.column) == ("効果", "E")
    assert "単位（千円）が違います" in problem.message


def test_direction_that_cannot_be_inferred():
    def bare(book):
        ws = book["指標"]
        ws.cell(find_row(ws, 1, "KPI-3"), 5).value = None  # 低いほど良い removed; target 15分 has no bound

    problem = only_problem(edited(bare))
    assert (problem.sheet, problem.column) == ("指標", "E")
    assert "方向が空で" in problem.message and "令和9年度「10分」" in problem.message


def test_cp932_csv_with_a_bad_byte(db):
    result = import_workbook(WORKBOOK, dry_run=False)
    tables = plan_tables(Plan.objects.get(pk=result.plan_id))
    archive = zipfile.ZipFile(io.BytesIO(to_csv_zip(tables)))
    files = {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}
    lines = files["items.csv"].split("\r\n")
    raw = [line.encode("cp932") for line in lines]
    raw[4] = raw[4].replace("子ども".encode("cp932"), b"\x85\x40")  # 0x85 is not a CP932 lead byte
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, text in files.items():
            out.writestr(name, b"\r\n".join(raw) if name == "items.csv" else text.encode("cp932"))
    problem = only_problem(buffer.getvalue(), "ward-cp932.zip")
    assert (problem.file, problem.sheet, problem.row) == ("ward-cp932.zip", "items.csv", 5)
    assert "CP932（Shift_JIS） として" in problem.message and "0x85 0x40" in problem.message


def test_20_mb_file(tmp_path, settings):
    big = tmp_path / "huge.xlsx"
    with big.open("wb") as f:
        f.write(WORKBOOK.read_bytes())
        f.write(b"\0" * (20 * 1024 * 1024 - f.tell() + 1))
    before = counts()
    with pytest.raises(ImportFailed) as err:
        import_workbook(big, dry_run=False)
    assert counts() == before
    [problem] = err.value.problems
    assert problem.file == "huge.xlsx" and "ファイルが大きすぎます（20.0 MB。上限は 20.0 MB）" in problem.message


def test_not_a_workbook(tmp_path):
    problem = only_problem(b"code,title\n1,a\n", "plan.csv")
    assert "XLSX ファイルでも、CSV をまとめた ZIP ファイルでもありません" in problem.message
    problem = only_problem(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old.xls")
    assert ".xls" in problem.message


def test_command_names_the_place_and_writes_nothing(tmp_path):
    path = tmp_path / "orphan.xlsx"

    def orphan(book):
        ws = book["項目"]
        ws.cell(find_row(ws, 1, "2-2-①"), 2).value = "9-9"

    path.write_bytes(edited(orphan))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "workbook", str(path), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["ok"] is False
    assert payload["problems"] == [{
        "place": "orphan.xlsx シート「項目」 15行 B列", "message": "親コード「9-9」の項目がありません",
        "sheet": "項目", "member": "", "row": 15, "column": "B",
    }]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_zip_in_every_encoding_excel_writes(db, encoding):
    result = import_workbook(WORKBOOK, dry_run=False)
    tables = plan_tables(Plan.objects.get(pk=result.plan_id))
    archive = zipfile.ZipFile(io.BytesIO(to_csv_zip(tables)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in archive.namelist():
            out.writestr(f"みどり区/{name}", archive.read(name).decode("utf-8-sig").encode(encoding))
    again = import_workbook(buffer.getvalue(), dry_run=True, filename=f"ward-{encoding}.zip")
    assert again.created == {} and again.updated == {}
    assert again.unchanged["項目"] == 13


def test_english_headers_and_sheet_names(db):
    def english(book):
        for ws in book.worksheets:
            if ws.title == "項目":
                ws.title = "items"
                for cell in ws[2]:
                    cell.value = {"コード": "code", "親コード": "parent_code", "階層": "level", "名称": "title",
                                  "所管課": "departments", "再掲元コード": "relisted_from", "タグ": "tags",
                                  "説明": "description"}.get(cell.value, cell.value)

    result = import_workbook(edited(english), dry_run=True, filename="english.xlsx")
    assert result.created["項目"] == 13


def test_messages_for_the_closing_note(nakano_plan, capsys):
    """Print each broken workbook's one message (the figures of the closing note); -s shows them."""
    cases = {
        "missing sheet": edited(lambda b: b.remove(b["効果"])),
        "renamed header": edited(lambda b: b["項目"].__setitem__("D2", "取組名")),
        "unknown parent": edited(lambda b: b["項目"].cell(find_row(b["項目"], 1, "2-2-①"), 2, "9-9")),
        "status off the scale": edited(lambda b: b["進捗"].cell(find_row(b["進捗"], 1, "1-1-①-2"), 3, "●"), export_plan(nakano_plan)),
        "cycle": edited(lambda b: b["項目"].cell(find_row(b["項目"], 1, "方針2"), 2, "2-1")),
        "duplicate code": edited(lambda b: b["項目"].append(["2-1-①", "2-1", "取組", "写し", ""])),
        "再掲 pointing nowhere": edited(lambda b: b["項目"].cell(find_row(b["項目"], 1, "1-2-②"), 6, "1-9-⑨")),
        "unreadable year": edited(lambda b: b["進捗"].cell(3, 2, "令和X年度")),
    }
    for name, data in cases.items():
        print(f"{name}: {only_problem(data, 'broken.xlsx')}")
