"""Plan workbook pages: download from the plan page, the blank template, upload → preview (dry run) →
confirm for the planning division only, and a workbook of another municipality refused."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.plans.models import Plan, PlanNode
from shinchoku.plans.tests.test_workbook_fictional_ward import WORKBOOK
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.reader import read_tables
from shinchoku.plans.workbook.writer import export_plan

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT
    assert not list((tmp_path / "media").glob("workbook-uploads/*.upload")), "every upload is discarded"


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_plan_page_has_the_download_button(planner_client, nakano_plan):
    html = planner_client.get(reverse("plans:detail", args=[nakano_plan.pk])).content.decode()
    assert reverse("plans:workbook_export", args=[nakano_plan.pk]) in html
    assert reverse("plans:workbook_import") in html


def test_download_xlsx_and_csv_zip(planner_client, nakano_plan):
    url = reverse("plans:workbook_export", args=[nakano_plan.pk])
    response = planner_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert f"plan-{nakano_plan.pk}-workbook.xlsx" in response["Content-Disposition"]
    tables = read_tables(response.content)
    assert len(tables["items"]) == 153 and len(tables["progress"]) == 106
    zipped = planner_client.get(url + "?format=csv-zip")
    assert zipped["Content-Type"] == "application/zip"
    assert read_tables(zipped.content) == tables


def test_download_needs_a_role_that_reads_the_whole_plan(client, nakano_plan):
    url = reverse("plans:workbook_export", args=[nakano_plan.pk])
    assert login(client, "digital").get(url).status_code == 403  # a department editor
    assert login(client, "auditor").get(url).status_code == 200


def test_template_has_instructions_dropdowns_and_frozen_headers(planner_client):
    response = planner_client.get(reverse("plans:workbook_template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == fmt.INSTRUCTIONS_SHEET
    assert [s.label for s in fmt.SHEETS] == book.sheetnames[1:7]
    assert book[fmt.CHOICES_SHEET].sheet_state == "hidden"
    instructions = "\n".join(str(c.value) for row in book[fmt.INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "子ども・若者課" in instructions and "集計中" in instructions and "全件成功か全件取消し" in instructions
    for sheet in fmt.SHEETS:
        ws = book[sheet.label]
        assert ws.freeze_panes == "A2"
        if sheet.key != "plan":
            assert [c.value for c in ws[1]] == [c.label for c in sheet.columns]
    drop_downs = {
        (sheet, str(dv.sqref).split(":")[0]): dv.formula1
        for sheet in ("項目", "進捗", "指標", "指標値", "効果") for dv in book[sheet].data_validations.dataValidation
    }
    assert drop_downs[("項目", "C2")] == f"'{fmt.CHOICES_SHEET}'!$A$2:$A$13"  # 階層, from 計画!階層名
    assert drop_downs[("進捗", "C2")] == f"'{fmt.CHOICES_SHEET}'!$C$2:$C$13"  # 進捗状況, from 計画!進捗区分
    assert drop_downs[("指標", "E2")] == '"高いほど良い,低いほど良い,範囲内,定性"'  # 方向
    assert drop_downs[("指標値", "C2")] == '"実績,目標,見込み"'  # 区分
    assert drop_downs[("効果", "D2")] == '"効果額,削減額,増収額,削減時間"'
    assert book[fmt.CHOICES_SHEET]["A2"].value.startswith("=TRIM(MID(SUBSTITUTE(SUBSTITUTE('計画'!$B$7")
    assert book["計画"]["A7"].value == "階層名" and book["計画"]["A8"].value == "進捗区分"
    assert book["項目"].column_dimensions["A"].number_format == "@"  # codes stay text (1-1 is not a date)


def test_upload_preview_then_confirm(planner_client, nakano_plan, uploads_in_tmp):
    book = load_workbook(io.BytesIO(export_plan(nakano_plan)))
    ws = book["項目"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "1-1-①-1")
    row[3].value = "コンビニ交付サービスの利用促進（見直し）"
    buffer = io.BytesIO()
    book.save(buffer)
    url = reverse("plans:workbook_import")
    assert planner_client.get(url).status_code == 200

    response = planner_client.post(url, {"file": SimpleUploadedFile("nakano.xlsx", buffer.getvalue(), XLSX)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "試行の結果" in html and "既存の計画" in html
    assert 'data-sheet="項目" data-outcome="created">0<' in html
    assert "1-1-①-1" in html and "名称" in html
    node = PlanNode.objects.get(plan=nakano_plan, code="1-1-①-1")
    assert node.title != "コンビニ交付サービスの利用促進（見直し）"  # a preview writes nothing
    token = html.split('name="token" value="')[1].split('"')[0]
    assert (uploads_in_tmp / "workbook-uploads" / f"{token}.upload").exists()

    response = planner_client.post(url, {"token": token, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("plans:detail", args=[nakano_plan.pk])
    node.refresh_from_db()
    assert node.title == "コンビニ交付サービスの利用促進（見直し）"
    assert planner_client.post(url, {"token": token, "confirm": "1"}).status_code == 302  # used up: back to the form


def test_upload_cancel_writes_nothing(planner_client, nakano_plan):
    url = reverse("plans:workbook_import")
    response = planner_client.post(url, {"file": SimpleUploadedFile("ward.xlsx", export_plan(nakano_plan), XLSX)})
    token = response.content.decode().split('name="token" value="')[1].split('"')[0]
    response = planner_client.post(url, {"token": token, "cancel": "1"}, follow=True)
    assert "取り消しました" in response.content.decode()


def test_upload_of_another_municipality_is_refused(planner_client):
    before = Plan.objects.count()
    response = planner_client.post(reverse("plans:workbook_import"), {"file": SimpleUploadedFile("ward.xlsx", WORKBOOK.read_bytes(), XLSX)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "団体コード「990010」は、あなたの団体（131148）ではありません" in html and "何も書き込んでいません" in html
    assert Plan.objects.count() == before


def test_upload_of_a_broken_workbook_shows_the_place(planner_client, nakano_plan):
    book = load_workbook(io.BytesIO(export_plan(nakano_plan)))
    del book["効果"]
    buffer = io.BytesIO()
    book.save(buffer)
    response = planner_client.post(reverse("plans:workbook_import"), {"file": SimpleUploadedFile("no-effects.xlsx", buffer.getvalue(), XLSX)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "no-effects.xlsx シート「効果」" in html and "がありません" in html


def test_only_the_planning_division_imports(client):
    assert login(client, "digital").get(reverse("plans:workbook_import")).status_code == 403
    assert login(client, "auditor").post(reverse("plans:workbook_import"), {}).status_code == 403
