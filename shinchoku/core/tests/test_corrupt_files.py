"""The files of issue 18 that crashed two importers: one flipped byte inside ``items.csv`` of a plan
workbook CSV-zip, and inside the 項目 worksheet of the XLSX. From the command line they give a
message naming the file and the member or sheet, exit status 1 and no traceback; on every import
page they give 400 with that message; nothing is written. Also the limits (rows, unzipped size)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.core import filereaders
from shinchoku.core.importing import ImportFailed
from shinchoku.core.tests.fuzzing import database_state, flipped
from shinchoku.plans.workbook.reader import read_workbook
from shinchoku.plans.workbook.writer import export_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrupt_files(nakano_plan):
    return {
        "plan.zip": flipped(export_plan(nakano_plan, "csv-zip"), "items.csv"),
        "plan.xlsx": flipped(export_plan(nakano_plan, "xlsx"), "xl/worksheets/sheet2.xml"),  # 項目
    }


PLACES = {"plan.zip": "plan.zip シート「items.csv」: ファイルが壊れています", "plan.xlsx": "plan.xlsx シート「項目」: ファイルが壊れています"}


@pytest.mark.parametrize("name", sorted(PLACES))
def test_corrupt_member_is_a_located_problem(corrupt_files, name):
    with pytest.raises(ImportFailed) as err:
        read_workbook(corrupt_files[name], filename=name)
    assert str(err.value.problems[0]).startswith(PLACES[name])


@pytest.mark.parametrize("name", sorted(PLACES))
def test_command_names_the_place_and_writes_nothing(corrupt_files, name, tmp_path):
    path = tmp_path / name
    path.write_bytes(corrupt_files[name])
    before = database_state()
    with pytest.raises(CommandError) as err:
        call_command("import", "workbook", str(path))
    assert "取り込みを中止しました（何も書き込んでいません）" in str(err.value) and PLACES[name] in str(err.value)
    assert database_state() == before


def test_command_line_exits_1_without_a_traceback(corrupt_files, tmp_path):
    """The real program, in its own process: the message on stderr, exit status 1."""
    path = tmp_path / "plan.zip"
    path.write_bytes(corrupt_files["plan.zip"])
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHINCHOKU_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "shinchoku", "import", "workbook", str(path)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert PLACES["plan.zip"] in done.stderr and "Bad CRC-32" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("name", sorted(PLACES))
def test_workbook_page_answers_400_with_the_place(corrupt_files, name, planner_client):
    before = database_state()
    response = planner_client.post("/plans/workbook/import/", {"file": SimpleUploadedFile(name, corrupt_files[name])})
    assert response.status_code == 400
    assert any(PLACES[name] == f"{p['place']}: {p['message']}"[: len(PLACES[name])] for p in response.context["problems"])
    assert "ファイルが壊れています" in response.content.decode()
    assert database_state() == before


def test_procedures_page_answers_400_for_a_corrupt_sheet(client, tmp_path):
    from shinchoku.core.models import Municipality, Role
    from shinchoku.procedures.inventory_io import export_xlsx
    from shinchoku.procedures.tests.test_drive import make_user

    ward = Municipality.objects.create(code="131164", name="豊島区")
    client.force_login(make_user("u-planning", ward, Role.PLANNING))
    data = flipped(export_xlsx(ward), "xl/worksheets/sheet1.xml")
    before = database_state()
    response = client.post("/procedures/import/?step=preview", {"file": SimpleUploadedFile("手続一覧.xlsx", data)})
    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert (problem.file, problem.sheet) == ("手続一覧.xlsx", "行政手続一覧") and "ファイルが壊れています" in problem.message
    assert database_state() == before


# --------------------------------------------------------------------------- limits


def test_sheet_over_the_row_limit_is_refused_while_streaming(settings):
    """The dimension tag says A1:A1; the rows are counted as they stream past and the read stops at
    the limit (bench/import_limits.py does the same with 2,000,000 rows)."""
    settings.SHINCHOKU_MAX_SHEET_ROWS = 1000
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 5001))
    data = _one_sheet_xlsx(f'<dimension ref="A1:A1"/><sheetData>{rows}</sheetData>')
    book = filereaders.open_xlsx(data, "rows.xlsx")
    with pytest.raises(ImportFailed) as err:
        book.rows("手続")
    (problem,) = err.value.problems
    assert (problem.file, problem.sheet, problem.row) == ("rows.xlsx", "手続", 1001)
    assert "行が多すぎます（1,000行を超えています）" in problem.message


def test_value_far_to_the_right_is_refused(settings):
    settings.SHINCHOKU_MAX_SHEET_COLUMNS = 50
    data = _one_sheet_xlsx('<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row></sheetData>')
    with pytest.raises(ImportFailed) as err:
        filereaders.open_xlsx(data, "wide.xlsx").rows("手続")
    assert err.value.problems[0].column == "XFD" and "列が多すぎます" in err.value.problems[0].message


def test_zip_bomb_is_refused_before_it_is_inflated(settings):
    settings.SHINCHOKU_MAX_UNZIPPED_BYTES = 10 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("items.csv", b"\r\n" * (8 * 1024 * 1024))  # 16 MB inflated, 16 KB stored
    with pytest.raises(ImportFailed) as err:
        read_workbook(buffer.getvalue(), filename="bomb.zip")
    assert "展開後の大きさが大きすぎます（16.0 MB。上限は 10.0 MB）" in err.value.problems[0].message


def _one_sheet_xlsx(sheet_body: str) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                                            '<sheet name="手続" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}">{sheet_body}</worksheet>')
    return buffer.getvalue()
