"""Charts of a report (server-side SVG, the same markup on the web page and in the PDF).

- status distribution (進捗状況の分布): bars per symbol of the plan's scale;
- indicator trends (成果指標の推移): one small chart per indicator — actuals, targets and the straight
  line to the final target, from :func:`shinchoku.indicators.charts.indicator_chart`.
"""

from __future__ import annotations

from shinchoku.core.charts import Series, bar_chart
from shinchoku.indicators.charts import indicator_chart
from shinchoku.reports.builder import SummaryReport, TrendRow

STATUS_COLORS = {"ahead": "#1e7d3a", "on_plan": "#0b5cad", "late": "#d4731c", "not_started": "#b3261e", "other": "#5f6b7a"}


def status_chart(report: SummaryReport, *, width: int = 300, height: int = 200) -> str:
    lines = report.status.lines
    categories = [f"{line.symbol}" for line in lines]
    values = [line.count for line in lines]
    if report.status.unanswered:
        categories.append("記入なし")
        values.append(report.status.unanswered)
    return bar_chart(
        categories, [Series("取組の数", values, "bar", "#0b5cad")],
        title=f"進捗状況の分布（{report.header.fiscal_year_label}）", unit="件", width=width, height=height,
    )


def indicator_charts(report: SummaryReport, *, width: int = 420, height: int = 220) -> list[tuple[TrendRow, str]]:
    """(row, svg) for every indicator with at least one plotted figure."""
    charts = []
    for _, row in report.indicators.rows:
        if row.spec is None or row.series is None:
            continue
        if not any(pv.has_number for pv in [*row.series.actuals.values(), *row.spec.targets.values()]):
            continue
        charts.append((row, indicator_chart(row.spec, row.series, width=width, height=height)))
    return charts
