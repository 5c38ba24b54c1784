"""XLSX renderer — what staff exchange and print.

Conventions (SPEC "Architecture", EXAMPLES "Long reports"):

- every style is a :class:`~openpyxl.styles.NamedStyle` registered once per workbook and assigned by
  name (a style object per cell costs 2.4× the plain write, named styles 1.4×);
- column widths in characters, wrapped text for the long Japanese columns, the header row(s) frozen
  and repeated at the top of every printed page, A4 landscape fitted to the page width, page numbers
  in the footer and the plan name / fiscal year in the page header;
- deterministic bytes: the workbook's created/modified times and every ZIP member's date are fixed,
  so the same data gives the same file (a report can be filed in a records system and diffed).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from copy import copy
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.writer.excel import ExcelWriter

from shinchoku.core.cellsafety import set_value
from shinchoku.core.render_xlsx import named_style
from shinchoku.reports.builder import (
    DepartmentReport,
    FindingsReport,
    ProgressListReport,
    ReportHeader,
    SummaryReport,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)  # workbook created/modified and ZIP member dates


def _styles() -> list[NamedStyle]:
    style = named_style
    return [
        style("rp_title", bold=True, size=14, border=False, v="center"),
        style("rp_subtitle", size=10, border=False, v="center"),
        style("rp_note", size=9, border=False, wrap=False),
        style("rp_head", bold=True, fill="DDE6F0", h="center", v="center", wrap=True),
        style("rp_group", bold=True, fill="EEF2F7", wrap=True),
        style("rp_text", wrap=True),
        style("rp_code"),
        style("rp_center", h="center"),
        style("rp_muted", wrap=True, color="5F6B7A"),
        style("rp_int", h="right", fmt="#,##0"),
        style("rp_rate", h="right", fmt='0.0"%"'),
        style("rp_total", bold=True, h="right", fmt="#,##0", fill="F4F6F9"),
        style("rp_total_label", bold=True, fill="F4F6F9"),
    ]


class _FixedTimeZip(zipfile.ZipFile):
    """A ZIP whose members all carry :data:`FIXED_TIME` (openpyxl writes them with the current time)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:
            self.writestr(arcname or str(filename), fh.read(), compress_type, compresslevel)


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes, identical for identical content."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "shinchoku"
    wb.properties.lastModifiedBy = "shinchoku"
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()  # what ExcelWriter.save() does before closing the archive
    return buffer.getvalue()


def new_workbook() -> Workbook:
    wb = Workbook()
    for s in _styles():
        wb.add_named_style(s)
    return wb


