"""The judgement engine applied to stored indicators: builds :class:`IndicatorSpec` from the database
and judges one indicator or every indicator of a plan in a fixed number of queries.

Values are re-read from their published text (``raw_text``) with the same parser that stored them,
so the engine always judges what was published, never a number someone typed over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Sequence

from shinchoku.indicators.judgement import DefinitionChange, Direction, IndicatorSpec, Judgement, judge
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.indicators.values import ParsedValue, parse_value


@dataclass
class Series:
    actuals: dict[int, ParsedValue]
    targets: dict[int, ParsedValue]
    estimates: dict[int, ParsedValue]


def series_of(values: Iterable[IndicatorValue]) -> Series:
    out = Series({}, {}, {})
    for v in values:
        table = {"actual": out.actuals, "target": out.targets, "estimate": out.estimates}[v.kind]
        table[v.fiscal_year] = parse_value(v.raw_text)
    return out


def spec_for(
    indicator: Indicator,
    values: Sequence[IndicatorValue] | None = None,
    changes: Sequence[IndicatorDefinitionChange] | None = None,
) -> tuple[IndicatorSpec, Series]:
    """The engine's view of a stored indicator (and its series, parsed)."""
    values = list(indicator.values.all()) if values is None else values
    changes = list(indicator.definition_changes.all()) if changes is None else changes
    series = series_of(values)
    references: dict[int, Decimal] = {}
    for year, amount in (indicator.reference_amounts or {}).items():
        try:
            references[int(year)] = Decimal(str(amount))
        except (InvalidOperation, ValueError):
            continue  # a bad entry is reported by the form/import that wrote it; judge says 判定不可
    spec = IndicatorSpec(
        name=indicator.name,
        unit=indicator.unit,
        direction=Direction(indicator.direction) if indicator.direction else None,
        baseline_year=indicator.baseline_year,
        baseline=parse_value(indicator.baseline_text) if indicator.baseline_text else None,
        targets=series.targets,
        final_target_year=indicator.final_target_year,
        definition_changes=[DefinitionChange(c.effective_fiscal_year, c.description) for c in changes],
        cumulative_since=indicator.cumulative_since,
        reference_amounts=references,
    )
    return spec, series


def judge_indicator(
    indicator: Indicator,
    fiscal_year: int,
    kind: str = "actual",
    *,
    values: Sequence[IndicatorValue] | None = None,
    changes: Sequence[IndicatorDefinitionChange] | None = None,
) -> Judgement:
    spec, series = spec_for(indicator, values, changes)
    return judge(spec, series.actuals, fiscal_year, estimates=series.estimates, kind=kind)


def judge_plan(plan, fiscal_year: int, kind: str = "actual") -> list[tuple[Indicator, Judgement]]:
    """Every indicator of the plan judged for the year, in table order (3 queries).

    Values are read as (indicator, year, kind, text) tuples: the engine needs nothing else, and a
    plan's hundreds of values would otherwise cost as many model instances per page.
    """
    indicators = list(Indicator.objects.filter(plan=plan).order_by("order", "code").prefetch_related("definition_changes"))
    values: dict[int, list] = {ind.pk: [] for ind in indicators}
    for row in IndicatorValue.objects.filter(indicator__plan=plan).values_list(
        "indicator_id", "fiscal_year", "kind", "raw_text", named=True
    ):
        values[row.indicator_id].append(row)
    return [
        (ind, judge_indicator(ind, fiscal_year, kind, values=values[ind.pk], changes=list(ind.definition_changes.all())))
        for ind in indicators
    ]


def judgement_dict(indicator: Indicator, j: Judgement) -> dict:
    """JSON form used by the command line and the API."""
    return {
        "indicator_id": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "fiscal_year": j.fiscal_year,
        "kind": j.kind,
        "grade": j.grade.value,
        "achievement_rate": str(j.achievement_rate) if j.achievement_rate is not None else None,
        "on_track": j.on_track,
        "expected_value": str(j.expected_value) if j.expected_value is not None else None,
        "trend": j.trend,
        "definition_break": j.definition_break,
        "reason": j.reason,
    }


def infer_direction_from_values(stored: Sequence[IndicatorValue]) -> str | None:
    """Higher or lower is better, when the plan does not say: the final target against the first actual.

    A bound word on the target decides first (``85%以下`` → lower). Otherwise a final target below the
    first actual means lower is better (文書量 5,900fm → 3,000fm; 事故 9件 → 0件), above it higher.
    Equal or missing figures leave the direction unset (the engine then says 判定不可).
    """
    from shinchoku.indicators.judgement import infer_direction

    targets = sorted((v for v in stored if v.kind == IndicatorValue.Kind.TARGET and v.readable), key=lambda v: v.fiscal_year)
    for target in reversed(targets):
        inferred = infer_direction(parse_value(target.raw_text))
        if inferred is not None:
            return inferred.value
    actuals = sorted(
        (v for v in stored if v.kind == IndicatorValue.Kind.ACTUAL and v.value is not None), key=lambda v: v.fiscal_year
    )
    final = next((t for t in reversed(targets) if t.value is not None), None)
    if not actuals or final is None:
        return None
    first, goal = _ratio(actuals[0]), _ratio(final)
    if goal < first:
        return Indicator.Direction.LOWER
    if goal > first:
        return Indicator.Direction.HIGHER
    return None


def _ratio(v: IndicatorValue) -> Decimal:
    return v.value / v.denominator if v.denominator else v.value
