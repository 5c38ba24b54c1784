"""PDF renderer — Typst templates in ``shinchoku/reports/typst/`` fed with JSON from the report model.

Each page has the running header of :mod:`shinchoku.core.typst.common` (plan name, fiscal year and
report title) and page numbers; long tables break across pages with their header rows repeated.
Charts are SVG files (:mod:`shinchoku.reports.render.charts`) passed next to the template. The PDF
timestamp is fixed (``core.render_pdf``), so equal data gives equal bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shinchoku.core.render_pdf import render_pdf as compile_pdf
from shinchoku.reports.builder import (
    DepartmentReport,
    FindingsReport,
    ProgressListReport,
    ReportHeader,
    SummaryReport,
)
from shinchoku.reports.render.charts import indicator_charts, status_chart

TEMPLATES = Path(__file__).resolve().parent.parent / "typst"
CONTENT_TYPE = "application/pdf"


def _head(header: ReportHeader) -> dict[str, Any]:
    subtitle = f"{header.fiscal_year_label}　{header.title}"
    note = []
    if header.filters:
        note.append(header.filter_text)
    if not header.approved_only:
        note.append("承認前の進捗を含む")
    return {
        "title": header.plan_name,
        "subtitle": subtitle,
        "heading": f"{header.plan_name} {header.title}",
        "year": header.fiscal_year_both,
        "municipality": header.municipality_name,
        "note": "／".join(note),
    }


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n")


def summary_data(report: SummaryReport) -> tuple[dict, dict[str, bytes]]:
    table = report.indicators
    files = {"status.svg": status_chart(report).encode("utf-8")}
    charts = []
    for i, (row, svg) in enumerate(indicator_charts(report)):
        name = f"indicator-{i + 1}.svg"
        files[name] = svg.encode("utf-8")
        charts.append(name)
    data = {
        **_head(report.header),
        "status_heading": f"1 各取組の進捗状況（{report.header.fiscal_year_label}）",
        "status": [[line.symbol, line.meaning, str(line.count)] for line in report.status.lines]
        + ([["—", "進捗状況の記入なし", str(report.status.unanswered)]] if report.status.unanswered else []),
        "total": str(report.status.total + report.status.unanswered),
        "indicator_heading": f"2 成果指標の推移 {table.as_of}",
        "spans": [[label, span] for label, span in table.column_spans],
        "years": [c.year_label for c in table.columns],
        "judged": f"判定（{table.judged_year_label}）",
        "groups": [
            {
                "title": g.title,
                "rows": [
                    [row.display_name, *[c.raw_text if c else "" for c in row.cells],
                     row.grade.grade if row.grade else "",
                     f"{row.grade.achievement_rate}%" if row.grade and row.grade.achievement_rate is not None else ""]
                    for row in g.rows
                ],
            }
            for g in table.groups
        ],
        "footnotes": [f"{n.mark} {_text(n.text)}" for n in table.footnotes],
        "reasons": [[row.display_name, row.grade.grade, row.grade.reason] for _, row in table.rows if row.grade],
        "charts": charts,
    }
    return data, files


def progress_list_data(report: ProgressListReport) -> dict:
    c = report.columns
    goals = []
    for goal in report.goals:
        initiatives = []
        for ini in goal.initiatives:
            rows = []
            for row in ini.rows:
                if row.is_relisting:
                    title = row.title if ini.relisted_from == row.relisted_from else f"({row.relisted_from}再掲){row.title}"
                    rows.append({"t": title, "ref": row.reference, "d": "\n".join(row.departments)})
                else:
                    rows.append({
                        "t": row.title, "s": row.status, "c": _text(row.change_reason), "r": _text(row.result),
                        "n": _text(row.next_year_plan), "l": _text(row.later_plan), "d": "\n".join(row.departments),
                    })
            label = ini.label if not ini.context else "／".join(ini.context) + "\n" + ini.label
            initiatives.append({"code": ini.code, "label": label, "rows": rows})
        goals.append({"label": f"{goal.code} {goal.title}".strip(), "initiatives": initiatives})
    return {
        **_head(report.header),
        "legend": [f"{e.symbol}・・・{e.meaning}" for e in report.legend],
        "columns": [c.initiative, c.activity, c.status, c.change_reason, c.result, c.next_year_plan, c.later_plan,
                    c.departments],
        "goals": goals,
        "count": report.row_count,
    }


def department_data(report: DepartmentReport) -> dict:
    return {
        **_head(report.header),
        "symbols": [e.symbol for e in report.legend],
        "lines": [[line.name, str(line.total), *map(str, line.counts), str(line.unanswered)] for line in report.lines],
        "totals": ["合計（共管の取組は1件）", str(report.totals.total), *map(str, report.totals.counts),
                   str(report.totals.unanswered)],
        "attention": [[a.code, a.title, a.status, _text(a.change_reason), "\n".join(a.departments)] for a in report.attention],
    }


def findings_data(report: FindingsReport) -> dict:
    return {
        **_head(report.header),
        "counts": "　".join(f"{label} {count}件" for label, count in report.state_counts),
        "audits": [
            {"title": a.title, "rows": [[f.label, f.title, "\n".join(f.departments), f.state, _text(f.response), f.response_date]
                                        for f in a.findings]}
            for a in report.audits
        ],
    }


def render_pdf(report) -> bytes:
    files: dict[str, bytes] = {}
    if isinstance(report, SummaryReport):
        data, files = summary_data(report)
    elif isinstance(report, ProgressListReport):
        data = progress_list_data(report)
    elif isinstance(report, DepartmentReport):
        data = department_data(report)
    elif isinstance(report, FindingsReport):
        data = findings_data(report)
    else:
        raise TypeError(f"no PDF form for {type(report).__name__}")
    return compile_pdf(TEMPLATES / f"{report.kind}.typ", data, extra_files=files)