class Sheet:
    """One printed table: title lines, header row(s), body; page set-up on :meth:`finish`."""

    def __init__(self, wb: Workbook, title: str, widths: Sequence[float], *, first: bool = False):
        self.ws = wb.active if first else wb.create_sheet()
        self.ws.title = title[:31]
        self.ncols = len(widths)
        self.row = 0
        # Named style → its style array, looked up once. Assigning ``cell.style = name`` does the same
        # copy after two linear searches of the workbook's style list, per cell.
        self._arrays = {s.name: s.as_tuple() for s in wb._named_styles}
        self.header_rows: tuple[int, int] | None = None
        for i, w in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = w

    def line(self, text: str, style: str = "rp_subtitle") -> None:
        self.row += 1
        set_value(self.ws.cell(row=self.row, column=1), text).style = style

    def blank(self) -> None:
        self.row += 1

    def values(self, values: Sequence[Any], styles: Sequence[str] | str) -> int:
        """Write one row; ``styles`` per column (or one for all). Returns the row number."""
        self.row += 1
        cell = self.ws.cell
        arrays = self._arrays
        r = self.row
        if isinstance(styles, str):
            styles = [styles] * len(values)
        for col, (value, style) in enumerate(zip(values, styles), start=1):
            set_value(cell(row=r, column=col), value)._style = copy(arrays[style])
        return r

    def header(self, values: Sequence[Any]) -> int:
        r = self.values(values, "rp_head")
        self.header_rows = (self.header_rows[0], r) if self.header_rows else (r, r)
        return r

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a block whose cells are already written and styled.

        ``Worksheet.merge_cells`` re-styles the block's edges with new border objects and checks the
        new range against every existing one (quadratic): at 1,000 rows that tripled the time of the
        whole sheet. Our blocks never overlap and their cells carry the bordered named style already,
        so the range is registered directly (Excel itself keeps the styled blank cells of a merge).
        """
        if (first_row, first_col) != (last_row, last_col):
            ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"
            self.ws.merged_cells.ranges.add(MergedCellRange(self.ws, ref))

    def span_row(self, text: str, style: str) -> int:
        """A full-width row (group heading)."""
        r = self.values([text] + [None] * (self.ncols - 1), style)
        self.merge(r, 1, r, self.ncols)
        return r

    def finish(self, header: ReportHeader, *, landscape: bool = True) -> None:
        ws = self.ws
        if self.header_rows:
            first, last = self.header_rows
            ws.freeze_panes = ws.cell(row=last + 1, column=1)
            ws.print_title_rows = f"{first}:{last}"
        ws.print_area = f"A1:{get_column_letter(self.ncols)}{max(self.row, 1)}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddHeader.left.text = _escape_hf(header.heading)
        ws.oddHeader.left.size = 8
        ws.oddHeader.right.text = _escape_hf(header.title)
        ws.oddHeader.right.size = 8
        ws.oddFooter.center.text = "&P / &N"


def _escape_hf(text: str) -> str:
    return text.replace("&", "&&")


def _title_block(sheet: Sheet, header: ReportHeader, title: str | None = None) -> None:
    sheet.line(f"{header.plan_name}　{title or header.title}", "rp_title")
    sub = f"{header.fiscal_year_both}　{header.municipality_name}"
    if header.filters:
        sub += f"　（{header.filter_text}）"
    if not header.approved_only:
        sub += "　※承認前の進捗を含む"
    sheet.line(sub)


# --------------------------------------------------------------------------------------------------


def _status_sheet(wb: Workbook, report: SummaryReport, first: bool) -> None:
    sheet = Sheet(wb, "進捗状況", [10, 70, 12], first=first)
    _title_block(sheet, report.header)
    sheet.blank()
    sheet.line(f"1 各取組の進捗状況（{report.header.fiscal_year_label}）", "rp_subtitle")
    sheet.header(["進捗状況の区分", None, "取組の数"])
    sheet.merge(sheet.row, 1, sheet.row, 2)
    for line in report.status.lines:
        sheet.values([line.symbol, line.meaning, line.count], ["rp_center", "rp_text", "rp_int"])
    if report.status.unanswered:
        sheet.values(["—", "進捗状況の記入なし", report.status.unanswered], ["rp_center", "rp_text", "rp_int"])
    sheet.values(["計", None, report.status.total + report.status.unanswered], ["rp_total_label", "rp_total_label", "rp_total"])
    sheet.merge(sheet.row, 1, sheet.row, 2)
    sheet.finish(report.header, landscape=False)


def _indicator_sheet(wb: Workbook, report: SummaryReport) -> None:
    table = report.indicators
    ncols = len(table.columns)
    widths = [46] + [13] * ncols + [9, 9, 60]
    sheet = Sheet(wb, "成果指標", widths)
    _title_block(sheet, report.header)
    sheet.blank()
    sheet.line(f"2 成果指標の推移 {table.as_of}", "rp_subtitle")
    judged = f"判定（{table.judged_year_label}）"
    top: list[Any] = ["指標項目"]
    for label, span in table.column_spans:
        top += [label] + [None] * (span - 1)
    top += [judged, "達成率", "判定理由"]
    r1 = sheet.header(top)
    r2 = sheet.header([None] + [c.year_label for c in table.columns] + [None, None, None])
    sheet.merge(r1, 1, r2, 1)
    col = 2
    for _, span in table.column_spans:
        sheet.merge(r1, col, r1, col + span - 1)
        col += span
    for k in range(3):
        sheet.merge(r1, col + k, r2, col + k)
    styles = ["rp_text"] + ["rp_center"] * ncols + ["rp_center", "rp_rate", "rp_muted"]
    for group in table.groups:
        if group.title:
            sheet.span_row(group.title, "rp_group")
        for row in group.rows:
            g = row.grade
            sheet.values(
                [row.display_name] + [c.raw_text if c else "" for c in row.cells]
                + [g.grade if g else "", float(g.achievement_rate) if g and g.achievement_rate is not None else None,
                   g.reason if g else ""],
                styles,
            )
    if table.footnotes:
        sheet.blank()
        for note in table.footnotes:
            sheet.line(f"{note.mark} {note.text}".replace("\n", " "), "rp_note")
    sheet.finish(report.header)


def summary_xlsx(report: SummaryReport) -> Workbook:
    wb = new_workbook()
    _status_sheet(wb, report, first=True)
    _indicator_sheet(wb, report)
    return wb


PROGRESS_WIDTHS = [9, 24, 30, 6, 16, 44, 28, 28, 16]


def progress_list_xlsx(report: ProgressListReport) -> Workbook:
    wb = new_workbook()
    sheet = Sheet(wb, "別紙 進捗状況一覧", PROGRESS_WIDTHS, first=True)
    _title_block(sheet, report.header)
    if report.legend:
        sheet.line("【進捗状況の凡例】 " + "／".join(f"{e.symbol}…{e.meaning}" for e in report.legend), "rp_note")
    sheet.blank()
    c = report.columns
    r = sheet.header([c.initiative, None, c.activity, c.status, c.change_reason, c.result, c.next_year_plan,
                      c.later_plan, c.departments])
    sheet.merge(r, 1, r, 2)
    body = ["rp_code", "rp_text", "rp_text", "rp_center", "rp_text", "rp_text", "rp_text", "rp_text", "rp_text"]
    relisted = ["rp_code", "rp_text", "rp_muted", "rp_muted", "rp_muted", "rp_muted", "rp_muted", "rp_muted", "rp_muted"]
    merge = sheet.merge
    for goal in report.goals:
        sheet.span_row(f"{goal.code} {goal.title}".strip(), "rp_group")
        for initiative in goal.initiatives:
            first = sheet.row + 1
            label = initiative.label
            if initiative.context:
                label = "／".join(initiative.context) + "\n" + label
            for i, row in enumerate(initiative.rows):
                head = [initiative.code, label] if i == 0 else [None, None]
                if row.is_relisting:
                    title = row.title if initiative.relisted_from == row.relisted_from else f"({row.relisted_from}再掲){row.title}"
                    r = sheet.values(head + [title, row.reference, None, None, None, None, "、".join(row.departments)], relisted)
                    merge(r, 4, r, 8)
                else:
                    sheet.values(
                        head + [row.title, row.status, row.change_reason, row.result, row.next_year_plan, row.later_plan,
                                "\n".join(row.departments)],
                        body,
                    )
            merge(first, 1, sheet.row, 1)
            merge(first, 2, sheet.row, 2)
    if not report.goals:
        sheet.span_row("該当する取組はありません。", "rp_text")
    sheet.finish(report.header)
    return wb


def department_xlsx(report: DepartmentReport) -> Workbook:
    wb = new_workbook()
    symbols = [e.symbol for e in report.legend]
    sheet = Sheet(wb, "所管課別", [28, 10] + [8] * len(symbols) + [10], first=True)
    _title_block(sheet, report.header)
    sheet.blank()
    sheet.header(["所管課", "取組の数", *symbols, "記入なし"])
    ints = ["rp_text"] + ["rp_int"] * (len(symbols) + 2)
    for line in report.lines:
        sheet.values([line.name, line.total, *line.counts, line.unanswered], ints)
    t = report.totals
    sheet.values(["合計（共管の取組は1件）", t.total, *t.counts, t.unanswered], ["rp_total_label"] + ["rp_total"] * (len(symbols) + 2))
    sheet.finish(report.header, landscape=False)
    sheet2 = Sheet(wb, "遅れ・未着手", [12, 40, 8, 50, 24])
    _title_block(sheet2, report.header, "遅れ・未着手の取組")
    sheet2.blank()
    sheet2.header(["コード", "事業内容", "進捗状況", "スケジュールの変更理由", "所管課"])
    for item in report.attention:
        sheet2.values([item.code, item.title, item.status, item.change_reason, "、".join(item.departments)],
                      ["rp_code", "rp_text", "rp_center", "rp_text", "rp_text"])
    if not report.attention:
        sheet2.span_row("遅れ・未着手の取組はありません。", "rp_text")
    sheet2.finish(report.header)
    return wb


def findings_xlsx(report: FindingsReport) -> Workbook:
    wb = new_workbook()
    sheet = Sheet(wb, "措置状況一覧", [12, 40, 22, 10, 56, 12], first=True)
    _title_block(sheet, report.header)
    sheet.line("　".join(f"{label} {count}件" for label, count in report.state_counts))
    sheet.blank()
    sheet.header(["番号", "題名", "所管課", "措置状況", "措置の内容", "措置日"])
    styles = ["rp_code", "rp_text", "rp_text", "rp_center", "rp_text", "rp_center"]
    for audit in report.audits:
        sheet.span_row(audit.title, "rp_group")
        for f in audit.findings:
            sheet.values([f.label, f.title, "、".join(f.departments), f.state, f.response, f.response_date], styles)
    if not report.audits:
        sheet.span_row("該当する指摘・意見はありません。", "rp_text")
    sheet.finish(report.header)
    return wb


WORKBOOKS = {
    "summary": summary_xlsx,
    "progress-list": progress_list_xlsx,
    "department": department_xlsx,
    "findings": findings_xlsx,
}


def render_xlsx(report) -> bytes:
    return workbook_bytes(WORKBOOKS[report.kind](report))
