"""Open-data renderers: CSV (UTF-8 with BOM so that Excel opens it in Japanese) and JSON.

CSV is one flat table per report, with stable column names (the year is a column, not part of a
heading) so that a script can read every year's file the same way. JSON is the whole report model.
Both are deterministic: the same data gives the same bytes.
"""

from __future__ import annotations

from typing import Any, Iterable

from shinchoku.core.tabular import CSV_CONTENT_TYPE, JSON_CONTENT_TYPE, csv_bytes, json_bytes  # noqa: F401
from shinchoku.reports.builder import (
    DepartmentReport,
    FindingsReport,
    ProgressListReport,
    SummaryReport,
)

# --------------------------------------------------------------------------------------------------

SUMMARY_COLUMNS = ["表", "分類", "コード", "項目", "年度", "種別", "公表値", "数値", "単位", "判定", "達成率"]


def summary_rows(report: SummaryReport) -> Iterable[list[Any]]:
    fy = report.header.fiscal_year
    for line in report.status.lines:
        yield ["進捗状況", "", line.symbol, line.meaning, fy, "取組の数", str(line.count), line.count, "件", "", ""]
    table = report.indicators
    for group, row in table.rows:
        for col, cell in zip(table.columns, row.cells):
            if cell is None:
                continue
            graded = row.grade is not None and col.kind == "actual" and col.fiscal_year == row.grade.fiscal_year
            yield [
                "成果指標", group.title, row.code, row.display_name, col.fiscal_year, col.kind_label, cell.raw_text,
                cell.value, cell.unit, row.grade.grade if graded else "",
                row.grade.achievement_rate if graded else None,
            ]


PROGRESS_COLUMNS = [
    "年度", "目標コード", "目標", "実施内容コード", "実施内容", "事業内容コード", "事業内容", "再掲元", "進捗状況",
    "スケジュールの変更理由", "取組結果", "次年度の取組予定", "次年度以降の取組予定", "所管課",
]


def progress_rows(report: ProgressListReport) -> Iterable[list[Any]]:
    fy = report.header.fiscal_year
    for goal, initiative, row in report.iter_rows():
        yield [
            fy, goal.code, goal.title, initiative.code, initiative.label, row.code, row.title, row.relisted_from or "",
            row.status, row.change_reason, row.result, row.next_year_plan, row.later_plan, row.departments,
        ]


def department_columns(report: DepartmentReport) -> list[str]:
    return ["所管課", "取組の数", *[e.symbol for e in report.legend], "記入なし"]


def department_rows(report: DepartmentReport) -> Iterable[list[Any]]:
    for line in report.lines:
        yield [line.name, line.total, *line.counts, line.unanswered]


FINDINGS_COLUMNS = ["監査", "年度", "番号", "分類", "題名", "所管課", "措置状況", "措置の内容", "措置日"]


def findings_rows(report: FindingsReport) -> Iterable[list[Any]]:
    for audit in report.audits:
        for f in audit.findings:
            yield [audit.title, audit.fiscal_year, f.label, f.kind, f.title, f.departments, f.state, f.response, f.response_date]


def render_csv(report) -> bytes:
    if isinstance(report, SummaryReport):
        return csv_bytes(SUMMARY_COLUMNS, summary_rows(report))
    if isinstance(report, ProgressListReport):
        return csv_bytes(PROGRESS_COLUMNS, progress_rows(report))
    if isinstance(report, DepartmentReport):
        return csv_bytes(department_columns(report), department_rows(report))
    if isinstance(report, FindingsReport):
        return csv_bytes(FINDINGS_COLUMNS, findings_rows(report))
    raise TypeError(f"no CSV form for {type(report).__name__}")


def render_json(report) -> bytes:
    return json_bytes(report)
