"""Renderers: deterministic XLSX and PDF bytes, CSV with BOM, XLSX styled through named styles and set
up for printing, PDF with the running header and the table header repeated on every page."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile

import openpyxl
from openpyxl.cell.cell import MergedCell
import pytest

from shinchoku.core.testing.programs import need_program
from shinchoku.core.text import remove_spaces

from shinchoku.reports.builder import build_report
from shinchoku.reports.render import render
from shinchoku.reports.render.tabular import PROGRESS_COLUMNS, SUMMARY_COLUMNS
from shinchoku.reports.render.xlsx import FIXED_TIME

pytestmark = pytest.mark.django_db

KINDS = ["summary", "progress-list", "department"]


@pytest.mark.parametrize("kind", KINDS)
def test_same_data_gives_the_same_xlsx_and_pdf_bytes(nakano_plan, kind):
    first = build_report(kind, nakano_plan, 2023)
    second = build_report(kind, nakano_plan, 2023)  # a fresh model from the database
    for fmt in ("xlsx", "pdf", "csv", "json"):
        a, b = render(first, fmt).content, render(second, fmt).content
        assert a == b, f"{kind} {fmt} differs between two renders of the same data"


def test_xlsx_carries_fixed_times(nakano_plan):
    content = render(build_report("summary", nakano_plan, 2023), "xlsx").content
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert {info.date_time for info in z.infolist()} == {FIXED_TIME.timetuple()[:6]}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.properties.created == wb.properties.modified == FIXED_TIME


def test_changed_data_changes_the_bytes(nakano_plan):
    before = render(build_report("progress-list", nakano_plan, 2023), "xlsx").content
    entry = nakano_plan.nodes.get(code="1-1-①-1").entries.get(fiscal_year=2023)
    entry.result = "変更した取組結果"
    entry.save()
    after = render(build_report("progress-list", nakano_plan, 2023), "xlsx").content
    assert before != after


def test_progress_list_xlsx_layout(nakano_plan):
    content = render(build_report("progress-list", nakano_plan, 2023), "xlsx").content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.active
    assert ws.title == "別紙 進捗状況一覧"
    header_row = next(r for r in range(1, 10) if ws.cell(r, 3).value == "事業内容")
    assert [ws.cell(header_row, c).value for c in range(1, 10)] == [
        "実施内容", None, "事業内容", "進捗状況", "スケジュールの変更理由", "取組結果（令和5年度）",
        "令和6年度の取組予定", "令和7年度以降の取組予定", "所管課"]
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["F"].width == 44
    assert "第2次中野区地域情報化推進計画改定版" in ws.oddHeader.left.text and ws.oddFooter.center.text == "&P / &N"
    # Every table cell is styled through a named style; wrapped text for the long columns.
    named = set(wb.named_styles)
    body = [c for row in ws.iter_rows(min_row=header_row) for c in row if not isinstance(c, MergedCell)]
    assert {c.style for c in body} <= named and all(c.style.startswith("rp_") for c in body)
    result = next(c for c in ws["F"] if c.value and "138,069件" in str(c.value))
    assert result.style == "rp_text" and result.alignment.wrap_text
    # An initiative's code and title span its rows (merged), as in the document.
    merged = {str(r) for r in ws.merged_cells.ranges}
    first_group = next(r for r in range(header_row + 1, ws.max_row) if ws.cell(r, 1).value == "1-1-①")
    assert f"A{first_group}:A{first_group + 1}" in merged and f"B{first_group}:B{first_group + 1}" in merged
    # A re-listed row is a reference, not a copy of the figures.
    relisted = [r for r in range(header_row + 1, ws.max_row + 1) if str(ws.cell(r, 4).value or "").startswith("再掲（")]
    assert len(relisted) == 8


def test_summary_xlsx_tables(nakano_plan):
    content = render(build_report("summary", nakano_plan, 2023), "xlsx").content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["進捗状況", "成果指標"]
    counts = {ws_row[0].value: ws_row[2].value for ws_row in wb["進捗状況"].iter_rows() if ws_row[0].value in ("◎", "○", "△", "×")}
    assert counts == {"◎": 0, "○": 105, "△": 0, "×": 0}
    ws = wb["成果指標"]
    rows = {r[0].value: [c.value for c in r[1:5]] for r in ws.iter_rows() if r[0].value and r[1].value}
    assert rows["オンラインによる申請受付件数"] == ["約 179 万件", "約 200 万件", "170 万件", "200 万件"]
    assert rows["標準化システムへ移行した事業数"] == ["0/15", "0/15", "1/15", "15/15"]
    assert ws.print_title_rows and ws.freeze_panes


def test_csv_is_utf8_with_bom_and_stable_columns(nakano_plan):
    for kind, columns in (("progress-list", PROGRESS_COLUMNS), ("summary", SUMMARY_COLUMNS)):
        content = render(build_report(kind, nakano_plan, 2023), "csv").content
        assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0] == columns
        assert b"\r\n" in content
    progress = list(csv.DictReader(io.StringIO(render(build_report("progress-list", nakano_plan, 2023), "csv").content.decode("utf-8-sig"))))
    assert len(progress) == 113
    row = next(r for r in progress if r["事業内容コード"] == "1-1-②-1")
    assert row["所管課"] == "デジタル政策課、子育て支援課、介護保険課" and row["年度"] == "2023"
    summary = list(csv.DictReader(io.StringIO(render(build_report("summary", nakano_plan, 2023), "csv").content.decode("utf-8-sig"))))
    cell = next(r for r in summary if r["コード"] == "目標1-2" and r["年度"] == "2023" and r["種別"] == "実績")
    assert (cell["公表値"], cell["数値"], cell["単位"], cell["判定"], cell["達成率"]) == ("約 200 万件", "2000000", "件", "達成", "117.6")


def test_json_is_the_report_model(nakano_plan):
    data = json.loads(render(build_report("summary", nakano_plan, 2023), "json").content)
    assert data["kind"] == "summary" and data["header"]["fiscal_year"] == 2023
    assert [line["count"] for line in data["status"]["lines"]] == [0, 105, 0, 0]
    first = data["indicators"]["groups"][0]["rows"][0]
    assert first["cells"][1]["raw_text"] == "68.3% ※1" and first["cells"][1]["value"] == "68.3"
    assert "spec" not in first and first["grade"]["grade"] == "未達"


def _pdftotext(pdf: bytes, page: int) -> str:
    tool = need_program("pdftotext", package="poppler-utils")
    text = subprocess.run([tool, "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode("utf-8")
    return remove_spaces(text)  # Typst spaces Latin from Japanese (第 2 次); compare without spaces


def test_pdf_pages_repeat_the_running_header_and_the_table_header(nakano_plan):
    pdf = render(build_report("progress-list", nakano_plan, 2023), "pdf").content
    assert pdf.startswith(b"%PDF")
    pages = 8  # 113 rows of Nakano's 別紙 at 7pt on A4 landscape
    for page in (1, 2, 5):
        text = _pdftotext(pdf, page)
        assert "第2次中野区地域情報化推進計画改定版" in text and "令和5年度" in text, f"running header on page {page}"
        for heading in ("実施内容", "事業内容", "進捗", "取組予定", "所管課"):
            assert heading in text, f"table header {heading} repeated on page {page}"
        assert f"{page}/{pages}" in text, f"page number on page {page}"
    assert int(re.search(rb"/Type/Pages/Count (\d+)", pdf).group(1)) == pages
    assert f"{pages}/{pages}" in _pdftotext(pdf, pages)


def test_summary_pdf_has_both_tables_and_charts(nakano_plan):
    pdf = render(build_report("summary", nakano_plan, 2023), "pdf").content
    text = _pdftotext(pdf, 1)
    for expected in ("進捗状況の区分", "予定どおり取り組んだ", "105", "成果指標の推移", "約200万件", "0/15", "達成"):
        assert expected in text, expected
    assert "進捗状況の分布" in text  # the status chart's title (SVG text, embedded)
