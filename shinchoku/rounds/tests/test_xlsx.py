"""The department form as XLSX: what the exported workbook looks like, that an unchanged export imports
as "no change", the dry run's per-cell diff, and bad files — each refused with a clear message that
names its place, and nothing changed."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from shinchoku.core.importing import ImportFailed
from shinchoku.core.models import ChangeLog
from shinchoku.plans.models import PlanNode
from shinchoku.rounds import actions, queries, xlsx
from shinchoku.rounds.models import RoundAnswer, RoundIndicatorActual

from .conftest import SYSTEM, as_access, KOSEKI, SHOKUIN, expected_codes, fill, login, workbook_bytes

pytestmark = pytest.mark.django_db
SYMBOLS = ["◎", "○", "△", "×"]


def export(round, dep) -> bytes:
    return xlsx.workbook_bytes(queries.department_form(round, dep))


def columns(ws) -> dict[str, int]:
    return {c.value: i + 1 for i, c in enumerate(ws[1])}


def parse(data: bytes, round, dep, name="form.xlsx"):
    return xlsx.parse_workbook(io.BytesIO(data), round=round, department=dep, status_symbols=SYMBOLS, size=len(data), name=name)


def state():
    return (
        sorted(RoundAnswer.objects.values_list("id", "state", "version", "result", "status_id")),
        sorted(RoundIndicatorActual.objects.values_list("id", "version", "raw_text")),
        ChangeLog.objects.count(),
    )


def test_exported_workbook_layout(round24, departments, nakano_plan):
    dep = departments[SHOKUIN]
    wb = openpyxl.load_workbook(io.BytesIO(export(round24, dep)))
    assert wb.sheetnames == ["記入方法", "回答", "指標実績", "_meta"]
    assert wb["_meta"].sheet_state == "veryHidden"
    help_text = "\n".join(str(c.value) for row in wb["記入方法"].iter_rows() for c in row if c.value)
    for text in ("職員課", "提出期限", "2024年06月30日", "進捗状況はセルの▼から選びます", "スケジュールの変更理由", "集計中", "全件成功か全件取消し"):
        assert text in help_text, text
    ws = wb["回答"]
    col = columns(ws)
    assert ws.protection.sheet is True
    for key in ("照会ID", "所管課ID", "項目コード", "版", "確認用"):
        letter = openpyxl.utils.get_column_letter(col[key])
        assert ws.column_dimensions[letter].hidden, key
        assert ws.cell(row=2, column=col[key]).protection.locked
    for editable in ("進捗状況", "スケジュールの変更理由", "取組結果（令和6年度）", "令和7年度の取組予定", "令和7年度以降の取組予定"):
        cell = ws.cell(row=2, column=col[editable])
        assert cell.protection.locked is False and cell.alignment.wrap_text, editable
    assert ws.cell(row=2, column=col["事業内容"]).protection.locked
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].formula1 == '"◎,○,△,×"' and validations[0].showErrorMessage
    status_letter = openpyxl.utils.get_column_letter(col["進捗状況"])
    assert str(validations[0].sqref) == f"{status_letter}2:{status_letter}7"
    codes = [ws.cell(row=r, column=col["項目コード"]).value for r in range(2, ws.max_row + 1)]
    assert set(codes) == expected_codes(nakano_plan, SHOKUIN) and len(codes) == 6
    # last year's official answer for reference
    assert ws.cell(row=2, column=col["令和5年度の進捗状況"]).value == "○"
    assert ws.cell(row=2, column=col["令和5年度の取組結果（参考）"]).value
    aws = wb["指標実績"]
    acol = columns(aws)
    assert aws.max_row == 2 and aws.cell(row=2, column=acol["指標名"]).value == "ICT資格の「ITパスポート試験」取得者数"
    assert aws.cell(row=2, column=acol["令和5年度の実績"]).value == "29名"
    actual = aws.cell(row=2, column=acol["令和6年度の実績"])
    assert actual.protection.locked is False and actual.number_format == "@"  # text: 1/15 stays a fraction


def test_unchanged_export_imports_as_no_change(round24, departments, users, nakano_plan):
    dep = departments[SHOKUIN]
    fill(users["shokuin"], round24, [PlanNode.objects.get(plan=nakano_plan, code=c) for c in expected_codes(nakano_plan, SHOKUIN)])
    before = state()
    result = actions.import_department_form(as_access(users["shokuin"]), round24, dep, parse(export(round24, dep), round24, dep), dry_run=False)
    assert result.changes == [] and state() == before


def test_dry_run_shows_cells_and_writes_nothing(round24, departments, users, indicator_owners):
    dep = departments[KOSEKI]
    wb = openpyxl.load_workbook(io.BytesIO(export(round24, dep)))
    ws, col = wb["回答"], columns(wb["回答"])
    ws.cell(row=3, column=col["進捗状況"], value="△")
    ws.cell(row=3, column=col["取組結果（令和6年度）"], value="窓口の混雑で一部延期")
    wb["指標実績"].cell(row=2, column=13, value="約 76%")
    code = ws.cell(row=3, column=col["項目コード"]).value
    before = state()
    result = actions.import_department_form(as_access(users["koseki"]), round24, dep, parse(workbook_bytes(wb), round24, dep), dry_run=True)
    assert state() == before
    cells = {(c.sheet, c.row, c.column.split("（")[0], c.before, c.after) for c in result.changes}
    status_letter = openpyxl.utils.get_column_letter(col["進捗状況"])
    assert ("回答", 3, status_letter, "", "△") in cells
    assert ("指標実績", 2, "M", "", "約 76%") in cells
    assert all(c.code in (code, "目標1-1") for c in result.changes)
    # Submitting would fail on the missing reason — the dry run says so, with the row.
    with pytest.raises(ImportFailed) as exc:
        actions.import_department_form(as_access(users["koseki"]), round24, dep, parse(workbook_bytes(wb), round24, dep), dry_run=True, submit=True)
    assert any(p.sheet == "回答" and p.row == 3 and "変更理由" in p.message for p in exc.value.problems)
    assert state() == before


def test_row_changed_on_the_web_after_export_is_not_overwritten(round24, departments, users, nakano_plan):
    dep = departments[SHOKUIN]
    node = PlanNode.objects.get(plan=nakano_plan, code="2-5-①-1")
    data = export(round24, dep)
    actions.save_answer(as_access(users["planning"]), round24, node, expected_version=0, status="○", result="画面で入力")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws, col = wb["回答"], columns(wb["回答"])
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col["項目コード"]).value == "2-5-①-1")
    ws.cell(row=row, column=col["取組結果（令和6年度）"], value="様式で入力")
    before = state()
    with pytest.raises(ImportFailed) as exc:
        actions.import_department_form(as_access(users["shokuin"]), round24, dep, parse(workbook_bytes(wb), round24, dep), dry_run=False)
    problem = exc.value.problems[0]
    assert (problem.sheet, problem.row) == ("回答", row) and "画面で更新されています" in problem.message
    assert state() == before and RoundAnswer.objects.get(round=round24, node=node).result == "画面で入力"


# --- bad files through the upload page: a clear message with its place, nothing changed ----------


def upload(client, round, dep, data: bytes, name="form.xlsx", submit=True):
    form = {"file": SimpleUploadedFile(name, data)}
    if submit:
        form["submit"] = "1"
    return client.post(reverse("rounds:import", args=[round.pk, dep.pk]) + "?step=preview", form)


def edited(round, dep, edit) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(export(round, dep)))
    edit(wb)
    return workbook_bytes(wb)


def _wrong_department(round, deps):
    return export(round, deps[KOSEKI])


def _edited_key(round, deps):
    def edit(wb):
        ws = wb["回答"]
        ws.cell(row=3, column=columns(ws)["項目コード"], value="2-5-①-9")
    return edited(round, deps[SHOKUIN], edit)


def _unknown_status(round, deps):
    def edit(wb):
        ws = wb["回答"]
        ws.cell(row=4, column=columns(ws)["進捗状況"], value="済")
    return edited(round, deps[SHOKUIN], edit)


def _text_in_number_cell(round, deps):
    def edit(wb):
        wb["指標実績"].cell(row=2, column=13, value="順調に増加")
    return edited(round, deps[SHOKUIN], edit)


def _huge(round, deps):
    return b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024)


def _corrupt_zip(round, deps):
    data = export(round, deps[SHOKUIN])
    return data[: len(data) // 2]


def _not_a_zip(round, deps):
    return "照会ID,所管課\n1,職員課\n".encode()


def _broken_member(round, deps):
    """A valid zip whose worksheet XML is garbage."""
    src = zipfile.ZipFile(io.BytesIO(export(round, deps[SHOKUIN])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, b"<worksheet><oops" if info.filename.endswith("sheet2.xml") else data)
    return out.getvalue()


def _flipped_byte_in_answer_sheet(round, deps):
    """One byte inverted inside the compressed 回答 worksheet (issue 18: this crashed importers)."""
    from shinchoku.core.tests.fuzzing import flipped

    return flipped(export(round, deps[SHOKUIN]), "xl/worksheets/sheet2.xml")


def _other_round(round, deps):
    import datetime as dt

    from shinchoku.core.changelog import acting_as

    with acting_as(None, name="test"):
        other = actions.open_round(as_access(SYSTEM), round.plan, 2025, dt.date(2025, 6, 30))
    return export(other, deps[SHOKUIN])


BAD_FILES = {
    # name: (builder, expected status, text of the message, sheet, row, column letter)
    "wrong department": (_wrong_department, 400, "別の所管課（戸籍住民課）の様式です", "", None, ""),
    "another round": (_other_round, 400, "別の照会", "", None, ""),
    "edited key": (_edited_key, 400, "キー列が変更されています", "回答", 3, "C"),
    "unknown status": (_unknown_status, 400, "進捗状況「済」は進捗区分にありません", "回答", 4, "N"),
    "text in a number cell": (_text_in_number_cell, 400, "「順調に増加」を数値として読めません", "指標実績", 2, "M"),
    "50 MB file": (_huge, 413, "ファイルが大きすぎます（50.0 MB、上限 20 MB）", "", None, ""),
    "corrupt zip": (_corrupt_zip, 400, "ZIP（XLSX）として読めません。壊れているか、途中までしかありません", "", None, ""),
    "not a zip (CSV renamed)": (_not_a_zip, 400, "XLSX 形式（Excel ブック）として読めません", "", None, ""),
    "broken worksheet XML": (_broken_member, 400, "ファイルが壊れています（中の XML を読めません", "回答", None, ""),
    "flipped byte in a worksheet": (_flipped_byte_in_answer_sheet, 400, "ファイルが壊れています", "回答", None, ""),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_with_a_place_and_change_nothing(case, round24, departments, indicator_owners, settings):
    settings.SHINCHOKU_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    build, status, message, sheet, row, column = BAD_FILES[case]
    data = build(round24, departments)
    client = login("shokuin")
    before = state()
    response = upload(client, round24, departments[SHOKUIN], data)
    html = response.content.decode()
    assert response.status_code == status, html[-1500:]
    assert "取り込めません（何も変更していません）" in html and message in html, html[-3000:]
    problems = response.context["problems"]
    assert any(message in p.message for p in problems)
    if sheet:
        p = next(p for p in problems if message in p.message)
        assert (p.sheet, p.row, p.column.split("（")[0]) == (sheet, row, column)
        assert (f"シート「{sheet}」 {row}行 {column}" if row else f"シート「{sheet}」") in html
    assert state() == before
    assert "result" not in response.context or response.context["result"] is None


def test_huge_file_is_refused_before_it_is_opened(round24, departments):
    """The size is checked first: not one byte of a file over the limit is read."""

    class Upload(io.BytesIO):
        reads = 0

        def read(self, *args):
            Upload.reads += 1
            return super().read(*args)

    with override_settings(SHINCHOKU_MAX_UPLOAD_BYTES=1024), pytest.raises(ImportFailed, match="大きすぎます"):
        xlsx.parse_workbook(Upload(b"x" * 2048), round=round24, department=departments[SHOKUIN],
                            status_symbols=SYMBOLS, size=2048, name="big.xlsx")
    assert Upload.reads == 0


def test_import_of_a_submitted_answer_is_refused_for_the_editor(round24, departments, users, nakano_plan, indicator_owners):
    dep = departments[SHOKUIN]
    fill(users["shokuin"], round24, [PlanNode.objects.get(plan=nakano_plan, code=c) for c in expected_codes(nakano_plan, SHOKUIN)])
    actions.save_actual(as_access(users["shokuin"]), round24, indicator_owners["目標2-5"], expected_version=0, raw_text="30名")
    actions.submit_department(as_access(users["shokuin"]), round24, dep)
    wb = openpyxl.load_workbook(io.BytesIO(export(round24, dep)))
    ws, col = wb["回答"], columns(wb["回答"])
    ws.cell(row=2, column=col["取組結果（令和6年度）"], value="提出後の変更")
    before = state()
    with pytest.raises(ImportFailed) as exc:
        actions.import_department_form(as_access(users["shokuin"]), round24, dep, parse(workbook_bytes(wb), round24, dep), dry_run=False)
    assert "提出済のため変更できません" in exc.value.problems[0].message and exc.value.problems[0].row == 2
    assert state() == before


def test_upload_confirm_cycle_and_stale_token(round24, departments, indicator_owners):
    dep = departments[SHOKUIN]
    client = login("shokuin")
    wb = openpyxl.load_workbook(io.BytesIO(export(round24, dep)))
    ws, col = wb["回答"], columns(wb["回答"])
    ws.cell(row=2, column=col["進捗状況"], value="○")
    ws.cell(row=2, column=col["取組結果（令和6年度）"], value="様式から入力")
    preview = upload(client, round24, dep, workbook_bytes(wb), submit=False)
    assert preview.status_code == 200 and "試行結果（まだ取り込んでいません）" in preview.content.decode()
    assert preview.context["result"].rows_changed == 1 and not RoundAnswer.objects.exists()
    token = preview.context["token"]
    url = reverse("rounds:import", args=[round24.pk, dep.pk]) + "?step=apply"
    # another user cannot apply this person's pending import
    assert login("planning").post(url, {"token": token}).status_code == 400
    response = client.post(url, {"token": token})
    assert response.status_code == 302 and RoundAnswer.objects.get().result == "様式から入力"
    # the token is used up
    again = client.post(url, {"token": token})
    assert again.status_code == 400 and RoundAnswer.objects.get().version == 1
