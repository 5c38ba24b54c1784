"""Web page renderer: the context of the report templates (``reports/_<kind>.html``).

The 別紙 table is built in Python with escaping (as ``shinchoku.plans.render`` does): at 1,000 rows
the template engine's per-cell node walk is what makes a page slow. Everything else is a template.
Charts are inline SVG (no JavaScript, no CDN).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from shinchoku.reports.builder import ProgressListReport, SummaryReport
from shinchoku.reports.render.charts import indicator_charts, status_chart

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "shinchoku.css"


def _text(value: str) -> str:
    return escape(value or "").replace("\n", "<br>")


def _departments(names: list[str]) -> str:
    return "".join(f'<span class="dept">{escape(n)}</span>' for n in names)


def progress_rows_html(report: ProgressListReport) -> SafeString:
    out: list[str] = []
    for goal in report.goals:
        out.append(f'<tr class="group"><th colspan="9">{escape(goal.code)} {escape(goal.title)}</th></tr>')
        for ini in goal.initiatives:
            span = len(ini.rows)
            context = "".join(f'<div class="small muted">{escape(c)}</div>' for c in ini.context)
            for i, row in enumerate(ini.rows):
                out.append('<tr class="relisted">' if row.is_relisting else "<tr>")
                if i == 0:
                    out.append(
                        f'<td rowspan="{span}" class="code">{escape(ini.code)}</td>'
                        f'<td rowspan="{span}">{context}{escape(ini.label)}</td>'
                    )
                if row.is_relisting:
                    title = row.title if ini.relisted_from == row.relisted_from else f"({row.relisted_from}再掲){row.title}"
                    out.append(
                        f"<td>{escape(title)}</td><td colspan=\"5\" class=\"muted small\">{escape(row.reference)}</td>"
                        f"<td>{_departments(row.departments)}</td>"
                    )
                else:
                    out.append(
                        f"<td>{escape(row.title)}</td>"
                        f'<td class="status">{escape(row.status)}</td>'
                        f"<td>{_text(row.change_reason)}</td>"
                        f"<td>{_text(row.result)}</td>"
                        f"<td>{_text(row.next_year_plan)}</td>"
                        f"<td>{_text(row.later_plan)}</td>"
                        f"<td>{_departments(row.departments)}</td>"
                    )
                out.append("</tr>")
    return mark_safe("".join(out))


def indicator_rows_html(report: SummaryReport) -> SafeString:
    """The body of the indicator trend table (as published, with the year's grade)."""
    table = report.indicators
    span = len(table.columns) + 3
    out: list[str] = []
    for group in table.groups:
        if group.title:
            out.append(f'<tr class="group"><th colspan="{span}">{escape(group.title)}</th></tr>')
        for row in group.rows:
            out.append(f"<tr><td>{escape(row.display_name)}</td>")
            for cell in row.cells:
                if cell is None:
                    out.append('<td class="num"></td>')
                elif not cell.readable:
                    out.append(f'<td class="num" title="{escape(cell.note)}">{escape(cell.raw_text)}</td>')
                else:
                    out.append(f'<td class="num">{escape(cell.raw_text)}</td>')
            g = row.grade
            if g is None:
                out.append('<td class="center"></td><td class="num"></td>')
            else:
                rate = f"{g.achievement_rate}%" if g.achievement_rate is not None else ""
                out.append(
                    f'<td class="center"><span class="grade grade-{escape(g.grade)}" title="{escape(g.reason)}">'
                    f'{escape(g.grade)}</span></td><td class="num">{rate}</td>'
                )
            out.append("</tr>")
    return mark_safe("".join(out))


def report_context(report, *, charts: bool = True) -> dict:
    """What the ``reports/_<kind>.html`` fragment needs."""
    ctx: dict = {"report": report, "header": report.header, "kind": report.kind}
    if isinstance(report, SummaryReport):
        ctx["indicator_rows_html"] = indicator_rows_html(report)
        if charts:
            ctx["status_chart"] = mark_safe(status_chart(report, width=420, height=240))
            ctx["indicator_charts"] = [(row, mark_safe(svg)) for row, svg in indicator_charts(report)]
    if isinstance(report, ProgressListReport):
        ctx["rows_html"] = progress_rows_html(report)
    return ctx


def fragment_template(report) -> str:
    return f"reports/_{report.kind.replace('-', '_')}.html"


def render_standalone(report) -> str:
    """A self-contained HTML document (styles inline) — ``shinchoku report … --format html``."""
    ctx = report_context(report)
    ctx["fragment"] = fragment_template(report)
    ctx["css"] = mark_safe(CSS.read_text(encoding="utf-8") if CSS.exists() else "")
    return render_to_string("reports/standalone.html", ctx)
