"""Pages and exports of the evaluation sheets, and who may read and edit them."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.core.models import ChangeLog, Role
from shinchoku.evaluations.models import BudgetYear, EvaluationSheet
from shinchoku.evaluations.tests.conftest import make_user

pytestmark = pytest.mark.django_db


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_pages_require_login(client, sheets):
    for url in (reverse("evaluations:list"), reverse("evaluations:sheet", args=[sheets["03-04-01"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_department_list(login, users, sheets):
    html = login(users["planning"]).get(reverse("evaluations:list")).content.decode()
    assert "デジタル推進課" in html and "令和5年度（2023年度）" in html
    for sheet in sheets.values():
        assert reverse("evaluations:sheet", args=[sheet.pk]) in html
    assert "令和5年度 重点的に推進" in html
    assert "91.7%" in html  # 03-04-01: 296,862 ÷ 323,627 (令和4年度, the latest settled year)
    department = sheets["03-04-01"].department
    assert reverse("evaluations:department_pdf", args=[department.pk]) in html


def test_sheet_page_shows_the_published_sheet(login, users, sheets):
    html = login(users["planning"]).get(reverse("evaluations:sheet", args=[sheets["03-04-01"].pk])).content.decode()
    # identity, radio choices as printed, policy hierarchy
    for text in ("事務事業分析シート（令和5年度）", "03-04-01", "業務系システム運用管理", "管理部デジタル推進課",
                 "栗田、成田、高倉、益", "01-02-01", "昭和 58（1983）年度", "荒川区電子情報システム管理運営規程",
                 "目標の設定と管理による行財政運営の戦略的推進", "住民記録等システム更改及び運用支援等業務委託",
                 "50,269,560円", "(実施 22 区 未実施 0 区 不明 0 区)"):
        assert text in html, text
    assert '<span class="ev-radio checked">●業務</span>' in html
    # the cost statement figures, as printed
    for figure in ("450,376", "350,666", "▲99,710", "6,226", "32,049", "▲444,150", "▲318,617", "▲114,223",
                   "行政収支差額(a)-(b)=(c)", "当期収支差額(e)+(h)"):
        assert figure in html, figure
    # budget vs settlement: figures, execution rates, the chart (inline SVG)
    assert "429,265" in html and "370,454" in html and "86.3%" in html and "100.0%" in html
    assert "<svg" in html and "予算額・決算額の推移" in html
    # indicators judged by the indicator engine; classification; checks from the stored figures
    assert "システム評価におけるユーザ満足度調査の平均値" in html and "grade-順調" in html
    assert "重点的に推進" in html
    assert "適合 <b>33</b> 件・不適合 <b>1</b> 件・判定不可 <b>1</b> 件" in html


def test_sheet_page_query_count_is_fixed(login, users, sheets, django_assert_max_num_queries):
    client = login(users["planning"])
    with django_assert_max_num_queries(40):
        assert client.get(reverse("evaluations:sheet", args=[sheets["03-04-06"].pk])).status_code == 200


def test_list_page_query_count_is_fixed(login, users, sheets, django_assert_max_num_queries):
    client = login(users["planning"])
    with django_assert_max_num_queries(12):  # sheets, classifications and budgets prefetched: no N+1
        assert client.get(reverse("evaluations:list")).status_code == 200


def test_budget_zero_shows_undecidable_not_an_error(login, users, sheets):
    sheet = sheets["03-04-03"]
    BudgetYear.objects.filter(sheet=sheet, fiscal_year=2019).update(budget=0, budget_raw="0")
    html = login(users["planning"]).get(reverse("evaluations:sheet", args=[sheet.pk])).content.decode()
    assert "判定不可" in html and "予算額が0" in html


def test_pdf_of_one_sheet_and_of_a_department(login, users, sheets):
    client = login(users["planning"])
    response = client.get(reverse("evaluations:sheet_pdf", args=[sheets["03-04-01"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert pdf_pages(response.content) == 2
    department = sheets["03-04-01"].department
    response = client.get(reverse("evaluations:department_pdf", args=[department.pk]) + "?fy=2023")
    assert response.content.startswith(b"%PDF")
    assert pdf_pages(response.content) == 12  # six sheets, two A4 pages each
    assert "attachment" in response["Content-Disposition"]


def test_xlsx_of_one_sheet_opens_with_the_expected_cells(login, users, sheets):
    response = login(users["planning"]).get(reverse("evaluations:sheet_xlsx", args=[sheets["03-04-01"].pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["03-04-01"]
    ws = wb["03-04-01"]
    assert ws["A1"].value == "事務事業分析シート（令和5年度）"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"  # 9 = A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert {"ev_label", "ev_amount", "ev_head"} <= set(wb.named_styles)
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells["業務系システム運用管理"].column == 2
    total = cells["行政費用合計(b)"]
    values = [ws.cell(row=total.row, column=total.column + k).value for k in (1, 2, 3)]
    assert values == [450376, 350666, -99710]
    assert ws.cell(row=total.row, column=total.column + 3).number_format == '#,##0;"▲"#,##0;0'
    assert ws.cell(row=total.row, column=total.column).style == "ev_label"
    budget = cells["予算額"]
    assert [ws.cell(row=budget.row, column=2 + k).value for k in range(7)] == [
        429265, 454535, 444755, 511414, 477304, 323627, 328822]
    rate_row = cells["執行率（決算額／予算額）"].row
    assert ws.cell(row=rate_row, column=2).value == pytest.approx(0.863)


def test_xlsx_of_a_department_has_one_worksheet_per_sheet(login, users, sheets):
    department = sheets["03-04-01"].department
    response = login(users["auditor"]).get(reverse("evaluations:department_xlsx", args=[department.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == sorted(sheets)


# --------------------------------------------------------------------------------------------- permissions


def edit_url(sheet):
    return reverse("evaluations:sheet_edit", args=[sheet.pk])


def form(sheet, **changes) -> dict:
    data = {"version": sheet.version, "classification_reason": sheet.classification_reason}
    for b in sheet.budget_years.all():
        data[f"budget_{b.fiscal_year}"] = b.budget_raw
        data[f"settlement_{b.fiscal_year}"] = b.settlement_raw
    for c in sheet.classifications.all():
        data[f"classification_{c.fiscal_year}"] = c.label
    data.update(changes)
    return data


def test_department_editor_edits_own_sheet_and_the_change_is_logged(login, users, sheets):
    sheet = sheets["03-04-01"]
    client = login(users["editor"])
    assert client.get(edit_url(sheet)).status_code == 200
    response = client.post(edit_url(sheet), form(sheet, budget_2017="▲1,000", classification_2024="推進"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    row = BudgetYear.objects.get(sheet=sheet, fiscal_year=2017)
    assert (row.budget, row.budget_raw) == (-1000, "▲1,000")
    assert sheet.classifications.get(fiscal_year=2024).label == "推進" and sheet.version == 2
    log = ChangeLog.objects.filter(model="evaluations.BudgetYear", object_id=str(row.pk), action="update").get()
    assert log.user == users["editor"] and log.before["budget"] == 429265 and log.after["budget"] == -1000
    # the page now checks the stored figure: a negative budget gives a rate that is reported
    html = client.get(reverse("evaluations:sheet", args=[sheet.pk])).content.decode()
    assert "▲1,000" in html


def test_editor_of_another_department_cannot_read_or_edit(login, users, sheets):
    sheet = sheets["03-04-01"]
    client = login(users["other_editor"])
    assert client.get(reverse("evaluations:sheet", args=[sheet.pk])).status_code == 404
    assert client.get(edit_url(sheet)).status_code == 404
    assert client.post(edit_url(sheet), form(sheet, budget_2017="1")).status_code == 404
    assert client.get(reverse("evaluations:sheet_pdf", args=[sheet.pk])).status_code == 404
    assert "業務系システム運用管理" not in client.get(reverse("evaluations:list")).content.decode()
    assert BudgetYear.objects.get(sheet=sheet, fiscal_year=2017).budget == 429265


@pytest.mark.parametrize("role", ["auditor", "executive"])
def test_auditor_and_executive_read_only(login, users, sheets, role):
    sheet = sheets["03-04-02"]
    client = login(users[role])
    html = client.get(reverse("evaluations:sheet", args=[sheet.pk])).content.decode()
    assert "情報系システム運用管理" in html and edit_url(sheet) not in html
    assert client.get(edit_url(sheet)).status_code == 403
    assert client.post(edit_url(sheet), form(sheet, budget_2017="1")).status_code == 403
    assert not ChangeLog.objects.filter(model="evaluations.BudgetYear", action="update").exists()


def test_other_municipality_cannot_see_the_sheets(client, sheets):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="planning"))  # Nakano's planning division
    assert client.get(reverse("evaluations:sheet", args=[sheets["03-04-01"].pk])).status_code == 404
    assert "03-04-01" not in client.get(reverse("evaluations:list")).content.decode()


def test_stale_version_is_refused(login, users, sheets):
    sheet = sheets["03-04-05"]
    client = login(users["planning"])
    stale = form(sheet, budget_2017="1")
    assert client.post(edit_url(sheet), form(sheet, settlement_2017="2")).status_code == 302
    response = client.post(edit_url(sheet), stale)
    assert response.status_code == 409 and "他の人が更新しました" in response.content.decode()
    assert BudgetYear.objects.get(sheet=sheet, fiscal_year=2017).settlement == 2
    assert BudgetYear.objects.get(sheet=sheet, fiscal_year=2017).budget != 1


def test_bad_amount_is_reported_and_nothing_is_saved(login, users, sheets):
    sheet = sheets["03-04-06"]
    response = login(users["planning"]).post(edit_url(sheet), form(sheet, budget_2018="12,34"))
    assert response.status_code == 400
    assert "平成30年度の予算額" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.version == 1


def test_blank_settlement_entered_in_the_form_gives_undecidable(login, users, sheets):
    sheet = sheets["03-04-04"]
    client = login(users["planning"])
    assert client.post(edit_url(sheet), form(sheet, settlement_2020="")).status_code == 302
    sheet = EvaluationSheet.objects.get(pk=sheet.pk)
    assert BudgetYear.objects.get(sheet=sheet, fiscal_year=2020).settlement is None
    html = client.get(reverse("evaluations:sheet", args=[sheet.pk])).content.decode()
    assert "決算額が空欄" in html


def test_editor_role_from_a_new_user(sheets):
    user = make_user("ak-new", Role.DEPARTMENT_EDITOR, departments=("デジタル推進課",))
    assert user.membership.departments.get().name == "デジタル推進課"


def test_a_reason_typed_like_a_formula_is_exported_as_text(login, users, sheets):
    sheet = sheets["03-04-02"]
    client = login(users["planning"])
    assert client.post(edit_url(sheet), form(sheet, classification_reason="=HYPERLINK(\"http://example.invalid\")")).status_code == 302
    wb = load_workbook(io.BytesIO(client.get(reverse("evaluations:sheet_xlsx", args=[sheet.pk])).content))
    [cell] = [c for row in wb["03-04-02"].iter_rows() for c in row if c.value == "=HYPERLINK(\"http://example.invalid\")"]
    assert cell.data_type == "s"


def test_the_list_and_the_sheet_answer_as_data(login, users, sheets):
    """``?format=json`` / ``?format=csv`` at the page's own address (the editor's list: its sheets only)."""
    import json

    client = login(users["editor"])
    listed = json.loads(client.get(reverse("evaluations:list") + "?format=json").content)
    assert listed["fiscal_year"] == 2023 and [r["code"] for r in listed["rows"]] == sorted(sheets)
    assert listed["rows"][0]["rate"] == "91.7%" and listed["rows"][0]["department"] == "デジタル推進課"
    csv_text = client.get(reverse("evaluations:list") + "?format=csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("所管課,事務事業コード,事務事業名,事務事業の分類")
    checks = json.loads(client.get(reverse("evaluations:sheet", args=[sheets["03-04-01"].pk]) + "?format=json").content)
    assert checks["counts"] == {"適合": 33, "不適合": 1, "判定不可": 1} and len(checks["rows"]) == 35
    assert client.get(reverse("evaluations:list") + "?format=pdf").status_code == 404
    other = login(users["other_editor"])
    assert json.loads(other.get(reverse("evaluations:list") + "?format=json").content)["rows"] == []
