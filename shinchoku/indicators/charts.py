"""The indicator trend chart: actuals, targets, the straight line to the final target and a marker
at each definition change. Values are plotted in base units; fractions by their numerator."""

from __future__ import annotations

from decimal import Decimal

from shinchoku.core import fiscal
from shinchoku.core.charts import Marker, Series, line_chart
from shinchoku.indicators.engine import Series as ValueSeries
from shinchoku.indicators.judgement import IndicatorSpec
from shinchoku.indicators.values import ParsedValue


def _plotted(pv: ParsedValue | None) -> Decimal | None:
    if pv is None or not pv.has_number or pv.reference is not None:
        return None
    return pv.number if pv.denominator is not None else pv.value


def indicator_chart(spec: IndicatorSpec, series: ValueSeries, *, width: int = 640, height: int = 280) -> str:
    years = sorted(set(series.actuals) | set(series.targets) | set(series.estimates))
    if spec.baseline_year is not None:
        years = sorted(set(years) | {spec.baseline_year})
    if years:  # a continuous axis: a year without figures is a visible gap, not a missing tick
        years = list(range(years[0], years[-1] + 1))
    actual = [_plotted(series.actuals.get(y)) for y in years]
    target = [_plotted(spec.targets.get(y)) for y in years]
    estimate = [_plotted(series.estimates.get(y)) for y in years]
    lines = [Series("実績", actual, "line", "#0b5cad"), Series("目標", target, "points", "#d4731c")]
    if any(v is not None for v in estimate):
        lines.append(Series("見込み", estimate, "points", "#8a3ffc"))
    final_year = spec.final_year
    base_year = spec.baseline_year
    base = spec.baseline or (series.actuals.get(base_year) if base_year is not None else None)
    start, end = _plotted(base), _plotted(spec.targets.get(final_year)) if final_year is not None else None
    if start is not None and end is not None and base_year is not None and final_year and final_year > base_year:
        trajectory = []
        for y in years:
            if base_year <= y <= final_year:
                trajectory.append(start + (end - start) * Decimal(y - base_year) / Decimal(final_year - base_year))
            else:
                trajectory.append(None)
        lines.append(Series("目標への直線", trajectory, "dotted", "#1e7d3a"))
    markers = [
        Marker(years.index(c.effective_fiscal_year) - 0.5, f"定義変更（{fiscal.to_wareki(c.effective_fiscal_year)}〜）")
        for c in spec.definition_changes
        if c.effective_fiscal_year in years
    ]
    unit = next((pv.base_unit for pv in [*series.actuals.values(), *spec.targets.values()] if pv.has_number and pv.base_unit), spec.unit)
    return line_chart(
        [fiscal.to_wareki(y).replace("年度", "") for y in years], lines, title=spec.name, unit=unit,
        markers=markers, width=width, height=height,
    )
